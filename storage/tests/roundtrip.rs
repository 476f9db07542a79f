//! Rows written come back unchanged from the memtable, after a checkpoint, after compaction and
//! after reopening; scans prune by time and series.
mod common;
use common::*;
use plantdb_storage::{DedupPolicy, ScanSpec};

#[test]
fn rows_survive_every_stage() {
    let dir = tmpdir("roundtrip");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let mut model = rows(5, 4000, T0);
    // a NULL in every nullable field
    model.push(Row {
        ts: T0 + 5 * HOUR,
        machine: "M000".into(),
        value: None,
        count: None,
        state: None,
        ok: None,
    });
    for b in model.chunks(3000) {
        e.append("t", &batch(b)).unwrap();
    }
    sort(&mut model);
    assert_eq!(scan(&e, "t"), model, "memtable");
    e.checkpoint().unwrap();
    assert_eq!(scan(&e, "t"), model, "parts");
    let more = rows(5, 10, T0 + 2 * HOUR);
    e.append("t", &batch(&more)).unwrap();
    e.checkpoint().unwrap();
    model.extend(more);
    sort(&mut model);
    assert!(e.stats().unwrap().parts >= 2);
    e.vacuum().unwrap();
    assert_eq!(e.stats().unwrap().parts, 1, "one partition after compaction");
    assert_eq!(scan(&e, "t"), model, "compacted");
    e.close().unwrap();
    drop(e);
    let e = open(&dir);
    assert_eq!(scan(&e, "t"), model, "reopened");
}

#[test]
fn unflushed_rows_are_replayed_from_the_wal() {
    let dir = tmpdir("replay");
    let mut model = rows(3, 500, T0);
    {
        let e = open(&dir);
        e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
        for b in model.chunks(100) {
            e.append("t", &batch(b)).unwrap();
        }
        // dropped without close: nothing flushed
    }
    sort(&mut model);
    let e = open(&dir);
    assert_eq!(scan(&e, "t"), model);
    assert_eq!(e.stats().unwrap().parts, 0);
}

#[test]
fn scans_prune_by_time_and_series() {
    let dir = tmpdir("prune");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let model = rows(4, 7200, T0);
    e.append("t", &batch(&model)).unwrap();
    e.checkpoint().unwrap();
    let snap = e.snapshot("t").unwrap();
    let m2 = snap.series.tag(0).unwrap().postings(b"M002");
    let spec = ScanSpec {
        min_ts: T0 + 600 * SEC,
        max_ts: T0 + 1199 * SEC,
        series: Some(m2),
        ordered: false,
    };
    let pieces = snap.pieces(&spec).unwrap();
    assert_eq!(pieces.len(), 1, "one hour-aligned row group of one series");
    let got = scan_spec(&e, "t", &spec);
    let mut want: Vec<Row> = model
        .into_iter()
        .filter(|r| r.machine == "M002" && r.ts >= spec.min_ts && r.ts <= spec.max_ts)
        .collect();
    sort(&mut want);
    assert_eq!(got.len(), 600);
    assert_eq!(got, want);
}

#[test]
fn block_statistics_match_the_rows() {
    let dir = tmpdir("stats");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let model = rows(1, 3600, T0);
    e.append("t", &batch(&model)).unwrap();
    e.checkpoint().unwrap();
    let snap = e.snapshot("t").unwrap();
    let p = &snap.pieces(&ScanSpec::default()).unwrap()[0];
    let s = snap.stats(p, 2).unwrap();
    let vals: Vec<f64> = model.iter().map(|r| r.value.unwrap()).collect();
    let sum: f64 = vals.iter().sum();
    let mean = sum / vals.len() as f64;
    let m2: f64 = vals.iter().map(|v| (v - mean) * (v - mean)).sum();
    assert_eq!(s.count, 3600);
    assert_eq!(s.null_count, 0);
    assert_eq!(
        s.min,
        plantdb_storage::Scalar::Float64(vals.iter().cloned().fold(f64::INFINITY, f64::min))
    );
    assert_eq!(
        s.max,
        plantdb_storage::Scalar::Float64(vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
    );
    match s.sum {
        Some(plantdb_storage::StatSum::Float(x)) => assert!((x - sum).abs() < 1e-9 * sum.abs()),
        other => panic!("{other:?}"),
    }
    assert!((s.m2.unwrap() - m2).abs() < 1e-9 * m2);
    assert_eq!(s.first, plantdb_storage::Scalar::Float64(vals[0]));
    assert_eq!(s.last, plantdb_storage::Scalar::Float64(vals[3599]));
    assert_eq!((s.min_ts, s.max_ts), (T0, T0 + 3599 * SEC));
}

#[test]
fn last_rows_follow_writes_and_deletes() {
    let dir = tmpdir("last");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    e.append("t", &batch(&rows(3, 100, T0))).unwrap();
    e.checkpoint().unwrap();
    e.append("t", &batch(&[row(T0 + 500 * SEC, "M001", 0.25)]))
        .unwrap();
    let snap = e.snapshot("t").unwrap();
    let last = snap.last_rows().unwrap();
    let m1 = snap.series.find(&[Some(b"M001")]).unwrap();
    let m0 = snap.series.find(&[Some(b"M000")]).unwrap();
    assert_eq!(last[&m1].ts, T0 + 500 * SEC);
    assert_eq!(last[&m1].values[2], plantdb_storage::Scalar::Float64(0.25));
    assert_eq!(last[&m0].ts, T0 + 99 * SEC);
    e.delete("t", T0 + 90 * SEC, i64::MAX, None, None).unwrap();
    let last = e.snapshot("t").unwrap().last_rows().unwrap();
    assert_eq!(last[&m1].ts, T0 + 89 * SEC);
    drop(e);
    let e = open(&dir);
    let last = e.snapshot("t").unwrap().last_rows().unwrap();
    assert_eq!(last[&m0].ts, T0 + 89 * SEC);
}
