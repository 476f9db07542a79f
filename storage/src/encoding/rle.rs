//! Run-length encoding: (value, run length) pairs, for states, flags and step signals.
//!
//! - i64: `tag, runs: varint`, then a nested integer block of the `runs` run values, then a nested
//!   integer block of the `runs` run lengths (each nested block starts with its own tag; nested
//!   blocks are never run-length encoded themselves).
//! - bool: `tag, first value: u8 (0 or 1), runs: varint`, then a nested integer block of the run
//!   lengths; values alternate from run to run.
use super::bitpack::MINIBLOCK;
use super::io::{Reader, put_varint};
use super::{Codec, EncodingError, choose, decode_ints_vec};

/// Run values and lengths of `values`.
pub(crate) fn runs<T: PartialEq + Copy>(values: &[T]) -> (Vec<T>, Vec<i64>) {
    let mut vals = Vec::new();
    let mut lens = Vec::new();
    let mut iter = values.iter();
    if let Some(&first) = iter.next() {
        let (mut cur, mut len) = (first, 1i64);
        for &v in iter {
            if v == cur {
                len += 1;
            } else {
                vals.push(cur);
                lens.push(len);
                (cur, len) = (v, 1);
            }
        }
        vals.push(cur);
        lens.push(len);
    }
    (vals, lens)
}

/// Number of runs in `values`.
pub(crate) fn count_runs<T: PartialEq>(values: &[T]) -> usize {
    usize::from(!values.is_empty()) + values.windows(2).filter(|w| w[0] != w[1]).count()
}

pub(crate) fn encode_i64(values: &[i64], out: &mut Vec<u8>) -> Codec {
    let (vals, lens) = runs(values);
    out.push(Codec::Rle as u8);
    put_varint(out, vals.len() as u64);
    choose::encode_ints(&vals, out, false);
    choose::encode_ints(&lens, out, false);
    Codec::Rle
}

/// Reads and validates `runs` run lengths that must add up to exactly `n`.
fn read_lengths(r: &mut Reader<'_>, runs: usize, n: usize) -> Result<Vec<i64>, EncodingError> {
    let lens = decode_ints_vec(r, runs, false)?;
    let mut total: usize = 0;
    for &l in &lens {
        let l = usize::try_from(l).map_err(|_| EncodingError::Corrupt("negative run length"))?;
        if l == 0 {
            return Err(EncodingError::Corrupt("empty run"));
        }
        total = total
            .checked_add(l)
            .ok_or(EncodingError::Corrupt("run lengths overflow"))?;
    }
    if total != n {
        return Err(EncodingError::Corrupt(
            "run lengths do not add up to the value count",
        ));
    }
    Ok(lens)
}

fn read_run_count(r: &mut Reader<'_>, n: usize) -> Result<usize, EncodingError> {
    let runs = r.count(n, "run count")?;
    if (runs == 0) != (n == 0) {
        return Err(EncodingError::Corrupt("run count"));
    }
    Ok(runs)
}

pub(crate) fn decode_i64<F>(r: &mut Reader<'_>, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let runs = read_run_count(r, n)?;
    let vals = decode_ints_vec(r, runs, false)?;
    let lens = read_lengths(r, runs, n)?;
    let mut buf = [0i64; MINIBLOCK];
    let mut used = 0usize;
    for (&v, &len) in vals.iter().zip(&lens) {
        let mut left = len as usize;
        while left > 0 {
            let take = left.min(MINIBLOCK - used);
            buf.get_mut(used..used + take)
                .ok_or(EncodingError::Corrupt("run"))?
                .fill(v);
            used += take;
            left -= take;
            if used == MINIBLOCK {
                sink(&mut buf)?;
                used = 0;
            }
        }
    }
    if used > 0 {
        sink(buf.get_mut(..used).ok_or(EncodingError::Corrupt("run"))?)?;
    }
    Ok(())
}

pub(crate) fn encode_bool(values: &[bool], out: &mut Vec<u8>) -> Codec {
    let (vals, lens) = runs(values);
    out.push(Codec::Rle as u8);
    out.push(u8::from(vals.first().copied().unwrap_or(false)));
    put_varint(out, vals.len() as u64);
    choose::encode_ints(&lens, out, false);
    Codec::Rle
}

pub(crate) fn decode_bool(r: &mut Reader<'_>, n: usize, out: &mut Vec<bool>) -> Result<(), EncodingError> {
    let mut v = match r.u8("first value")? {
        0 => false,
        1 => true,
        _ => return Err(EncodingError::Corrupt("boolean value")),
    };
    let runs = read_run_count(r, n)?;
    let lens = read_lengths(r, runs, n)?;
    out.reserve(n);
    for &len in &lens {
        out.extend(std::iter::repeat_n(v, len as usize));
        v = !v;
    }
    Ok(())
}
