//! The gap-filling node (`time_bucket_gapfill` with `locf` / `interpolate`), built by
//! `optimize::gapfill` above an aggregate and run by `exec::gapfill`.
use super::{AggCall, Expr, Plan};
use crate::types::DataType;

/// How a fill column is computed for buckets without rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillKind {
    /// Last value carried forward; `treat_null_as_missing` skips NULL values of real buckets.
    Locf {
        /// NULLs of real buckets are replaced by the carried value and not carried.
        treat_null_as_missing: bool,
    },
    /// Linear interpolation between the previous and the next real bucket.
    Interpolate,
}

/// One `locf(...)` / `interpolate(...)` call of the select list.
#[derive(Debug, Clone)]
pub struct FillCall {
    /// Which fill.
    pub kind: FillKind,
    /// The filled expression, over the aggregate's output columns.
    pub expr: Expr,
    /// Largest gap (µs) a fill may bridge: locf fills bucket `b` from bucket `p` only when
    /// `b − p ≤ max_gap`; interpolate fills between `p` and `n` only when `n − p ≤ max_gap`.
    pub max_gap: Option<i64>,
    /// Result type.
    pub ty: DataType,
}

/// Rebuilds the aggregate for rows of another time range (the look-back before `start` and the
/// look-ahead after `finish` that seed `locf` and `interpolate`).
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Input of the WHERE filter (the FROM clause).
    pub from: Plan,
    /// WHERE conjuncts other than the bounds on the time column.
    pub filter: Vec<Expr>,
    /// The time column (over `from`'s columns).
    pub ts: Expr,
    /// Group keys of the aggregate.
    pub group: Vec<Expr>,
    /// Aggregate calls.
    pub aggs: Vec<AggCall>,
    /// HAVING (over the aggregate's output).
    pub having: Option<Expr>,
}

/// Static description of a gap fill.
#[derive(Debug, Clone)]
pub struct GapFillSpec {
    /// Input column holding the bucket (a group key of the aggregate).
    pub bucket: usize,
    /// The other group key columns: one series of buckets per distinct combination.
    pub keys: Vec<usize>,
    /// Bucket width (µs).
    pub width: i64,
    /// Bucket origin (µs).
    pub origin: i64,
    /// First bucket (aligned to the width).
    pub start: i64,
    /// Buckets start before this time.
    pub finish: i64,
    /// Fill columns, appended to the input's columns in this order.
    pub fills: Vec<FillCall>,
    /// How to re-run the aggregate outside `[start, finish)` (None: no locf/interpolate).
    pub lookup: Option<Lookup>,
}
