//! Built-in functions: operators, math, strings, dates and times, arrays, conditionals, system
//! information, aggregates, window functions and set-returning functions.
use super::Registry;

pub(crate) mod aggregate;
pub(crate) mod array;
pub(crate) mod bignum;
pub(crate) mod conditional;
pub(crate) mod datetime;
pub(crate) mod datetime_format;
pub(crate) mod kernels;
pub(crate) mod math;
pub(crate) mod number_format;
pub(crate) mod operators;
pub(crate) mod regex;
pub(crate) mod string;
pub(crate) mod system;
pub(crate) mod table;
pub(crate) mod timeutil;
pub(crate) mod window;

#[cfg(test)]
mod tests;

/// Registers every built-in function.
pub fn register(r: &mut Registry) {
    operators::register(r);
    math::register(r);
    datetime::register(r);
    datetime_format::register(r);
    number_format::register(r);
    string::register(r);
    regex::register(r);
    conditional::register(r);
    array::register(r);
    system::register(r);
    aggregate::register(r);
    window::register(r);
    table::register(r);
}
