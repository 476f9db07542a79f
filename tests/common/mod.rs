//! Helpers shared by the extension-function integration tests.
#![allow(dead_code, reason = "each test crate uses a subset of the helpers")]
#![expect(clippy::panic, reason = "test helpers report failures by panicking")]
use std::path::PathBuf;

use plantdb::{Connection, Database, Value};

/// A fresh database in a unique temporary directory (removed on drop).
pub struct TempDb {
    pub db: Database,
    pub conn: Connection,
    dir: PathBuf,
}

impl TempDb {
    pub fn new(name: &str) -> TempDb {
        let dir = std::env::temp_dir().join(format!(
            "plantdb-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let db = Database::open(&dir).expect("open database");
        let conn = db.connect();
        TempDb { db, conn, dir }
    }

    /// Runs statements, panicking with the SQL on error.
    pub fn exec(&mut self, sql: &str) {
        if let Err(e) = self.conn.execute(sql) {
            panic!("{sql}\n→ {}: {}", e.code, e.message);
        }
    }

    /// Rows of a query.
    pub fn rows(&mut self, sql: &str) -> Vec<Vec<Value>> {
        match self.conn.query(sql) {
            Ok(r) => r.rows,
            Err(e) => panic!("{sql}\n→ {}: {}", e.code, e.message),
        }
    }

    /// The single value of a query, as f64 (NaN for NULL).
    pub fn f64(&mut self, sql: &str) -> f64 {
        let rows = self.rows(sql);
        rows.first()
            .and_then(|r| r.first())
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    }

    /// The SQLSTATE of a failing statement.
    pub fn error(&mut self, sql: &str) -> String {
        match self.conn.query(sql) {
            Ok(r) => panic!("{sql}\n→ expected an error, got {:?}", r.rows),
            Err(e) => e.code.to_string(),
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = self.db.close();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// |a − b| ≤ tol·max(1, |b|) (relative for large values, absolute near zero).
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// Asserts closeness with a message.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        close(got, want, tol),
        "{what}: got {got}, want {want} (tol {tol})"
    );
}

/// Asserts a relative error.
#[track_caller]
pub fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: got {got}, want {want} (relative {rel})"
    );
}

/// Path of a file under tests/data.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}
