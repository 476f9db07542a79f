//! plantdb benchmarks: the macro benchmark binary (`plantbench`) and criterion micro-benchmarks.
//!
//! `cargo run --release -p plantdb-benches --bin plantbench -- storage --scale 1` prints ingest
//! rows/s, bytes per row and decode speed; `... -- queries` loads the plant through COPY (embedded
//! API and over the wire through an in-process server) and times the standard query set; `... --
//! csv` writes the CSV files the peers load (`benches/compare/compare.py` runs the side-by-side
//! comparison). `cargo bench -p plantdb-benches` runs the criterion micro-benchmarks in
//! `benches/benches/`.
pub mod fixtures;
pub mod queries;
pub mod query_bench;
pub mod storage_bench;
pub mod wire_bench;
