//! Shared machinery of the extension functions.
//!
//! - [`runs`]: time-ordered runs, the mergeable partial state of every order-dependent
//!   aggregate (rows arrive in any order, partial states merge in any order);
//! - [`cols`]: typed, allocation-free readers over argument vectors;
//! - [`codec`]: the byte layout of two-step states (`bytea` values passed from an aggregate to
//!   its accessor functions);
//! - [`options`]: `key=value; …` option strings and constant-argument checks;
//! - error constructors with the right SQLSTATE.
pub mod codec;
pub mod cols;
pub mod options;
pub mod runs;

use plantdb_query::error::{QueryError, sqlstate};

/// 22023 invalid_parameter_value.
pub fn invalid(msg: impl Into<String>) -> QueryError {
    QueryError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// 22003 numeric_value_out_of_range.
pub fn out_of_range(msg: impl Into<String>) -> QueryError {
    QueryError::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, msg)
}

/// 0A000 feature_not_supported.
pub fn unsupported(msg: impl Into<String>) -> QueryError {
    QueryError::new(sqlstate::FEATURE_NOT_SUPPORTED, msg)
}

/// XX000 internal error (a broken invariant, not a user error).
pub fn internal(msg: impl Into<String>) -> QueryError {
    QueryError::new(sqlstate::INTERNAL_ERROR, msg)
}

/// Microseconds per second.
pub const SEC: i64 = 1_000_000;

/// Seconds of a microsecond count.
pub fn secs(us: i64) -> f64 {
    us as f64 / SEC as f64
}

/// Downcasts the other accumulator of a merge.
pub fn downcast<'a, T: 'static>(
    other: &'a mut dyn plantdb_query::functions::Accumulator,
    what: &str,
) -> plantdb_query::error::Result<&'a mut T> {
    other
        .as_any_mut()
        .downcast_mut::<T>()
        .ok_or_else(|| internal(format!("{what}: merging different accumulators")))
}
