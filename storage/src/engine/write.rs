//! The write path: validate → map series → sort into a chunk → WAL (group commit) → memtable.
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::state::{State, TableEntry, lock_err};
use super::{Engine, Inner};
use crate::chunk::{self, Chunk, WriteBatch};
use crate::column::ColumnVec;
use crate::error::{Error, Result};
use crate::snapshot::LastRow;
use crate::wal::RecordKind;
use crate::walcodec;

/// Frozen memtables allowed to wait for the flush thread before writers are held back.
const MAX_FROZEN: usize = 2;
/// Chunks of one table in the active memtable before small ones are merged.
const MERGE_AT_CHUNKS: usize = 64;
/// Chunks below this many rows take part in merging.
const SMALL_CHUNK: usize = 4096;

impl Engine {
    /// Appends a batch (one column per schema column). Returns once the rows are durable at the
    /// engine's durability level and visible to new snapshots.
    pub fn append(&self, table: &str, batch: &WriteBatch) -> Result<usize> {
        let inner = &self.inner;
        inner.check_poisoned()?;
        if batch.is_empty() {
            inner.read()?.entry(table)?;
            return Ok(0);
        }
        wait_for_flush_room(inner)?;
        let entry = inner.read()?.entry(table)?.clone();
        let chunk = prepare(&entry, batch)?;
        let index = entry.shared.series()?;
        let payload = walcodec::encode(&entry.schema, &index, &chunk);
        let wal = inner
            .wal
            .lock()
            .map_err(|_| lock_err())?
            .clone()
            .ok_or(Error::Closed)?;
        let weak = Arc::downgrade(&self.inner);
        let chunk = Arc::new(chunk);
        let rows = chunk.rows();
        let table_id = entry.schema.id;
        wal.append(
            RecordKind::Write,
            payload,
            Box::new(move |seq| {
                if let Some(inner) = weak.upgrade() {
                    commit(&inner, table_id, chunk, seq);
                }
            }),
        )?;
        Ok(rows)
    }
}

/// Validates a batch and builds its chunk.
pub(crate) fn prepare(entry: &TableEntry, batch: &WriteBatch) -> Result<Chunk> {
    let schema = &entry.schema;
    chunk::validate(schema, batch)?;
    for &t in &schema.tag_columns() {
        if let ColumnVec::Bytes(d) = &batch.columns[t].values
            && d.dict.iter().any(|v| std::str::from_utf8(v).is_err())
        {
            return Err(Error::InvalidBatch(format!(
                "tag \"{}\" is not valid UTF-8",
                schema.columns[t].name
            )));
        }
    }
    let index = entry.shared.series()?;
    let series = chunk::resolve_series(schema, batch, &index, |keys| entry.shared.add_series(keys))?;
    let ts = match schema.time_column() {
        Some(t) => match &batch.columns[t].values {
            ColumnVec::Int64(v) => v.clone(),
            _ => return Err(Error::InvalidBatch("time column must hold integers".into())),
        },
        None => {
            let n = batch.len() as i64;
            let first = entry.shared.next_rowid.fetch_add(n, Ordering::SeqCst);
            (first..first + n).collect()
        }
    };
    Ok(chunk::build(schema, batch, series, ts))
}

fn wait_for_flush_room(inner: &Inner) -> Result<()> {
    let mut guard = inner.flush_mx.lock().map_err(|_| lock_err())?;
    loop {
        inner.check_poisoned()?;
        if inner.read()?.frozen.len() < MAX_FROZEN {
            return Ok(());
        }
        guard = inner
            .flush_cv
            .wait_timeout(guard, std::time::Duration::from_millis(50))
            .map_err(|_| lock_err())?
            .0;
    }
}

/// Makes a durable chunk visible (runs on the WAL thread, in sequence order, and during replay).
pub(crate) fn commit(inner: &Inner, table_id: u64, chunk: Arc<Chunk>, seq: u64) {
    let Ok(mut st) = inner.state.write() else { return };
    st.committed_seq = st.committed_seq.max(seq);
    let Some(entry) = st.tables.get(&table_id).cloned() else {
        return;
    };
    update_last(&entry, &chunk);
    let bytes = chunk.approx_bytes();
    let mem = &mut st.active;
    if mem.is_empty() {
        mem.min_seq = seq;
    }
    mem.max_seq = seq;
    mem.bytes += bytes;
    let list = mem.tables.entry(table_id).or_default();
    list.push(chunk);
    if list.len() >= MERGE_AT_CHUNKS {
        merge_small(&entry, list);
    }
    if st.active.bytes >= inner.opts.memtable_bytes {
        freeze(&mut st);
        inner.flush_cv.notify_all();
    }
}

/// Moves the active memtable to the frozen queue.
pub(crate) fn freeze(st: &mut State) {
    if st.active.is_empty() {
        return;
    }
    let mem = std::mem::take(&mut st.active);
    st.frozen.push_back(Arc::new(mem));
}

/// Merges consecutive small chunks, keeping write order (deduplication depends on it).
fn merge_small(entry: &TableEntry, list: &mut Vec<Arc<Chunk>>) {
    let mut out = Vec::with_capacity(list.len());
    let mut small: Vec<Arc<Chunk>> = Vec::new();
    for c in list.drain(..) {
        if c.rows() < SMALL_CHUNK {
            small.push(c);
            continue;
        }
        if !small.is_empty() {
            out.push(Arc::new(chunk::merge(&entry.schema, &std::mem::take(&mut small))));
        }
        out.push(c);
    }
    if !small.is_empty() {
        out.push(Arc::new(chunk::merge(&entry.schema, &small)));
    }
    *list = out;
}

fn update_last(entry: &TableEntry, chunk: &Chunk) {
    let Ok(mut cache) = entry.shared.last.lock() else {
        return;
    };
    for r in &chunk.runs {
        if cache.rows.get(&r.series).is_some_and(|l| l.ts > r.max_ts) {
            continue;
        }
        let i = (r.start + r.len - 1) as usize;
        let values = entry
            .schema
            .columns
            .iter()
            .enumerate()
            .map(|(c, _)| {
                chunk
                    .field(c)
                    .map_or(crate::column::Scalar::Null, |col| col.scalar(i))
            })
            .collect();
        cache.rows.insert(r.series, LastRow { ts: r.max_ts, values });
    }
}
