//! Late and duplicate points: keep-all returns every write; keep-last returns the last write per
//! (series, ts), whether the copies sit in the memtable, in several parts, or were compacted.
mod common;
use common::*;
use plantdb_storage::{DedupPolicy, ScanSpec};

fn write_shuffled(e: &plantdb_storage::Engine) -> Vec<Row> {
    // Rows of one hour written newest-first in 6 batches, each checkpointed to its own part,
    // so that every part overlaps the others.
    let all = rows(2, 3600, T0);
    let mut written = Vec::new();
    for k in (0..6).rev() {
        let b: Vec<Row> = all
            .iter()
            .filter(|r| ((r.ts - T0) / SEC) % 6 == k)
            .cloned()
            .collect();
        e.append("t", &batch(&b)).expect("test setup");
        e.checkpoint().expect("test setup");
        written.extend(b);
    }
    written
}

#[test]
fn late_points_come_back_in_time_order() {
    let dir = tmpdir("ooo");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let mut written = write_shuffled(&e);
    sort(&mut written);
    assert_eq!(scan(&e, "t"), written);
    // An ordered scan yields non-overlapping, time-ordered pieces per series.
    let snap = e.snapshot("t").unwrap();
    let spec = ScanSpec {
        ordered: true,
        ..ScanSpec::default()
    };
    let pieces = snap.pieces(&spec).unwrap();
    assert_eq!(
        pieces.len(),
        2,
        "the 6 overlapping parts merge into one piece per series"
    );
    for p in &pieces {
        let d = snap.read(p, &[0], i64::MIN, i64::MAX).unwrap();
        assert!(d.ts.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(d.ts.len(), 3600);
    }
}

#[test]
fn keep_all_keeps_duplicates() {
    let dir = tmpdir("dup-all");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let a = vec![row(T0, "M1", 0.1), row(T0 + SEC, "M1", 0.2)];
    let b = vec![row(T0, "M1", 0.9)];
    e.append("t", &batch(&a)).unwrap();
    e.checkpoint().unwrap();
    e.append("t", &batch(&b)).unwrap();
    let mut want = vec![a[0].clone(), a[1].clone(), b[0].clone()];
    sort(&mut want);
    assert_eq!(scan(&e, "t"), want);
    e.vacuum().unwrap();
    assert_eq!(scan(&e, "t"), want);
}

#[test]
fn keep_last_keeps_the_last_write() {
    let dir = tmpdir("dup-last");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepLast)).unwrap();
    // same batch: the later row wins
    e.append(
        "t",
        &batch(&[row(T0, "M1", 0.1), row(T0, "M1", 0.3), row(T0 + SEC, "M1", 0.2)]),
    )
    .unwrap();
    assert_eq!(scan(&e, "t"), vec![row(T0, "M1", 0.3), row(T0 + SEC, "M1", 0.2)]);
    e.checkpoint().unwrap();
    // a later batch in the memtable overrides a part
    e.append("t", &batch(&[row(T0 + SEC, "M1", 0.7)])).unwrap();
    assert_eq!(scan(&e, "t"), vec![row(T0, "M1", 0.3), row(T0 + SEC, "M1", 0.7)]);
    e.checkpoint().unwrap();
    // and a later part overrides an earlier one
    assert_eq!(scan(&e, "t"), vec![row(T0, "M1", 0.3), row(T0 + SEC, "M1", 0.7)]);
    e.append("t", &batch(&[row(T0, "M1", 0.05)])).unwrap();
    e.checkpoint().unwrap();
    e.vacuum().unwrap();
    assert_eq!(e.stats().unwrap().parts, 1);
    assert_eq!(scan(&e, "t"), vec![row(T0, "M1", 0.05), row(T0 + SEC, "M1", 0.7)]);
    drop(e);
    let e = open(&dir);
    assert_eq!(scan(&e, "t"), vec![row(T0, "M1", 0.05), row(T0 + SEC, "M1", 0.7)]);
}

#[test]
fn keep_last_with_shuffled_overlapping_parts() {
    let dir = tmpdir("dup-shuffle");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepLast)).unwrap();
    let first = write_shuffled(&e);
    // rewrite every 7th second with new values
    let again: Vec<Row> = first
        .iter()
        .filter(|r| ((r.ts - T0) / SEC) % 7 == 0)
        .map(|r| row(r.ts, &r.machine, 2.0))
        .collect();
    e.append("t", &batch(&again)).unwrap();
    let mut want: Vec<Row> = first
        .into_iter()
        .map(|r| {
            if ((r.ts - T0) / SEC) % 7 == 0 {
                row(r.ts, &r.machine, 2.0)
            } else {
                r
            }
        })
        .collect();
    sort(&mut want);
    assert_eq!(scan(&e, "t"), want);
    e.vacuum().unwrap();
    assert_eq!(scan(&e, "t"), want);
}
