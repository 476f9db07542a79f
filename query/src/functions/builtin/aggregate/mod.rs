//! Aggregate functions. Accumulators keep one state slot per group and are vectorised over
//! (group id, row) pairs; they merge for parallel partial aggregation, use block statistics
//! where they can, and retract rows for sliding window frames where the arithmetic allows.
use crate::error::{Result, internal};
use crate::functions::{Accumulator, AggregateFunction, AggregateSpec, Registry, Signature};
use crate::types::Value;
use crate::vector::{Vector, VectorData};

mod boolean;
mod collect;
mod count;
mod minmax;
mod ordered;
mod stats;
mod sum;

/// Registers every aggregate.
pub(crate) fn register(r: &mut Registry) {
    count::register(r);
    sum::register(r);
    minmax::register(r);
    stats::register(r);
    boolean::register(r);
    collect::register(r);
    ordered::register(r);
}

/// Downcasts the other side of a merge.
pub(crate) fn other<T: 'static>(o: &mut dyn Accumulator) -> Result<&mut T> {
    o.as_any_mut()
        .downcast_mut::<T>()
        .ok_or_else(|| internal("merging different accumulators"))
}

/// Largest group id + 1.
pub(crate) fn needed(groups: &[u32]) -> usize {
    groups.iter().copied().max().map_or(0, |g| g as usize + 1)
}

/// Calls `f(group, row)` for every row whose arguments are all non-NULL.
pub(crate) fn each_valid(groups: &[u32], args: &[&Vector], mut f: impl FnMut(usize, usize)) {
    if args
        .iter()
        .any(|a| matches!(a.data, VectorData::Const(Value::Null)))
    {
        return;
    }
    let valid = crate::functions::builtin::kernels::and_validity(args);
    match valid {
        None => {
            for (i, &g) in groups.iter().enumerate() {
                f(g as usize, i);
            }
        }
        Some(v) => {
            for (i, &g) in groups.iter().enumerate() {
                if v.get(i).copied().unwrap_or(false) {
                    f(g as usize, i);
                }
            }
        }
    }
}

/// Registers an aggregate from a factory.
pub(crate) fn reg(
    r: &mut Registry,
    name: &str,
    sig: Signature,
    create: impl Fn(&AggregateSpec) -> Result<Box<dyn Accumulator>> + Send + Sync + 'static,
) {
    r.register_aggregate(AggregateFunction::new(name, sig, create));
}

/// Calls `f(group, values)` once per run (see [`Accumulator::update_runs`]) when `a` is a
/// plain column of `T` without NULLs; returns false, having done nothing, otherwise. A run's
/// values fold in registers instead of through the group's slot row by row.
#[inline]
pub(crate) fn fold_runs<T>(
    runs: &[(u32, u32)],
    a: &Vector,
    column: impl Fn(&Vector) -> Option<&[T]>,
    mut f: impl FnMut(usize, &[T]),
) -> bool {
    let Some(xs) = column(a) else { return false };
    let rows = runs.last().map_or(0, |r| r.1 as usize);
    if a.validity.is_some() || xs.len() < rows {
        return false;
    }
    let mut start = 0;
    for &(g, end) in runs {
        let end = (end as usize).max(start);
        f(g as usize, &xs[start..end]);
        start = end;
    }
    true
}

/// Calls `f(group, x)` for every non-NULL integer of `a`.
#[inline]
pub(crate) fn ints_each(groups: &[u32], a: &Vector, mut f: impl FnMut(usize, i64)) {
    use crate::functions::builtin::kernels::{Phys, Src};
    match (&a.data, &a.validity) {
        (VectorData::Int(xs), None) => {
            for (&g, &x) in groups.iter().zip(xs) {
                f(g as usize, x);
            }
        }
        _ => {
            let src = <i64 as Phys>::src(a);
            match &src {
                Src::Scalar(x) => each_valid(groups, &[a], |g, _| f(g, *x)),
                Src::Col(c) => each_valid(groups, &[a], |g, i| f(g, c[i])),
            }
        }
    }
}

/// Calls `f(group, x)` for every non-NULL double of `a`.
#[inline]
pub(crate) fn floats_each(groups: &[u32], a: &Vector, mut f: impl FnMut(usize, f64)) {
    use crate::functions::builtin::kernels::{Phys, Src};
    match (&a.data, &a.validity) {
        (VectorData::Float(xs), None) => {
            for (&g, &x) in groups.iter().zip(xs) {
                f(g as usize, x);
            }
        }
        _ => {
            let src = <f64 as Phys>::src(a);
            match &src {
                Src::Scalar(x) => each_valid(groups, &[a], |g, _| f(g, *x)),
                Src::Col(c) => each_valid(groups, &[a], |g, i| f(g, c[i])),
            }
        }
    }
}

/// Calls `f(group, value)` for every non-NULL value of `a` (generic, slower).
pub(crate) fn values_each(groups: &[u32], a: &Vector, mut f: impl FnMut(usize, Value)) {
    match &a.data {
        VectorData::Const(v) if !v.is_null() => {
            for &g in groups {
                f(g as usize, v.clone());
            }
        }
        VectorData::Values(vs) => {
            for (&g, v) in groups.iter().zip(vs) {
                if !v.is_null() {
                    f(g as usize, v.clone());
                }
            }
        }
        _ => each_valid(groups, &[a], |g, i| f(g, a.value(i))),
    }
}
