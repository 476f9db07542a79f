//! plantdb storage engine: a durable, compact, columnar store for time series.
//!
//! **Model.** A table has columns with a physical type ([`PhysicalType`]) and a role
//! ([`ColumnRole`]): at most one *time* column, *tag* columns whose distinct combinations are
//! *series* (dense `u32` ids, [`SeriesIndex`]), and *field* columns. A table without a time
//! column is a dimension table: its rows get an implicit, increasing row id instead.
//!
//! **Write path** ([`Engine::append`]): validate the batch → map tag values to series ids →
//! sort rows by (series, ts) into a [`Chunk`] → frame it into the WAL ([`wal`]), where one writer
//! thread group-commits every waiting batch with a single fdatasync → on commit the chunk joins
//! the memtable and becomes visible. A full memtable is frozen and a flush thread writes one
//! immutable part per (table, partition) ([`part`]): series-major row groups of at most 8192 rows
//! cut at hour boundaries, one encoded block per column ([`encoding`]) with an index row of
//! statistics and a CRC32C. Parts become visible through the manifest ([`manifest`]), whose edit
//! also advances the WAL checkpoint. Compaction merges the parts of a partition, retention drops
//! old partitions, deletes rewrite the partitions they touch.
//!
//! **Read path** ([`Engine::snapshot`]): a [`TableSnapshot`] holds the memtable chunks, the
//! parts and the series index at one moment. [`TableSnapshot::pieces`] prunes by time and series
//! and yields per-series pieces that a query answers from [`BlockStats`] or decodes with
//! [`TableSnapshot::read`]; [`TableSnapshot::last_rows`] gives each series' last row. Small parts
//! (dimension tables) keep their decoded blocks in memory, within a global budget.
//!
//! **Recovery.** Open replays the WAL past the manifest's checkpoint. A torn tail is cut off; a
//! damaged record that had been fsynced, or any bad record in a sealed segment, is an error
//! naming the file and offset. A part failing its checks makes scans that touch it fail with a
//! precise error; other tables stay readable. A failed write or fsync poisons the engine, which
//! then refuses writes until it is reopened. All file access goes through [`io::FileSystem`].
//!
//! The only `unsafe` is in the `mmap` module. Byte layouts are in `docs/format.md`.
pub mod chunk;
pub mod column;
pub mod encoding;
mod engine;
pub mod error;
pub mod io;
pub mod manifest;
mod mmap;
pub mod part;
pub mod schema;
pub mod series;
pub mod snapshot;
pub mod wal;
pub mod walcodec;

pub use chunk::{Chunk, WriteBatch};
pub use column::{Column, ColumnVec, DictBuilder, DictVec, PhysicalType, Scalar};
pub use engine::{BulkLoad, DeleteFilter, Engine, EngineOptions, EngineStats};
pub use error::{Error, Result};
pub use part::{BlockStats, StatSum};
pub use schema::{ColumnDef, ColumnRole, DAY_US, DedupPolicy, Fill, TableOptions, TableSchema};
pub use series::SeriesIndex;
pub use snapshot::{LastRow, Piece, PieceData, ScanSpec, TableSnapshot};
pub use wal::Durability;
