//! The sampled choice between codecs (BtrBlocks-style): estimate every candidate on a sample of
//! the block (up to 8 evenly spaced slices of 128 values, 1024 in all), then encode with the winner, fully
//! encoding the runner-up too when its estimate is close.
use super::bitpack;
use super::{Codec, alp, bitmap, constant, delta, dict, raw, rle, timestamps, zstdblock};

const SLICES: usize = 8;
const SLICE: usize = 128;

/// The whole block when small, else `SLICES` evenly spaced slices of `SLICE` values.
pub(crate) fn sample<T>(values: &[T]) -> Vec<&[T]> {
    let n = values.len();
    if n <= SLICES * SLICE {
        return vec![values];
    }
    (0..SLICES)
        .filter_map(|i| {
            let start = i * (n - SLICE) / (SLICES - 1);
            values.get(start..start + SLICE)
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IntCandidate {
    For,
    DeltaFor,
    Rle,
    Raw,
}

fn encode_int_candidate(c: IntCandidate, values: &[i64], out: &mut Vec<u8>) -> Codec {
    match c {
        IntCandidate::For => bitpack::encode(values, out),
        IntCandidate::DeltaFor => delta::encode(values, out),
        IntCandidate::Rle => rle::encode_i64(values, out),
        IntCandidate::Raw => raw::encode_i64(values, out),
    }
}

/// Keeps the smaller of what `out[start..]` holds and what `alt` encodes.
fn keep_smaller(
    out: &mut Vec<u8>,
    start: usize,
    first: Codec,
    alt: impl FnOnce(&mut Vec<u8>) -> Codec,
) -> Codec {
    let mut scratch = Vec::with_capacity(out.len() - start);
    let second = alt(&mut scratch);
    if scratch.len() < out.len() - start {
        out.truncate(start);
        out.extend_from_slice(&scratch);
        second
    } else {
        first
    }
}

/// Chooses and applies an integer codec. `allow_rle` is false for blocks nested in a run-length block.
pub(crate) fn encode_ints(values: &[i64], out: &mut Vec<u8>, allow_rle: bool) -> Codec {
    let n = values.len();
    let Some(&first) = values.first() else {
        return raw::encode_i64(values, out);
    };
    if values.iter().all(|&v| v == first) {
        return constant::encode_i64(first, out);
    }
    let slices = sample(values);
    let slen: usize = slices.iter().map(|s| s.len()).sum();
    let scale = |est: usize| est.saturating_mul(n) / slen.max(1);
    let mut cands = vec![
        (
            scale(slices.iter().map(|s| bitpack::estimate_body(s)).sum::<usize>() + 1),
            IntCandidate::For,
        ),
        (
            scale(slices.iter().map(|s| delta::estimate(s)).sum()),
            IntCandidate::DeltaFor,
        ),
        (8 * n + 1, IntCandidate::Raw),
    ];
    if allow_rle {
        let runs: usize = slices.iter().map(|s| rle::count_runs(s)).sum();
        if runs * 3 <= slen {
            let (mut vals, mut lens) = (Vec::new(), Vec::new());
            for s in &slices {
                let (v, l) = rle::runs(s);
                vals.extend(v);
                lens.extend(l);
            }
            let v = bitpack::estimate_body(&vals).min(delta::estimate(&vals));
            cands.push((scale(v + bitpack::estimate_body(&lens) + 4), IntCandidate::Rle));
        }
    }
    cands.sort_by_key(|c| c.0);
    let (best, next) = (cands[0], cands[1]);
    let start = out.len();
    let codec = encode_int_candidate(best.1, values, out);
    if next.1 != IntCandidate::Raw && next.0 <= best.0 + best.0 / 4 + 16 {
        return keep_smaller(out, start, codec, |o| encode_int_candidate(next.1, values, o));
    }
    codec
}

pub(crate) fn encode_timestamps(values: &[i64], out: &mut Vec<u8>) -> Codec {
    let n = values.len();
    if n < 2 {
        return encode_ints(values, out, true);
    }
    let step = timestamps::detect_step(&sample(values));
    let start = out.len();
    if timestamps::encode(values, step, n / 4, out) {
        if out.len() - start <= 32 {
            return Codec::Regular;
        }
        return keep_smaller(out, start, Codec::Regular, |o| encode_ints(values, o, true));
    }
    encode_ints(values, out, true)
}

pub(crate) fn encode_f64(values: &[f64], out: &mut Vec<u8>) -> Codec {
    let Some(first) = values.first() else {
        return raw::encode_f64(values, out);
    };
    if values.iter().all(|v| v.to_bits() == first.to_bits()) {
        return constant::encode_f64(*first, out);
    }
    if let Some(e) = alp::choose_exponent(&sample(values)) {
        let start = out.len();
        if alp::encode(values, e, out) {
            if out.len() - start <= 8 * values.len() {
                return Codec::Alp;
            }
            out.truncate(start);
        }
    }
    raw::encode_f64(values, out)
}

pub(crate) fn encode_bool(values: &[bool], out: &mut Vec<u8>) -> Codec {
    let n = values.len();
    if rle::count_runs(values) * 8 <= n {
        let start = out.len();
        rle::encode_bool(values, out);
        if out.len() - start <= n.div_ceil(8) + 1 {
            return Codec::Rle;
        }
        out.truncate(start);
    }
    bitmap::encode(values, out)
}

pub(crate) fn encode_bytes(values: &[&[u8]], out: &mut Vec<u8>) -> Codec {
    let n = values.len();
    if n == 0 {
        return raw::encode_bytes(values, out);
    }
    let raw_size: usize = values
        .iter()
        .map(|v| v.len() + super::io::varint_len(v.len() as u64))
        .sum();
    // Below this size zstd's frame overhead eats any gain (and small WAL pieces stay cheap).
    let try_zstd = raw_size >= 64;
    let (entries, codes) = dict::build(values);
    let start = out.len();
    if entries.len() * 2 <= n {
        dict::encode_parts(&entries, &codes, out);
        let dict_size = out.len() - start;
        if dict_size * 2 <= raw_size || !try_zstd {
            if dict_size <= raw_size + 1 {
                return Codec::Dict;
            }
            out.truncate(start);
            return raw::encode_bytes(values, out);
        }
        let mut scratch = Vec::new();
        if zstdblock::encode(values, &mut scratch) && scratch.len() < dict_size {
            out.truncate(start);
            out.extend_from_slice(&scratch);
            return Codec::Zstd;
        }
        return Codec::Dict;
    }
    if try_zstd && zstdblock::encode(values, out) {
        if out.len() - start <= raw_size {
            return Codec::Zstd;
        }
        out.truncate(start);
    }
    raw::encode_bytes(values, out)
}
