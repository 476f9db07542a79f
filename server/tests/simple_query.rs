//! Simple query protocol through tokio-postgres: several statements per message, command tags,
//! errors with SQLSTATE and position, the session continuing after an error.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use tokio_postgres::SimpleQueryMessage as M;

fn rows(msgs: &[M]) -> Vec<Vec<Option<String>>> {
    msgs.iter()
        .filter_map(|m| match m {
            M::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
            _ => None,
        })
        .collect()
}

fn tags(msgs: &[M]) -> Vec<u64> {
    msgs.iter()
        .filter_map(|m| match m {
            M::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_queries() {
    let srv = common::start().await;
    let c = srv.client().await;

    let m = c
        .simple_query(
            "CREATE TABLE t (ts timestamp, id int, name text, v float8);
             INSERT INTO t VALUES ('2026-01-01', 1, 'a', 1.5), ('2026-01-02', 2, NULL, -0.25);
             SELECT id, name, v FROM t ORDER BY id;
             SELECT 1 + 1 AS two",
        )
        .await
        .unwrap();
    assert_eq!(tags(&m), vec![0, 2, 2, 1]);
    assert_eq!(
        rows(&m),
        vec![
            vec![Some("1".into()), Some("a".into()), Some("1.5".into())],
            vec![Some("2".into()), None, Some("-0.25".into())],
            vec![Some("2".into())],
        ]
    );
    // Column names come from RowDescription.
    let desc = m.iter().find_map(|x| match x {
        M::RowDescription(d) => Some(d.iter().map(|c| c.name().to_string()).collect::<Vec<_>>()),
        _ => None,
    });
    assert_eq!(desc.unwrap(), vec!["id", "name", "v"]);

    // Empty queries: EmptyQueryResponse (tokio-postgres reports it as CommandComplete(0)).
    for q in ["", ";", " ;; "] {
        let m = c.simple_query(q).await.unwrap();
        assert_eq!(tags(&m), vec![0], "{q:?}");
        assert!(rows(&m).is_empty());
    }

    // An error stops the rest of the message; the session continues.
    let e = c
        .simple_query("SELECT 1; SELECT * FROM missing; SELECT 3")
        .await
        .unwrap_err();
    let db = common::db_error(&e);
    assert_eq!(db.code().code(), "42P01");
    assert!(db.message().contains("missing"), "{}", db.message());
    let e = c.simple_query("SELECT 1;\nSELEC 2").await.unwrap_err();
    assert_eq!(common::code(&e), "42601");
    let e = c.simple_query("SELECT 1/0").await.unwrap_err();
    assert_eq!(common::code(&e), "22012");
    let m = c.simple_query("SELECT 'still alive'").await.unwrap();
    assert_eq!(rows(&m), vec![vec![Some("still alive".into())]]);

    // Error position counts characters from the start of the whole message.
    let e = c.simple_query("SELECT 1; SELECT nope FROM t").await.unwrap_err();
    let db = common::db_error(&e);
    assert_eq!(db.code().code(), "42703");
    if let Some(tokio_postgres::error::ErrorPosition::Original(p)) = db.position() {
        assert_eq!(*p, 18, "position of `nope`");
    }

    // SET and SHOW.
    let m = c
        .simple_query("SET application_name = 'tests'; SHOW application_name")
        .await
        .unwrap();
    assert_eq!(rows(&m), vec![vec![Some("tests".into())]]);

    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_once() {
    let srv = common::start().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = srv.client().await;
        tasks.push(tokio::spawn(async move {
            for j in 0..20 {
                let m = c.simple_query(&format!("SELECT {i} * 100 + {j}")).await.unwrap();
                assert_eq!(rows(&m), vec![vec![Some((i * 100 + j).to_string())]]);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    srv.stop().await;
}
