//! WAL record framing.
//!
//! ```text
//! offset size field
//! 0      4    crc32c of bytes 4..25+len (header after the crc, then payload)
//! 4      4    len: payload length
//! 8      1    kind
//! 9      8    seq: sequence number
//! 17     8    durable: every record with a sequence number <= this was fsynced before this
//!             record was written (lets replay tell a torn unsynced tail from damaged synced data)
//! 25     len  payload
//! ```

/// Bytes before the payload.
pub const HEADER_LEN: usize = 25;

/// Largest payload accepted when reading (a larger length field is corruption).
pub const MAX_PAYLOAD: usize = 1 << 30;

/// What a record carries.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A batch of rows for one table.
    Write = 1,
}

impl RecordKind {
    pub(crate) fn from_u8(b: u8) -> Option<RecordKind> {
        match b {
            1 => Some(RecordKind::Write),
            _ => None,
        }
    }
}

/// Appends one framed record to `out`.
pub(crate) fn frame(out: &mut Vec<u8>, kind: RecordKind, seq: u64, durable: u64, payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.push(kind as u8);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&durable.to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32c::crc32c(&out[start + 4..]);
    out[start..start + 4].copy_from_slice(&crc.to_le_bytes());
}

/// A record parsed from bytes.
pub(crate) struct Parsed<'a> {
    pub kind: RecordKind,
    pub seq: u64,
    pub durable: u64,
    pub payload: &'a [u8],
    /// Total framed length.
    pub len: usize,
}

/// Parses the record at the start of `buf`; `None` if it is short, malformed or fails its CRC.
pub(crate) fn parse(buf: &[u8]) -> Option<Parsed<'_>> {
    let header = buf.get(..HEADER_LEN)?;
    let crc = u32::from_le_bytes(header[0..4].try_into().ok()?);
    let len = u32::from_le_bytes(header[4..8].try_into().ok()?) as usize;
    if len > MAX_PAYLOAD {
        return None;
    }
    let kind = RecordKind::from_u8(header[8])?;
    let seq = u64::from_le_bytes(header[9..17].try_into().ok()?);
    let durable = u64::from_le_bytes(header[17..25].try_into().ok()?);
    let body = buf.get(4..HEADER_LEN + len)?;
    if crc32c::crc32c(body) != crc {
        return None;
    }
    Some(Parsed {
        kind,
        seq,
        durable,
        payload: &buf[HEADER_LEN..HEADER_LEN + len],
        len: HEADER_LEN + len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_then_parse() {
        let mut buf = Vec::new();
        frame(&mut buf, RecordKind::Write, 42, 40, b"hello");
        assert_eq!(buf.len(), HEADER_LEN + 5);
        let p = parse(&buf).unwrap();
        assert_eq!(
            (p.kind, p.seq, p.durable, p.payload, p.len),
            (RecordKind::Write, 42, 40, &b"hello"[..], 30)
        );
    }

    #[test]
    fn any_flipped_bit_is_rejected() {
        let mut buf = Vec::new();
        frame(&mut buf, RecordKind::Write, 7, 6, b"payload bytes");
        for bit in 0..buf.len() * 8 {
            let mut b = buf.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(parse(&b).is_none(), "bit {bit}");
        }
    }

    #[test]
    fn every_truncation_is_rejected() {
        let mut buf = Vec::new();
        frame(&mut buf, RecordKind::Write, 1, 0, b"abcdef");
        for n in 0..buf.len() {
            assert!(parse(&buf[..n]).is_none());
        }
    }
}
