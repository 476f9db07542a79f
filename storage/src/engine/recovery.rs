//! Opening a database: lock, manifest, parts, WAL replay, threads.
use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};

use super::state::{State, TableEntry, TableShared};
use super::{EngineOptions, Inner, flush, maintenance, write};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::part::Part;
use crate::series::SeriesIndex;
use crate::snapshot::DamagedPart;
use crate::wal::{self, RecordKind, WalWriter};
use crate::walcodec;

fn lock_dir(dir: &Path) -> Result<File> {
    let path = dir.join("LOCK");
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

pub(crate) fn open(dir: &Path, opts: EngineOptions) -> Result<Arc<Inner>> {
    let fs = opts.fs.clone();
    for d in [dir.to_path_buf(), dir.join("wal"), dir.join("parts")] {
        fs.create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    }
    let lock = lock_dir(dir)?;
    let manifest = Manifest::open(fs.clone(), dir)?;
    let version = manifest.version().clone();

    let mut st = State {
        meta: version.meta.clone(),
        committed_seq: version.wal_checkpoint,
        ..State::default()
    };
    for (id, schema) in &version.tables {
        let mut index = SeriesIndex::new(schema.tag_columns().len());
        let keys = version.series.get(id).cloned().unwrap_or_default();
        for k in &keys {
            let k: Vec<Option<&[u8]>> = k.iter().map(|v| v.as_deref().map(str::as_bytes)).collect();
            index.get_or_insert(&k);
        }
        let entry = TableEntry {
            schema: Arc::new(schema.clone()),
            shared: Arc::new(TableShared::new(index, keys.len() as u32)),
        };
        st.names.insert(schema.name.clone(), *id);
        st.tables.insert(*id, entry);
    }
    let mut max_ts: HashMap<u64, i64> = HashMap::new();
    for meta in version.parts.values() {
        let path = dir.join("parts").join(format!("{:012}.tsp", meta.id));
        let m = max_ts.entry(meta.table_id).or_insert(i64::MIN);
        *m = (*m).max(meta.max_ts);
        match Part::open(&*fs, &path, meta.clone()) {
            Ok(p) => st.add_part(Arc::new(p)),
            Err(e) => st.damaged.entry(meta.table_id).or_default().push(DamagedPart {
                id: meta.id,
                min_ts: meta.min_ts,
                max_ts: meta.max_ts,
                error: e.to_string(),
                path,
            }),
        }
    }
    remove_strays(&*fs, dir, &version.parts)?;

    let inner = Arc::new(Inner {
        dir: dir.to_path_buf(),
        fs: fs.clone(),
        next_part_id: AtomicU64::new(version.next_part_id.max(1)),
        next_table_id: AtomicU64::new(version.next_table_id.max(1)),
        opts,
        _lock: lock,
        state: RwLock::new(st),
        wal: Mutex::new(None),
        manifest: Mutex::new(manifest),
        poison: Mutex::new(None),
        poisoned: AtomicBool::new(false),
        flush_cv: Condvar::new(),
        flush_mx: Mutex::new(()),
        maintenance: Mutex::new(()),
        stop: AtomicBool::new(false),
        threads: Mutex::new(Vec::new()),
    });
    spawn(&inner, "plantdb-flush", flush::flush_loop)?;

    let wal_dir = inner.wal_dir();
    let next_seq = wal::replay(&*fs, &wal_dir, version.wal_checkpoint, |rec| {
        if rec.kind != RecordKind::Write {
            return Ok(());
        }
        replay_write(&inner, rec.payload, rec.seq, &mut max_ts)
            .map_err(|e| Error::corrupt(&wal_dir, rec.seq, "WAL write record", e.to_string()))
    })?;
    sync_wal_tail(&*fs, &wal_dir)?;
    for entry in inner.read()?.tables.values() {
        let next = max_ts.get(&entry.schema.id).map_or(0, |m| m.saturating_add(1));
        entry.shared.next_rowid.store(next.max(0), Ordering::SeqCst);
    }
    let writer = WalWriter::start(
        fs,
        wal_dir,
        next_seq,
        inner.opts.durability,
        inner.opts.wal_segment_bytes,
    )?;
    *inner.wal.lock().map_err(|_| super::state::lock_err())? = Some(Arc::new(writer));
    if inner.opts.background {
        spawn(&inner, "plantdb-maintenance", maintenance::maintenance_loop)?;
    }
    Ok(inner)
}

fn spawn(inner: &Arc<Inner>, name: &str, body: fn(std::sync::Weak<Inner>)) -> Result<()> {
    let weak = Arc::downgrade(inner);
    let h = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || body(weak))
        .map_err(|e| Error::io(name, e))?;
    if let Ok(mut t) = inner.threads.lock() {
        t.push(h);
    }
    Ok(())
}

fn replay_write(inner: &Inner, payload: &[u8], seq: u64, max_ts: &mut HashMap<u64, i64>) -> Result<()> {
    let Some(table_id) = walcodec::table_id(payload) else {
        return Err(Error::InvalidBatch("WAL write payload too short".into()));
    };
    let Some(entry) = inner.read()?.tables.get(&table_id).cloned() else {
        return Ok(()); // the table was dropped after this write
    };
    let decoded = walcodec::decode(&entry.schema, payload)?;
    let index = entry.shared.add_series(&decoded.run_keys)?;
    let ids: Vec<u32> = decoded
        .run_keys
        .iter()
        .map(|k| {
            let k: Vec<Option<&[u8]>> = k.iter().map(|v| v.as_deref()).collect();
            index.find(&k).unwrap_or(0)
        })
        .collect();
    let chunk = walcodec::resolve(&entry.schema, decoded, &ids);
    if let Some(&m) = chunk.ts.iter().max() {
        let e = max_ts.entry(table_id).or_insert(i64::MIN);
        *e = (*e).max(m);
    }
    write::commit(inner, table_id, Arc::new(chunk), seq);
    Ok(())
}

/// Makes the replayed tail durable before new records claim it is.
fn sync_wal_tail(fs: &dyn crate::io::FileSystem, dir: &Path) -> Result<()> {
    let names = fs.list(dir).map_err(|e| Error::io(dir, e))?;
    if let Some(last) = names
        .iter()
        .filter(|n| wal::parse_segment_name(n).is_some())
        .max()
    {
        let path = dir.join(last);
        let mut f = fs.open_append(&path).map_err(|e| Error::io(&path, e))?;
        f.sync_data().map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// Removes temporary files and part files the manifest does not reference.
fn remove_strays(
    fs: &dyn crate::io::FileSystem,
    dir: &Path,
    parts: &BTreeMap<u64, crate::manifest::PartMeta>,
) -> Result<()> {
    let pdir = dir.join("parts");
    for name in fs.list(&pdir).map_err(|e| Error::io(&pdir, e))? {
        let referenced = name
            .strip_suffix(".tsp")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|id| parts.contains_key(&id));
        if !referenced {
            let _ = fs.remove(&pdir.join(&name));
        }
    }
    for name in fs.list(dir).map_err(|e| Error::io(dir, e))? {
        if name.ends_with(".tmp") {
            let _ = fs.remove(&dir.join(&name));
        }
    }
    Ok(())
}
