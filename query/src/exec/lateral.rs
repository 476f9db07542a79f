//! LATERAL: the right plan runs once per left row, with that row visible as an outer row.
use super::context::ExecCtx;
use super::join::null_extend;
use super::{BoxOp, Drained, Operator, build, drain};
use crate::error::Result;
use crate::plan::Plan;
use crate::types::DataType;
use crate::vector::{Batch, Vector};

/// LATERAL join operator.
pub struct LateralOp {
    left: BoxOp,
    right: Plan,
    outer: bool,
    right_types: Vec<DataType>,
    cx: ExecCtx,
}

impl LateralOp {
    /// A lateral join.
    pub fn new(left: BoxOp, right: Plan, outer: bool, cx: ExecCtx) -> LateralOp {
        let right_types = right.types();
        LateralOp {
            left,
            right,
            outer,
            right_types,
            cx,
        }
    }
}

impl Operator for LateralOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        while let Some(b) = self.left.next()? {
            let mut outs = Vec::new();
            let mut types: Vec<DataType> = b.columns.iter().map(|c| c.ty.clone()).collect();
            types.extend(self.right_types.iter().cloned());
            for i in 0..b.len() {
                self.cx.eval().check_cancel()?;
                let cx = self.cx.with_outer(b.row(i));
                let mut op = build(&self.right, &cx)?;
                let Drained {
                    batches: rows,
                    grant: _held,
                } = drain(&mut *op, &cx)?;
                let total: usize = rows.iter().map(|r| r.len()).sum();
                if total == 0 {
                    if self.outer {
                        outs.push(null_extend(&b, &[i as u32], &self.right_types, false));
                    }
                    continue;
                }
                for r in rows {
                    let idx = vec![i as u32; r.len()];
                    let mut cols: Vec<Vector> = b.columns.iter().map(|c| c.take(&idx)).collect();
                    cols.extend(r.columns);
                    outs.push(Batch::new(cols, r.len));
                }
            }
            if !outs.is_empty() {
                return Ok(Some(Batch::concat(&types, &outs)));
            }
        }
        Ok(None)
    }
}
