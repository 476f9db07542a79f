//! Subqueries in expressions. An uncorrelated subquery runs once per statement; a correlated one
//! runs per outer row, memoised by the outer values it can see.
use std::collections::HashSet;
use std::sync::Arc;

use super::context::ExecCtx;
use super::expr::{compare_all, eval_expr};
use super::{build, drain};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{Expr, SubqueryExpr, SubqueryKind};
use crate::types::{ArrayValue, DataType, Value};
use crate::vector::{Batch, Vector};

fn run(s: &SubqueryExpr, cx: &ExecCtx, key: Vec<Value>) -> Result<Arc<super::Drained>> {
    let shared = cx.shared()?.clone();
    let addr = s as *const SubqueryExpr as usize;
    let cache_key = (addr, key);
    if let Some(hit) = shared
        .subquery_cache
        .lock()
        .map_err(|_| crate::error::internal("cache lock"))?
        .get(&cache_key)
    {
        return Ok(hit.clone());
    }
    let mut op = build(&s.plan, cx)?;
    let rows = Arc::new(drain(&mut *op, cx)?);
    let mut cache = shared
        .subquery_cache
        .lock()
        .map_err(|_| crate::error::internal("cache lock"))?;
    if cache.len() > 100_000 {
        cache.clear();
    }
    cache.insert(cache_key, rows.clone());
    Ok(rows)
}

fn first_column(rows: &[Batch]) -> Vec<Value> {
    rows.iter()
        .flat_map(|b| b.columns.first().map(|c| c.to_values()).unwrap_or_default())
        .collect()
}

/// Evaluates a subquery expression over a batch.
pub fn eval_subquery(s: &SubqueryExpr, _e: &Expr, b: &Batch, cx: &ExecCtx) -> Result<Vector> {
    let n = b.len();
    let mut out = Vec::with_capacity(n);
    // Values the IN / ANY operand takes in the outer query.
    let operand = match &s.kind {
        SubqueryKind::In { expr, .. } | SubqueryKind::Quantified { expr, .. } => {
            Some(eval_expr(expr, b, cx)?)
        }
        _ => None,
    };
    let mut uncorrelated_set: Option<(HashSet<Value>, bool)> = None;
    for i in 0..n {
        cx.eval().check_cancel()?;
        let rows = if s.correlated {
            let row = b.row(i);
            let mut key: Vec<Value> = cx.outer.iter().flat_map(|r| r.iter().cloned()).collect();
            key.extend(row.iter().cloned());
            run(s, &cx.with_outer(row), key)?
        } else {
            run(s, cx, Vec::new())?
        };
        let v = match &s.kind {
            SubqueryKind::Scalar => {
                let total: usize = rows.iter().map(|r| r.len()).sum();
                if total > 1 {
                    return Err(QueryError::new(
                        sqlstate::CARDINALITY_VIOLATION,
                        "more than one row returned by a subquery used as an expression",
                    ));
                }
                rows.iter()
                    .find(|r| !r.is_empty())
                    .and_then(|r| r.columns.first().map(|c| c.value(0)))
                    .unwrap_or(Value::Null)
            }
            SubqueryKind::Exists(negated) => Value::Bool(rows.iter().any(|r| !r.is_empty()) != *negated),
            SubqueryKind::Array => {
                let elem = match &s.ty {
                    DataType::Array(e) => (**e).clone(),
                    t => t.clone(),
                };
                Value::Array(Arc::new(ArrayValue {
                    elem,
                    lower: 1,
                    items: first_column(&rows),
                }))
            }
            SubqueryKind::In { negated, .. } => {
                let x = operand.as_ref().map_or(Value::Null, |o| o.value(i));
                let owned: HashSet<Value>;
                let (set, has_null): (&HashSet<Value>, bool) = if s.correlated {
                    let vals = first_column(&rows);
                    let has_null = vals.iter().any(Value::is_null);
                    owned = vals.into_iter().filter(|v| !v.is_null()).collect();
                    (&owned, has_null)
                } else {
                    let u = uncorrelated_set.get_or_insert_with(|| {
                        let vals = first_column(&rows);
                        let has_null = vals.iter().any(Value::is_null);
                        (vals.into_iter().filter(|v| !v.is_null()).collect(), has_null)
                    });
                    (&u.0, u.1)
                };
                if set.is_empty() && !has_null {
                    Value::Bool(*negated)
                } else if x.is_null() {
                    Value::Null
                } else if set.contains(&x) {
                    Value::Bool(!negated)
                } else if has_null {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                }
            }
            SubqueryKind::Quantified { op, all, .. } => {
                let x = operand.as_ref().map_or(Value::Null, |o| o.value(i));
                let xt = operand.as_ref().map_or(DataType::Text, |o| o.ty.clone());
                let it = s
                    .plan
                    .fields()
                    .first()
                    .map(|f| f.ty.clone())
                    .unwrap_or(DataType::Text);
                compare_all(&x, &xt, &first_column(&rows), &it, op, *all, cx)?
            }
        };
        out.push(v);
    }
    Ok(Vector::from_values(s.ty.clone(), out))
}
