//! Block-statistics aggregation: min / max / sum / count of a column over a whole table answered
//! from the per-block statistics in the part index, against the same aggregate computed by
//! decoding every block. Table: the plant's telemetry at scale 0.1 (10 machines × 86 400 rows),
//! written through the storage API and checkpointed into parts. Throughput is in table rows.
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plantdb::plant::{PlantConfig, generate};
use plantdb_benches::storage_bench::{batch, schema_of};
use plantdb_storage::{
    ColumnVec, Durability, Engine, EngineOptions, Scalar, ScanSpec, StatSum, TableSnapshot,
};

fn loaded() -> (Engine, TableSnapshot, usize, u64, std::path::PathBuf) {
    let plant = generate(PlantConfig {
        scale: 0.1,
        hours: 24,
        days: 1,
        seed: 7,
    });
    let t = plant.table("telemetry").expect("telemetry generated");
    let dir = std::env::temp_dir().join(format!("plantdb-statsbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::open(
        &dir,
        EngineOptions {
            durability: Durability::None,
            background: false,
            ..EngineOptions::default()
        },
    )
    .expect("engine opens");
    engine.create_table(schema_of(t)).expect("table");
    let n = t.rows();
    for s in (0..n).step_by(100_000) {
        engine
            .append(t.name, &batch(t, s, (s + 100_000).min(n)))
            .expect("append");
    }
    engine.checkpoint().expect("checkpoint");
    let snap = engine.snapshot(t.name).expect("snapshot");
    let col = snap
        .schema
        .columns
        .iter()
        .position(|c| c.name == "temperature_c")
        .expect("temperature_c");
    (engine, snap, col, n as u64, dir)
}

fn stats_vs_decode(c: &mut Criterion) {
    let (engine, snap, col, rows, dir) = loaded();
    let pieces = snap.pieces(&ScanSpec::default()).expect("pieces");
    let mut g = c.benchmark_group("block-stats");
    g.throughput(Throughput::Elements(rows));
    g.bench_function(
        format!("min-max-sum-count from statistics ({} blocks)", pieces.len()),
        |b| {
            b.iter(|| {
                let (mut mn, mut mx, mut sum, mut cnt) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0u64);
                for p in &pieces {
                    let s = snap.stats(p, col).expect("statistics present");
                    if let (Scalar::Float64(lo), Scalar::Float64(hi)) = (&s.min, &s.max) {
                        mn = mn.min(*lo);
                        mx = mx.max(*hi);
                    }
                    if let Some(StatSum::Float(x)) = s.sum {
                        sum += x;
                    }
                    cnt += s.count - s.null_count;
                }
                black_box((mn, mx, sum, cnt))
            })
        },
    );
    g.bench_function("min-max-sum-count by decoding", |b| {
        b.iter(|| {
            let (mut mn, mut mx, mut sum, mut cnt) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0u64);
            for p in &pieces {
                let d = snap.read(p, &[col], i64::MIN, i64::MAX).expect("piece decodes");
                if let ColumnVec::Float64(v) = &d.columns[0].values {
                    for &x in v {
                        mn = mn.min(x);
                        mx = mx.max(x);
                        sum += x;
                    }
                    cnt += v.len() as u64;
                }
            }
            black_box((mn, mx, sum, cnt))
        })
    });
    g.finish();
    drop(snap);
    engine.close().expect("close");
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    targets = stats_vs_decode
}
criterion_main!(benches);
