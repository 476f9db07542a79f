//! ORDER BY: a stable sort of row indexes by typed key comparisons; text keys compare through a
//! rank per dictionary entry. TopN keeps only the first n rows.
use std::cmp::Ordering;

use super::context::ExecCtx;
use super::expr::eval_expr;
use super::{BoxOp, Operator, drain};
use crate::error::Result;
use crate::plan::SortKey;
use crate::types::value::cmp_f64;
use crate::vector::{Batch, Vector, VectorData};

/// A comparable view of one key column.
enum KeyCol<'a> {
    Int(&'a [i64]),
    Float(&'a [f64]),
    Bool(&'a [bool]),
    /// Rank of each row's dictionary entry.
    Rank(Vec<u32>),
    Values(&'a Vector),
    Const,
}

fn key_col(v: &Vector) -> KeyCol<'_> {
    match &v.data {
        VectorData::Int(x) => KeyCol::Int(x),
        VectorData::Float(x) => KeyCol::Float(x),
        VectorData::Bool(x) => KeyCol::Bool(x),
        VectorData::Text(d) => {
            let mut order: Vec<u32> = (0..d.dict.len() as u32).collect();
            order.sort_by(|&a, &b| d.dict[a as usize].cmp(&d.dict[b as usize]));
            let mut rank = vec![0u32; d.dict.len()];
            let mut r = 0u32;
            for (k, &code) in order.iter().enumerate() {
                if k > 0 && d.dict[code as usize] != d.dict[order[k - 1] as usize] {
                    r += 1;
                }
                rank[code as usize] = r;
            }
            KeyCol::Rank(
                d.codes
                    .iter()
                    .map(|&c| rank.get(c as usize).copied().unwrap_or(0))
                    .collect(),
            )
        }
        VectorData::Values(_) => KeyCol::Values(v),
        VectorData::Const(_) => KeyCol::Const,
    }
}

/// Compares rows `a` and `b` of the key columns.
fn compare(cols: &[(KeyCol<'_>, &Vector, &SortKey)], a: usize, b: usize) -> Ordering {
    for (kc, v, k) in cols {
        let (na, nb) = (v.is_null(a), v.is_null(b));
        let o = match (na, nb) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                return if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            (false, true) => {
                return if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            _ => {
                let o = match kc {
                    KeyCol::Int(x) => x[a].cmp(&x[b]),
                    KeyCol::Float(x) => cmp_f64(x[a], x[b]),
                    KeyCol::Bool(x) => x[a].cmp(&x[b]),
                    KeyCol::Rank(r) => r[a].cmp(&r[b]),
                    KeyCol::Values(v) => v.value(a).total_cmp(&v.value(b)),
                    KeyCol::Const => Ordering::Equal,
                };
                if k.desc { o.reverse() } else { o }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Row order of `b` under `keys` (stable).
pub fn sort_indices(b: &Batch, keys: &[SortKey]) -> Result<Vec<u32>> {
    let cx = ExecCtx::constant(&crate::context::EvalContext::default());
    let vecs = keys
        .iter()
        .map(|k| eval_expr(&k.expr, b, &cx))
        .collect::<Result<Vec<_>>>()?;
    Ok(sort_by_vectors(&vecs, keys, b.len()))
}

/// Row order given evaluated key vectors.
pub fn sort_by_vectors(vecs: &[Vector], keys: &[SortKey], n: usize) -> Vec<u32> {
    order_of(vecs, keys, n).unwrap_or_else(|| (0..n as u32).collect())
}

/// Row order given evaluated key vectors, or `None` when the rows already are in that order
/// (one linear check, common for series-major scans).
pub fn order_of(vecs: &[Vector], keys: &[SortKey], n: usize) -> Option<Vec<u32>> {
    let cols: Vec<(KeyCol<'_>, &Vector, &SortKey)> =
        vecs.iter().zip(keys).map(|(v, k)| (key_col(v), v, k)).collect();
    if (1..n).all(|i| compare(&cols, i - 1, i) != Ordering::Greater) {
        return None;
    }
    let mut perm: Vec<u32> = (0..n as u32).collect();
    perm.sort_by(|&a, &b| compare(&cols, a as usize, b as usize));
    Some(perm)
}

/// ORDER BY (optionally keeping only the first `limit` rows).
pub struct SortOp {
    input: BoxOp,
    keys: Vec<SortKey>,
    limit: Option<usize>,
    cx: ExecCtx,
    /// Accounts the rows this operator holds; released with it.
    mem: super::context::Grant,
    out: Option<std::vec::IntoIter<Batch>>,
}

impl SortOp {
    /// Sorts `input`.
    pub fn new(input: BoxOp, keys: Vec<SortKey>, limit: Option<usize>, cx: ExecCtx) -> SortOp {
        SortOp {
            input,
            keys,
            limit,
            cx,
            mem: Default::default(),
            out: None,
        }
    }

    fn run(&mut self) -> Result<Vec<Batch>> {
        let types = Vec::new();
        let mut batches = drain(&mut *self.input, &self.cx)?;
        self.mem.absorb(std::mem::take(&mut batches.grant));
        if batches.is_empty() {
            return Ok(Vec::new());
        }
        let types = if types.is_empty() {
            batches[0]
                .columns
                .iter()
                .map(|c| c.ty.clone())
                .collect::<Vec<_>>()
        } else {
            types
        };
        let all = Batch::concat(&types, &batches);
        let vecs = self
            .keys
            .iter()
            .map(|k| eval_expr(&k.expr, &all, &self.cx))
            .collect::<Result<Vec<_>>>()?;
        let mut perm = sort_by_vectors(&vecs, &self.keys, all.len());
        if let Some(l) = self.limit {
            perm.truncate(l);
        }
        let sorted = all.take(&perm);
        Ok(split(sorted))
    }
}

/// Splits a big batch into batches of at most 8192 rows.
pub fn split(b: Batch) -> Vec<Batch> {
    if b.len() <= 8192 {
        return vec![b];
    }
    (0..b.len()).step_by(8192).map(|s| b.slice(s, 8192)).collect()
}

impl Operator for SortOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        if self.out.is_none() {
            let b = self.run()?;
            self.out = Some(b.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
