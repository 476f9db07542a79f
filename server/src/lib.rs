//! plantdb's PostgreSQL wire-protocol server (protocol 3.0).
//!
//! [`Server::bind`] listens; [`Server::run`] accepts connections until [`ShutdownHandle::shutdown`]
//! is called, then terminates the sessions and returns. Each connection owns one
//! [`plantdb_query::session::Session`]; statements run on tokio's blocking pool so that a heavy
//! query never stalls other connections, and results stream to the socket while they are
//! encoded.
//!
//! Supported: simple and extended query protocols (named statements and portals, portal
//! suspension, text and binary formats), COPY FROM STDIN / TO STDOUT (text, CSV, binary),
//! CancelRequest, statement_timeout, idle_session_timeout and
//! idle_in_transaction_session_timeout, SSL (rustls; SSLRequest and PostgreSQL 17 direct SSL),
//! SCRAM-SHA-256 and SCRAM-SHA-256-PLUS authentication. Malformed input ends only the offending connection (FATAL 08P01).
mod binary;
mod codec;
mod conn;
mod copy_binary;
pub mod psql;
mod rows;
mod scram;
mod startup;
mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use plantdb_query::session::QueryEngine;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Who must authenticate with a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Loopback connections are trusted; other connections need SCRAM-SHA-256.
    #[default]
    LoopbackTrust,
    /// Every connection is trusted (no password anywhere).
    Trust,
    /// Every connection needs SCRAM-SHA-256, loopback included.
    Scram,
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (`host:port`; port 0 picks a free port).
    pub listen: String,
    /// Most concurrent sessions; more get FATAL 53300.
    pub max_connections: usize,
    /// PEM certificate chain for SSL.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for SSL.
    pub tls_key: Option<PathBuf>,
    /// Authentication policy.
    pub auth: AuthMode,
    /// Largest frontend message accepted (bytes).
    pub max_message_bytes: usize,
    /// Largest startup packet accepted (bytes).
    pub max_startup_bytes: usize,
    /// Time allowed for startup and authentication.
    pub startup_timeout: Duration,
    /// How long shutdown waits for sessions to end before abandoning them.
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:5432".into(),
            max_connections: 100,
            tls_cert: None,
            tls_key: None,
            auth: AuthMode::LoopbackTrust,
            max_message_bytes: 1 << 30,
            max_startup_bytes: 10_000,
            startup_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Errors starting the server.
#[derive(Debug)]
pub enum ServerError {
    /// Socket errors.
    Io(std::io::Error),
    /// SSL configuration errors.
    Tls(String),
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::Io(e) => write!(f, "{e}"),
            ServerError::Tls(e) => write!(f, "SSL configuration: {e}"),
        }
    }
}

impl std::error::Error for ServerError {}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Io(e)
    }
}

/// A session's cancel key and flag.
#[derive(Debug)]
struct CancelEntry {
    secret: i32,
    flag: Arc<AtomicBool>,
}

/// State shared by all connections.
pub(crate) struct Shared {
    pub(crate) engine: Arc<QueryEngine>,
    pub(crate) config: ServerConfig,
    pub(crate) tls: Option<tokio_rustls::TlsAcceptor>,
    /// `tls-server-end-point` channel-binding data of the certificate.
    pub(crate) tls_end_point: Option<Vec<u8>>,
    active: AtomicUsize,
    cancels: Mutex<HashMap<i32, CancelEntry>>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// Counts a session against `max_connections` while alive.
pub(crate) struct Slot {
    shared: Arc<Shared>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.active.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Shared {
    /// Takes a connection slot, unless all are in use.
    pub(crate) fn acquire(self: &Arc<Self>) -> Option<Slot> {
        let n = self.active.fetch_add(1, Ordering::SeqCst);
        let slot = Slot { shared: self.clone() };
        if n >= self.config.max_connections {
            return None;
        }
        Some(slot)
    }

    pub(crate) fn register_cancel(&self, pid: i32, secret: i32, flag: Arc<AtomicBool>) {
        if let Ok(mut m) = self.cancels.lock() {
            m.insert(pid, CancelEntry { secret, flag });
        }
    }

    pub(crate) fn unregister_cancel(&self, pid: i32) {
        if let Ok(mut m) = self.cancels.lock() {
            m.remove(&pid);
        }
    }

    /// A CancelRequest: sets the session's cancel flag when the key matches.
    pub(crate) fn cancel(&self, pid: i32, secret: i32) {
        if let Ok(m) = self.cancels.lock()
            && let Some(e) = m.get(&pid)
            && e.secret == secret
        {
            e.flag.store(true, Ordering::SeqCst);
        }
    }

    fn cancel_all(&self) {
        if let Ok(m) = self.cancels.lock() {
            for e in m.values() {
                e.flag.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// Stops a running server.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    tx: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Stops accepting, terminates sessions, and makes [`Server::run`] return.
    pub fn shutdown(&self) {
        self.tx.send_replace(true);
    }
}

/// A listening server.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
    tx: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .finish()
    }
}

impl Server {
    /// Binds the listening socket (and loads the SSL certificate when configured).
    pub async fn bind(engine: Arc<QueryEngine>, config: ServerConfig) -> Result<Server, ServerError> {
        let (tls, tls_end_point) = match (&config.tls_cert, &config.tls_key) {
            (Some(c), Some(k)) => {
                let (a, e) = tls::acceptor(c, k).map_err(ServerError::Tls)?;
                (Some(a), e)
            }
            (None, None) => (None, None),
            _ => {
                return Err(ServerError::Tls("both a certificate and a key are needed".into()));
            }
        };
        let listener = TcpListener::bind(&config.listen).await?;
        let (tx, rx) = watch::channel(false);
        Ok(Server {
            listener,
            shared: Arc::new(Shared {
                engine,
                config,
                tls,
                tls_end_point,
                active: AtomicUsize::new(0),
                cancels: Mutex::new(HashMap::new()),
                shutdown: rx,
            }),
            tx: Arc::new(tx),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle { tx: self.tx.clone() }
    }

    /// Serves until shut down; then stops accepting, cancels running statements, ends every
    /// session (FATAL 57P01) and waits for them (up to `shutdown_grace`).
    pub async fn run(self) -> Result<(), ServerError> {
        let Server { listener, shared, tx } = self;
        let mut rx = tx.subscribe();
        let mut tasks = JoinSet::new();
        loop {
            if *rx.borrow() {
                break;
            }
            tokio::select! {
                r = listener.accept() => match r {
                    Ok((tcp, peer)) => {
                        tasks.spawn(startup::handle(tcp, peer, shared.clone()));
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little, keep serving.
                        eprintln!("plantdb: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                _ = rx.changed() => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(listener);
        shared.cancel_all();
        let drained = tokio::time::timeout(shared.config.shutdown_grace, async {
            while tasks.join_next().await.is_some() {
                shared.cancel_all();
            }
        })
        .await;
        if drained.is_err() {
            tasks.abort_all();
        }
        Ok(())
    }

    /// Runs the server on the current runtime; returns its address and a handle. The task ends
    /// after [`ShutdownHandle::shutdown`].
    pub fn spawn(self) -> std::io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let handle = self.shutdown_handle();
        let task = tokio::spawn(self.run());
        Ok(RunningServer { addr, handle, task })
    }
}

/// A server running in a task (see [`Server::spawn`]).
#[derive(Debug)]
pub struct RunningServer {
    /// Bound address.
    pub addr: SocketAddr,
    /// Stops the server.
    pub handle: ShutdownHandle,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// Shuts down and waits until every session has ended.
    pub async fn stop(self) -> Result<(), ServerError> {
        self.handle.shutdown();
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(ServerError::Io(std::io::Error::other(e.to_string()))),
        }
    }
}
