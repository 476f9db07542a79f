//! plantdb SQL engine.
pub mod bind;
pub mod catalog;
pub mod context;
pub mod copy;
pub mod error;
pub mod exec;
pub mod functions;
pub mod optimize;
pub mod parse;
pub mod plan;
pub mod session;
pub mod system;
pub mod types;
pub mod vector;
