//! The engine: ties WAL, memtable, parts and manifest together behind a small API.
mod bulk;
mod flush;
mod maintenance;
mod parallel;
mod recovery;
mod state;
mod write;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

pub use bulk::BulkLoad;
pub use maintenance::DeleteFilter;

use crate::error::{Error, Result};
use crate::io::{FileSystem, RealFs};
use crate::manifest::{Edit, Manifest};
use crate::schema::{ColumnDef, ColumnRole, TableOptions, TableSchema};
use crate::snapshot::TableSnapshot;
use crate::wal::{Durability, WalWriter};
use state::{State, TableEntry, lock_err};

/// How an engine is opened.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// When appends are acknowledged.
    pub durability: Durability,
    /// Memtable size that triggers a flush to parts.
    pub memtable_bytes: usize,
    /// File system (tests inject faults through it).
    pub fs: Arc<dyn FileSystem>,
    /// Run background compaction and retention.
    pub background: bool,
    /// How often the background thread looks for work.
    pub maintenance_interval: Duration,
    /// A partition with this many parts is compacted in the background.
    pub compact_at_parts: usize,
    /// Wall clock in µs since the Unix epoch (retention compares against it).
    pub clock: fn() -> i64,
    /// WAL segment size.
    pub wal_segment_bytes: u64,
}

fn system_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            durability: Durability::Sync,
            memtable_bytes: 256 << 20,
            fs: Arc::new(RealFs),
            background: true,
            maintenance_interval: Duration::from_secs(5),
            compact_at_parts: 8,
            clock: system_clock,
            wal_segment_bytes: crate::wal::SEGMENT_BYTES,
        }
    }
}

/// Sizes, for benchmarks and monitoring.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineStats {
    /// Parts.
    pub parts: usize,
    /// Bytes in part files.
    pub part_bytes: u64,
    /// Rows in parts.
    pub part_rows: u64,
    /// Rows in memtables.
    pub memtable_rows: u64,
}

pub(crate) struct Inner {
    pub dir: PathBuf,
    pub fs: Arc<dyn FileSystem>,
    pub opts: EngineOptions,
    _lock: File,
    pub state: RwLock<State>,
    pub wal: Mutex<Option<Arc<WalWriter>>>,
    pub manifest: Mutex<Manifest>,
    pub next_part_id: AtomicU64,
    pub next_table_id: AtomicU64,
    poison: Mutex<Option<String>>,
    pub poisoned: AtomicBool,
    /// Signals the flush thread (work) and waiters (flush done).
    pub flush_cv: Condvar,
    pub flush_mx: Mutex<()>,
    /// Serialises compaction, deletes and retention.
    pub maintenance: Mutex<()>,
    pub stop: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// An open database directory. Clones share the engine; dropping the last clone stops its
/// threads (without a checkpoint: unflushed rows are in the WAL) and releases the directory lock.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
    _guard: Arc<CloseGuard>,
}

struct CloseGuard(Arc<Inner>);

impl Drop for CloseGuard {
    fn drop(&mut self) {
        shutdown(&self.0);
    }
}

fn shutdown(inner: &Inner) {
    inner.stop.store(true, Ordering::SeqCst);
    inner.flush_cv.notify_all();
    let threads = inner
        .threads
        .lock()
        .map(|mut t| std::mem::take(&mut *t))
        .unwrap_or_default();
    for t in threads {
        let _ = t.join();
    }
    if let Ok(mut w) = inner.wal.lock()
        && let Some(w) = w.take()
    {
        w.stop();
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("dir", &self.inner.dir).finish()
    }
}

impl Inner {
    pub fn poison(&self, why: impl Into<String>) -> Error {
        let why = why.into();
        if let Ok(mut p) = self.poison.lock() {
            p.get_or_insert(why.clone());
        }
        self.poisoned.store(true, Ordering::SeqCst);
        self.flush_cv.notify_all();
        Error::Poisoned(why)
    }

    pub fn check_poisoned(&self) -> Result<()> {
        if self.poisoned.load(Ordering::SeqCst) {
            let why = self
                .poison
                .lock()
                .ok()
                .and_then(|p| p.clone())
                .unwrap_or_default();
            return Err(Error::Poisoned(why));
        }
        if self
            .wal
            .lock()
            .map_err(|_| lock_err())?
            .as_ref()
            .is_some_and(|w| w.is_poisoned())
        {
            return Err(self.poison("an earlier WAL write or fsync failed"));
        }
        Ok(())
    }

    pub fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, State>> {
        self.state.read().map_err(|_| lock_err())
    }

    pub fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, State>> {
        self.state.write().map_err(|_| lock_err())
    }

    /// Logs manifest edits; a failure poisons the engine.
    pub fn log(&self, edits: Vec<Edit>) -> Result<()> {
        self.check_poisoned()?;
        let mut m = self.manifest.lock().map_err(|_| lock_err())?;
        m.log(edits)
            .map_err(|e| self.poison(format!("manifest write failed: {e}")))
    }

    pub fn part_path(&self, id: u64) -> PathBuf {
        self.dir.join("parts").join(format!("{id:012}.tsp"))
    }

    pub fn wal_dir(&self) -> PathBuf {
        self.dir.join("wal")
    }
}

impl Engine {
    /// Opens (creating if needed) the database in `dir`.
    pub fn open(dir: impl AsRef<Path>, opts: EngineOptions) -> Result<Engine> {
        recovery::open(dir.as_ref(), opts).map(|inner| Engine {
            _guard: Arc::new(CloseGuard(inner.clone())),
            inner,
        })
    }

    /// The database directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Names of all tables.
    pub fn table_names(&self) -> Result<Vec<String>> {
        let st = self.inner.read()?;
        Ok(st.tables.values().map(|t| t.schema.name.clone()).collect())
    }

    /// Current schema of a table.
    pub fn schema(&self, name: &str) -> Result<Arc<TableSchema>> {
        Ok(self.inner.read()?.entry(name)?.schema.clone())
    }

    /// All schemas.
    pub fn schemas(&self) -> Result<Vec<Arc<TableSchema>>> {
        Ok(self
            .inner
            .read()?
            .tables
            .values()
            .map(|t| t.schema.clone())
            .collect())
    }

    /// Creates a table; its `id` is assigned here. Returns the stored schema.
    pub fn create_table(&self, mut schema: TableSchema) -> Result<Arc<TableSchema>> {
        self.inner.check_poisoned()?;
        let _m = self.inner.maintenance.lock().map_err(|_| lock_err())?;
        if self.inner.read()?.names.contains_key(&schema.name) {
            return Err(Error::TableExists(schema.name));
        }
        schema.id = self.inner.next_table_id.fetch_add(1, Ordering::SeqCst);
        schema.validate()?;
        self.inner.log(vec![Edit::CreateTable(schema.clone())])?;
        let n_tags = schema.tag_columns().len();
        let entry = TableEntry {
            schema: Arc::new(schema),
            shared: Arc::new(state::TableShared::new(
                crate::series::SeriesIndex::new(n_tags),
                0,
            )),
        };
        if let Ok(mut c) = entry.shared.last.lock() {
            c.valid = true;
        }
        let mut st = self.inner.write()?;
        st.names.insert(entry.schema.name.clone(), entry.schema.id);
        st.tables.insert(entry.schema.id, entry.clone());
        Ok(entry.schema)
    }

    /// Drops a table and deletes its parts.
    pub fn drop_table(&self, name: &str) -> Result<()> {
        self.inner.check_poisoned()?;
        let _m = self.inner.maintenance.lock().map_err(|_| lock_err())?;
        let id = self.inner.read()?.entry(name)?.schema.id;
        self.inner.log(vec![Edit::DropTable { table_id: id }])?;
        let parts = {
            let mut st = self.inner.write()?;
            st.names.remove(name);
            st.tables.remove(&id);
            st.active.tables.remove(&id);
            st.damaged.remove(&id);
            st.parts.remove(&id).unwrap_or_default()
        };
        for p in parts {
            let _ = self.inner.fs.remove(p.path());
        }
        Ok(())
    }

    /// Appends a field column to a table; existing rows read it as its fill value (or NULL).
    pub fn add_column(&self, name: &str, column: ColumnDef) -> Result<Arc<TableSchema>> {
        self.inner.check_poisoned()?;
        let _m = self.inner.maintenance.lock().map_err(|_| lock_err())?;
        let entry = self.inner.read()?.entry(name)?.clone();
        if entry.schema.column_index(&column.name).is_some() {
            return Err(Error::ColumnExists {
                table: name.into(),
                column: column.name,
            });
        }
        if column.role != ColumnRole::Field {
            return Err(Error::InvalidSchema(
                "only field columns can be added to an existing table".into(),
            ));
        }
        self.inner.log(vec![Edit::AddColumn {
            table_id: entry.schema.id,
            column: column.clone(),
        }])?;
        // Cached last rows take the new column's fill value, as the rows they describe do.
        let fill = column.missing(1).scalar(0);
        let width = entry.schema.columns.len() + 1;
        if let Ok(mut c) = entry.shared.last.lock() {
            for r in c.rows.values_mut() {
                r.values.resize(width - 1, crate::column::Scalar::Null);
                r.values.push(fill.clone());
            }
        }
        let mut schema = (*entry.schema).clone();
        schema.columns.push(column);
        self.replace_schema(entry, schema)
    }

    /// Changes a table's options (partition width applies to new parts only).
    pub fn set_options(&self, name: &str, options: TableOptions) -> Result<Arc<TableSchema>> {
        self.inner.check_poisoned()?;
        let _m = self.inner.maintenance.lock().map_err(|_| lock_err())?;
        let entry = self.inner.read()?.entry(name)?.clone();
        let mut schema = (*entry.schema).clone();
        schema.options = options.clone();
        schema.validate()?;
        self.inner.log(vec![Edit::SetOptions {
            table_id: schema.id,
            options,
        }])?;
        self.replace_schema(entry, schema)
    }

    /// Replaces a table's free-form properties.
    pub fn set_properties(
        &self,
        name: &str,
        properties: BTreeMap<String, String>,
    ) -> Result<Arc<TableSchema>> {
        self.inner.check_poisoned()?;
        let _m = self.inner.maintenance.lock().map_err(|_| lock_err())?;
        let entry = self.inner.read()?.entry(name)?.clone();
        let mut schema = (*entry.schema).clone();
        schema.properties = properties.clone();
        self.inner.log(vec![Edit::SetProperties {
            table_id: schema.id,
            properties,
        }])?;
        self.replace_schema(entry, schema)
    }

    fn replace_schema(&self, entry: TableEntry, schema: TableSchema) -> Result<Arc<TableSchema>> {
        let schema = Arc::new(schema);
        let mut st = self.inner.write()?;
        st.tables.insert(
            schema.id,
            TableEntry {
                schema: schema.clone(),
                shared: entry.shared,
            },
        );
        Ok(schema)
    }

    /// Stores (or with `None` removes) a metadata entry durably.
    pub fn set_meta(&self, key: &str, value: Option<String>) -> Result<()> {
        self.inner.check_poisoned()?;
        self.inner.log(vec![Edit::SetMeta {
            key: key.into(),
            value: value.clone(),
        }])?;
        let mut st = self.inner.write()?;
        match value {
            Some(v) => st.meta.insert(key.into(), v),
            None => st.meta.remove(key),
        };
        Ok(())
    }

    /// Metadata entries whose key starts with `prefix`.
    pub fn meta_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let st = self.inner.read()?;
        Ok(st
            .meta
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    /// A consistent read view of a table.
    pub fn snapshot(&self, name: &str) -> Result<TableSnapshot> {
        let st = self.inner.read()?;
        let entry = st.entry(name)?;
        let id = entry.schema.id;
        let last = entry
            .shared
            .last
            .lock()
            .ok()
            .filter(|c| c.valid)
            .map(|c| Arc::new(c.rows.clone()));
        Ok(TableSnapshot {
            schema: entry.schema.clone(),
            series: entry.shared.series()?,
            parts: st.parts.get(&id).cloned().unwrap_or_default(),
            chunks: st.chunks(id),
            damaged: st.damaged.get(&id).cloned().unwrap_or_default(),
            last,
        })
    }

    /// Flushes every memtable to parts and waits until they are durable and visible.
    pub fn checkpoint(&self) -> Result<()> {
        flush::checkpoint(&self.inner)
    }

    /// Compacts every partition with more than one part now, and applies retention.
    pub fn vacuum(&self) -> Result<()> {
        self.checkpoint()?;
        maintenance::retention(&self.inner)?;
        maintenance::compact(&self.inner, 2)
    }

    /// Sizes of what is stored.
    pub fn stats(&self) -> Result<EngineStats> {
        let st = self.inner.read()?;
        let mut s = EngineStats::default();
        for p in st.parts.values().flatten() {
            s.parts += 1;
            s.part_bytes += p.meta.bytes;
            s.part_rows += p.meta.rows;
        }
        let mems = st.frozen.iter().map(|m| &**m).chain(std::iter::once(&st.active));
        for m in mems {
            s.memtable_rows += m.tables.values().flatten().map(|c| c.rows() as u64).sum::<u64>();
        }
        Ok(s)
    }

    /// Flushes, stops background threads and the WAL. Later calls fail with [`Error::Closed`].
    pub fn close(&self) -> Result<()> {
        let flushed = if self.inner.check_poisoned().is_ok() {
            self.checkpoint()
        } else {
            Ok(())
        };
        self.shutdown();
        // A reader still finishing on another thread may hold the engine a moment longer;
        // the directory is free for the next open as soon as close returns.
        let _ = self.inner._lock.unlock();
        flushed
    }

    fn shutdown(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.inner.flush_cv.notify_all();
        let threads = self
            .inner
            .threads
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        for t in threads {
            let _ = t.join();
        }
        if let Ok(mut w) = self.inner.wal.lock()
            && let Some(w) = w.take()
        {
            w.stop();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.flush_cv.notify_all();
    }
}
