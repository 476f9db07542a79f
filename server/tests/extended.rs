//! Extended query protocol: prepared statements reused, parameter types inferred when the client
//! sends none, client types winning, portals run in pieces, errors until Sync.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use tokio_postgres::types::Type;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statements() {
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute("CREATE TABLE m (ts timestamp, machine text, temp float8, n int)")
        .await
        .unwrap();

    // INSERT with parameters typed from the target columns (tokio-postgres sends no OIDs).
    let ins = c
        .prepare("INSERT INTO m VALUES ($1::timestamp, $2, $3, $4)")
        .await
        .unwrap();
    assert_eq!(
        ins.params(),
        &[Type::TIMESTAMP, Type::TEXT, Type::FLOAT8, Type::INT4]
    );
    for i in 0..10i32 {
        let ts = format!("2026-01-01 00:00:{i:02}");
        // Reuse of one statement; the timestamp goes through a text cast of a text parameter.
        let ins2 = c
            .prepare("INSERT INTO m VALUES ($1::text::timestamp, $2, $3, $4)")
            .await
            .unwrap();
        let n = c
            .execute(&ins2, &[&ts, &format!("M{}", i % 2), &(20.0 + f64::from(i)), &i])
            .await
            .unwrap();
        assert_eq!(n, 1);
    }

    // Parameter type inferred from the comparison with a column.
    let q = c
        .prepare("SELECT n, machine, temp FROM m WHERE machine = $1 AND n >= $2 ORDER BY n")
        .await
        .unwrap();
    assert_eq!(q.params(), &[Type::TEXT, Type::INT4]);
    assert_eq!(
        q.columns().iter().map(|c| c.type_().clone()).collect::<Vec<_>>(),
        vec![Type::INT4, Type::TEXT, Type::FLOAT8]
    );
    for (m, min, expect) in [("M0", 0, vec![0, 2, 4, 6, 8]), ("M1", 5, vec![5, 7, 9])] {
        let rows = c.query(&q, &[&m, &min]).await.unwrap();
        let got: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(got, expect);
        for r in &rows {
            let n: i32 = r.get(0);
            let temp: f64 = r.get(2);
            assert_eq!(temp, 20.0 + f64::from(n));
        }
    }

    // Client-supplied types win over inference.
    let q = c.prepare_typed("SELECT $1 + 1", &[Type::INT8]).await.unwrap();
    assert_eq!(q.params(), &[Type::INT8]);
    let v: i64 = c.query_one(&q, &[&41i64]).await.unwrap().get(0);
    assert_eq!(v, 42);

    // NULL parameters.
    let v: Option<i32> = c
        .query_one("SELECT $1::int4", &[&None::<i32>])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, None);

    // Statements without results.
    let s = c.prepare("SET application_name = 'x'").await.unwrap();
    assert!(s.columns().is_empty());
    c.execute(&s, &[]).await.unwrap();

    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_and_recovery() {
    let srv = common::start().await;
    let c = srv.client().await;
    let e = c.query("SELECT 1 / $1::int4", &[&0i32]).await.unwrap_err();
    assert_eq!(common::code(&e), "22012");
    let e = c.prepare("SELECT * FROM nowhere WHERE x = $1").await.unwrap_err();
    assert_eq!(common::code(&e), "42P01");
    let e = c.prepare("SELECT 1; SELECT 2").await.unwrap_err();
    assert_eq!(common::code(&e), "42601");
    let v: i32 = c
        .query_one("SELECT $1::int4 * 2", &[&21i32])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 42);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_suspension() {
    let srv = common::start().await;
    let mut c = srv.client().await;
    c.batch_execute(
        "CREATE TABLE p (ts timestamp, n int);
         INSERT INTO p VALUES ('2026-01-01 00:00:01', 1), ('2026-01-01 00:00:02', 2),
           ('2026-01-01 00:00:03', 3), ('2026-01-01 00:00:04', 4), ('2026-01-01 00:00:05', 5)",
    )
    .await
    .unwrap();
    let tx = c.transaction().await.unwrap();
    let portal = tx
        .bind("SELECT n FROM p WHERE n > $1 ORDER BY n", &[&0i32])
        .await
        .unwrap();
    let mut all = Vec::new();
    let mut steps = 0;
    loop {
        let rows = tx.query_portal(&portal, 2).await.unwrap();
        steps += 1;
        if rows.is_empty() {
            break;
        }
        all.extend(rows.iter().map(|r| r.get::<_, i32>(0)));
    }
    assert_eq!(all, vec![1, 2, 3, 4, 5]);
    assert!(steps >= 3);
    tx.commit().await.unwrap();
    srv.stop().await;
}
