//! COPY … FROM STDIN in progress. Parsing runs on the caller's thread while a writer thread
//! sorts and encodes the parsed batches into parts, so the two halves of a load overlap on two
//! cores. Nothing is visible until `finish` commits the bulk load; dropping a `CopyIn` (error,
//! CopyFail, cancel) stops the writer and removes its part files.
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use plantdb_storage::BulkLoad;

use super::CopyFormat;
use super::dml::to_write_batch;
use crate::catalog::TableInfo;
use crate::copy::CopyReader;
use crate::error::{Result, internal};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Parsed batches in flight between the parser and the writer (each up to 64 Ki rows).
const IN_FLIGHT: usize = 4;

/// A COPY FROM STDIN being loaded.
pub struct CopyIn {
    reader: CopyReader,
    format: CopyFormat,
    /// Name and type of each input column, in input order.
    input: Vec<(String, DataType)>,
    table: String,
    tx: Option<SyncSender<Vec<Vec<Vector>>>>,
    writer: Option<JoinHandle<Result<BulkLoad>>>,
}

impl std::fmt::Debug for CopyIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyIn").field("table", &self.table).finish()
    }
}

/// What the writer thread needs to turn input columns into table rows.
struct Target {
    info: Arc<TableInfo>,
    /// Table column for each input column.
    targets: Vec<usize>,
    defaults: Vec<Option<Value>>,
}

impl Target {
    fn write(&self, load: &mut BulkLoad, cols: Vec<Vector>) -> Result<()> {
        let n = cols.first().map_or(0, |c| c.len());
        let mut full: Vec<Option<Vector>> = vec![None; self.info.columns.len()];
        for (v, &t) in cols.into_iter().zip(&self.targets) {
            full[t] = Some(v);
        }
        let full: Vec<Vector> = full
            .into_iter()
            .enumerate()
            .map(|(c, v)| {
                v.unwrap_or_else(|| {
                    Vector::constant(
                        self.defaults[c].clone().unwrap_or(Value::Null),
                        self.info.columns[c].ty.clone(),
                        n,
                    )
                })
            })
            .collect();
        let wb = to_write_batch(&self.info, &Batch::new(full, n))?;
        load.append(&wb)?;
        Ok(())
    }
}

fn writer_loop(target: Target, mut load: BulkLoad, rx: Receiver<Vec<Vec<Vector>>>) -> Result<BulkLoad> {
    while let Ok(batches) = rx.recv() {
        for cols in batches {
            target.write(&mut load, cols)?;
        }
    }
    Ok(load)
}

impl CopyIn {
    pub(super) fn new(
        reader: CopyReader,
        format: CopyFormat,
        load: BulkLoad,
        info: Arc<TableInfo>,
        targets: Vec<usize>,
        defaults: Vec<Option<Value>>,
    ) -> CopyIn {
        let input = targets
            .iter()
            .map(|&t| (info.columns[t].name.clone(), info.columns[t].ty.clone()))
            .collect();
        let table = info.name.clone();
        let (tx, rx) = sync_channel(IN_FLIGHT);
        let target = Target {
            info,
            targets,
            defaults,
        };
        let writer = std::thread::Builder::new()
            .name("plantdb-copy".into())
            .spawn(move || writer_loop(target, load, rx));
        match writer {
            Ok(h) => CopyIn {
                reader,
                format,
                input,
                table,
                tx: Some(tx),
                writer: Some(h),
            },
            // No thread: the load is gone with the closure; report it at the first data.
            Err(_) => CopyIn {
                reader,
                format,
                input,
                table,
                tx: None,
                writer: None,
            },
        }
    }

    /// Number of columns in the input.
    pub fn columns(&self) -> usize {
        self.input.len()
    }

    /// Whether the data comes in PostgreSQL's binary COPY format. The caller decodes it (the
    /// binary forms of values belong to the wire protocol) and hands the rows to
    /// [`CopyIn::append_columns`].
    pub fn is_binary(&self) -> bool {
        self.format == CopyFormat::Binary
    }

    /// The target table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Name and type of each input column, in input order.
    pub fn input_columns(&self) -> &[(String, DataType)] {
        &self.input
    }

    /// Appends decoded rows, given as one value list per input column (binary COPY).
    pub fn append_columns(&mut self, columns: Vec<Vec<Value>>) -> Result<()> {
        if columns.len() != self.input.len() {
            return Err(internal("COPY column count"));
        }
        if columns.first().is_none_or(|c| c.is_empty()) {
            return Ok(());
        }
        let vectors = columns
            .into_iter()
            .zip(&self.input)
            .map(|(v, (_, ty))| Vector::from_values(ty.clone(), v))
            .collect();
        self.send(vec![vectors])
    }

    /// Hands batches to the writer; when it has stopped, returns its error.
    fn send(&mut self, batches: Vec<Vec<Vector>>) -> Result<()> {
        if batches.is_empty() {
            return Ok(());
        }
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(batches).is_ok());
        if sent {
            return Ok(());
        }
        // The writer ended early: it failed.
        self.tx = None;
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(internal("COPY writer thread failed")),
            _ => Err(internal("COPY writer is not running")),
        }
    }

    /// Feeds COPY data.
    pub fn data(&mut self, bytes: &[u8]) -> Result<()> {
        if self.is_binary() {
            // Only the wire server decodes the binary format (see `is_binary`).
            return crate::error::unsupported("COPY FROM STDIN in binary format here");
        }
        let b = self.reader.feed(bytes)?;
        self.send(b)
    }

    /// Ends the COPY: everything becomes visible at once. Returns the row count.
    pub fn finish(mut self) -> Result<u64> {
        let b = self.reader.finish()?;
        self.send(b)?;
        self.tx = None;
        let load = match self.writer.take().map(JoinHandle::join) {
            Some(Ok(r)) => r?,
            Some(Err(_)) => return Err(internal("COPY writer thread failed")),
            None => return Err(internal("COPY writer is not running")),
        };
        Ok(load.commit()?)
    }
}

impl Drop for CopyIn {
    fn drop(&mut self) {
        // Abort: closing the channel ends the writer, which drops (and cleans up) the load.
        self.tx = None;
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}
