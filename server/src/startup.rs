//! Connection startup: SSL negotiation, the startup packet, cancel requests, authentication,
//! startup parameters, then hand-over to the session loop.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use plantdb_query::error::QueryError;
use plantdb_query::session::{Session, TxStatus, settings};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::codec::{Body, Out, ReadError, Reader, Severity, protocol_error};
use crate::conn::Conn;
use crate::scram::{Exchange, ScramError, random_bytes};
use crate::{AuthMode, Shared};

/// A byte stream: TCP, or SSL over TCP.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}
pub(crate) type BoxStream = Box<dyn Stream>;

const SSL_REQUEST: i32 = 80_877_103;
const GSSENC_REQUEST: i32 = 80_877_104;
const CANCEL_REQUEST: i32 = 80_877_102;

/// Why startup ended without a session.
pub(crate) enum Abort {
    /// Client went away (or sent a cancel request): close silently.
    Quiet,
    /// Tell the client (FATAL), then close.
    Fatal(QueryError),
}

impl From<std::io::Error> for Abort {
    fn from(_: std::io::Error) -> Self {
        Abort::Quiet
    }
}

impl From<ReadError> for Abort {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io => Abort::Quiet,
            ReadError::Protocol(e) => Abort::Fatal(e),
        }
    }
}

impl From<QueryError> for Abort {
    fn from(e: QueryError) -> Self {
        Abort::Fatal(e)
    }
}

fn fatal(code: &'static str, msg: impl Into<String>) -> Abort {
    Abort::Fatal(QueryError::new(code, msg))
}

/// Serves one accepted socket to the end. Never panics; errors end only this connection.
pub(crate) async fn handle(tcp: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let _ = tcp.set_nodelay(true);
    let mut stop = shared.shutdown.clone();
    // Direct SSL (PostgreSQL 17 `sslnegotiation=direct`): a TLS ClientHello instead of a
    // startup packet.
    if let Some(acceptor) = &shared.tls {
        let mut first = [0u8; 1];
        let peeked = tokio::select! {
            r = tokio::time::timeout(shared.config.startup_timeout, tcp.peek(&mut first)) => r,
            _ = stopped(&mut stop) => return,
        };
        if !matches!(peeked, Ok(Ok(1))) {
            return;
        }
        if first[0] == 0x16 {
            let accepted = tokio::time::timeout(shared.config.startup_timeout, acceptor.accept(tcp)).await;
            let Ok(Ok(tls)) = accepted else {
                return;
            };
            if tls.get_ref().1.alpn_protocol() != Some(b"postgresql") {
                let mut out = Out::default();
                out.error(
                    &protocol_error(
                        "received direct SSL connection request without ALPN protocol negotiation extension",
                    ),
                    Severity::Fatal,
                );
                let mut io: BoxStream = Box::new(tls);
                let _ = write(&mut io, &mut out).await;
                return;
            }
            return serve(Box::new(tls), true, peer, shared, stop).await;
        }
    }
    serve(Box::new(tcp), false, peer, shared, stop).await
}

async fn serve(
    mut io: BoxStream,
    ssl: bool,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut reader = Reader::default();
    let startup = tokio::select! {
        r = tokio::time::timeout(
            shared.config.startup_timeout,
            start(&mut io, &mut reader, ssl, peer, &shared),
        ) => r,
        _ = stopped(&mut stop) => Ok(Err(Abort::Fatal(QueryError::new(
            "57P01",
            "terminating connection due to administrator command",
        )))),
    };
    let (session, slot, secret) = match startup {
        Ok(Ok(s)) => s,
        Ok(Err(Abort::Quiet)) | Err(_) => {
            let _ = io.shutdown().await;
            return;
        }
        Ok(Err(Abort::Fatal(e))) => {
            let mut out = Out::default();
            out.error(&e, Severity::Fatal);
            let _ = io.write_all(&out.take()).await;
            let _ = io.flush().await;
            let _ = io.shutdown().await;
            return;
        }
    };
    let pid = session.pid;
    shared.register_cancel(pid, secret, session.cancel.clone());
    let conn = Conn::new(io, reader, shared.clone(), session);
    conn.run().await;
    shared.unregister_cancel(pid);
    drop(slot);
}

/// Resolves once the server shuts down.
async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

async fn write(io: &mut BoxStream, out: &mut Out) -> Result<(), Abort> {
    io.write_all(&out.take()).await?;
    io.flush().await?;
    Ok(())
}

type Started = (Session, crate::Slot, i32);

async fn start(
    io: &mut BoxStream,
    reader: &mut Reader,
    ssl: bool,
    peer: SocketAddr,
    shared: &Arc<Shared>,
) -> Result<Started, Abort> {
    let mut ssl_done = ssl;
    let mut out = Out::default();
    let (minor, params) = loop {
        let Some(pkt) = reader.startup(io, shared.config.max_startup_bytes).await? else {
            return Err(Abort::Quiet);
        };
        let mut b = Body::new(pkt);
        let code = b.i32()?;
        match code {
            SSL_REQUEST => {
                let Some(acceptor) = shared.tls.as_ref().filter(|_| !ssl_done) else {
                    io.write_all(b"N").await?;
                    io.flush().await?;
                    continue;
                };
                io.write_all(b"S").await?;
                io.flush().await?;
                if reader.has_buffered() {
                    return Err(Abort::Fatal(protocol_error(
                        "received unencrypted data after SSL request",
                    )));
                }
                let raw = std::mem::replace(
                    io,
                    Box::new(tokio::io::join(tokio::io::empty(), tokio::io::sink())),
                );
                let tls = acceptor.accept(raw).await.map_err(|_| Abort::Quiet)?;
                *io = Box::new(tls);
                ssl_done = true;
            }
            GSSENC_REQUEST => {
                io.write_all(b"N").await?;
                io.flush().await?;
            }
            CANCEL_REQUEST => {
                let pid = b.i32()?;
                let secret = b.i32()?;
                shared.cancel(pid, secret);
                return Err(Abort::Quiet);
            }
            v if v >> 16 == 3 => break (v & 0xffff, parse_params(&mut b)?),
            v => {
                return Err(fatal(
                    "0A000",
                    format!(
                        "unsupported frontend protocol {}.{}: server supports 3.0 to 3.0",
                        v >> 16,
                        v & 0xffff
                    ),
                ));
            }
        }
    };
    let unrecognized: Vec<String> = params
        .keys()
        .filter(|k| k.starts_with("_pq_."))
        .cloned()
        .collect();
    if minor > 0 || !unrecognized.is_empty() {
        out.negotiate_protocol(0, &unrecognized);
    }
    let Some(slot) = shared.acquire() else {
        return Err(fatal("53300", "sorry, too many clients already"));
    };
    let Some(user) = params.get("user").filter(|u| !u.is_empty()).cloned() else {
        return Err(fatal(
            "28000",
            "no PostgreSQL user name specified in startup packet",
        ));
    };
    if let Some(db) = params.get("database").filter(|d| !d.is_empty())
        && db != "plantdb"
    {
        return Err(fatal("3D000", format!("database \"{db}\" does not exist")));
    }
    if let Some(r) = params.get("replication")
        && !matches!(r.to_ascii_lowercase().as_str(), "false" | "off" | "no" | "0")
    {
        return Err(fatal("0A000", "replication connections are not supported"));
    }
    let role = shared.engine.catalog().roles.get(&user).cloned();
    let Some(role) = role else {
        return Err(fatal("28000", format!("role \"{user}\" does not exist")));
    };
    let trusted = match shared.config.auth {
        AuthMode::Trust => true,
        AuthMode::Scram => false,
        AuthMode::LoopbackTrust => peer.ip().is_loopback(),
    };
    if !trusted {
        let cbind = if ssl_done {
            shared.tls_end_point.clone()
        } else {
            None
        };
        scram(io, reader, &mut out, &user, role.scram.as_deref(), cbind, shared).await?;
    }
    if !role.login {
        return Err(fatal(
            "28000",
            format!("role \"{user}\" is not permitted to log in"),
        ));
    }
    out.auth(0, &[]);
    let mut session = shared.engine.session(&user);
    apply_params(&mut session, &params)?;
    session.take_changed_settings();
    for (k, v) in session.reported_settings() {
        out.parameter_status(&k, &v);
    }
    let secret = i32::from_be_bytes(random_bytes::<4>());
    out.backend_key(session.pid, secret);
    out.ready(match session.tx_status() {
        TxStatus::Idle => b'I',
        TxStatus::Block => b'T',
        TxStatus::Failed => b'E',
    });
    write(io, &mut out).await?;
    Ok((session, slot, secret))
}

fn parse_params(b: &mut Body) -> Result<BTreeMap<String, String>, QueryError> {
    let mut params = BTreeMap::new();
    loop {
        let k = b.cstr()?;
        if k.is_empty() {
            break;
        }
        let v = b.cstr()?;
        params.insert(k, v);
    }
    Ok(params)
}

/// `-c name=value` and `--name=value` switches of the `options` parameter.
fn parse_options(s: &str) -> Vec<(String, String)> {
    // Words separated by spaces; a backslash escapes the next character.
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = Vec::new();
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        let kv = if w == "-c" {
            it.next()
        } else if let Some(r) = w.strip_prefix("--") {
            Some(r.to_string())
        } else {
            w.strip_prefix("-c").map(str::to_string)
        };
        if let Some(kv) = kv
            && let Some((k, v)) = kv.split_once('=')
        {
            out.push((k.replace('-', "_"), v.to_string()));
        }
    }
    out
}

fn apply_params(session: &mut Session, params: &BTreeMap<String, String>) -> Result<(), QueryError> {
    let mut list: Vec<(String, String)> = Vec::new();
    for (k, v) in params {
        match k.as_str() {
            "user" | "database" | "replication" => {}
            "options" => list.extend(parse_options(v)),
            k if k.starts_with("_pq_.") => {}
            _ => list.push((k.clone(), v.clone())),
        }
    }
    for (k, v) in list {
        // asyncpg sends client_encoding='utf-8' with the quotes.
        let v = v
            .strip_prefix('\'')
            .and_then(|x| x.strip_suffix('\''))
            .unwrap_or(&v);
        // psql in a C locale asks for SQL_ASCII: it gets UTF8, which it handles.
        let v = if k.eq_ignore_ascii_case("client_encoding") && v.eq_ignore_ascii_case("sql_ascii") {
            "UTF8"
        } else {
            v
        };
        let (name, value) = settings::validate(&k, v, &session.settings)?;
        session.settings.insert(name, value);
    }
    Ok(())
}

/// Runs a SCRAM-SHA-256(-PLUS) exchange.
async fn scram(
    io: &mut BoxStream,
    reader: &mut Reader,
    out: &mut Out,
    user: &str,
    verifier: Option<&str>,
    cbind: Option<Vec<u8>>,
    shared: &Arc<Shared>,
) -> Result<(), Abort> {
    let failed = || {
        fatal(
            "28P01",
            format!("password authentication failed for user \"{user}\""),
        )
    };
    let max = shared.config.max_startup_bytes;
    let mut ex = Exchange::new(verifier, cbind);
    let mut mechs = Vec::new();
    for m in ex.mechanisms() {
        mechs.extend_from_slice(m.as_bytes());
        mechs.push(0);
    }
    mechs.push(0);
    out.auth(10, &mechs);
    write(io, out).await?;
    // SASLInitialResponse
    let Some((t, body)) = reader.message(io, max).await? else {
        // psql closes here to ask for a password, then reconnects.
        return Err(Abort::Quiet);
    };
    if t != b'p' {
        return Err(Abort::Fatal(protocol_error(format!(
            "expected SASL response, got message type {t}"
        ))));
    }
    let mut b = Body::new(body);
    let mech = b.cstr()?;
    let n = b.i32()?;
    let data = if n < 0 {
        Default::default()
    } else {
        b.bytes(n as usize)?
    };
    let server_first = ex.client_first(&mech, &data).map_err(|e| match e {
        ScramError::Protocol(m) => Abort::Fatal(protocol_error(m)),
        ScramError::Failed => failed(),
    })?;
    out.auth(11, server_first.as_bytes());
    write(io, out).await?;
    // SASLResponse
    let Some((t, body)) = reader.message(io, max).await? else {
        return Err(Abort::Quiet);
    };
    if t != b'p' {
        return Err(Abort::Fatal(protocol_error(format!(
            "expected SASL response, got message type {t}"
        ))));
    }
    let server_final = ex.client_final(&body).map_err(|e| match e {
        ScramError::Protocol(m) => Abort::Fatal(protocol_error(m)),
        ScramError::Failed => failed(),
    })?;
    out.auth(12, server_final.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_switches() {
        assert_eq!(
            parse_options("-c statement_timeout=5s --search-path=x -capplication_name=a\\ b"),
            vec![
                ("statement_timeout".to_string(), "5s".to_string()),
                ("search_path".to_string(), "x".to_string()),
                ("application_name".to_string(), "a b".to_string()),
            ]
        );
    }
}
