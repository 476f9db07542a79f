//! plantdb: embedded time-series database for manufacturing.
pub use plantdb_storage as storage;
