//! Memtable chunks: one committed batch, validated, mapped to series and sorted by (series, ts).
//!
//! Chunks are immutable once built; the memtable is a list of `Arc<Chunk>`, so a reader's snapshot
//! is a cheap clone of that list.
use std::sync::Arc;

use crate::column::{Column, ColumnVec, PhysicalType};
use crate::error::{Error, Result};
use crate::schema::{ColumnRole, TableSchema};
use crate::series::SeriesIndex;

/// Rows of one series inside a chunk, sorted by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesRun {
    /// Series id.
    pub series: u32,
    /// First row.
    pub start: u32,
    /// Number of rows.
    pub len: u32,
    /// Smallest timestamp.
    pub min_ts: i64,
    /// Largest timestamp.
    pub max_ts: i64,
}

/// A batch of rows as held in the memtable.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Owning table.
    pub table_id: u64,
    /// Runs sorted by series id.
    pub runs: Vec<SeriesRun>,
    /// Timestamps (row ids for dimension tables), sorted within each run.
    pub ts: Vec<i64>,
    /// Field columns by schema index; `None` for time and tag columns and columns added later.
    pub fields: Vec<Option<Column>>,
}

/// Rows to append: one column per schema column, in schema order.
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    /// The columns.
    pub columns: Vec<Column>,
}

impl WriteBatch {
    /// A batch of the given columns.
    pub fn new(columns: Vec<Column>) -> WriteBatch {
        WriteBatch { columns }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Chunk {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.ts.len()
    }

    /// Approximate heap size, for flush decisions.
    pub fn approx_bytes(&self) -> usize {
        let per_row: usize = self
            .fields
            .iter()
            .flatten()
            .map(|c| match c.values {
                ColumnVec::Bool(_) => 1,
                ColumnVec::Bytes(_) => 4,
                _ => 8,
            } + usize::from(c.validity.is_some()))
            .sum();
        self.ts.len() * (8 + per_row) + self.runs.len() * 32 + 64
    }

    /// The run of a series, if present.
    pub fn run(&self, series: u32) -> Option<&SeriesRun> {
        self.runs
            .binary_search_by_key(&series, |r| r.series)
            .ok()
            .map(|i| &self.runs[i])
    }

    /// The field column at schema index `c`, if the chunk has it.
    pub fn field(&self, c: usize) -> Option<&Column> {
        self.fields.get(c).and_then(|f| f.as_ref())
    }
}

/// Checks a batch against its table.
pub fn validate(schema: &TableSchema, batch: &WriteBatch) -> Result<()> {
    if batch.columns.len() != schema.columns.len() {
        return Err(Error::InvalidBatch(format!(
            "table \"{}\" has {} columns, the batch has {}",
            schema.name,
            schema.columns.len(),
            batch.columns.len()
        )));
    }
    let n = batch.len();
    for (def, col) in schema.columns.iter().zip(&batch.columns) {
        if col.len() != n {
            return Err(Error::InvalidBatch(format!(
                "column \"{}\" has {} values, expected {n}",
                def.name,
                col.len()
            )));
        }
        if col.values.physical_type() != def.ptype {
            return Err(Error::InvalidBatch(format!(
                "column \"{}\" expects {:?}, got {:?}",
                def.name,
                def.ptype,
                col.values.physical_type()
            )));
        }
        if let Some(v) = &col.validity {
            if v.len() != n {
                return Err(Error::InvalidBatch(format!(
                    "validity of \"{}\" has the wrong length",
                    def.name
                )));
            }
            if (!def.nullable || def.role == ColumnRole::Time) && v.iter().any(|b| !b) {
                return Err(Error::InvalidBatch(format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    def.name, schema.name
                )));
            }
        }
        if let ColumnVec::Bytes(d) = &col.values
            && d.codes.iter().any(|&c| c as usize >= d.dict.len())
        {
            return Err(Error::InvalidBatch(format!(
                "column \"{}\" has a code outside its dictionary",
                def.name
            )));
        }
    }
    Ok(())
}

/// Series id per row. Takes the write path through `index` only when new series appear.
pub fn resolve_series(
    schema: &TableSchema,
    batch: &WriteBatch,
    index: &SeriesIndex,
    mut add: impl FnMut(&[Vec<Option<Vec<u8>>>]) -> Result<Arc<SeriesIndex>>,
) -> Result<Vec<u32>> {
    let tags = schema.tag_columns();
    let n = batch.len();
    let dicts: Vec<(&crate::column::DictVec, Option<&Vec<bool>>)> = tags
        .iter()
        .filter_map(|&c| match &batch.columns[c].values {
            ColumnVec::Bytes(d) => Some((d, batch.columns[c].validity.as_ref())),
            _ => None,
        })
        .collect();
    let key_at = |row: usize| -> Vec<Option<&[u8]>> {
        dicts
            .iter()
            .map(|(d, v)| {
                if v.is_some_and(|v| !v[row]) {
                    None
                } else {
                    Some(&d.dict[d.codes[row] as usize][..])
                }
            })
            .collect()
    };
    // Distinct tag-code combinations, each looked up once.
    let mut combo_of_row = Vec::with_capacity(n);
    let mut combos: Vec<usize> = Vec::new(); // representative row per combination
    let mut map: std::collections::HashMap<Vec<u64>, u32> = std::collections::HashMap::new();
    let mut last: Option<(Vec<u64>, u32)> = None;
    if let [(d, v)] = dicts[..] {
        // One tag (the usual case): combinations are dictionary codes, numbered in an array.
        let mut combo_of_code = vec![u32::MAX; d.dict.len() + 1];
        let null_slot = d.dict.len();
        for row in 0..n {
            let code = match d.codes.get(row) {
                Some(&c) if v.is_none_or(|v| v.get(row).copied().unwrap_or(false)) => c as usize,
                _ => null_slot,
            };
            let Some(slot) = combo_of_code.get_mut(code) else {
                return Err(Error::InvalidBatch(format!(
                    "tag code {code} outside its dictionary"
                )));
            };
            if *slot == u32::MAX {
                combos.push(row);
                *slot = combos.len() as u32 - 1;
            }
            combo_of_row.push(*slot);
        }
    }
    for row in (if dicts.len() == 1 { n } else { 0 })..n {
        let k: Vec<u64> = dicts
            .iter()
            .map(|(d, v)| {
                if v.is_some_and(|v| !v[row]) {
                    u64::MAX
                } else {
                    d.codes[row] as u64
                }
            })
            .collect();
        if let Some((lk, lc)) = &last
            && *lk == k
        {
            combo_of_row.push(*lc);
            continue;
        }
        let c = *map.entry(k.clone()).or_insert_with(|| {
            combos.push(row);
            combos.len() as u32 - 1
        });
        combo_of_row.push(c);
        last = Some((k, c));
    }
    let mut series_of_combo = Vec::with_capacity(combos.len());
    let mut missing = Vec::new();
    for &row in &combos {
        match index.find(&key_at(row)) {
            Some(s) => series_of_combo.push(s),
            None => {
                series_of_combo.push(u32::MAX);
                missing.push(row);
            }
        }
    }
    if !missing.is_empty() {
        let keys: Vec<Vec<Option<Vec<u8>>>> = missing
            .iter()
            .map(|&r| key_at(r).into_iter().map(|v| v.map(|b| b.to_vec())).collect())
            .collect();
        let updated = add(&keys)?;
        for (i, &row) in combos.iter().enumerate() {
            if series_of_combo[i] == u32::MAX {
                series_of_combo[i] = updated
                    .find(&key_at(row))
                    .ok_or_else(|| Error::InvalidBatch("series vanished while being added".into()))?;
            }
        }
    }
    Ok(combo_of_row
        .into_iter()
        .map(|c| series_of_combo[c as usize])
        .collect())
}

/// Builds a chunk from a validated batch, its series ids and its timestamps.
pub fn build(schema: &TableSchema, batch: &WriteBatch, series: Vec<u32>, ts: Vec<i64>) -> Chunk {
    let n = ts.len();
    let perm = sort_permutation(&series, &ts);
    let (series, ts) = match &perm {
        Some(p) => (
            p.iter().map(|&i| series[i as usize]).collect::<Vec<_>>(),
            p.iter().map(|&i| ts[i as usize]).collect::<Vec<_>>(),
        ),
        None => (series, ts),
    };
    let mut runs = Vec::new();
    let mut start = 0usize;
    while start < n {
        let s = series[start];
        let mut end = start + 1;
        while end < n && series[end] == s {
            end += 1;
        }
        runs.push(SeriesRun {
            series: s,
            start: start as u32,
            len: (end - start) as u32,
            min_ts: ts[start],
            max_ts: ts[end - 1],
        });
        start = end;
    }
    let fields = schema
        .columns
        .iter()
        .zip(&batch.columns)
        .map(|(def, col)| {
            (def.role == ColumnRole::Field).then(|| match &perm {
                Some(p) => col.take(p),
                None => col.clone(),
            })
        })
        .collect();
    Chunk {
        table_id: schema.id,
        runs,
        ts,
        fields,
    }
}

/// A permutation sorting rows by (series, ts), stable for equal keys; `None` if already sorted.
fn sort_permutation(series: &[u32], ts: &[i64]) -> Option<Vec<u32>> {
    let n = series.len();
    let sorted = (1..n).all(|i| (series[i - 1], ts[i - 1]) <= (series[i], ts[i]));
    if sorted {
        return None;
    }
    // Counting sort by series (stable), then a stable sort by ts inside runs that need it.
    let max = series.iter().copied().max().unwrap_or(0) as usize;
    let mut counts = vec![0u32; max + 2];
    for &s in series {
        counts[s as usize + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    let mut perm = vec![0u32; n];
    for (i, &s) in series.iter().enumerate() {
        let slot = &mut counts[s as usize];
        perm[*slot as usize] = i as u32;
        *slot += 1;
    }
    let mut start = 0;
    while start < n {
        let s = series[perm[start] as usize];
        let mut end = start + 1;
        while end < n && series[perm[end] as usize] == s {
            end += 1;
        }
        let run = &mut perm[start..end];
        if !run.windows(2).all(|w| ts[w[0] as usize] <= ts[w[1] as usize]) {
            run.sort_by_key(|&i| ts[i as usize]);
        }
        start = end;
    }
    Some(perm)
}

/// Merges small chunks of one table into one (keeps scans over many single-row inserts cheap).
pub fn merge(schema: &TableSchema, chunks: &[Arc<Chunk>]) -> Chunk {
    let total: usize = chunks.iter().map(|c| c.rows()).sum();
    let mut series = Vec::with_capacity(total);
    let mut ts = Vec::with_capacity(total);
    for c in chunks {
        for r in &c.runs {
            series.extend(std::iter::repeat_n(r.series, r.len as usize));
        }
        ts.extend_from_slice(&c.ts);
    }
    let columns = schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, def)| {
            if def.role != ColumnRole::Field {
                return Column::nulls(def.ptype, total);
            }
            let parts: Vec<Column> = chunks
                .iter()
                .map(|c| c.field(i).cloned().unwrap_or_else(|| def.missing(c.rows())))
                .collect();
            let refs: Vec<&Column> = parts.iter().collect();
            crate::column::concat(&refs, def.ptype)
        })
        .collect();
    build(schema, &WriteBatch { columns }, series, ts)
}

/// The value type used for a missing column of a chunk.
pub fn missing(ptype: PhysicalType, n: usize) -> Column {
    Column::nulls(ptype, n)
}
