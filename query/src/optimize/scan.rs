//! Scan restriction: conjuncts on the time column become an exact time range (partition and
//! block pruning), tag equalities and IN lists become series sets (roaring bitmaps), and
//! comparisons of numeric fields with constants become block-skipping ranges (kept as filters).
use crate::context::EvalContext;
use crate::plan::{Expr, Plan, ScanPlan};
use crate::types::{DataType, Value};
use plantdb_storage::ColumnRole;

/// Restricts every scan of the plan.
pub fn restrict_scans(p: Plan, ctx: &EvalContext) -> Plan {
    let _ = ctx;
    match p {
        Plan::Scan(s) => Plan::Scan(Box::new(restrict(*s))),
        other => super::pushdown::map_children(other, |c| restrict_scans(c, &EvalContext::default())),
    }
}

/// `column op literal` (either order), normalised so that the column is on the left.
fn comparison(e: &Expr) -> Option<(usize, &str, &Value)> {
    let Expr::Call { func, args, .. } = e else {
        return None;
    };
    let [a, b] = &args[..] else { return None };
    let flip = |op: &str| -> &'static str {
        match op {
            "<" => ">",
            "<=" => ">=",
            ">" => "<",
            ">=" => "<=",
            "=" => "=",
            _ => "",
        }
    };
    match (a, b) {
        (Expr::Column(i, _), Expr::Literal(v, _)) => Some((*i, op_static(&func.name)?, v)),
        (Expr::Literal(v, _), Expr::Column(i, _)) => {
            let f = flip(&func.name);
            (!f.is_empty()).then_some((*i, f, v))
        }
        _ => None,
    }
}

fn op_static(op: &str) -> Option<&'static str> {
    Some(match op {
        "<" => "<",
        "<=" => "<=",
        ">" => ">",
        ">=" => ">=",
        "=" => "=",
        _ => return None,
    })
}

fn restrict(mut s: ScanPlan) -> ScanPlan {
    let mut keep = Vec::new();
    let (mut lo, mut hi) = s.time;
    for c in std::mem::take(&mut s.filter) {
        let col_of = |i: usize| s.columns.get(i).copied();
        // Time column against a constant: exact, so the conjunct goes away.
        if let Some((i, op, Value::Int(v))) = comparison(&c)
            && let Some(sc) = col_of(i)
            && s.table.columns[sc].role == ColumnRole::Time
            && matches!(
                s.table.columns[sc].ty,
                DataType::Timestamp | DataType::Timestamptz
            )
            && c.children()
                .iter()
                .all(|x| matches!(x.ty(), DataType::Timestamp | DataType::Timestamptz))
        {
            match op {
                ">=" => lo = lo.max(*v),
                ">" => lo = lo.max(v.saturating_add(1)),
                "<=" => hi = hi.min(*v),
                "<" => hi = hi.min(v.saturating_sub(1)),
                _ => {
                    lo = lo.max(*v);
                    hi = hi.min(*v);
                }
            }
            continue;
        }
        // Tag = 'x' / tag IN ('x', 'y'): a series set.
        if let Some((i, "=", Value::Str(v))) = comparison(&c)
            && let Some(sc) = col_of(i)
            && s.table.columns[sc].role == ColumnRole::Tag
        {
            s.tags.push((sc, vec![Some(v.to_string())]));
            continue;
        }
        if let Expr::InList {
            expr,
            list,
            negated: false,
            ..
        } = &c
            && let Expr::Column(i, _) = &**expr
            && let Some(sc) = col_of(*i)
            && s.table.columns[sc].role == ColumnRole::Tag
            && list.iter().all(|x| matches!(x, Expr::Literal(Value::Str(_), _)))
        {
            let vals = list
                .iter()
                .filter_map(|x| match x {
                    Expr::Literal(Value::Str(v), _) => Some(Some(v.to_string())),
                    _ => None,
                })
                .collect();
            s.tags.push((sc, vals));
            continue;
        }
        // Numeric field against a constant: blocks whose min/max exclude it are skipped.
        if let Some((i, op, v)) = comparison(&c)
            && let Some(sc) = col_of(i)
            && s.table.columns[sc].role == ColumnRole::Field
            && matches!(
                s.table.columns[sc].ty,
                DataType::Float8 | DataType::Float4 | DataType::Int2 | DataType::Int4 | DataType::Int8
            )
            && let Some(x) = v.as_f64()
            && !x.is_nan()
        {
            let (l, h) = match op {
                ">" | ">=" => (x, f64::INFINITY),
                "<" | "<=" => (f64::NEG_INFINITY, x),
                _ => (x, x),
            };
            s.ranges.push((sc, l, h));
        }
        keep.push(c);
    }
    s.filter = keep;
    s.time = (lo, hi);
    s
}
