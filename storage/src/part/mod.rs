//! Immutable part files: the rows of one table partition, series-major, in column blocks of at most
//! 8192 values cut at hour boundaries, with a block index row (statistics, codec, offset, length,
//! CRC32C) per block. Layout in `docs/format.md`.
mod cache;
mod format;
mod reader;
mod stats;
mod writer;

pub use format::{BLOCK_ROWS, BlockMeta, GROUP_HOUR_US};
pub use reader::{GroupMeta, Part};
pub use stats::{BlockStats, StatSum};
pub use writer::{EncodedSeries, PartWriter, SeriesEncoder};
