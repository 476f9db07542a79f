//! The storage error type: one enum, typed fields where a caller may match.
use std::path::PathBuf;

use thiserror::Error;

/// Result alias used throughout the storage crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the storage engine.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system I/O call failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// File or directory the call was about.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Bytes on disk fail their checksum or cannot be decoded.
    #[error("corrupt {what} in {path} at offset {offset}: {detail}")]
    Corrupt {
        /// File holding the bad bytes.
        path: PathBuf,
        /// Byte offset of the bad record or block.
        offset: u64,
        /// What was being read ("WAL record", "block", "part footer", ...).
        what: &'static str,
        /// Why it was rejected.
        detail: String,
    },
    /// A write or fsync failed earlier; the engine refuses writes until it is reopened.
    #[error("storage engine is poisoned after a failed write or fsync ({0}); reopen the database")]
    Poisoned(String),
    /// Another process holds the directory's lock file.
    #[error("database directory {0} is locked by another process")]
    Locked(PathBuf),
    /// No table with this name (or id).
    #[error("table \"{0}\" does not exist")]
    NoSuchTable(String),
    /// A table with this name exists already.
    #[error("table \"{0}\" already exists")]
    TableExists(String),
    /// A column with this name exists already.
    #[error("column \"{column}\" of table \"{table}\" already exists")]
    ColumnExists {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
    },
    /// The table definition is not acceptable (no columns, bad time column, ...).
    #[error("invalid table definition: {0}")]
    InvalidSchema(String),
    /// A batch does not fit its table (wrong column count or type, NULL in the time column, ...).
    #[error("invalid batch: {0}")]
    InvalidBatch(String),
    /// The engine has been closed.
    #[error("the database is closed")]
    Closed,
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A corruption error naming file and offset.
    pub fn corrupt(
        path: impl Into<PathBuf>,
        offset: u64,
        what: &'static str,
        detail: impl Into<String>,
    ) -> Error {
        Error::Corrupt {
            path: path.into(),
            offset,
            what,
            detail: detail.into(),
        }
    }
}
