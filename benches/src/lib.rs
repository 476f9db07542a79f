//! plantdb benchmarks: the macro benchmark binary (`plantbench`) and criterion micro-benchmarks.
//!
//! `cargo run --release -p plantdb-benches --bin plantbench -- storage --scale 1` prints ingest
//! rows/s, bytes per row and decode speed; `... -- queries` loads the plant through COPY and times
//! the standard query set.
pub mod queries;
pub mod query_bench;
pub mod storage_bench;
