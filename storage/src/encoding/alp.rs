//! Decimal-aware ALP: doubles that are decimals become integers `n = v * 10^e`; decoding computes
//! `n as f64 / 10^e` (a correctly rounded division by an exact power of ten), and the encoder only
//! keeps values for which that gives back the very same bits. The rest (NaN, ±inf, -0.0, values
//! with more decimals than `e`, magnitudes from 2^52 on) are exceptions, stored by position.
//!
//! Layout: `tag, e: u8 (0..=22), exceptions: varint`, exception positions (the first as a varint,
//! each next one as `pos - previous - 1`: varint), `exceptions × u64 LE` raw bits, then a nested
//! integer block (own tag, any integer codec) of the `n` integers. Exception slots hold the
//! preceding integer so that they cost nothing in the nested block.
use super::io::{Reader, put_varint};
use super::{Codec, EncodingError, choose, decode_ints};

/// Highest exponent: 10^22 is the largest power of ten that is exact in f64.
pub(crate) const MAX_EXPONENT: usize = 22;
const POW10: [f64; MAX_EXPONENT + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];
/// Integers must stay below this magnitude so that `n as f64` is exact.
const LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52

/// `v` as a scaled integer at exponent `e`, if it decodes back bit for bit.
#[inline]
fn scale(v: f64, p: f64) -> Option<i64> {
    let x = (v * p).round();
    if x.abs() < LIMIT {
        let n = x as i64;
        if (n as f64 / p).to_bits() == v.to_bits() {
            return Some(n);
        }
    }
    None
}

/// Estimated cost in bits of exponent `e` over `sample`: exceptions plus the integers' range.
fn cost(sample: impl Iterator<Item = f64>, e: usize) -> (usize, usize) {
    let p = POW10.get(e).copied().unwrap_or(1.0);
    let (mut lo, mut hi, mut len, mut exc) = (i64::MAX, i64::MIN, 0usize, 0usize);
    for v in sample {
        len += 1;
        match scale(v, p) {
            Some(n) => (lo, hi) = (lo.min(n), hi.max(n)),
            None => exc += 1,
        }
    }
    let w = if lo > hi {
        0
    } else {
        super::bitpack::width(hi.wrapping_sub(lo) as u64) as usize
    };
    (exc * 80 + len * w, exc)
}

/// Picks the exponent for the values of `slices`, or `None` when most values are not decimals.
pub(crate) fn choose_exponent(slices: &[&[f64]]) -> Option<usize> {
    let total: usize = slices.iter().map(|s| s.len()).sum();
    if total == 0 {
        return Some(0);
    }
    // Stage 1: about 64 values spread over the sample; keep the two cheapest exponents.
    let stride = total.div_ceil(64);
    let small = || slices.iter().flat_map(|s| s.iter().copied()).step_by(stride);
    let small_len = small().count();
    let mut best = [(usize::MAX, 0usize); 2];
    for e in 0..=MAX_EXPONENT {
        let (c, exc) = cost(small(), e);
        if c < best[0].0 {
            best = [(c, e), best[0]];
        } else if c < best[1].0 {
            best[1] = (c, e);
        }
        if exc == 0 {
            break; // larger exponents only widen the integers
        }
    }
    let (c0, e0) = best[0];
    if c0 == usize::MAX || cost(small(), e0).1 * 2 > small_len {
        return None;
    }
    // Stage 2: the two candidates on the whole sample.
    let all = || slices.iter().flat_map(|s| s.iter().copied());
    let (c0, x0) = cost(all(), e0);
    if best[1].0 == usize::MAX {
        return (x0 * 2 <= total).then_some(e0);
    }
    let (c1, x1) = cost(all(), best[1].1);
    let (e, x) = if c1 < c0 { (best[1].1, x1) } else { (e0, x0) };
    (x * 2 <= total).then_some(e)
}

/// Encodes with exponent `e`; returns `false` (leaving `out` untouched) if more than half of the
/// values are exceptions.
pub(crate) fn encode(values: &[f64], e: usize, out: &mut Vec<u8>) -> bool {
    let p = POW10.get(e).copied().unwrap_or(1.0);
    let mut ints = Vec::with_capacity(values.len());
    let mut exc_pos: Vec<usize> = Vec::new();
    let mut prev: Option<i64> = None;
    for (i, &v) in values.iter().enumerate() {
        match scale(v, p) {
            Some(n) => {
                if prev.is_none() {
                    ints.iter_mut().for_each(|x| *x = n); // leading exceptions
                }
                prev = Some(n);
                ints.push(n);
            }
            None => {
                exc_pos.push(i);
                ints.push(prev.unwrap_or(0));
            }
        }
    }
    if exc_pos.len() * 2 > values.len() {
        return false;
    }
    out.push(Codec::Alp as u8);
    out.push(e as u8);
    put_varint(out, exc_pos.len() as u64);
    let mut last = None;
    for &i in &exc_pos {
        put_varint(out, last.map_or(i, |l: usize| i - l - 1) as u64);
        last = Some(i);
    }
    for &i in &exc_pos {
        let bits = values.get(i).map_or(0, |v| v.to_bits());
        out.extend_from_slice(&bits.to_le_bytes());
    }
    choose::encode_ints(&ints, out, true);
    true
}

pub(crate) fn decode(r: &mut Reader<'_>, n: usize, out: &mut Vec<f64>) -> Result<(), EncodingError> {
    let e = usize::from(r.u8("exponent")?);
    let p = *POW10.get(e).ok_or(EncodingError::Corrupt("ALP exponent"))?;
    let count = r.count(n.min(r.remaining() / 9), "exception count")?;
    let mut pos = Vec::with_capacity(count);
    let mut next = 0usize;
    for _ in 0..count {
        let at = next
            .checked_add(r.count(n, "exception position")?)
            .filter(|&a| a < n);
        let at = at.ok_or(EncodingError::Corrupt("exception position"))?;
        pos.push(at);
        next = at + 1;
    }
    let bits = r.bytes(count * 8, "exception values")?;
    let start = out.len();
    out.reserve(n);
    decode_ints(
        r,
        n,
        &mut |c: &mut [i64]| {
            out.extend(c.iter().map(|&x| x as f64 / p));
            Ok(())
        },
        true,
    )?;
    let (words, _) = bits.as_chunks::<8>();
    for (&at, w) in pos.iter().zip(words) {
        let slot = out
            .get_mut(start + at)
            .ok_or(EncodingError::Corrupt("exception position"))?;
        *slot = f64::from_bits(u64::from_le_bytes(*w));
    }
    Ok(())
}
