//! Binary format of every supported type, both directions, compared with bytes computed by
//! hand from PostgreSQL's send/recv functions (dates and timestamps count from 2000-01-01).
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use bytes::BytesMut;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

/// Raw bytes of a result column, with its type OID.
#[derive(Debug)]
struct Raw(Vec<u8>, u32);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec(), ty.oid()))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A parameter sent as these exact bytes.
#[derive(Debug)]
struct P(Vec<u8>);

impl ToSql for P {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

fn be16(v: &[i16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

const UUID: [u8; 16] = [
    0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11,
];

/// (SQL expression, type OID, binary form).
fn cases() -> Vec<(&'static str, u32, Vec<u8>)> {
    vec![
        ("1::int2", 21, 1i16.to_be_bytes().to_vec()),
        ("-2::int4", 23, (-2i32).to_be_bytes().to_vec()),
        ("3000000000::int8", 20, 3_000_000_000i64.to_be_bytes().to_vec()),
        ("1.5::float4", 700, 0x3FC0_0000u32.to_be_bytes().to_vec()),
        (
            "-2.25::float8",
            701,
            0xC002_0000_0000_0000u64.to_be_bytes().to_vec(),
        ),
        ("true", 16, vec![1]),
        ("false", 16, vec![0]),
        ("'hé'::text", 25, "hé".as_bytes().to_vec()),
        ("'ab'::varchar(5)", 1043, b"ab".to_vec()),
        ("'x'::char(3)", 1042, b"x  ".to_vec()),
        ("'nm'::name", 19, b"nm".to_vec()),
        ("'\\x00ff'::bytea", 17, vec![0x00, 0xff]),
        ("'2000-01-02'::date", 1082, 1i32.to_be_bytes().to_vec()),
        ("'1999-12-31'::date", 1082, (-1i32).to_be_bytes().to_vec()),
        (
            "'01:02:03.5'::time",
            1083,
            3_723_500_000i64.to_be_bytes().to_vec(),
        ),
        (
            "'2000-01-01 00:00:01'::timestamp",
            1114,
            1_000_000i64.to_be_bytes().to_vec(),
        ),
        (
            "'1970-01-01 00:00:00'::timestamp",
            1114,
            (-946_684_800_000_000i64).to_be_bytes().to_vec(),
        ),
        (
            "'2000-01-01 00:00:00+01'::timestamptz",
            1184,
            (-3_600_000_000i64).to_be_bytes().to_vec(),
        ),
        ("'infinity'::timestamp", 1114, i64::MAX.to_be_bytes().to_vec()),
        (
            "interval '1 mon 2 days 3 seconds'",
            1186,
            cat(&[
                &3_000_000i64.to_be_bytes(),
                &2i32.to_be_bytes(),
                &1i32.to_be_bytes(),
            ]),
        ),
        ("12345.678::numeric", 1700, be16(&[3, 1, 0, 3, 1, 2345, 6780])),
        ("-0.5::numeric", 1700, be16(&[1, -1, 0x4000, 1, 5000])),
        ("0::numeric", 1700, be16(&[0, 0, 0, 0])),
        (
            "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
            2950,
            UUID.to_vec(),
        ),
        ("26::oid", 26, 26u32.to_be_bytes().to_vec()),
        (
            "ARRAY[1, NULL, 3]::int4[]",
            1007,
            cat(&[
                &1i32.to_be_bytes(),  // ndim
                &1i32.to_be_bytes(),  // has nulls
                &23i32.to_be_bytes(), // element type
                &3i32.to_be_bytes(),  // length
                &1i32.to_be_bytes(),  // lower bound
                &4i32.to_be_bytes(),
                &1i32.to_be_bytes(),
                &(-1i32).to_be_bytes(),
                &4i32.to_be_bytes(),
                &3i32.to_be_bytes(),
            ]),
        ),
        (
            "ARRAY['a', 'bc']",
            1009,
            cat(&[
                &1i32.to_be_bytes(),
                &0i32.to_be_bytes(),
                &25i32.to_be_bytes(),
                &2i32.to_be_bytes(),
                &1i32.to_be_bytes(),
                &1i32.to_be_bytes(),
                b"a",
                &2i32.to_be_bytes(),
                b"bc",
            ]),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_results_match_hand_computed_bytes() {
    let srv = common::start().await;
    let c = srv.client().await;
    let mut failures = Vec::new();
    for (expr, oid, bytes) in cases() {
        match c.query_one(&format!("SELECT {expr}"), &[]).await {
            Ok(row) => {
                let Raw(got, got_oid) = row.get(0);
                if got_oid != oid || got != bytes {
                    failures.push(format!(
                        "{expr}: oid {got_oid} bytes {got:?}, want oid {oid} bytes {bytes:?}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{expr}: {e:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Typed getters of tokio-postgres agree.
    let r = c
        .query_one(
            "SELECT 7::int2, 8::int4, 9::int8, 0.5::float4, 0.25::float8, true, 'txt', '\\x0102'::bytea, NULL::int4",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, i16>(0), 7);
    assert_eq!(r.get::<_, i32>(1), 8);
    assert_eq!(r.get::<_, i64>(2), 9);
    assert_eq!(r.get::<_, f32>(3), 0.5);
    assert_eq!(r.get::<_, f64>(4), 0.25);
    assert!(r.get::<_, bool>(5));
    assert_eq!(r.get::<_, &str>(6), "txt");
    assert_eq!(r.get::<_, Vec<u8>>(7), vec![1, 2]);
    assert_eq!(r.get::<_, Option<i32>>(8), None);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_parameters_decode() {
    let srv = common::start().await;
    let c = srv.client().await;
    // Each parameter, sent in binary, comes back in text: checks the decoding.
    let text_cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("$1::int2", 300i16.to_be_bytes().to_vec(), "300"),
        ("$1::int4", (-7i32).to_be_bytes().to_vec(), "-7"),
        ("$1::int8", 1i64.to_be_bytes().to_vec(), "1"),
        ("$1::float4", 1.5f32.to_be_bytes().to_vec(), "1.5"),
        ("$1::float8", 0.1f64.to_be_bytes().to_vec(), "0.1"),
        ("$1::date", 1i32.to_be_bytes().to_vec(), "2000-01-02"),
        ("$1::time", 3_723_500_000i64.to_be_bytes().to_vec(), "01:02:03.5"),
        (
            "$1::timestamp",
            1_000_000i64.to_be_bytes().to_vec(),
            "2000-01-01 00:00:01",
        ),
        (
            "$1::timestamptz",
            (-3_600_000_000i64).to_be_bytes().to_vec(),
            "1999-12-31 23:00:00+00",
        ),
        (
            "$1::interval",
            cat(&[
                &3_000_000i64.to_be_bytes(),
                &2i32.to_be_bytes(),
                &1i32.to_be_bytes(),
            ]),
            "1 mon 2 days 00:00:03",
        ),
        ("$1::numeric", be16(&[3, 1, 0, 3, 1, 2345, 6780]), "12345.678"),
        ("$1::numeric", be16(&[1, -2, 0x4000, 6, 1200]), "-0.000012"),
        ("$1::uuid", UUID.to_vec(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("$1::bytea", vec![0xde, 0xad], "\\xdead"),
        ("$1::oid", 26u32.to_be_bytes().to_vec(), "26"),
        ("$1::text", "ünï".as_bytes().to_vec(), "ünï"),
        ("$1::varchar", b"v".to_vec(), "v"),
        ("$1::name", b"nm".to_vec(), "nm"),
        ("$1::char(3)", b"abc".to_vec(), "abc"),
        (
            "$1::int4[]",
            cat(&[
                &1i32.to_be_bytes(),
                &1i32.to_be_bytes(),
                &23i32.to_be_bytes(),
                &2i32.to_be_bytes(),
                &1i32.to_be_bytes(),
                &(-1i32).to_be_bytes(),
                &4i32.to_be_bytes(),
                &5i32.to_be_bytes(),
            ]),
            "{NULL,5}",
        ),
    ];
    let mut failures = Vec::new();
    for (expr, bytes, text) in text_cases {
        let sql = format!("SELECT ({expr})::text");
        match c.query_one(&sql, &[&P(bytes.clone())]).await {
            Ok(r) => {
                let got: String = r.get(0);
                if got != text {
                    failures.push(format!("{expr}: got {got:?}, want {text:?}"));
                }
            }
            Err(e) => failures.push(format!("{expr}: {e:?}")),
        }
        // And the round trip in binary gives the same bytes back.
        match c.query_one(&format!("SELECT {expr}"), &[&P(bytes.clone())]).await {
            Ok(r) => {
                let Raw(got, _) = r.get(0);
                if got != bytes {
                    failures.push(format!("{expr} round trip: {got:?} != {bytes:?}"));
                }
            }
            Err(e) => failures.push(format!("{expr} round trip: {e:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let b: bool = c
        .query_one("SELECT $1::bool", &[&P(vec![1])])
        .await
        .unwrap()
        .get(0);
    assert!(b);
    let b: bool = c
        .query_one("SELECT NOT $1::bool", &[&P(vec![1])])
        .await
        .unwrap()
        .get(0);
    assert!(!b);

    // Malformed binary values: 22P03, and the connection survives.
    let e = c
        .query_one("SELECT $1::int4", &[&P(vec![1, 2, 3])])
        .await
        .unwrap_err();
    assert_eq!(common::code(&e), "22P03");
    let e = c
        .query_one("SELECT $1::numeric", &[&P(vec![0, 1])])
        .await
        .unwrap_err();
    assert_eq!(common::code(&e), "22P03");
    let e = c
        .query_one("SELECT $1::text", &[&P(vec![0xff, 0xfe])])
        .await
        .unwrap_err();
    assert_eq!(common::code(&e), "22021");
    let v: i32 = c.query_one("SELECT $1::int4", &[&5i32]).await.unwrap().get(0);
    assert_eq!(v, 5);
    srv.stop().await;
}
