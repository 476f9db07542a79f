//! Window functions. The input is materialised; per call, rows are sorted by (partition, order),
//! frames are computed per row (ROWS, RANGE with offsets, GROUPS), and aggregates over frames
//! run incrementally: running sums for frames starting at the partition start, add/retract for
//! sliding frames (O(n)), recomputation only for aggregates that cannot retract.
use super::context::ExecCtx;
use super::expr::eval_expr;
use super::keys::{Interner, encode};
use super::sort::sort_by_vectors;
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
        let all = Batch::concat(&self.types, &batches);
        let n = all.len();
        let mut cols = all.columns.clone();
        for call in &self.calls {
            cols.push(self.call(call, &all, n)?);
        }
        Ok(super::sort::split(Batch::new(cols, n)))
    }

    fn call(&self, call: &WindowCall, all: &Batch, n: usize) -> Result<Vector> {
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
        let perm = sort_by_vectors(&keys, &sort_keys, n);
        let mut interner = Interner::default();
        let pkeys = encode(
            &part.iter().map(|v| v.take(&perm)).collect::<Vec<_>>(),
            n,
            &mut interner,
        );
        let ord_sorted: Vec<Vector> = ord.iter().map(|v| v.take(&perm)).collect();
        let okeys = encode(&ord_sorted, n, &mut interner);
        let sorted_all = all.take(&perm);
        let args = call
            .args
            .iter()
            .map(|e| eval_expr(e, &sorted_all, &self.cx))
            .collect::<Result<Vec<_>>>()?;
        let filter = match &call.filter {
            Some(f) => Some(eval_expr(f, &sorted_all, &self.cx)?.truth_mask()),
            None => None,
        };
        let mut out = vec![Value::Null; n];
        let mut start = 0;
        while start < n {
            self.cx.eval().check_cancel()?;
            let mut end = start + 1;
            while end < n && pkeys.key(end) == pkeys.key(start) {
                end += 1;
            }
            // Peer groups inside the partition.
            let mut peers = Vec::with_capacity(end - start);
            let mut g = 0u32;
            for i in start..end {
                if i > start && okeys.key(i) != okeys.key(i - 1) {
                    g += 1;
                }
                peers.push(g);
            }
            let order_vals: Option<&Vector> = ord_sorted.first();
            let frames = frames(call, &peers, order_vals.map(|v| (v, start)), end - start)?;
            let pargs: Vec<Vector> = args.iter().map(|a| a.slice(start, end - start)).collect();
            let vals = match &call.kind {
                WindowKind::Function(f) => {
                    let input = WindowInput {
                        args: &pargs,
                        peers: &peers,
                        frames: &frames,
                        return_type: &call.ty,
                    };
                    (f.kernel)(self.cx.eval(), &input)?.to_values()
                }
                WindowKind::Aggregate(f, direct) => {
                    let fl = filter.as_ref().map(|m| &m[start..end]);
                    aggregate_frames(f, direct, call, &pargs, &frames, fl)?
                }
            };
            for (k, v) in vals.into_iter().enumerate() {
                if let Some(&orig) = perm.get(start + k) {
                    out[orig as usize] = v;
                }
            }
            start = end;
        }
        Ok(Vector::from_values(call.ty.clone(), out))
    }
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
    let first_peer = |i: usize| {
        (0..=i)
            .rev()
            .take_while(|&j| peers[j] == peers[i])
            .last()
            .unwrap_or(i)
    };
    let last_peer = |i: usize| (i..len).take_while(|&j| peers[j] == peers[i]).last().unwrap_or(i) + 1;
    // Peer boundaries precomputed for speed.
    let mut fp = vec![0usize; len];
    let mut lp = vec![0usize; len];
    for i in 0..len {
        fp[i] = if i > 0 && peers[i] == peers[i - 1] {
            fp[i - 1]
        } else {
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
    let _ = (&first_peer, &last_peer);
    let group_start: Vec<usize> = {
        let mut v = Vec::new();
        for i in 0..len {
            if i == 0 || peers[i] != peers[i - 1] {
                v.push(i);
            }
        }
        v
    };
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

/// An aggregate over each row's frame.
fn aggregate_frames(
    f: &std::sync::Arc<crate::functions::AggregateFunction>,
    direct: &[Value],
    call: &WindowCall,
    args: &[Vector],
    frames: &[(usize, usize)],
    filter: Option<&[bool]>,
) -> Result<Vec<Value>> {
    let spec = AggregateSpec {
        arg_types: call.args.iter().map(Expr::ty).collect(),
        direct_args: direct.to_vec(),
        return_type: call.ty.clone(),
    };
    let mut acc = (f.create)(&spec)?;
    acc.resize(1);
    let included = |i: usize| filter.is_none_or(|m| m[i]);
    let add = |acc: &mut Box<dyn crate::functions::Accumulator>, lo: usize, hi: usize| -> Result<()> {
        let idx: Vec<u32> = (lo..hi).filter(|&i| included(i)).map(|i| i as u32).collect();
        if idx.is_empty() {
            return Ok(());
        }
        let sub: Vec<Vector> = args.iter().map(|a| a.take(&idx)).collect();
        acc.update(&vec![0; idx.len()], &sub)
    };
    let monotone = frames.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1);
    let mut out = Vec::with_capacity(frames.len());
    if monotone {
        // The accumulator holds rows [s, e); frames only move forward.
        let (mut s, mut e) = (0usize, 0usize);
        let mut retract_ok = true;
        for &(fs, fe) in frames {
            if fs > s {
                let idx: Vec<u32> = (s..fs.min(e))
                    .filter(|&i| included(i))
                    .map(|i| i as u32)
                    .collect();
                if !idx.is_empty() {
                    let sub: Vec<Vector> = args.iter().map(|a| a.take(&idx)).collect();
                    if !acc.retract(&vec![0; idx.len()], &sub)? {
                        retract_ok = false;
                        break;
                    }
                }
                s = fs;
            }
            e = e.max(s);
            if fe > e {
                add(&mut acc, e, fe)?;
                e = fe;
            }
            out.push(if fs >= fe {
                empty_value(f, &spec)?
            } else {
                acc.value(0)?
            });
        }
        if retract_ok {
            return Ok(out);
        }
        out.clear();
    }
    // Recompute each frame.
    for &(fs, fe) in frames {
        let mut a = (f.create)(&spec)?;
        a.resize(1);
        add(&mut a, fs, fe)?;
        out.push(a.value(0)?);
    }
    Ok(out)
}

fn empty_value(
    f: &std::sync::Arc<crate::functions::AggregateFunction>,
    spec: &AggregateSpec,
) -> Result<Value> {
    let mut a = (f.create)(spec)?;
    a.resize(1);
    a.value(0)
}
