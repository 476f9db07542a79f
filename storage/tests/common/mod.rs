//! Helpers shared by the storage tests: a small telemetry table, batch builders, and a scan that
//! returns every row as scalars (the "model" side of the comparisons).
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use plantdb_storage::{
    Column, ColumnDef, ColumnRole, ColumnVec, DedupPolicy, DictBuilder, Engine, EngineOptions, PhysicalType,
    Scalar, ScanSpec, TableOptions, TableSchema, WriteBatch,
};

pub const HOUR: i64 = 3_600_000_000;
pub const SEC: i64 = 1_000_000;
/// 2026-01-05 00:00:00 UTC in µs.
pub const T0: i64 = 1_767_571_200_000_000;

pub fn col(name: &str, ptype: PhysicalType, role: ColumnRole, nullable: bool) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        ptype,
        logical: format!("{ptype:?}"),
        role,
        nullable,
        default: None,
        fill: None,
    }
}

/// ts, machine (tag), value f64, count i64, state text, ok bool (nullable fields).
pub fn telemetry(name: &str, dedup: DedupPolicy) -> TableSchema {
    TableSchema {
        id: 0,
        name: name.into(),
        columns: vec![
            col("ts", PhysicalType::Int64, ColumnRole::Time, false),
            col("machine", PhysicalType::Bytes, ColumnRole::Tag, true),
            col("value", PhysicalType::Float64, ColumnRole::Field, true),
            col("count", PhysicalType::Int64, ColumnRole::Field, true),
            col("state", PhysicalType::Bytes, ColumnRole::Field, true),
            col("ok", PhysicalType::Bool, ColumnRole::Field, true),
        ],
        options: TableOptions {
            dedup,
            ..TableOptions::default()
        },
        properties: Default::default(),
    }
}

/// One row of the telemetry table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub ts: i64,
    pub machine: String,
    pub value: Option<f64>,
    pub count: Option<i64>,
    pub state: Option<String>,
    pub ok: Option<bool>,
}

pub fn row(ts: i64, machine: &str, v: f64) -> Row {
    Row {
        ts,
        machine: machine.into(),
        value: Some(v),
        count: Some((v * 10.0) as i64),
        state: Some(if v > 0.5 { "RUNNING".into() } else { "IDLE".into() }),
        ok: Some(v > 0.2),
    }
}

pub fn batch(rows: &[Row]) -> WriteBatch {
    let mut machine = DictBuilder::default();
    let mut state = DictBuilder::default();
    for r in rows {
        machine.push(r.machine.as_bytes());
        state.push(r.state.as_deref().unwrap_or("").as_bytes());
    }
    let validity = |f: &dyn Fn(&Row) -> bool| {
        let v: Vec<bool> = rows.iter().map(f).collect();
        if v.iter().all(|b| *b) { None } else { Some(v) }
    };
    WriteBatch::new(vec![
        Column::new(ColumnVec::Int64(rows.iter().map(|r| r.ts).collect())),
        Column::new(ColumnVec::Bytes(machine.finish())),
        Column {
            values: ColumnVec::Float64(rows.iter().map(|r| r.value.unwrap_or(0.0)).collect()),
            validity: validity(&|r| r.value.is_some()),
        },
        Column {
            values: ColumnVec::Int64(rows.iter().map(|r| r.count.unwrap_or(0)).collect()),
            validity: validity(&|r| r.count.is_some()),
        },
        Column {
            values: ColumnVec::Bytes(state.finish()),
            validity: validity(&|r| r.state.is_some()),
        },
        Column {
            values: ColumnVec::Bool(rows.iter().map(|r| r.ok.unwrap_or(false)).collect()),
            validity: validity(&|r| r.ok.is_some()),
        },
    ])
}

fn text(s: &Scalar) -> Option<String> {
    match s {
        Scalar::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// Every row of the table, sorted by (machine, ts, value bits).
pub fn scan(engine: &Engine, table: &str) -> Vec<Row> {
    scan_spec(engine, table, &ScanSpec::default())
}

pub fn scan_spec(engine: &Engine, table: &str, spec: &ScanSpec) -> Vec<Row> {
    let snap = engine.snapshot(table).expect("snapshot");
    let cols: Vec<usize> = (0..6).collect();
    let mut out = Vec::new();
    for p in snap.pieces(spec).expect("pieces") {
        let d = snap.read(&p, &cols, spec.min_ts, spec.max_ts).expect("read");
        for i in 0..d.ts.len() {
            let s: Vec<Scalar> = d.columns.iter().map(|c| c.scalar(i)).collect();
            out.push(Row {
                ts: d.ts[i],
                machine: text(&s[1]).unwrap_or_default(),
                value: match s[2] {
                    Scalar::Float64(v) => Some(v),
                    _ => None,
                },
                count: match s[3] {
                    Scalar::Int64(v) => Some(v),
                    _ => None,
                },
                state: text(&s[4]),
                ok: match s[5] {
                    Scalar::Bool(v) => Some(v),
                    _ => None,
                },
            });
        }
    }
    sort(&mut out);
    out
}

pub fn sort(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (a.machine.as_str(), a.ts, a.value.map(f64::to_bits)).cmp(&(
            b.machine.as_str(),
            b.ts,
            b.value.map(f64::to_bits),
        ))
    });
}

pub fn options() -> EngineOptions {
    EngineOptions {
        background: false,
        ..EngineOptions::default()
    }
}

pub fn open(dir: &Path) -> Engine {
    Engine::open(dir, options()).expect("open")
}

pub fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("plantdb-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Deterministic rows: `n` seconds for each of `machines` machines, starting at `start`.
pub fn rows(machines: usize, n: usize, start: i64) -> Vec<Row> {
    let mut out = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ start as u64;
    for i in 0..n {
        for m in 0..machines {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x % 1000) as f64 / 1000.0;
            out.push(row(start + i as i64 * SEC, &format!("M{m:03}"), v));
        }
    }
    out
}

pub fn arc<T>(v: T) -> Arc<T> {
    Arc::new(v)
}
