//! WAL replay on open.
use std::path::Path;

use super::record::{HEADER_LEN, RecordKind, parse};
use super::{parse_segment_name, segment_path};
use crate::error::{Error, Result};
use crate::io::FileSystem;

/// A record read back from the log.
#[derive(Debug)]
pub struct ReplayedRecord<'a> {
    /// Kind.
    pub kind: RecordKind,
    /// Sequence number.
    pub seq: u64,
    /// Payload.
    pub payload: &'a [u8],
}

/// How far past a bad record replay looks for a valid later record (which proves corruption
/// rather than a torn tail).
const SEQ_LOOKAHEAD: u64 = 1 << 20;

/// Replays every record with `seq > after`, in order, through `apply`.
///
/// Returns the sequence number the next record should get. A bad record at the end of the last
/// segment (nothing valid after it) is a torn write: the segment is truncated there. A bad record
/// followed by valid records, or any bad record in a sealed segment, is an error naming the file
/// and offset. Errors from `apply` abort the replay.
pub fn replay(
    fs: &dyn FileSystem,
    dir: &Path,
    after: u64,
    mut apply: impl FnMut(ReplayedRecord<'_>) -> Result<()>,
) -> Result<u64> {
    let mut segments: Vec<u64> = fs
        .list(dir)
        .map_err(|e| Error::io(dir, e))?
        .iter()
        .filter_map(|n| parse_segment_name(n))
        .collect();
    segments.sort_unstable();
    let mut next_seq = after + 1;
    let mut expected: Option<u64> = None;
    for (i, &first) in segments.iter().enumerate() {
        let last_segment = i + 1 == segments.len();
        // A sealed segment entirely at or below the checkpoint is not needed.
        if let Some(&following) = segments.get(i + 1)
            && following <= after + 1
        {
            continue;
        }
        let path = segment_path(dir, first);
        let bytes = fs.read(&path).map_err(|e| Error::io(&path, e))?;
        let mut off = 0usize;
        let mut seq = expected.unwrap_or(first);
        while off < bytes.len() {
            let Some(rec) = parse(&bytes[off..]) else {
                if last_segment && !valid_record_follows(&bytes, off, seq) {
                    fs.truncate(&path, off as u64).map_err(|e| Error::io(&path, e))?;
                    break;
                }
                let detail = if last_segment {
                    "bad record followed by valid records"
                } else {
                    "bad record in a sealed segment"
                };
                return Err(Error::corrupt(&path, off as u64, "WAL record", detail));
            };
            if rec.seq != seq {
                return Err(Error::corrupt(
                    &path,
                    off as u64,
                    "WAL record",
                    format!("sequence {} where {} was expected", rec.seq, seq),
                ));
            }
            if rec.seq > after {
                apply(ReplayedRecord {
                    kind: rec.kind,
                    seq: rec.seq,
                    payload: rec.payload,
                })?;
            }
            off += rec.len;
            seq += 1;
        }
        expected = Some(seq);
        next_seq = next_seq.max(seq);
    }
    Ok(next_seq)
}

/// Whether a valid later record states that record `seq` (the bad one at `off`) had been fsynced:
/// then the bad bytes are damage to durable data, not a torn write.
fn valid_record_follows(bytes: &[u8], off: usize, seq: u64) -> bool {
    let mut pos = off + 1;
    while pos + HEADER_LEN <= bytes.len() {
        let s = u64::from_le_bytes(bytes[pos + 9..pos + 17].try_into().unwrap_or([0; 8]));
        if s > seq
            && s <= seq + SEQ_LOOKAHEAD
            && let Some(rec) = parse(&bytes[pos..])
            && rec.durable >= seq
        {
            return true;
        }
        pos += 1;
    }
    false
}
