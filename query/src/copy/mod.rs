//! COPY: streaming text/CSV parsing into typed columns (COPY FROM) and formatting of rows
//! (COPY TO). Parsing converts each field straight into its column builder; errors name the
//! line and column, as PostgreSQL's CONTEXT does.
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
