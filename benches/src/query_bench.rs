//! Query benchmark: load the plant through COPY (embedded API), then time every query
//! (median of several runs after a warm-up).
use std::path::Path;
use std::time::Instant;

use plantdb::plant::Plant;
use plantdb::{Database, Options};

use crate::queries::QUERIES;

/// Timing of one query.
#[derive(Debug, Clone)]
pub struct QueryTiming {
    /// Name.
    pub name: &'static str,
    /// Median milliseconds (None when it failed).
    pub median_ms: Option<f64>,
    /// Rows returned.
    pub rows: usize,
    /// Error text.
    pub error: Option<String>,
}

/// Load results and query timings.
#[derive(Debug, Clone, Default)]
pub struct QueryReport {
    /// Seconds to COPY every table.
    pub load_s: f64,
    /// Telemetry rows.
    pub telemetry_rows: usize,
    /// Bytes of part files after load and checkpoint.
    pub bytes: u64,
    /// Timings.
    pub queries: Vec<QueryTiming>,
}

/// Loads `plant` into a fresh database in `dir` (ts options on) and runs the query set.
pub fn run(
    plant: &Plant,
    dir: &Path,
    runs: usize,
    only: Option<&str>,
) -> Result<QueryReport, plantdb::Error> {
    let _ = std::fs::remove_dir_all(dir);
    let db = Database::open_with(dir, Options::default())?;
    let mut conn = db.connect();
    let mut report = QueryReport::default();
    let t0 = Instant::now();
    for t in &plant.tables {
        conn.execute(&t.ddl(true))?;
        let mut data = Vec::new();
        for chunk in t.csv_chunks(1 << 16) {
            data.extend_from_slice(&chunk);
        }
        conn.copy_from(&format!("COPY {} FROM STDIN (FORMAT csv)", t.name), &data[..])?;
    }
    report.load_s = t0.elapsed().as_secs_f64();
    report.telemetry_rows = plant.table("telemetry").map_or(0, |t| t.rows());
    report.bytes = db.storage().stats()?.part_bytes;
    for q in QUERIES {
        if only.is_some_and(|o| !o.split(',').any(|x| q.name.starts_with(x))) {
            continue;
        }
        let mut times = Vec::new();
        let mut rows = 0;
        let mut error = None;
        for i in 0..=runs {
            let t = Instant::now();
            match conn.query(q.sql) {
                Ok(r) => rows = r.rows.len(),
                Err(e) => {
                    error = Some(format!("{}: {}", e.code, e.message));
                    break;
                }
            }
            if i > 0 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median_ms = if error.is_some() {
            None
        } else {
            times.get(times.len() / 2).copied()
        };
        report.queries.push(QueryTiming {
            name: q.name,
            median_ms,
            rows,
            error,
        });
    }
    db.close()?;
    Ok(report)
}
