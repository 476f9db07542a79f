//! One value repeated `n` times.
//!
//! - i64 / timestamps: `tag, value: zigzag varint`.
//! - f64: `tag, bits: u64 LE`.
use super::bitpack::MINIBLOCK;
use super::io::{Reader, put_zigzag};
use super::{Codec, EncodingError};

pub(crate) fn encode_i64(value: i64, out: &mut Vec<u8>) -> Codec {
    out.push(Codec::Constant as u8);
    put_zigzag(out, value);
    Codec::Constant
}

pub(crate) fn decode_i64<F>(r: &mut Reader<'_>, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let v = r.zigzag("constant value")?;
    fill(v, n, sink)
}

/// Hands `n` copies of `v` to `sink` in miniblock-sized chunks.
pub(crate) fn fill<F>(v: i64, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let mut buf = [v; MINIBLOCK];
    let mut left = n;
    while left > 0 {
        let len = left.min(MINIBLOCK);
        buf.fill(v);
        sink(
            buf.get_mut(..len)
                .ok_or(EncodingError::Corrupt("constant chunk"))?,
        )?;
        left -= len;
    }
    Ok(())
}

pub(crate) fn encode_f64(value: f64, out: &mut Vec<u8>) -> Codec {
    out.push(Codec::Constant as u8);
    out.extend_from_slice(&value.to_bits().to_le_bytes());
    Codec::Constant
}

pub(crate) fn decode_f64(r: &mut Reader<'_>, n: usize, out: &mut Vec<f64>) -> Result<(), EncodingError> {
    let v = f64::from_bits(r.u64_le("constant value")?);
    out.extend(std::iter::repeat_n(v, n));
    Ok(())
}
