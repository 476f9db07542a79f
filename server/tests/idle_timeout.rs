//! idle_session_timeout closes an idle connection with FATAL 57P05.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_session_timeout_closes() {
    let srv = common::start().await;
    let (c, connection) = tokio_postgres::connect(&srv.conn_str("plantdb"), tokio_postgres::NoTls)
        .await
        .unwrap();
    let conn = tokio::spawn(connection);
    c.batch_execute("SET idle_session_timeout = '300ms'")
        .await
        .unwrap();
    // Activity resets the timer.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        c.simple_query("SELECT 1").await.unwrap();
    }
    let r = tokio::time::timeout(Duration::from_secs(5), conn)
        .await
        .unwrap()
        .unwrap();
    let e = r.unwrap_err();
    assert_eq!(common::code(&e), "57P05");
    assert!(c.is_closed());
    // The server still accepts new connections.
    let c2 = srv.client().await;
    c2.simple_query("SELECT 1").await.unwrap();
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_in_transaction_timeout_closes() {
    let srv = common::start().await;
    let (c, connection) = tokio_postgres::connect(&srv.conn_str("plantdb"), tokio_postgres::NoTls)
        .await
        .unwrap();
    let conn = tokio::spawn(connection);
    c.batch_execute("SET idle_in_transaction_session_timeout = '200ms'")
        .await
        .unwrap();
    // Idle outside a transaction: not affected.
    tokio::time::sleep(Duration::from_millis(400)).await;
    c.batch_execute("BEGIN").await.unwrap();
    let r = tokio::time::timeout(Duration::from_secs(5), conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(common::code(&r.unwrap_err()), "25P03");
    srv.stop().await;
}
