//! Storage benchmark: ingest through the embedded API, bytes on disk, full-scan decode speed.
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use plantdb::plant::{Col, Table};
use plantdb_storage::{
    Column, ColumnDef, ColumnRole, ColumnVec, DictVec, Durability, Engine, EngineOptions, PhysicalType,
    ScanSpec, TableOptions, TableSchema, WriteBatch,
};

/// Results.
#[derive(Debug, Clone, Default)]
pub struct StorageReport {
    /// Rows ingested.
    pub rows: u64,
    /// Rows per batch.
    pub batch_rows: usize,
    /// Writer threads.
    pub writers: usize,
    /// Ingest time in seconds (including the final checkpoint).
    pub ingest_s: f64,
    /// Part bytes after checkpoint.
    pub bytes_checkpoint: u64,
    /// Part bytes after compaction.
    pub bytes_compacted: u64,
    /// Values decoded per second on one core.
    pub decode_values_per_s: f64,
    /// Values decoded.
    pub decoded_values: u64,
}

/// Storage schema of a generated table (time column, tag, nullable fields).
pub fn schema_of(t: &Table) -> TableSchema {
    let columns = t
        .columns
        .iter()
        .map(|(name, ty, _)| {
            let (ptype, logical) = match *ty {
                "timestamp" => (PhysicalType::Int64, "timestamp without time zone"),
                "text" => (PhysicalType::Bytes, "text"),
                "float8" => (PhysicalType::Float64, "double precision"),
                _ => (PhysicalType::Int64, "bigint"),
            };
            let role = if *name == "ts" {
                ColumnRole::Time
            } else if Some(*name) == t.tag {
                ColumnRole::Tag
            } else {
                ColumnRole::Field
            };
            ColumnDef {
                name: name.to_string(),
                ptype,
                logical: logical.into(),
                role,
                nullable: role == ColumnRole::Field,
                default: None,
                fill: None,
            }
        })
        .collect();
    TableSchema {
        id: 0,
        name: t.name.to_string(),
        columns,
        options: TableOptions::default(),
        properties: Default::default(),
    }
}

/// Rows `start..end` of a generated table as a storage batch.
pub fn batch(t: &Table, start: usize, end: usize) -> WriteBatch {
    let cols = t
        .columns
        .iter()
        .map(|(_, _, c)| {
            Column::new(match c {
                Col::Ts(v) | Col::I64(v) => ColumnVec::Int64(v[start..end].to_vec()),
                Col::F64(v, _) => ColumnVec::Float64(v[start..end].to_vec()),
                Col::Dict(codes, dict) => ColumnVec::Bytes(DictVec {
                    dict: Arc::new(dict.iter().map(|s| Box::from(s.as_bytes())).collect()),
                    codes: codes[start..end].to_vec(),
                }),
            })
        })
        .collect();
    WriteBatch::new(cols)
}

/// Runs the benchmark on `t` in `dir`.
pub fn run(
    t: &Table,
    dir: &Path,
    batch_rows: usize,
    writers: usize,
) -> Result<StorageReport, plantdb_storage::Error> {
    let _ = std::fs::remove_dir_all(dir);
    let engine = Engine::open(
        dir,
        EngineOptions {
            durability: Durability::Sync,
            background: false,
            ..EngineOptions::default()
        },
    )?;
    engine.create_table(schema_of(t))?;
    let n = t.rows();
    // Pre-build batches so that only the engine is timed.
    let batches: Vec<WriteBatch> = (0..n)
        .step_by(batch_rows)
        .map(|s| batch(t, s, (s + batch_rows).min(n)))
        .collect();
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<(), plantdb_storage::Error> {
        let chunks: Vec<&[WriteBatch]> = batches.chunks(batches.len().div_ceil(writers.max(1))).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| {
                let e = engine.clone();
                let name = t.name;
                scope.spawn(move || -> Result<(), plantdb_storage::Error> {
                    for b in c {
                        e.append(name, b)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| plantdb_storage::Error::Closed)??;
        }
        Ok(())
    })?;
    engine.checkpoint()?;
    let ingest_s = started.elapsed().as_secs_f64();
    let bytes_checkpoint = engine.stats()?.part_bytes;
    engine.vacuum()?;
    let bytes_compacted = engine.stats()?.part_bytes;
    // Full-scan decode, one core: every column of every piece.
    let snap = engine.snapshot(t.name)?;
    let cols: Vec<usize> = (0..t.columns.len())
        .filter(|&c| snap.schema.columns[c].role != ColumnRole::Tag)
        .collect();
    let pieces = snap.pieces(&ScanSpec::default())?;
    let mut best = f64::MAX;
    let mut values = 0u64;
    for _ in 0..3 {
        let t0 = Instant::now();
        values = 0;
        for p in &pieces {
            let d = snap.read(p, &cols, i64::MIN, i64::MAX)?;
            values += (d.ts.len() * cols.len()) as u64;
            std::hint::black_box(&d);
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    engine.close()?;
    Ok(StorageReport {
        rows: n as u64,
        batch_rows,
        writers,
        ingest_s,
        bytes_checkpoint,
        bytes_compacted,
        decode_values_per_s: values as f64 / best,
        decoded_values: values,
    })
}
