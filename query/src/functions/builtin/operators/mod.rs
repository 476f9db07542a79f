//! Operators: comparisons, arithmetic, date/time arithmetic, concatenation, pattern matching and
//! array containment.
use crate::functions::Registry;

pub(crate) mod arith;
pub(crate) mod compare;
pub(crate) mod concat;
pub(crate) mod like;
pub(crate) mod temporal;

/// Registers every operator.
pub(crate) fn register(r: &mut Registry) {
    compare::register(r);
    arith::register(r);
    temporal::register(r);
    concat::register(r);
    like::register(r);
}
