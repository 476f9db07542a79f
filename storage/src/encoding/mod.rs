//! Block encodings: one encoder/decoder pair per codec, and the sampled choice between them.
//!
//! Every encoded block starts with a one-byte [`Codec`] tag, so a block decodes without outside
//! knowledge of how it was written (the value count `n` is kept by the caller, e.g. in the block
//! index). Decoders never trust their input: a corrupt or truncated block yields an
//! [`EncodingError`], never a panic or an out-of-bounds read. A block must be passed exactly:
//! trailing bytes are an error.
//!
//! Value kinds and their candidates (the chooser tries them on a sample and keeps the smallest):
//! - timestamps: regular (t0, step) with exceptions, else the integer codecs;
//! - f64: decimal-aware ALP (scaled integers + exceptions, integers through the integer codecs),
//!   constant, else raw;
//! - i64: constant, frame-of-reference (FOR) or delta + FOR bit-packing in miniblocks,
//!   run-length, raw;
//! - bool: bitmap or run-length;
//! - strings / bytes: block dictionary + codes (codes through the integer codecs), else zstd, else raw.
//!
//! Tags are shared between kinds when the idea is the same (`Raw`, `Constant`, `Rle`); the layout
//! then depends on the column kind, which the reader knows. Module docs give each layout.

mod alp;
mod bitmap;
mod bitpack;
mod choose;
mod constant;
mod delta;
mod dict;
mod error;
mod io;
mod raw;
mod rle;
mod timestamps;
mod zstdblock;

#[cfg(test)]
mod tests;

pub use error::EncodingError;
use io::Reader;

/// Identifies the codec of an encoded block; stored as the first byte of the block.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Codec {
    /// Plain little-endian values.
    Raw = 0,
    /// One value repeated.
    Constant = 1,
    /// Frame-of-reference bit-packing in miniblocks of 128 values.
    For = 2,
    /// Deltas, then frame-of-reference bit-packing.
    DeltaFor = 3,
    /// Run-length: run values and run lengths (integers) or alternating runs (bool).
    Rle = 4,
    /// Regular timestamps: `(t0, step)` plus exceptions.
    Regular = 5,
    /// Decimal floats as scaled integers plus exceptions.
    Alp = 6,
    /// Booleans, one bit each.
    Bitmap = 7,
    /// Block dictionary of byte strings plus integer codes.
    Dict = 8,
    /// zstd of the length-prefixed byte strings.
    Zstd = 9,
}

impl Codec {
    /// Decodes the tag byte.
    pub fn from_u8(tag: u8) -> Result<Codec, EncodingError> {
        Ok(match tag {
            0 => Codec::Raw,
            1 => Codec::Constant,
            2 => Codec::For,
            3 => Codec::DeltaFor,
            4 => Codec::Rle,
            5 => Codec::Regular,
            6 => Codec::Alp,
            7 => Codec::Bitmap,
            8 => Codec::Dict,
            9 => Codec::Zstd,
            other => return Err(EncodingError::UnknownCodec(other)),
        })
    }

    /// Short name for EXPLAIN and statistics.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Raw => "raw",
            Codec::Constant => "constant",
            Codec::For => "for",
            Codec::DeltaFor => "delta-for",
            Codec::Rle => "rle",
            Codec::Regular => "regular",
            Codec::Alp => "alp",
            Codec::Bitmap => "bitmap",
            Codec::Dict => "dict",
            Codec::Zstd => "zstd",
        }
    }
}

const WRONG_KIND: EncodingError = EncodingError::Corrupt("codec not valid for this column type");

/// Reads the tag of a block of `what`.
fn read_tag(r: &mut Reader<'_>) -> Result<Codec, EncodingError> {
    Codec::from_u8(r.u8("missing codec tag")?)
}

/// Decodes an integer block (tag included) of `n` values, handing them to `sink` in chunks of at
/// most 128. Nested blocks pass `allow_rle = false` inside a run-length block, which bounds the
/// nesting depth.
pub(crate) fn decode_ints<F>(
    r: &mut Reader<'_>,
    n: usize,
    sink: &mut F,
    allow_rle: bool,
) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    match read_tag(r)? {
        Codec::Raw => raw::decode_i64(r, n, sink),
        Codec::Constant => constant::decode_i64(r, n, sink),
        Codec::For => bitpack::decode_body(r, n, sink),
        Codec::DeltaFor => delta::decode(r, n, sink),
        Codec::Rle if allow_rle => rle::decode_i64(r, n, sink),
        Codec::Regular => timestamps::decode(r, n, sink),
        _ => Err(WRONG_KIND),
    }
}

/// [`decode_ints`] into a new vector (non-generic, so that nesting does not recurse in types).
pub(crate) fn decode_ints_vec(
    r: &mut Reader<'_>,
    n: usize,
    allow_rle: bool,
) -> Result<Vec<i64>, EncodingError> {
    let mut v = Vec::with_capacity(n);
    decode_ints(
        r,
        n,
        &mut |c: &mut [i64]| {
            v.extend_from_slice(c);
            Ok(())
        },
        allow_rle,
    )?;
    Ok(v)
}

/// Runs a whole-block decoder, requires it to consume the block, and undoes partial output on error.
fn whole_block<T>(
    input: &[u8],
    out: &mut Vec<T>,
    f: impl FnOnce(&mut Reader<'_>, &mut Vec<T>) -> Result<(), EncodingError>,
) -> Result<(), EncodingError> {
    let start = out.len();
    let mut r = Reader::new(input);
    let res = f(&mut r, out).and_then(|()| r.finish());
    if res.is_err() {
        out.truncate(start);
    }
    res
}

fn decode_i64_block(input: &[u8], n: usize, out: &mut Vec<i64>) -> Result<(), EncodingError> {
    whole_block(input, out, |r, out| {
        out.reserve(n);
        decode_ints(
            r,
            n,
            &mut |c: &mut [i64]| {
                out.extend_from_slice(c);
                Ok(())
            },
            true,
        )
    })
}

/// Encodes timestamps (any order; ascending is the fast case). Returns the chosen codec.
pub fn encode_timestamps(values: &[i64], out: &mut Vec<u8>) -> Codec {
    choose::encode_timestamps(values, out)
}

/// Decodes `n` timestamps, appending them to `out`.
pub fn decode_timestamps(input: &[u8], n: usize, out: &mut Vec<i64>) -> Result<(), EncodingError> {
    decode_i64_block(input, n, out)
}

/// Encodes 64-bit integers (counters, ids, integer sensor values).
pub fn encode_i64(values: &[i64], out: &mut Vec<u8>) -> Codec {
    choose::encode_ints(values, out, true)
}

/// Decodes `n` integers, appending them to `out`.
pub fn decode_i64(input: &[u8], n: usize, out: &mut Vec<i64>) -> Result<(), EncodingError> {
    decode_i64_block(input, n, out)
}

/// Encodes doubles; every value, including NaN payloads, infinities and -0.0, round-trips bit for bit.
pub fn encode_f64(values: &[f64], out: &mut Vec<u8>) -> Codec {
    choose::encode_f64(values, out)
}

/// Decodes `n` doubles, appending them to `out`.
pub fn decode_f64(input: &[u8], n: usize, out: &mut Vec<f64>) -> Result<(), EncodingError> {
    whole_block(input, out, |r, out| match read_tag(r)? {
        Codec::Raw => raw::decode_f64(r, n, out),
        Codec::Constant => constant::decode_f64(r, n, out),
        Codec::Alp => alp::decode(r, n, out),
        _ => Err(WRONG_KIND),
    })
}

/// Encodes booleans.
pub fn encode_bool(values: &[bool], out: &mut Vec<u8>) -> Codec {
    choose::encode_bool(values, out)
}

/// Decodes `n` booleans, appending them to `out`.
pub fn decode_bool(input: &[u8], n: usize, out: &mut Vec<bool>) -> Result<(), EncodingError> {
    whole_block(input, out, |r, out| match read_tag(r)? {
        Codec::Bitmap => bitmap::decode(r, n, out),
        Codec::Rle => rle::decode_bool(r, n, out),
        _ => Err(WRONG_KIND),
    })
}

/// Encodes byte strings (UTF-8 text or bytea).
pub fn encode_bytes(values: &[&[u8]], out: &mut Vec<u8>) -> Codec {
    choose::encode_bytes(values, out)
}

/// Decodes `n` byte strings as a dictionary plus one code per value (`codes[i]` indexes `dict`).
/// A codec without a dictionary returns every value in `dict` and codes `0..n`.
/// Entries are appended to `dict` and codes index the whole vector, so a non-empty `dict` on entry
/// shifts the new codes by its length.
pub fn decode_bytes(
    input: &[u8],
    n: usize,
    dict: &mut Vec<Vec<u8>>,
    codes: &mut Vec<u32>,
) -> Result<(), EncodingError> {
    let dict_start = dict.len();
    let res = whole_block(input, codes, |r, codes| match read_tag(r)? {
        Codec::Raw => raw::decode_bytes(r, n, dict, codes),
        Codec::Dict => dict::decode(r, n, dict, codes),
        Codec::Zstd => zstdblock::decode(r, n, dict, codes),
        _ => Err(WRONG_KIND),
    });
    if res.is_err() {
        dict.truncate(dict_start);
    }
    res
}
