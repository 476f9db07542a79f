//! The executor: physical operators over column batches, built from a (optimized) logical plan.
//! Operators pull batches from their inputs; blocking ones (sort, aggregate, window, joins'
//! build sides) materialise what they must, accounted against the statement's memory limit.
mod aggregate;
mod asof;
mod band;
mod basic;
mod branch;
pub mod context;
pub mod convert;
mod expr;
mod gapfill;
mod join;
mod join_table;
mod keys;
mod lateral;
mod parallel;
mod recursive;
mod scan;
mod scan_agg;
mod setop;
pub mod sort;
mod subquery;
mod table_fn;
mod window;

use std::time::Instant;

pub use context::{ExecCtx, Shared};
pub use expr::{eval_constant, eval_expr};
pub use keys::{Interner, KeyTable};
pub use scan::{read_piece, series_filter, skipped_by_stats};
pub use scan_agg::is_time_bucket;

use crate::error::Result;
use crate::plan::Plan;
use crate::vector::Batch;

/// A physical operator.
pub trait Operator: Send {
    /// The next batch, or None when exhausted.
    fn next(&mut self) -> Result<Option<Batch>>;
}

/// A boxed operator.
pub type BoxOp = Box<dyn Operator>;

/// Materialised batches with the memory grant that accounts for them.
#[derive(Default)]
pub struct Drained {
    /// The batches.
    pub batches: Vec<Batch>,
    /// Released when the batches are no longer held.
    pub grant: context::Grant,
}

impl std::ops::Deref for Drained {
    type Target = Vec<Batch>;
    fn deref(&self) -> &Vec<Batch> {
        &self.batches
    }
}

/// Pulls every batch of an operator, accounting memory until the result is dropped.
pub fn drain(op: &mut dyn Operator, cx: &ExecCtx) -> Result<Drained> {
    let mut out = Drained {
        batches: Vec::new(),
        grant: context::Grant::default(),
    };
    while let Some(b) = op.next()? {
        if let Some(s) = &cx.shared {
            out.grant.absorb(s.grant(context::batch_bytes(&b))?);
        }
        out.batches.push(b);
    }
    Ok(out)
}

/// Counts rows and time of an operator for EXPLAIN ANALYZE.
struct Profiled {
    inner: BoxOp,
    slot: usize,
    rows: u64,
    micros: u64,
    cx: ExecCtx,
}

impl Operator for Profiled {
    fn next(&mut self) -> Result<Option<Batch>> {
        let t = Instant::now();
        let r = self.inner.next();
        self.micros += t.elapsed().as_micros() as u64;
        if let Ok(Some(b)) = &r {
            self.rows += b.len() as u64;
        }
        if let Some(s) = &self.cx.shared
            && let Ok(mut p) = s.profile.lock()
            && let Some(e) = p.get_mut(self.slot)
        {
            e.1 = self.rows;
            e.2 = self.micros;
        }
        r
    }
}

/// Builds the operator tree of a plan, with profiling when `profile` is set.
pub fn build_profiled(plan: &Plan, cx: &ExecCtx, profile: bool) -> Result<BoxOp> {
    if !profile {
        return build(plan, cx);
    }
    let label = plan.explain().first().cloned().unwrap_or_default();
    let slot = {
        let shared = cx.shared()?;
        let mut p = shared
            .profile
            .lock()
            .map_err(|_| crate::error::internal("profile lock"))?;
        p.push((label.trim().to_string(), 0, 0));
        p.len() - 1
    };
    let inner = build_node(plan, cx, true)?;
    Ok(Box::new(Profiled {
        inner,
        slot,
        rows: 0,
        micros: 0,
        cx: cx.clone(),
    }))
}

/// Builds the operator tree of a plan.
pub fn build(plan: &Plan, cx: &ExecCtx) -> Result<BoxOp> {
    build_node(plan, cx, false)
}

fn build_node(plan: &Plan, cx: &ExecCtx, profile: bool) -> Result<BoxOp> {
    let child = |p: &Plan| build_profiled(p, cx, profile);
    Ok(match plan {
        Plan::Scan(s) => Box::new(scan::ScanOp::new((**s).clone(), cx.clone())?),
        Plan::SystemTable { name, fields } => {
            let batches = crate::system::rows(name, fields, cx)?;
            Box::new(basic::BatchesOp::new(batches))
        }
        Plan::Values { rows, fields } => {
            let types: Vec<_> = fields.iter().map(|f| f.ty.clone()).collect();
            Box::new(basic::values(rows, &types, cx)?)
        }
        Plan::OneRow => Box::new(basic::BatchesOp::new(vec![Batch::new(Vec::new(), 1)])),
        Plan::Empty { .. } => Box::new(basic::BatchesOp::new(Vec::new())),
        Plan::Filter { input, predicate } => {
            Box::new(basic::FilterOp::new(child(input)?, predicate.clone(), cx.clone()))
        }
        Plan::Project { input, exprs, .. } => {
            Box::new(basic::ProjectOp::new(child(input)?, exprs.clone(), cx.clone()))
        }
        Plan::Aggregate {
            input, group, aggs, ..
        } => match parallel::plan_workers(input, group, aggs, cx)? {
            Some(plans) => Box::new(parallel::ParallelAggregateOp::new(
                &plans,
                group.clone(),
                aggs.clone(),
                cx.clone(),
                profile,
            )?),
            None => Box::new(aggregate::AggregateOp::new(
                child(input)?,
                group.clone(),
                aggs.clone(),
                cx.clone(),
            )),
        },
        Plan::Window { input, calls, .. } => Box::new(window::WindowOp::new(
            child(input)?,
            calls.clone(),
            input.types(),
            cx.clone(),
        )),
        Plan::Sort { input, keys } => {
            Box::new(sort::SortOp::new(child(input)?, keys.clone(), None, cx.clone()))
        }
        Plan::TopN { input, keys, n } => Box::new(sort::SortOp::new(
            child(input)?,
            keys.clone(),
            Some(*n),
            cx.clone(),
        )),
        Plan::Limit { input, limit, offset } => Box::new(basic::LimitOp::new(child(input)?, *limit, *offset)),
        Plan::Distinct { input } => Box::new(basic::DistinctOp::new(child(input)?)),
        Plan::GapFill { input, spec, .. } => Box::new(gapfill::GapFillOp::new(
            child(input)?,
            spec.clone(),
            input.types(),
            cx.clone(),
        )),
        Plan::DistinctOn { input, keys } => {
            Box::new(basic::DistinctOnOp::new(child(input)?, keys.clone(), cx.clone()))
        }
        Plan::Join {
            left,
            right,
            kind,
            on,
            ..
        } => Box::new(join::JoinOp::new(
            child(left)?,
            child(right)?,
            *kind,
            on.as_ref(),
            left.types(),
            right.types(),
            cx.clone(),
        )),
        Plan::AsofJoin {
            left,
            right,
            left_keys,
            right_keys,
            left_time,
            right_time,
            strict,
            outer,
            ..
        } => Box::new(asof::AsofOp::new(
            child(left)?,
            child(right)?,
            left_keys.clone(),
            right_keys.clone(),
            left_time.clone(),
            right_time.clone(),
            *strict,
            *outer,
            right.types(),
            cx.clone(),
        )),
        Plan::Lateral {
            left, right, outer, ..
        } => Box::new(lateral::LateralOp::new(
            child(left)?,
            (**right).clone(),
            *outer,
            cx.clone(),
        )),
        Plan::SetOp {
            kind,
            all,
            left,
            right,
            ..
        } => Box::new(setop::SetOpOp::new(
            child(left)?,
            child(right)?,
            *kind,
            *all,
            plan.types(),
            cx.clone(),
        )),
        Plan::TableFunction { func, args, .. } => Box::new(table_fn::TableFnOp::new(func, args, cx)?),
        Plan::RecursiveCte {
            anchor,
            recursive,
            all,
            id,
            ..
        } => Box::new(recursive::RecursiveOp::new(
            (**anchor).clone(),
            (**recursive).clone(),
            *all,
            *id,
            plan.types(),
            cx.clone(),
        )),
        Plan::WorkTable { id, .. } => {
            let rows = cx
                .shared()?
                .work_tables
                .lock()
                .map_err(|_| crate::error::internal("work table lock"))?
                .get(id)
                .cloned()
                .unwrap_or_default();
            Box::new(basic::BatchesOp::new((*rows).clone()))
        }
        Plan::ScanAggregate {
            scan,
            group,
            aggs,
            fields,
            topk,
        } => scan_agg::run(scan, group, aggs, fields, *topk, cx)?,
        Plan::LastPoint {
            table,
            columns,
            fields,
        } => Box::new(basic::BatchesOp::new(table_fn::last_point(
            table, columns, fields, cx,
        )?)),
    })
}
