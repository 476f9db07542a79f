//! Compaction, retention, deletes and truncation: everything that replaces parts.
//!
//! Each operation holds the engine's maintenance lock, reads the parts it replaces through an
//! ordinary snapshot, writes the replacement, and swaps them in one manifest edit.
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use roaring::RoaringBitmap;

use super::flush::{checkpoint, partition_bounds, scratch_snapshot, write_part};
use super::state::{TableEntry, lock_err};
use super::{Engine, Inner};
use crate::error::Result;
use crate::manifest::{Edit, PartMeta};
use crate::part::Part;
use crate::snapshot::{PieceData, ScanSpec, TableSnapshot};

/// Decides which rows of a series to delete: gets the rows (all schema columns, schema order)
/// and returns one flag per row (true = delete).
pub type DeleteFilter<'a> = &'a (dyn Fn(&TableSnapshot, &PieceData) -> Result<Vec<bool>> + Sync);

/// Body of the background maintenance thread.
pub(crate) fn maintenance_loop(weak: Weak<Inner>) {
    let mut last = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let Some(inner) = weak.upgrade() else { return };
        if inner.stop.load(Ordering::SeqCst) || inner.poisoned.load(Ordering::SeqCst) {
            return;
        }
        if last.elapsed() < inner.opts.maintenance_interval {
            continue;
        }
        last = Instant::now();
        let _ = retention(&inner);
        let _ = compact(&inner, inner.opts.compact_at_parts.max(2));
    }
}

fn entries(inner: &Inner) -> Result<Vec<TableEntry>> {
    Ok(inner.read()?.tables.values().cloned().collect())
}

fn table_parts(inner: &Inner, table_id: u64) -> Result<Vec<Arc<Part>>> {
    Ok(inner.read()?.parts.get(&table_id).cloned().unwrap_or_default())
}

/// Swaps `removed` for `added` durably and in memory, then unlinks the removed files.
fn replace(inner: &Inner, entry: &TableEntry, removed: &[Arc<Part>], added: Vec<PartMeta>) -> Result<()> {
    if removed.is_empty() && added.is_empty() {
        return Ok(());
    }
    let parts_dir = inner.dir.join("parts");
    inner
        .fs
        .sync_dir(&parts_dir)
        .map_err(|e| inner.poison(format!("fsync {}: {e}", parts_dir.display())))?;
    let mut edits: Vec<Edit> = removed
        .iter()
        .map(|p| Edit::RemovePart { part_id: p.meta.id })
        .collect();
    edits.extend(added.iter().cloned().map(Edit::AddPart));
    inner.log(edits)?;
    let mut opened = Vec::with_capacity(added.len());
    for meta in added {
        let path = inner.part_path(meta.id);
        opened.push(Arc::new(Part::open(&*inner.fs, &path, meta)?));
    }
    {
        let mut st = inner.write()?;
        if let Some(list) = st.parts.get_mut(&entry.schema.id) {
            list.retain(|p| !removed.iter().any(|r| r.meta.id == p.meta.id));
        }
        for p in opened {
            st.add_part(p);
        }
    }
    for p in removed {
        let _ = inner.fs.remove(p.path());
    }
    Ok(())
}

fn by_partition(parts: Vec<Arc<Part>>) -> BTreeMap<i64, Vec<Arc<Part>>> {
    let mut m: BTreeMap<i64, Vec<Arc<Part>>> = BTreeMap::new();
    for p in parts {
        m.entry(p.meta.partition).or_default().push(p);
    }
    m
}

/// Rewrites the given parts of one partition into one part, optionally deleting rows.
/// Returns the replacement (if any row remains) and the number of rows deleted.
fn rewrite(
    inner: &Inner,
    entry: &TableEntry,
    partition: i64,
    parts: &[Arc<Part>],
    filter: Option<super::flush::RowFilter<'_>>,
) -> Result<(Option<PartMeta>, u64)> {
    let schema = entry.schema.clone();
    let snap = scratch_snapshot(schema.clone(), entry.shared.series()?, parts.to_vec(), Vec::new());
    let (lo, hi) = partition_bounds(&schema, partition);
    let pieces = snap.pieces(&ScanSpec {
        min_ts: lo,
        max_ts: hi,
        series: None,
        ordered: true,
    })?;
    let base = PartMeta {
        id: 0,
        table_id: schema.id,
        partition,
        min_ts: 0,
        max_ts: 0,
        rows: 0,
        bytes: 0,
        min_seq: parts.iter().map(|p| p.meta.min_seq).min().unwrap_or(0),
        max_seq: parts.iter().map(|p| p.meta.max_seq).max().unwrap_or(0),
        level: parts
            .iter()
            .map(|p| p.meta.level)
            .max()
            .unwrap_or(0)
            .saturating_add(1),
    };
    Ok(match write_part(inner, &snap, &pieces, base, filter)? {
        Some((meta, dropped)) => (Some(meta), dropped),
        None => (None, parts.iter().map(|p| p.meta.rows).sum()),
    })
}

/// Merges the parts of every partition that has at least `min_parts` of them.
pub(crate) fn compact(inner: &Inner, min_parts: usize) -> Result<()> {
    for entry in entries(inner)? {
        let _m = inner.maintenance.lock().map_err(|_| lock_err())?;
        for (partition, parts) in by_partition(table_parts(inner, entry.schema.id)?) {
            if parts.len() < min_parts || inner.stop.load(Ordering::SeqCst) {
                continue;
            }
            let (new, _) = rewrite(inner, &entry, partition, &parts, None)?;
            replace(inner, &entry, &parts, new.into_iter().collect())?;
        }
    }
    Ok(())
}

/// Drops partitions older than each table's time-to-live.
pub(crate) fn retention(inner: &Inner) -> Result<()> {
    let now = (inner.opts.clock)();
    for entry in entries(inner)? {
        let (Some(ttl), true) = (entry.schema.options.ttl_us, entry.schema.is_time_series()) else {
            continue;
        };
        let _m = inner.maintenance.lock().map_err(|_| lock_err())?;
        let cutoff = now.saturating_sub(ttl);
        let expired: Vec<Arc<Part>> = table_parts(inner, entry.schema.id)?
            .into_iter()
            .filter(|p| partition_bounds(&entry.schema, p.meta.partition).1 < cutoff)
            .collect();
        if !expired.is_empty() {
            replace(inner, &entry, &expired, Vec::new())?;
            invalidate_last(&entry);
        }
    }
    Ok(())
}

fn invalidate_last(entry: &TableEntry) {
    if let Ok(mut c) = entry.shared.last.lock() {
        c.valid = false;
        c.rows.clear();
    }
}

impl Engine {
    /// Deletes the rows with `min_ts <= ts <= max_ts`, of the given series (all when `None`),
    /// for which `filter` (when given) says so. Rows written after the call started are kept.
    /// Returns the number of rows deleted.
    pub fn delete(
        &self,
        table: &str,
        min_ts: i64,
        max_ts: i64,
        series: Option<&RoaringBitmap>,
        filter: Option<DeleteFilter<'_>>,
    ) -> Result<u64> {
        let inner = &self.inner;
        checkpoint(inner)?;
        let _m = inner.maintenance.lock().map_err(|_| lock_err())?;
        let entry = inner.read()?.entry(table)?.clone();
        let horizon = inner.read()?.committed_seq;
        let schema = entry.schema.clone();
        let parts: Vec<Arc<Part>> = table_parts(inner, schema.id)?
            .into_iter()
            .filter(|p| p.meta.min_seq <= horizon && p.meta.max_ts >= min_ts && p.meta.min_ts <= max_ts)
            .collect();
        let mut removed = Vec::new();
        let mut added = Vec::new();
        let mut deleted = 0u64;
        for (partition, group) in by_partition(parts) {
            let (lo, hi) = partition_bounds(&schema, partition);
            if filter.is_none() && series.is_none() && min_ts <= lo && hi <= max_ts {
                deleted += group.iter().map(|p| p.meta.rows).sum::<u64>();
                removed.extend(group);
                continue;
            }
            let snap = self.snapshot(table)?;
            let row_filter = |d: &PieceData| -> Result<Vec<bool>> {
                let in_series = series.is_none_or(|b| b.contains(d.series));
                let mut del: Vec<bool> =
                    d.ts.iter()
                        .map(|&t| in_series && t >= min_ts && t <= max_ts)
                        .collect();
                if in_series && let Some(f) = filter {
                    let extra = f(&snap, d)?;
                    for (x, e) in del.iter_mut().zip(extra) {
                        *x = *x && e;
                    }
                }
                Ok(del)
            };
            let (new, dropped) = rewrite(inner, &entry, partition, &group, Some(&row_filter))?;
            if dropped == 0 {
                if let Some(m) = new {
                    let _ = inner.fs.remove(&inner.part_path(m.id));
                }
                continue;
            }
            deleted += dropped;
            removed.extend(group);
            added.extend(new);
        }
        replace(inner, &entry, &removed, added)?;
        if deleted > 0 {
            invalidate_last(&entry);
        }
        Ok(deleted)
    }

    /// Deletes every row of a table. Returns the number of rows deleted.
    pub fn truncate(&self, table: &str) -> Result<u64> {
        self.delete(table, i64::MIN, i64::MAX, None, None)
    }
}
