//! The WAL writer thread and group commit.
//!
//! Producers hand a payload and a commit callback to [`WalWriter::append`]. The writer thread takes
//! every request waiting in its queue, frames them into one buffer, writes it with one `write`, makes
//! it durable with one `fdatasync` (at [`Durability::Sync`]), then runs the commit callbacks in
//! sequence order and acknowledges every waiter. A failed write or fsync poisons the writer: the
//! failing batch and every later request get [`Error::Poisoned`].
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::record::{RecordKind, frame};
use super::segment_path;
use crate::error::{Error, Result};
use crate::io::{FileSystem, WritableFile};

/// When an append is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// After fdatasync (group commit). The default.
    Sync,
    /// After the write reaches the OS; fdatasync runs at most every this many milliseconds.
    Interval(u64),
    /// After the write reaches the OS; never fsynced until close or rotation.
    None,
}

impl Durability {
    /// Parses `sync`, `none`, `interval` (1000 ms) or `interval:<ms>`.
    pub fn parse(s: &str) -> Option<Durability> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "sync" => Some(Durability::Sync),
            "none" | "nosync" | "off" => Some(Durability::None),
            "interval" => Some(Durability::Interval(1000)),
            _ => s
                .strip_prefix("interval:")
                .and_then(|ms| ms.parse().ok())
                .map(Durability::Interval),
        }
    }
}

/// Run by the writer thread, in sequence order, once a record is durable (per the durability
/// level) and before its producer is acknowledged.
pub type CommitFn = Box<dyn FnOnce(u64) + Send>;

struct Request {
    kind: RecordKind,
    payload: Vec<u8>,
    on_commit: CommitFn,
    ack: SyncSender<Result<u64>>,
}

enum Msg {
    Append(Request),
    /// Fsync now and reply (used by checkpoints and close).
    Sync(SyncSender<Result<()>>),
    Stop,
}

/// Handle to the writer thread.
pub struct WalWriter {
    tx: Mutex<Option<Sender<Msg>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    poisoned: Arc<AtomicBool>,
}

impl std::fmt::Debug for WalWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalWriter")
            .field("poisoned", &self.poisoned.load(Ordering::SeqCst))
            .finish()
    }
}

/// Default segment size after which the writer starts a new segment.
pub const SEGMENT_BYTES: u64 = 64 << 20;

struct Worker {
    fs: Arc<dyn FileSystem>,
    dir: PathBuf,
    file: Box<dyn WritableFile>,
    segment_bytes: u64,
    segment_limit: u64,
    next_seq: u64,
    durability: Durability,
    dirty: bool,
    /// Highest sequence number known to be fsynced.
    durable_seq: u64,
    last_sync: Instant,
    poisoned: Arc<AtomicBool>,
    poison_reason: Option<String>,
}

impl WalWriter {
    /// Starts a writer that opens a fresh segment for `next_seq`.
    pub fn start(
        fs: Arc<dyn FileSystem>,
        dir: PathBuf,
        next_seq: u64,
        durability: Durability,
        segment_limit: u64,
    ) -> Result<WalWriter> {
        let path = segment_path(&dir, next_seq);
        let file = fs.create(&path).map_err(|e| Error::io(&path, e))?;
        fs.sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let poisoned = Arc::new(AtomicBool::new(false));
        let mut worker = Worker {
            fs,
            dir,
            file,
            segment_bytes: 0,
            segment_limit,
            next_seq,
            durability,
            dirty: false,
            durable_seq: next_seq.saturating_sub(1),
            last_sync: Instant::now(),
            poisoned: poisoned.clone(),
            poison_reason: None,
        };
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("plantdb-wal".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| Error::io("wal writer thread", e))?;
        Ok(WalWriter {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            poisoned,
        })
    }

    /// Whether a failed write or fsync has poisoned the log.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::SeqCst)
    }

    fn sender(&self) -> Result<Sender<Msg>> {
        let guard = self
            .tx
            .lock()
            .map_err(|_| Error::Poisoned("WAL sender lock".into()))?;
        guard.clone().ok_or(Error::Closed)
    }

    /// Appends a record; returns its sequence number once it is durable and `on_commit` has run.
    pub fn append(&self, kind: RecordKind, payload: Vec<u8>, on_commit: CommitFn) -> Result<u64> {
        if self.is_poisoned() {
            return Err(Error::Poisoned("an earlier WAL write or fsync failed".into()));
        }
        let (ack, wait) = mpsc::sync_channel(1);
        self.sender()?
            .send(Msg::Append(Request {
                kind,
                payload,
                on_commit,
                ack,
            }))
            .map_err(|_| Error::Closed)?;
        wait.recv().map_err(|_| Error::Closed)?
    }

    /// Makes everything appended so far durable, whatever the durability level.
    pub fn sync(&self) -> Result<()> {
        let (ack, wait) = mpsc::sync_channel(1);
        self.sender()?.send(Msg::Sync(ack)).map_err(|_| Error::Closed)?;
        wait.recv().map_err(|_| Error::Closed)?
    }

    /// Syncs and stops the thread.
    pub fn stop(&self) {
        let tx = self.tx.lock().ok().and_then(|mut g| g.take());
        if let Some(tx) = tx {
            let _ = tx.send(Msg::Stop);
        }
        let handle = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

impl Drop for WalWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Largest framed batch written with one `write`.
const GROUP_BYTES: usize = 4 << 20;

impl Worker {
    fn run(&mut self, rx: Receiver<Msg>) {
        let mut buf = Vec::with_capacity(1 << 20);
        loop {
            let first = match self.durability {
                Durability::Interval(ms) if self.dirty => {
                    match rx.recv_timeout(Duration::from_millis(ms.max(1))) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => {
                            let _ = self.sync_now();
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                _ => match rx.recv() {
                    Ok(m) => m,
                    Err(_) => break,
                },
            };
            let mut batch = Vec::new();
            let mut syncs = Vec::new();
            let mut stop = false;
            let mut pending = 0usize;
            let mut next = Some(first);
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Append(r) => {
                        pending += r.payload.len();
                        batch.push(r);
                    }
                    Msg::Sync(ack) => syncs.push(ack),
                    Msg::Stop => stop = true,
                }
                if pending < GROUP_BYTES && !stop {
                    next = rx.try_recv().ok();
                }
            }
            self.commit(batch, &mut buf);
            if !syncs.is_empty() || stop {
                let r = self.sync_now();
                for ack in syncs {
                    let _ = ack.send(r.clone().map_err(Error::Poisoned));
                }
            }
            if stop {
                break;
            }
        }
        let _ = self.sync_now();
    }

    fn poison(&mut self, why: String) -> String {
        self.poisoned.store(true, Ordering::SeqCst);
        self.poison_reason.get_or_insert(why).clone()
    }

    fn sync_now(&mut self) -> std::result::Result<(), String> {
        if let Some(r) = &self.poison_reason {
            return Err(r.clone());
        }
        if !self.dirty {
            return Ok(());
        }
        match self.file.sync_data() {
            Ok(()) => {
                self.dirty = false;
                self.durable_seq = self.next_seq.saturating_sub(1);
                self.last_sync = Instant::now();
                Ok(())
            }
            Err(e) => Err(self.poison(format!("WAL fsync failed: {e}"))),
        }
    }

    fn commit(&mut self, batch: Vec<Request>, buf: &mut Vec<u8>) {
        if batch.is_empty() {
            return;
        }
        if let Some(reason) = self.poison_reason.clone() {
            for r in batch {
                let _ = r.ack.send(Err(Error::Poisoned(reason.clone())));
            }
            return;
        }
        buf.clear();
        let first_seq = self.next_seq;
        for (i, r) in batch.iter().enumerate() {
            frame(buf, r.kind, first_seq + i as u64, self.durable_seq, &r.payload);
        }
        // The batch counts as written before its fsync, so that the fsync advances `durable_seq`.
        self.next_seq += batch.len() as u64;
        let result = self.write_and_sync(buf);
        match result {
            Ok(()) => {
                for (i, r) in batch.into_iter().enumerate() {
                    let seq = first_seq + i as u64;
                    (r.on_commit)(seq);
                    let _ = r.ack.send(Ok(seq));
                }
                if self.segment_bytes >= self.segment_limit {
                    self.rotate();
                }
            }
            Err(reason) => {
                for r in batch {
                    let _ = r.ack.send(Err(Error::Poisoned(reason.clone())));
                }
            }
        }
    }

    fn write_and_sync(&mut self, buf: &[u8]) -> std::result::Result<(), String> {
        if let Err(e) = self.file.write_all(buf) {
            return Err(self.poison(format!("WAL write failed: {e}")));
        }
        self.segment_bytes += buf.len() as u64;
        self.dirty = true;
        match self.durability {
            Durability::Sync => self.sync_now(),
            Durability::Interval(ms) if self.last_sync.elapsed() >= Duration::from_millis(ms) => {
                self.sync_now()
            }
            _ => Ok(()),
        }
    }

    /// Seals the current segment (fsync) and starts the next one.
    fn rotate(&mut self) {
        if self.sync_now().is_err() {
            return;
        }
        let path = segment_path(&self.dir, self.next_seq);
        match self.fs.create(&path) {
            Ok(f) => {
                if let Err(e) = self.fs.sync_dir(&self.dir) {
                    self.poison(format!("WAL directory fsync failed: {e}"));
                    return;
                }
                self.file = f;
                self.segment_bytes = 0;
            }
            Err(e) => {
                self.poison(format!("cannot create WAL segment {}: {e}", path.display()));
            }
        }
    }
}
