//! Encode and decode speed of every block codec, on one 8192-value block.
//!
//! Inputs: one machine's telemetry from the plant generator (regular timestamps, ALP floats at
//! sensor resolution, counters, the state text) plus synthetic blocks that steer the chooser to
//! the remaining codecs (delta + FOR, FOR, RLE, raw doubles, zstd text). The codec the chooser picked is part
//! of each benchmark's name, so a chooser change shows up in the report. Throughput is in values.
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use plantdb_benches::fixtures::{self, BLOCK};
use plantdb_storage::encoding;

fn block<T: Clone>(v: &[T], start: usize) -> Vec<T> {
    v[start.min(v.len())..(start + BLOCK).min(v.len())].to_vec()
}

fn bench_ints(c: &mut Criterion, group: &str, name: &str, values: &[i64], timestamps: bool) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(values.len() as u64));
    let mut enc = Vec::new();
    let codec = if timestamps {
        encoding::encode_timestamps(values, &mut enc)
    } else {
        encoding::encode_i64(values, &mut enc)
    };
    let id = format!(
        "{name}({}, {:.2} bits/value)",
        codec.name(),
        enc.len() as f64 * 8.0 / values.len() as f64
    );
    g.bench_function(BenchmarkId::new("encode", &id), |b| {
        let mut out = Vec::with_capacity(enc.len() * 2);
        b.iter(|| {
            out.clear();
            if timestamps {
                encoding::encode_timestamps(black_box(values), &mut out)
            } else {
                encoding::encode_i64(black_box(values), &mut out)
            }
        })
    });
    g.bench_function(BenchmarkId::new("decode", &id), |b| {
        let mut out = Vec::with_capacity(values.len());
        b.iter(|| {
            out.clear();
            let r = if timestamps {
                encoding::decode_timestamps(black_box(&enc), values.len(), &mut out)
            } else {
                encoding::decode_i64(black_box(&enc), values.len(), &mut out)
            };
            r.expect("block decodes")
        })
    });
    g.finish();
}

fn bench_f64(c: &mut Criterion, name: &str, values: &[f64]) {
    let mut g = c.benchmark_group("f64");
    g.throughput(Throughput::Elements(values.len() as u64));
    let mut enc = Vec::new();
    let codec = encoding::encode_f64(values, &mut enc);
    let id = format!(
        "{name}({}, {:.2} bits/value)",
        codec.name(),
        enc.len() as f64 * 8.0 / values.len() as f64
    );
    g.bench_function(BenchmarkId::new("encode", &id), |b| {
        let mut out = Vec::with_capacity(enc.len() * 2);
        b.iter(|| {
            out.clear();
            encoding::encode_f64(black_box(values), &mut out)
        })
    });
    g.bench_function(BenchmarkId::new("decode", &id), |b| {
        let mut out = Vec::with_capacity(values.len());
        b.iter(|| {
            out.clear();
            encoding::decode_f64(black_box(&enc), values.len(), &mut out).expect("block decodes")
        })
    });
    g.finish();
}

fn bench_bytes(c: &mut Criterion, name: &str, values: &[String]) {
    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Elements(values.len() as u64));
    let refs: Vec<&[u8]> = values.iter().map(|s| s.as_bytes()).collect();
    let mut enc = Vec::new();
    let codec = encoding::encode_bytes(&refs, &mut enc);
    let id = format!(
        "{name}({}, {:.2} bits/value)",
        codec.name(),
        enc.len() as f64 * 8.0 / values.len() as f64
    );
    g.bench_function(BenchmarkId::new("encode", &id), |b| {
        let mut out = Vec::with_capacity(enc.len() * 2);
        b.iter(|| {
            out.clear();
            encoding::encode_bytes(black_box(&refs), &mut out)
        })
    });
    g.bench_function(BenchmarkId::new("decode", &id), |b| {
        let (mut dict, mut codes) = (Vec::new(), Vec::with_capacity(values.len()));
        b.iter(|| {
            dict.clear();
            codes.clear();
            encoding::decode_bytes(black_box(&enc), values.len(), &mut dict, &mut codes)
                .expect("block decodes")
        })
    });
    g.finish();
}

fn codecs(c: &mut Criterion) {
    let day = fixtures::machine_day();
    // A block in the middle of the day (the machine is running, counters move).
    let at = 10 * 3600;
    bench_ints(c, "timestamps", "1Hz", &block(&day.ts, at), true);
    let mut jitter = fixtures::XorShift::new(3);
    let irregular: Vec<i64> = block(&day.ts, at)
        .iter()
        .map(|t| t + (jitter.next_u64() % 1000) as i64)
        .collect();
    bench_ints(c, "timestamps", "1Hz+jitter", &irregular, true);
    for (name, v) in &day.floats {
        bench_f64(c, name, &block(v, at));
    }
    bench_f64(c, "random", &fixtures::random_doubles(BLOCK, 5));
    for (name, v) in &day.ints {
        bench_ints(c, "i64", name, &block(v, at), false);
    }
    let meter = fixtures::increasing_counter(BLOCK, 19);
    bench_ints(c, "i64", "meter-Wh", &meter, false);
    bench_ints(
        c,
        "i64",
        "uniform<4096",
        &fixtures::random_small_ints(BLOCK, 4096, 11),
        false,
    );
    bench_ints(c, "i64", "runs~64", &fixtures::runs_of_ints(BLOCK, 64, 13), false);
    bench_bytes(c, "state", &block(&day.state, at));
    bench_bytes(c, "log-lines", &fixtures::log_lines(BLOCK, 17));
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600));
    targets = codecs
}
criterion_main!(benches);
