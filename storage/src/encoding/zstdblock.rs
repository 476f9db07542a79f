//! zstd (level 3) of the length-prefixed values, for byte strings without a useful dictionary.
//!
//! Layout: `tag, payload length: varint, zstd frame`, where the payload is
//! `n × (len: varint, bytes)`. To bound memory on hostile input, the payload may be at most
//! `max(256 × frame length, 1 MiB)`; the encoder falls back to raw beyond that ratio.
use std::cell::RefCell;

use zstd::bulk::{Compressor, Decompressor};

use super::io::{Reader, put_varint};
use super::{Codec, EncodingError, raw};

const LEVEL: i32 = 3;

// One zstd context per thread, reused from block to block (creating one per block costs more
// than compressing a small block).
thread_local! {
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

fn compress(payload: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            *slot = Some(Compressor::new(LEVEL).ok()?);
        }
        slot.as_mut()?.compress(payload).ok()
    })
}

fn decompress(frame: &[u8], capacity: usize) -> Option<Vec<u8>> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            *slot = Some(Decompressor::new().ok()?);
        }
        slot.as_mut()?.decompress(frame, capacity).ok()
    })
}

fn max_payload(frame_len: usize) -> usize {
    frame_len.saturating_mul(256).max(1 << 20)
}

/// Encodes; returns `false` (leaving `out` untouched) when zstd fails or the ratio is out of bounds.
pub(crate) fn encode(values: &[&[u8]], out: &mut Vec<u8>) -> bool {
    let mut payload = Vec::new();
    for v in values {
        put_varint(&mut payload, v.len() as u64);
        payload.extend_from_slice(v);
    }
    let Some(frame) = compress(&payload) else {
        return false;
    };
    if payload.len() > max_payload(frame.len()) {
        return false;
    }
    out.push(Codec::Zstd as u8);
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(&frame);
    true
}

pub(crate) fn decode(
    r: &mut Reader<'_>,
    n: usize,
    dict: &mut Vec<Vec<u8>>,
    codes: &mut Vec<u32>,
) -> Result<(), EncodingError> {
    let len = r.count(usize::MAX, "payload length")?;
    let frame = r.rest();
    if len > max_payload(frame.len()) || len < n {
        return Err(EncodingError::Corrupt("zstd payload length"));
    }
    let payload = decompress(frame, len).ok_or(EncodingError::Corrupt("zstd frame"))?;
    if payload.len() != len {
        return Err(EncodingError::Corrupt("zstd payload length"));
    }
    let mut pr = Reader::new(&payload);
    raw::decode_bytes(&mut pr, n, dict, codes)?;
    pr.finish()
}
