//! CancelRequest: a long statement is cancelled (57014) and the session goes on; other
//! connections keep working while it runs.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

use tokio_postgres::NoTls;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_running_statement() {
    let srv = common::start().await;
    let c = srv.client().await;
    let other = srv.client().await;
    let long = common::long_statement(&c).await;

    for extended in [false, true] {
        let token = c.cancel_token();
        let started = Instant::now();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            token.cancel_query(NoTls).await.unwrap();
        });
        // Meanwhile another session is served normally.
        let probe = {
            let t = Instant::now();
            tokio::time::sleep(Duration::from_millis(50)).await;
            let m = other.simple_query("SELECT 1").await.unwrap();
            assert_eq!(m.len(), 3);
            t.elapsed()
        };
        let e = if extended {
            c.query(long, &[]).await.unwrap_err()
        } else {
            c.simple_query(long).await.unwrap_err()
        };
        canceller.await.unwrap();
        let db = common::db_error(&e);
        assert_eq!(db.code().code(), "57014");
        assert_eq!(db.message(), "canceling statement due to user request");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        assert!(probe < Duration::from_secs(2));
        // The session continues.
        let v: i32 = c.query_one("SELECT 41 + 1", &[]).await.unwrap().get(0);
        assert_eq!(v, 42);
    }
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_sessions_progress_during_heavy_query() {
    let srv = common::start().await;
    let c = srv.client().await;
    let other = srv.client().await;
    let long = common::long_statement(&c).await;
    let token = c.cancel_token();
    let running = tokio::spawn(async move { c.simple_query(long).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..10 {
        let t = Instant::now();
        other.simple_query("SELECT 2").await.unwrap();
        assert!(t.elapsed() < Duration::from_secs(1));
    }
    token.cancel_query(NoTls).await.unwrap();
    let e = running.await.unwrap().unwrap_err();
    assert_eq!(common::code(&e), "57014");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_during_copy_in() {
    use futures_util::SinkExt;
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute("CREATE TABLE t (ts timestamp, n int)")
        .await
        .unwrap();
    let sink = c.copy_in::<_, bytes::Bytes>("COPY t FROM STDIN").await.unwrap();
    futures_util::pin_mut!(sink);
    sink.send(bytes::Bytes::from_static(b"2026-01-01 00:00:00\t1\n"))
        .await
        .unwrap();
    c.cancel_token().cancel_query(NoTls).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = async {
        sink.send(bytes::Bytes::from_static(b"2026-01-01 00:00:01\t2\n"))
            .await?;
        sink.as_mut().finish().await
    }
    .await;
    let e = r.unwrap_err();
    assert_eq!(common::code(&e), "57014");
    let rows = c.query("SELECT n FROM t", &[]).await.unwrap();
    assert!(rows.is_empty());
    srv.stop().await;
}
