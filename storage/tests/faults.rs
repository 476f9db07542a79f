//! Injected I/O faults: a failed write or fsync poisons the engine; after reopening, every
//! acknowledged batch is there in full and an unacknowledged one is there in full or not at all.
mod common;
use std::sync::Arc;

use common::*;
use plantdb_storage::io::{FaultFs, FaultKind};
use plantdb_storage::{DedupPolicy, Engine, EngineOptions, Error};

fn faulty(dir: &std::path::Path) -> (Engine, FaultFs) {
    let fs = FaultFs::default();
    let e = Engine::open(
        dir,
        EngineOptions {
            fs: Arc::new(fs.clone()),
            ..options()
        },
    )
    .expect("test setup");
    (e, fs)
}

fn check_after_fault(name: &str, kind: FaultKind, flush: bool) {
    let dir = tmpdir(name);
    let (e, fs) = faulty(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll))
        .expect("test setup");
    let acked = rows(2, 300, T0);
    e.append("t", &batch(&acked)).expect("test setup");
    let failed = rows(2, 10, T0 + HOUR);
    fs.fail_after(kind, 1);
    let r = if flush {
        e.checkpoint()
    } else {
        e.append("t", &batch(&failed)).map(|_| ())
    };
    assert!(matches!(r, Err(Error::Poisoned(_))), "{r:?}");
    fs.heal();
    // poisoned until reopened
    assert!(matches!(e.append("t", &batch(&failed)), Err(Error::Poisoned(_))));
    assert!(matches!(
        e.create_table(telemetry("u", DedupPolicy::KeepAll)),
        Err(Error::Poisoned(_))
    ));
    drop(e);
    let e = open(&dir);
    let got = scan(&e, "t");
    let mut want = acked.clone();
    sort(&mut want);
    let mut with_failed = [acked, failed].concat();
    sort(&mut with_failed);
    assert!(got == want || got == with_failed, "{name}: {} rows", got.len());
    // and the engine works again
    e.append("t", &batch(&[row(T0 + 2 * HOUR, "M7", 0.5)]))
        .expect("test setup");
}

#[test]
fn failed_wal_write_poisons() {
    check_after_fault("fault-wal-write", FaultKind::Write, false);
}

#[test]
fn failed_wal_fsync_poisons() {
    check_after_fault("fault-wal-sync", FaultKind::Sync, false);
}

#[test]
fn failed_part_write_poisons() {
    check_after_fault("fault-part-write", FaultKind::Write, true);
}

#[test]
fn failed_part_fsync_poisons() {
    check_after_fault("fault-part-sync", FaultKind::Sync, true);
}

#[test]
fn later_fsync_failures_during_flush_poison() {
    for n in 2..6 {
        let dir = tmpdir(&format!("fault-flush-{n}"));
        let (e, fs) = faulty(&dir);
        e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
        let acked = rows(3, 500, T0);
        e.append("t", &batch(&acked)).unwrap();
        fs.fail_after(FaultKind::Sync, n);
        let r = e.checkpoint();
        fs.heal();
        drop(e);
        let e = open(&dir);
        let mut want = acked.clone();
        sort(&mut want);
        assert_eq!(scan(&e, "t"), want, "fsync #{n} failed: {r:?}");
    }
}
