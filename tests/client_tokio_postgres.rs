//! tokio-postgres against `plantdb serve`: statements prepared once and run many times with
//! binary parameters, and every supported type decoded from binary results by tokio-postgres's
//! own FromSql implementations (chrono, uuid and serde_json for the types the core crate does
//! not decode), compared with values written down by hand.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_cmp)] // test code

mod serve;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serve::Server;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, NoTls};

async fn connect(server: &Server) -> Client {
    let (client, conn) = tokio_postgres::connect(&server.conn_str(), NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statements_and_binary_types() {
    let server = Server::start();
    let c = connect(&server).await;
    c.batch_execute(
        "SET TIME ZONE 'UTC';
         CREATE TABLE readings (ts timestamp NOT NULL, machine text NOT NULL, temperature float8,
             count int8, ok bool) WITH (timestamp = 'ts', tags = 'machine')",
    )
    .await
    .unwrap();

    // One INSERT statement prepared once; the server infers the parameter types from the
    // target columns (tokio-postgres sends none and encodes from ParameterDescription).
    let ins = c
        .prepare("INSERT INTO readings (ts, machine, temperature, count, ok) VALUES ($1, $2, $3, $4, $5)")
        .await
        .unwrap();
    assert_eq!(
        ins.params(),
        &[Type::TIMESTAMP, Type::TEXT, Type::FLOAT8, Type::INT8, Type::BOOL]
    );
    let t0 = ts("2024-03-01 08:00:00");
    for m in 1..=3i64 {
        for i in 0..10i64 {
            let at = t0 + chrono::Duration::minutes(10 * i);
            let temp = 20.0 + m as f64 + 0.5 * i as f64;
            let n = c
                .execute(&ins, &[&at, &format!("m{m}"), &temp, &(10 * i), &(i % 3 != 0)])
                .await
                .unwrap();
            assert_eq!(n, 1);
        }
    }
    // A query statement reused with different parameters.
    let q = c
        .prepare("SELECT machine, count(*), sum(count), max(temperature), min(ts) FROM readings WHERE ts >= $1 AND temperature > $2 GROUP BY machine ORDER BY machine")
        .await
        .unwrap();
    assert_eq!(q.params(), &[Type::TIMESTAMP, Type::FLOAT8]);
    // Hand-computed: machine m has temperatures 20+m+0.5i at 08:00+10i min, count 10i.
    for (since_i, min_temp) in [(0i64, 0.0f64), (4, 22.0), (8, 25.0)] {
        let rows = c
            .query(&q, &[&(t0 + chrono::Duration::minutes(10 * since_i)), &min_temp])
            .await
            .unwrap();
        let mut want = Vec::new();
        for m in 1..=3i64 {
            let is: Vec<i64> = (since_i..10)
                .filter(|&i| 20.0 + m as f64 + 0.5 * i as f64 > min_temp)
                .collect();
            if let (Some(&first), Some(&last)) = (is.first(), is.last()) {
                want.push((
                    format!("m{m}"),
                    is.len() as i64,
                    is.iter().map(|i| 10 * i).sum::<i64>().to_string(),
                    20.0 + m as f64 + 0.5 * last as f64,
                    t0 + chrono::Duration::minutes(10 * first),
                ));
            }
        }
        let got: Vec<(String, i64, String, f64, NaiveDateTime)> = rows
            .iter()
            .map(|r| {
                // sum(int8) is numeric: read as text through a cast-free check of its type.
                assert_eq!(r.columns()[2].type_(), &Type::NUMERIC);
                (r.get(0), r.get(1), numeric_text(r, 2), r.get(3), r.get(4))
            })
            .collect();
        assert_eq!(got, want, "since {since_i}, above {min_temp}");
    }

    // Every supported type, decoded from binary by tokio-postgres.
    let row = c
        .query_one(
            "SELECT 1::int2, -2::int4, 3000000000::int8, 1.5::float4, -2.25::float8, true,
                    'hé'::text, 'ab'::varchar(5), 'nm'::name, '\\x00ff'::bytea,
                    '1999-12-31'::date, '01:02:03.5'::time, '2024-02-29 23:59:59.123456'::timestamp,
                    '2024-03-01 01:00:00+02'::timestamptz,
                    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '{\"a\": [1, null]}'::jsonb,
                    '{\"b\": 2}'::json, 26::oid, ARRAY[1, NULL, 3]::int4[], ARRAY['a', 'b c'],
                    ARRAY[1.5, -2]::float8[], NULL::int4, 'x'::char(3)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i16>(0), 1);
    assert_eq!(row.get::<_, i32>(1), -2);
    assert_eq!(row.get::<_, i64>(2), 3_000_000_000);
    assert_eq!(row.get::<_, f32>(3), 1.5);
    assert_eq!(row.get::<_, f64>(4), -2.25);
    assert!(row.get::<_, bool>(5));
    assert_eq!(row.get::<_, &str>(6), "hé");
    assert_eq!(row.get::<_, &str>(7), "ab");
    assert_eq!(row.get::<_, &str>(8), "nm");
    assert_eq!(row.get::<_, &[u8]>(9), &[0x00, 0xff]);
    assert_eq!(
        row.get::<_, NaiveDate>(10),
        NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()
    );
    assert_eq!(
        row.get::<_, NaiveTime>(11),
        NaiveTime::from_hms_micro_opt(1, 2, 3, 500_000).unwrap()
    );
    assert_eq!(row.get::<_, NaiveDateTime>(12), ts("2024-02-29 23:59:59.123456"));
    assert_eq!(
        row.get::<_, DateTime<Utc>>(13),
        ts("2024-02-29 23:00:00").and_utc()
    );
    assert_eq!(
        row.get::<_, uuid::Uuid>(14).to_string(),
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    );
    assert_eq!(
        row.get::<_, serde_json::Value>(15),
        serde_json::json!({"a": [1, null]})
    );
    assert_eq!(row.get::<_, serde_json::Value>(16), serde_json::json!({"b": 2}));
    assert_eq!(row.get::<_, u32>(17), 26);
    assert_eq!(row.get::<_, Vec<Option<i32>>>(18), vec![Some(1), None, Some(3)]);
    assert_eq!(row.get::<_, Vec<String>>(19), vec!["a", "b c"]);
    assert_eq!(row.get::<_, Vec<f64>>(20), vec![1.5, -2.0]);
    assert_eq!(row.get::<_, Option<i32>>(21), None);
    assert_eq!(row.columns()[22].type_(), &Type::BPCHAR);

    // Binary parameters of every type, echoed back (server-side decode, then encode).
    let echo = c
        .prepare_typed(
            "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12",
            &[
                Type::INT2,
                Type::INT4,
                Type::INT8,
                Type::FLOAT8,
                Type::BOOL,
                Type::TEXT,
                Type::BYTEA,
                Type::DATE,
                Type::TIMESTAMP,
                Type::TIMESTAMPTZ,
                Type::UUID,
                Type::JSONB,
            ],
        )
        .await
        .unwrap();
    let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let t = ts("1999-12-31 23:59:59.999999");
    let tz = ts("2000-01-01 00:00:00").and_utc();
    let u = uuid::Uuid::parse_str("00000000-0000-0000-0000-0000000000ff").unwrap();
    let j = serde_json::json!({"k": "v"});
    for k in 0..3i16 {
        let r = c
            .query_one(
                &echo,
                &[
                    &k,
                    &(-7i32),
                    &i64::MIN,
                    &0.1f64,
                    &false,
                    &"ünï",
                    &vec![1u8, 2],
                    &d,
                    &t,
                    &tz,
                    &u,
                    &j,
                ],
            )
            .await
            .unwrap();
        assert_eq!(r.get::<_, i16>(0), k);
        assert_eq!(r.get::<_, i32>(1), -7);
        assert_eq!(r.get::<_, i64>(2), i64::MIN);
        assert_eq!(r.get::<_, f64>(3), 0.1);
        assert!(!r.get::<_, bool>(4));
        assert_eq!(r.get::<_, String>(5), "ünï");
        assert_eq!(r.get::<_, Vec<u8>>(6), vec![1, 2]);
        assert_eq!(r.get::<_, NaiveDate>(7), d);
        assert_eq!(r.get::<_, NaiveDateTime>(8), t);
        assert_eq!(r.get::<_, DateTime<Utc>>(9), tz);
        assert_eq!(r.get::<_, uuid::Uuid>(10), u);
        assert_eq!(r.get::<_, serde_json::Value>(11), j);
    }

    // Errors keep their SQLSTATE; the statements stay usable afterwards.
    let e = c.query("SELECT 1 / $1::int4", &[&0i32]).await.unwrap_err();
    assert_eq!(e.code().map(|s| s.code()), Some("22012"));
    let n: i64 = c
        .query_one("SELECT count(*) FROM readings", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 30);
}

/// A numeric column as text (tokio-postgres has no numeric type without extra crates): the
/// binary form decoded by hand (base-10000 digits).
fn numeric_text(row: &tokio_postgres::Row, i: usize) -> String {
    struct Num(String);
    impl<'a> tokio_postgres::types::FromSql<'a> for Num {
        fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
            let w = |k: usize| i16::from_be_bytes([raw[2 * k], raw[2 * k + 1]]);
            let (n, weight, sign) = (w(0) as usize, w(1), w(2));
            let mut v: i128 = 0;
            for k in 0..n {
                v = v * 10_000 + i128::from(w(4 + k));
            }
            // Integers only here (sums of int8): scale the digits to weight.
            for _ in 0..(i32::from(weight) + 1 - n as i32).max(0) {
                v *= 10_000;
            }
            Ok(Num(format!("{}{v}", if sign == 0x4000 { "-" } else { "" })))
        }
        fn accepts(ty: &Type) -> bool {
            ty == &Type::NUMERIC
        }
    }
    row.get::<_, Num>(i).0
}
