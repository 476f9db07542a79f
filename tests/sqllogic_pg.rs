//! Runs every `tests/sql/*.slt` file against PostgreSQL 15 (label `postgres`), proving that the
//! expected outputs are PostgreSQL's answers. Records where plantdb deliberately differs are
//! marked `onlyif plantdb` (plantdb's answer) and `skipif plantdb` (PostgreSQL's answer); whole
//! files about plantdb's own functions carry `# postgres: skip (reason)` and are left out.
//!
//! `SLT_UPDATE=1` rewrites the files instead: every record PostgreSQL runs gets PostgreSQL's
//! output (rows, or the SQLSTATE of the error). `SLT=name` restricts either mode to one file.
//! See `tests/pg/mod.rs` for how the server is found or started.
mod pg;

use std::path::{Path, PathBuf};

use pg::{Pg, PgError, PgOutput, PgServer};
use sqllogictest::{
    Condition, DBOutput, DefaultColumnType, ExpectedError, QueryExpect, Record, SortMode, StatementExpect,
};

const LABEL: &str = "postgres";

struct PgDb(Pg);

fn text(v: &Option<String>) -> String {
    match v.as_deref() {
        None => "NULL".to_string(),
        Some("") => "(empty)".to_string(),
        Some(s) => s.to_string(),
    }
}

fn column_types(rows: &[Vec<Option<String>>]) -> Vec<DefaultColumnType> {
    let width = rows.first().map_or(0, Vec::len);
    (0..width)
        .map(|i| {
            let vals = rows.iter().filter_map(|r| r[i].as_deref());
            let mut all_int = true;
            let mut all_num = true;
            for v in vals {
                all_int &= v.parse::<i64>().is_ok();
                all_num &= v.parse::<f64>().is_ok();
            }
            match (all_int, all_num) {
                (true, _) => DefaultColumnType::Integer,
                (_, true) => DefaultColumnType::FloatingPoint,
                _ => DefaultColumnType::Text,
            }
        })
        .collect()
}

impl sqllogictest::DB for PgDb {
    type Error = PgError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, PgError> {
        let mut out = DBOutput::StatementComplete(0);
        for o in self.0.run(sql)? {
            out = match o {
                PgOutput::Rows(rows) => DBOutput::Rows {
                    types: column_types(&rows),
                    rows: rows.iter().map(|r| r.iter().map(text).collect()).collect(),
                },
                PgOutput::Command(n) => DBOutput::StatementComplete(n),
            };
        }
        Ok(out)
    }

    fn engine_name(&self) -> &str {
        LABEL
    }

    fn error_sql_state(err: &PgError) -> Option<String> {
        Some(err.code.clone())
    }
}

fn db_name(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    format!("slt_{}", stem.replace(|c: char| !c.is_ascii_alphanumeric(), "_"))
}

fn run_file(server: &PgServer, path: &Path) -> Result<(), String> {
    let pg = server.fresh_database(&db_name(path))?;
    let mut db = Some(PgDb(pg));
    let mut runner = sqllogictest::Runner::new(move || {
        let db = db.take().ok_or_else(|| PgError {
            code: "08000".into(),
            message: "one connection per file".into(),
        });
        async move { db }
    });
    runner.add_label(LABEL);
    runner.run_file(path).map_err(|e| format!("{}", e.display(true)))
}

fn skipped(conditions: &[Condition]) -> bool {
    conditions.iter().any(|c| match c {
        Condition::OnlyIf { label } => label != LABEL,
        Condition::SkipIf { label } => label == LABEL,
    })
}

/// Result lines as the runner compares them: rowsort sorts rows column by column.
fn result_lines(mode: &Option<SortMode>, mut table: Vec<Vec<String>>) -> Vec<String> {
    match mode {
        Some(SortMode::RowSort) => table.sort(),
        Some(SortMode::ValueSort) => {
            let mut values: Vec<String> = table.into_iter().flatten().collect();
            values.sort();
            return values;
        }
        _ => {}
    }
    table.iter().map(|r| r.join(" ")).collect()
}

/// The record with PostgreSQL's outcome as its expectation.
fn updated(pg: &Pg, record: Record<DefaultColumnType>) -> Record<DefaultColumnType> {
    match record {
        Record::Statement {
            loc,
            conditions,
            connection,
            sql,
            expected,
            retry,
        } if !skipped(&conditions) => {
            let expected = match (pg.run(&sql), expected) {
                (Err(e), _) => StatementExpect::Error(ExpectedError::SqlState(e.code)),
                (Ok(out), StatementExpect::Count(_)) => match out.last() {
                    Some(PgOutput::Command(n)) => StatementExpect::Count(*n),
                    Some(PgOutput::Rows(r)) => StatementExpect::Count(r.len() as u64),
                    None => StatementExpect::Ok,
                },
                (Ok(_), _) => StatementExpect::Ok,
            };
            Record::Statement {
                loc,
                conditions,
                connection,
                sql,
                expected,
                retry,
            }
        }
        Record::Query {
            loc,
            conditions,
            connection,
            sql,
            expected,
            retry,
        } if !skipped(&conditions) => {
            let expected = query_expect(pg, &sql, expected);
            Record::Query {
                loc,
                conditions,
                connection,
                sql,
                expected,
                retry,
            }
        }
        r => r,
    }
}

fn query_expect(pg: &Pg, sql: &str, old: QueryExpect<DefaultColumnType>) -> QueryExpect<DefaultColumnType> {
    let out = match pg.run(sql) {
        Err(e) => return QueryExpect::Error(ExpectedError::SqlState(e.code)),
        Ok(out) => out,
    };
    let rows = match out.into_iter().last() {
        Some(PgOutput::Rows(r)) => r,
        _ => Vec::new(),
    };
    let table: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(text).collect()).collect();
    let (mut types, sort_mode, result_mode, label) = match old {
        QueryExpect::Results {
            types,
            sort_mode,
            result_mode,
            label,
            ..
        } => (types, sort_mode, result_mode, label),
        QueryExpect::Error(_) => (Vec::new(), None, None, None),
    };
    if !rows.is_empty() && types.len() != rows[0].len() {
        types = column_types(&rows);
    }
    let results = result_lines(&sort_mode, table);
    QueryExpect::Results {
        types,
        sort_mode,
        result_mode,
        label,
        results,
    }
}

fn update_file(server: &PgServer, path: &Path) -> Result<(), String> {
    let pg = server.fresh_database(&db_name(path))?;
    let records = sqllogictest::parse_file::<DefaultColumnType>(path).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for r in records {
        let r = updated(&pg, r);
        out.push_str(&r.to_string());
        out.push('\n');
    }
    let out = out.trim_end().to_string() + "\n";
    std::fs::write(path, out).map_err(|e| e.to_string())
}

fn slt_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/sql")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    files.sort();
    let only = std::env::var("SLT").ok();
    files.retain(|f| only.as_deref().is_none_or(|o| f.to_string_lossy().contains(o)));
    files.retain(|f| !plantdb_only(f));
    files
}

/// Files about plantdb's own functions (gap filling, state periods), which PostgreSQL lacks,
/// say so on a line `# postgres: skip (reason)`; their expected rows are worked out by hand.
fn plantdb_only(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.lines().any(|l| l.starts_with("# postgres: skip")))
}

#[test]
fn sql_logic_tests_on_postgres() {
    let server = match PgServer::start("slt") {
        Ok(Some(s)) => s,
        Ok(None) => return eprintln!("PLANTDB_SKIP_PG=1: skipping the PostgreSQL run"),
        Err(e) => panic!("{e}"),
    };
    let update = std::env::var("SLT_UPDATE").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for f in slt_files() {
        let r = if update {
            update_file(&server, &f)
        } else {
            run_file(&server, &f)
        };
        if let Err(e) = r {
            failures.push(format!("{}:\n{e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing files on PostgreSQL:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
