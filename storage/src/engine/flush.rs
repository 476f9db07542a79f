//! Flushing frozen memtables to parts, and the shared routine that writes a part from pieces
//! (used by flush, compaction and deletes).
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::Inner;
use super::parallel::parallel_map;
use super::state::{MemTable, lock_err};
use super::write::freeze;
use crate::chunk::Chunk;
use crate::column::{Column, concat};
use crate::error::Result;
use crate::manifest::{Edit, PartMeta};
use crate::part::{EncodedSeries, Part, PartWriter};
use crate::schema::{ColumnRole, TableSchema};
use crate::snapshot::{Piece, PieceData, Source, TableSnapshot};

/// Flushes the active memtable and waits until every frozen memtable is in parts.
pub(crate) fn checkpoint(inner: &Inner) -> Result<()> {
    inner.check_poisoned()?;
    {
        let mut st = inner.write()?;
        freeze(&mut st);
    }
    inner.flush_cv.notify_all();
    let mut guard = inner.flush_mx.lock().map_err(|_| lock_err())?;
    loop {
        inner.check_poisoned()?;
        if inner.read()?.frozen.is_empty() {
            return Ok(());
        }
        guard = inner
            .flush_cv
            .wait_timeout(guard, Duration::from_millis(20))
            .map_err(|_| lock_err())?
            .0;
    }
}

/// Body of the flush thread.
pub(crate) fn flush_loop(weak: Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if inner.stop.load(Ordering::SeqCst) && inner.read().map(|s| s.frozen.is_empty()).unwrap_or(true) {
            return;
        }
        if inner.poisoned.load(Ordering::SeqCst) {
            return;
        }
        let next = inner.read().ok().and_then(|s| s.frozen.front().cloned());
        match next {
            Some(mem) => {
                if let Err(e) = flush_memtable(&inner, &mem) {
                    inner.poison(format!("flush failed: {e}"));
                }
                inner.flush_cv.notify_all();
            }
            None => {
                if let Ok(g) = inner.flush_mx.lock() {
                    let _ = inner.flush_cv.wait_timeout(g, Duration::from_millis(100));
                }
            }
        }
    }
}

/// A snapshot holding just `parts` and `chunks`, to read pieces with the normal read path.
pub(crate) fn scratch_snapshot(
    schema: Arc<TableSchema>,
    series: Arc<crate::series::SeriesIndex>,
    parts: Vec<Arc<Part>>,
    chunks: Vec<Arc<crate::chunk::Chunk>>,
) -> TableSnapshot {
    TableSnapshot {
        schema,
        series,
        parts,
        chunks,
        damaged: Vec::new(),
        last: None,
    }
}

/// Bounds of the partition starting at `p`.
pub(crate) fn partition_bounds(schema: &TableSchema, p: i64) -> (i64, i64) {
    if !schema.is_time_series() {
        return (i64::MIN, i64::MAX);
    }
    (p, p.saturating_add(schema.options.partition_us - 1))
}

/// The runs of `chunks` as one piece per series for every partition they touch, in partition
/// order (a run crossing partitions goes to each; the part writer cuts it at the bounds).
pub(crate) fn partition_pieces(schema: &TableSchema, chunks: &[Arc<Chunk>]) -> Vec<(i64, Vec<Piece>)> {
    let mut by_partition: BTreeMap<i64, BTreeMap<u32, Vec<Source>>> = BTreeMap::new();
    for chunk in chunks {
        for (i, r) in chunk.runs.iter().enumerate() {
            let (first, last) = (schema.partition_of(r.min_ts), schema.partition_of(r.max_ts));
            let mut p = first;
            loop {
                let src = Source::Chunk {
                    chunk: chunk.clone(),
                    run: i as u32,
                };
                by_partition
                    .entry(p)
                    .or_default()
                    .entry(r.series)
                    .or_default()
                    .push(src);
                if p >= last {
                    break;
                }
                p += schema.options.partition_us;
            }
        }
    }
    by_partition
        .into_iter()
        .map(|(p, per_series)| {
            let pieces = per_series
                .into_iter()
                .map(|(s, sources)| Piece {
                    series: s,
                    min_ts: i64::MIN,
                    max_ts: i64::MAX,
                    rows: 0,
                    sources,
                })
                .collect();
            (p, pieces)
        })
        .collect()
}

/// The manifest entry of a level-0 part about to be written (the writer fills in the rest).
pub(crate) fn new_part_meta(table_id: u64, partition: i64, min_seq: u64, max_seq: u64) -> PartMeta {
    PartMeta {
        id: 0,
        table_id,
        partition,
        min_ts: 0,
        max_ts: 0,
        rows: 0,
        bytes: 0,
        min_seq,
        max_seq,
        level: 0,
    }
}

fn flush_memtable(inner: &Inner, mem: &Arc<MemTable>) -> Result<()> {
    let mut edits = Vec::new();
    let mut new_parts = Vec::new();
    let mut persisted = Vec::new();
    let mut table_ids: Vec<&u64> = mem.tables.keys().collect();
    table_ids.sort();
    for &table_id in table_ids {
        let Some(entry) = inner.read()?.tables.get(&table_id).cloned() else {
            continue;
        };
        let schema = entry.schema.clone();
        let series = entry.shared.series()?;
        let chunks = &mem.tables[&table_id];
        let snap = scratch_snapshot(schema.clone(), series.clone(), Vec::new(), Vec::new());
        for (p, pieces) in partition_pieces(&schema, chunks) {
            let base = new_part_meta(table_id, p, mem.min_seq, mem.max_seq);
            if let Some((meta, _)) = write_part(inner, &snap, &pieces, base, None)? {
                new_parts.push(meta);
            }
        }
        let done = entry.shared.persisted_series.lock().map_err(|_| lock_err())?;
        if series.len() as u32 > *done {
            let keys = (*done..series.len() as u32)
                .map(|s| {
                    series
                        .key_values(s)
                        .into_iter()
                        .map(|v| v.map(|b| String::from_utf8_lossy(b).into_owned()))
                        .collect()
                })
                .collect();
            edits.push(Edit::AddSeries {
                table_id,
                first_id: *done,
                keys,
            });
            persisted.push((entry.shared.clone(), series.len() as u32));
        }
        drop(done);
    }
    let parts_dir = inner.dir.join("parts");
    inner
        .fs
        .sync_dir(&parts_dir)
        .map_err(|e| inner.poison(format!("fsync {}: {e}", parts_dir.display())))?;
    edits.extend(new_parts.iter().cloned().map(Edit::AddPart));
    edits.push(Edit::WalCheckpoint { seq: mem.max_seq });
    inner.log(edits)?;
    // The manifest now covers these records durably. Remove the WAL before the memtable leaves
    // `frozen`, so a checkpoint that returns has also truncated the log.
    remove_old_wal(inner, mem.max_seq);
    let mut opened = Vec::with_capacity(new_parts.len());
    for meta in new_parts {
        let path = inner.part_path(meta.id);
        opened.push(Arc::new(Part::open(&*inner.fs, &path, meta)?));
    }
    {
        let mut st = inner.write()?;
        for p in opened {
            if st.tables.contains_key(&p.meta.table_id) {
                st.add_part(p);
            }
        }
        if st.frozen.front().is_some_and(|f| Arc::ptr_eq(f, mem)) {
            st.frozen.pop_front();
        }
    }
    for (shared, n) in persisted {
        if let Ok(mut d) = shared.persisted_series.lock() {
            *d = (*d).max(n);
        }
    }
    Ok(())
}

/// Deletes WAL segments whose records are all at or below `checkpoint`.
fn remove_old_wal(inner: &Inner, checkpoint: u64) {
    let dir = inner.wal_dir();
    let Ok(names) = inner.fs.list(&dir) else { return };
    let mut firsts: Vec<u64> = names
        .iter()
        .filter_map(|n| crate::wal::parse_segment_name(n))
        .collect();
    firsts.sort_unstable();
    for w in firsts.windows(2) {
        if w[1] <= checkpoint + 1 {
            let _ = inner.fs.remove(&crate::wal::segment_path(&dir, w[0]));
        }
    }
}

/// Deletion mask for the rows of one series (true = delete).
pub(crate) type RowFilter<'a> = &'a (dyn Fn(&PieceData) -> Result<Vec<bool>> + Sync);

/// Writes the rows of `pieces` (sorted by series; pieces of one series in time order and not
/// overlapping) inside the partition of `base` into a new part. With `filter`, rows it marks are
/// left out. Returns the part (None when no row remains) and the number of rows left out.
pub(crate) fn write_part(
    inner: &Inner,
    snap: &TableSnapshot,
    pieces: &[Piece],
    mut base: PartMeta,
    filter: Option<RowFilter<'_>>,
) -> Result<Option<(PartMeta, u64)>> {
    let schema = &snap.schema;
    let (lo, hi) = partition_bounds(schema, base.partition);
    let fields: Vec<(usize, crate::column::PhysicalType)> = schema
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == ColumnRole::Field)
        .map(|(i, c)| (i, c.ptype))
        .collect();
    let read_cols: Vec<usize> = match filter {
        Some(_) => (0..schema.columns.len()).collect(),
        None => fields.iter().map(|f| f.0).collect(),
    };
    base.id = inner.next_part_id.fetch_add(1, Ordering::SeqCst);
    let path = inner.part_path(base.id);
    let mut w = PartWriter::create(&*inner.fs, &path, schema.time_column(), &fields)
        .map_err(|e| inner.poison(format!("cannot create part: {e}")))?;
    let encoder = w.encoder();
    // Consecutive pieces of one series form a group; groups are read, merged and encoded on
    // all cores, then appended in series order.
    let mut groups = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let start = i;
        while i < pieces.len() && pieces[i].series == pieces[start].series {
            i += 1;
        }
        groups.push(start..i);
    }
    let encode_group = |g: usize| -> Result<(EncodedSeries, u64)> {
        let range = groups[g].clone();
        let s = pieces[range.start].series;
        let mut datas = Vec::with_capacity(range.len());
        for piece in &pieces[range] {
            datas.push(snap.read(piece, &read_cols, lo, hi)?);
        }
        let mut data = concat_pieces(s, datas, &read_cols, schema);
        let mut dropped = 0u64;
        if let Some(f) = filter {
            let del = f(&data)?;
            let keep: Vec<u32> = (0..data.ts.len())
                .filter(|&r| !del.get(r).copied().unwrap_or(false))
                .map(|r| r as u32)
                .collect();
            dropped = (data.ts.len() - keep.len()) as u64;
            if keep.len() != data.ts.len() {
                data.ts = keep.iter().map(|&r| data.ts[r as usize]).collect();
                data.columns = data.columns.iter().map(|c| c.take(&keep)).collect();
            }
        }
        let cols: Vec<Option<&Column>> = fields
            .iter()
            .map(|(f, _)| {
                read_cols
                    .iter()
                    .position(|c| c == f)
                    .and_then(|p| data.columns.get(p))
            })
            .collect();
        Ok((encoder.encode(s, &data.ts, &cols), dropped))
    };
    let mut dropped = 0u64;
    for result in parallel_map(groups.len(), encode_group) {
        let (encoded, d) = match result {
            Ok(r) => r,
            Err(e) => {
                w.abandon();
                return Err(e);
            }
        };
        dropped += d;
        if let Err(e) = w.append(encoded) {
            w.abandon();
            return Err(inner.poison(format!("part write failed: {e}")));
        }
    }
    if w.rows == 0 {
        w.abandon();
        return Ok(None);
    }
    let (min_ts, max_ts) = (w.min_ts, w.max_ts);
    let (rows, bytes) = w
        .finish()
        .map_err(|e| inner.poison(format!("part write failed: {e}")))?;
    Ok(Some((
        PartMeta {
            min_ts,
            max_ts,
            rows,
            bytes,
            ..base
        },
        dropped,
    )))
}

fn concat_pieces(series: u32, mut datas: Vec<PieceData>, cols: &[usize], schema: &TableSchema) -> PieceData {
    if datas.len() == 1 {
        return datas.pop().unwrap_or(PieceData {
            series,
            ts: Vec::new(),
            columns: Vec::new(),
        });
    }
    let ts = datas.iter().flat_map(|d| d.ts.iter().copied()).collect();
    let columns = cols
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let refs: Vec<&Column> = datas.iter().filter_map(|d| d.columns.get(k)).collect();
            concat(&refs, schema.columns[c].ptype)
        })
        .collect();
    PieceData { series, ts, columns }
}
