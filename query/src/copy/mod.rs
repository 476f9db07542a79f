//! COPY: streaming text/CSV parsing into typed columns (COPY FROM) and formatting of rows
//! (COPY TO). Plain runs of rows take the block path (`block.rs`: structure found for a whole
//! block, then one conversion loop per column); anything else, and every error, goes row by row
//! (`reader.rs`), which names the line and column as PostgreSQL's CONTEXT does. `column.rs`
//! holds the typed builders both paths fill.
mod block;
mod column;
mod numbers;
mod reader;
mod swar;
mod writer;

#[cfg(test)]
mod tests;

pub use column::ReaderColumn;
pub use numbers::{parse_decimal_f64, parse_i64_bytes, parse_iso_timestamp};
pub use reader::CopyReader;
pub use writer::{for_each_line, format_rows};
