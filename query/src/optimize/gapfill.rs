//! Gap filling: recognises `time_bucket_gapfill(width, ts [, start, finish])` among the group keys
//! of an aggregate and puts a [`Plan::GapFill`] node between the aggregate (with its HAVING) and
//! the select list, whose `locf(...)` / `interpolate(...)` calls become columns of that node.
//!
//! Bounds: the `start` / `finish` arguments when given (constants), else the WHERE conjuncts
//! comparing the time column with constants (`ts >= a`, `ts > a` → a + 1 µs, `ts < b`,
//! `ts <= b` → b + 1 µs; the tightest wins), as TimescaleDB infers them. The first bucket is
//! the bucket holding `start`. Errors (22023): no bound, a non-constant width or bound, a
//! width of months, `ts` not a column when bounds must be inferred, finish not after start.
//!
//! For `locf` / `interpolate` the node also receives the aggregate rebuilt without the WHERE
//! bounds on the time column ([`Lookup`]), to look up the last bucket before the range and the
//! first one after it (see `exec::gapfill`).
use std::cell::RefCell;
use std::sync::Arc;

use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{Expr, Field, FillCall, FillKind, GapFillSpec, Lookup, Plan};
use crate::types::Value;

/// Name of the bucketing function.
pub const GAPFILL: &str = "time_bucket_gapfill";
/// Default origin of fixed-width buckets (2000-01-03, a Monday, as `time_bucket`).
const ORIGIN: i64 = 946_857_600_000_000;
const DAY: i64 = 86_400_000_000;

thread_local! {
    static ERROR: RefCell<Option<QueryError>> = const { RefCell::new(None) };
}

fn invalid(msg: impl Into<String>) -> QueryError {
    QueryError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// Applies the rewrite everywhere in the plan.
pub fn apply(plan: Plan) -> Result<Plan> {
    if !mentions_gapfill(&plan) {
        return Ok(plan);
    }
    ERROR.with(|e| e.borrow_mut().take());
    let out = walk(plan);
    match ERROR.with(|e| e.borrow_mut().take()) {
        Some(err) => Err(err),
        None => Ok(out),
    }
}

fn is_call(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Call { func, .. } if func.name == name)
}

fn mentions_gapfill(p: &Plan) -> bool {
    let own = match p {
        Plan::Aggregate { group, .. } => group.iter().any(|g| g.any(&|x| is_call(x, GAPFILL))),
        _ => false,
    };
    own || p.inputs().iter().any(|i| mentions_gapfill(i))
}

fn walk(p: Plan) -> Plan {
    let p = super::pushdown::map_children(p, walk);
    match p {
        Plan::Project { input, exprs, fields } => match rewrite(*input, exprs, fields) {
            Ok(p) => p,
            Err(e) => {
                ERROR.with(|x| {
                    let mut x = x.borrow_mut();
                    if x.is_none() {
                        *x = Some(e);
                    }
                });
                Plan::Empty { fields: Vec::new() }
            }
        },
        other => other,
    }
}

/// The aggregate under `p` (through windows and HAVING), when its keys hold a gapfill call.
fn gapfill_key(p: &Plan) -> Option<usize> {
    match p {
        Plan::Window { input, .. } | Plan::Filter { input, .. } => gapfill_key(input),
        Plan::Aggregate { group, .. } => group.iter().position(|g| is_call(g, GAPFILL)),
        _ => None,
    }
}

fn rewrite(input: Plan, exprs: Vec<Expr>, fields: Vec<Field>) -> Result<Plan> {
    let Some(bucket) = gapfill_key(&input) else {
        return Ok(Plan::Project {
            input: Box::new(input),
            exprs,
            fields,
        });
    };
    // Windows stay above the gap fill; their output columns move right by the fill columns.
    let mut windows = Vec::new();
    let mut below = input;
    while let Plan::Window { input, calls, fields } = below {
        windows.push((calls, fields));
        below = *input;
    }
    let n_in = below.fields().len();
    // Fill calls of the select list → columns FILL_TAG + j; window columns → WIN_TAG + i.
    let mut fills: Vec<FillCall> = Vec::new();
    let mut err: Option<QueryError> = None;
    let tagged: Vec<Expr> = exprs
        .into_iter()
        .map(|e| replace_fills(e, n_in, &mut fills, &mut err))
        .collect();
    if let Some(e) = err {
        return Err(e);
    }
    let k = fills.len();
    let new_exprs: Vec<Expr> = tagged
        .into_iter()
        .map(|e| {
            e.transform(&mut |x| match x {
                Expr::Column(i, t) if i >= WIN_TAG => Expr::Column(i - WIN_TAG + k, t),
                Expr::Column(i, t) if i >= FILL_TAG => Expr::Column(i - FILL_TAG + n_in, t),
                x => x,
            })
        })
        .collect();
    let spec = build_spec(&below, bucket, fills)?;
    let mut gf_fields = below.fields();
    for (j, f) in spec.fills.iter().enumerate() {
        gf_fields.push(Field::new(format!("fill{j}"), f.ty.clone()));
    }
    let mut plan = Plan::GapFill {
        input: Box::new(below),
        spec: Arc::new(spec),
        fields: gf_fields,
    };
    // Re-stack the windows (innermost first); columns of inner windows move right by k.
    while let Some((calls, mut wfields)) = windows.pop() {
        let extra: Vec<Field> = plan.fields()[n_in..n_in + k].to_vec();
        let tail = wfields.split_off(n_in.min(wfields.len()));
        let mut f = wfields;
        f.extend(extra);
        f.extend(tail);
        let up = |e: &mut Expr| {
            let x = std::mem::replace(e, Expr::null(crate::types::DataType::Unknown));
            *e = x.transform(&mut |c| match c {
                Expr::Column(i, t) if i >= n_in => Expr::Column(i + k, t),
                c => c,
            });
        };
        let mut calls = calls;
        for c in calls.iter_mut() {
            c.args
                .iter_mut()
                .chain(c.partition.iter_mut())
                .chain(c.filter.iter_mut())
                .for_each(up);
            c.order.iter_mut().for_each(|o| up(&mut o.expr));
        }
        plan = Plan::Window {
            input: Box::new(plan),
            calls,
            fields: f,
        };
    }
    Ok(Plan::Project {
        input: Box::new(plan),
        exprs: new_exprs,
        fields,
    })
}

/// Temporary column numbers: fill columns are FILL_TAG + j, shifted window columns WIN_TAG + i.
const FILL_TAG: usize = 1 << 40;
const WIN_TAG: usize = 1 << 41;

fn replace_fills(e: Expr, n_in: usize, fills: &mut Vec<FillCall>, err: &mut Option<QueryError>) -> Expr {
    // Window output columns (>= n_in) are tagged first, so that they can be shifted afterwards.
    let e = e.transform(&mut |x| match x {
        Expr::Column(i, t) if i >= n_in && i < FILL_TAG => Expr::Column(i + WIN_TAG, t),
        x => x,
    });
    top_down(e, &mut |x| {
        let Expr::Call { func, args, ty } = x else {
            return Err(x);
        };
        let kind = match func.name.as_str() {
            "locf" => FillKind::Locf {
                treat_null_as_missing: false,
            },
            "interpolate" => FillKind::Interpolate,
            _ => return Err(Expr::Call { func, args, ty }),
        };
        match fill_call(kind, &func.name, args, ty.clone()) {
            Ok(call) => {
                if call
                    .expr
                    .any(&|y| is_call(y, "locf") || is_call(y, "interpolate"))
                {
                    err.get_or_insert(invalid(format!("{}() calls cannot be nested", func.name)));
                }
                if call
                    .expr
                    .any(&|y| matches!(y, Expr::Column(i, _) if *i >= WIN_TAG))
                {
                    err.get_or_insert(QueryError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!("{}() of a window function is not supported", func.name),
                    ));
                }
                let t = call.ty.clone();
                fills.push(call);
                Ok(Expr::Column(FILL_TAG + fills.len() - 1, t))
            }
            Err(e) => {
                err.get_or_insert(e);
                Ok(Expr::null(ty))
            }
        }
    })
}

/// Rewrites top-down: `f` returns Ok(replacement) to stop, Err(original) to descend.
fn top_down(e: Expr, f: &mut dyn FnMut(Expr) -> std::result::Result<Expr, Expr>) -> Expr {
    match f(e) {
        Ok(r) => r,
        Err(e) => crate::bind::rebuild(e, &mut |c| top_down(c, f)),
    }
}

fn const_arg(e: Option<&Expr>) -> Result<Option<Value>> {
    match e {
        None => Ok(None),
        Some(Expr::Literal(v, _)) => Ok(Some(v.clone())),
        Some(Expr::Cast(inner, _)) if matches!(**inner, Expr::Literal(Value::Null, _)) => {
            Ok(Some(Value::Null))
        }
        Some(_) => Err(invalid(
            "the arguments after the first of locf() and interpolate() must be constants",
        )),
    }
}

fn fill_call(
    kind: FillKind,
    name: &str,
    mut args: Vec<Expr>,
    ty: crate::types::DataType,
) -> Result<FillCall> {
    if args.is_empty() {
        return Err(invalid(format!("{name}() needs a value")));
    }
    let rest = args.split_off(1);
    let max_gap = match const_arg(rest.first())? {
        None | Some(Value::Null) => None,
        Some(Value::Interval(iv)) => {
            if iv.months != 0 {
                return Err(invalid(format!("{name}(): max_gap cannot be given in months")));
            }
            let us = i64::from(iv.days) * DAY + iv.micros;
            if us < 0 {
                return Err(invalid(format!("{name}(): max_gap must not be negative")));
            }
            Some(us)
        }
        Some(v) => {
            return Err(invalid(format!(
                "{name}(): max_gap must be an interval, not {v:?}"
            )));
        }
    };
    let kind = match (kind, const_arg(rest.get(1))?) {
        (FillKind::Locf { .. }, Some(Value::Bool(b))) => FillKind::Locf {
            treat_null_as_missing: b,
        },
        (k, None | Some(Value::Null)) => k,
        (_, Some(_)) => {
            return Err(invalid(format!(
                "{name}(): treat_null_as_missing must be a boolean"
            )));
        }
    };
    let expr = args
        .pop()
        .ok_or_else(|| invalid(format!("{name}() needs a value")))?;
    Ok(FillCall {
        kind,
        expr,
        max_gap,
        ty,
    })
}

fn time_const(v: &Value, what: &str) -> Result<i64> {
    match v {
        Value::Int(t) => Ok(*t),
        Value::Null => Err(invalid(format!(
            "invalid time_bucket_gapfill argument: {what} cannot be NULL"
        ))),
        _ => Err(invalid(format!(
            "invalid time_bucket_gapfill argument: {what} must be a timestamp"
        ))),
    }
}

fn build_spec(below: &Plan, bucket: usize, fills: Vec<FillCall>) -> Result<GapFillSpec> {
    let (agg, having) = match below {
        Plan::Filter { input, predicate } => (&**input, Some(predicate.clone())),
        p => (p, None),
    };
    let Plan::Aggregate {
        input, group, aggs, ..
    } = agg
    else {
        return Err(crate::error::internal("gapfill without aggregate"));
    };
    let Some(Expr::Call { args, .. }) = group.get(bucket) else {
        return Err(crate::error::internal("gapfill key"));
    };
    let width = match args.first() {
        Some(Expr::Literal(Value::Interval(iv), _)) => {
            if iv.months != 0 {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "time_bucket_gapfill: bucket widths in months are not supported",
                ));
            }
            let us = i64::from(iv.days) * DAY + iv.micros;
            if us <= 0 {
                return Err(invalid(
                    "invalid time_bucket_gapfill argument: bucket_width must be greater than 0",
                ));
            }
            us
        }
        Some(Expr::Literal(Value::Null, _)) => {
            return Err(invalid(
                "invalid time_bucket_gapfill argument: bucket_width cannot be NULL",
            ));
        }
        _ => {
            return Err(invalid(
                "invalid time_bucket_gapfill argument: bucket_width must be a constant",
            ));
        }
    };
    let ts = args
        .get(1)
        .cloned()
        .ok_or_else(|| crate::error::internal("gapfill ts"))?;
    // WHERE directly below the aggregate.
    let (from, conj) = match &**input {
        Plan::Filter { input, predicate } => ((**input).clone(), predicate.clone().conjuncts()),
        p => (p.clone(), Vec::new()),
    };
    let mut lo: Option<i64> = None;
    let mut hi: Option<i64> = None;
    let mut rest = Vec::new();
    for c in conj {
        match bound_of(&c, &ts) {
            Some((true, v)) => lo = Some(lo.map_or(v, |x| x.max(v))),
            Some((false, v)) => hi = Some(hi.map_or(v, |x| x.min(v))),
            None => rest.push(c),
        }
    }
    let arg_bound = |i: usize, what: &str| -> Result<Option<i64>> {
        match args.get(i) {
            None => Ok(None),
            Some(Expr::Literal(Value::Null, _)) => Ok(None),
            Some(Expr::Literal(v, _)) => time_const(v, what).map(Some),
            Some(_) => Err(invalid(format!(
                "invalid time_bucket_gapfill argument: {what} must be a constant"
            ))),
        }
    };
    let hint = |what: &str| {
        let col = if matches!(ts, Expr::Column(..)) {
            ""
        } else {
            " (ts is not a plain column, so the WHERE clause cannot give it)"
        };
        invalid(format!(
            "missing time_bucket_gapfill argument: could not infer {what} from WHERE clause{col}; \
             specify start and finish as arguments or bound the time column in WHERE"
        ))
    };
    let start = match arg_bound(2, "start")? {
        Some(v) => v,
        None => lo.ok_or_else(|| hint("start"))?,
    };
    let finish = match arg_bound(3, "finish")? {
        Some(v) => v,
        None => hi.ok_or_else(|| hint("finish"))?,
    };
    let origin = ORIGIN;
    let start = origin + (start - origin).div_euclid(width) * width;
    if finish <= start {
        return Err(invalid(
            "invalid time_bucket_gapfill argument: finish must be after start",
        ));
    }
    if (finish - start) / width > 10_000_000 {
        return Err(QueryError::new(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "time_bucket_gapfill: more than 10 million buckets per series",
        ));
    }
    let keys = (0..group.len()).filter(|&i| i != bucket).collect();
    let lookup = (!fills.is_empty()).then(|| Lookup {
        from,
        filter: rest,
        ts: ts.clone(),
        group: group.clone(),
        aggs: aggs.clone(),
        having,
    });
    Ok(GapFillSpec {
        bucket,
        keys,
        width,
        origin,
        start,
        finish,
        fills,
        lookup,
    })
}

/// `ts op constant` → (is lower bound, bound in the `>=` / `<` form).
fn bound_of(c: &Expr, ts: &Expr) -> Option<(bool, i64)> {
    let Expr::Call { func, args, .. } = c else {
        return None;
    };
    let [a, b] = &args[..] else { return None };
    let (op, v) = match (a, b) {
        (x, Expr::Literal(Value::Int(v), _)) if x.same(ts) => (func.name.as_str(), *v),
        (Expr::Literal(Value::Int(v), _), x) if x.same(ts) => (
            match func.name.as_str() {
                ">=" => "<=",
                ">" => "<",
                "<=" => ">=",
                "<" => ">",
                _ => return None,
            },
            *v,
        ),
        _ => return None,
    };
    if !matches!(ts, Expr::Column(..)) {
        return None;
    }
    match op {
        ">=" => Some((true, v)),
        ">" => Some((true, v.saturating_add(1))),
        "<" => Some((false, v)),
        "<=" => Some((false, v.saturating_add(1))),
        _ => None,
    }
}
