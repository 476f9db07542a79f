//! UNION / INTERSECT / EXCEPT, with and without ALL, by counting rows per key.
use super::context::ExecCtx;
use super::keys::KeyTable;
use super::{BoxOp, Drained, Operator, drain};
use crate::error::Result;
use crate::plan::SetOpKind;
use crate::types::DataType;
use crate::vector::Batch;

/// Set operation operator.
pub struct SetOpOp {
    left: BoxOp,
    right: Option<BoxOp>,
    kind: SetOpKind,
    all: bool,
    types: Vec<DataType>,
    cx: ExecCtx,
    /// Accounts the rows this operator holds; released with it.
    mem: super::context::Grant,
    seen: KeyTable,
    out: Option<std::vec::IntoIter<Batch>>,
    left_done: bool,
}

impl SetOpOp {
    /// A set operation.
    pub fn new(
        left: BoxOp,
        right: BoxOp,
        kind: SetOpKind,
        all: bool,
        types: Vec<DataType>,
        cx: ExecCtx,
    ) -> SetOpOp {
        SetOpOp {
            left,
            right: Some(right),
            kind,
            all,
            types,
            cx,
            mem: Default::default(),
            seen: KeyTable::default(),
            out: None,
            left_done: false,
        }
    }

    fn union_next(&mut self) -> Result<Option<Batch>> {
        loop {
            let b = if !self.left_done {
                match self.left.next()? {
                    Some(b) => b,
                    None => {
                        self.left_done = true;
                        continue;
                    }
                }
            } else {
                match self.right.as_mut() {
                    Some(r) => match r.next()? {
                        Some(b) => b,
                        None => return Ok(None),
                    },
                    None => return Ok(None),
                }
            };
            if self.all {
                return Ok(Some(b));
            }
            let mut fresh = Vec::new();
            self.seen.assign(&b.columns, b.len(), &mut fresh);
            if !fresh.is_empty() {
                let idx: Vec<u32> = fresh.iter().map(|&i| i as u32).collect();
                return Ok(Some(b.take(&idx)));
            }
        }
    }

    fn counted(&mut self) -> Result<Vec<Batch>> {
        let mut lb = drain(&mut *self.left, &self.cx)?;
        self.mem.absorb(std::mem::take(&mut lb.grant));
        let rb = match self.right.as_mut() {
            Some(r) => drain(&mut **r, &self.cx)?,
            None => Drained::default(),
        };
        let left = Batch::concat(&self.types, &lb);
        let right = Batch::concat(&self.types, &rb);
        let mut table = KeyTable::default();
        let mut fresh = Vec::new();
        let lid = table.assign(&left.columns, left.len(), &mut fresh);
        let ngroups = table.len();
        let rid = table.lookup(&right.columns, right.len());
        let mut rcount = vec![0usize; ngroups];
        for id in rid.into_iter().flatten() {
            if let Some(c) = rcount.get_mut(id as usize) {
                *c += 1;
            }
        }
        let mut emitted = vec![0usize; ngroups];
        let mut keep = Vec::new();
        for (i, &g) in lid.iter().enumerate() {
            let g = g as usize;
            let rc = rcount[g];
            let take = match (self.kind, self.all) {
                (SetOpKind::Intersect, true) => emitted[g] < rc,
                (SetOpKind::Intersect, false) => emitted[g] == 0 && rc > 0,
                (SetOpKind::Except, true) => {
                    // left count minus right count copies: skip the first rc occurrences
                    emitted[g] += 1;
                    if emitted[g] > rc {
                        keep.push(i as u32);
                    }
                    continue;
                }
                (SetOpKind::Except, false) => emitted[g] == 0 && rc == 0,
                (SetOpKind::Union, _) => false,
            };
            if take {
                keep.push(i as u32);
                emitted[g] += 1;
            } else if self.kind == SetOpKind::Except && !self.all {
                emitted[g] += 1;
            }
        }
        Ok(vec![left.take(&keep)])
    }
}

impl Operator for SetOpOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.kind == SetOpKind::Union {
            return self.union_next();
        }
        if self.out.is_none() {
            let b = self.counted()?;
            self.out = Some(b.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
