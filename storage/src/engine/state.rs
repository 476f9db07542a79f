//! In-memory engine state: tables, parts, memtables; guarded by one `RwLock` held only briefly.
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, RwLock};

use crate::chunk::Chunk;
use crate::error::{Error, Result};
use crate::part::Part;
use crate::schema::TableSchema;
use crate::series::SeriesIndex;
use crate::snapshot::{DamagedPart, LastRow};

/// What survives schema changes of a table: its series, row-id counter and last-value cache.
#[derive(Debug)]
pub(crate) struct TableShared {
    pub series: RwLock<Arc<SeriesIndex>>,
    /// Number of series already in the manifest.
    pub persisted_series: Mutex<u32>,
    /// Next row id of a dimension table.
    pub next_rowid: AtomicI64,
    pub last: Mutex<LastCache>,
}

/// Last row per series; `valid` is false until rebuilt after open or a delete.
#[derive(Debug, Default)]
pub(crate) struct LastCache {
    pub valid: bool,
    pub rows: HashMap<u32, LastRow>,
}

impl TableShared {
    pub fn new(index: SeriesIndex, persisted: u32) -> TableShared {
        TableShared {
            series: RwLock::new(Arc::new(index)),
            persisted_series: Mutex::new(persisted),
            next_rowid: AtomicI64::new(0),
            last: Mutex::new(LastCache::default()),
        }
    }

    pub fn series(&self) -> Result<Arc<SeriesIndex>> {
        Ok(self.series.read().map_err(|_| lock_err())?.clone())
    }

    /// Adds series (copy-on-write) and returns the index holding them.
    pub fn add_series(&self, keys: &[Vec<Option<Vec<u8>>>]) -> Result<Arc<SeriesIndex>> {
        let mut guard = self.series.write().map_err(|_| lock_err())?;
        let mut next = (**guard).clone();
        for k in keys {
            let k: Vec<Option<&[u8]>> = k.iter().map(|v| v.as_deref()).collect();
            next.get_or_insert(&k);
        }
        let next = Arc::new(next);
        *guard = next.clone();
        Ok(next)
    }
}

pub(crate) fn lock_err() -> Error {
    Error::Poisoned("a storage lock was poisoned by a panicking thread".into())
}

/// A table: its current schema and shared state.
#[derive(Debug, Clone)]
pub(crate) struct TableEntry {
    pub schema: Arc<TableSchema>,
    pub shared: Arc<TableShared>,
}

/// Chunks not yet in parts.
#[derive(Debug, Default)]
pub(crate) struct MemTable {
    pub tables: HashMap<u64, Vec<Arc<Chunk>>>,
    pub bytes: usize,
    pub min_seq: u64,
    pub max_seq: u64,
}

impl MemTable {
    pub fn is_empty(&self) -> bool {
        self.tables.values().all(|v| v.is_empty())
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub tables: BTreeMap<u64, TableEntry>,
    pub names: HashMap<String, u64>,
    /// Parts per table, in write order (max_seq, id).
    pub parts: HashMap<u64, Vec<Arc<Part>>>,
    pub damaged: HashMap<u64, Vec<DamagedPart>>,
    pub active: MemTable,
    pub frozen: VecDeque<Arc<MemTable>>,
    pub committed_seq: u64,
    pub meta: BTreeMap<String, String>,
}

impl State {
    pub fn entry(&self, name: &str) -> Result<&TableEntry> {
        self.names
            .get(name)
            .and_then(|id| self.tables.get(id))
            .ok_or_else(|| Error::NoSuchTable(name.into()))
    }

    /// Chunks of a table: frozen memtables oldest first, then the active one.
    pub fn chunks(&self, table_id: u64) -> Vec<Arc<Chunk>> {
        let mut out = Vec::new();
        for m in &self.frozen {
            if let Some(c) = m.tables.get(&table_id) {
                out.extend(c.iter().cloned());
            }
        }
        if let Some(c) = self.active.tables.get(&table_id) {
            out.extend(c.iter().cloned());
        }
        out
    }

    pub fn add_part(&mut self, part: Arc<Part>) {
        let v = self.parts.entry(part.meta.table_id).or_default();
        v.push(part);
        v.sort_by_key(|p| (p.meta.max_seq, p.meta.id));
    }
}
