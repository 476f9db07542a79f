//! Set-returning functions in FROM, and the last-value (lastpoint) operator.
use super::Operator;
use super::context::ExecCtx;
use super::expr::eval_expr;
use crate::error::Result;
use crate::functions::BatchIter;
use crate::plan::{Expr, Field};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Table function operator.
pub struct TableFnOp {
    iter: BatchIter,
}

impl TableFnOp {
    /// Calls the function with its (constant or outer-row) arguments.
    pub fn new(func: &crate::functions::TableFunction, args: &[Expr], cx: &ExecCtx) -> Result<TableFnOp> {
        let one = Batch::new(Vec::new(), 1);
        let vals = args
            .iter()
            .map(|a| eval_expr(a, &one, cx).map(|v| v.value(0)))
            .collect::<Result<Vec<_>>>()?;
        let types: Vec<DataType> = args.iter().map(Expr::ty).collect();
        let iter = (func.kernel)(cx.eval(), &vals, &types)?;
        Ok(TableFnOp { iter })
    }
}

impl Operator for TableFnOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        self.iter.next().transpose()
    }
}

/// The last row of every series, from the storage last-value cache.
pub fn last_point(
    table: &crate::catalog::TableInfo,
    columns: &[usize],
    fields: &[Field],
    cx: &ExecCtx,
) -> Result<Vec<Batch>> {
    let snap = cx.shared()?.snapshot(&table.name)?;
    let last = snap.last_rows()?;
    let mut series: Vec<u32> = last.keys().copied().collect();
    series.sort_unstable();
    let mut cols: Vec<Vec<Value>> = vec![Vec::with_capacity(series.len()); columns.len()];
    for s in &series {
        let Some(row) = last.get(s) else { continue };
        let key = snap.series.key_values(*s);
        for (k, &c) in columns.iter().enumerate() {
            let info = &table.columns[c];
            let v = match info.role {
                plantdb_storage::ColumnRole::Time => Value::Int(row.ts),
                plantdb_storage::ColumnRole::Tag => {
                    let tk = table.tags.iter().position(|&t| t == c).unwrap_or(0);
                    match key.get(tk).copied().flatten() {
                        Some(b) => Value::str(std::str::from_utf8(b).unwrap_or("")),
                        None => Value::Null,
                    }
                }
                plantdb_storage::ColumnRole::Field => row
                    .values
                    .get(c)
                    .map_or(Value::Null, |s| super::convert::scalar_value(s, &info.ty)),
            };
            cols[k].push(v);
        }
    }
    let n = series.len();
    let vecs = cols
        .into_iter()
        .zip(fields)
        .map(|(v, f)| Vector::from_values(f.ty.clone(), v))
        .collect();
    Ok(vec![Batch::new(vecs, n)])
}
