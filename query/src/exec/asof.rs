//! ASOF join: the right side grouped by key and sorted by time once; each left row finds the
//! latest right row at or before (strictly before, when `strict`) its time by binary search.
use std::collections::HashMap;

use super::context::ExecCtx;
use super::expr::eval_expr;
use super::join::{null_extend, pairs};
use super::keys::{Interner, encode};
use super::{BoxOp, Operator, drain};
use crate::error::Result;
use crate::plan::Expr;
use crate::types::{DataType, Value};
use crate::vector::Batch;

/// Right rows per key: (time, row), sorted by time.
type TimeIndex = HashMap<Vec<u8>, Vec<(Value, u32)>>;

/// ASOF join operator.
pub struct AsofOp {
    left: BoxOp,
    right: Option<BoxOp>,
    lkeys: Vec<Expr>,
    rkeys: Vec<Expr>,
    ltime: Expr,
    rtime: Expr,
    strict: bool,
    outer: bool,
    right_types: Vec<DataType>,
    cx: ExecCtx,
    built: Option<(Batch, TimeIndex, Interner)>,
}

impl AsofOp {
    /// An ASOF join.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        left: BoxOp,
        right: BoxOp,
        lkeys: Vec<Expr>,
        rkeys: Vec<Expr>,
        ltime: Expr,
        rtime: Expr,
        strict: bool,
        outer: bool,
        right_types: Vec<DataType>,
        cx: ExecCtx,
    ) -> AsofOp {
        AsofOp {
            left,
            right: Some(right),
            lkeys,
            rkeys,
            ltime,
            rtime,
            strict,
            outer,
            right_types,
            cx,
            built: None,
        }
    }

    fn build(&mut self) -> Result<()> {
        let Some(mut r) = self.right.take() else {
            return Ok(());
        };
        let batches = drain(&mut *r, &self.cx)?;
        let rows = Batch::concat(&self.right_types, &batches);
        let mut interner = Interner::default();
        let kv = self
            .rkeys
            .iter()
            .map(|k| eval_expr(k, &rows, &self.cx))
            .collect::<Result<Vec<_>>>()?;
        let tv = eval_expr(&self.rtime, &rows, &self.cx)?;
        let keys = encode(&kv, rows.len(), &mut interner);
        let mut groups: HashMap<Vec<u8>, Vec<(Value, u32)>> = HashMap::new();
        for i in 0..rows.len() {
            if kv.iter().any(|v| v.is_null(i)) || tv.is_null(i) {
                continue;
            }
            groups
                .entry(keys.key(i).to_vec())
                .or_default()
                .push((tv.value(i), i as u32));
        }
        for g in groups.values_mut() {
            g.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        self.built = Some((rows, groups, interner));
        Ok(())
    }
}

impl Operator for AsofOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.built.is_none() {
            self.build()?;
        }
        while let Some(b) = self.left.next()? {
            let Some((rows, groups, interner)) = self.built.as_mut() else {
                return Ok(None);
            };
            let kv = self
                .lkeys
                .iter()
                .map(|k| eval_expr(k, &b, &self.cx))
                .collect::<Result<Vec<_>>>()?;
            let tv = eval_expr(&self.ltime, &b, &self.cx)?;
            let keys = encode(&kv, b.len(), interner);
            let (mut li, mut ri, mut miss) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..b.len() {
                let found = if kv.iter().any(|v| v.is_null(i)) || tv.is_null(i) {
                    None
                } else {
                    let t = tv.value(i);
                    groups.get(keys.key(i)).and_then(|g| {
                        // Number of entries with time <= t (or < t).
                        let n = g.partition_point(|(x, _)| {
                            let o = x.total_cmp(&t);
                            if self.strict { o.is_lt() } else { o.is_le() }
                        });
                        n.checked_sub(1).map(|k| g[k].1)
                    })
                };
                match found {
                    Some(r) => {
                        li.push(i as u32);
                        ri.push(r);
                    }
                    None if self.outer => miss.push(i as u32),
                    None => {}
                }
            }
            let mut out = pairs(&b, &li, rows, &ri);
            if self.outer && !miss.is_empty() {
                let types: Vec<DataType> = out.columns.iter().map(|c| c.ty.clone()).collect();
                let m = null_extend(&b, &miss, &self.right_types, false);
                out = Batch::concat(&types, &[out, m]);
            }
            if !out.is_empty() {
                return Ok(Some(out));
            }
        }
        Ok(None)
    }
}
