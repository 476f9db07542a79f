//! WITH RECURSIVE: the anchor's rows seed a work table; the recursive part runs over the last
//! iteration's rows until it produces nothing new.
use std::sync::Arc;

use super::context::ExecCtx;
use super::keys::KeyTable;
use super::{Operator, build, drain};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::Plan;
use crate::types::DataType;
use crate::vector::Batch;

/// Iterations allowed before giving up.
const MAX_ITERATIONS: usize = 1_000_000;

/// Recursive CTE operator.
pub struct RecursiveOp {
    anchor: Plan,
    recursive: Plan,
    all: bool,
    id: usize,
    types: Vec<DataType>,
    cx: ExecCtx,
    out: Option<std::vec::IntoIter<Batch>>,
}

impl RecursiveOp {
    /// A recursive union.
    pub fn new(
        anchor: Plan,
        recursive: Plan,
        all: bool,
        id: usize,
        types: Vec<DataType>,
        cx: ExecCtx,
    ) -> RecursiveOp {
        RecursiveOp {
            anchor,
            recursive,
            all,
            id,
            types,
            cx,
            out: None,
        }
    }

    fn run(&mut self) -> Result<Vec<Batch>> {
        let shared = self.cx.shared()?.clone();
        let mut seen = KeyTable::default();
        let keep_new = |b: Batch, seen: &mut KeyTable| -> Batch {
            if self.all {
                return b;
            }
            let mut fresh = Vec::new();
            seen.assign(&b.columns, b.len(), &mut fresh);
            let idx: Vec<u32> = fresh.iter().map(|&i| i as u32).collect();
            b.take(&idx)
        };
        let mut op = build(&self.anchor, &self.cx)?;
        let first = Batch::concat(&self.types, &drain(&mut *op, &self.cx)?);
        let first = keep_new(first, &mut seen);
        let mut result = vec![first.clone()];
        let mut working = first;
        let mut total = working.len();
        for _ in 0..MAX_ITERATIONS {
            if working.is_empty() {
                return Ok(result);
            }
            self.cx.eval().check_cancel()?;
            shared
                .work_tables
                .lock()
                .map_err(|_| crate::error::internal("work table lock"))?
                .insert(self.id, Arc::new(vec![working]));
            let mut op = build(&self.recursive, &self.cx)?;
            let next = Batch::concat(&self.types, &drain(&mut *op, &self.cx)?);
            let next = keep_new(next, &mut seen);
            total += next.len();
            shared.reserve(next.len() * 16)?;
            result.push(next.clone());
            working = next;
        }
        let _ = total;
        Err(QueryError::new(
            sqlstate::STATEMENT_TOO_COMPLEX,
            "recursive query did not finish within 1000000 iterations",
        ))
    }
}

impl Operator for RecursiveOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.out.is_none() {
            let b = self.run()?;
            self.out = Some(b.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
