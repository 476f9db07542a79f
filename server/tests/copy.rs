//! COPY FROM STDIN and COPY TO STDOUT through tokio-postgres: text and CSV with options, data
//! split at arbitrary points, bad rows failing the whole COPY.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio_postgres::Client;

async fn copy_in(c: &Client, sql: &str, chunks: &[&[u8]]) -> Result<u64, tokio_postgres::Error> {
    let sink = c.copy_in::<_, Bytes>(sql).await?;
    futures_util::pin_mut!(sink);
    for ch in chunks {
        sink.send(Bytes::copy_from_slice(ch)).await?;
    }
    sink.finish().await
}

async fn copy_out(c: &Client, sql: &str) -> String {
    let stream = c.copy_out(sql).await.unwrap();
    futures_util::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    String::from_utf8(out).unwrap()
}

async fn count(c: &Client, table: &str) -> usize {
    c.simple_query(&format!("SELECT * FROM {table}"))
        .await
        .unwrap()
        .iter()
        .filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_text_and_csv() {
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute("CREATE TABLE r (ts timestamp, id int, name text, v float8)")
        .await
        .unwrap();

    // Text format, rows split across CopyData messages anywhere.
    let data = b"2026-01-01 00:00:01\t1\talpha\t1.5\n2026-01-01 00:00:02\t2\t\\N\t-2\n2026-01-01 00:00:03\t3\ttab\\there\t0\n";
    let n = copy_in(&c, "COPY r FROM STDIN", &[&data[..7], &data[7..40], &data[40..]])
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        copy_out(&c, "COPY r TO STDOUT").await,
        "2026-01-01 00:00:01\t1\talpha\t1.5\n2026-01-01 00:00:02\t2\t\\N\t-2\n2026-01-01 00:00:03\t3\ttab\\there\t0\n"
    );

    // CSV with HEADER, DELIMITER, NULL, QUOTE, ESCAPE, FORCE_NULL.
    c.batch_execute("CREATE TABLE s (ts timestamp, id int, name text, note text)")
        .await
        .unwrap();
    let csv = "ts;id;name;note\n\
               2026-01-01 00:00:01;1;'a;b';NA\n\
               2026-01-01 00:00:02;2;'it\\'s';'NA'\n\
               2026-01-01 00:00:03;3;plain;''\n";
    let n = copy_in(
        &c,
        "COPY s FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'NA', QUOTE '''', ESCAPE '\\', FORCE_NULL (note))",
        &[csv.as_bytes()],
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    let rows = c
        .query("SELECT id, name, note FROM s ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, String, Option<String>)> =
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(
        got,
        vec![
            (1, "a;b".to_string(), None),
            (2, "it's".to_string(), None), // FORCE_NULL: quoted NA is NULL too
            (3, "plain".to_string(), Some(String::new())),
        ]
    );
    assert_eq!(
        copy_out(&c, "COPY s (id, name) TO STDOUT WITH (FORMAT csv, HEADER)").await,
        "id,name\n1,a;b\n2,it's\n3,plain\n"
    );
    assert_eq!(
        copy_out(&c, "COPY (SELECT id FROM s WHERE id > 1 ORDER BY id) TO STDOUT").await,
        "2\n3\n"
    );

    // A bad row: the error names line and column, and nothing is committed.
    let bad = "2026-01-02 00:00:01,10,x,y\n2026-01-02 00:00:02,notanumber,x,y\n";
    let e = copy_in(&c, "COPY s FROM STDIN (FORMAT csv)", &[bad.as_bytes()])
        .await
        .unwrap_err();
    let db = common::db_error(&e);
    assert_eq!(db.code().code(), "22P02", "{db:?}");
    let context = format!("{} {:?} {:?}", db.message(), db.detail(), db.where_());
    assert!(context.contains("line 2"), "{context}");
    assert!(context.contains("id"), "{context}");
    assert_eq!(count(&c, "s").await, 3);

    // The session goes on after the failed COPY.
    let n = copy_in(
        &c,
        "COPY s FROM STDIN (FORMAT csv)",
        &[b"2026-01-03 00:00:00,4,d,e\n"],
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(count(&c, "s").await, 4);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_large_and_aborted() {
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute("CREATE TABLE big (ts timestamp, id int, v float8)")
        .await
        .unwrap();
    // More than one loader chunk (1 MiB).
    let mut data = String::new();
    for i in 0..60_000 {
        data.push_str(&format!(
            "2026-01-01 00:00:00.{:06}\t{i}\t{}.25\n",
            i % 1_000_000,
            i
        ));
    }
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(8191).collect();
    let n = copy_in(&c, "COPY big FROM STDIN", &chunks).await.unwrap();
    assert_eq!(n, 60_000);
    let out = copy_out(&c, "COPY big (id) TO STDOUT").await;
    assert_eq!(out.lines().count(), 60_000);

    // A sink dropped without finish sends CopyFail: nothing is committed.
    {
        let sink = c.copy_in::<_, Bytes>("COPY big FROM STDIN").await.unwrap();
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from_static(b"2026-01-02 00:00:00\t1\t1\n"))
            .await
            .unwrap();
    }
    assert_eq!(count(&c, "big").await, 60_000);
    srv.stop().await;
}

/// The CopyData messages of a COPY TO STDOUT, one entry per message.
async fn copy_out_messages(c: &Client, sql: &str) -> Vec<Vec<u8>> {
    let stream = c.copy_out(sql).await.unwrap();
    futures_util::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.push(chunk.unwrap().to_vec());
    }
    out
}

/// PostgreSQL's binary COPY header: signature, flags 0, no extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// One binary COPY row of (ts timestamp, id int4, v float8, name text); `None` is NULL.
fn bin_row(ts_us: i64, id: i32, v: Option<f64>, name: &str) -> Vec<u8> {
    let mut r = 4i16.to_be_bytes().to_vec();
    r.extend_from_slice(&8i32.to_be_bytes());
    r.extend_from_slice(&ts_us.to_be_bytes());
    r.extend_from_slice(&4i32.to_be_bytes());
    r.extend_from_slice(&id.to_be_bytes());
    match v {
        Some(v) => {
            r.extend_from_slice(&8i32.to_be_bytes());
            r.extend_from_slice(&v.to_bits().to_be_bytes());
        }
        None => r.extend_from_slice(&(-1i32).to_be_bytes()),
    }
    r.extend_from_slice(&(name.len() as i32).to_be_bytes());
    r.extend_from_slice(name.as_bytes());
    r
}

/// 2026-01-01 00:00:00 in microseconds since 2000-01-01: 26 years, 7 of them leap years
/// (2000 … 2024), so 9497 days.
const TS_2026: i64 = 9497 * 86_400 * 1_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_binary_both_ways() {
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute("CREATE TABLE b (ts timestamp, id int4, v float8, name text)")
        .await
        .unwrap();
    let mut data = HEADER.to_vec();
    data.extend(bin_row(TS_2026, 1, Some(1.5), "héllo"));
    data.extend(bin_row(TS_2026 + 1_000_000, 2, None, ""));
    data.extend(bin_row(TS_2026 + 2_500_000, -3, Some(-0.25), "tab\there"));
    data.extend_from_slice(&(-1i16).to_be_bytes());
    // Split anywhere, the header and a length word included.
    let n = copy_in(
        &c,
        "COPY b FROM STDIN (FORMAT binary)",
        &[&data[..5], &data[5..23], &data[23..]],
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        copy_out(&c, "COPY (SELECT * FROM b ORDER BY ts) TO STDOUT").await,
        "2026-01-01 00:00:00\t1\t1.5\théllo\n\
         2026-01-01 00:00:01\t2\t\\N\t\n\
         2026-01-01 00:00:02.5\t-3\t-0.25\ttab\\there\n"
    );

    // Out: the header travels with the first row, one message per row, the trailer alone.
    let msgs = copy_out_messages(&c, "COPY (SELECT * FROM b ORDER BY ts) TO STDOUT (FORMAT binary)").await;
    let mut first = HEADER.to_vec();
    first.extend(bin_row(TS_2026, 1, Some(1.5), "héllo"));
    assert_eq!(
        msgs,
        vec![
            first,
            bin_row(TS_2026 + 1_000_000, 2, None, ""),
            bin_row(TS_2026 + 2_500_000, -3, Some(-0.25), "tab\there"),
            (-1i16).to_be_bytes().to_vec(),
        ]
    );
    // No rows: header and trailer only.
    let msgs = copy_out_messages(
        &c,
        "COPY (SELECT * FROM b WHERE id > 10) TO STDOUT (FORMAT binary)",
    )
    .await;
    let mut both = HEADER.to_vec();
    both.extend_from_slice(&(-1i16).to_be_bytes());
    assert_eq!(msgs.concat(), both);

    // Bad input fails the whole COPY with 22P04 and leaves none of its rows.
    let good = bin_row(TS_2026 + 10_000_000, 10, Some(1.0), "x");
    let mut short = HEADER.to_vec();
    short.extend(&good);
    short.extend(&good[..good.len() - 1]); // truncated last row
    let mut wrong_count = HEADER.to_vec();
    wrong_count.extend(&good);
    wrong_count.extend_from_slice(&3i16.to_be_bytes());
    let mut bad_len = HEADER.to_vec();
    // A 4-byte timestamp (the frame is well formed, the value is not).
    bad_len.extend_from_slice(&4i16.to_be_bytes());
    bad_len.extend_from_slice(&4i32.to_be_bytes());
    bad_len.extend_from_slice(&1i32.to_be_bytes());
    bad_len.extend(&good[2 + 12..]);
    bad_len.extend_from_slice(&(-1i16).to_be_bytes());
    for (what, input, code) in [
        (
            "signature",
            b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec(),
            "22P04",
        ),
        ("truncated row", short, "22P04"),
        ("field count", wrong_count, "22P04"),
        ("value length", bad_len, "22P03"),
    ] {
        let e = copy_in(&c, "COPY b FROM STDIN (FORMAT binary)", &[&input])
            .await
            .expect_err(what);
        assert_eq!(common::db_error(&e).code().code(), code, "{what}: {e:?}");
        assert_eq!(count(&c, "b").await, 3, "{what}");
    }
    // Options that binary COPY does not take.
    let e = c
        .batch_execute("COPY b FROM STDIN (FORMAT binary, HEADER)")
        .await
        .unwrap_err();
    assert_eq!(common::db_error(&e).code().code(), "42601");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_out_sends_one_row_per_message() {
    let srv = common::start().await;
    let c = srv.client().await;
    c.batch_execute(
        "CREATE TABLE m (ts timestamp, note text);
         INSERT INTO m VALUES ('2026-01-01 00:00:00', 'two\nlines'), ('2026-01-01 00:00:01', 'b')",
    )
    .await
    .unwrap();
    assert_eq!(
        copy_out_messages(&c, "COPY m TO STDOUT").await,
        vec![
            b"2026-01-01 00:00:00\ttwo\\nlines\n".to_vec(),
            b"2026-01-01 00:00:01\tb\n".to_vec()
        ]
    );
    assert_eq!(
        copy_out_messages(&c, "COPY m (note) TO STDOUT (FORMAT csv, HEADER)").await,
        vec![b"note\n".to_vec(), b"\"two\nlines\"\n".to_vec(), b"b\n".to_vec()]
    );
    srv.stop().await;
}
