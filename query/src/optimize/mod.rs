//! The optimizer: rewrite rules applied in order over the logical plan.
//! 1. constant folding, then gap filling (`time_bucket_gapfill`, see [`gapfill`]); 2. filter pushdown (through projections and into join sides and scans);
//! 3. scan restriction: time range, tag series sets, block-skipping ranges; 4. column pruning;
//! 5. time-series rules (last point, top-N, fused scan aggregates, LATERAL as-of lookups → ASOF join).
mod decorrelate;
mod fold;
pub mod gapfill;
mod prune;
mod pushdown;
pub(crate) use pushdown::map_exprs;
mod scan;
mod timeseries;

use crate::context::EvalContext;
use crate::error::Result;
use crate::plan::Plan;

/// Optimizes a plan.
pub fn optimize(plan: Plan, ctx: &EvalContext) -> Result<Plan> {
    let plan = fold::fold_plan(plan, ctx);
    let plan = gapfill::apply(plan)?;
    let plan = pushdown::push_filters(plan);
    let plan = scan::restrict_scans(plan, ctx);
    let plan = prune::prune(plan);
    let fuse = ctx.setting("plantdb.scan_aggregate").is_none_or(|v| v != "off");
    let plan = timeseries::apply(plan, fuse);
    Ok(plan)
}

/// Folds constants and restricts the scan of a DELETE (no column pruning: the filter sees every
/// column).
pub fn restrict_for_delete(plan: Plan, ctx: &EvalContext) -> Plan {
    let plan = fold::fold_plan(plan, ctx);
    scan::restrict_scans(plan, ctx)
}

/// Folds the constant parts of an expression.
pub fn fold_expr(e: crate::plan::Expr, ctx: &EvalContext) -> crate::plan::Expr {
    fold::fold(e, ctx)
}
