//! Window functions. The input is materialised; per call, rows are sorted by (partition, order),
//! frames are computed per row (ROWS, RANGE with offsets, GROUPS), and aggregates over frames
//! run incrementally: running sums for frames starting at the partition start, add/retract for
//! sliding frames (O(n)), recomputation only for aggregates that cannot retract.
use super::context::ExecCtx;
use super::expr::eval_expr;
use super::keys::{Interner, encode};
use super::sort::order_of;
use super::{BoxOp, Operator, drain};
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::{AggregateSpec, WindowInput};
use crate::plan::{Expr, FrameBound, FrameUnits, SortKey, WindowCall, WindowKind};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Window operator.
pub struct WindowOp {
    input: BoxOp,
    calls: Vec<WindowCall>,
    types: Vec<DataType>,
    cx: ExecCtx,
    /// Accounts the rows this operator holds; released with it.
    mem: super::context::Grant,
    out: Option<std::vec::IntoIter<Batch>>,
}

impl WindowOp {
    /// Computes `calls` over `input`.
    pub fn new(input: BoxOp, calls: Vec<WindowCall>, types: Vec<DataType>, cx: ExecCtx) -> WindowOp {
        WindowOp {
            input,
            calls,
            types,
            cx,
            mem: Default::default(),
            out: None,
        }
    }

    fn run(&mut self) -> Result<Vec<Batch>> {
        let mut batches = drain(&mut *self.input, &self.cx)?;
        self.mem.absorb(std::mem::take(&mut batches.grant));
        let all = Batch::concat_owned(&self.types, batches.batches);
        let n = all.len();
        // Calls with the same PARTITION BY and ORDER BY share one sort and one partitioning.
        let mut layouts: Vec<(&WindowCall, Layout)> = Vec::new();
        let mut cols = Vec::with_capacity(self.calls.len());
        for call in &self.calls {
            let k = match layouts.iter().position(|(c, _)| same_order(c, call)) {
                Some(k) => k,
                None => {
                    layouts.push((call, self.layout(call, &all, n)?));
                    layouts.len() - 1
                }
            };
            cols.push(self.call(call, &layouts[k].1, &all, n)?);
        }
        drop(layouts);
        let mut all_cols = all.columns;
        all_cols.extend(cols);
        Ok(super::sort::split(Batch::new(all_cols, n)))
    }

    /// Sorts the input by (partition, order) (unless it already is) and finds partitions and
    /// peer groups.
    fn layout(&self, call: &WindowCall, all: &Batch, n: usize) -> Result<Layout> {
        let part = call
            .partition
            .iter()
            .map(|e| eval_expr(e, all, &self.cx))
            .collect::<Result<Vec<_>>>()?;
        let ord = call
            .order
            .iter()
            .map(|k| eval_expr(&k.expr, all, &self.cx))
            .collect::<Result<Vec<_>>>()?;
        let mut keys: Vec<Vector> = part.clone();
        keys.extend(ord.iter().cloned());
        let mut sort_keys: Vec<SortKey> = part
            .iter()
            .enumerate()
            .map(|(i, v)| SortKey {
                expr: Expr::Column(i, v.ty.clone()),
                desc: false,
                nulls_first: false,
            })
            .collect();
        sort_keys.extend(call.order.iter().cloned());
        let perm = order_of(&keys, &sort_keys, n);
        drop(keys);
        let (sorted, part, order) = match &perm {
            None => (None, part, ord),
            Some(p) => (
                Some(all.take(p)),
                part.iter().map(|v| v.take(p)).collect::<Vec<_>>(),
                ord.iter().map(|v| v.take(p)).collect(),
            ),
        };
        let mut interner = Interner::default();
        let pkeys = encode(&part, n, &mut interner);
        let okeys = encode(&order, n, &mut interner);
        let mut parts = Vec::new();
        let mut peers = Vec::with_capacity(n);
        let (mut start, mut g) = (0usize, 0u32);
        for i in 0..n {
            if i > 0 && pkeys.key(i) != pkeys.key(i - 1) {
                parts.push((start, i));
                start = i;
                g = 0;
            } else if i > start && okeys.key(i) != okeys.key(i - 1) {
                g += 1;
            }
            peers.push(g);
        }
        if n > 0 {
            parts.push((start, n));
        }
        Ok(Layout {
            perm,
            sorted,
            order,
            parts,
            peers,
        })
    }

    fn call(&self, call: &WindowCall, layout: &Layout, all: &Batch, n: usize) -> Result<Vector> {
        let rows = layout.sorted.as_ref().unwrap_or(all);
        let args = call
            .args
            .iter()
            .map(|e| eval_expr(e, rows, &self.cx))
            .collect::<Result<Vec<_>>>()?;
        let filter = match &call.filter {
            Some(f) => Some(eval_expr(f, rows, &self.cx)?.truth_mask()),
            None => None,
        };
        // Values in sorted order, put back in input order at the end.
        let mut out: Vec<Value> = Vec::with_capacity(n);
        for &(start, end) in &layout.parts {
            self.cx.eval().check_cancel()?;
            let peers = &layout.peers[start..end];
            let order_vals = layout.order.first().map(|v| (v, start));
            let frames = frames(call, peers, order_vals, end - start)?;
            match &call.kind {
                WindowKind::Function(f) => {
                    let pargs: Vec<Vector> = args.iter().map(|a| a.slice(start, end - start)).collect();
                    let input = WindowInput {
                        args: &pargs,
                        peers,
                        frames: &frames,
                        return_type: &call.ty,
                    };
                    out.extend((f.kernel)(self.cx.eval(), &input)?.to_values());
                }
                WindowKind::Aggregate(f, direct) => {
                    let fl = filter.as_ref().map(|m| &m[start..end]);
                    aggregate_frames(f, direct, call, &args, start, &frames, fl, &mut out)?;
                }
            }
        }
        let sorted = Vector::from_values(call.ty.clone(), out);
        Ok(match &layout.perm {
            None => sorted,
            Some(p) => {
                let mut inverse = vec![0u32; p.len()];
                for (pos, &row) in p.iter().enumerate() {
                    if let Some(slot) = inverse.get_mut(row as usize) {
                        *slot = pos as u32;
                    }
                }
                sorted.take(&inverse)
            }
        })
    }
}

/// The input in one (PARTITION BY, ORDER BY) order.
struct Layout {
    /// Sorted position → input row; `None` when the input already is in this order.
    perm: Option<Vec<u32>>,
    /// The input in this order (`None`: the input itself).
    sorted: Option<Batch>,
    /// ORDER BY values in this order.
    order: Vec<Vector>,
    /// Partitions, as `[start, end)` ranges of sorted positions.
    parts: Vec<(usize, usize)>,
    /// Peer group of each sorted position, numbered from 0 in each partition.
    peers: Vec<u32>,
}

/// Whether two calls partition and order rows the same way.
fn same_order(a: &WindowCall, b: &WindowCall) -> bool {
    a.partition.len() == b.partition.len()
        && a.partition.iter().zip(&b.partition).all(|(x, y)| x.same(y))
        && a.order.len() == b.order.len()
        && a.order
            .iter()
            .zip(&b.order)
            .all(|(x, y)| x.desc == y.desc && x.nulls_first == y.nulls_first && x.expr.same(&y.expr))
}

impl Operator for WindowOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.out.is_none() {
            let b = self.run()?;
            self.out = Some(b.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}

fn offset_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        _ => 0,
    }
}

/// Frame `[start, end)` of each row of a partition of `len` rows.
fn frames(
    call: &WindowCall,
    peers: &[u32],
    order: Option<(&Vector, usize)>,
    len: usize,
) -> Result<Vec<(usize, usize)>> {
    let f = &call.frame;
    // Peer-group boundaries (first and one-past-last row of each row's peers, and the start of
    // each group); ROWS frames do not need them.
    let by_peers = f.units != FrameUnits::Rows;
    let mut fp = vec![0usize; if by_peers { len } else { 0 }];
    let mut lp = vec![0usize; fp.len()];
    let mut group_start: Vec<usize> = Vec::new();
    if by_peers {
        for i in 0..len {
            fp[i] = if i > 0 && peers[i] == peers[i - 1] {
                fp[i - 1]
            } else {
                group_start.push(i);
                i
            };
        }
        for i in (0..len).rev() {
            lp[i] = if i + 1 < len && peers[i] == peers[i + 1] {
                lp[i + 1]
            } else {
                i + 1
            };
        }
    }
    let ngroups = group_start.len();
    let group_end = |g: usize| group_start.get(g + 1).copied().unwrap_or(len);
    let range_bound = |i: usize, delta: &Value, following: bool, is_start: bool| -> Result<usize> {
        let Some((vals, base)) = order else {
            return Ok(if is_start { 0 } else { len });
        };
        let desc = call.order.first().is_some_and(|k| k.desc);
        let cur = vals.value(base + i);
        if cur.is_null() {
            return Ok(if is_start { fp[i] } else { lp[i] });
        }
        let shift = |x: &Value, up: bool| -> Result<Value> {
            Ok(match (x, delta) {
                (Value::Int(a), Value::Int(d)) => Value::Int(if up {
                    a.saturating_add(*d)
                } else {
                    a.saturating_sub(*d)
                }),
                (Value::Float(a), _) => {
                    let d = delta.as_f64().unwrap_or(0.0);
                    Value::Float(if up { a + d } else { a - d })
                }
                (Value::Int(a), Value::Float(d)) => {
                    Value::Float(if up { *a as f64 + d } else { *a as f64 - d })
                }
                (Value::Int(a), Value::Interval(iv)) if iv.is_fixed() => Value::Int(if up {
                    a.saturating_add(iv.micros)
                } else {
                    a.saturating_sub(iv.micros)
                }),
                (Value::Int(a), Value::Interval(iv)) => {
                    let us = iv.span_micros() as i64;
                    Value::Int(if up {
                        a.saturating_add(us)
                    } else {
                        a.saturating_sub(us)
                    })
                }
                (Value::Numeric(a), _) => {
                    let d = match delta {
                        Value::Numeric(d) => *d,
                        Value::Int(i) => crate::types::Decimal::from_i64(*i),
                        _ => crate::types::Decimal::from_i64(0),
                    };
                    Value::Numeric(
                        if up { a.checked_add(d) } else { a.checked_sub(d) }
                            .map_err(crate::types::cast::numeric_error)?,
                    )
                }
                _ => {
                    return Err(QueryError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "RANGE with offset for this ORDER BY type",
                    ));
                }
            })
        };
        // In ascending order "following" means larger values.
        let up = following != desc;
        let target = shift(&cur, up)?;
        // Rows with value within the bound: for a start bound, first row with v >= target (asc);
        // for an end bound, first row with v > target (asc).
        let before = |j: usize| -> bool {
            let v = vals.value(base + j);
            if v.is_null() {
                return false;
            }
            let o = v.total_cmp(&target);
            let o = if desc { o.reverse() } else { o };
            if is_start { o.is_lt() } else { o.is_le() }
        };
        // Non-null values are sorted; NULLs sit at one end and are handled by `before`.
        let mut lo = 0;
        let mut hi = len;
        while lo < hi {
            let mid = (lo + hi) / 2;
            if before(mid) { lo = mid + 1 } else { hi = mid }
        }
        Ok(lo)
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let g = peers[i] as usize;
        let s = match &f.start {
            FrameBound::UnboundedPreceding => 0,
            FrameBound::CurrentRow => match f.units {
                FrameUnits::Rows => i,
                _ => fp[i],
            },
            FrameBound::Preceding(d) => match f.units {
                FrameUnits::Rows => i.saturating_sub(offset_of(d).max(0) as usize),
                FrameUnits::Groups => group_start[g.saturating_sub(offset_of(d).max(0) as usize)],
                FrameUnits::Range => range_bound(i, d, false, true)?,
            },
            FrameBound::Following(d) => match f.units {
                FrameUnits::Rows => (i + offset_of(d).max(0) as usize).min(len),
                FrameUnits::Groups => {
                    let t = g + offset_of(d).max(0) as usize;
                    if t >= ngroups { len } else { group_start[t] }
                }
                FrameUnits::Range => range_bound(i, d, true, true)?,
            },
            FrameBound::UnboundedFollowing => len,
        };
        let e = match &f.end {
            FrameBound::UnboundedFollowing => len,
            FrameBound::CurrentRow => match f.units {
                FrameUnits::Rows => i + 1,
                _ => lp[i],
            },
            FrameBound::Preceding(d) => match f.units {
                FrameUnits::Rows => (i + 1).saturating_sub(offset_of(d).max(0) as usize),
                FrameUnits::Groups => {
                    let k = offset_of(d).max(0) as usize;
                    if g < k { 0 } else { group_end(g - k) }
                }
                FrameUnits::Range => range_bound(i, d, false, false)?,
            },
            FrameBound::Following(d) => match f.units {
                FrameUnits::Rows => (i + 1 + offset_of(d).max(0) as usize).min(len),
                FrameUnits::Groups => group_end((g + offset_of(d).max(0) as usize).min(ngroups - 1)),
                FrameUnits::Range => range_bound(i, d, true, false)?,
            },
            FrameBound::UnboundedPreceding => 0,
        };
        out.push((s, e.max(s)));
    }
    Ok(out)
}

/// An aggregate over each row's frame, appended to `out`; frames are relative to the
/// partition, which starts at row `base` of `args` (and at 0 of `filter`).
#[allow(clippy::too_many_arguments)]
fn aggregate_frames(
    f: &std::sync::Arc<crate::functions::AggregateFunction>,
    direct: &[Value],
    call: &WindowCall,
    args: &[Vector],
    base: usize,
    frames: &[(usize, usize)],
    filter: Option<&[bool]>,
    out: &mut Vec<Value>,
) -> Result<()> {
    let spec = AggregateSpec {
        arg_types: call.args.iter().map(Expr::ty).collect(),
        direct_args: direct.to_vec(),
        return_type: call.ty.clone(),
    };
    let fresh = || -> Result<Box<dyn crate::functions::Accumulator>> {
        let mut a = (f.create)(&spec)?;
        a.resize(1);
        Ok(a)
    };
    // Calls `each` on the maximal runs of rows in lo..hi that pass the FILTER; stops at the
    // first `false`.
    let runs = |lo: usize, hi: usize, each: &mut dyn FnMut(usize, usize) -> Result<bool>| -> Result<bool> {
        let Some(m) = filter else {
            return if lo < hi {
                each(base + lo, base + hi)
            } else {
                Ok(true)
            };
        };
        let mut i = lo;
        while i < hi {
            if !m[i] {
                i += 1;
                continue;
            }
            let j = (i..hi).find(|&j| !m[j]).unwrap_or(hi);
            if !each(base + i, base + j)? {
                return Ok(false);
            }
            i = j;
        }
        Ok(true)
    };
    let add = |acc: &mut Box<dyn crate::functions::Accumulator>, lo: usize, hi: usize| -> Result<()> {
        runs(lo, hi, &mut |a, b| acc.add_range(args, a, b).map(|()| true))?;
        Ok(())
    };
    let empty = empty_value(f, &spec)?;
    let monotone = frames.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1);
    if monotone {
        // The accumulator holds rows [s, e); frames only move forward. Rows leaving the frame
        // are retracted; when the function cannot take them back, this one frame is rebuilt
        // from scratch and sliding resumes from it.
        let mut acc = fresh()?;
        let (mut s, mut e) = (0usize, 0usize);
        for &(fs, fe) in frames {
            if fs > s {
                if !runs(s, fs.min(e), &mut |a, b| acc.retract_range(args, a, b))? {
                    acc = fresh()?;
                    e = fs;
                }
                s = fs;
            }
            e = e.max(s);
            if fe > e {
                add(&mut acc, e, fe)?;
                e = fe;
            }
            out.push(if fs >= fe { empty.clone() } else { acc.value(0)? });
        }
        return Ok(());
    }
    // Frames that do not only move forward: recompute each one.
    for &(fs, fe) in frames {
        let mut a = fresh()?;
        add(&mut a, fs, fe)?;
        out.push(a.value(0)?);
    }
    Ok(())
}

fn empty_value(
    f: &std::sync::Arc<crate::functions::AggregateFunction>,
    spec: &AggregateSpec,
) -> Result<Value> {
    let mut a = (f.create)(spec)?;
    a.resize(1);
    a.value(0)
}
