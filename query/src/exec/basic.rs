//! Small operators: one row, no rows, VALUES, filter, projection, limit.
use super::context::ExecCtx;
use super::expr::eval_expr;
use super::{BoxOp, Operator};
use crate::error::Result;
use crate::plan::Expr;
use crate::types::DataType;
use crate::vector::{Batch, Vector};

/// Emits prepared batches.
pub struct BatchesOp {
    batches: std::vec::IntoIter<Batch>,
}

impl BatchesOp {
    /// Emits `batches`.
    pub fn new(batches: Vec<Batch>) -> BatchesOp {
        BatchesOp {
            batches: batches.into_iter(),
        }
    }
}

impl Operator for BatchesOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        Ok(self.batches.next())
    }
}

/// VALUES rows, evaluated once.
pub fn values(rows: &[Vec<Expr>], types: &[DataType], cx: &ExecCtx) -> Result<BatchesOp> {
    let one = Batch::new(Vec::new(), 1);
    let mut cols: Vec<Vec<crate::types::Value>> = vec![Vec::with_capacity(rows.len()); types.len()];
    for r in rows {
        for (c, e) in r.iter().enumerate() {
            if let Some(col) = cols.get_mut(c) {
                col.push(eval_expr(e, &one, cx)?.value(0));
            }
        }
    }
    let vecs = cols
        .into_iter()
        .zip(types)
        .map(|(v, t)| Vector::from_values(t.clone(), v))
        .collect();
    Ok(BatchesOp::new(vec![Batch::new(vecs, rows.len())]))
}

/// WHERE: conjuncts applied one after another, each on the rows the previous ones kept.
pub struct FilterOp {
    input: BoxOp,
    conjuncts: Vec<Expr>,
    cx: ExecCtx,
}

impl FilterOp {
    /// Filters `input`.
    pub fn new(input: BoxOp, predicate: Expr, cx: ExecCtx) -> FilterOp {
        FilterOp {
            input,
            conjuncts: predicate.conjuncts(),
            cx,
        }
    }
}

/// Applies conjuncts to a batch.
pub fn apply_filter(mut b: Batch, conjuncts: &[Expr], cx: &ExecCtx) -> Result<Batch> {
    for c in conjuncts {
        if b.is_empty() {
            break;
        }
        let m = eval_expr(c, &b, cx)?.truth_mask();
        b = b.filter(&m);
    }
    Ok(b)
}

impl Operator for FilterOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        while let Some(b) = self.input.next()? {
            self.cx.eval().check_cancel()?;
            let b = apply_filter(b, &self.conjuncts, &self.cx)?;
            if !b.is_empty() {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }
}

/// Computed columns.
pub struct ProjectOp {
    input: BoxOp,
    exprs: Vec<Expr>,
    cx: ExecCtx,
}

impl ProjectOp {
    /// Projects `input`.
    pub fn new(input: BoxOp, exprs: Vec<Expr>, cx: ExecCtx) -> ProjectOp {
        ProjectOp { input, exprs, cx }
    }
}

impl Operator for ProjectOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        match self.input.next()? {
            None => Ok(None),
            Some(b) => {
                let cols = self
                    .exprs
                    .iter()
                    .map(|e| eval_expr(e, &b, &self.cx))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Some(Batch::new(cols, b.len())))
            }
        }
    }
}

/// LIMIT / OFFSET; stops pulling once the limit is reached.
pub struct LimitOp {
    input: BoxOp,
    skip: u64,
    left: Option<u64>,
}

impl LimitOp {
    /// Limits `input`.
    pub fn new(input: BoxOp, limit: Option<u64>, offset: u64) -> LimitOp {
        LimitOp {
            input,
            skip: offset,
            left: limit,
        }
    }
}

impl Operator for LimitOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        loop {
            if self.left == Some(0) {
                return Ok(None);
            }
            let Some(mut b) = self.input.next()? else {
                return Ok(None);
            };
            if self.skip > 0 {
                let s = (self.skip as usize).min(b.len());
                self.skip -= s as u64;
                b = b.slice(s, b.len() - s);
            }
            if let Some(l) = self.left.as_mut() {
                let take = (*l as usize).min(b.len());
                *l -= take as u64;
                b = b.slice(0, take);
            }
            if !b.is_empty() {
                return Ok(Some(b));
            }
        }
    }
}

/// SELECT DISTINCT: keeps the first row of each distinct row.
pub struct DistinctOp {
    input: BoxOp,
    seen: super::keys::KeyTable,
}

impl DistinctOp {
    /// Removes duplicate rows.
    pub fn new(input: BoxOp) -> DistinctOp {
        DistinctOp {
            input,
            seen: super::keys::KeyTable::default(),
        }
    }
}

impl Operator for DistinctOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        while let Some(b) = self.input.next()? {
            let mut fresh = Vec::new();
            self.seen.assign(&b.columns, b.len(), &mut fresh);
            if !fresh.is_empty() {
                let idx: Vec<u32> = fresh.iter().map(|&i| i as u32).collect();
                return Ok(Some(b.take(&idx)));
            }
        }
        Ok(None)
    }
}

/// DISTINCT ON: the first row of each run of equal keys (input sorted by the keys).
pub struct DistinctOnOp {
    input: BoxOp,
    keys: Vec<Expr>,
    last: Option<Vec<crate::types::Value>>,
    cx: ExecCtx,
}

impl DistinctOnOp {
    /// Keeps the first row per key.
    pub fn new(input: BoxOp, keys: Vec<Expr>, cx: ExecCtx) -> DistinctOnOp {
        DistinctOnOp {
            input,
            keys,
            last: None,
            cx,
        }
    }
}

impl Operator for DistinctOnOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        while let Some(b) = self.input.next()? {
            let k = self
                .keys
                .iter()
                .map(|e| eval_expr(e, &b, &self.cx))
                .collect::<Result<Vec<_>>>()?;
            let mut keep = Vec::new();
            for i in 0..b.len() {
                let row: Vec<crate::types::Value> = k.iter().map(|v| v.value(i)).collect();
                if self.last.as_ref() != Some(&row) {
                    keep.push(i as u32);
                    self.last = Some(row);
                }
            }
            if !keep.is_empty() {
                return Ok(Some(b.take(&keep)));
            }
        }
        Ok(None)
    }
}
