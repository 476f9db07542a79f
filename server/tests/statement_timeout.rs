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
