//! Built-in functions: operators, math, strings, dates and times, arrays, conditionals, system
//! information, aggregates, window functions and set-returning functions.
use super::Registry;

pub(crate) mod aggregate;
#[allow(dead_code)]
pub(crate) mod bignum;
pub(crate) mod datetime;
#[allow(dead_code)] // helpers used as modules are added
pub(crate) mod kernels;
pub(crate) mod math;
pub(crate) mod operators;
#[allow(dead_code)]
pub(crate) mod timeutil;

#[cfg(test)]
mod tests;

/// Registers every built-in function.
pub fn register(r: &mut Registry) {
    operators::register(r);
    math::register(r);
    datetime::register(r);
    aggregate::register(r);
}
