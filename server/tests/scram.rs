//! SCRAM-SHA-256 login against stored verifiers (server on 127.0.0.2 with every connection
//! required to authenticate).
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use plantdb_server::AuthMode;
use tokio_postgres::NoTls;

async fn login(
    srv: &common::TestServer,
    user: &str,
    password: Option<&str>,
) -> Result<(), tokio_postgres::Error> {
    let mut cfg = tokio_postgres::Config::new();
    cfg.host(&srv.host).port(srv.port).user(user).dbname("plantdb");
    if let Some(p) = password {
        cfg.password(p);
    }
    let (c, conn) = cfg.connect(NoTls).await?;
    tokio::spawn(conn);
    let r: i32 = c.query_one("SELECT 7", &[]).await?.get(0);
    assert_eq!(r, 7);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scram_login() {
    let srv = common::start_with(|c| {
        c.listen = "127.0.0.2:0".into();
        c.auth = AuthMode::Scram;
    })
    .await;
    assert_eq!(srv.host, "127.0.0.2");
    let mut s = srv.engine.session("plantdb");
    for sql in [
        "CREATE ROLE alice LOGIN PASSWORD 'wonder land'",
        "CREATE ROLE bob LOGIN",
        "CREATE ROLE carol PASSWORD 'x'",
    ] {
        for r in s.execute(sql) {
            r.unwrap();
        }
    }

    login(&srv, "alice", Some("wonder land")).await.unwrap();

    let e = login(&srv, "alice", Some("wrong")).await.unwrap_err();
    let db = common::db_error(&e);
    assert_eq!(db.code().code(), "28P01");
    assert_eq!(db.message(), "password authentication failed for user \"alice\"");

    // No password given: the client cannot answer the SASL challenge.
    assert!(login(&srv, "alice", None).await.is_err());
    // Users without a verifier cannot log in (the superuser has none yet).
    let e = login(&srv, "bob", Some("anything")).await.unwrap_err();
    assert_eq!(common::code(&e), "28P01");
    let e = login(&srv, "plantdb", Some("")).await.unwrap_err();
    assert_eq!(common::code(&e), "28P01");
    // Unknown user, and a role without LOGIN.
    let e = login(&srv, "mallory", Some("x")).await.unwrap_err();
    assert_eq!(common::code(&e), "28000");
    let e = login(&srv, "carol", Some("x")).await.unwrap_err();
    assert_eq!(common::code(&e), "28000");

    // A password set later (as `plantdb serve --password` does) works at once.
    for r in s.execute("ALTER ROLE plantdb PASSWORD 'admin'") {
        r.unwrap();
    }
    login(&srv, "plantdb", Some("admin")).await.unwrap();
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_trusted_by_default() {
    let srv = common::start().await;
    let mut s = srv.engine.session("plantdb");
    for r in s.execute("CREATE ROLE dave LOGIN PASSWORD 'pw'") {
        r.unwrap();
    }
    // Loopback: no password needed (a wrong one is ignored).
    login(&srv, "dave", None).await.unwrap();
    login(&srv, "plantdb", Some("whatever")).await.unwrap();
    // Wrong database.
    let s = format!("host={} port={} user=plantdb dbname=other", srv.host, srv.port);
    let e = tokio_postgres::connect(&s, NoTls).await.err().unwrap();
    let db = common::db_error(&e);
    assert_eq!(db.code().code(), "3D000");
    assert_eq!(db.message(), "database \"other\" does not exist");
    srv.stop().await;
}
