//! ASOF join: for every left row, the latest right row with the same keys at or before
//! (strictly before, when `strict`) the left row's time.
//!
//! The left side (the events: measurements, orders…) is materialised and sorted by (key, time);
//! the right side (the large, high-frequency series) streams through once. Each key's sorted
//! left times cut its timeline into gaps; a right row at time t falls into the gap of the first
//! left row it can serve, and each gap keeps only its latest right row, copied out at the end of
//! the batch that produced it (so no right batch is held). A running maximum over the gaps then
//! answers every left row: gaps are ordered by time, so the answer for the j-th left row of a key
//! is the last non-empty gap at or before j. Cost: O(right · log left) time, O(left) memory.
use std::cmp::Ordering;
use std::collections::HashMap;

use super::context::ExecCtx;
use super::expr::eval_expr;
use super::keys::{Interner, encode};
use super::{BoxOp, Operator, drain};
use crate::error::Result;
use crate::plan::Expr;
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector, VectorData};

/// ASOF join operator.
pub struct AsofOp {
    left: Option<BoxOp>,
    right: Option<BoxOp>,
    lkeys: Vec<Expr>,
    rkeys: Vec<Expr>,
    ltime: Expr,
    rtime: Expr,
    strict: bool,
    outer: bool,
    right_types: Vec<DataType>,
    cx: ExecCtx,
    /// Accounts the rows this operator holds; released with it.
    mem: super::context::Grant,
    out: Option<std::vec::IntoIter<Batch>>,
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
            left: Some(left),
            right: Some(right),
            lkeys,
            rkeys,
            ltime,
            rtime,
            strict,
            outer,
            right_types,
            cx,
            mem: Default::default(),
            out: None,
        }
    }

    fn run(&mut self) -> Result<Vec<Batch>> {
        let (Some(mut lop), Some(mut rop)) = (self.left.take(), self.right.take()) else {
            return Ok(Vec::new());
        };
        let mut left = drain(&mut *lop, &self.cx)?;
        self.mem.absorb(std::mem::take(&mut left.grant));
        drop(lop);

        // Left rows: (key id, time, global row), sorted by key then time.
        let mut keys = KeyMap::default();
        let mut entries: Vec<(u32, Time, u32)> = Vec::new();
        let mut base = 0u32;
        for b in left.iter() {
            let kv = self.eval_all(&self.lkeys, b)?;
            let tv = eval_expr(&self.ltime, b, &self.cx)?;
            let ids = keys.ids(&kv, b.len(), true);
            let times = times_of(&tv);
            for i in 0..b.len() {
                if let (Some(k), Some(t)) = (ids[i], &times[i]) {
                    entries.push((k, t.clone(), base + i as u32));
                }
            }
            base += b.len() as u32;
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let mut ranges = vec![(0usize, 0usize); keys.len()];
        let mut s = 0;
        while s < entries.len() {
            let k = entries[s].0;
            let mut e = s;
            while e < entries.len() && entries[e].0 == k {
                e += 1;
            }
            ranges[k as usize] = (s, e);
            s = e;
        }

        // Stream the right side; each gap keeps its latest right row.
        let mut gaps = Gaps::new(entries.len(), self.right_types.len());
        let mut batch_no = 0u32;
        while let Some(b) = rop.next()? {
            self.cx.eval().check_cancel()?;
            batch_no += 1;
            let kv = self.eval_all(&self.rkeys, &b)?;
            let tv = eval_expr(&self.rtime, &b, &self.cx)?;
            let ids = keys.ids(&kv, b.len(), false);
            let times = times_of(&tv);
            for i in 0..b.len() {
                let (Some(k), Some(t)) = (ids[i], &times[i]) else {
                    continue;
                };
                let (s, e) = ranges[k as usize];
                let slot = &entries[s..e];
                // First left row this right row can serve.
                let p = slot.partition_point(|x| match x.1.cmp(t) {
                    Ordering::Less => true,
                    Ordering::Equal => self.strict,
                    Ordering::Greater => false,
                });
                if p < slot.len() {
                    gaps.offer(s + p, t, i as u32, batch_no);
                }
            }
            gaps.copy_out(&b, batch_no);
        }
        drop(rop);

        // Running maximum over each key's gaps.
        let mut winner = vec![u32::MAX; base as usize];
        for &(s, e) in &ranges {
            let mut run = u32::MAX;
            for j in s..e {
                if gaps.set[j] {
                    run = j as u32;
                }
                winner[entries[j].2 as usize] = run;
            }
        }

        let mut out = Vec::new();
        let mut base = 0usize;
        for b in left.iter() {
            let mut keep = Vec::with_capacity(b.len());
            let mut right_rows = Vec::with_capacity(b.len());
            for i in 0..b.len() {
                let w = winner[base + i];
                if w != u32::MAX || self.outer {
                    keep.push(i as u32);
                    right_rows.push(w);
                }
            }
            base += b.len();
            if keep.is_empty() {
                continue;
            }
            let mut cols: Vec<Vector> = b.columns.iter().map(|c| c.take(&keep)).collect();
            for (c, ty) in self.right_types.iter().enumerate() {
                let vals = right_rows
                    .iter()
                    .map(|&w| match w {
                        u32::MAX => Value::Null,
                        w => gaps.value(w as usize, c),
                    })
                    .collect();
                cols.push(Vector::from_values(ty.clone(), vals));
            }
            out.push(Batch::new(cols, keep.len()));
        }
        Ok(out)
    }

    fn eval_all(&self, exprs: &[Expr], b: &Batch) -> Result<Vec<Vector>> {
        exprs.iter().map(|k| eval_expr(k, b, &self.cx)).collect()
    }
}

impl Operator for AsofOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.out.is_none() {
            let batches = self.run()?;
            self.out = Some(batches.into_iter());
        }
        Ok(self.out.as_mut().and_then(Iterator::next))
    }
}

/// A join time with a total order: integers (timestamps, dates, ints) directly, floats through
/// an order-preserving map to integers, anything else by value.
#[derive(Clone, Debug)]
enum Time {
    Int(i64),
    Other(Value),
}

impl PartialEq for Time {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Time {}
impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Time {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Time::Int(a), Time::Int(b)) => a.cmp(b),
            (Time::Other(a), Time::Other(b)) => a.total_cmp(b),
            (Time::Int(_), Time::Other(_)) => Ordering::Less,
            (Time::Other(_), Time::Int(_)) => Ordering::Greater,
        }
    }
}

/// Maps a float to an integer with the same order (-0.0 and 0.0 equal, NaN above +inf).
fn float_key(f: f64) -> i64 {
    let f = if f == 0.0 { 0.0 } else { f };
    let b = f.to_bits() as i64;
    if b < 0 { b ^ i64::MAX } else { b }
}

fn times_of(v: &Vector) -> Vec<Option<Time>> {
    let n = v.len();
    match &v.data {
        VectorData::Int(x) => (0..n).map(|i| (!v.is_null(i)).then(|| Time::Int(x[i]))).collect(),
        VectorData::Float(x) => (0..n)
            .map(|i| (!v.is_null(i)).then(|| Time::Int(float_key(x[i]))))
            .collect(),
        _ => (0..n)
            .map(|i| match v.value(i) {
                Value::Null => None,
                Value::Int(x) => Some(Time::Int(x)),
                Value::Float(f) => Some(Time::Int(float_key(f))),
                other => Some(Time::Other(other)),
            })
            .collect(),
    }
}

/// Key tuples → dense ids. The left side inserts, the right side only looks up. A single text
/// key (the usual tag column) is resolved once per dictionary entry, not per row.
#[derive(Default)]
struct KeyMap {
    interner: Interner,
    ids: HashMap<Vec<u8>, u32>,
}

impl KeyMap {
    fn len(&self) -> usize {
        self.ids.len()
    }

    fn lookup(&mut self, key: &[u8], insert: bool) -> Option<u32> {
        if let Some(&id) = self.ids.get(key) {
            return Some(id);
        }
        if !insert {
            return None;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(key.to_vec(), id);
        Some(id)
    }

    fn ids(&mut self, cols: &[Vector], n: usize, insert: bool) -> Vec<Option<u32>> {
        if let [c] = cols
            && let VectorData::Text(d) = &c.data
            && d.dict.len() < n
        {
            // Encode each dictionary entry once through the general path.
            let codes = (0..d.dict.len() as u32).collect();
            let entries = Vector::new(
                c.ty.clone(),
                VectorData::Text(plantdb_storage::DictVec {
                    dict: d.dict.clone(),
                    codes,
                }),
                None,
            );
            let per_entry = self.ids_general(std::slice::from_ref(&entries), d.dict.len(), insert);
            return (0..n)
                .map(|i| {
                    if c.is_null(i) {
                        None
                    } else {
                        per_entry.get(d.codes[i] as usize).copied().flatten()
                    }
                })
                .collect();
        }
        self.ids_general(cols, n, insert)
    }

    fn ids_general(&mut self, cols: &[Vector], n: usize, insert: bool) -> Vec<Option<u32>> {
        let enc = encode(cols, n, &mut self.interner);
        (0..n)
            .map(|i| {
                if cols.iter().any(|c| c.is_null(i)) {
                    None // NULL keys never match
                } else {
                    self.lookup(enc.key(i), insert)
                }
            })
            .collect()
    }
}

/// Per gap: the latest right row seen so far, as values.
struct Gaps {
    set: Vec<bool>,
    time: Vec<Option<Time>>,
    /// Row of the current batch that last improved the gap, and that batch's number.
    row: Vec<(u32, u32)>,
    touched: Vec<u32>,
    width: usize,
    values: Vec<Value>,
}

impl Gaps {
    fn new(n: usize, width: usize) -> Gaps {
        Gaps {
            set: vec![false; n],
            time: vec![None; n],
            row: vec![(0, 0); n],
            touched: Vec::new(),
            width,
            values: vec![Value::Null; n * width],
        }
    }

    fn offer(&mut self, gap: usize, t: &Time, row: u32, batch: u32) {
        let better = match &self.time[gap] {
            None => true,
            Some(cur) => t >= cur, // ties: the later row
        };
        if better {
            self.time[gap] = Some(t.clone());
            if self.row[gap].1 != batch {
                self.touched.push(gap as u32);
            }
            self.row[gap] = (row, batch);
        }
    }

    /// Copies the values of the rows that won a gap in this batch.
    fn copy_out(&mut self, b: &Batch, batch: u32) {
        for g in std::mem::take(&mut self.touched) {
            let g = g as usize;
            let (row, bn) = self.row[g];
            if bn != batch {
                continue;
            }
            self.set[g] = true;
            for (c, col) in b.columns.iter().enumerate().take(self.width) {
                self.values[g * self.width + c] = col.value(row as usize);
            }
        }
    }

    fn value(&self, gap: usize, col: usize) -> Value {
        self.values
            .get(gap * self.width + col)
            .cloned()
            .unwrap_or(Value::Null)
    }
}
