//! statement_timeout cancels with 57014 "canceling statement due to statement timeout".
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_timeout_cancels() {
    let srv = common::start().await;
    let c = srv.client().await;
    let long = common::long_statement(&c).await;
    c.batch_execute("SET statement_timeout = '200ms'").await.unwrap();
    for extended in [false, true] {
        let t = Instant::now();
        let e = if extended {
            c.query(long, &[]).await.unwrap_err()
        } else {
            c.simple_query(long).await.unwrap_err()
        };
        let db = common::db_error(&e);
        assert_eq!(db.code().code(), "57014");
        assert_eq!(db.message(), "canceling statement due to statement timeout");
        assert!(t.elapsed() >= Duration::from_millis(200));
        assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
    }
    // Quick statements are unaffected; the setting can be turned off.
    let v: i32 = c.query_one("SELECT 1 + 1", &[]).await.unwrap().get(0);
    assert_eq!(v, 2);
    c.batch_execute("SET statement_timeout = 0").await.unwrap();
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_timeout_from_startup_options() {
    let srv = common::start().await;
    let conn = format!("{} options='-c statement_timeout=150'", srv.conn_str("plantdb"));
    let (c, connection) = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let m = c.simple_query("SHOW statement_timeout").await.unwrap();
    let v = match &m[1] {
        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
        _ => None,
    };
    assert_eq!(v.as_deref(), Some("150ms"));
    let long = common::long_statement(&c).await;
    let e = c.simple_query(long).await.unwrap_err();
    assert_eq!(common::code(&e), "57014");
    srv.stop().await;
}

/// statement_timeout covers a COPY FROM STDIN as a whole, the time spent waiting for the
/// client's data included (not only each chunk's processing); the COPY leaves no rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_timeout_covers_copy_in() {
    use futures_util::SinkExt;
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute("CREATE TABLE t (ts timestamp, n int); SET statement_timeout = '300ms'")
        .await
        .unwrap();
    let t = Instant::now();
    let sink = c.copy_in::<_, bytes::Bytes>("COPY t FROM STDIN").await.unwrap();
    futures_util::pin_mut!(sink);
    // Small, quick chunks, but the COPY as a whole outlasts the timeout.
    let mut result = Ok(0);
    for i in 0..20 {
        let row = format!("2026-01-01 00:00:{i:02}\t{i}\n");
        if let Err(e) = sink.send(bytes::Bytes::from(row)).await {
            result = Err(e);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if result.is_ok() {
        result = sink.finish().await;
    }
    let e = result.unwrap_err();
    assert_eq!(common::code(&e), "57014", "{e:?}");
    assert!(t.elapsed() >= Duration::from_millis(300));
    c.batch_execute("SET statement_timeout = 0").await.unwrap();
    let n = c
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(n, 0);
    srv.stop().await;
}
