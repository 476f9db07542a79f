//! The I/O seam: every file operation of the engine goes through [`FileSystem`], so that tests can
//! fail the Nth write or fsync, and so that the durability rules (fsync file, rename, fsync
//! directory) live in one place.
use std::fmt::Debug;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::mmap::Mapped;

/// A file opened for appending.
pub trait WritableFile: Send + Debug {
    /// Appends all of `buf`.
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()>;
    /// Makes everything written so far durable (fdatasync).
    fn sync_data(&mut self) -> io::Result<()>;
}

/// Bytes of a whole file, mapped or read into memory.
#[derive(Debug)]
pub enum FileBytes {
    /// Memory-mapped (sealed files only).
    Mapped(Mapped),
    /// Read into the heap.
    Heap(Vec<u8>),
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Heap(v) => v,
        }
    }
}

/// File-system operations used by the engine.
pub trait FileSystem: Send + Sync + Debug {
    /// Creates (or truncates) a file for writing.
    fn create(&self, path: &Path) -> io::Result<Box<dyn WritableFile>>;
    /// Opens an existing file for appending.
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn WritableFile>>;
    /// Reads a whole file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Maps a sealed, immutable file read-only.
    fn map(&self, path: &Path) -> io::Result<FileBytes>;
    /// Renames atomically.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Cuts a file to `len` bytes and makes that durable.
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()>;
    /// Names of the entries of a directory.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Creates a directory and its parents.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Makes the directory's entries (creations, renames, removals) durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

#[derive(Debug)]
struct RealFile(File);

impl WritableFile for RealFile {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn sync_data(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
}

impl FileSystem for RealFs {
    fn create(&self, path: &Path) -> io::Result<Box<dyn WritableFile>> {
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        Ok(Box::new(RealFile(f)))
    }
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn WritableFile>> {
        let f = OpenOptions::new().append(true).open(path)?;
        Ok(Box::new(RealFile(f)))
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }
    fn map(&self, path: &Path) -> io::Result<FileBytes> {
        let f = File::open(path)?;
        if f.metadata()?.len() == 0 {
            return Ok(FileBytes::Heap(Vec::new()));
        }
        Ok(FileBytes::Mapped(Mapped::map(&f)?))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        let f = OpenOptions::new().write(true).open(path)?;
        f.set_len(len)?;
        f.sync_all()
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir)? {
            out.push(e?.file_name().to_string_lossy().into_owned());
        }
        out.sort();
        Ok(out)
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// Which operation a [`FaultFs`] should fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// `write_all` on any file.
    Write,
    /// `sync_data` on any file, or `sync_dir`.
    Sync,
}

/// A [`FileSystem`] that delegates to [`RealFs`] and fails chosen operations: tests use it to
/// check that a failed write or fsync poisons the engine instead of losing data quietly.
#[derive(Debug, Clone)]
pub struct FaultFs {
    inner: RealFs,
    state: Arc<FaultState>,
}

#[derive(Debug)]
struct FaultState {
    writes: AtomicU64,
    syncs: AtomicU64,
    fail_write_at: AtomicU64,
    fail_sync_at: AtomicU64,
}

impl Default for FaultFs {
    fn default() -> Self {
        FaultFs {
            inner: RealFs,
            state: Arc::new(FaultState {
                writes: AtomicU64::new(0),
                syncs: AtomicU64::new(0),
                fail_write_at: AtomicU64::new(u64::MAX),
                fail_sync_at: AtomicU64::new(u64::MAX),
            }),
        }
    }
}

impl FaultFs {
    /// Makes the `n`-th operation of `kind` from now on (1 = the next one) and every later one fail.
    pub fn fail_after(&self, kind: FaultKind, n: u64) {
        match kind {
            FaultKind::Write => {
                let now = self.state.writes.load(Ordering::SeqCst);
                self.state.fail_write_at.store(now + n, Ordering::SeqCst);
            }
            FaultKind::Sync => {
                let now = self.state.syncs.load(Ordering::SeqCst);
                self.state.fail_sync_at.store(now + n, Ordering::SeqCst);
            }
        }
    }

    /// Stops injecting faults.
    pub fn heal(&self) {
        self.state.fail_write_at.store(u64::MAX, Ordering::SeqCst);
        self.state.fail_sync_at.store(u64::MAX, Ordering::SeqCst);
    }

    fn check(&self, kind: FaultKind) -> io::Result<()> {
        let (count, at) = match kind {
            FaultKind::Write => (&self.state.writes, &self.state.fail_write_at),
            FaultKind::Sync => (&self.state.syncs, &self.state.fail_sync_at),
        };
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        if n >= at.load(Ordering::SeqCst) {
            return Err(io::Error::other(format!("injected {kind:?} fault")));
        }
        Ok(())
    }
}

#[derive(Debug)]
struct FaultFile {
    inner: Box<dyn WritableFile>,
    fs: FaultFs,
}

impl WritableFile for FaultFile {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.fs.check(FaultKind::Write)?;
        self.inner.write_all(buf)
    }
    fn sync_data(&mut self) -> io::Result<()> {
        self.fs.check(FaultKind::Sync)?;
        self.inner.sync_data()
    }
}

impl FileSystem for FaultFs {
    fn create(&self, path: &Path) -> io::Result<Box<dyn WritableFile>> {
        Ok(Box::new(FaultFile {
            inner: self.inner.create(path)?,
            fs: self.clone(),
        }))
    }
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn WritableFile>> {
        Ok(Box::new(FaultFile {
            inner: self.inner.open_append(path)?,
            fs: self.clone(),
        }))
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.inner.read(path)
    }
    fn map(&self, path: &Path) -> io::Result<FileBytes> {
        self.inner.map(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        self.inner.remove(path)
    }
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        self.inner.truncate(path, len)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.inner.create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.check(FaultKind::Sync)?;
        self.inner.sync_dir(dir)
    }
}

/// Writes `bytes` to `path` durably and atomically: `path.tmp` → fsync → rename → fsync(dir).
pub fn write_atomic(fs: &dyn FileSystem, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = tmp_path(path);
    let mut f = fs.create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    drop(f);
    fs.rename(&tmp, path)?;
    fs.sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// `name.tmp` beside `path`.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}
