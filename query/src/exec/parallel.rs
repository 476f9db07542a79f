//! Parallel aggregation. An aggregate whose input is a row-local pipeline over one large scan
//! (filters, projections, and joins that stream their left input past a small right side) runs
//! that pipeline once per worker thread, each over an interleaved share of the scan's pieces,
//! into its own group table; the tables are then merged (group ids remapped, accumulator states
//! merged). Everything else stays on one thread: calls with DISTINCT or ORDER BY, aggregates
//! whose result depends on row order, subqueries, small inputs, and joins whose right side
//! (built again by every worker) is not small against the scan.
//!
//! Under EXPLAIN ANALYZE the operators below a parallel aggregate report the first worker's
//! share.
use super::aggregate::GroupState;
use super::context::ExecCtx;
use super::scan::scan_rows;
use super::{BoxOp, Operator, build, build_profiled};
use crate::error::{Result, internal};
use crate::plan::{AggCall, Expr, JoinKind, Plan};
use crate::vector::Batch;

/// Fewest rows the driving scan must read for a second thread to pay off.
const MIN_ROWS: u64 = 1 << 18;
/// The right sides of joins on the driving path, which every worker builds, may hold at most
/// this fraction of the driving scan's rows.
const BUILD_SHARE: u64 = 8;
/// Most workers.
const MAX_WORKERS: usize = 4;

/// Aggregates whose states merge to the sequential answer whatever the row order (up to the
/// rounding of floating-point sums).
fn mergeable(a: &AggCall) -> bool {
    !a.distinct
        && a.order_by.is_empty()
        && a.direct.is_empty()
        && matches!(
            a.func.name.as_str(),
            "count"
                | "sum"
                | "avg"
                | "min"
                | "max"
                | "stddev"
                | "stddev_samp"
                | "stddev_pop"
                | "variance"
                | "var_samp"
                | "var_pop"
                | "bool_and"
                | "bool_or"
                | "every"
        )
}

/// Whether an expression can be evaluated by any worker alone.
fn local(e: &Expr) -> bool {
    !e.any(&|x| matches!(x, Expr::Subquery(_) | Expr::Outer { .. }))
}

/// `plan` with its driving scan restricted to share `k` of `w`, or `None` when the plan is not
/// a row-local pipeline over one scan. `builds` collects the right sides of joins on the path.
fn sliced<'a>(plan: &'a Plan, k: usize, w: usize, builds: &mut Vec<&'a Plan>) -> Option<Plan> {
    Some(match plan {
        Plan::Scan(s) if s.slice.is_none() && s.filter.iter().all(local) => {
            let mut s = s.clone();
            s.slice = Some((k, w));
            Plan::Scan(s)
        }
        Plan::Filter { input, predicate } if local(predicate) => Plan::Filter {
            input: Box::new(sliced(input, k, w, builds)?),
            predicate: predicate.clone(),
        },
        Plan::Project { input, exprs, fields } if exprs.iter().all(local) => Plan::Project {
            input: Box::new(sliced(input, k, w, builds)?),
            exprs: exprs.clone(),
            fields: fields.clone(),
        },
        // Each left row meets the whole right side in one worker: inner, left, semi and anti
        // joins give the same rows as on one thread.
        Plan::Join {
            left,
            right,
            kind: kind @ (JoinKind::Inner | JoinKind::Left | JoinKind::Semi | JoinKind::Anti),
            on,
            fields,
        } if on.as_ref().is_none_or(local) => {
            builds.push(right);
            Plan::Join {
                left: Box::new(sliced(left, k, w, builds)?),
                right: right.clone(),
                kind: *kind,
                on: on.clone(),
                fields: fields.clone(),
            }
        }
        _ => return None,
    })
}

/// The driving scan of a sliced pipeline.
fn driving(plan: &Plan) -> Option<&crate::plan::ScanPlan> {
    match plan {
        Plan::Scan(s) => Some(s),
        Plan::Filter { input, .. } | Plan::Project { input, .. } => driving(input),
        Plan::Join { left, .. } => driving(left),
        _ => None,
    }
}

/// Rows read by every scan in `plan` (upper bound).
fn rows_in(plan: &Plan, cx: &ExecCtx) -> Result<u64> {
    let own = match plan {
        Plan::Scan(s) => scan_rows(s, cx)?,
        _ => 0,
    };
    plan.inputs()
        .into_iter()
        .try_fold(own, |acc, p| Ok(acc + rows_in(p, cx)?))
}

/// The per-worker input pipelines for an aggregate, when running it in parallel pays off.
pub(super) fn plan_workers(
    input: &Plan,
    group: &[Expr],
    aggs: &[AggCall],
    cx: &ExecCtx,
) -> Result<Option<Vec<Plan>>> {
    // PostgreSQL's setting counts the workers besides the leader; here every thread is a worker.
    let extra = cx
        .eval()
        .setting("max_parallel_workers_per_gather")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(2);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let w = (extra + 1).min(cores).min(MAX_WORKERS);
    if w < 2 || !aggs.iter().all(mergeable) || !group.iter().all(local) {
        return Ok(None);
    }
    if !aggs
        .iter()
        .all(|a| a.args.iter().all(local) && a.filter.as_ref().is_none_or(local))
    {
        return Ok(None);
    }
    let mut builds = Vec::new();
    let Some(first) = sliced(input, 0, w, &mut builds) else {
        return Ok(None);
    };
    let Some(scan) = driving(&first) else {
        return Ok(None);
    };
    let rows = scan_rows(scan, cx)?;
    if rows < MIN_ROWS {
        return Ok(None);
    }
    let mut built = 0;
    for b in builds {
        built += rows_in(b, cx)?;
    }
    if built.saturating_mul(BUILD_SHARE) > rows {
        return Ok(None);
    }
    let mut plans = vec![first];
    for k in 1..w {
        plans.push(sliced(input, k, w, &mut Vec::new()).ok_or_else(|| internal("parallel slice"))?);
    }
    Ok(Some(plans))
}

/// An aggregate over worker pipelines.
pub struct ParallelAggregateOp {
    workers: Vec<BoxOp>,
    group: Vec<Expr>,
    aggs: Vec<AggCall>,
    cx: ExecCtx,
    out: Option<std::vec::IntoIter<Batch>>,
}

impl ParallelAggregateOp {
    /// Builds the worker pipelines (the first one profiled when `profile` is set, so that
    /// EXPLAIN ANALYZE finds its operators in plan order).
    pub fn new(
        plans: &[Plan],
        group: Vec<Expr>,
        aggs: Vec<AggCall>,
        cx: ExecCtx,
        profile: bool,
    ) -> Result<Self> {
        let mut workers = Vec::with_capacity(plans.len());
        for (k, p) in plans.iter().enumerate() {
            workers.push(if k == 0 {
                build_profiled(p, &cx, profile)?
            } else {
                build(p, &cx)?
            });
        }
        Ok(ParallelAggregateOp {
            workers,
            group,
            aggs,
            cx,
            out: None,
        })
    }

    fn run(&mut self) -> Result<Vec<Batch>> {
        let (group, aggs, cx) = (&self.group, &self.aggs, &self.cx);
        let states: Vec<Result<GroupState>> = std::thread::scope(|s| {
            let handles: Vec<_> = self
                .workers
                .iter_mut()
                .map(|op| {
                    s.spawn(move || -> Result<GroupState> {
                        let mut state = GroupState::new(aggs)?;
                        while let Some(b) = op.next()? {
                            cx.eval().check_cancel()?;
                            state.add(&b, group, aggs, cx)?;
                        }
                        Ok(state)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(internal("parallel aggregate worker panicked")))
                })
                .collect()
        });
        let mut states = states.into_iter();
        let mut all = states.next().ok_or_else(|| internal("no workers"))??;
        for st in states {
            all.merge(st?, group)?;
        }
        all.finish(group, aggs)
    }
}

impl Operator for ParallelAggregateOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.out.is_none() {
            let b = self.run()?;
            self.out = Some(b.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
