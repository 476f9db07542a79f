//! plantdb SQL engine.
pub mod context;
pub mod error;
pub mod functions;
pub mod types;
pub mod vector;
