//! kill -9 at random moments: a child process appends batches (with flushes and compactions
//! going on) and prints each acknowledgement; the parent kills it, reopens the directory, and
//! checks that every acknowledged batch is present in full and that no batch is present in part.
mod common;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use plantdb_storage::{DedupPolicy, Engine, EngineOptions};

const CHILD_ENV: &str = "PLANTDB_KILL9_CHILD_DIR";
const MACHINES: usize = 4;
const PER_BATCH: usize = 50;

fn batch_rows(b: u64) -> Vec<Row> {
    let mut out = Vec::new();
    for i in 0..PER_BATCH {
        for m in 0..MACHINES {
            let mut r = row(
                T0 + (b as i64 * PER_BATCH as i64 + i as i64) * SEC,
                &format!("M{m}"),
                b as f64,
            );
            r.count = Some(b as i64);
            out.push(r);
        }
    }
    out
}

fn child(dir: &str, start: u64) -> ! {
    let opts = EngineOptions {
        memtable_bytes: 64 << 10,
        maintenance_interval: Duration::from_millis(50),
        compact_at_parts: 3,
        ..EngineOptions::default()
    };
    let e = Engine::open(dir, opts).expect("child open");
    if e.schema("t").is_err() {
        e.create_table(telemetry("t", DedupPolicy::KeepAll))
            .expect("create");
        println!("CREATED");
    }
    for b in start.. {
        e.append("t", &batch(&batch_rows(b))).expect("append");
        println!("ACK {b}");
        if b % 7 == 0 {
            e.checkpoint().expect("checkpoint");
        }
        if b % 23 == 0 {
            e.vacuum().expect("vacuum");
        }
    }
    unreachable!()
}

#[test]
fn acknowledged_batches_survive_kill_9() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        let start = std::env::var("PLANTDB_KILL9_START")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        child(&dir, start);
    }
    let dir = tmpdir("kill9");
    let mut acked: BTreeSet<u64> = BTreeSet::new();
    let mut next = 0u64;
    let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ std::process::id() as u64;
    let rounds = 30;
    for round in 0..rounds {
        let mut c = Command::new(std::env::current_exe().expect("exe"))
            .args([
                "acknowledged_batches_survive_kill_9",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &dir)
            .env("PLANTDB_KILL9_START", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let out = c.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(b) = line.strip_prefix("ACK ").and_then(|b| b.parse::<u64>().ok()) {
                    acks.push(b);
                }
            }
            acks
        });
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(150 + seed % 400));
        c.kill().expect("kill -9");
        let _ = c.wait();
        let acks = reader.join().expect("reader");
        acked.extend(acks.iter().copied());
        // Verify: every acknowledged batch in full, no batch in part.
        let e = Engine::open(&dir, options()).expect("reopen after kill");
        let mut per_batch: BTreeMap<i64, usize> = BTreeMap::new();
        if e.schema("t").is_ok() {
            for r in scan(&e, "t") {
                *per_batch.entry(r.count.expect("count")).or_default() += 1;
                assert_eq!(
                    r.value,
                    Some(r.count.expect("count") as f64),
                    "row belongs to its batch"
                );
            }
        }
        for (&b, &n) in &per_batch {
            assert_eq!(
                n,
                PER_BATCH * MACHINES,
                "round {round}: batch {b} is present in part ({n} rows)"
            );
        }
        for &b in &acked {
            assert!(
                per_batch.contains_key(&(b as i64)),
                "round {round}: acknowledged batch {b} is missing"
            );
        }
        next = per_batch
            .keys()
            .next_back()
            .map_or(0, |&b| b as u64 + 1)
            .max(next);
        drop(e);
    }
    eprintln!("kill9: {} batches acknowledged over {rounds} kills", acked.len());
    assert!(
        acked.len() > rounds,
        "the child made progress ({} batches acknowledged)",
        acked.len()
    );
}
