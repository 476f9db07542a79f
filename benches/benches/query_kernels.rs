//! Query kernels and the operators built on them.
//!
//! Kernel level (the engine's own functions, called the way the executor calls them), over
//! 1 M-row vectors:
//! - `filter-kernel`: the `>` comparison on doubles against a constant, and the truth mask plus
//!   selection (`Vector::filter`) that follows it;
//! - `hash-aggregate-kernel`: group-id assignment in a [`KeyTable`] (the hash table of GROUP BY
//!   and DISTINCT) on a 1 000-group integer key, then `avg(float8)` accumulator updates;
//! - `hash-join-kernel`: building a [`KeyTable`] on a 100 000-row side and probing it with 1 M keys
//!   (the key encoding and hashing a hash join does per row);
//! - `window-kernel`: the sliding `avg` frame of 300 rows maintained with accumulator
//!   update + retract, one row in and one out per output row.
//!
//! Operator level (SQL through the embedded API on an in-memory-sized table: the plant's
//! telemetry at scale 0.1, 864 000 rows): filter, hash aggregate, hash joins with a small and a
//! large build side, and sliding window aggregates. Throughput is in input rows.
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plantdb::plant::{PlantConfig, generate};
use plantdb::query::context::EvalContext;
use plantdb::query::exec::KeyTable;
use plantdb::query::functions::AggregateSpec;
use plantdb::query::vector::Vector;
use plantdb::{DataType, Database, Options, Value};
use plantdb_benches::fixtures;
use plantdb_benches::query_bench::render;

const N: usize = 1 << 20;

fn kernels(c: &mut Criterion) {
    let reg = plantdb::registry();
    let ctx = EvalContext::default();
    let mut rng = fixtures::XorShift::new(42);
    let xs: Vec<f64> = (0..N).map(|_| (rng.uniform() * 1000.0).round() / 100.0).collect();
    let floats = Vector::floats(xs.clone());
    let limit = Vector::constant(Value::Float(6.5), DataType::Float8, N);
    let gt = reg
        .resolve_scalar(">", &[DataType::Float8, DataType::Float8])
        .expect("float8 > float8");

    let mut g = c.benchmark_group("filter-kernel");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("float8 > const", |b| {
        b.iter(|| (gt.func.kernel)(&ctx, &[floats.clone(), limit.clone()], &gt.ret, N).expect("compare"))
    });
    let mask = (gt.func.kernel)(&ctx, &[floats.clone(), limit.clone()], &gt.ret, N).expect("compare");
    g.bench_function("truth mask + select (35% kept)", |b| {
        b.iter(|| {
            let keep = mask.truth_mask();
            floats.filter(&keep)
        })
    });
    g.finish();

    let keys = Vector::ints(DataType::Int8, fixtures::random_small_ints(N, 1000, 7));
    let avg = reg
        .resolve_aggregate("avg", &[DataType::Float8])
        .expect("avg(float8)");
    let spec = AggregateSpec {
        arg_types: avg.arg_types.clone(),
        direct_args: Vec::new(),
        return_type: avg.ret.clone(),
    };
    let mut g = c.benchmark_group("hash-aggregate-kernel");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("KeyTable::assign, int8 key, 1000 groups", |b| {
        b.iter(|| {
            let mut t = KeyTable::default();
            let mut new_rows = Vec::new();
            t.assign(std::slice::from_ref(&keys), N, &mut new_rows)
        })
    });
    let mut t = KeyTable::default();
    let ids = t.assign(std::slice::from_ref(&keys), N, &mut Vec::new());
    g.bench_function("avg(float8) update, 1000 groups", |b| {
        b.iter(|| {
            let mut acc = (avg.func.create)(&spec).expect("accumulator");
            acc.resize(t.len());
            acc.update(&ids, std::slice::from_ref(&floats)).expect("update");
            acc.value(0).expect("value")
        })
    });
    g.finish();

    let build_n = 100_000usize;
    let build = Vector::ints(DataType::Int8, (0..build_n as i64).collect());
    let probe = Vector::ints(
        DataType::Int8,
        fixtures::random_small_ints(N, 2 * build_n as u64, 9),
    );
    let mut g = c.benchmark_group("hash-join-kernel");
    g.throughput(Throughput::Elements((N + build_n) as u64));
    g.bench_function("build 100k + probe 1M int8 keys (50% match)", |b| {
        b.iter(|| {
            let mut t = KeyTable::default();
            t.assign(std::slice::from_ref(&build), build_n, &mut Vec::new());
            let hits = t.lookup(std::slice::from_ref(&probe), N);
            black_box(hits.iter().filter(|h| h.is_some()).count())
        })
    });
    g.finish();

    let rows = 100_000usize;
    let w = 300usize;
    let series = Vector::floats(xs[..rows].to_vec());
    let mut g = c.benchmark_group("window-kernel");
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("sliding avg, 300-row frame, update + retract per row", |b| {
        b.iter(|| {
            let mut acc = (avg.func.create)(&spec).expect("accumulator");
            acc.resize(1);
            let mut out = 0.0;
            for i in 0..rows {
                acc.update(&[0], &[series.slice(i, 1)]).expect("update");
                if i >= w {
                    acc.retract(&[0], &[series.slice(i - w, 1)]).expect("retract");
                }
                if let Value::Float(v) = acc.value(0).expect("value") {
                    out += v;
                }
            }
            black_box(out)
        })
    });
    g.finish();
}

const SQL: &[(&str, &str)] = &[
    (
        "filter: vibration > 6.5 AND state = 'RUNNING', count",
        "SELECT count(*) FROM telemetry WHERE vibration_mm_s > 6.5 AND state = 'RUNNING'",
    ),
    (
        "filter: temperature BETWEEN, sum(power)",
        "SELECT sum(power_kw) FROM telemetry WHERE temperature_c BETWEEN 40 AND 60",
    ),
    (
        "hash aggregate: computed key, 1000 groups",
        "SELECT part_count % 1000 AS k, avg(power_kw), max(temperature_c) FROM telemetry GROUP BY 1",
    ),
    (
        "hash aggregate: machine_id, state",
        "SELECT machine_id, state, avg(power_kw), count(*) FROM telemetry GROUP BY 1, 2",
    ),
    (
        "hash join: small build (machines, 10 rows)",
        "SELECT m.model, count(*) FROM telemetry t JOIN machines m ON m.machine_id = t.machine_id GROUP BY 1",
    ),
    (
        "hash join: large build (dim, 100k rows)",
        "SELECT count(*), sum(d.v) FROM telemetry t JOIN dim d ON d.k = t.part_count * 10 + t.scrap_count",
    ),
    (
        "window: sliding avg, 300 rows",
        "SELECT count(*) FROM (SELECT avg(vibration_mm_s) OVER (PARTITION BY machine_id ORDER BY ts
           ROWS BETWEEN 300 PRECEDING AND CURRENT ROW) AS a FROM telemetry) x WHERE a > 3",
    ),
    (
        "window: sliding stddev_samp, 300 rows",
        "SELECT count(*) FROM (SELECT stddev_samp(vibration_mm_s) OVER (PARTITION BY machine_id ORDER BY ts
           ROWS BETWEEN 300 PRECEDING AND 1 PRECEDING) AS s FROM telemetry) x WHERE s > 1",
    ),
];

fn operators(c: &mut Criterion) {
    let plant = generate(PlantConfig {
        scale: 0.1,
        hours: 24,
        days: 1,
        seed: 7,
    });
    let rows = plant.table("telemetry").map_or(0, |t| t.rows());
    let dir = std::env::temp_dir().join(format!("plantdb-opbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Database::open_with(
        &dir,
        Options {
            durability: plantdb::storage::Durability::None,
            ..Options::default()
        },
    )
    .expect("database opens");
    let mut conn = db.connect();
    for (name, ddl, data) in render(&plant) {
        if name == "telemetry" || name == "machines" {
            conn.execute(&ddl).expect("create");
            conn.copy_from(&format!("COPY {name} FROM STDIN (FORMAT csv)"), &data[..])
                .expect("copy");
        }
    }
    conn.execute(
        "CREATE TABLE dim (k bigint, v float8);
         INSERT INTO dim SELECT g, g * 0.5 FROM generate_series(0, 99999) g;
         CHECKPOINT",
    )
    .expect("dim table");
    let mut g = c.benchmark_group("sql-operators");
    g.throughput(Throughput::Elements(rows as u64));
    for (name, sql) in SQL {
        g.bench_function(*name, |b| b.iter(|| conn.query(sql).expect("query runs")));
    }
    g.finish();
    drop(conn);
    db.close().expect("close");
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = kernels, operators
}
criterion_main!(benches);
