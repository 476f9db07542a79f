//! max_connections: one more client gets FATAL 53300; a slot frees when a client leaves.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_clients() {
    let srv = common::start_with(|c| c.max_connections = 2).await;
    let a = srv.client().await;
    let b = srv.client().await;
    let e = tokio_postgres::connect(&srv.conn_str("plantdb"), tokio_postgres::NoTls)
        .await
        .err()
        .unwrap();
    let db = common::db_error(&e);
    assert_eq!(db.code().code(), "53300");
    assert_eq!(db.message(), "sorry, too many clients already");
    assert_eq!(db.severity(), "FATAL");
    a.simple_query("SELECT 1").await.unwrap();
    drop(a);
    // The slot is released once the server sees the client leave.
    let mut ok = false;
    for _ in 0..50 {
        if let Ok((c, conn)) = tokio_postgres::connect(&srv.conn_str("plantdb"), tokio_postgres::NoTls).await
        {
            tokio::spawn(conn);
            c.simple_query("SELECT 1").await.unwrap();
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ok);
    b.simple_query("SELECT 1").await.unwrap();
    srv.stop().await;
}
