//! Band joins: `l.x >= r.lo AND l.x < r.hi` (any mix of strict and non-strict bounds, either
//! operand order) between integer-like values (integers, dates, timestamps). The right side
//! is sorted by `lo`; each left value finds the rows with `lo <= x` by binary search and walks
//! back while a running maximum of `hi` can still reach `x`, so disjoint intervals (shifts,
//! orders, maintenance windows) cost O(log n) per left row instead of n. Candidates are a
//! superset (bounds taken non-strict); the join still evaluates every condition on them.
use super::context::ExecCtx;
use super::expr::eval_expr;
use crate::error::Result;
use crate::plan::Expr;
use crate::types::Physical;
use crate::vector::{Batch, Vector, VectorData};

/// The right side indexed for one band condition.
pub struct Band {
    /// The banded expression over left columns.
    left: Expr,
    /// Right rows with both bounds non-NULL, ordered by `lo`.
    rows: Vec<u32>,
    lo: Vec<i64>,
    hi: Vec<i64>,
    /// `x > lo` rather than `x >= lo`; `x < hi` rather than `x <= hi`.
    lo_strict: bool,
    hi_strict: bool,
    /// `max(hi[..=k])`: once below `x`, no earlier interval contains `x`.
    reach: Vec<i64>,
}

/// `(left expr, right expr, op)` read as `left op right`, if `c` compares a left-only with a
/// right-only integer-like expression (`nleft` = left column count).
fn comparison(c: &Expr, nleft: usize) -> Option<(Expr, Expr, &'static str)> {
    let Expr::Call { func, args, .. } = c else {
        return None;
    };
    if args.len() != 2 || args[0].ty() != args[1].ty() || args[0].ty().physical() != Physical::Int {
        return None;
    }
    let side = |e: &Expr| -> Option<bool> {
        if e.any(&|x| matches!(x, Expr::Outer { .. } | Expr::Subquery(_) | Expr::Param(..))) {
            return None;
        }
        let mut cols = Vec::new();
        e.columns(&mut cols);
        if cols.is_empty() {
            None
        } else if cols.iter().all(|&c| c < nleft) {
            Some(true)
        } else if cols.iter().all(|&c| c >= nleft) {
            Some(false)
        } else {
            None
        }
    };
    let op = match func.name.as_str() {
        ">=" => ">=",
        ">" => ">",
        "<=" => "<=",
        "<" => "<",
        _ => return None,
    };
    match (side(&args[0])?, side(&args[1])?) {
        (true, false) => Some((args[0].clone(), args[1].clone(), op)),
        (false, true) => {
            let flipped = match op {
                ">=" => "<=",
                ">" => "<",
                "<=" => ">=",
                _ => ">",
            };
            Some((args[1].clone(), args[0].clone(), flipped))
        }
        _ => None,
    }
}

/// A band found among a join's conditions.
pub struct BandSpec {
    /// The banded expression over left columns.
    pub x: Expr,
    /// Bounds over the right input's own columns.
    pub lo: Expr,
    /// Upper bound.
    pub hi: Expr,
    /// Strictness of each bound.
    pub lo_strict: bool,
    /// See `lo_strict`.
    pub hi_strict: bool,
    /// Positions of the two conditions in the list searched.
    pub used: [usize; 2],
}

/// Finds `x >= lo` and `x < hi` (or `>`, `<=`) on the same left expression among the join's
/// conditions. Right-side expressions are shifted to the right input's column numbers.
pub fn find(residual: &[Expr], nleft: usize) -> Option<BandSpec> {
    let cmps: Vec<(usize, Expr, Expr, &str)> = residual
        .iter()
        .enumerate()
        .filter_map(|(i, c)| comparison(c, nleft).map(|(x, r, op)| (i, x, r, op)))
        .collect();
    for (i, x, lo, op) in &cmps {
        if !matches!(*op, ">=" | ">") {
            continue;
        }
        if let Some((j, _, hi, op2)) = cmps
            .iter()
            .find(|(_, y, _, op2)| matches!(*op2, "<" | "<=") && y.same(x))
        {
            let shift = |e: &Expr| {
                e.clone().transform(&mut |v| match v {
                    Expr::Column(i, t) => Expr::Column(i - nleft, t),
                    v => v,
                })
            };
            return Some(BandSpec {
                x: x.clone(),
                lo: shift(lo),
                hi: shift(hi),
                lo_strict: *op == ">",
                hi_strict: *op2 == "<",
                used: [*i, *j],
            });
        }
    }
    None
}

/// Values of an integer-like vector (None for NULL).
fn ints(v: &Vector, n: usize) -> Vec<Option<i64>> {
    match &v.data {
        VectorData::Int(xs) => (0..n).map(|i| (!v.is_null(i)).then(|| xs[i])).collect(),
        _ => (0..n).map(|i| v.value(i).as_int()).collect(),
    }
}

impl Band {
    /// Indexes the right rows `right` by the bounds of `spec`.
    pub fn build(spec: BandSpec, right: &Batch, cx: &ExecCtx) -> Result<Band> {
        let n = right.len();
        let los = ints(&eval_expr(&spec.lo, right, cx)?, n);
        let his = ints(&eval_expr(&spec.hi, right, cx)?, n);
        let mut idx: Vec<(i64, i64, u32)> = (0..n)
            .filter_map(|i| Some((los[i]?, his[i]?, i as u32)))
            .collect();
        idx.sort_unstable();
        let mut reach = Vec::with_capacity(idx.len());
        let mut m = i64::MIN;
        for &(_, h, _) in &idx {
            m = m.max(h);
            reach.push(m);
        }
        Ok(Band {
            left: spec.x,
            lo_strict: spec.lo_strict,
            hi_strict: spec.hi_strict,
            rows: idx.iter().map(|t| t.2).collect(),
            lo: idx.iter().map(|t| t.0).collect(),
            hi: idx.iter().map(|t| t.1).collect(),
            reach,
        })
    }

    /// The matching (left row, right row) pairs of a left batch.
    pub fn candidates(&self, b: &Batch, cx: &ExecCtx) -> Result<(Vec<u32>, Vec<u32>)> {
        let v = eval_expr(&self.left, b, cx)?;
        let n = b.len();
        let converted: Vec<i64>;
        let xs: &[i64] = match &v.data {
            VectorData::Int(xs) if xs.len() >= n => xs,
            _ => {
                converted = (0..n).map(|i| v.value(i).as_int().unwrap_or(0)).collect();
                &converted
            }
        };
        let (mut li, mut ri) = (Vec::with_capacity(n), Vec::with_capacity(n));
        // The number of intervals starting at or before x; kept from the row before while x
        // stays between the same two starts (time-ordered rows seldom cross one).
        let mut p = 0;
        for (i, &x) in xs.iter().enumerate().take(n) {
            if v.is_null(i) {
                continue;
            }
            let still = (p == 0 || self.lo[p - 1] <= x) && self.lo.get(p).is_none_or(|&l| l > x);
            if !still {
                p = self.lo.partition_point(|&l| l <= x);
            }
            let hit = |k: usize| {
                let above = !self.lo_strict || self.lo[k] < x;
                let below = if self.hi_strict {
                    x < self.hi[k]
                } else {
                    x <= self.hi[k]
                };
                above && below
            };
            for k in (0..p).rev() {
                if self.reach[k] < x {
                    break;
                }
                if hit(k) {
                    li.push(i as u32);
                    ri.push(self.rows[k]);
                }
            }
        }
        Ok((li, ri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DataType;

    fn batch(cols: Vec<Vec<i64>>) -> Batch {
        let n = cols.first().map_or(0, Vec::len);
        Batch::new(
            cols.into_iter()
                .map(|c| Vector::ints(DataType::Int8, c))
                .collect(),
            n,
        )
    }

    #[test]
    fn finds_every_interval_holding_the_value() {
        // Overlapping and disjoint intervals; candidates must include every lo <= x <= hi.
        let right = batch(vec![vec![0, 10, 5, 20, 30], vec![10, 20, 40, 25, 31]]);
        let col = |i| Expr::Column(i, DataType::Int8);
        let cx = ExecCtx::constant(&crate::context::EvalContext::default());
        let spec = |lo_strict, hi_strict| BandSpec {
            x: col(0),
            lo: col(0),
            hi: col(1),
            lo_strict,
            hi_strict,
            used: [0, 1],
        };
        let left = batch(vec![vec![-1, 0, 7, 10, 22, 31, 35, 50]]);
        let los = [0, 10, 5, 20, 30];
        let his = [10, 20, 40, 25, 31];
        let xs = [-1, 0, 7, 10, 22, 31, 35, 50];
        for (ls, hs) in [(false, false), (false, true), (true, false), (true, true)] {
            let band = Band::build(spec(ls, hs), &right, &cx).expect("build");
            let (li, ri) = band.candidates(&left, &cx).expect("candidates");
            let mut got: Vec<(u32, u32)> = li.into_iter().zip(ri).collect();
            got.sort_unstable();
            let mut want = Vec::new();
            for (i, x) in xs.iter().enumerate() {
                for r in 0..5 {
                    let above = if ls { los[r] < *x } else { los[r] <= *x };
                    let below = if hs { *x < his[r] } else { *x <= his[r] };
                    if above && below {
                        want.push((i as u32, r as u32));
                    }
                }
            }
            assert_eq!(got, want, "strict lo {ls} hi {hs}");
        }
    }
}
