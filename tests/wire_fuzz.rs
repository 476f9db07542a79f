//! Wire fuzz test: for 60 s (PLANTDB_FUZZ_SECS overrides) connections to `plantdb serve` send
//! random bytes, and well-formed sessions whose messages are then mutated (bit flips, wrong
//! lengths, truncation, unknown types, huge length claims, invalid UTF-8, bad parameter
//! encodings). Throughout, a well-formed client must keep getting answers; at the end the
//! server still answers and its resident memory has not grown without bound. The seed is
//! printed (PLANTDB_FUZZ_SEED replays it).
#![allow(clippy::unwrap_used, clippy::panic)] // test code

mod serve;

use std::time::{Duration, Instant};

use serve::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// xorshift64*: small, deterministic, good enough for mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![tag];
    m.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

fn startup() -> Vec<u8> {
    let mut body = 196_608i32.to_be_bytes().to_vec();
    for s in [
        "user",
        "plantdb",
        "database",
        "plantdb",
        "application_name",
        "fuzz",
        "",
    ] {
        body.extend(cstr(s));
    }
    let mut m = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    m.extend(body);
    m
}

/// Well-formed frontend messages after startup: the material the mutations start from.
fn corpus() -> Vec<Vec<u8>> {
    let parse = |name: &str, sql: &str, oids: &[i32]| {
        let mut b = cstr(name);
        b.extend(cstr(sql));
        b.extend((oids.len() as i16).to_be_bytes());
        for o in oids {
            b.extend(o.to_be_bytes());
        }
        msg(b'P', &b)
    };
    let bind = |stmt: &str, params: &[(i16, &[u8])]| {
        let mut b = cstr("");
        b.extend(cstr(stmt));
        b.extend((params.len() as i16).to_be_bytes());
        for (f, _) in params {
            b.extend(f.to_be_bytes());
        }
        b.extend((params.len() as i16).to_be_bytes());
        for (_, v) in params {
            b.extend((v.len() as i32).to_be_bytes());
            b.extend_from_slice(v);
        }
        b.extend(1i16.to_be_bytes());
        b.extend(1i16.to_be_bytes());
        msg(b'B', &b)
    };
    let mut execute = cstr("");
    execute.extend(0i32.to_be_bytes());
    vec![
        msg(b'Q', &cstr("SELECT 1; SELECT count(*) FROM t")),
        msg(
            b'Q',
            &cstr("INSERT INTO t VALUES ('2024-01-01 00:00:00', 1, 'x')"),
        ),
        msg(b'Q', &cstr("COPY t FROM STDIN")),
        msg(b'd', b"2024-01-01 00:00:01\t2\ty\n"),
        msg(b'c', b""),
        msg(b'f', &cstr("client gave up")),
        parse("s1", "SELECT $1::int4 + $2::int8, $3::text", &[23, 20, 25]),
        parse("", "SELECT * FROM t WHERE ts > $1 AND v = $2", &[1114, 0]),
        bind(
            "s1",
            &[(1, &7i32.to_be_bytes()), (1, &9i64.to_be_bytes()), (0, b"abc")],
        ),
        bind("", &[(1, &0i64.to_be_bytes()), (0, b"12")]),
        msg(b'D', &cstr("Ss1")),
        msg(b'D', &cstr("P")),
        msg(b'E', &execute),
        msg(b'C', &cstr("Ss1")),
        msg(b'H', b""),
        msg(b'S', b""),
    ]
}

/// One mutation of a session: startup, then well-formed and mutated messages.
fn session(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(10) {
        // Pure noise, sometimes in place of the startup packet.
        0 => {
            let n = 1 + rng.below(4096);
            return rng.bytes(n);
        }
        // A startup packet mutated.
        1 => {
            let mut s = startup();
            mutate(rng, &mut s);
            return s;
        }
        // An SSLRequest or CancelRequest with random contents.
        2 => {
            let code = [80_877_103i32, 80_877_102, 80_877_104][rng.below(3)];
            out.extend(16i32.to_be_bytes());
            out.extend(code.to_be_bytes());
            out.extend(rng.bytes(8));
            return out;
        }
        _ => out.extend(startup()),
    }
    for _ in 0..1 + rng.below(12) {
        let mut m = corpus[rng.below(corpus.len())].clone();
        if rng.below(3) > 0 {
            mutate(rng, &mut m);
        }
        out.extend(m);
    }
    out
}

fn mutate(rng: &mut Rng, m: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        if m.is_empty() {
            m.push(0);
        }
        let i = rng.below(m.len());
        match rng.below(8) {
            0 => m[i] ^= 1 << rng.below(8),
            1 => m[i] = rng.next() as u8,
            2 => m.truncate(i),
            3 => {
                // A length word claiming anything, huge or negative included.
                let at = (1 + rng.below(4)).min(m.len());
                let claim = [i32::MAX, -1, 0, 3, 1 << 30, rng.next() as i32][rng.below(6)];
                let end = (at + 4).min(m.len());
                m.splice(at..end, claim.to_be_bytes());
            }
            4 => m[0] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\0\xff"[rng.below(54)],
            5 => {
                let n = 1 + rng.below(64);
                let noise = rng.bytes(n);
                m.splice(i..i, noise);
            }
            6 => {
                m.splice(i..i, [0xC3, 0x28, 0xFF, 0xFE]); // invalid UTF-8
            }
            _ => {
                let dup = m[i..].to_vec();
                m.extend(dup);
            }
        }
    }
}

/// Sends a session, reads whatever comes back for a short while, then hangs up.
async fn fuzz_one(port: u16, bytes: Vec<u8>) {
    let Ok(Ok(mut s)) =
        tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(("127.0.0.1", port))).await
    else {
        return;
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), s.write_all(&bytes)).await;
    let mut buf = vec![0u8; 64 * 1024];
    let until = Instant::now() + Duration::from_millis(60);
    while let Ok(Ok(n)) = tokio::time::timeout_at(until.into(), s.read(&mut buf)).await {
        if n == 0 {
            break;
        }
    }
}

async fn well_formed(conn_str: &str) -> i64 {
    let (c, conn) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_postgres::connect(conn_str, tokio_postgres::NoTls),
    )
    .await
    .expect("connect in time")
    .expect("connect");
    tokio::spawn(conn);
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        c.query_one("SELECT count(*) + 1 FROM t", &[]),
    )
    .await
    .expect("answer in time")
    .expect("query");
    r.get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_and_random_frames() {
    let secs: u64 = std::env::var("PLANTDB_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("PLANTDB_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    println!("fuzz: seed {seed} (PLANTDB_FUZZ_SEED={seed} replays it)");
    let mut server = Server::start();
    let conn_str = server.conn_str();
    let (c, conn) = tokio_postgres::connect(&conn_str, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    c.batch_execute(
        "CREATE TABLE t (ts timestamp, v int4, s text); INSERT INTO t VALUES ('2024-01-01', 1, 'a')",
    )
    .await
    .unwrap();
    drop(c);

    let corpus = corpus();
    let mut rng = Rng(seed);
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    let mut sessions = 0u64;
    let mut rss = Vec::new();
    let mut next_check = start;
    while Instant::now() < until {
        // Eight fuzzing connections at a time.
        let batch: Vec<_> = (0..8)
            .map(|_| tokio::spawn(fuzz_one(server.port, session(&mut rng, &corpus))))
            .collect();
        for h in batch {
            h.await.unwrap();
        }
        sessions += 8;
        if Instant::now() >= next_check {
            next_check += Duration::from_secs(5);
            assert!(server.alive(), "server died; log:\n{}", server.log());
            assert!(
                well_formed(&conn_str).await >= 2,
                "a well-formed client gets an answer"
            );
            rss.push(server.rss_kib().unwrap_or(0));
        }
    }
    assert!(server.alive(), "server died; log:\n{}", server.log());
    let n = well_formed(&conn_str).await;
    let end_rss = server.rss_kib().unwrap_or(0);
    println!(
        "fuzz: {sessions} sessions in {:.0} s; table rows now {}; RSS KiB over time {rss:?}, end {end_rss}",
        start.elapsed().as_secs_f64(),
        n - 1
    );
    // Memory: after the first quarter (warm-up: caches, buffers) RSS stays within 1.5x + 64 MiB.
    let warm = rss.get(rss.len() / 4).copied().unwrap_or(end_rss).max(1);
    assert!(
        end_rss <= warm * 3 / 2 + 64 * 1024,
        "RSS grew from {warm} KiB to {end_rss} KiB: {rss:?}"
    );
    let st = server.stop();
    assert!(
        st.is_some_and(|s| s.success()),
        "graceful shutdown after fuzzing; log:\n{}",
        server.log()
    );
}
