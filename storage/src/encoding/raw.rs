//! Plain little-endian values: the fallback every other codec must beat.
//!
//! - i64 / timestamps: `tag, n × i64 LE`.
//! - f64: `tag, n × u64 LE` (the IEEE bits).
//! - bytes: `tag, n × (len: varint, bytes)`.
use super::bitpack::MINIBLOCK;
use super::io::{Reader, put_varint};
use super::{Codec, EncodingError};

pub(crate) fn encode_i64(values: &[i64], out: &mut Vec<u8>) -> Codec {
    out.reserve(1 + 8 * values.len());
    out.push(Codec::Raw as u8);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Codec::Raw
}

pub(crate) fn decode_i64<F>(r: &mut Reader<'_>, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let bytes = r.bytes(
        n.checked_mul(8).ok_or(EncodingError::Corrupt("count"))?,
        "raw values",
    )?;
    let mut buf = [0i64; MINIBLOCK];
    for chunk in bytes.chunks(8 * MINIBLOCK) {
        let (words, _) = chunk.as_chunks::<8>();
        for (d, w) in buf.iter_mut().zip(words) {
            *d = i64::from_le_bytes(*w);
        }
        sink(
            buf.get_mut(..words.len())
                .ok_or(EncodingError::Corrupt("raw chunk"))?,
        )?;
    }
    Ok(())
}

pub(crate) fn encode_f64(values: &[f64], out: &mut Vec<u8>) -> Codec {
    out.reserve(1 + 8 * values.len());
    out.push(Codec::Raw as u8);
    for v in values {
        out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    Codec::Raw
}

pub(crate) fn decode_f64(r: &mut Reader<'_>, n: usize, out: &mut Vec<f64>) -> Result<(), EncodingError> {
    let bytes = r.bytes(
        n.checked_mul(8).ok_or(EncodingError::Corrupt("count"))?,
        "raw values",
    )?;
    let (words, _) = bytes.as_chunks::<8>();
    out.extend(words.iter().map(|w| f64::from_bits(u64::from_le_bytes(*w))));
    Ok(())
}

pub(crate) fn encode_bytes(values: &[&[u8]], out: &mut Vec<u8>) -> Codec {
    out.push(Codec::Raw as u8);
    for v in values {
        put_varint(out, v.len() as u64);
        out.extend_from_slice(v);
    }
    Codec::Raw
}

/// Reads `n` length-prefixed values; every value becomes its own dictionary entry.
pub(crate) fn decode_bytes(
    r: &mut Reader<'_>,
    n: usize,
    dict: &mut Vec<Vec<u8>>,
    codes: &mut Vec<u32>,
) -> Result<(), EncodingError> {
    // Every value needs at least its one-byte length.
    if n > r.remaining() {
        return Err(EncodingError::Truncated("raw values"));
    }
    let first = u32::try_from(dict.len()).map_err(|_| EncodingError::Corrupt("dictionary too large"))?;
    let end = u32::try_from(n).ok().and_then(|n| first.checked_add(n));
    let end = end.ok_or(EncodingError::Corrupt("dictionary too large"))?;
    dict.reserve(n);
    for _ in 0..n {
        let len = r.count(r.remaining(), "value length")?;
        dict.push(r.bytes(len, "value bytes")?.to_vec());
    }
    codes.extend(first..end);
    Ok(())
}
