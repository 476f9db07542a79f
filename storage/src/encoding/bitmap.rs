//! Booleans as a bitmap: `tag`, then `ceil(n / 8)` bytes, value `i` in bit `i % 8` of byte `i / 8`.
use super::io::Reader;
use super::{Codec, EncodingError};

pub(crate) fn encode(values: &[bool], out: &mut Vec<u8>) -> Codec {
    out.push(Codec::Bitmap as u8);
    out.extend(values.chunks(8).map(|c| {
        c.iter()
            .enumerate()
            .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << i))
    }));
    Codec::Bitmap
}

pub(crate) fn decode(r: &mut Reader<'_>, n: usize, out: &mut Vec<bool>) -> Result<(), EncodingError> {
    let bytes = r.bytes(n.div_ceil(8), "bitmap")?;
    out.reserve(n);
    for (i, &b) in bytes.iter().enumerate() {
        let k = (n - 8 * i).min(8);
        out.extend((0..k).map(|j| (b >> j) & 1 != 0));
    }
    Ok(())
}
