//! Joins. Equality conjuncts between the two sides make a hash join (built on the right input,
//! probed by the left, which streams); anything else is a nested loop over the materialised
//! right side. Both handle inner, left, right, full, semi and anti joins with a residual
//! condition evaluated on candidate pairs.
use super::join_table::JoinTable;

use super::band::{self, Band};

use super::context::ExecCtx;
use super::expr::eval_expr;
use super::keys::{Interner, encode, is_text_key, text_key};
use super::{BoxOp, Operator, drain};
use crate::error::Result;
use crate::plan::{Expr, JoinKind};
use crate::types::DataType;
use crate::vector::{Batch, Vector};

/// Splits `on` into equi-key pairs (left expr, right expr over right columns) and the rest.
pub fn equi_keys(on: Option<&Expr>, nleft: usize) -> (Vec<Expr>, Vec<Expr>, Vec<Expr>) {
    let (mut lk, mut rk, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    let Some(on) = on else { return (lk, rk, rest) };
    let side = |e: &Expr| -> Option<bool> {
        if e.any(&|x| matches!(x, Expr::Outer { .. } | Expr::Subquery(_))) {
            return None;
        }
        let mut cols = Vec::new();
        e.columns(&mut cols);
        if cols.is_empty() {
            None
        } else if cols.iter().all(|&c| c < nleft) {
            Some(true)
        } else if cols.iter().all(|&c| c >= nleft) {
            Some(false)
        } else {
            None
        }
    };
    let shift = |e: &Expr| {
        e.clone().transform(&mut |x| match x {
            Expr::Column(i, t) => Expr::Column(i - nleft, t),
            x => x,
        })
    };
    for c in on.clone().conjuncts() {
        if let Expr::Call { func, args, .. } = &c
            && func.name == "="
            && args.len() == 2
        {
            match (side(&args[0]), side(&args[1])) {
                (Some(true), Some(false)) => {
                    lk.push(args[0].clone());
                    rk.push(shift(&args[1]));
                    continue;
                }
                (Some(false), Some(true)) => {
                    lk.push(args[1].clone());
                    rk.push(shift(&args[0]));
                    continue;
                }
                _ => {}
            }
        }
        rest.push(c);
    }
    (lk, rk, rest)
}

/// Combines rows of two batches pairwise.
pub fn pairs(left: &Batch, li: &[u32], right: &Batch, ri: &[u32]) -> Batch {
    let mut cols: Vec<Vector> = left.columns.iter().map(|c| c.take(li)).collect();
    cols.extend(right.columns.iter().map(|c| c.take(ri)));
    Batch::new(cols, li.len())
}

/// Rows of `b` at `idx`, with NULL columns of `types` appended (or prepended).
pub fn null_extend(b: &Batch, idx: &[u32], types: &[DataType], nulls_first: bool) -> Batch {
    let kept: Vec<Vector> = b.columns.iter().map(|c| c.take(idx)).collect();
    let nulls: Vec<Vector> = types
        .iter()
        .map(|t| Vector::nulls(t.clone(), idx.len()))
        .collect();
    let cols = if nulls_first {
        nulls.into_iter().chain(kept).collect()
    } else {
        kept.into_iter().chain(nulls).collect()
    };
    Batch::new(cols, idx.len())
}

/// Hash or nested-loop join.
pub struct JoinOp {
    left: BoxOp,
    right: Option<BoxOp>,
    kind: JoinKind,
    lkeys: Vec<Expr>,
    rkeys: Vec<Expr>,
    residual: Vec<Expr>,
    left_types: Vec<DataType>,
    right_types: Vec<DataType>,
    cx: ExecCtx,
    /// Accounts the rows this operator holds; released with it.
    mem: super::context::Grant,
    built: Option<Built>,
    tail: Option<std::vec::IntoIter<Batch>>,
}

struct Built {
    rows: Batch,
    /// Key → right rows (hash join only).
    table: Option<JoinTable>,
    /// Right rows indexed by a band condition (nested loops only).
    band: Option<Band>,
    interner: Interner,
    matched: Vec<bool>,
}

impl JoinOp {
    /// A join of `left` and `right` on `on`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        left: BoxOp,
        right: BoxOp,
        kind: JoinKind,
        on: Option<&Expr>,
        left_types: Vec<DataType>,
        right_types: Vec<DataType>,
        cx: ExecCtx,
    ) -> JoinOp {
        let (lkeys, rkeys, residual) = equi_keys(on, left_types.len());
        JoinOp {
            left,
            right: Some(right),
            kind,
            lkeys,
            rkeys,
            residual,
            left_types,
            right_types,
            cx,
            mem: Default::default(),
            built: None,
            tail: None,
        }
    }

    fn build(&mut self) -> Result<()> {
        let Some(mut r) = self.right.take() else {
            return Ok(());
        };
        let mut batches = drain(&mut *r, &self.cx)?;
        self.mem.absorb(std::mem::take(&mut batches.grant));
        let rows = Batch::concat(&self.right_types, &batches);
        let mut interner = Interner::default();
        let table = if self.lkeys.is_empty() {
            None
        } else {
            let kv = self
                .rkeys
                .iter()
                .map(|k| eval_expr(k, &rows, &self.cx))
                .collect::<Result<Vec<_>>>()?;
            let keys = encode(&kv, rows.len(), &mut interner);
            let mut t = JoinTable::with_capacity(rows.len());
            for i in 0..rows.len() {
                if kv.iter().any(|v| v.is_null(i)) {
                    continue; // NULL never equals anything
                }
                t.insert(keys.key(i), i as u32);
            }
            Some(t)
        };
        let band = match (&table, band::find(&self.residual, self.left_types.len())) {
            (None, Some(spec)) => {
                // The band answers its two conditions exactly.
                let used = spec.used;
                let band = Band::build(spec, &rows, &self.cx)?;
                let mut i = 0;
                self.residual.retain(|_| {
                    i += 1;
                    !used.contains(&(i - 1))
                });
                Some(band)
            }
            _ => None,
        };
        let matched = vec![false; rows.len()];
        self.built = Some(Built {
            rows,
            table,
            band,
            interner,
            matched,
        });
        Ok(())
    }

    /// Candidate pairs for a left batch.
    fn candidates(&mut self, b: &Batch) -> Result<(Vec<u32>, Vec<u32>)> {
        let Some(built) = self.built.as_mut() else {
            return Ok((vec![], vec![]));
        };
        let (mut li, mut ri) = (Vec::new(), Vec::new());
        match &built.table {
            Some(t) => {
                let kv = self
                    .lkeys
                    .iter()
                    .map(|k| eval_expr(k, b, &self.cx))
                    .collect::<Result<Vec<_>>>()?;
                if let [k] = kv.as_slice()
                    && let crate::vector::VectorData::Text(d) = &k.data
                {
                    // One dictionary-coded key (a tag): each distinct value is looked up once;
                    // `one[code]` is its single build row, or NO_ROW / MANY_ROWS.
                    const UNSEEN: u32 = u32::MAX;
                    const NO_ROW: u32 = u32::MAX - 1;
                    const MANY_ROWS: u32 = u32::MAX - 2;
                    let mut one = vec![UNSEEN; d.dict.len()];
                    let mut many: Vec<Option<&[u32]>> = vec![None; d.dict.len()];
                    let valid = k.validity.as_deref();
                    let text_keys = is_text_key(&k.ty);
                    li.reserve(b.len());
                    ri.reserve(b.len());
                    for (i, &code) in d.codes.iter().enumerate().take(b.len()) {
                        if valid.is_some_and(|v| !v.get(i).copied().unwrap_or(false)) {
                            continue;
                        }
                        let c = code as usize;
                        let Some(&known) = one.get(c) else { continue };
                        let r = if known == UNSEEN {
                            let rows = if text_keys {
                                // A string the build side never interned matches nothing.
                                let bytes = d.dict.get(c).map_or(&[][..], |b| &b[..]);
                                built.interner.get(bytes).and_then(|id| t.get(&text_key(id)[..]))
                            } else {
                                let value = Vector::new(
                                    k.ty.clone(),
                                    crate::vector::VectorData::Const(k.value(i)),
                                    None,
                                );
                                let key = encode(&[value], 1, &mut built.interner);
                                t.get(key.key(0))
                            };
                            let r = match rows {
                                None | Some([]) => NO_ROW,
                                Some(&[r]) if r < MANY_ROWS => r,
                                Some(_) => MANY_ROWS,
                            };
                            one[c] = r;
                            many[c] = rows;
                            r
                        } else {
                            known
                        };
                        match r {
                            NO_ROW => {}
                            MANY_ROWS => {
                                for &r in many[c].into_iter().flatten() {
                                    li.push(i as u32);
                                    ri.push(r);
                                }
                            }
                            r => {
                                li.push(i as u32);
                                ri.push(r);
                            }
                        }
                    }
                    return Ok((li, ri));
                }
                let keys = encode(&kv, b.len(), &mut built.interner);
                for i in 0..b.len() {
                    if kv.iter().any(|v| v.is_null(i)) {
                        continue;
                    }
                    if let Some(rows) = t.get(keys.key(i)) {
                        for &r in rows {
                            li.push(i as u32);
                            ri.push(r);
                        }
                    }
                }
            }
            None if built.band.is_some() => {
                if let Some(band) = &built.band {
                    return band.candidates(b, &self.cx);
                }
            }
            None => {
                let n = built.rows.len() as u32;
                for i in 0..b.len() as u32 {
                    for r in 0..n {
                        li.push(i);
                        ri.push(r);
                    }
                }
            }
        }
        Ok((li, ri))
    }

    fn probe(&mut self, b: Batch) -> Result<Option<Batch>> {
        let nl = b.len();
        // Nested loops work through the right side in slices to bound the pair batch.
        let (li, ri) = self.candidates(&b)?;
        let Some(built) = self.built.as_ref() else {
            return Ok(None);
        };
        let (keep_l, keep_r) = if self.residual.is_empty() {
            (li, ri)
        } else {
            let mut keep_l = Vec::new();
            let mut keep_r = Vec::new();
            let chunk = 1 << 16;
            let mut s = 0;
            while s < li.len() {
                let e = (s + chunk).min(li.len());
                let mut p = pairs(&b, &li[s..e], &built.rows, &ri[s..e]);
                let mut sel: Vec<u32> = (s as u32..e as u32).collect();
                for c in &self.residual {
                    if p.is_empty() {
                        break;
                    }
                    let m = eval_expr(c, &p, &self.cx)?.truth_mask();
                    p = p.filter(&m);
                    sel = sel
                        .into_iter()
                        .zip(&m)
                        .filter(|(_, k)| **k)
                        .map(|(x, _)| x)
                        .collect();
                }
                for &k in &sel {
                    keep_l.push(li[k as usize]);
                    keep_r.push(ri[k as usize]);
                }
                s = e;
            }
            (keep_l, keep_r)
        };
        if let Some(built) = self.built.as_mut() {
            for &r in &keep_r {
                built.matched[r as usize] = true;
            }
        }
        let Some(built) = self.built.as_ref() else {
            return Ok(None);
        };
        let out = match self.kind {
            JoinKind::Inner | JoinKind::Right => {
                if keep_l.len() == nl && keep_l.iter().enumerate().all(|(i, &l)| l as usize == i) {
                    // Every left row once, in order: its columns pass through as they are.
                    let mut cols = b.columns;
                    cols.extend(built.rows.columns.iter().map(|c| c.take(&keep_r)));
                    Batch::new(cols, nl)
                } else {
                    pairs(&b, &keep_l, &built.rows, &keep_r)
                }
            }
            JoinKind::Left | JoinKind::Full => {
                let mut hit = vec![false; nl];
                for &l in &keep_l {
                    hit[l as usize] = true;
                }
                let miss: Vec<u32> = (0..nl as u32).filter(|&i| !hit[i as usize]).collect();
                let a = pairs(&b, &keep_l, &built.rows, &keep_r);
                let m = null_extend(&b, &miss, &self.right_types, false);
                let mut types = self.left_types.clone();
                types.extend(self.right_types.iter().cloned());
                Batch::concat(&types, &[a, m])
            }
            JoinKind::Semi | JoinKind::Anti => {
                let mut hit = vec![false; nl];
                for &l in &keep_l {
                    hit[l as usize] = true;
                }
                let want = self.kind == JoinKind::Semi;
                let idx: Vec<u32> = (0..nl as u32).filter(|&i| hit[i as usize] == want).collect();
                b.take(&idx)
            }
        };
        Ok(Some(out))
    }
}

impl Operator for JoinOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.built.is_none() {
            self.build()?;
        }
        if let Some(t) = self.tail.as_mut() {
            return Ok(t.next());
        }
        while let Some(b) = self.left.next()? {
            self.cx.eval().check_cancel()?;
            if b.is_empty() {
                continue;
            }
            // A nested loop probes the left batch in slices so that pairs stay bounded.
            let nr = self
                .built
                .as_ref()
                .filter(|x| x.table.is_none() && x.band.is_none())
                .map_or(0, |x| x.rows.len());
            let step = (1usize << 20).checked_div(nr).map_or(b.len(), |s| s.max(1));
            let mut outs = Vec::new();
            if step >= b.len() {
                if let Some(out) = self.probe(b)?
                    && !out.is_empty()
                {
                    outs.push(out);
                }
            } else {
                let mut s = 0;
                while s < b.len() {
                    if let Some(out) = self.probe(b.slice(s, step))?
                        && !out.is_empty()
                    {
                        outs.push(out);
                    }
                    s += step;
                }
            }
            if !outs.is_empty() {
                let types: Vec<DataType> = outs[0].columns.iter().map(|c| c.ty.clone()).collect();
                return Ok(Some(Batch::concat_owned(&types, outs)));
            }
        }
        // Unmatched right rows for RIGHT and FULL joins.
        let mut tail = Vec::new();
        if matches!(self.kind, JoinKind::Right | JoinKind::Full)
            && let Some(built) = self.built.as_ref()
        {
            let miss: Vec<u32> = (0..built.rows.len() as u32)
                .filter(|&i| !built.matched[i as usize])
                .collect();
            if !miss.is_empty() {
                tail.push(null_extend(&built.rows, &miss, &self.left_types, true));
            }
        }
        let mut it = tail.into_iter();
        let first = it.next();
        self.tail = Some(it);
        Ok(first)
    }
}
