//! PostgreSQL 15 as the oracle of the SQL tests: finds or starts a server and runs statements on
//! it through the simple query protocol (text results, as psql shows them).
//!
//! - `PLANTDB_PG_URL` (e.g. `host=/tmp/pg port=5432 user=postgres`): use that server;
//! - otherwise a throwaway cluster is created (`initdb --locale=C`, UTF-8, TimeZone UTC) in a temp
//!   directory with the binaries of `PLANTDB_PG_BIN` or `/usr/lib/postgresql/15/bin`, on a free
//!   port, and stopped when the handle drops; as root the server runs as user `postgres`;
//! - `PLANTDB_SKIP_PG=1`: tests that need PostgreSQL skip instead of failing.
use std::path::{Path, PathBuf};
use std::process::Command;

/// One statement's outcome on PostgreSQL.
#[derive(Debug)]
pub enum PgOutput {
    /// A statement returning rows (values in text form, `None` for NULL).
    Rows(Vec<Vec<Option<String>>>),
    /// A command, with its row count.
    Command(u64),
}

/// A PostgreSQL error: SQLSTATE and message.
#[derive(Debug)]
pub struct PgError {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for PgError {}

/// A running server: either an existing one (`PLANTDB_PG_URL`) or a cluster we started.
pub struct PgServer {
    conninfo: String,
    cluster: Option<(PathBuf, PathBuf)>,
}

/// Whether tests may skip when PostgreSQL is missing.
pub fn skip_pg() -> bool {
    std::env::var("PLANTDB_SKIP_PG").is_ok_and(|v| v == "1")
}

fn bin_dir() -> Option<PathBuf> {
    let dir = std::env::var("PLANTDB_PG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/usr/lib/postgresql/15/bin"));
    (dir.join("initdb").exists() && dir.join("pg_ctl").exists()).then_some(dir)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL binary, as user `postgres` when we are root (initdb refuses root).
fn run_pg(bin: &Path, args: &[&str]) -> Result<(), String> {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{} {args:?} failed: {}{}",
        bin.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl PgServer {
    /// Finds or starts PostgreSQL. `Ok(None)` when it is missing and `PLANTDB_SKIP_PG=1`.
    pub fn start(name: &str) -> Result<Option<PgServer>, String> {
        if let Ok(url) = std::env::var("PLANTDB_PG_URL") {
            return Ok(Some(PgServer {
                conninfo: url,
                cluster: None,
            }));
        }
        let Some(bin) = bin_dir() else {
            if skip_pg() {
                return Ok(None);
            }
            return Err(
                "PostgreSQL 15 not found (install postgresql-15, set PLANTDB_PG_BIN or \
                        PLANTDB_PG_URL, or set PLANTDB_SKIP_PG=1 to skip)"
                    .into(),
            );
        };
        let dir = std::env::temp_dir().join(format!("plantdb-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:", &dir.to_string_lossy()])
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err("cannot chown the cluster directory to postgres".into());
            }
        }
        let data = dir.join("data");
        let data_s = data.to_string_lossy().to_string();
        run_pg(
            &bin.join("initdb"),
            &[
                "-D",
                &data_s,
                "--locale=C",
                "-E",
                "UTF8",
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        )?;
        let port = free_port()?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses='' -c timezone=UTC -c fsync=off -c full_page_writes=off",
            dir.display()
        );
        let log = dir.join("log").to_string_lossy().to_string();
        run_pg(
            &bin.join("pg_ctl"),
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        )?;
        Ok(Some(PgServer {
            conninfo: format!("host={} port={port} user=postgres", dir.display()),
            cluster: Some((bin, dir)),
        }))
    }

    /// Connects to database `db`.
    pub fn connect(&self, db: &str) -> Result<Pg, String> {
        Pg::connect(&format!("{} dbname={db}", self.conninfo))
    }

    /// A fresh, empty database named `db` (dropped first if it exists).
    pub fn fresh_database(&self, db: &str) -> Result<Pg, String> {
        let admin = self.connect("postgres")?;
        admin
            .run(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .map_err(|e| e.to_string())?;
        admin
            .run(&format!("CREATE DATABASE {db} TEMPLATE template0"))
            .map_err(|e| e.to_string())?;
        self.connect(db)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some((bin, dir)) = &self.cluster {
            let data = dir.join("data").to_string_lossy().to_string();
            let _ = run_pg(
                &bin.join("pg_ctl"),
                &["-D", &data, "-m", "immediate", "-w", "stop"],
            );
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A synchronous connection to PostgreSQL.
pub struct Pg {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Pg {
    fn connect(conninfo: &str) -> Result<Pg, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let (client, conn) = rt
            .block_on(tokio_postgres::connect(conninfo, tokio_postgres::NoTls))
            .map_err(|e| format!("connect to PostgreSQL ({conninfo}): {e}"))?;
        rt.spawn(conn);
        Ok(Pg { rt, client })
    }

    /// Runs a query string (one or more statements); returns each statement's outcome.
    pub fn run(&self, sql: &str) -> Result<Vec<PgOutput>, PgError> {
        use tokio_postgres::SimpleQueryMessage as M;
        let msgs = self
            .rt
            .block_on(self.client.simple_query(sql))
            .map_err(|e| match e.as_db_error() {
                Some(db) => PgError {
                    code: db.code().code().to_string(),
                    message: db.message().to_string(),
                },
                None => PgError {
                    code: "XX000".into(),
                    message: e.to_string(),
                },
            })?;
        let mut out = Vec::new();
        let mut rows: Option<Vec<Vec<Option<String>>>> = None;
        for m in msgs {
            match m {
                M::RowDescription(_) => rows = Some(Vec::new()),
                M::Row(r) => rows
                    .get_or_insert_with(Vec::new)
                    .push((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
                M::CommandComplete(n) => out.push(match rows.take() {
                    Some(r) => PgOutput::Rows(r),
                    None => PgOutput::Command(n),
                }),
                _ => {}
            }
        }
        Ok(out)
    }
}
