//! Write-ahead log: CRC32C-framed records in numbered segment files, one writer thread with group
//! commit, and replay that cuts a torn tail but refuses a damaged sealed segment.
//!
//! Segments are named `<first seq, 20 digits>.wal`; record sequence numbers increase by one from
//! record to record across segments, which lets replay tell a torn tail (nothing valid follows)
//! from corruption (a valid record follows the bad one).
mod record;
mod replay;
mod writer;

pub use record::{HEADER_LEN, RecordKind};
pub use replay::{ReplayedRecord, replay};
pub use writer::{Durability, SEGMENT_BYTES, WalWriter};

use std::path::{Path, PathBuf};

/// Segment file name for a segment whose first record has sequence number `first_seq`.
pub fn segment_name(first_seq: u64) -> String {
    format!("{first_seq:020}.wal")
}

/// Parses a segment file name back into its first sequence number.
pub fn parse_segment_name(name: &str) -> Option<u64> {
    name.strip_suffix(".wal")?.parse().ok()
}

/// Path of a segment.
pub fn segment_path(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(segment_name(first_seq))
}
