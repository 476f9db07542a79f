//! Load test: 50 concurrent clients on loopback for 60 s (PLANTDB_LOAD_SECS overrides), 20 of
//! them ingesting with COPY FROM STDIN and 30 running queries, against `plantdb serve` with
//! durability `sync`. Afterwards (and after a restart) every acknowledged row is present and
//! no row of a failed COPY is. Prints ingest and query throughput and p50/p99 latencies.
#![allow(clippy::unwrap_used, clippy::panic)] // test code

mod serve;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::SinkExt;
use serve::{Server, TempDir};
use tokio_postgres::{Client, NoTls};

const INGESTERS: usize = 20;
const QUERIERS: usize = 30;
/// Rows per COPY.
const BATCH: i64 = 500;

async fn connect(conn_str: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(conn_str, NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

/// What one ingesting client got acknowledged: rows and the sum of their sequence numbers.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Acked {
    rows: i64,
    seq_sum: i64,
}

async fn ingest(conn_str: String, id: usize, until: Instant) -> (Acked, Vec<Duration>, usize) {
    let c = connect(&conn_str).await;
    let mut acked = Acked::default();
    let mut lat = Vec::new();
    let mut failed = 0;
    let mut seq: i64 = 0;
    let mut round = 0;
    while Instant::now() < until {
        round += 1;
        // Every 25th COPY of a client carries a bad row at its end: the whole COPY must fail
        // and leave none of its rows.
        let poison = round % 25 == 0;
        let mut data = String::with_capacity(BATCH as usize * 48);
        for k in 0..BATCH {
            let s = seq + k;
            // One row per millisecond of a client-specific series: keys never repeat.
            let (secs, ms) = (s / 1000, s % 1000);
            data.push_str(&format!(
                "2024-01-01 {:02}:{:02}:{:02}.{ms:03}\tc{id}\t{}.5\t{s}\n",
                secs / 3600 % 24,
                secs / 60 % 60,
                secs % 60,
                s % 100
            ));
        }
        if poison {
            data.push_str("2024-01-02 00:00:00\tc0\tnot-a-number\t0\n");
        }
        let t = Instant::now();
        let result = async {
            let sink = c.copy_in::<_, Bytes>("COPY load FROM STDIN").await?;
            futures_util::pin_mut!(sink);
            sink.send(Bytes::from(data)).await?;
            sink.finish().await
        }
        .await;
        lat.push(t.elapsed());
        match result {
            Ok(n) => {
                assert!(!poison, "a COPY with a bad row succeeded");
                assert_eq!(n, BATCH as u64);
                acked.rows += BATCH;
                acked.seq_sum += (seq..seq + BATCH).sum::<i64>();
                seq += BATCH;
            }
            Err(e) => {
                assert!(poison, "COPY failed: {e:?}");
                failed += 1;
                // The poisoned rows' numbers are used again by the next COPY.
            }
        }
    }
    (acked, lat, failed)
}

async fn query(conn_str: String, id: usize, until: Instant) -> Vec<Duration> {
    let c = connect(&conn_str).await;
    let by_client = c
        .prepare("SELECT count(*), max(seq) FROM load WHERE machine = $1")
        .await
        .unwrap();
    let mut lat = Vec::new();
    let mut k = 0usize;
    while Instant::now() < until {
        k += 1;
        let t = Instant::now();
        match k % 3 {
            0 => {
                let r = c
                    .query_one(&by_client, &[&format!("c{}", (id + k) % INGESTERS)])
                    .await
                    .unwrap();
                let n: i64 = r.get(0);
                assert!(n >= 0);
            }
            1 => {
                let rows = c
                    .query(
                        "SELECT machine, count(*), avg(v) FROM load WHERE ts >= '2024-01-01 00:00:05' GROUP BY machine",
                        &[],
                    )
                    .await
                    .unwrap();
                assert!(rows.len() <= INGESTERS);
            }
            _ => {
                let rows = c
                    .simple_query("SELECT date_bin(INTERVAL '10 seconds', ts, TIMESTAMP '2024-01-01') AS b, count(*) FROM load GROUP BY 1 ORDER BY 1 DESC LIMIT 5")
                    .await
                    .unwrap();
                assert!(!rows.is_empty());
            }
        }
        lat.push(t.elapsed());
    }
    lat
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_copy_and_query() {
    let secs: u64 = std::env::var("PLANTDB_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut server = Server::start_with(Arc::new(TempDir::new("load")), "sync");
    let conn_str = server.conn_str();
    let setup = connect(&conn_str).await;
    setup
        .batch_execute(
            "CREATE TABLE load (ts timestamp NOT NULL, machine text NOT NULL, v float8, seq int8)
             WITH (timestamp = 'ts', tags = 'machine')",
        )
        .await
        .unwrap();
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    let ingesters: Vec<_> = (0..INGESTERS)
        .map(|id| tokio::spawn(ingest(conn_str.clone(), id, until)))
        .collect();
    let queriers: Vec<_> = (0..QUERIERS)
        .map(|id| tokio::spawn(query(conn_str.clone(), id, until)))
        .collect();
    let mut acked = Vec::new();
    let mut copy_lat = Vec::new();
    let mut failed = 0;
    for h in ingesters {
        let (a, l, f) = h.await.unwrap();
        acked.push(a);
        copy_lat.extend(l);
        failed += f;
    }
    let mut query_lat = Vec::new();
    for h in queriers {
        query_lat.extend(h.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    copy_lat.sort();
    query_lat.sort();
    let rows: i64 = acked.iter().map(|a| a.rows).sum();
    println!(
        "load: {} clients ({INGESTERS} COPY, {QUERIERS} query) for {elapsed:.1} s, durability sync",
        INGESTERS + QUERIERS
    );
    println!(
        "load: COPY {} ok + {failed} failed on purpose, {rows} rows acknowledged = {:.0} rows/s; latency p50 {:?} p99 {:?}",
        copy_lat.len() - failed,
        rows as f64 / elapsed,
        percentile(&copy_lat, 0.5),
        percentile(&copy_lat, 0.99)
    );
    println!(
        "load: {} queries = {:.0} queries/s; latency p50 {:?} p99 {:?}",
        query_lat.len(),
        query_lat.len() as f64 / elapsed,
        percentile(&query_lat, 0.5),
        percentile(&query_lat, 0.99)
    );
    assert!(rows > 0 && !query_lat.is_empty());

    // Every acknowledged row is there, no other: per client, count and sum of sequence
    // numbers; then the same after a graceful restart.
    for round in ["live", "after restart"] {
        let c = connect(&server.conn_str()).await;
        let got = c
            .query(
                "SELECT machine, count(*), sum(seq)::int8 FROM load GROUP BY machine",
                &[],
            )
            .await
            .unwrap();
        let mut found = vec![Acked::default(); INGESTERS];
        for r in &got {
            let m: String = r.get(0);
            let id: usize = m[1..].parse().unwrap();
            found[id] = Acked {
                rows: r.get(1),
                seq_sum: r.get(2),
            };
        }
        assert_eq!(found, acked, "{round}");
        drop(c);
        if round == "live" {
            server = server.restart();
        }
    }
}
