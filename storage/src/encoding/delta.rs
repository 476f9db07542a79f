//! Delta + FOR-miniblock: for counters and other slowly moving integers.
//!
//! Layout: `tag, first: zigzag varint`, then the FOR-miniblock body (see `bitpack`) of the
//! `max(n - 1, 0)` wrapping differences `v[i] - v[i-1]`. The per-miniblock reference (the minimum
//! delta) makes zigzag unnecessary: negative deltas cost no more than positive ones.
use super::bitpack;
use super::io::{Reader, put_zigzag};
use super::{Codec, EncodingError};

fn deltas(values: &[i64]) -> Vec<i64> {
    values.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect()
}

pub(crate) fn encode(values: &[i64], out: &mut Vec<u8>) -> Codec {
    out.push(Codec::DeltaFor as u8);
    put_zigzag(out, values.first().copied().unwrap_or(0));
    bitpack::encode_body(&deltas(values), out);
    Codec::DeltaFor
}

/// Estimated encoded size.
pub(crate) fn estimate(values: &[i64]) -> usize {
    3 + bitpack::estimate_body(&deltas(values))
}

pub(crate) fn decode<F>(r: &mut Reader<'_>, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let first = r.zigzag("first value")?;
    if n == 0 {
        return bitpack::decode_body(r, 0, sink);
    }
    let mut head = [first];
    sink(&mut head)?;
    let mut acc = first;
    bitpack::decode_body(r, n - 1, &mut |chunk: &mut [i64]| {
        for x in chunk.iter_mut() {
            acc = acc.wrapping_add(*x);
            *x = acc;
        }
        sink(chunk)
    })
}
