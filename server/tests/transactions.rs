//! BEGIN/COMMIT/ROLLBACK and the failed-transaction state (25P02 until ROLLBACK).
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_transaction_state() {
    let srv = common::start().await;
    let mut c = srv.client().await;
    c.batch_execute("CREATE TABLE t (ts timestamp, n int)")
        .await
        .unwrap();

    c.batch_execute("BEGIN").await.unwrap();
    c.batch_execute("INSERT INTO t VALUES ('2026-01-01', 1)")
        .await
        .unwrap();
    let e = c.batch_execute("SELECT * FROM missing").await.unwrap_err();
    assert_eq!(common::code(&e), "42P01");
    for q in ["SELECT 1", "INSERT INTO t VALUES ('2026-01-01', 2)"] {
        let e = c.batch_execute(q).await.unwrap_err();
        assert_eq!(common::code(&e), "25P02", "{q}");
        assert!(
            common::db_error(&e)
                .message()
                .starts_with("current transaction is aborted")
        );
    }
    // Extended protocol too.
    let e = c.query("SELECT $1::int4", &[&1i32]).await.unwrap_err();
    assert_eq!(common::code(&e), "25P02");
    c.batch_execute("ROLLBACK").await.unwrap();
    c.batch_execute("SELECT 1").await.unwrap();

    // COMMIT of a failed transaction ends it too.
    c.batch_execute("BEGIN").await.unwrap();
    assert!(c.batch_execute("SELECT 1/0").await.is_err());
    let m = c.simple_query("COMMIT").await.unwrap();
    assert!(!m.is_empty());
    c.batch_execute("SELECT 1").await.unwrap();

    // tokio-postgres transactions (BEGIN ... COMMIT through the extended protocol).
    let tx = c.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES ('2026-01-02', $1)", &[&3i32])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let tx = c.transaction().await.unwrap();
    assert!(tx.query("SELECT nope", &[]).await.is_err());
    tx.rollback().await.unwrap();
    let n = c.query("SELECT n FROM t WHERE n = 3", &[]).await.unwrap().len();
    assert_eq!(n, 1);
    srv.stop().await;
}
