//! Query benchmark: load the plant through COPY (embedded API and over the wire), then time every
//! query (median of several runs after a warm-up).
//!
//! The CSV text of every table is rendered once before any clock starts (it is byte-identical to
//! what `plantbench csv` writes for the peers, minus the header), so a load time is COPY parsing,
//! encoding and writing plus the final CHECKPOINT, nothing of the generator.
use std::path::Path;
use std::time::Instant;

use plantdb::plant::Plant;
use plantdb::{Database, Options};

use crate::queries::queries;
use crate::wire_bench::WireSession;

/// Timing of one query.
#[derive(Debug, Clone)]
pub struct QueryTiming {
    /// Name.
    pub name: String,
    /// Median milliseconds (None when it failed).
    pub median_ms: Option<f64>,
    /// Fastest run in milliseconds.
    pub min_ms: Option<f64>,
    /// Rows returned.
    pub rows: usize,
    /// Error text.
    pub error: Option<String>,
}

/// One load of every table.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Seconds for CREATE TABLE + COPY of every table + CHECKPOINT.
    pub seconds: f64,
    /// Bytes of part files after the checkpoint.
    pub part_bytes: u64,
    /// Bytes of every file in the data directory after the checkpoint (parts, WAL, manifest).
    pub dir_bytes: u64,
    /// Bytes of the telemetry table alone (`pg_total_relation_size('telemetry')`).
    pub telemetry_bytes: Option<u64>,
}

/// `pg_total_relation_size('telemetry')` of `db`.
fn telemetry_bytes(db: &Database) -> Option<u64> {
    let r = db
        .connect()
        .query("SELECT pg_total_relation_size('telemetry')")
        .ok()?;
    let v = r.rows.first()?.first()?;
    match v {
        plantdb::Value::Int(n) => u64::try_from(*n).ok(),
        _ => None,
    }
}

/// Load results and query timings.
#[derive(Debug, Clone, Default)]
pub struct QueryReport {
    /// Telemetry rows.
    pub telemetry_rows: usize,
    /// Rows of every table.
    pub total_rows: usize,
    /// CSV bytes of every table.
    pub csv_bytes: usize,
    /// Load through the embedded API (`Connection::copy_from`).
    pub embedded: Option<LoadReport>,
    /// Load over the PostgreSQL wire protocol (in-process server, tokio-postgres COPY FROM STDIN).
    pub wire: Option<LoadReport>,
    /// Timings through the embedded API.
    pub queries: Vec<QueryTiming>,
    /// Timings over the wire (simple query protocol), when asked for.
    pub wire_queries: Vec<QueryTiming>,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct QueryBenchConfig<'a> {
    /// Timed runs per query after one warm-up.
    pub runs: usize,
    /// Only queries whose names start with one of these (comma-separated).
    pub only: Option<&'a str>,
    /// Also load over the wire (port for the in-process server).
    pub wire_port: Option<u16>,
    /// Durability of both databases (`Options::durability`).
    pub durability: plantdb_storage::Durability,
    /// Also time the queries over the wire (on the database loaded over the wire).
    pub wire_queries: bool,
}

/// Every table's CSV text (no header), rendered before timing.
pub fn render(plant: &Plant) -> Vec<(&'static str, String, Vec<u8>)> {
    plant
        .tables
        .iter()
        .map(|t| {
            let mut data = Vec::new();
            for chunk in t.csv_chunks(1 << 16) {
                data.extend_from_slice(&chunk);
            }
            (t.name, t.ddl(true), data)
        })
        .collect()
}

/// Bytes of every file under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

fn open(dir: &Path, cfg: &QueryBenchConfig<'_>) -> Result<Database, plantdb::Error> {
    let _ = std::fs::remove_dir_all(dir);
    Database::open_with(
        dir,
        Options {
            durability: cfg.durability,
            ..Options::default()
        },
    )
}

/// Loads the rendered tables through the embedded API into a fresh database in `dir`.
fn load_embedded(
    tables: &[(&'static str, String, Vec<u8>)],
    dir: &Path,
    cfg: &QueryBenchConfig<'_>,
) -> Result<(Database, LoadReport), plantdb::Error> {
    let db = open(dir, cfg)?;
    let mut conn = db.connect();
    let t0 = Instant::now();
    for (name, ddl, data) in tables {
        conn.execute(ddl)?;
        conn.copy_from(&format!("COPY {name} FROM STDIN (FORMAT csv)"), &data[..])?;
    }
    conn.execute("CHECKPOINT")?;
    let seconds = t0.elapsed().as_secs_f64();
    let part_bytes = db.storage().stats()?.part_bytes;
    let telemetry_bytes = telemetry_bytes(&db);
    Ok((
        db,
        LoadReport {
            seconds,
            part_bytes,
            dir_bytes: dir_bytes(dir),
            telemetry_bytes,
        },
    ))
}

/// Times every selected query with `run` (which returns the row count).
fn time_queries(
    cfg: &QueryBenchConfig<'_>,
    mut run: impl FnMut(&str) -> Result<usize, plantdb::Error>,
) -> Vec<QueryTiming> {
    let mut out = Vec::new();
    for q in queries() {
        if cfg
            .only
            .is_some_and(|o| !o.split(',').any(|x| q.name.starts_with(x)))
        {
            continue;
        }
        let mut times = Vec::new();
        let mut rows = 0;
        let mut error = None;
        for i in 0..=cfg.runs {
            let t = Instant::now();
            match run(&q.sql) {
                Ok(n) => rows = n,
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
        let ok = error.is_none() && !times.is_empty();
        out.push(QueryTiming {
            name: q.name,
            median_ms: ok.then(|| times[times.len() / 2]),
            min_ms: ok.then(|| times[0]),
            rows,
            error,
        });
    }
    out
}

/// Loads `plant` into fresh databases under `dir` (`embedded/`, `wire/`) and runs the query set
/// on the embedded one.
pub fn run(plant: &Plant, dir: &Path, cfg: &QueryBenchConfig<'_>) -> Result<QueryReport, plantdb::Error> {
    let tables = render(plant);
    let mut report = QueryReport {
        telemetry_rows: plant.table("telemetry").map_or(0, |t| t.rows()),
        total_rows: plant.tables.iter().map(|t| t.rows()).sum(),
        csv_bytes: tables.iter().map(|t| t.2.len()).sum(),
        ..QueryReport::default()
    };
    if let Some(port) = cfg.wire_port {
        let wdir = dir.join("wire");
        let db = open(&wdir, cfg)?;
        let wire = WireSession::start(&db, port)?;
        let seconds = wire.load(&tables)?;
        report.wire = Some(LoadReport {
            seconds,
            part_bytes: db.storage().stats()?.part_bytes,
            dir_bytes: dir_bytes(&wdir),
            telemetry_bytes: telemetry_bytes(&db),
        });
        if cfg.wire_queries {
            report.wire_queries = time_queries(cfg, |sql| wire.query(sql));
        }
        wire.stop()?;
        db.close()?;
        drop(db);
        let _ = std::fs::remove_dir_all(&wdir);
    }
    let (db, load) = load_embedded(&tables, &dir.join("embedded"), cfg)?;
    drop(tables);
    report.embedded = Some(load);
    let mut conn = db.connect();
    report.queries = time_queries(cfg, |sql| conn.query(sql).map(|r| r.rows.len()));
    drop(conn);
    db.close()?;
    Ok(report)
}

/// The report as one markdown table.
pub fn print(r: &QueryReport, runs: usize) {
    let trows = r.telemetry_rows.max(1) as f64;
    println!("| metric | value |");
    println!("|---|---|");
    println!(
        "| data | {} telemetry rows, {} rows in all tables, {:.1} MB of CSV |",
        r.telemetry_rows,
        r.total_rows,
        r.csv_bytes as f64 / 1e6
    );
    for (what, l) in [("embedded API", &r.embedded), ("wire (COPY FROM STDIN)", &r.wire)] {
        if let Some(l) = l {
            println!(
                "| load via {what}, all tables + CHECKPOINT | {:.2} s = {:.2} M rows/s ({:.0} MB/s of CSV) |",
                l.seconds,
                r.total_rows as f64 / l.seconds / 1e6,
                r.csv_bytes as f64 / l.seconds / 1e6
            );
            println!(
                "| bytes on disk after load via {what} | {:.1} MB = {:.2} B/telemetry row (parts {:.1} MB) |",
                l.dir_bytes as f64 / 1e6,
                l.dir_bytes as f64 / trows,
                l.part_bytes as f64 / 1e6
            );
            if let Some(tb) = l.telemetry_bytes {
                println!(
                    "| telemetry table alone after load via {what} | {:.1} MB = {:.2} B/row |",
                    tb as f64 / 1e6,
                    tb as f64 / trows
                );
            }
        }
    }
    let fmt = |q: &QueryTiming| match (&q.median_ms, &q.min_ms, &q.error) {
        (Some(ms), Some(min), _) => format!("median {ms:.2} ms (min {min:.2}, {runs} runs), {} rows", q.rows),
        (_, _, Some(e)) => format!("error: {e}"),
        _ => String::new(),
    };
    for q in &r.queries {
        println!("| {} | {} |", q.name, fmt(q));
    }
    for q in &r.wire_queries {
        println!("| {} over the wire | {} |", q.name, fmt(q));
    }
}
