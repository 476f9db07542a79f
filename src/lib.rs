//! plantdb: an embedded time-series database for manufacturing.
//!
//! Open a directory, run SQL (PostgreSQL's dialect) with every extension function registered:
//!
//! ```
//! # fn main() -> Result<(), plantdb::Error> {
//! let dir = std::env::temp_dir().join(format!("plantdb-doc-{}", std::process::id()));
//! let db = plantdb::Database::open(&dir)?;
//! let mut conn = db.connect();
//! conn.execute("CREATE TABLE telemetry (ts timestamp, machine_id text, temperature_c float8)
//!               WITH (timestamp = 'ts', tags = 'machine_id')")?;
//! conn.execute("INSERT INTO telemetry VALUES ('2026-01-05 10:00:00', 'M1', 65.2),
//!                                            ('2026-01-05 10:00:01', 'M1', 65.4)")?;
//! let rows = conn.query("SELECT machine_id, avg(temperature_c) FROM telemetry GROUP BY 1")?;
//! assert_eq!(rows.rows[0][0].as_str(), Some("M1"));
//! assert_eq!(rows.rows[0][1].as_f64(), Some(65.30000000000001));
//! db.close()?;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
//!
//! The storage layer is available directly too ([`storage`]): create a table from a schema,
//! append column batches, scan snapshots; see `examples/storage.rs`.
pub mod demo;
mod malloc;
pub mod plant;

pub use demo::{DemoConfig, load_demo};
pub use malloc::{MALLOC_TUNABLES, tune_malloc};

use std::path::Path;
use std::sync::Arc;

pub use plantdb_query as query;
pub use plantdb_query::error::QueryError as Error;
pub use plantdb_query::session::{QueryEngine, Session, StatementResult};
pub use plantdb_query::types::{DataType, Value};
pub use plantdb_storage as storage;

use plantdb_query::functions::Registry;
use plantdb_query::session::QueryConfig;
use plantdb_storage::{Durability, Engine, EngineOptions};

/// How to open a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// When writes are acknowledged (default `Sync`: after fdatasync).
    pub durability: Durability,
    /// Memory limit per statement.
    pub memory_limit: usize,
    /// Memtable size before a flush to parts.
    pub memtable_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            durability: Durability::Sync,
            memory_limit: 4 << 30,
            memtable_bytes: 256 << 20,
        }
    }
}

/// All functions: built-ins and extensions.
pub fn registry() -> Registry {
    let mut r = Registry::with_builtins();
    plantdb_extensions::register(&mut r);
    plantdb_query::system::register(&mut r);
    r
}

/// An open database directory.
#[derive(Clone, Debug)]
pub struct Database {
    engine: Arc<QueryEngine>,
}

impl Database {
    /// Opens (or creates) the database in `dir` with default options.
    pub fn open(dir: impl AsRef<Path>) -> Result<Database, Error> {
        Database::open_with(dir, Options::default())
    }

    /// Opens with options.
    pub fn open_with(dir: impl AsRef<Path>, o: Options) -> Result<Database, Error> {
        let storage = Engine::open(
            dir,
            EngineOptions {
                durability: o.durability,
                memtable_bytes: o.memtable_bytes,
                ..EngineOptions::default()
            },
        )?;
        let durability = match o.durability {
            Durability::Sync => "sync".to_string(),
            Durability::Interval(ms) => format!("interval:{ms}"),
            Durability::None => "none".to_string(),
        };
        let engine = QueryEngine::new(
            storage,
            registry(),
            QueryConfig {
                memory_limit: o.memory_limit,
                durability,
            },
        )?;
        Ok(Database { engine })
    }

    /// A connection as the built-in superuser.
    pub fn connect(&self) -> Connection {
        Connection {
            session: self.engine.session("plantdb"),
        }
    }

    /// The SQL engine (for servers).
    pub fn engine(&self) -> &Arc<QueryEngine> {
        &self.engine
    }

    /// The storage engine.
    pub fn storage(&self) -> &Engine {
        &self.engine.storage
    }

    /// Flushes everything to parts and closes.
    pub fn close(&self) -> Result<(), Error> {
        self.engine.storage.close()?;
        Ok(())
    }
}

/// Rows returned by [`Connection::query`].
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Column names.
    pub columns: Vec<String>,
    /// Column types.
    pub types: Vec<DataType>,
    /// Rows of values.
    pub rows: Vec<Vec<Value>>,
}

/// A session on a database.
#[derive(Debug)]
pub struct Connection {
    session: Session,
}

impl Connection {
    /// Runs one or more statements; returns each statement's result.
    pub fn execute(&mut self, sql: &str) -> Result<Vec<StatementResult>, Error> {
        self.session.execute(sql).into_iter().collect()
    }

    /// Runs statements and returns the rows of the last one.
    pub fn query(&mut self, sql: &str) -> Result<Rows, Error> {
        let mut out = Rows::default();
        for r in self.execute(sql)? {
            if let StatementResult::Rows { fields, batches, .. } = r {
                out = Rows {
                    columns: fields.iter().map(|f| f.name.clone()).collect(),
                    types: fields.iter().map(|f| f.ty.clone()).collect(),
                    rows: batches
                        .iter()
                        .flat_map(|b| (0..b.len()).map(move |i| b.row(i)))
                        .collect(),
                };
            }
        }
        Ok(out)
    }

    /// Runs `COPY … FROM STDIN` with the data read from `reader`. Returns the row count.
    pub fn copy_from(&mut self, sql: &str, mut reader: impl std::io::Read) -> Result<u64, Error> {
        let mut results = self.execute(sql)?;
        let Some(StatementResult::CopyIn(mut c)) = results.pop() else {
            return Err(Error::new(
                "42601",
                "copy_from needs a COPY ... FROM STDIN statement",
            ));
        };
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|e| Error::new("58030", e.to_string()))?;
            if n == 0 {
                break;
            }
            c.data(&buf[..n])?;
        }
        c.finish()
    }

    /// The underlying session.
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }
}
