//! The protocol byte by byte: startup messages, ParameterStatus, ReadyForQuery status, text
//! parameters, skip-until-Sync, Flush, and malformed input (truncated, oversized, unknown types,
//! garbage startup) that must end only the offending connection.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Raw {
    s: TcpStream,
}

#[derive(Debug, Clone, PartialEq)]
struct Msg {
    t: u8,
    body: Vec<u8>,
}

impl Msg {
    /// Fields of an ErrorResponse/NoticeResponse.
    fn field(&self, f: u8) -> Option<String> {
        let mut i = 0;
        while i < self.body.len() && self.body[i] != 0 {
            let code = self.body[i];
            let end = self.body[i + 1..].iter().position(|&b| b == 0)? + i + 1;
            if code == f {
                return Some(String::from_utf8_lossy(&self.body[i + 1..end]).into_owned());
            }
            i = end + 1;
        }
        None
    }
    fn cstrs(&self) -> Vec<String> {
        self.body
            .split(|&b| b == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }
}

fn msg(t: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![t];
    v.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

fn startup_packet(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = 196_608i32.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend(cstr(k));
        body.extend(cstr(v));
    }
    body.push(0);
    let mut v = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    v.extend(body);
    v
}

fn query(sql: &[u8]) -> Vec<u8> {
    let mut b = sql.to_vec();
    b.push(0);
    msg(b'Q', &b)
}

impl Raw {
    async fn connect(port: u16) -> Raw {
        Raw {
            s: TcpStream::connect(("127.0.0.1", port)).await.unwrap(),
        }
    }

    async fn send(&mut self, b: &[u8]) {
        self.s.write_all(b).await.unwrap();
    }

    /// The next message; None on EOF.
    async fn recv(&mut self) -> Option<Msg> {
        let fut = async {
            let t = self.s.read_u8().await.ok()?;
            let len = self.s.read_i32().await.ok()?;
            let mut body = vec![0u8; (len - 4) as usize];
            self.s.read_exact(&mut body).await.ok()?;
            Some(Msg { t, body })
        };
        tokio::time::timeout(Duration::from_secs(10), fut).await.unwrap()
    }

    /// Messages up to and including ReadyForQuery.
    async fn until_ready(&mut self) -> Vec<Msg> {
        let mut v = Vec::new();
        while let Some(m) = self.recv().await {
            let done = m.t == b'Z';
            v.push(m);
            if done {
                return v;
            }
        }
        panic!("connection closed before ReadyForQuery: {v:?}");
    }

    /// Logs in as plantdb (trusted on loopback).
    async fn login(port: u16) -> (Raw, Vec<Msg>) {
        let mut r = Raw::connect(port).await;
        r.send(&startup_packet(&[
            ("user", "plantdb"),
            ("database", "plantdb"),
            ("application_name", "raw"),
        ]))
        .await;
        let msgs = r.until_ready().await;
        (r, msgs)
    }

    /// Expects a FATAL error with this code, then EOF.
    async fn expect_fatal(&mut self, code: &str) {
        let m = self.recv().await.expect("an error before close");
        assert_eq!(m.t, b'E', "{m:?}");
        assert_eq!(m.field(b'S').as_deref(), Some("FATAL"));
        assert_eq!(m.field(b'C').as_deref(), Some(code), "{:?}", m.field(b'M'));
        assert!(self.recv().await.is_none(), "connection should be closed");
    }
}

fn types(msgs: &[Msg]) -> String {
    msgs.iter().map(|m| m.t as char).collect()
}

fn ready_status(msgs: &[Msg]) -> u8 {
    msgs.last().map(|m| m.body[0]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_and_session_messages() {
    let srv = common::start().await;
    let (mut r, msgs) = Raw::login(srv.port).await;
    // AuthenticationOk, ParameterStatus..., BackendKeyData, ReadyForQuery(I).
    assert_eq!(msgs[0].t, b'R');
    assert_eq!(msgs[0].body, 0i32.to_be_bytes());
    let params: Vec<(String, String)> = msgs
        .iter()
        .filter(|m| m.t == b'S')
        .map(|m| {
            let s = m.cstrs();
            (s[0].clone(), s[1].clone())
        })
        .collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("server_version"), Some("15.0"));
    assert_eq!(get("client_encoding"), Some("UTF8"));
    assert_eq!(get("server_encoding"), Some("UTF8"));
    assert_eq!(get("integer_datetimes"), Some("on"));
    assert_eq!(get("standard_conforming_strings"), Some("on"));
    assert_eq!(get("application_name"), Some("raw"));
    assert!(get("DateStyle").is_some_and(|d| d.starts_with("ISO")));
    assert!(msgs.iter().any(|m| m.t == b'K' && m.body.len() == 8));
    assert_eq!(ready_status(&msgs), b'I');

    // SET of a reported setting sends ParameterStatus.
    r.send(&query(b"SET application_name = 'changed'")).await;
    let m = r.until_ready().await;
    assert_eq!(types(&m), "CSZ");
    assert_eq!(
        m[1].cstrs()[..2],
        ["application_name".to_string(), "changed".to_string()]
    );

    // Transaction status in ReadyForQuery.
    r.send(&query(b"BEGIN")).await;
    assert_eq!(ready_status(&r.until_ready().await), b'T');
    r.send(&query(b"SELECT 1/0")).await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("22012"));
    assert_eq!(m[0].field(b'S').as_deref(), Some("ERROR"));
    assert_eq!(ready_status(&m), b'E');
    r.send(&query(b"SELECT 1")).await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("25P02"));
    assert_eq!(ready_status(&m), b'E');
    r.send(&query(b"ROLLBACK")).await;
    assert_eq!(ready_status(&r.until_ready().await), b'I');

    // Invalid UTF-8 in the query text: 22021, the session continues.
    r.send(&query(b"SELECT '\xff\xfe'")).await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("22021"));
    // Error fields: position and hint.
    r.send(&query(b"SELECT 1;\nSELECT 2 +* 3")).await;
    let m = r.until_ready().await;
    // A syntax error anywhere fails the whole message before anything runs.
    assert_eq!(types(&m), "EZ", "{m:?}");
    assert_eq!(m[0].field(b'C').as_deref(), Some("42601"));
    assert_eq!(m[0].field(b'P').as_deref(), Some("21"));
    // Notices arrive before CommandComplete.
    r.send(&query(b"DROP TABLE IF EXISTS nothing_here")).await;
    let m = r.until_ready().await;
    assert_eq!(types(&m), "NCZ", "{m:?}");
    assert_eq!(m[0].field(b'S').as_deref(), Some("NOTICE"));

    // Empty query.
    r.send(&query(b"")).await;
    assert_eq!(types(&r.until_ready().await), "IZ");

    // FunctionCall is refused without losing the connection.
    r.send(&msg(b'F', &[0, 0, 0, 0])).await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("0A000"));

    // Terminate.
    r.send(&msg(b'X', &[])).await;
    assert!(r.recv().await.is_none());
    srv.stop().await;
}

fn parse(name: &str, sql: &str, oids: &[u32]) -> Vec<u8> {
    let mut b = cstr(name);
    b.extend(cstr(sql));
    b.extend((oids.len() as i16).to_be_bytes());
    for o in oids {
        b.extend(o.to_be_bytes());
    }
    msg(b'P', &b)
}

fn bind(portal: &str, stmt: &str, pfmt: &[i16], params: &[Option<&[u8]>], rfmt: &[i16]) -> Vec<u8> {
    let mut b = cstr(portal);
    b.extend(cstr(stmt));
    b.extend((pfmt.len() as i16).to_be_bytes());
    for f in pfmt {
        b.extend(f.to_be_bytes());
    }
    b.extend((params.len() as i16).to_be_bytes());
    for p in params {
        match p {
            None => b.extend((-1i32).to_be_bytes()),
            Some(v) => {
                b.extend((v.len() as i32).to_be_bytes());
                b.extend_from_slice(v);
            }
        }
    }
    b.extend((rfmt.len() as i16).to_be_bytes());
    for f in rfmt {
        b.extend(f.to_be_bytes());
    }
    msg(b'B', &b)
}

fn describe(kind: u8, name: &str) -> Vec<u8> {
    let mut b = vec![kind];
    b.extend(cstr(name));
    msg(b'D', &b)
}

fn execute(portal: &str, max: i32) -> Vec<u8> {
    let mut b = cstr(portal);
    b.extend(max.to_be_bytes());
    msg(b'E', &b)
}

fn sync() -> Vec<u8> {
    msg(b'S', &[])
}

/// The text of column 0 of a DataRow.
fn cell(m: &Msg) -> Option<String> {
    assert_eq!(m.t, b'D');
    let len = i32::from_be_bytes(m.body[2..6].try_into().unwrap());
    (len >= 0).then(|| String::from_utf8_lossy(&m.body[6..6 + len as usize]).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_protocol_by_hand() {
    let srv = common::start().await;
    let (mut r, _) = Raw::login(srv.port).await;

    // Text parameters without type OIDs; Describe of statement and portal.
    let mut m = parse("s1", "SELECT $1::int4 + 1 AS n, $2 AS t", &[]);
    m.extend(describe(b'S', "s1"));
    m.extend(bind("", "s1", &[0], &[Some(b"41"), Some(b"hello")], &[0]));
    m.extend(describe(b'P', ""));
    m.extend(execute("", 0));
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(types(&got), "1tT2TDCZ", "{got:?}");
    // ParameterDescription: int4, text (unknown resolved to text).
    assert_eq!(
        got[1].body,
        [
            &2i16.to_be_bytes()[..],
            &23u32.to_be_bytes(),
            &25u32.to_be_bytes()
        ]
        .concat()
    );
    assert_eq!(cell(&got[5]).as_deref(), Some("42"));
    assert_eq!(got[6].cstrs()[0], "SELECT 1");

    // Result formats per column: binary int4.
    let mut m = bind("", "s1", &[], &[Some(b"1"), Some(b"x")], &[1, 0]);
    m.extend(execute("", 0));
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(types(&got), "2DCZ");
    assert_eq!(&got[1].body[2..10], &[0, 0, 0, 4, 0, 0, 0, 2]);

    // Portal suspension with max_rows, and a named portal kept until Sync ends it.
    r.send(&query(b"CREATE TABLE p (ts timestamp, n int); INSERT INTO p VALUES ('2026-01-01 00:00:01', 1), ('2026-01-01 00:00:02', 2), ('2026-01-01 00:00:03', 3)")).await;
    r.until_ready().await;
    let mut m = parse("", "SELECT n FROM p ORDER BY n", &[]);
    m.extend(bind("c1", "", &[], &[], &[]));
    m.extend(execute("c1", 2));
    m.extend(execute("c1", 2));
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(types(&got), "12DDsDCZ", "{got:?}");
    assert_eq!(got[got.len() - 2].cstrs()[0], "SELECT 1");

    // An error skips everything up to Sync: one ErrorResponse, then ReadyForQuery.
    let mut m = parse("", "SELEC nonsense", &[]);
    m.extend(bind("", "", &[], &[], &[]));
    m.extend(execute("", 0));
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(types(&got), "EZ");
    assert_eq!(got[0].field(b'C').as_deref(), Some("42601"));

    // Wrong parameter count and bad text values: errors, connection intact.
    let mut m = bind("", "s1", &[], &[Some(b"1")], &[]);
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(got[0].field(b'C').as_deref(), Some("08P01"));
    let mut m = bind("", "s1", &[], &[Some(b"abc"), None], &[]);
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(got[0].field(b'C').as_deref(), Some("22P02"));
    // Unknown statement / portal; duplicate statement name.
    let mut m = bind("", "nope", &[], &[], &[]);
    m.extend(sync());
    m.extend(execute("nope", 0));
    m.extend(sync());
    m.extend(parse("s1", "SELECT 1", &[]));
    m.extend(sync());
    r.send(&m).await;
    assert_eq!(r.until_ready().await[0].field(b'C').as_deref(), Some("26000"));
    assert_eq!(r.until_ready().await[0].field(b'C').as_deref(), Some("34000"));
    assert_eq!(r.until_ready().await[0].field(b'C').as_deref(), Some("42P05"));

    // Describe + Flush without Sync (asyncpg): answers arrive at once.
    let mut m = parse("s2", "SELECT $1::int8", &[]);
    m.extend(describe(b'S', "s2"));
    m.extend(msg(b'H', &[]));
    r.send(&m).await;
    assert_eq!(r.recv().await.unwrap().t, b'1');
    assert_eq!(r.recv().await.unwrap().t, b't');
    assert_eq!(r.recv().await.unwrap().t, b'T');
    // Close, then the statement is gone.
    let mut m = msg(b'C', &[&[b'S'][..], &cstr("s2")].concat());
    m.extend(sync());
    m.extend(describe(b'S', "s2"));
    m.extend(sync());
    r.send(&m).await;
    assert_eq!(types(&r.until_ready().await), "3Z");
    assert_eq!(r.until_ready().await[0].field(b'C').as_deref(), Some("26000"));

    // SQL-level PREPARE shares the namespace.
    r.send(&query(b"PREPARE q1 AS SELECT 5")).await;
    r.until_ready().await;
    let mut m = bind("", "q1", &[], &[], &[]);
    m.extend(execute("", 0));
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(cell(&got[1]).as_deref(), Some("5"));

    // COPY through the extended protocol.
    let mut m = parse("", "COPY p FROM STDIN", &[]);
    m.extend(bind("", "", &[], &[], &[]));
    m.extend(execute("", 0));
    r.send(&m).await;
    assert_eq!(r.recv().await.unwrap().t, b'1');
    assert_eq!(r.recv().await.unwrap().t, b'2');
    let g = r.recv().await.unwrap();
    assert_eq!(g.t, b'G');
    let mut m = msg(b'd', b"2026-01-02 00:00:00\t");
    m.extend(msg(b'd', b"10\n"));
    m.extend(msg(b'c', &[]));
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(types(&got), "CZ");
    assert_eq!(got[0].cstrs()[0], "COPY 1");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_closes_only_that_connection() {
    let srv = common::start_with(|c| c.max_message_bytes = 1 << 20).await;
    let port = srv.port;
    // A healthy session that must survive everything below.
    let (mut keep, _) = Raw::login(port).await;

    // Garbage instead of a startup packet.
    let mut r = Raw::connect(port).await;
    r.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    r.expect_fatal("08P01").await;
    // Startup packet too short / too long.
    let mut r = Raw::connect(port).await;
    r.send(&[0, 0, 0, 4]).await;
    r.expect_fatal("08P01").await;
    let mut r = Raw::connect(port).await;
    r.send(&[0, 1, 0, 0, 0, 3, 0, 0]).await;
    r.expect_fatal("08P01").await;
    // Unsupported protocol version.
    let mut r = Raw::connect(port).await;
    let mut p = startup_packet(&[("user", "plantdb")]);
    p[4..8].copy_from_slice(&0x0002_0000i32.to_be_bytes());
    r.send(&p).await;
    r.expect_fatal("0A000").await;
    // Missing user; unknown user; unknown database.
    let mut r = Raw::connect(port).await;
    r.send(&startup_packet(&[("database", "plantdb")])).await;
    r.expect_fatal("28000").await;
    let mut r = Raw::connect(port).await;
    r.send(&startup_packet(&[("user", "nobody")])).await;
    r.expect_fatal("28000").await;
    let mut r = Raw::connect(port).await;
    r.send(&startup_packet(&[("user", "plantdb"), ("database", "elsewhere")]))
        .await;
    r.expect_fatal("3D000").await;
    // Unknown startup parameter.
    let mut r = Raw::connect(port).await;
    r.send(&startup_packet(&[("user", "plantdb"), ("no_such_setting", "1")]))
        .await;
    r.expect_fatal("42704").await;
    // Startup packet cut short, then the client disappears.
    let mut r = Raw::connect(port).await;
    r.send(&startup_packet(&[("user", "plantdb")])[..10]).await;
    drop(r);
    // SSLRequest without a certificate: 'N', then a normal startup.
    let mut r = Raw::connect(port).await;
    r.send(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).await;
    let mut b = [0u8; 1];
    r.s.read_exact(&mut b).await.unwrap();
    assert_eq!(&b, b"N");
    r.send(&startup_packet(&[("user", "plantdb")])).await;
    r.until_ready().await;
    // GSSENCRequest: 'N'.
    let mut r = Raw::connect(port).await;
    r.send(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]).await;
    r.s.read_exact(&mut b).await.unwrap();
    assert_eq!(&b, b"N");
    // A CancelRequest with a wrong key is ignored (connection closed, nothing cancelled).
    let mut r = Raw::connect(port).await;
    r.send(&[0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2])
        .await;
    assert!(r.recv().await.is_none());

    // After startup: unknown message type.
    let (mut r, _) = Raw::login(port).await;
    r.send(&msg(b'z', b"junk")).await;
    r.expect_fatal("08P01").await;
    // Length below 4.
    let (mut r, _) = Raw::login(port).await;
    r.send(&[b'Q', 0, 0, 0, 2]).await;
    r.expect_fatal("08P01").await;
    // Oversized message (beyond max_message_bytes): refused before reading its body.
    let (mut r, _) = Raw::login(port).await;
    r.send(&[b'Q', 0x7f, 0xff, 0xff, 0xff, b'S']).await;
    r.expect_fatal("08P01").await;
    // Truncated message, then EOF.
    let (mut r, _) = Raw::login(port).await;
    r.send(&[b'Q', 0, 0, 0, 100, b'S', b'E']).await;
    r.s.shutdown().await.unwrap();
    assert!(r.recv().await.is_none());
    // A message whose body does not match its type: an ERROR, the session survives.
    let (mut r, _) = Raw::login(port).await;
    let mut m = msg(b'B', &[0]);
    m.extend(sync());
    r.send(&m).await;
    let got = r.until_ready().await;
    assert_eq!(got[0].field(b'C').as_deref(), Some("08P01"));
    r.send(&query(b"SELECT 1")).await;
    assert_eq!(types(&r.until_ready().await), "TDCZ");
    // Query text without its terminating NUL.
    let (mut r, _) = Raw::login(port).await;
    r.send(&msg(b'Q', b"SELECT 1")).await;
    r.expect_fatal("08P01").await;

    // The healthy session and new well-formed clients still work.
    keep.send(&query(b"SELECT 'ok'")).await;
    let got = keep.until_ready().await;
    assert_eq!(cell(&got[1]).as_deref(), Some("ok"));
    let c = srv.client().await;
    let v: i32 = c.query_one("SELECT 2 + 2", &[]).await.unwrap().get(0);
    assert_eq!(v, 4);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_terminates_sessions() {
    let srv = common::start().await;
    let (mut r, _) = Raw::login(srv.port).await;
    let server = srv.server.as_ref().unwrap().handle.clone();
    server.shutdown();
    r.expect_fatal("57P01").await;
    srv.stop().await;
}

/// A simple Query drops the unnamed statement (as in PostgreSQL: Bind to "" afterwards fails
/// with 26000), and an error in Parse or Bind inside a transaction block fails the block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_query_drops_unnamed_and_parse_bind_errors_fail_the_block() {
    let srv = common::start().await;
    let (mut r, _) = Raw::login(srv.port).await;
    let parse = |sql: &str| {
        let mut b = cstr("");
        b.extend(cstr(sql));
        b.extend(0i16.to_be_bytes());
        msg(b'P', &b)
    };
    let bind_unnamed = |params: &[&[u8]]| {
        let mut b = cstr("");
        b.extend(cstr(""));
        b.extend(0i16.to_be_bytes());
        b.extend((params.len() as i16).to_be_bytes());
        for p in params {
            b.extend((p.len() as i32).to_be_bytes());
            b.extend_from_slice(p);
        }
        b.extend(0i16.to_be_bytes());
        msg(b'B', &b)
    };
    let execute = {
        let mut b = cstr("");
        b.extend(0i32.to_be_bytes());
        msg(b'E', &b)
    };
    let sync = msg(b'S', b"");

    r.send(&[parse("SELECT 1"), sync.clone()].concat()).await;
    assert_eq!(types(&r.until_ready().await), "1Z");
    r.send(&query(b"SELECT 2")).await;
    r.until_ready().await;
    r.send(&[bind_unnamed(&[]), execute.clone(), sync.clone()].concat())
        .await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("26000"), "{m:?}");

    // Parse error inside BEGIN: the block is failed ('E'), later statements get 25P02.
    r.send(&query(b"BEGIN")).await;
    assert_eq!(ready_status(&r.until_ready().await), b'T');
    r.send(&[parse("SELECT * FROM missing"), sync.clone()].concat())
        .await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("42P01"));
    assert_eq!(ready_status(&m), b'E');
    r.send(&query(b"SELECT 1")).await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("25P02"));
    r.send(&query(b"ROLLBACK")).await;
    assert_eq!(ready_status(&r.until_ready().await), b'I');

    // Bind error (a parameter that is not an integer) inside BEGIN: the same.
    r.send(&query(b"BEGIN")).await;
    r.until_ready().await;
    r.send(&[parse("SELECT $1::int4"), bind_unnamed(&[b"12x"]), execute, sync].concat())
        .await;
    let m = r.until_ready().await;
    let e = m.iter().find(|m| m.t == b'E').expect("an error");
    assert_eq!(e.field(b'C').as_deref(), Some("22P02"), "{m:?}");
    assert_eq!(ready_status(&m), b'E');
    r.send(&query(b"SELECT 1")).await;
    let m = r.until_ready().await;
    assert_eq!(m[0].field(b'C').as_deref(), Some("25P02"));
    r.send(&query(b"ROLLBACK")).await;
    assert_eq!(ready_status(&r.until_ready().await), b'I');
    srv.stop().await;
}
