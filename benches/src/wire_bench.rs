//! plantdb over the PostgreSQL wire protocol: an in-process `plantdb-server` on a loopback port and
//! a tokio-postgres client, which loads with `COPY ... FROM STDIN (FORMAT csv)` in 1 MiB CopyData
//! messages and runs queries with the simple query protocol, as a client application would.
use std::time::Instant;

use bytes::Bytes;
use futures_util::SinkExt;
use plantdb::Database;
use plantdb_server::{RunningServer, Server, ServerConfig};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

fn err(what: &str, e: impl std::fmt::Display) -> plantdb::Error {
    plantdb::Error::new("58000", format!("{what}: {e}"))
}

/// A server over `db` and one client connected to it.
pub struct WireSession {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    client: Option<Client>,
    conn_task: Option<tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>>,
}

impl std::fmt::Debug for WireSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireSession").finish_non_exhaustive()
    }
}

impl WireSession {
    /// Starts a server for `db` on `127.0.0.1:port` and connects to it.
    pub fn start(db: &Database, port: u16) -> Result<WireSession, plantdb::Error> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| err("tokio runtime", e))?;
        let (server, client, conn_task) = rt.block_on(async {
            let server = Server::bind(
                db.engine().clone(),
                ServerConfig {
                    listen: format!("127.0.0.1:{port}"),
                    ..ServerConfig::default()
                },
            )
            .await
            .map_err(|e| err("server bind", e))?;
            let running = server.spawn().map_err(|e| err("server spawn", e))?;
            let (client, connection) = tokio_postgres::connect(
                &format!("host=127.0.0.1 port={port} user=plantdb dbname=plantdb"),
                NoTls,
            )
            .await
            .map_err(|e| err("connect", e))?;
            let conn_task = tokio::spawn(connection);
            Ok::<_, plantdb::Error>((running, client, conn_task))
        })?;
        Ok(WireSession {
            rt,
            server: Some(server),
            client: Some(client),
            conn_task: Some(conn_task),
        })
    }

    fn client(&self) -> Result<&Client, plantdb::Error> {
        self.client.as_ref().ok_or_else(|| err("client", "closed"))
    }

    /// Creates and COPYs every table, then CHECKPOINTs. Returns the seconds from the first CREATE
    /// TABLE to the end of the CHECKPOINT.
    pub fn load(&self, tables: &[(&'static str, String, Vec<u8>)]) -> Result<f64, plantdb::Error> {
        let client = self.client()?;
        self.rt.block_on(async {
            let t0 = Instant::now();
            for (name, ddl, data) in tables {
                client.batch_execute(ddl).await.map_err(|e| err(name, e))?;
                let sink = client
                    .copy_in::<_, Bytes>(&format!("COPY {name} FROM STDIN (FORMAT csv)"))
                    .await
                    .map_err(|e| err(name, e))?;
                futures_util::pin_mut!(sink);
                for chunk in data.chunks(1 << 20) {
                    sink.send(Bytes::copy_from_slice(chunk))
                        .await
                        .map_err(|e| err(name, e))?;
                }
                sink.finish().await.map_err(|e| err(name, e))?;
            }
            client
                .batch_execute("CHECKPOINT")
                .await
                .map_err(|e| err("CHECKPOINT", e))?;
            Ok(t0.elapsed().as_secs_f64())
        })
    }

    /// Runs one statement; returns the number of rows.
    pub fn query(&self, sql: &str) -> Result<usize, plantdb::Error> {
        let client = self.client()?;
        let msgs = self
            .rt
            .block_on(client.simple_query(sql))
            .map_err(|e| err("query", e))?;
        Ok(msgs
            .iter()
            .filter(|m| matches!(m, SimpleQueryMessage::Row(_)))
            .count())
    }

    /// Disconnects and stops the server.
    pub fn stop(mut self) -> Result<(), plantdb::Error> {
        drop(self.client.take());
        let task = self.conn_task.take();
        let server = self.server.take();
        self.rt.block_on(async {
            if let Some(t) = task {
                let _ = t.await;
            }
            if let Some(s) = server {
                s.stop().await.map_err(|e| err("server stop", e))?;
            }
            Ok(())
        })
    }
}
