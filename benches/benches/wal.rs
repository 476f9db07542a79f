//! WAL append and group commit, at durability `none` (write to the OS only) and `sync`
//! (fdatasync before the acknowledgement).
//!
//! - `append/1-writer`: one producer appending 64 KiB records back to back (latency per record).
//! - `group-commit/N-writers`: N producers appending 4 KiB records concurrently; the writer
//!   thread frames everything waiting into one write + one fdatasync, so records/s at `sync`
//!   should grow with N while fsyncs/s stay at the disk's rate (compare with `fsync-loop`).
//! - `fsync-loop`: a 4 KiB write + fdatasync on a plain file, the disk's bound for one writer.
//!
//! The segment files go to `$PLANTDB_BENCH_DIR` (default: the system temp directory).
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use plantdb_storage::io::RealFs;
use plantdb_storage::wal::{Durability, RecordKind, SEGMENT_BYTES, WalWriter};

fn bench_dir(tag: &str) -> PathBuf {
    let base = std::env::var_os("PLANTDB_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let d = base.join(format!("plantdb-walbench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("bench directory");
    d
}

fn writer(dir: &std::path::Path, durability: Durability) -> WalWriter {
    WalWriter::start(Arc::new(RealFs), dir.to_path_buf(), 1, durability, SEGMENT_BYTES).expect("WAL starts")
}

fn name(d: Durability) -> &'static str {
    match d {
        Durability::Sync => "sync",
        Durability::None => "none",
        Durability::Interval(_) => "interval",
    }
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("wal-append/1-writer");
    let payload = vec![7u8; 64 << 10];
    g.throughput(Throughput::Bytes(payload.len() as u64));
    for d in [Durability::None, Durability::Sync] {
        let dir = bench_dir(name(d));
        let w = writer(&dir, d);
        g.bench_function(BenchmarkId::from_parameter(format!("{}, 64KiB", name(d))), |b| {
            b.iter(|| {
                w.append(RecordKind::Write, payload.clone(), Box::new(|_| {}))
                    .expect("append")
            })
        });
        w.stop();
        let _ = std::fs::remove_dir_all(&dir);
    }
    g.finish();
}

fn group_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("wal-group-commit");
    let per_writer = 32usize;
    for d in [Durability::None, Durability::Sync] {
        for writers in [1usize, 4, 16] {
            g.throughput(Throughput::Elements((writers * per_writer) as u64));
            let dir = bench_dir(&format!("gc-{}-{writers}", name(d)));
            let w = writer(&dir, d);
            g.bench_function(
                BenchmarkId::from_parameter(format!("{}, {writers} writers x {per_writer} x 4KiB", name(d))),
                |b| {
                    b.iter_custom(|iters| {
                        let t0 = Instant::now();
                        for _ in 0..iters {
                            std::thread::scope(|s| {
                                for _ in 0..writers {
                                    s.spawn(|| {
                                        for _ in 0..per_writer {
                                            w.append(RecordKind::Write, vec![1u8; 4096], Box::new(|_| {}))
                                                .expect("append");
                                        }
                                    });
                                }
                            });
                        }
                        t0.elapsed()
                    })
                },
            );
            w.stop();
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    g.finish();
}

fn fsync_loop(c: &mut Criterion) {
    let mut g = c.benchmark_group("fsync-loop");
    g.throughput(Throughput::Elements(1));
    let dir = bench_dir("fsync");
    let mut f = std::fs::File::create(dir.join("f")).expect("file");
    let block = vec![3u8; 4096];
    g.bench_function("4KiB write + fdatasync", |b| {
        b.iter(|| {
            f.write_all(&block).expect("write");
            f.sync_data().expect("fdatasync");
        })
    });
    g.finish();
    drop(f);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    targets = append, group_commit, fsync_loop
}
criterion_main!(benches);
