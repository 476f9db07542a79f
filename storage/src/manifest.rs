//! The manifest: a log of version edits that says which tables, series and parts exist.
//!
//! `CURRENT` names the live `MANIFEST-<n>` file. Each manifest record is one atomic group of edits,
//! framed as `[crc32c u32][len u32][JSON]` and fsynced before the change it describes becomes
//! visible. When the file grows past [`ROLL_BYTES`] a new manifest is written holding a snapshot
//! of the whole version, fsynced, and `CURRENT` is swapped atomically (tmp, fsync, rename, fsync dir).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::{FileSystem, WritableFile, write_atomic};
use crate::schema::{ColumnDef, TableOptions, TableSchema};

/// A manifest larger than this is rewritten as a snapshot.
pub const ROLL_BYTES: u64 = 8 << 20;

/// Description of an immutable part file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartMeta {
    /// Part id (file `parts/<id>.tsp`).
    pub id: u64,
    /// Owning table.
    pub table_id: u64,
    /// Partition start (µs); 0 for dimension tables.
    pub partition: i64,
    /// Smallest timestamp.
    pub min_ts: i64,
    /// Largest timestamp.
    pub max_ts: i64,
    /// Row count.
    pub rows: u64,
    /// File size.
    pub bytes: u64,
    /// Lowest WAL sequence number of the rows it holds.
    pub min_seq: u64,
    /// Highest WAL sequence number of the rows it holds (orders parts by write time).
    pub max_seq: u64,
    /// 0 for a flush, 1+ for compaction output.
    pub level: u8,
}

/// One change to the version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Edit {
    /// A new table.
    CreateTable(TableSchema),
    /// A table is gone.
    DropTable {
        /// Its id.
        table_id: u64,
    },
    /// A column appended to a table.
    AddColumn {
        /// Table id.
        table_id: u64,
        /// The column.
        column: ColumnDef,
    },
    /// New table options.
    SetOptions {
        /// Table id.
        table_id: u64,
        /// Options.
        options: TableOptions,
    },
    /// New table properties.
    SetProperties {
        /// Table id.
        table_id: u64,
        /// Properties.
        properties: BTreeMap<String, String>,
    },
    /// Series ids `first_id..` with their tag values.
    AddSeries {
        /// Table id.
        table_id: u64,
        /// Id of the first key.
        first_id: u32,
        /// Tag values per series.
        keys: Vec<Vec<Option<String>>>,
    },
    /// A part becomes visible.
    AddPart(PartMeta),
    /// A part is gone.
    RemovePart {
        /// Part id.
        part_id: u64,
    },
    /// Every WAL record up to this sequence number is in parts.
    WalCheckpoint {
        /// Sequence number.
        seq: u64,
    },
    /// Opaque metadata for upper layers (views, roles, settings); `None` deletes.
    SetMeta {
        /// Key.
        key: String,
        /// Value.
        value: Option<String>,
    },
    /// Id counters (never go back, so ids are never reused).
    Counters {
        /// Next table id.
        next_table_id: u64,
        /// Next part id.
        next_part_id: u64,
    },
}

/// The state the manifest describes.
#[derive(Debug, Clone, Default)]
pub struct Version {
    /// Tables by id.
    pub tables: BTreeMap<u64, TableSchema>,
    /// Series keys by table id (index = series id).
    pub series: BTreeMap<u64, Vec<Vec<Option<String>>>>,
    /// Parts by id.
    pub parts: BTreeMap<u64, PartMeta>,
    /// WAL checkpoint.
    pub wal_checkpoint: u64,
    /// Metadata.
    pub meta: BTreeMap<String, String>,
    /// Next table id.
    pub next_table_id: u64,
    /// Next part id.
    pub next_part_id: u64,
}

impl Version {
    /// Applies one edit.
    pub fn apply(&mut self, e: &Edit) -> std::result::Result<(), String> {
        match e {
            Edit::CreateTable(t) => {
                self.next_table_id = self.next_table_id.max(t.id + 1);
                self.series.insert(t.id, Vec::new());
                self.tables.insert(t.id, t.clone());
            }
            Edit::DropTable { table_id } => {
                self.tables.remove(table_id);
                self.series.remove(table_id);
                self.parts.retain(|_, p| p.table_id != *table_id);
            }
            Edit::AddColumn { table_id, column } => {
                let t = self
                    .tables
                    .get_mut(table_id)
                    .ok_or("AddColumn for unknown table")?;
                t.columns.push(column.clone());
            }
            Edit::SetOptions { table_id, options } => {
                let t = self
                    .tables
                    .get_mut(table_id)
                    .ok_or("SetOptions for unknown table")?;
                t.options = options.clone();
            }
            Edit::SetProperties { table_id, properties } => {
                let t = self
                    .tables
                    .get_mut(table_id)
                    .ok_or("SetProperties for unknown table")?;
                t.properties = properties.clone();
            }
            Edit::AddSeries {
                table_id,
                first_id,
                keys,
            } => {
                let s = self
                    .series
                    .get_mut(table_id)
                    .ok_or("AddSeries for unknown table")?;
                if *first_id as usize != s.len() {
                    return Err(format!("AddSeries starts at {first_id}, expected {}", s.len()));
                }
                s.extend(keys.iter().cloned());
            }
            Edit::AddPart(p) => {
                self.next_part_id = self.next_part_id.max(p.id + 1);
                if self.tables.contains_key(&p.table_id) {
                    self.parts.insert(p.id, p.clone());
                }
            }
            Edit::RemovePart { part_id } => {
                self.parts.remove(part_id);
            }
            Edit::WalCheckpoint { seq } => self.wal_checkpoint = self.wal_checkpoint.max(*seq),
            Edit::SetMeta { key, value } => match value {
                Some(v) => {
                    self.meta.insert(key.clone(), v.clone());
                }
                None => {
                    self.meta.remove(key);
                }
            },
            Edit::Counters {
                next_table_id,
                next_part_id,
            } => {
                self.next_table_id = self.next_table_id.max(*next_table_id);
                self.next_part_id = self.next_part_id.max(*next_part_id);
            }
        }
        Ok(())
    }

    /// Edits that rebuild this version from nothing.
    pub fn snapshot_edits(&self) -> Vec<Edit> {
        let mut out = vec![Edit::Counters {
            next_table_id: self.next_table_id,
            next_part_id: self.next_part_id,
        }];
        for t in self.tables.values() {
            out.push(Edit::CreateTable(t.clone()));
            if let Some(keys) = self.series.get(&t.id)
                && !keys.is_empty()
            {
                out.push(Edit::AddSeries {
                    table_id: t.id,
                    first_id: 0,
                    keys: keys.clone(),
                });
            }
        }
        out.extend(self.parts.values().map(|p| Edit::AddPart(p.clone())));
        out.push(Edit::WalCheckpoint {
            seq: self.wal_checkpoint,
        });
        for (k, v) in &self.meta {
            out.push(Edit::SetMeta {
                key: k.clone(),
                value: Some(v.clone()),
            });
        }
        out
    }
}

/// Appends edit groups to the live manifest file.
pub struct Manifest {
    fs: Arc<dyn FileSystem>,
    dir: PathBuf,
    number: u64,
    file: Box<dyn WritableFile>,
    bytes: u64,
    version: Version,
}

impl std::fmt::Debug for Manifest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manifest")
            .field("number", &self.number)
            .field("bytes", &self.bytes)
            .finish()
    }
}

fn manifest_name(n: u64) -> String {
    format!("MANIFEST-{n:06}")
}

fn frame(edits: &[Edit]) -> Result<Vec<u8>> {
    let json =
        serde_json::to_vec(edits).map_err(|e| Error::io("manifest", std::io::Error::other(e.to_string())))?;
    let mut out = Vec::with_capacity(json.len() + 8);
    out.extend_from_slice(&crc32c::crc32c(&json).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    Ok(out)
}

impl Manifest {
    /// Opens the manifest of `dir`, or creates an empty one. Returns it with the version it holds.
    pub fn open(fs: Arc<dyn FileSystem>, dir: &Path) -> Result<Manifest> {
        let current = dir.join("CURRENT");
        let name = match fs.read(&current) {
            Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Manifest::create(fs, dir, 1, Version::default());
            }
            Err(e) => return Err(Error::io(&current, e)),
        };
        let number: u64 = name
            .strip_prefix("MANIFEST-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Error::corrupt(&current, 0, "CURRENT file", format!("names {name:?}")))?;
        let path = dir.join(&name);
        let bytes = fs.read(&path).map_err(|e| Error::io(&path, e))?;
        let (version, good_len) = Self::parse(&path, &bytes)?;
        if good_len < bytes.len() {
            // A torn last record: its change was never acknowledged.
            fs.truncate(&path, good_len as u64)
                .map_err(|e| Error::io(&path, e))?;
        }
        let file = fs.open_append(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Manifest {
            fs,
            dir: dir.to_path_buf(),
            number,
            file,
            bytes: good_len as u64,
            version,
        })
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<(Version, usize)> {
        let mut v = Version::default();
        let mut off = 0usize;
        while off < bytes.len() {
            let rec = (|| {
                let crc = u32::from_le_bytes(bytes.get(off..off + 4)?.try_into().ok()?);
                let len = u32::from_le_bytes(bytes.get(off + 4..off + 8)?.try_into().ok()?) as usize;
                let body = bytes.get(off + 8..off + 8 + len)?;
                (crc32c::crc32c(body) == crc).then_some((body, len))
            })();
            let Some((body, len)) = rec else {
                if Self::valid_record_after(bytes, off) {
                    return Err(Error::corrupt(
                        path,
                        off as u64,
                        "manifest record",
                        "checksum mismatch",
                    ));
                }
                return Ok((v, off));
            };
            let edits: Vec<Edit> = serde_json::from_slice(body)
                .map_err(|e| Error::corrupt(path, off as u64, "manifest record", e.to_string()))?;
            for e in &edits {
                v.apply(e)
                    .map_err(|d| Error::corrupt(path, off as u64, "manifest record", d))?;
            }
            off += 8 + len;
        }
        Ok((v, off))
    }

    fn valid_record_after(bytes: &[u8], off: usize) -> bool {
        (off + 1..bytes.len().saturating_sub(8)).any(|p| {
            let crc = u32::from_le_bytes(bytes[p..p + 4].try_into().unwrap_or([0; 4]));
            let len = u32::from_le_bytes(bytes[p + 4..p + 8].try_into().unwrap_or([0; 4])) as usize;
            len > 1
                && bytes
                    .get(p + 8..p + 8 + len)
                    .is_some_and(|b| b[0] == b'[' && crc32c::crc32c(b) == crc)
        })
    }

    fn create(fs: Arc<dyn FileSystem>, dir: &Path, number: u64, version: Version) -> Result<Manifest> {
        let path = dir.join(manifest_name(number));
        let rec = frame(&version.snapshot_edits())?;
        let mut file = fs.create(&path).map_err(|e| Error::io(&path, e))?;
        file.write_all(&rec).map_err(|e| Error::io(&path, e))?;
        file.sync_data().map_err(|e| Error::io(&path, e))?;
        let current = dir.join("CURRENT");
        write_atomic(&*fs, &current, format!("{}\n", manifest_name(number)).as_bytes())
            .map_err(|e| Error::io(&current, e))?;
        let old = dir.join(manifest_name(number.saturating_sub(1)));
        if number > 1 {
            let _ = fs.remove(&old);
        }
        Ok(Manifest {
            fs,
            dir: dir.to_path_buf(),
            number,
            file,
            bytes: rec.len() as u64,
            version,
        })
    }

    /// The version after every logged edit.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Logs one atomic group of edits durably, then applies it to the in-memory version.
    pub fn log(&mut self, edits: Vec<Edit>) -> Result<()> {
        let mut next = self.version.clone();
        for e in &edits {
            next.apply(e)
                .map_err(|d| Error::InvalidSchema(format!("bad manifest edit: {d}")))?;
        }
        let path = self.dir.join(manifest_name(self.number));
        let rec = frame(&edits)?;
        self.file.write_all(&rec).map_err(|e| Error::io(&path, e))?;
        self.file.sync_data().map_err(|e| Error::io(&path, e))?;
        self.bytes += rec.len() as u64;
        self.version = next;
        if self.bytes > ROLL_BYTES {
            let rolled = Manifest::create(self.fs.clone(), &self.dir, self.number + 1, self.version.clone())?;
            *self = rolled;
        }
        Ok(())
    }
}
