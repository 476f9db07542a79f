//! Block statistics: computed when a block is written, used to skip blocks and to answer
//! aggregates over whole blocks without decoding them.
use crate::column::{Column, ColumnVec, Scalar};

use super::format::{BlockMeta, F_FIRST_NULL, F_LAST_NULL, F_STATS};

/// A block's sum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StatSum {
    /// Exact sum of integers (or count of true booleans).
    Int(i128),
    /// Sum of doubles in row order.
    Float(f64),
}

/// Statistics of one block, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockStats {
    /// Rows.
    pub count: u64,
    /// NULLs.
    pub null_count: u64,
    /// Smallest non-NULL value (PostgreSQL order: NaN above every number); NULL if none.
    pub min: Scalar,
    /// Largest non-NULL value; NULL if none.
    pub max: Scalar,
    /// Sum of non-NULL values, when known.
    pub sum: Option<StatSum>,
    /// Sum of squared deviations from the mean of the non-NULL values, when known.
    pub m2: Option<f64>,
    /// Value at the first row.
    pub first: Scalar,
    /// Value at the last row.
    pub last: Scalar,
    /// Smallest timestamp.
    pub min_ts: i64,
    /// Largest timestamp.
    pub max_ts: i64,
}

pub(crate) struct Computed {
    pub flags: u8,
    pub min: u64,
    pub max: u64,
    pub sum: [u8; 16],
    pub m2: f64,
    pub first: u64,
    pub last: u64,
}

fn f64_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn f64_min(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        b
    } else if b.is_nan() {
        a
    } else {
        a.min(b)
    }
}

/// Computes the statistics of `col`.
pub(crate) fn compute(col: &Column) -> Computed {
    let n = col.len();
    let valid = |i: usize| !col.is_null(i);
    let mut c = Computed {
        flags: 0,
        min: 0,
        max: 0,
        sum: [0; 16],
        m2: 0.0,
        first: 0,
        last: 0,
    };
    if n == 0 || !valid(0) {
        c.flags |= F_FIRST_NULL;
    }
    if n == 0 || !valid(n - 1) {
        c.flags |= F_LAST_NULL;
    }
    match &col.values {
        ColumnVec::Float64(v) => {
            // Two passes (sum, then squared deviations from the mean): no division per value,
            // and as accurate as Welford's update.
            let ok = |i: usize| col.validity.is_none() || valid(i);
            let (mut mn, mut mx, mut sum, mut cnt) = (f64::NAN, f64::NAN, 0.0f64, 0usize);
            let mut first = true;
            for (i, &x) in v.iter().enumerate() {
                if !ok(i) {
                    continue;
                }
                if first {
                    (mn, mx) = (x, x);
                    first = false;
                } else {
                    mn = f64_min(mn, x);
                    mx = f64_max(mx, x);
                }
                sum += x;
                cnt += 1;
            }
            let mut m2 = 0.0f64;
            if cnt > 0 {
                let mean = sum / cnt as f64;
                for (i, &x) in v.iter().enumerate() {
                    if ok(i) {
                        m2 += (x - mean) * (x - mean);
                    }
                }
            }
            if !first {
                c.flags |= F_STATS;
            }
            c.min = mn.to_bits();
            c.max = mx.to_bits();
            c.sum[..8].copy_from_slice(&sum.to_bits().to_le_bytes());
            c.m2 = m2;
            c.first = v.first().map_or(0, |x| x.to_bits());
            c.last = v.last().map_or(0, |x| x.to_bits());
        }
        ColumnVec::Int64(v) => {
            let ok = |i: usize| col.validity.is_none() || valid(i);
            let (mut mn, mut mx, mut sum, mut cnt) = (i64::MAX, i64::MIN, 0i128, 0usize);
            for (i, &x) in v.iter().enumerate() {
                if !ok(i) {
                    continue;
                }
                mn = mn.min(x);
                mx = mx.max(x);
                sum += x as i128;
                cnt += 1;
            }
            let mut m2 = 0.0f64;
            if cnt > 0 {
                let mean = sum as f64 / cnt as f64;
                for (i, &x) in v.iter().enumerate() {
                    if ok(i) {
                        let d = x as f64 - mean;
                        m2 += d * d;
                    }
                }
            }
            if cnt > 0 {
                c.flags |= F_STATS;
            }
            c.min = mn as u64;
            c.max = mx as u64;
            c.sum = sum.to_le_bytes();
            c.m2 = m2;
            c.first = v.first().map_or(0, |&x| x as u64);
            c.last = v.last().map_or(0, |&x| x as u64);
        }
        ColumnVec::Bool(v) => {
            let (mut any_true, mut any_false, mut trues) = (false, false, 0i128);
            for (i, &x) in v.iter().enumerate() {
                if col.validity.is_some() && !valid(i) {
                    continue;
                }
                any_true |= x;
                any_false |= !x;
                trues += i128::from(x);
            }
            if any_true || any_false {
                c.flags |= F_STATS;
            }
            c.min = u64::from(!any_false);
            c.max = u64::from(any_true);
            c.sum = trues.to_le_bytes();
            c.first = v.first().map_or(0, |&x| u64::from(x));
            c.last = v.last().map_or(0, |&x| u64::from(x));
        }
        ColumnVec::Bytes(_) => {}
    }
    c
}

fn scalar_of(bits: u64, values: &ColumnVec) -> Scalar {
    match values {
        ColumnVec::Float64(_) => Scalar::Float64(f64::from_bits(bits)),
        ColumnVec::Int64(_) => Scalar::Int64(bits as i64),
        ColumnVec::Bool(_) => Scalar::Bool(bits != 0),
        ColumnVec::Bytes(_) => Scalar::Null,
    }
}

impl BlockStats {
    /// Typed statistics of an index row; `kind` is an empty vector of the column's type.
    pub(crate) fn from_meta(m: &BlockMeta, kind: &ColumnVec) -> BlockStats {
        let has = m.flags & F_STATS != 0;
        let typed = |bits: u64| if has { scalar_of(bits, kind) } else { Scalar::Null };
        let sum = has.then(|| match kind {
            ColumnVec::Float64(_) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(&m.sum[..8]);
                Some(StatSum::Float(f64::from_bits(u64::from_le_bytes(a))))
            }
            ColumnVec::Int64(_) | ColumnVec::Bool(_) => Some(StatSum::Int(i128::from_le_bytes(m.sum))),
            ColumnVec::Bytes(_) => None,
        });
        let is_text = matches!(kind, ColumnVec::Bytes(_));
        BlockStats {
            count: u64::from(m.count),
            null_count: u64::from(m.null_count),
            min: typed(m.min),
            max: typed(m.max),
            sum: sum.flatten(),
            m2: (has && !is_text).then_some(m.m2),
            first: if m.flags & F_FIRST_NULL != 0 || is_text {
                Scalar::Null
            } else {
                scalar_of(m.first, kind)
            },
            last: if m.flags & F_LAST_NULL != 0 || is_text {
                Scalar::Null
            } else {
                scalar_of(m.last, kind)
            },
            min_ts: m.min_ts,
            max_ts: m.max_ts,
        }
    }

    /// Statistics of a column missing from a part (added later): all NULL.
    pub(crate) fn all_null(count: u64, min_ts: i64, max_ts: i64) -> BlockStats {
        BlockStats {
            count,
            null_count: count,
            min: Scalar::Null,
            max: Scalar::Null,
            sum: None,
            m2: None,
            first: Scalar::Null,
            last: Scalar::Null,
            min_ts,
            max_ts,
        }
    }
}
