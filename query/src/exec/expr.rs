//! Vectorised expression evaluation with PostgreSQL's three-valued logic. CASE and COALESCE
//! evaluate each branch only on the rows that reach it, so a guarded division never fails.
use std::collections::HashSet;
use std::sync::Arc;

use super::branch::{eval_on, merge};
use super::context::ExecCtx;
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::Expr;
use crate::types::cast::cast_vector;
use crate::types::{ArrayValue, DataType, Value};
use crate::vector::{Batch, Vector, VectorData};

/// Evaluates a constant expression (bind-time folding of LIMIT, frame offsets, ...).
pub fn eval_constant(e: &Expr, eval: &crate::context::EvalContext) -> Result<Value> {
    let cx = ExecCtx::constant(eval);
    let b = Batch::new(Vec::new(), 1);
    Ok(eval_expr(e, &b, &cx)?.value(0))
}

/// Three-valued booleans of a vector: (value, known) per row.
fn tv(v: &Vector, n: usize) -> (Vec<bool>, Vec<bool>) {
    match &v.data {
        VectorData::Bool(b) => (b.clone(), v.validity.clone().unwrap_or_else(|| vec![true; n])),
        VectorData::Const(Value::Bool(b)) => (vec![*b; n], vec![true; n]),
        VectorData::Const(_) => (vec![false; n], vec![false; n]),
        _ => {
            let vals: Vec<Value> = (0..n).map(|i| v.value(i)).collect();
            (
                vals.iter().map(|x| x.as_bool().unwrap_or(false)).collect(),
                vals.iter().map(|x| !x.is_null()).collect(),
            )
        }
    }
}

fn bool_vector(val: Vec<bool>, known: Vec<bool>) -> Vector {
    let validity = if known.iter().all(|k| *k) {
        None
    } else {
        Some(known)
    };
    Vector::new(DataType::Bool, VectorData::Bool(val), validity)
}

/// Evaluates `e` over `b`.
pub fn eval_expr(e: &Expr, b: &Batch, cx: &ExecCtx) -> Result<Vector> {
    let n = b.len();
    Ok(match e {
        Expr::Column(i, _) => b.column(*i)?.clone(),
        Expr::Literal(v, t) => Vector::constant(v.clone(), t.clone(), n),
        Expr::Outer { depth, index, ty } => Vector::constant(cx.outer_value(*depth, *index), ty.clone(), n),
        Expr::Param(i, _) => {
            return Err(QueryError::new(
                sqlstate::UNDEFINED_PARAMETER,
                format!("there is no parameter ${}", i + 1),
            ));
        }
        Expr::Call { func, args, ty } => {
            let vals = args
                .iter()
                .map(|a| eval_expr(a, b, cx))
                .collect::<Result<Vec<_>>>()?;
            let out = (func.kernel)(cx.eval(), &vals, ty, n)?;
            if out.len() != n && !matches!(out.data, VectorData::Const(_)) {
                return Err(crate::error::internal(format!(
                    "function {} returned {} rows for {n}",
                    func.name,
                    out.len()
                )));
            }
            if out.ty != *ty {
                out.retyped(ty.clone())
            } else {
                out
            }
        }
        Expr::Cast(x, t) => cast_vector(&eval_expr(x, b, cx)?, t, cx.eval())?,
        Expr::And(parts) => logic(parts, b, cx, true)?,
        Expr::Or(parts) => logic(parts, b, cx, false)?,
        Expr::Not(x) => {
            let (v, k) = tv(&eval_expr(x, b, cx)?, n);
            bool_vector(v.into_iter().map(|x| !x).collect(), k)
        }
        Expr::IsNull(x, negated) => {
            let v = eval_expr(x, b, cx)?;
            Vector::bools((0..n).map(|i| v.is_null(i) != *negated).collect())
        }
        Expr::IsBool(x, want, negated) => {
            let (v, k) = tv(&eval_expr(x, b, cx)?, n);
            Vector::bools(
                (0..n)
                    .map(|i| {
                        let hit = match want {
                            Some(w) => k[i] && v[i] == *w,
                            None => !k[i],
                        };
                        hit != *negated
                    })
                    .collect(),
            )
        }
        Expr::Distinct {
            left,
            right,
            eq,
            negated,
        } => {
            let l = eval_expr(left, b, cx)?;
            let r = eval_expr(right, b, cx)?;
            let same = (eq.kernel)(cx.eval(), &[l.clone(), r.clone()], &DataType::Bool, n)?;
            Vector::bools(
                (0..n)
                    .map(|i| {
                        let equal = match (l.is_null(i), r.is_null(i)) {
                            (true, true) => true,
                            (true, false) | (false, true) => false,
                            _ => same.is_true(i),
                        };
                        // IS DISTINCT FROM is true when not equal; IS NOT DISTINCT FROM when equal.
                        if *negated { equal } else { !equal }
                    })
                    .collect(),
            )
        }
        Expr::Case { whens, otherwise, ty } => case(whens, otherwise, ty, b, cx)?,
        Expr::Coalesce(items, ty) => coalesce(items, ty, b, cx)?,
        Expr::InList {
            expr,
            list,
            negated,
            eq,
        } => in_list(expr, list, *negated, eq, b, cx)?,
        Expr::Quantified { left, array, op, all } => quantified(left, array, op, *all, b, cx)?,
        Expr::Subquery(s) => super::subquery::eval_subquery(s, e, b, cx)?,
        Expr::Array(items, ty) => {
            let vals = items
                .iter()
                .map(|x| eval_expr(x, b, cx))
                .collect::<Result<Vec<_>>>()?;
            let DataType::Array(elem) = ty else {
                return Err(crate::error::internal("array type"));
            };
            let rows = (0..n)
                .map(|i| {
                    // ARRAY[ARRAY[..], ..] of arrays flattens into one dimension here.
                    let mut items = Vec::with_capacity(vals.len());
                    for v in &vals {
                        match v.value(i) {
                            Value::Array(a) if matches!(v.ty, DataType::Array(_)) => {
                                items.extend(a.items.iter().cloned())
                            }
                            x => items.push(x),
                        }
                    }
                    Value::Array(Arc::new(ArrayValue {
                        elem: (**elem).clone(),
                        lower: 1,
                        items,
                    }))
                })
                .collect();
            Vector::from_values(ty.clone(), rows)
        }
        Expr::Subscript(a, idx, ty) => {
            let av = eval_expr(a, b, cx)?;
            let iv = eval_expr(idx, b, cx)?;
            let rows = (0..n)
                .map(|i| match (av.value(i), iv.value(i)) {
                    (Value::Array(arr), Value::Int(k)) => {
                        let pos = k - i64::from(arr.lower);
                        if pos < 0 {
                            Value::Null
                        } else {
                            arr.items.get(pos as usize).cloned().unwrap_or(Value::Null)
                        }
                    }
                    _ => Value::Null,
                })
                .collect();
            Vector::from_values(ty.clone(), rows)
        }
        Expr::AggRef(..) | Expr::WindowRef(..) => {
            return Err(crate::error::internal("unresolved aggregate reference"));
        }
    })
}

fn logic(parts: &[Expr], b: &Batch, cx: &ExecCtx, and: bool) -> Result<Vector> {
    let n = b.len();
    // A dominating operand (false for AND, true for OR) decides the row; later operands are
    // evaluated only on undecided rows, which also keeps `x <> 0 AND 1 / x > 1` safe.
    let mut decided = vec![false; n];
    let mut unknown = vec![false; n];
    let mut open: Vec<u32> = (0..n as u32).collect();
    for p in parts {
        if open.is_empty() {
            break;
        }
        let v = eval_on(p, b, &open, cx)?;
        let (val, known) = tv(&v, open.len());
        let mut still = Vec::with_capacity(open.len());
        for (k, &i) in open.iter().enumerate() {
            let i = i as usize;
            if known[k] && val[k] != and {
                decided[i] = true;
            } else {
                if !known[k] {
                    unknown[i] = true;
                }
                still.push(i as u32);
            }
        }
        open = still;
    }
    let val = (0..n).map(|i| if decided[i] { !and } else { and }).collect();
    let known = (0..n).map(|i| decided[i] || !unknown[i]).collect();
    Ok(bool_vector(val, known))
}

fn case(whens: &[(Expr, Expr)], otherwise: &Expr, ty: &DataType, b: &Batch, cx: &ExecCtx) -> Result<Vector> {
    let n = b.len();
    let retype = |v: Vector| if v.ty == *ty { v } else { v.retyped(ty.clone()) };
    // Each condition sees only the rows no earlier branch took, and each result only the rows
    // its condition selected (PostgreSQL's lazy CASE: a guarded division never fails).
    let mut remaining: Vec<u32> = (0..n as u32).collect();
    let mut parts: Vec<(Vec<u32>, Vector)> = Vec::with_capacity(whens.len() + 1);
    for (cond, res) in whens {
        if remaining.is_empty() {
            break;
        }
        let mask = eval_on(cond, b, &remaining, cx)?.truth_mask();
        let mut hit = Vec::new();
        let mut miss = Vec::new();
        for (&i, &t) in remaining.iter().zip(&mask) {
            if t { hit.push(i) } else { miss.push(i) }
        }
        if !hit.is_empty() {
            let v = eval_on(res, b, &hit, cx)?;
            if hit.len() == n {
                return Ok(retype(v));
            }
            parts.push((hit, v));
        }
        remaining = miss;
    }
    if !remaining.is_empty() {
        let v = eval_on(otherwise, b, &remaining, cx)?;
        if remaining.len() == n {
            return Ok(retype(v));
        }
        parts.push((remaining, v));
    }
    Ok(merge(ty, n, &parts))
}

fn coalesce(items: &[Expr], ty: &DataType, b: &Batch, cx: &ExecCtx) -> Result<Vector> {
    let n = b.len();
    let mut remaining: Vec<u32> = (0..n as u32).collect();
    let mut parts: Vec<(Vec<u32>, Vector)> = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        if remaining.is_empty() {
            break;
        }
        let v = eval_on(item, b, &remaining, cx)?;
        if k == 0 && v.no_nulls() {
            return Ok(if v.ty == *ty { v } else { v.retyped(ty.clone()) });
        }
        // Rows still NULL go on to the next item, whose values overwrite these in the merge.
        let still: Vec<u32> = remaining
            .iter()
            .enumerate()
            .filter(|&(j, _)| v.is_null(j))
            .map(|(_, &i)| i)
            .collect();
        parts.push((remaining, v));
        remaining = still;
    }
    Ok(merge(ty, n, &parts))
}

fn in_list(
    expr: &Expr,
    list: &[Expr],
    negated: bool,
    eq: &Arc<crate::functions::ScalarFunction>,
    b: &Batch,
    cx: &ExecCtx,
) -> Result<Vector> {
    let n = b.len();
    let x = eval_expr(expr, b, cx)?;
    let constants: Option<Vec<Value>> = list
        .iter()
        .map(|e| {
            if let Expr::Literal(v, _) = e {
                Some(v.clone())
            } else {
                None
            }
        })
        .collect();
    let (val, known) = match constants {
        Some(consts) => {
            let has_null = consts.iter().any(Value::is_null);
            let set: HashSet<Value> = consts.into_iter().filter(|v| !v.is_null()).collect();
            let mut val = vec![false; n];
            let mut known = vec![true; n];
            match &x.data {
                VectorData::Text(d) => {
                    // Test each dictionary entry once.
                    let hits: Vec<bool> = d
                        .dict
                        .iter()
                        .map(|s| set.contains(&Value::str(std::str::from_utf8(s).unwrap_or(""))))
                        .collect();
                    for i in 0..n {
                        let hit = hits.get(d.codes[i] as usize).copied().unwrap_or(false);
                        if x.is_null(i) || (!hit && has_null) {
                            known[i] = false;
                        } else {
                            val[i] = hit;
                        }
                    }
                }
                _ => {
                    for i in 0..n {
                        let v = x.value(i);
                        let hit = !v.is_null() && set.contains(&v);
                        if v.is_null() || (!hit && has_null) {
                            known[i] = false;
                        } else {
                            val[i] = hit;
                        }
                    }
                }
            }
            (val, known)
        }
        None => {
            let mut val = vec![false; n];
            let mut known = vec![true; n];
            let mut any_unknown = vec![false; n];
            for item in list {
                let y = eval_expr(item, b, cx)?;
                let r = (eq.kernel)(cx.eval(), &[x.clone(), y], &DataType::Bool, n)?;
                for i in 0..n {
                    if r.is_null(i) {
                        any_unknown[i] = true;
                    } else if r.is_true(i) {
                        val[i] = true;
                    }
                }
            }
            for i in 0..n {
                if !val[i] && any_unknown[i] {
                    known[i] = false;
                }
            }
            (val, known)
        }
    };
    let val = if negated {
        val.into_iter().map(|v| !v).collect()
    } else {
        val
    };
    Ok(bool_vector(val, known))
}

fn quantified(
    left: &Expr,
    array: &Expr,
    op: &Arc<crate::functions::ScalarFunction>,
    all: bool,
    b: &Batch,
    cx: &ExecCtx,
) -> Result<Vector> {
    let n = b.len();
    let l = eval_expr(left, b, cx)?;
    let a = eval_expr(array, b, cx)?;
    let lt = l.ty.clone();
    let et = match &a.ty {
        DataType::Array(e) => (**e).clone(),
        _ => DataType::Text,
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let arr = match a.value(i) {
            Value::Array(arr) => arr,
            Value::Null => {
                out.push(Value::Null);
                continue;
            }
            _ => {
                return Err(QueryError::new(
                    sqlstate::DATATYPE_MISMATCH,
                    "ANY/ALL needs an array",
                ));
            }
        };
        let xv = l.value(i);
        let res = compare_all(&xv, &lt, &arr.items, &et, op, all, cx)?;
        out.push(res);
    }
    Ok(Vector::from_values(DataType::Bool, out))
}

/// `x op ANY/ALL (items)` with three-valued logic.
pub(crate) fn compare_all(
    x: &Value,
    xt: &DataType,
    items: &[Value],
    it: &DataType,
    op: &Arc<crate::functions::ScalarFunction>,
    all: bool,
    cx: &ExecCtx,
) -> Result<Value> {
    if items.is_empty() {
        return Ok(Value::Bool(all));
    }
    let k = items.len();
    let lv = Vector::constant(x.clone(), xt.clone(), k);
    let rv = Vector::from_values(it.clone(), items.to_vec());
    let r = (op.kernel)(cx.eval(), &[lv, rv], &DataType::Bool, k)?;
    let mut unknown = false;
    for i in 0..k {
        if r.is_null(i) {
            unknown = true;
        } else if r.is_true(i) != all {
            return Ok(Value::Bool(!all));
        }
    }
    Ok(if unknown { Value::Null } else { Value::Bool(all) })
}
