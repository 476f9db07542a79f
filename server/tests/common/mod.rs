//! Test harness: a server on an ephemeral port over a temporary data directory.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use plantdb_query::functions::Registry;
use plantdb_query::session::{QueryConfig, QueryEngine};
use plantdb_server::{RunningServer, Server, ServerConfig};
use plantdb_storage::{Durability, Engine, EngineOptions};
use tokio_postgres::{Client, NoTls};

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "plantdb-server-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub engine: Arc<QueryEngine>,
    pub port: u16,
    pub host: String,
    pub dir: TempDir,
}

pub fn engine(dir: &std::path::Path) -> Arc<QueryEngine> {
    let storage = Engine::open(
        dir,
        EngineOptions {
            durability: Durability::None,
            ..EngineOptions::default()
        },
    )
    .unwrap();
    let mut r = Registry::with_builtins();
    plantdb_extensions::register(&mut r);
    QueryEngine::new(storage, r, QueryConfig::default()).unwrap()
}

/// Starts a server on 127.0.0.1 with an ephemeral port.
pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// Starts a server after adjusting its configuration.
pub async fn start_with(f: impl FnOnce(&mut ServerConfig)) -> TestServer {
    let dir = TempDir::new("t");
    let engine = engine(&dir.0);
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    f(&mut config);
    let server = Server::bind(engine.clone(), config)
        .await
        .unwrap()
        .spawn()
        .unwrap();
    TestServer {
        port: server.addr.port(),
        host: server.addr.ip().to_string(),
        server: Some(server),
        engine,
        dir,
    }
}

impl TestServer {
    pub fn conn_str(&self, user: &str) -> String {
        format!("host={} port={} user={user} dbname=plantdb", self.host, self.port)
    }

    /// A connected client as the superuser.
    pub async fn client(&self) -> Client {
        self.client_as("plantdb").await
    }

    pub async fn client_as(&self, user: &str) -> Client {
        let (client, conn) = tokio_postgres::connect(&self.conn_str(user), NoTls)
            .await
            .unwrap();
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await.unwrap();
        }
        self.engine.storage.close().unwrap();
    }
}

/// The SQLSTATE of a tokio-postgres error.
pub fn code(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| format!("no code: {e}"))
}

/// The server-side error of a tokio-postgres error.
pub fn db_error(e: &tokio_postgres::Error) -> &tokio_postgres::error::DbError {
    e.as_db_error()
        .unwrap_or_else(|| panic!("not a server error: {e:?}"))
}

/// A statement that runs for a long time: pg_sleep when the function library has it, else a
/// recursive query doing ~10^9 row steps.
pub async fn long_statement(c: &Client) -> &'static str {
    match c.simple_query("SELECT pg_sleep(0)").await {
        Ok(_) => "SELECT pg_sleep(10)",
        Err(_) => {
            "WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 1000), \
             r(n) AS (SELECT n FROM a UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) \
             SELECT n FROM r WHERE n < 0"
        }
    }
}
