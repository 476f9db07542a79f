//! Runs every `tests/sql/*.slt` file against the embedded engine twice: once as is, and once
//! closing and reopening the database after every statement (so that every result is also
//! checked after a restart). Errors are reported as `SQLSTATE: message`; `statement error (42P01)`
//! matches the SQLSTATE. Session settings survive the restart: SET and RESET statements are
//! replayed on the new connection, as a client would reconnect with its settings.
use std::path::{Path, PathBuf};

use plantdb::{Connection, Database, StatementResult};
use sqllogictest::{DBOutput, DefaultColumnType};

#[derive(Debug)]
struct SltError(plantdb::Error);

impl std::fmt::Display for SltError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for SltError {}

struct SltDb {
    dir: PathBuf,
    db: Option<Database>,
    conn: Option<Connection>,
    restart: bool,
    /// SET / RESET statements run so far (replayed after a restart).
    settings: Vec<String>,
}

impl SltDb {
    fn open(dir: &Path, restart: bool) -> SltDb {
        let db = Database::open(dir).expect("open database");
        let conn = db.connect();
        SltDb {
            dir: dir.to_path_buf(),
            db: Some(db),
            conn: Some(conn),
            restart,
            settings: Vec::new(),
        }
    }

    fn reopen(&mut self) {
        self.conn = None;
        if let Some(db) = self.db.take() {
            db.close().expect("close database");
        }
        let db = Database::open(&self.dir).expect("reopen database");
        let mut conn = db.connect();
        for s in &self.settings {
            conn.execute(s).expect("replay a setting");
        }
        self.conn = Some(conn);
        self.db = Some(db);
    }
}

fn column_type(t: &plantdb::DataType) -> DefaultColumnType {
    use plantdb::DataType as T;
    match t {
        T::Int2 | T::Int4 | T::Int8 | T::Oid => DefaultColumnType::Integer,
        T::Float4 | T::Float8 | T::Numeric(_) => DefaultColumnType::FloatingPoint,
        _ => DefaultColumnType::Text,
    }
}

impl sqllogictest::DB for SltDb {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let conn = self.conn.as_mut().expect("connection");
        let results = conn.execute(sql).map_err(SltError)?;
        let head = sql.trim_start().to_ascii_uppercase();
        if head.starts_with("SET ") || head.starts_with("RESET ") {
            self.settings.push(sql.to_string());
        }
        let ctx = conn.session().eval_context();
        let mut out = DBOutput::StatementComplete(0);
        let mut wrote = false;
        for r in results {
            match r {
                StatementResult::Rows { fields, batches, .. } => {
                    let mut rows = Vec::new();
                    for b in &batches {
                        for i in 0..b.len() {
                            rows.push(
                                b.columns
                                    .iter()
                                    .map(|c| {
                                        match plantdb::query::types::text::format_value(
                                            &c.value(i),
                                            &c.ty,
                                            &ctx,
                                        ) {
                                            None => "NULL".to_string(),
                                            Some(s) if s.is_empty() => "(empty)".to_string(),
                                            Some(s) => s,
                                        }
                                    })
                                    .collect(),
                            );
                        }
                    }
                    out = DBOutput::Rows {
                        types: fields.iter().map(|f| column_type(&f.ty)).collect(),
                        rows,
                    };
                }
                StatementResult::Command { tag } => {
                    wrote = true;
                    let n = tag.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    out = DBOutput::StatementComplete(n);
                }
                _ => wrote = true,
            }
        }
        // Inside a transaction block the restart waits for its end (it would roll it back).
        let idle = matches!(
            self.conn.as_mut().map(|c| c.session().tx_status()),
            Some(plantdb::query::session::TxStatus::Idle)
        );
        if self.restart && wrote && idle {
            self.reopen();
        }
        Ok(out)
    }

    fn engine_name(&self) -> &str {
        "plantdb"
    }

    fn error_sql_state(err: &SltError) -> Option<String> {
        Some(err.0.code.to_string())
    }
}

fn run_file(path: &Path, restart: bool) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!(
        "plantdb-slt-{}-{}-{}",
        path.file_stem().and_then(|s| s.to_str()).unwrap_or("x"),
        restart,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.clone();
    let mut runner = sqllogictest::Runner::new(move || {
        let db = SltDb::open(&d, restart);
        async move { Ok::<_, SltError>(db) }
    });
    runner.add_label("plantdb");
    let r = runner.run_file(path).map_err(|e| format!("{}", e.display(true)));
    drop(runner);
    let _ = std::fs::remove_dir_all(&dir);
    r
}

#[test]
fn sql_logic_tests() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql"))
        .expect("tests/sql")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    files.sort();
    let only = std::env::var("SLT").ok();
    let mut failures = Vec::new();
    for f in &files {
        if only.as_deref().is_some_and(|o| !f.to_string_lossy().contains(o)) {
            continue;
        }
        for restart in [false, true] {
            if let Err(e) = run_file(f, restart) {
                failures.push(format!("{} (restart={restart}):\n{e}", f.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing runs:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
