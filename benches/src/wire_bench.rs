//! Load over the PostgreSQL wire protocol: an in-process `plantdb-server` on a loopback port and a
//! tokio-postgres client sending `COPY ... FROM STDIN (FORMAT csv)` in 1 MiB CopyData messages,
//! as a client application would.
use std::time::Instant;

use bytes::Bytes;
use futures_util::SinkExt;
use plantdb::Database;
use plantdb_server::{Server, ServerConfig};
use tokio_postgres::NoTls;

fn err(what: &str, e: impl std::fmt::Display) -> plantdb::Error {
    plantdb::Error::new("58000", format!("{what}: {e}"))
}

/// Creates and COPYs every table into `db` through a server on `127.0.0.1:port`, then CHECKPOINTs.
/// Returns the seconds from the first CREATE TABLE to the end of the CHECKPOINT, and part bytes.
pub fn load(
    db: &Database,
    tables: &[(&'static str, String, Vec<u8>)],
    port: u16,
) -> Result<(f64, u64), plantdb::Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| err("tokio runtime", e))?;
    let seconds = rt.block_on(async {
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
        let seconds = t0.elapsed().as_secs_f64();
        drop(client);
        let _ = conn_task.await;
        running.stop().await.map_err(|e| err("server stop", e))?;
        Ok::<f64, plantdb::Error>(seconds)
    })?;
    Ok((seconds, db.storage().stats()?.part_bytes))
}
