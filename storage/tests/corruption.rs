//! Damaged bytes on disk: flipped bits and truncated files give an error naming the file and
//! offset (or, for a torn WAL tail, a clean recovery), never a wrong row; other tables stay
//! readable.
mod common;
use std::fs;

use common::*;
use plantdb_storage::{DedupPolicy, Engine, EngineOptions, Error, ScanSpec};

fn part_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir.join("parts"))
        .expect("test setup")
        .map(|e| e.expect("test setup").path())
        .collect();
    v.sort();
    v
}

fn wal_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir.join("wal"))
        .expect("test setup")
        .map(|e| e.expect("test setup").path())
        .collect();
    v.sort();
    v
}

fn flip(path: &std::path::Path, offset: usize) {
    let mut b = fs::read(path).expect("test setup");
    b[offset] ^= 0x10;
    fs::write(path, b).expect("test setup");
}

fn read_all(e: &Engine, table: &str) -> Result<usize, Error> {
    let snap = e.snapshot(table)?;
    let mut n = 0;
    for p in snap.pieces(&ScanSpec::default())? {
        n += snap.read(&p, &[0, 1, 2, 3, 4, 5], i64::MIN, i64::MAX)?.ts.len();
    }
    Ok(n)
}

fn two_tables(name: &str) -> std::path::PathBuf {
    let dir = tmpdir(name);
    let e = open(&dir);
    e.create_table(telemetry("a", DedupPolicy::KeepAll))
        .expect("test setup");
    e.create_table(telemetry("b", DedupPolicy::KeepAll))
        .expect("test setup");
    e.append("a", &batch(&rows(2, 1000, T0))).expect("test setup");
    e.close().expect("test setup");
    drop(e);
    let e = open(&dir);
    e.append("b", &batch(&rows(2, 1000, T0))).expect("test setup");
    e.close().expect("test setup");
    dir
}

#[test]
fn flipped_bit_in_a_block_is_reported_with_file_and_offset() {
    let dir = two_tables("corrupt-block");
    let part = &part_files(&dir)[0]; // table a
    flip(part, 100);
    let e = open(&dir);
    match read_all(&e, "a") {
        Err(Error::Corrupt {
            path, offset, what, ..
        }) => {
            assert_eq!(&path, part);
            assert_eq!(what, "block");
            assert!(offset <= 100);
        }
        other => panic!("expected a corruption error, got {other:?}"),
    }
    assert_eq!(
        read_all(&e, "b").unwrap(),
        2000,
        "the other table is still readable"
    );
}

#[test]
fn flipped_bit_in_the_block_index_or_footer() {
    for back in [40usize, 20, 3] {
        let dir = two_tables(&format!("corrupt-index-{back}"));
        let part = &part_files(&dir)[0];
        let len = fs::metadata(part).unwrap().len() as usize;
        flip(part, len - back);
        let e = open(&dir);
        let err = read_all(&e, "a").unwrap_err();
        assert!(err.to_string().contains(&part.display().to_string()), "{err}");
        assert_eq!(read_all(&e, "b").unwrap(), 2000);
    }
}

#[test]
fn truncated_part_file() {
    let dir = two_tables("corrupt-truncated");
    let part = &part_files(&dir)[0];
    let len = fs::metadata(part).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(part)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let e = open(&dir);
    assert!(matches!(read_all(&e, "a"), Err(Error::Corrupt { .. })));
    assert_eq!(read_all(&e, "b").unwrap(), 2000);
}

/// Three batches in three WAL commit groups, not checkpointed.
fn wal_with_three_groups(name: &str) -> std::path::PathBuf {
    let dir = tmpdir(name);
    let e = open(&dir);
    e.create_table(telemetry("a", DedupPolicy::KeepAll))
        .expect("test setup");
    for k in 0..3 {
        e.append("a", &batch(&rows(1, 100, T0 + k * HOUR)))
            .expect("test setup");
    }
    drop(e);
    dir
}

#[test]
fn torn_wal_tail_is_cut_off() {
    let dir = wal_with_three_groups("wal-torn");
    let seg = wal_files(&dir).pop().unwrap();
    let len = fs::metadata(&seg).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .unwrap()
        .set_len(len - 7)
        .unwrap();
    let e = open(&dir);
    assert_eq!(
        read_all(&e, "a").unwrap(),
        200,
        "the torn third batch is gone, the others intact"
    );
    drop(e);
    assert_eq!(read_all(&open(&dir), "a").unwrap(), 200);
}

#[test]
fn damage_to_the_last_record_counts_as_torn() {
    let dir = wal_with_three_groups("wal-last");
    let seg = wal_files(&dir).pop().unwrap();
    let len = fs::metadata(&seg).unwrap().len() as usize;
    flip(&seg, len - 5);
    assert_eq!(read_all(&open(&dir), "a").unwrap(), 200);
}

#[test]
fn damage_to_a_synced_record_is_an_error() {
    let dir = wal_with_three_groups("wal-mid");
    let seg = wal_files(&dir).pop().unwrap();
    flip(&seg, 40); // inside the first record
    match Engine::open(&dir, options()) {
        Err(Error::Corrupt {
            path, offset, what, ..
        }) => {
            assert_eq!(path, seg);
            assert_eq!(offset, 0);
            assert_eq!(what, "WAL record");
        }
        other => panic!("expected corruption, got {other:?}"),
    }
}

#[test]
fn damage_in_a_sealed_segment_is_an_error() {
    let dir = tmpdir("wal-sealed");
    let e = Engine::open(
        &dir,
        EngineOptions {
            wal_segment_bytes: 1024,
            ..options()
        },
    )
    .unwrap();
    e.create_table(telemetry("a", DedupPolicy::KeepAll)).unwrap();
    for k in 0..4 {
        e.append("a", &batch(&rows(1, 200, T0 + k * HOUR))).unwrap();
    }
    drop(e);
    let segs = wal_files(&dir);
    assert!(segs.len() >= 3, "{segs:?}");
    let len = fs::metadata(&segs[0]).unwrap().len() as usize;
    flip(&segs[0], len - 3); // the end of a sealed segment
    match Engine::open(&dir, options()) {
        Err(Error::Corrupt { path, what, .. }) => {
            assert_eq!(path, segs[0]);
            assert_eq!(what, "WAL record");
        }
        other => panic!("expected corruption, got {other:?}"),
    }
}

#[test]
fn many_wal_segments_replay_in_order() {
    let dir = tmpdir("wal-segments");
    let e = Engine::open(
        &dir,
        EngineOptions {
            wal_segment_bytes: 1024,
            ..options()
        },
    )
    .unwrap();
    e.create_table(telemetry("a", DedupPolicy::KeepAll)).unwrap();
    let mut model = Vec::new();
    for k in 0..20 {
        let r = rows(2, 50, T0 + k * HOUR);
        e.append("a", &batch(&r)).unwrap();
        model.extend(r);
    }
    drop(e);
    sort(&mut model);
    let e = open(&dir);
    assert_eq!(scan(&e, "a"), model);
    e.checkpoint().unwrap();
    assert!(
        wal_files(&dir).len() <= 2,
        "segments below the checkpoint are removed: {:?}",
        wal_files(&dir)
    );
}
