//! Bulk loads (COPY): rows go straight to parts, sorted per (series, ts) in chunks, and become
//! visible, durably, in one manifest edit at commit. A load that fails or is dropped before
//! commit leaves nothing behind: its part files are removed and no edit refers to them.
use std::sync::Arc;

use super::flush::{new_part_meta, partition_pieces, scratch_snapshot, write_part};
use super::parallel::parallel_map;
use super::state::{TableEntry, lock_err};
use super::write::prepare;
use super::{Engine, Inner};
use crate::chunk::{Chunk, WriteBatch};
use crate::error::{Error, Result};
use crate::manifest::{Edit, PartMeta};
use crate::part::Part;

/// Rows buffered before a chunk of parts is written. While one chunk is written on a
/// background thread the next one fills, so at most twice this many rows are held.
const BULK_ROWS: usize = 2 << 20;

type PendingWrite = std::thread::JoinHandle<Result<Vec<PartMeta>>>;

/// An open bulk load into one table.
pub struct BulkLoad {
    inner: Arc<Inner>,
    entry: TableEntry,
    chunks: Vec<Arc<Chunk>>,
    buffered: usize,
    written: Vec<PartMeta>,
    /// The chunk being written in the background, if any.
    pending: Option<PendingWrite>,
    rows: u64,
    committed: bool,
}

impl std::fmt::Debug for BulkLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkLoad")
            .field("table", &self.entry.schema.name)
            .field("rows", &self.rows)
            .finish()
    }
}

impl Engine {
    /// Starts a bulk load into `table`.
    pub fn bulk_load(&self, table: &str) -> Result<BulkLoad> {
        self.inner.check_poisoned()?;
        let entry = self.inner.read()?.entry(table)?.clone();
        Ok(BulkLoad {
            inner: self.inner.clone(),
            entry,
            chunks: Vec::new(),
            buffered: 0,
            written: Vec::new(),
            pending: None,
            rows: 0,
            committed: false,
        })
    }
}

impl BulkLoad {
    /// Adds a batch (validated like [`Engine::append`]).
    pub fn append(&mut self, batch: &WriteBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let chunk = prepare(&self.entry, batch)?;
        self.buffered += chunk.rows();
        self.rows += chunk.rows() as u64;
        self.chunks.push(Arc::new(chunk));
        if self.buffered >= BULK_ROWS {
            self.write_buffered(true)?;
        }
        Ok(())
    }

    /// Rows added so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the buffered chunks, on a background thread when `background` (parsing goes on
    /// meanwhile); waits first for the write already in flight.
    fn write_buffered(&mut self, background: bool) -> Result<()> {
        self.collect_pending()?;
        if self.chunks.is_empty() {
            return Ok(());
        }
        let chunks = std::mem::take(&mut self.chunks);
        self.buffered = 0;
        if background {
            let (inner, entry) = (self.inner.clone(), self.entry.clone());
            let handle = std::thread::Builder::new()
                .name("plantdb-bulk".into())
                .spawn(move || write_chunks(&inner, &entry, &chunks))
                .map_err(|e| Error::Io {
                    path: self.inner.dir.clone(),
                    source: e,
                })?;
            self.pending = Some(handle);
        } else {
            let metas = write_chunks(&self.inner, &self.entry, &chunks)?;
            self.written.extend(metas);
        }
        Ok(())
    }

    /// Waits for the background write, keeping its parts (or returning its error).
    fn collect_pending(&mut self) -> Result<()> {
        if let Some(h) = self.pending.take() {
            let metas = h
                .join()
                .map_err(|_| self.inner.poison("bulk part writer panicked"))??;
            self.written.extend(metas);
        }
        Ok(())
    }

    /// Writes what is buffered and makes every row of the load visible and durable at once.
    pub fn commit(mut self) -> Result<u64> {
        self.write_buffered(false)?;
        let inner = self.inner.clone();
        let table_id = self.entry.schema.id;
        let parts_dir = inner.dir.join("parts");
        inner
            .fs
            .sync_dir(&parts_dir)
            .map_err(|e| inner.poison(format!("fsync {}: {e}", parts_dir.display())))?;
        let _m = inner.maintenance.lock().map_err(|_| lock_err())?;
        if !inner
            .read()?
            .tables
            .get(&table_id)
            .is_some_and(|e| Arc::ptr_eq(&e.shared, &self.entry.shared))
        {
            return Err(crate::error::Error::NoSuchTable(self.entry.schema.name.clone()));
        }
        // New series must be in the manifest before parts that use them.
        let mut edits = Vec::new();
        let series = self.entry.shared.series()?;
        let mut done = self
            .entry
            .shared
            .persisted_series
            .lock()
            .map_err(|_| lock_err())?;
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
        }
        edits.extend(self.written.iter().cloned().map(Edit::AddPart));
        inner.log(edits)?;
        *done = (*done).max(series.len() as u32);
        drop(done);
        let mut opened = Vec::with_capacity(self.written.len());
        for meta in &self.written {
            opened.push(Arc::new(Part::open(
                &*inner.fs,
                &inner.part_path(meta.id),
                meta.clone(),
            )?));
        }
        {
            let mut st = inner.write()?;
            for p in opened {
                st.add_part(p);
            }
        }
        if let Ok(mut c) = self.entry.shared.last.lock() {
            c.valid = false;
            c.rows.clear();
        }
        self.committed = true;
        Ok(self.rows)
    }
}

/// Writes `chunks` as parts (one per partition they touch); on failure removes the parts it
/// wrote.
fn write_chunks(inner: &Inner, entry: &TableEntry, chunks: &[Arc<Chunk>]) -> Result<Vec<PartMeta>> {
    let schema = entry.schema.clone();
    let snap = scratch_snapshot(schema.clone(), entry.shared.series()?, Vec::new(), Vec::new());
    let seq = inner.read()?.committed_seq;
    let jobs = partition_pieces(&schema, chunks);
    // Partitions are written in parallel: each part ends with an fsync (milliseconds on this
    // class of disk), and a year of data spans a dozen partitions.
    let results = parallel_map(jobs.len(), |k| {
        let (p, pieces) = &jobs[k];
        write_part(inner, &snap, pieces, new_part_meta(schema.id, *p, seq, seq), None)
    });
    let mut written = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(Some((meta, _))) => written.push(meta),
            Ok(None) => {}
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        for m in &written {
            let _ = inner.fs.remove(&inner.part_path(m.id));
        }
        return Err(e);
    }
    Ok(written)
}

impl Drop for BulkLoad {
    fn drop(&mut self) {
        if !self.committed {
            if let Some(h) = self.pending.take()
                && let Ok(Ok(metas)) = h.join()
            {
                self.written.extend(metas);
            }
            for m in &self.written {
                let _ = self.inner.fs.remove(&self.inner.part_path(m.id));
            }
        }
    }
}
