//! Gap filling (see `optimize::gapfill` for the rewrite and `plan::GapFillSpec`).
//!
//! The aggregate's rows are grouped by the group keys other than the bucket (one implicit group
//! when there are none, present even without rows); each group gets every bucket of
//! `[start, finish)` in time order: its own rows, and a filled row for each missing bucket whose
//! other keys are the group's, whose aggregates are NULL and whose fill columns are computed as
//! TimescaleDB does: `locf` carries the last value (a real NULL is carried as NULL unless
//! `treat_null_as_missing`), `interpolate` is linear between the previous and the next real
//! buckets (integers rounded half away from zero), NULL when either is missing or NULL. Rows of
//! buckets outside the range are passed through and take part in the fills.
//!
//! **Seeding.** When a group's first bucket has no row, `locf` and `interpolate` start from the
//! last bucket *before* the range: the aggregate is re-run over the same FROM and WHERE minus the
//! WHERE bounds on the time column, over `[start − 16·w·16ᵏ, …)` windows going back (k = 0..3,
//! then unbounded, stopping once every group is seeded, and never further back than the largest
//! `max_gap` when every fill has one). `interpolate` looks for the first bucket after the range
//! the same way. A group whose rows all lie outside the range does not appear (as in
//! TimescaleDB): groups come from the rows in the range.
//!
//! **Max gap.** A fill bridges at most `max_gap`: `locf` fills bucket `b` from bucket `p` only
//! when `b − p ≤ max_gap`, `interpolate` between `p` and `n` only when `n − p ≤ max_gap`.
use std::collections::BTreeMap;
use std::sync::Arc;

use super::context::ExecCtx;
use super::{BoxOp, Operator, build, drain, eval_expr};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{Expr, FillKind, GapFillSpec, Lookup, Plan};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// The gap-fill operator.
pub struct GapFillOp {
    input: BoxOp,
    spec: Arc<GapFillSpec>,
    in_types: Vec<DataType>,
    cx: ExecCtx,
    done: bool,
}

impl GapFillOp {
    /// A gap fill over the aggregate `input`.
    pub fn new(input: BoxOp, spec: Arc<GapFillSpec>, in_types: Vec<DataType>, cx: ExecCtx) -> GapFillOp {
        GapFillOp {
            input,
            spec,
            in_types,
            cx,
            done: false,
        }
    }
}

/// Per fill: the seed bucket's time and value.
type Seed = Vec<Option<(i64, Value)>>;

fn bucket_of(b: &Batch, col: usize, i: usize) -> Result<i64> {
    match b.column(col)?.value(i) {
        Value::Int(t) => Ok(t),
        _ => Err(QueryError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "invalid time_bucket_gapfill argument: ts cannot be NULL",
        )),
    }
}

fn key_of(b: &Batch, keys: &[usize], i: usize) -> Result<Vec<Value>> {
    keys.iter().map(|&k| Ok(b.column(k)?.value(i))).collect()
}

fn fill_values(spec: &GapFillSpec, b: &Batch, cx: &ExecCtx) -> Result<Vec<Vector>> {
    spec.fills.iter().map(|f| eval_expr(&f.expr, b, cx)).collect()
}

/// Runs the aggregate over `lo <= ts < hi` (None: unbounded).
fn run_lookup(
    l: &Lookup,
    in_types: &[DataType],
    lo: Option<i64>,
    hi: Option<i64>,
    cx: &ExecCtx,
) -> Result<Batch> {
    let shared = cx.shared()?;
    let ty = l.ts.ty();
    let mut conj = l.filter.clone();
    for (op, v) in [(">=", lo), ("<", hi)] {
        if let Some(v) = v {
            let r = shared.registry.resolve_scalar(op, &[ty.clone(), ty.clone()])?;
            conj.push(Expr::Call {
                func: r.func,
                args: vec![l.ts.clone(), Expr::Literal(Value::Int(v), ty.clone())],
                ty: DataType::Bool,
            });
        }
    }
    let mut plan = l.from.clone();
    if let Some(pred) = Expr::and_all(conj) {
        plan = Plan::Filter {
            input: Box::new(plan),
            predicate: pred,
        };
    }
    let fields: Vec<crate::plan::Field> = in_types
        .iter()
        .enumerate()
        .map(|(i, t)| crate::plan::Field::new(format!("c{i}"), t.clone()))
        .collect();
    plan = Plan::Aggregate {
        input: Box::new(plan),
        group: l.group.clone(),
        aggs: l.aggs.clone(),
        fields,
    };
    if let Some(h) = &l.having {
        plan = Plan::Filter {
            input: Box::new(plan),
            predicate: h.clone(),
        };
    }
    let plan = crate::optimize::optimize(plan, cx.eval())?;
    let mut op = build(&plan, cx)?;
    let rows = drain(&mut *op, cx)?;
    Ok(Batch::concat(in_types, &rows.batches))
}

impl GapFillOp {
    /// Seeds: per group key, the last bucket before `start` (`back`) or the first at or after
    /// `end` (`!back`) with the fill values there.
    fn seeds(&self, wanted: &[Vec<Value>], back: bool, end: i64) -> Result<BTreeMap<Vec<Value>, Seed>> {
        let mut out = BTreeMap::new();
        let (Some(l), false) = (&self.spec.lookup, wanted.is_empty()) else {
            return Ok(out);
        };
        let spec = &self.spec;
        // Never look further than every fill could use.
        let reach: Option<i64> = spec
            .fills
            .iter()
            .map(|f| f.max_gap)
            .collect::<Option<Vec<i64>>>()
            .map(|v| v.into_iter().max().unwrap_or(0).saturating_add(spec.width));
        let mut step = spec.width.saturating_mul(16);
        let mut edge = if back { spec.start } else { end };
        let limit = reach.map(|r| {
            if back {
                edge.saturating_sub(r)
            } else {
                edge.saturating_add(r)
            }
        });
        let mut missing: Vec<&Vec<Value>> = wanted.iter().collect();
        for attempt in 0..5 {
            self.cx.eval().check_cancel()?;
            let mut far = if attempt == 4 {
                None
            } else if back {
                Some(edge.saturating_sub(step))
            } else {
                Some(edge.saturating_add(step))
            };
            if let Some(lim) = limit {
                far = Some(match far {
                    Some(f) if back => f.max(lim),
                    Some(f) => f.min(lim),
                    None => lim,
                });
            }
            let (lo, hi) = if back {
                (far, Some(edge))
            } else {
                (Some(edge), far)
            };
            let b = run_lookup(l, &self.in_types, lo, hi, &self.cx)?;
            let vals = fill_values(spec, &b, &self.cx)?;
            for i in 0..b.len() {
                let key = key_of(&b, &spec.keys, i)?;
                if !missing.iter().any(|k| **k == key) {
                    continue;
                }
                let t = bucket_of(&b, spec.bucket, i)?;
                let slot = out.entry(key).or_insert_with(|| vec![None; spec.fills.len()]);
                for (j, f) in spec.fills.iter().enumerate() {
                    let v = vals[j].value(i);
                    let skip_null = matches!(
                        f.kind,
                        FillKind::Locf {
                            treat_null_as_missing: true
                        }
                    );
                    if skip_null && v.is_null() {
                        continue;
                    }
                    let better = match &slot[j] {
                        None => true,
                        Some((u, _)) => (back && t > *u) || (!back && t < *u),
                    };
                    if better {
                        slot[j] = Some((t, v));
                    }
                }
            }
            missing.retain(|k| out.get(*k).is_none_or(|v| v.iter().any(Option::is_none)));
            match far {
                None => break,
                Some(f) if Some(f) == limit => break,
                Some(f) => edge = f,
            }
            if missing.is_empty() {
                break;
            }
            step = step.saturating_mul(16);
        }
        Ok(out)
    }
}

/// Linear interpolation at `x` between (x0, y0) and (x1, y1), as TimescaleDB computes it.
fn interpolate(x: i64, (x0, y0): (i64, &Value), (x1, y1): (i64, &Value)) -> Value {
    if x1 == x0 {
        return y0.clone();
    }
    match (y0, y1) {
        (Value::Int(a), Value::Int(b)) => {
            let num = i128::from(*a) * i128::from(x1 - x) + i128::from(*b) * i128::from(x - x0);
            let den = i128::from(x1 - x0);
            // Round half away from zero.
            let q = (num.abs() * 2 + den) / (den * 2);
            let q = if num < 0 { -q } else { q };
            i64::try_from(q).map_or(Value::Null, Value::Int)
        }
        (Value::Float(a), Value::Float(b)) => {
            if a == b {
                return Value::Float(*a);
            }
            let (x, x0, x1) = (x as f64, x0 as f64, x1 as f64);
            Value::Float((a * (x1 - x) + b * (x - x0)) / (x1 - x0))
        }
        _ => Value::Null,
    }
}

impl Operator for GapFillOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        let spec = self.spec.clone();
        let rows = drain(&mut *self.input, &self.cx)?;
        let b = Batch::concat(&self.in_types, &rows.batches);
        let vals = fill_values(&spec, &b, &self.cx)?;
        // Group rows by the other keys, in key order, each by bucket.
        let mut groups: BTreeMap<Vec<Value>, Vec<(i64, usize)>> = BTreeMap::new();
        if spec.keys.is_empty() {
            groups.insert(Vec::new(), Vec::new());
        }
        for i in 0..b.len() {
            let t = bucket_of(&b, spec.bucket, i)?;
            groups.entry(key_of(&b, &spec.keys, i)?).or_default().push((t, i));
        }
        for rows in groups.values_mut() {
            rows.sort_by_key(|r| r.0);
        }
        let w = spec.width;
        let last_bucket = spec.start + (spec.finish - 1 - spec.start).div_euclid(w) * w;
        let end = last_bucket + w;
        let any_interp = spec.fills.iter().any(|f| f.kind == FillKind::Interpolate);
        let need_back: Vec<Vec<Value>> = groups
            .iter()
            .filter(|(_, r)| r.first().is_none_or(|x| x.0 > spec.start))
            .map(|(k, _)| k.clone())
            .collect();
        let need_ahead: Vec<Vec<Value>> = if any_interp {
            groups
                .iter()
                .filter(|(_, r)| r.last().is_none_or(|x| x.0 < last_bucket))
                .map(|(k, _)| k.clone())
                .collect()
        } else {
            Vec::new()
        };
        let back = self.seeds(&need_back, true, end)?;
        let ahead = self.seeds(&need_ahead, false, end)?;

        let nf = spec.fills.len();
        let ncols = self.in_types.len() + nf;
        let mut out: Vec<Vec<Value>> = vec![Vec::new(); ncols];
        for (key, rows) in &groups {
            self.cx.eval().check_cancel()?;
            // Per fill: last real sample (time, value) — for locf the carried one.
            let seed = back.get(key);
            let mut carried: Vec<Option<(i64, Value)>> = (0..nf)
                .map(|j| seed.and_then(|s| s.get(j).cloned().flatten()))
                .collect();
            let mut prev = carried.clone();
            let mut r = 0;
            let emit_real = |i: usize,
                             t: i64,
                             out: &mut Vec<Vec<Value>>,
                             carried: &mut Vec<Option<(i64, Value)>>,
                             prev: &mut Vec<Option<(i64, Value)>>|
             -> Result<()> {
                for (c, col) in out.iter_mut().enumerate().take(self.in_types.len()) {
                    col.push(b.column(c)?.value(i));
                }
                for (j, f) in spec.fills.iter().enumerate() {
                    let v = vals[j].value(i);
                    let shown = match f.kind {
                        FillKind::Locf {
                            treat_null_as_missing: true,
                        } if v.is_null() => match &carried[j] {
                            Some((p, cv)) if f.max_gap.is_none_or(|g| t - p <= g) => cv.clone(),
                            _ => Value::Null,
                        },
                        FillKind::Locf { .. } => {
                            carried[j] = Some((t, v.clone()));
                            v
                        }
                        FillKind::Interpolate => {
                            prev[j] = Some((t, v.clone()));
                            v
                        }
                    };
                    out[self.in_types.len() + j].push(shown);
                }
                Ok(())
            };
            // Rows before the range.
            while r < rows.len() && rows[r].0 < spec.start {
                emit_real(rows[r].1, rows[r].0, &mut out, &mut carried, &mut prev)?;
                r += 1;
            }
            let mut t = spec.start;
            while t < spec.finish {
                if r < rows.len() && rows[r].0 == t {
                    emit_real(rows[r].1, t, &mut out, &mut carried, &mut prev)?;
                    r += 1;
                } else {
                    // A filled row.
                    for (c, col) in out.iter_mut().enumerate().take(self.in_types.len()) {
                        col.push(if c == spec.bucket {
                            Value::Int(t)
                        } else if let Some(p) = spec.keys.iter().position(|&k| k == c) {
                            key.get(p).cloned().unwrap_or(Value::Null)
                        } else {
                            Value::Null
                        });
                    }
                    for (j, f) in spec.fills.iter().enumerate() {
                        let v = match f.kind {
                            FillKind::Locf { .. } => match &carried[j] {
                                Some((p, v)) if f.max_gap.is_none_or(|g| t - p <= g) => v.clone(),
                                _ => Value::Null,
                            },
                            FillKind::Interpolate => {
                                let next = match rows.get(r) {
                                    Some(&(nt, ni)) => Some((nt, vals[j].value(ni))),
                                    None => ahead.get(key).and_then(|s| s.get(j).cloned().flatten()),
                                };
                                match (&prev[j], next) {
                                    (Some((x0, y0)), Some((x1, y1)))
                                        if !y0.is_null()
                                            && !y1.is_null()
                                            && f.max_gap.is_none_or(|g| x1 - x0 <= g) =>
                                    {
                                        interpolate(t, (*x0, y0), (x1, &y1))
                                    }
                                    _ => Value::Null,
                                }
                            }
                        };
                        out[self.in_types.len() + j].push(v);
                    }
                }
                t += w;
            }
            // Rows after the range.
            while r < rows.len() {
                emit_real(rows[r].1, rows[r].0, &mut out, &mut carried, &mut prev)?;
                r += 1;
            }
        }
        let mut types = self.in_types.clone();
        types.extend(spec.fills.iter().map(|f| f.ty.clone()));
        let n = out.first().map_or(0, Vec::len);
        if n == 0 {
            return Ok(None);
        }
        let cols = out
            .into_iter()
            .zip(types)
            .map(|(v, t)| Vector::from_values(t, v))
            .collect();
        Ok(Some(Batch::new(cols, n)))
    }
}
