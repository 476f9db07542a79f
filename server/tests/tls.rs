//! SSL: SSLRequest answered 'S' with a certificate configured, then the whole session runs over
//! TLS (rustls on both ends, self-signed certificate generated here).
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] functions

mod common;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use plantdb_server::AuthMode;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// A rustls connector for tokio-postgres; `binding` is what the stream reports as
/// tls-server-end-point data (None: no channel binding).
#[derive(Clone)]
struct Rustls(Arc<rustls::ClientConfig>, Option<Vec<u8>>);

struct Connector {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
    binding: Option<Vec<u8>>,
}

struct Stream<S>(tokio_rustls::client::TlsStream<S>, Option<Vec<u8>>);

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> MakeTlsConnect<S> for Rustls {
    type Stream = Stream<S>;
    type TlsConnect = Connector;
    type Error = io::Error;
    fn make_tls_connect(&mut self, domain: &str) -> io::Result<Connector> {
        let name = ServerName::try_from(domain.to_string()).map_err(io::Error::other)?;
        Ok(Connector {
            config: self.0.clone(),
            name,
            binding: self.1.clone(),
        })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> TlsConnect<S> for Connector {
    type Stream = Stream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream<S>>> + Send>>;
    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let s = tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, stream)
                .await?;
            Ok(Stream(s, self.binding))
        })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Stream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        match &self.1 {
            Some(b) => ChannelBinding::tls_server_end_point(b.clone()),
            None => ChannelBinding::none(),
        }
    }
}

fn client_tls(cert: &CertificateDer<'static>) -> Rustls {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Rustls(Arc::new(config), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_sessions() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = common::TempDir::new("tls");
    let cert_path = dir.0.join("server.crt");
    let key_path = dir.0.join("server.key");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    let cert_der = certified.cert.der().clone();

    let srv = {
        let (c, k) = (cert_path.clone(), key_path.clone());
        common::start_with(move |cfg| {
            cfg.tls_cert = Some(c);
            cfg.tls_key = Some(k);
            cfg.auth = AuthMode::Scram;
        })
        .await
    };
    for r in srv
        .engine
        .session("plantdb")
        .execute("ALTER ROLE plantdb PASSWORD 'sekrit'")
    {
        r.unwrap();
    }
    let mut cfg = tokio_postgres::Config::new();
    cfg.host("localhost")
        .port(srv.port)
        .user("plantdb")
        .password("sekrit")
        .dbname("plantdb")
        .ssl_mode(SslMode::Require);
    let (c, conn) = cfg.connect(client_tls(&cert_der)).await.unwrap();
    tokio::spawn(conn);
    // Simple, extended and COPY traffic over TLS.
    c.batch_execute("CREATE TABLE t (ts timestamp, n int)")
        .await
        .unwrap();
    let stmt = c
        .prepare("INSERT INTO t VALUES ($1::text::timestamp, $2)")
        .await
        .unwrap();
    for i in 0..100 {
        c.execute(&stmt, &[&format!("2026-01-01 00:00:{:02}", i % 60), &i])
            .await
            .unwrap();
    }
    let rows = c.query("SELECT n FROM t ORDER BY n", &[]).await.unwrap();
    assert_eq!(rows.len(), 100);
    let long = "x".repeat(100_000);
    let big: String = c.query_one("SELECT $1::text", &[&long]).await.unwrap().get(0);
    assert_eq!(big.len(), 100_000);

    // SCRAM-SHA-256-PLUS: channel binding to the certificate's hash.
    use sha2::Digest;
    let mut bound = client_tls(&cert_der);
    bound.1 = Some(sha2::Sha256::digest(cert_der.as_ref()).to_vec());
    let mut strict = cfg.clone();
    strict.channel_binding(tokio_postgres::config::ChannelBinding::Require);
    let (c3, conn) = strict.connect(bound.clone()).await.unwrap();
    tokio::spawn(conn);
    c3.simple_query("SELECT 1").await.unwrap();
    // A client bound to another certificate (a man in the middle) is refused.
    bound.1 = Some(vec![0; 32]);
    let e = strict.connect(bound).await.err().unwrap();
    assert_eq!(common::code(&e), "08P01");

    // Direct SSL (PostgreSQL 17): TLS from the first byte, ALPN "postgresql" required.
    let mut direct = cfg.clone();
    direct.ssl_negotiation(tokio_postgres::config::SslNegotiation::Direct);
    let mut alpn = client_tls(&cert_der);
    let mut inner = (*alpn.0).clone();
    inner.alpn_protocols = vec![b"postgresql".to_vec()];
    alpn.0 = Arc::new(inner);
    let (c4, conn) = direct.connect(alpn).await.unwrap();
    tokio::spawn(conn);
    c4.simple_query("SELECT 1").await.unwrap();
    let e = direct.connect(client_tls(&cert_der)).await.err().unwrap();
    assert_eq!(common::code(&e), "08P01");

    // A client that does not trust the certificate fails the handshake; the server survives.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    assert!(cfg.connect(client_tls(other.cert.der())).await.is_err());
    let (c2, conn) = cfg.connect(client_tls(&cert_der)).await.unwrap();
    tokio::spawn(conn);
    c2.simple_query("SELECT 1").await.unwrap();
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_certificate_means_no_ssl() {
    let srv = common::start().await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let mut cfg = tokio_postgres::Config::new();
    cfg.host("localhost")
        .port(srv.port)
        .user("plantdb")
        .dbname("plantdb");
    // sslmode=require fails against a server answering 'N'...
    cfg.ssl_mode(SslMode::Require);
    assert!(cfg.connect(client_tls(certified.cert.der())).await.is_err());
    // ...and sslmode=prefer falls back to plain TCP.
    cfg.ssl_mode(SslMode::Prefer);
    let (c, conn) = cfg.connect(client_tls(certified.cert.der())).await.unwrap();
    tokio::spawn(conn);
    c.simple_query("SELECT 1").await.unwrap();
    srv.stop().await;
}
