//! Row subsets for lazily evaluated branches (CASE, COALESCE, AND/OR): an expression is
//! evaluated on some rows of a batch only, and the branches' results are merged back into
//! one vector in row order. Gathering touches only the columns the expression reads, and
//! merging writes typed buffers directly, so a `CASE WHEN state = 'RUNNING' THEN 1 ELSE 0
//! END` over a wide batch costs two small gathers at most.
use super::context::ExecCtx;
use super::expr::eval_expr;
use crate::error::Result;
use crate::plan::Expr;
use crate::types::{DataType, Physical, Value};
use crate::vector::{Batch, Vector, VectorData};

/// Evaluates `e` on the rows `idx` of `b` only.
pub(super) fn eval_on(e: &Expr, b: &Batch, idx: &[u32], cx: &ExecCtx) -> Result<Vector> {
    if idx.len() == b.len() {
        return eval_expr(e, b, cx);
    }
    if let Expr::Literal(v, ty) = e {
        return Ok(Vector::constant(v.clone(), ty.clone(), idx.len()));
    }
    // A subquery may read any column of the row through its outer references.
    if e.any(&|x| matches!(x, Expr::Subquery(_))) {
        return eval_expr(e, &b.take(idx), cx);
    }
    let mut used = Vec::new();
    e.columns(&mut used);
    let columns = b
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if used.contains(&i) {
                c.take(idx)
            } else {
                Vector::nulls(c.ty.clone(), idx.len())
            }
        })
        .collect();
    eval_expr(e, &Batch::new(columns, idx.len()), cx)
}

/// Merges branch results into one vector of `n` rows: `parts[k]` holds some rows and a
/// branch's values for them; a later part overwrites an earlier one (COALESCE passes a row on
/// while it is NULL). Rows no part names are NULL.
pub(super) fn merge(ty: &DataType, n: usize, parts: &[(Vec<u32>, Vector)]) -> Vector {
    let typed = match ty.physical() {
        Physical::Int => merge_prim(n, parts, Vector::as_ints, Value::as_int)
            .map(|(d, valid)| Vector::new(ty.clone(), VectorData::Int(d), valid)),
        Physical::Float => merge_prim(n, parts, Vector::as_floats, |v| match v {
            Value::Float(f) => Some(*f),
            _ => None,
        })
        .map(|(d, valid)| Vector::new(ty.clone(), VectorData::Float(d), valid)),
        Physical::Bool => merge_prim(n, parts, Vector::as_bools, Value::as_bool)
            .map(|(d, valid)| Vector::new(ty.clone(), VectorData::Bool(d), valid)),
        Physical::Text | Physical::Value => None,
    };
    typed.unwrap_or_else(|| {
        let mut out = vec![Value::Null; n];
        for (rows, v) in parts {
            for (k, &i) in rows.iter().enumerate() {
                if let Some(slot) = out.get_mut(i as usize) {
                    *slot = v.value(k);
                }
            }
        }
        Vector::from_values(ty.clone(), out)
    })
}

/// Typed merge; `None` when some part is not in the expected physical form.
fn merge_prim<T: Copy + Default>(
    n: usize,
    parts: &[(Vec<u32>, Vector)],
    slice: impl Fn(&Vector) -> Option<&[T]>,
    scalar: impl Fn(&Value) -> Option<T>,
) -> Option<(Vec<T>, Option<Vec<bool>>)> {
    let mut out = vec![T::default(); n];
    // Rows start NULL and become valid when a part writes a value to them.
    let mut valid = vec![false; n];
    for (rows, v) in parts {
        if let VectorData::Const(c) = &v.data {
            let x = if c.is_null() { None } else { Some(scalar(c)?) };
            for &i in rows {
                if let (Some(slot), Some(ok)) = (out.get_mut(i as usize), valid.get_mut(i as usize)) {
                    *ok = x.is_some();
                    *slot = x.unwrap_or_default();
                }
            }
            continue;
        }
        let values = slice(v)?;
        for (j, (&i, &x)) in rows.iter().zip(values).enumerate() {
            if let (Some(slot), Some(ok)) = (out.get_mut(i as usize), valid.get_mut(i as usize)) {
                *slot = x;
                *ok = v
                    .validity
                    .as_ref()
                    .is_none_or(|vv| vv.get(j).copied().unwrap_or(false));
            }
        }
    }
    let all_valid = valid.iter().all(|&ok| ok);
    Some((out, (!all_valid).then_some(valid)))
}
