//! Byte layout of part files.
//!
//! ```text
//! header   8  magic "PLDBPART"
//!          4  format version (1)
//!          4  reserved
//! blocks   ... one per (row group, stored column); each: u32 values_len, values, validity (rest)
//! index    n × 112-byte block index rows (below), then k × u16 stored column ids
//! footer   8  index offset
//!          8  index length (rows + column ids)
//!          4  CRC32C of the index
//!          4  k: stored columns per row group (the time column first)
//!          8  magic "PLDBPEND"
//! ```
//!
//! Block index row (little-endian):
//! ```text
//!  0 u32 series      4 u16 column     6 u8 codec      7 u8 flags
//!  8 i64 min_ts     16 i64 max_ts    24 u32 count    28 u32 null_count
//! 32 u64 min        40 u64 max       48 [16] sum      64 f64 m2
//! 72 u64 first      80 u64 last      88 u64 offset    96 u32 length   100 u32 crc32c
//! 104 [8] reserved
//! ```
//! min/max/first/last hold the value's bits (i64, f64 bits, 0/1); sum is an i128 for integers and
//! booleans (count of true) or an f64 in the first 8 bytes for doubles; m2 is the sum of squared
//! deviations from the block mean. Text blocks carry no value statistics.

/// Rows per block at most.
pub const BLOCK_ROWS: usize = 8192;
/// Blocks are cut where the timestamp crosses a multiple of this (one hour).
pub const GROUP_HOUR_US: i64 = 3_600_000_000;

pub(crate) const MAGIC: &[u8; 8] = b"PLDBPART";
pub(crate) const END_MAGIC: &[u8; 8] = b"PLDBPEND";
pub(crate) const VERSION: u32 = 1;
pub(crate) const HEADER_LEN: usize = 16;
pub(crate) const FOOTER_LEN: usize = 32;
pub(crate) const ROW_LEN: usize = 112;

/// Flag: the value at the first row is NULL.
pub(crate) const F_FIRST_NULL: u8 = 1;
/// Flag: the value at the last row is NULL.
pub(crate) const F_LAST_NULL: u8 = 2;
/// Flag: the block has a validity section.
pub(crate) const F_VALIDITY: u8 = 4;
/// Flag: every value is NULL (no value section).
pub(crate) const F_ALL_NULL: u8 = 8;
/// Flag: min/max/sum/m2 are meaningful.
pub(crate) const F_STATS: u8 = 16;

/// One row of the block index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockMeta {
    /// Series id.
    pub series: u32,
    /// Schema column index.
    pub column: u16,
    /// Codec tag of the value section.
    pub codec: u8,
    /// Flags (`F_*`).
    pub flags: u8,
    /// Smallest timestamp of the row group.
    pub min_ts: i64,
    /// Largest timestamp of the row group.
    pub max_ts: i64,
    /// Rows.
    pub count: u32,
    /// NULLs.
    pub null_count: u32,
    /// Minimum (bits).
    pub min: u64,
    /// Maximum (bits).
    pub max: u64,
    /// Sum (i128 or f64 bits in the low 8 bytes).
    pub sum: [u8; 16],
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Value at the first row (bits).
    pub first: u64,
    /// Value at the last row (bits).
    pub last: u64,
    /// Offset of the block in the file.
    pub offset: u64,
    /// Length of the block.
    pub length: u32,
    /// CRC32C of the block bytes.
    pub crc: u32,
}

impl BlockMeta {
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.series.to_le_bytes());
        out.extend_from_slice(&self.column.to_le_bytes());
        out.push(self.codec);
        out.push(self.flags);
        out.extend_from_slice(&self.min_ts.to_le_bytes());
        out.extend_from_slice(&self.max_ts.to_le_bytes());
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.null_count.to_le_bytes());
        out.extend_from_slice(&self.min.to_le_bytes());
        out.extend_from_slice(&self.max.to_le_bytes());
        out.extend_from_slice(&self.sum);
        out.extend_from_slice(&self.m2.to_le_bytes());
        out.extend_from_slice(&self.first.to_le_bytes());
        out.extend_from_slice(&self.last.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.length.to_le_bytes());
        out.extend_from_slice(&self.crc.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
    }

    pub(crate) fn read(b: &[u8]) -> Option<BlockMeta> {
        let b = b.get(..ROW_LEN)?;
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let u64_at = |o: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[o..o + 8]);
            u64::from_le_bytes(a)
        };
        let mut sum = [0u8; 16];
        sum.copy_from_slice(&b[48..64]);
        Some(BlockMeta {
            series: u32_at(0),
            column: u16::from_le_bytes([b[4], b[5]]),
            codec: b[6],
            flags: b[7],
            min_ts: u64_at(8) as i64,
            max_ts: u64_at(16) as i64,
            count: u32_at(24),
            null_count: u32_at(28),
            min: u64_at(32),
            max: u64_at(40),
            sum,
            m2: f64::from_bits(u64_at(64)),
            first: u64_at(72),
            last: u64_at(80),
            offset: u64_at(88),
            length: u32_at(96),
            crc: u32_at(100),
        })
    }
}
