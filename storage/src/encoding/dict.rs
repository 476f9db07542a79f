//! Block dictionary for byte strings: the distinct values once, then one code per value.
//!
//! Layout: `tag, entries: varint`, per entry `(len: varint, bytes)` in first-seen order, then a
//! nested integer block (own tag; usually run-length or FOR) of the `n` codes.
use std::collections::HashMap;

use super::io::{Reader, put_varint};
use super::{Codec, EncodingError, choose, decode_ints};

/// Distinct values in first-seen order and the code of every value.
pub(crate) fn build<'a>(values: &[&'a [u8]]) -> (Vec<&'a [u8]>, Vec<i64>) {
    let mut index: HashMap<&[u8], i64> = HashMap::new();
    let mut entries = Vec::new();
    let mut last: Option<(&[u8], i64)> = None;
    let codes = values
        .iter()
        .map(|&v| match last {
            Some((lv, code)) if lv == v => code,
            _ => {
                let code = *index.entry(v).or_insert_with(|| {
                    entries.push(v);
                    entries.len() as i64 - 1
                });
                last = Some((v, code));
                code
            }
        })
        .collect();
    (entries, codes)
}

pub(crate) fn encode_parts(entries: &[&[u8]], codes: &[i64], out: &mut Vec<u8>) -> Codec {
    out.push(Codec::Dict as u8);
    put_varint(out, entries.len() as u64);
    for e in entries {
        put_varint(out, e.len() as u64);
        out.extend_from_slice(e);
    }
    choose::encode_ints(codes, out, true);
    Codec::Dict
}

#[cfg(test)]
pub(crate) fn encode(values: &[&[u8]], out: &mut Vec<u8>) -> Codec {
    let (entries, codes) = build(values);
    encode_parts(&entries, &codes, out)
}

pub(crate) fn decode(
    r: &mut Reader<'_>,
    n: usize,
    dict: &mut Vec<Vec<u8>>,
    codes: &mut Vec<u32>,
) -> Result<(), EncodingError> {
    let d = r.count(n.min(r.remaining()), "dictionary size")?;
    if (d == 0) != (n == 0) {
        return Err(EncodingError::Corrupt("dictionary size"));
    }
    let first = dict.len();
    let limit = first.checked_add(d).and_then(|e| u32::try_from(e).ok());
    limit.ok_or(EncodingError::Corrupt("dictionary too large"))?;
    dict.reserve(d);
    for _ in 0..d {
        let len = r.count(r.remaining(), "entry length")?;
        dict.push(r.bytes(len, "entry bytes")?.to_vec());
    }
    let (first, d) = (first as u32, d as u64);
    codes.reserve(n);
    decode_ints(
        r,
        n,
        &mut |c: &mut [i64]| {
            if c.iter().any(|&x| x as u64 >= d) {
                return Err(EncodingError::Corrupt("dictionary code out of range"));
            }
            codes.extend(c.iter().map(|&x| first + x as u32));
            Ok(())
        },
        true,
    )
}
