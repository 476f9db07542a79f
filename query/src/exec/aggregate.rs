//! Hash aggregation: group keys → dense group ids, one accumulator per aggregate call holding a
//! state per group. FILTER, DISTINCT and ORDER BY inside calls are handled here, generically.
use std::collections::HashSet;

use super::context::ExecCtx;
use super::expr::eval_expr;
use super::keys::{KeyTable, encode};
use super::sort::sort_indices;
use super::{BoxOp, Operator};
use crate::error::Result;
use crate::functions::{Accumulator, AggregateSpec};
use crate::plan::{AggCall, Expr, SortKey};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Rows buffered for an aggregate with ORDER BY: group, arguments, sort keys.
struct Ordered {
    groups: Vec<u32>,
    args: Vec<Vec<Value>>,
    keys: Vec<Vec<Value>>,
}

/// Hash aggregate operator.
pub struct AggregateOp {
    input: BoxOp,
    group: Vec<Expr>,
    aggs: Vec<AggCall>,
    cx: ExecCtx,
    out: Option<std::vec::IntoIter<Batch>>,
}

impl AggregateOp {
    /// Aggregates `input`.
    pub fn new(input: BoxOp, group: Vec<Expr>, aggs: Vec<AggCall>, cx: ExecCtx) -> AggregateOp {
        AggregateOp {
            input,
            group,
            aggs,
            cx,
            out: None,
        }
    }

    fn run(&mut self) -> Result<Vec<Batch>> {
        let mut state = GroupState::new(&self.aggs)?;
        while let Some(b) = self.input.next()? {
            self.cx.eval().check_cancel()?;
            state.add(&b, &self.group, &self.aggs, &self.cx)?;
        }
        state.finish(&self.group, &self.aggs)
    }
}

/// Groups seen so far and the aggregate states per group.
pub(super) struct GroupState {
    table: KeyTable,
    /// Key values of each group, per GROUP BY expression.
    key_values: Vec<Vec<Value>>,
    accs: Vec<Box<dyn Accumulator>>,
    /// (group, argument key) pairs already fed, per DISTINCT call.
    seen: Vec<HashSet<(u32, Vec<u8>)>>,
    /// Rows buffered per call with ORDER BY.
    ordered: Vec<Ordered>,
    interner: super::keys::Interner,
}

impl GroupState {
    pub(super) fn new(aggs: &[AggCall]) -> Result<GroupState> {
        let mut accs: Vec<Box<dyn Accumulator>> = Vec::with_capacity(aggs.len());
        for a in aggs {
            let spec = AggregateSpec {
                arg_types: a.args.iter().map(Expr::ty).collect(),
                direct_args: a.direct.clone(),
                return_type: a.ty.clone(),
            };
            accs.push((a.func.create)(&spec)?);
        }
        Ok(GroupState {
            table: KeyTable::default(),
            key_values: Vec::new(),
            accs,
            seen: vec![HashSet::new(); aggs.len()],
            ordered: (0..aggs.len())
                .map(|_| Ordered {
                    groups: vec![],
                    args: vec![],
                    keys: vec![],
                })
                .collect(),
            interner: super::keys::Interner::default(),
        })
    }

    fn groups(&self, group: &[Expr]) -> usize {
        if group.is_empty() { 1 } else { self.table.len() }
    }

    /// Adds the rows of `b`.
    pub(super) fn add(&mut self, b: &Batch, group: &[Expr], aggs: &[AggCall], cx: &ExecCtx) -> Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        let n = b.len();
        let keys = group
            .iter()
            .map(|g| eval_expr(g, b, cx))
            .collect::<Result<Vec<_>>>()?;
        let gids = self.assign(&keys, n, group.is_empty());
        let runs = runs_of(&gids);
        let ngroups = self.groups(group);
        for (ai, a) in aggs.iter().enumerate() {
            let mut args = a
                .args
                .iter()
                .map(|x| eval_expr(x, b, cx))
                .collect::<Result<Vec<_>>>()?;
            let mut rows: Option<Vec<u32>> = None;
            if let Some(f) = &a.filter {
                let m = eval_expr(f, b, cx)?.truth_mask();
                rows = Some((0..n as u32).filter(|&i| m[i as usize]).collect());
            }
            if a.distinct {
                // array_agg collects NULLs (one per DISTINCT set); the others skip them.
                let skip_nulls = a.func.name != "array_agg";
                let arg_keys = encode(&args, n, &mut self.interner);
                let candidates: Vec<u32> = rows.clone().unwrap_or_else(|| (0..n as u32).collect());
                let mut keep = Vec::new();
                for i in candidates {
                    if skip_nulls && args.iter().any(|v| v.is_null(i as usize)) {
                        continue;
                    }
                    if self.seen[ai].insert((gids[i as usize], arg_keys.key(i as usize).to_vec())) {
                        keep.push(i);
                    }
                }
                rows = Some(keep);
            }
            let selected: Vec<u32>;
            let sel_gids: &[u32] = match &rows {
                Some(r) => {
                    selected = r.iter().map(|&i| gids[i as usize]).collect();
                    &selected
                }
                None => &gids,
            };
            if let Some(r) = &rows {
                args = args.iter().map(|v| v.take(r)).collect();
            }
            if !a.order_by.is_empty() {
                let sub = match &rows {
                    Some(r) => b.take(r),
                    None => b.clone(),
                };
                let kv = a
                    .order_by
                    .iter()
                    .map(|k| eval_expr(&k.expr, &sub, cx))
                    .collect::<Result<Vec<_>>>()?;
                let o = &mut self.ordered[ai];
                for (i, &g) in sel_gids.iter().enumerate() {
                    o.groups.push(g);
                    o.args.push(args.iter().map(|v| v.value(i)).collect());
                    o.keys.push(kv.iter().map(|v| v.value(i)).collect());
                }
                continue;
            }
            self.accs[ai].resize(ngroups);
            match (&runs, &rows) {
                (Some(runs), None) => self.accs[ai].update_runs(runs, sel_gids, &args)?,
                _ if !sel_gids.is_empty() => self.accs[ai].update(sel_gids, &args)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Group id of each row of `keys`, recording the key values of new groups.
    fn assign(&mut self, keys: &[Vector], n: usize, no_group: bool) -> Vec<u32> {
        if no_group {
            return vec![0u32; n];
        }
        let mut new_rows = Vec::new();
        let gids = self.table.assign(keys, n, &mut new_rows);
        if self.key_values.len() < keys.len() {
            self.key_values.resize(keys.len(), Vec::new());
        }
        for &r in &new_rows {
            for (kv, k) in self.key_values.iter_mut().zip(keys) {
                kv.push(k.value(r));
            }
        }
        gids
    }

    /// Folds `other`, built over other rows of the same input, into this state. Only for calls
    /// without DISTINCT and ORDER BY (see `parallel::mergeable`).
    pub(super) fn merge(&mut self, mut other: GroupState, group: &[Expr]) -> Result<()> {
        let n = other.groups(group);
        if n == 0 {
            return Ok(());
        }
        let keys: Vec<Vector> = group
            .iter()
            .zip(std::mem::take(&mut other.key_values))
            .map(|(g, kv)| Vector::from_values(g.ty(), kv))
            .collect();
        let map = self.assign(&keys, n, group.is_empty());
        let ngroups = self.groups(group);
        for (acc, o) in self.accs.iter_mut().zip(other.accs.iter_mut()) {
            acc.resize(ngroups);
            o.resize(n);
            acc.merge(&mut **o, &map)?;
        }
        Ok(())
    }

    /// The result rows: group keys, then one column per call.
    pub(super) fn finish(mut self, group: &[Expr], aggs: &[AggCall]) -> Result<Vec<Batch>> {
        let ngroups = self.groups(group);
        for (ai, a) in aggs.iter().enumerate() {
            self.accs[ai].resize(ngroups);
            if !a.order_by.is_empty() {
                feed_ordered(&mut *self.accs[ai], &self.ordered[ai], &a.order_by, a)?;
            }
        }
        let mut batches = Vec::new();
        let chunk = 8192;
        let mut start = 0;
        while start < ngroups {
            let end = (start + chunk).min(ngroups);
            let mut cols = Vec::with_capacity(group.len() + aggs.len());
            for (g, kv) in group.iter().zip(&self.key_values) {
                cols.push(Vector::from_values(g.ty(), kv[start..end].to_vec()));
            }
            for (acc, a) in self.accs.iter().zip(aggs) {
                let vals = (start..end).map(|g| acc.value(g)).collect::<Result<Vec<_>>>()?;
                cols.push(Vector::from_values(a.ty.clone(), vals));
            }
            batches.push(Batch::new(cols, end - start));
            start = end;
        }
        Ok(batches)
    }
}

fn feed_ordered(acc: &mut dyn Accumulator, o: &Ordered, keys: &[SortKey], a: &AggCall) -> Result<()> {
    if o.groups.is_empty() {
        return Ok(());
    }
    let n = o.groups.len();
    // Sort rows by (group, keys) then feed in that order.
    let mut key_cols = vec![Vector::ints(
        DataType::Int8,
        o.groups.iter().map(|&g| i64::from(g)).collect(),
    )];
    let mut sort_keys = vec![SortKey {
        expr: Expr::Column(0, DataType::Int8),
        desc: false,
        nulls_first: false,
    }];
    for (k, sk) in keys.iter().enumerate() {
        let ty = sk.expr.ty();
        key_cols.push(Vector::from_values(
            ty.clone(),
            o.keys.iter().map(|r| r[k].clone()).collect(),
        ));
        sort_keys.push(SortKey {
            expr: Expr::Column(k + 1, ty),
            desc: sk.desc,
            nulls_first: sk.nulls_first,
        });
    }
    let batch = Batch::new(key_cols, n);
    let perm = sort_indices(&batch, &sort_keys)?;
    let groups: Vec<u32> = perm.iter().map(|&i| o.groups[i as usize]).collect();
    let args: Vec<Vector> = a
        .args
        .iter()
        .enumerate()
        .map(|(k, e)| {
            Vector::from_values(
                e.ty(),
                perm.iter().map(|&i| o.args[i as usize][k].clone()).collect(),
            )
        })
        .collect();
    acc.update(&groups, &args)
}

impl Operator for AggregateOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.out.is_none() {
            let b = self.run()?;
            self.out = Some(b.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}

/// The runs of equal group ids (see `Accumulator::update_runs`), when they average at least
/// eight rows: series-major scans and join outputs bring them, and a run is folded at once.
pub(super) fn runs_of(gids: &[u32]) -> Option<Vec<(u32, u32)>> {
    let mut runs = Vec::new();
    let mut start = 0;
    while let Some(&g) = gids.get(start) {
        let end = gids[start..]
            .iter()
            .position(|&h| h != g)
            .map_or(gids.len(), |k| start + k);
        runs.push((g, end as u32));
        if runs.len() * 8 > gids.len() {
            return None;
        }
        start = end;
    }
    (!runs.is_empty()).then_some(runs)
}
