//! One client session after startup: simple and extended query protocols, COPY, timeouts.
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use plantdb_query::error::QueryError;
use plantdb_query::session::{CopyIn, Prepared, Session, StatementResult, TxStatus};
use plantdb_query::types::text::parse_value;
use plantdb_query::types::{DataType, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::Shared;
use crate::binary;
use crate::codec::{Body, Out, ReadError, Reader, Severity, protocol_error, utf8};
use crate::copy_binary::BinaryCopyReader;
use crate::rows::{RowSet, Sink, copy_out, resolve_formats, row_description, wire_type};
use crate::startup::BoxStream;

/// Bytes buffered before they are written to the socket.
const WRITE_CHUNK: usize = 64 * 1024;
/// COPY data gathered before it is handed to the loader.
const COPY_CHUNK: usize = 1 << 20;

/// What the COPY FROM parser task receives.
enum CopyChunk {
    Data(Bytes),
    /// CopyDone: commit.
    Done,
}

/// Why the session loop ends.
enum End {
    /// Client left (Terminate, EOF, socket error).
    Closed,
    /// Tell the client (FATAL), then close.
    Fatal(QueryError),
}

impl From<std::io::Error> for End {
    fn from(_: std::io::Error) -> Self {
        End::Closed
    }
}

fn admin_shutdown() -> QueryError {
    QueryError::new("57P01", "terminating connection due to administrator command")
}

/// A bound statement.
struct Portal {
    stmt: Arc<Prepared>,
    params: Vec<Value>,
    formats: Vec<i16>,
    state: PortalState,
}

enum PortalState {
    New,
    Rows(RowSet),
    Done(String),
}

/// What the blocking part of a simple Query left to do.
enum SimpleOutcome {
    Done,
    /// Statements still to run (each gets its own job, hence its own statement_timeout).
    Next(VecDeque<(usize, String)>),
    Error(QueryError),
    CopyIn {
        copy: Box<CopyIn>,
        rest: VecDeque<(usize, String)>,
    },
}

/// What the blocking part of an Execute left to do.
enum ExecOutcome {
    Done,
    Suspended(RowSet),
    Finished(String),
    Error(QueryError),
    CopyIn(Box<CopyIn>),
}

/// A COPY FROM STDIN in progress: the engine's loader, plus the decoder of binary data.
struct CopyState {
    copy: Box<CopyIn>,
    binary: Option<BinaryCopyReader>,
}

impl CopyState {
    fn new(copy: Box<CopyIn>) -> CopyState {
        let binary = copy.is_binary().then(|| BinaryCopyReader::new(&copy));
        CopyState { copy, binary }
    }

    fn data(&mut self, data: &[u8], ctx: &plantdb_query::context::EvalContext) -> Result<(), QueryError> {
        match &mut self.binary {
            Some(r) => {
                let rows = r.feed(data, ctx)?;
                self.copy.append_columns(rows)
            }
            None => self.copy.data(data),
        }
    }

    fn finish(self) -> Result<u64, QueryError> {
        if let Some(r) = &self.binary {
            r.finish()?;
        }
        self.copy.finish()
    }
}

/// The result of a blocking job.
struct Job<T> {
    value: T,
    timed_out: bool,
}

pub(crate) struct Conn {
    io: BoxStream,
    reader: Reader,
    out: Out,
    shared: Arc<Shared>,
    session: Option<Session>,
    cancel: Arc<AtomicBool>,
    portals: HashMap<String, Portal>,
    skip_until_sync: bool,
    shutdown: watch::Receiver<bool>,
}

fn status_byte(s: TxStatus) -> u8 {
    match s {
        TxStatus::Idle => b'I',
        TxStatus::Block => b'T',
        TxStatus::Failed => b'E',
    }
}

/// Splits a query string into its statements (character offset, text) so that each runs on
/// its own and COPY FROM STDIN can take its data before the next statement runs.
fn split_statements(sql: &str) -> VecDeque<(usize, String)> {
    let whole = || VecDeque::from([(0, sql.to_string())]);
    let Ok(stmts) = plantdb_query::parse::parse(sql) else {
        return whole();
    };
    if stmts.len() <= 1 {
        return whole();
    }
    let chars: Vec<usize> = sql.char_indices().map(|(i, _)| i).collect();
    let byte_at = |c: usize| chars.get(c).copied().unwrap_or(sql.len());
    let mut out = VecDeque::new();
    for (i, s) in stmts.iter().enumerate() {
        let from = byte_at(s.offset);
        let to = stmts.get(i + 1).map_or(sql.len(), |n| byte_at(n.offset));
        match sql.get(from..to) {
            Some(t) => out.push_back((s.offset, t.to_string())),
            None => return whole(),
        }
    }
    out
}

/// Notices and ParameterStatus changes the session queued.
fn drain_session_messages(s: &mut Session, out: &mut Out, notices: bool, settings: bool) {
    if notices {
        for n in s.take_notices() {
            out.notice(&n);
        }
    }
    if settings {
        for (k, v) in s.take_changed_settings() {
            out.parameter_status(&k, &v);
        }
    }
}

/// Runs the next statement of a simple Query (blocking side).
fn simple_job(s: &mut Session, sink: &mut Sink, mut pieces: VecDeque<(usize, String)>) -> SimpleOutcome {
    if let Some((offset, text)) = pieces.pop_front() {
        let results = s.execute(&text);
        drain_session_messages(s, &mut sink.out, true, false);
        let ctx = s.eval_context();
        for r in results {
            let r = match r {
                Ok(r) => r,
                Err(mut e) => {
                    if let Some(p) = e.position.as_mut() {
                        *p += offset as u32;
                    }
                    drain_session_messages(s, &mut sink.out, false, true);
                    return SimpleOutcome::Error(e);
                }
            };
            let sent = match r {
                StatementResult::Rows { fields, batches, tag } => {
                    row_description(&mut sink.out, &fields, &[]);
                    let mut rows = RowSet::new(&fields, batches, vec![0; fields.len()], tag);
                    rows.send(0, &ctx, sink)
                        .map(|_| sink.out.command_complete(&rows.tag))
                }
                StatementResult::Command { tag } => {
                    sink.out.command_complete(&tag);
                    Ok(())
                }
                StatementResult::Empty => {
                    sink.out.empty_query();
                    Ok(())
                }
                StatementResult::CopyOut {
                    options,
                    fields,
                    batches,
                } => copy_out(sink, &options, &fields, &batches, &ctx),
                StatementResult::CopyIn(copy) => {
                    drain_session_messages(s, &mut sink.out, false, true);
                    return SimpleOutcome::CopyIn { copy, rest: pieces };
                }
            };
            if let Err(e) = sent {
                return SimpleOutcome::Error(e);
            }
        }
        drain_session_messages(s, &mut sink.out, false, true);
    }
    if pieces.is_empty() || sink.closed {
        SimpleOutcome::Done
    } else {
        SimpleOutcome::Next(pieces)
    }
}

/// Runs a bound portal (blocking side).
fn execute_job(
    s: &mut Session,
    sink: &mut Sink,
    stmt: Arc<Prepared>,
    params: Vec<Value>,
    formats: Vec<i16>,
    max: usize,
) -> ExecOutcome {
    let r = s.execute_prepared(&stmt, &params);
    drain_session_messages(s, &mut sink.out, true, false);
    let ctx = s.eval_context();
    let outcome = match r {
        Err(e) => ExecOutcome::Error(e),
        Ok(StatementResult::Rows { fields, batches, tag }) => {
            let rows = RowSet::new(&fields, batches, formats, tag);
            send_rows(rows, max, &ctx, sink)
        }
        Ok(StatementResult::Command { tag }) => {
            sink.out.command_complete(&tag);
            ExecOutcome::Finished(tag)
        }
        Ok(StatementResult::Empty) => {
            sink.out.empty_query();
            ExecOutcome::Done
        }
        Ok(StatementResult::CopyOut {
            options,
            fields,
            batches,
        }) => match copy_out(sink, &options, &fields, &batches, &ctx) {
            Ok(()) => ExecOutcome::Done,
            Err(e) => ExecOutcome::Error(e),
        },
        Ok(StatementResult::CopyIn(c)) => ExecOutcome::CopyIn(c),
    };
    drain_session_messages(s, &mut sink.out, false, true);
    outcome
}

fn send_rows(
    mut rows: RowSet,
    max: usize,
    ctx: &plantdb_query::context::EvalContext,
    sink: &mut Sink,
) -> ExecOutcome {
    match rows.send(max, ctx, sink) {
        Err(e) => ExecOutcome::Error(e),
        Ok((_, true)) => {
            sink.out.portal_suspended();
            rows.resumed = true;
            ExecOutcome::Suspended(rows)
        }
        Ok((sent, false)) => {
            let tag = rows.final_tag(sent);
            sink.out.command_complete(&tag);
            ExecOutcome::Finished(if tag.starts_with("SELECT") {
                "SELECT 0".into()
            } else {
                tag
            })
        }
    }
}

impl Conn {
    pub(crate) fn new(io: BoxStream, reader: Reader, shared: Arc<Shared>, session: Session) -> Conn {
        let shutdown = shared.shutdown.clone();
        Conn {
            io,
            reader,
            out: Out::default(),
            cancel: session.cancel.clone(),
            session: Some(session),
            shared,
            portals: HashMap::new(),
            skip_until_sync: false,
            shutdown,
        }
    }

    /// Serves the session until the client leaves or the server stops.
    pub(crate) async fn run(mut self) {
        let end = self.serve().await;
        if let Err(End::Fatal(e)) = end {
            self.out.error(&e, Severity::Fatal);
            let _ = self.write_out().await;
        }
        let _ = self.io.shutdown().await;
    }

    fn session(&mut self) -> Result<&mut Session, End> {
        self.session
            .as_mut()
            .ok_or_else(|| End::Fatal(QueryError::new("XX000", "session lost")))
    }

    async fn write_out(&mut self) -> Result<(), End> {
        if self.out.len() > 0 {
            let b = self.out.take();
            self.io.write_all(&b).await?;
        }
        self.io.flush().await?;
        Ok(())
    }

    /// Reads the next message; flushes pending output first. `idle`: waiting for a new command,
    /// where idle_session_timeout applies.
    async fn next_message(&mut self, idle: bool) -> Result<(u8, Bytes), End> {
        if self.out.len() > 0 {
            self.write_out().await?;
        }
        if *self.shutdown.borrow() {
            return Err(End::Fatal(admin_shutdown()));
        }
        let (idle_ms, idle_error) = match &self.session {
            Some(s) if idle && s.tx_status() == TxStatus::Idle => (
                s.idle_session_timeout_ms(),
                QueryError::new("57P05", "terminating connection due to idle-session timeout"),
            ),
            Some(s) if idle => (
                s.setting("idle_in_transaction_session_timeout")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                QueryError::new(
                    "25P03",
                    "terminating connection due to idle-in-transaction timeout",
                ),
            ),
            _ => (0, QueryError::new("57P05", "")),
        };
        let sleep = tokio::time::sleep(Duration::from_millis(idle_ms.clamp(1, 1 << 40)));
        tokio::pin!(sleep);
        let max = self.shared.config.max_message_bytes;
        tokio::select! {
            r = self.reader.message(&mut self.io, max) => match r {
                Ok(Some(m)) => Ok(m),
                Ok(None) | Err(ReadError::Io) => Err(End::Closed),
                Err(ReadError::Protocol(e)) => Err(End::Fatal(e)),
            },
            _ = &mut sleep, if idle_ms > 0 => Err(End::Fatal(idle_error)),
            _ = self.shutdown.changed() => Err(End::Fatal(admin_shutdown())),
        }
    }

    /// Runs `f` with the session on the blocking pool while streaming what it writes to the
    /// socket; applies statement_timeout and server shutdown through the cancel flag.
    async fn job<T, F>(&mut self, f: F) -> Result<Job<T>, End>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session, &mut Sink) -> T + Send + 'static,
    {
        let timeout_ms = self.session()?.statement_timeout_ms();
        // Clamped: absurd settings must not overflow the clock.
        let deadline =
            (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms.min(1 << 40)));
        self.job_until(deadline, f).await
    }

    /// [`Conn::job`] with the statement's deadline given (a COPY spans several jobs).
    async fn job_until<T, F>(&mut self, deadline: Option<Instant>, f: F) -> Result<Job<T>, End>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session, &mut Sink) -> T + Send + 'static,
    {
        let mut s = self
            .session
            .take()
            .ok_or_else(|| End::Fatal(QueryError::new("XX000", "session lost")))?;
        let cancel = self.cancel.clone();
        // A cancel request that arrived while the session was idle is void (as in PostgreSQL).
        cancel.store(false, Ordering::SeqCst);
        let (tx, mut rx) = mpsc::channel::<BytesMut>(4);
        let handle = tokio::task::spawn_blocking(move || {
            let mut sink = Sink::new(tx);
            let v = f(&mut s, &mut sink);
            sink.flush();
            (s, v)
        });
        let sleep = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now));
        tokio::pin!(sleep);
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let mut timed_out = false;
        let mut stopping = *self.shutdown.borrow();
        let mut write_failed = false;
        loop {
            tokio::select! {
                chunk = rx.recv() => match chunk {
                    Some(b) => {
                        if !write_failed {
                            self.out.raw(&b);
                            if self.out.len() >= WRITE_CHUNK {
                                let out = self.out.take();
                                if self.io.write_all(&out).await.is_err() {
                                    write_failed = true;
                                    // Dropping the receiver stops the producer.
                                    rx.close();
                                }
                            }
                        }
                    }
                    None => break,
                },
                _ = &mut sleep, if deadline.is_some() && !timed_out => {
                    timed_out = true;
                    cancel.store(true, Ordering::SeqCst);
                }
                _ = tick.tick(), if timed_out || stopping || write_failed => {
                    cancel.store(true, Ordering::SeqCst);
                }
                _ = self.shutdown.changed(), if !stopping => {
                    stopping = true;
                    cancel.store(true, Ordering::SeqCst);
                }
            }
        }
        let (s, value) = handle.await.map_err(|_| {
            End::Fatal(QueryError::new(
                "XX000",
                "internal error: the statement failed unexpectedly",
            ))
        })?;
        self.session = Some(s);
        if write_failed {
            return Err(End::Closed);
        }
        Ok(Job { value, timed_out })
    }

    fn send_error(&mut self, mut e: QueryError, timed_out: bool) {
        if timed_out && e.code == "57014" {
            e.message = "canceling statement due to statement timeout".into();
        }
        if *self.shutdown.borrow() && e.code == "57014" {
            e = admin_shutdown();
        }
        self.out.error(&e, Severity::Error);
    }

    fn ready(&mut self) {
        let st = self.session.as_ref().map_or(TxStatus::Idle, |s| s.tx_status());
        if st == TxStatus::Idle {
            // Portals end with their (implicit) transaction.
            self.portals.clear();
        }
        self.out.ready(status_byte(st));
    }

    async fn serve(&mut self) -> Result<(), End> {
        loop {
            let (t, body) = self.next_message(true).await?;
            if self.skip_until_sync && !matches!(t, b'S' | b'X') {
                continue;
            }
            let r = match t {
                b'Q' => self.simple_query(body).await,
                b'P' => self.parse(body).await,
                b'B' => self.bind(body),
                b'D' => self.describe(body),
                b'E' => self.execute(body).await,
                b'C' => self.close(body),
                b'S' => {
                    self.skip_until_sync = false;
                    self.ready();
                    Ok(())
                }
                b'H' => {
                    self.write_out().await?;
                    Ok(())
                }
                b'X' => return Ok(()),
                // CopyData/CopyDone/CopyFail outside COPY (after a failed COPY): dropped.
                b'd' | b'c' | b'f' => Ok(()),
                b'F' => {
                    self.out.error(
                        &QueryError::new("0A000", "the function call protocol is not supported"),
                        Severity::Error,
                    );
                    self.ready();
                    Ok(())
                }
                _ => Err(Extended::End(End::Fatal(protocol_error(format!(
                    "unexpected message type {t} after startup"
                ))))),
            };
            match r {
                Ok(()) => {}
                Err(Extended::Error(e, timed_out)) => {
                    self.send_error(e, timed_out);
                    self.skip_until_sync = true;
                    // Any ERROR fails an open transaction block, including Parse and Bind errors.
                    if let Some(s) = self.session.as_mut() {
                        s.fail_transaction();
                    }
                }
                Err(Extended::End(end)) => return Err(end),
            }
        }
    }

    // ---- simple query ----

    async fn simple_query(&mut self, body: Bytes) -> Result<(), Extended> {
        let mut b = Body::new(body);
        let raw = b.cstr_bytes().map_err(|e| Extended::End(End::Fatal(e)))?;
        let sql = match utf8(&raw) {
            Ok(s) => s,
            Err(e) => {
                self.out.error(&e, Severity::Error);
                self.ready();
                return Ok(());
            }
        };
        // The unnamed portal and the unnamed statement do not survive a simple Query.
        self.portals.remove("");
        if let Some(s) = self.session.as_mut() {
            s.close_prepared("");
        }
        let mut pending = Some(sql);
        let mut pieces = VecDeque::new();
        loop {
            let input = pending.take();
            let pieces_now = std::mem::take(&mut pieces);
            let job = self
                .job(move |s, sink| {
                    let p = match input {
                        Some(sql) => split_statements(&sql),
                        None => pieces_now,
                    };
                    simple_job(s, sink, p)
                })
                .await?;
            match job.value {
                SimpleOutcome::Done => break,
                SimpleOutcome::Next(rest) => pieces = rest,
                SimpleOutcome::Error(e) => {
                    self.send_error(e, job.timed_out);
                    break;
                }
                SimpleOutcome::CopyIn { copy, rest } => match self.copy_in(copy).await? {
                    Ok(n) => {
                        self.out.command_complete(&format!("COPY {n}"));
                        if rest.is_empty() {
                            break;
                        }
                        pieces = rest;
                    }
                    Err((e, timed_out)) => {
                        self.send_error(e, timed_out);
                        break;
                    }
                },
            }
        }
        self.ready();
        Ok(())
    }

    /// COPY FROM STDIN: CopyInResponse, then CopyData until CopyDone or CopyFail.
    /// COPY FROM STDIN: socket reads and parsing overlap. A parser task owns the load and takes
    /// ~1 MB chunks from a bounded channel while this task keeps reading CopyData; the load
    /// commits only after CopyDone, and is dropped (leaving no rows) on any other end.
    /// Binary COPY data is decoded here (the parser task's `CopyState`), text and CSV by the
    /// engine. statement_timeout covers the whole COPY, waiting for the client's data included.
    async fn copy_in(&mut self, copy: Box<CopyIn>) -> Result<Result<u64, (QueryError, bool)>, End> {
        self.out
            .copy_response(b'G', copy.columns(), u8::from(copy.is_binary()));
        let (timeout_ms, ctx) = {
            let s = self.session()?;
            (s.statement_timeout_ms(), s.eval_context())
        };
        // Clamped: absurd settings must not overflow the clock.
        let deadline =
            (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms.min(1 << 40)));
        let timeout = || {
            (
                QueryError::new("57014", "canceling statement due to statement timeout"),
                true,
            )
        };
        let (tx, mut rx) = mpsc::channel::<CopyChunk>(4);
        let parser = tokio::task::spawn_blocking(move || {
            let mut state = CopyState::new(copy);
            while let Some(chunk) = rx.blocking_recv() {
                match chunk {
                    CopyChunk::Data(data) => state.data(&data, &ctx)?,
                    CopyChunk::Done => return state.finish().map(Some),
                }
            }
            Ok(None)
        });
        // Ends the load: tells the parser (unless it already stopped) and waits for its answer.
        async fn end(
            tx: mpsc::Sender<CopyChunk>,
            parser: tokio::task::JoinHandle<Result<Option<u64>, QueryError>>,
            last: Option<CopyChunk>,
        ) -> Result<Option<u64>, QueryError> {
            if let Some(c) = last {
                let _ = tx.send(c).await;
            }
            drop(tx);
            parser
                .await
                .map_err(|_| QueryError::new("XX000", "internal error: COPY failed unexpectedly"))?
        }
        // Each chunk is allocated once at its full size (growing it would copy it again).
        let chunk = || BytesMut::with_capacity(COPY_CHUNK + 64 * 1024);
        let mut buf = chunk();
        loop {
            let (t, body) = match self.copy_message(deadline).await {
                Ok(Some(m)) => m,
                Ok(None) => {
                    let _ = end(tx, parser, None).await;
                    return Ok(Err(timeout()));
                }
                Err(e) => {
                    let _ = end(tx, parser, None).await;
                    return Err(e);
                }
            };
            // A CancelRequest during COPY (psql's Ctrl-C), the statement timeout or a server
            // shutdown aborts it.
            let abort = if self.cancel.swap(false, Ordering::SeqCst) {
                Some((
                    QueryError::new("57014", "canceling statement due to user request"),
                    false,
                ))
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                Some(timeout())
            } else if *self.shutdown.borrow() {
                Some((admin_shutdown(), false))
            } else {
                None
            };
            if let Some(a) = abort {
                let _ = end(tx, parser, None).await;
                return Ok(Err(a));
            }
            match t {
                b'd' => {
                    buf.extend_from_slice(&body);
                    if buf.len() >= COPY_CHUNK
                        && tx
                            .send(CopyChunk::Data(std::mem::replace(&mut buf, chunk()).freeze()))
                            .await
                            .is_err()
                    {
                        // The parser stopped on an error: report it.
                        return Ok(match end(tx, parser, None).await {
                            Err(e) => Err((e, false)),
                            Ok(_) => Err((QueryError::new("XX000", "COPY stopped unexpectedly"), false)),
                        });
                    }
                }
                b'c' => {
                    if !buf.is_empty() {
                        let _ = tx.send(CopyChunk::Data(buf.split().freeze())).await;
                    }
                    return Ok(match end(tx, parser, Some(CopyChunk::Done)).await {
                        Ok(Some(n)) => Ok(n),
                        Ok(None) => Err((QueryError::new("XX000", "COPY stopped unexpectedly"), false)),
                        Err(e) => Err((e, false)),
                    });
                }
                b'f' => {
                    let _ = end(tx, parser, None).await;
                    let msg = Body::new(body).cstr().unwrap_or_default();
                    return Ok(Err((
                        QueryError::new("57014", format!("COPY from stdin failed: {msg}")),
                        false,
                    )));
                }
                b'H' | b'S' => {}
                other => {
                    let _ = end(tx, parser, None).await;
                    return Ok(Err((
                        protocol_error(format!(
                            "unexpected message type 0x{other:02X} during COPY from stdin"
                        )),
                        false,
                    )));
                }
            }
        }
    }

    /// The next message during COPY FROM STDIN; None once `deadline` has passed.
    async fn copy_message(&mut self, deadline: Option<Instant>) -> Result<Option<(u8, Bytes)>, End> {
        // Pending output goes first, so that only the (cancel-safe) read races the deadline.
        self.write_out().await?;
        let Some(d) = deadline else {
            return self.next_message(false).await.map(Some);
        };
        tokio::select! {
            m = self.next_message(false) => m.map(Some),
            _ = tokio::time::sleep_until(d) => Ok(None),
        }
    }

    // ---- extended query ----

    async fn parse(&mut self, body: Bytes) -> Result<(), Extended> {
        let mut b = Body::new(body);
        let name = b.cstr()?;
        let raw = b.cstr_bytes()?;
        let sql = utf8(&raw)?;
        let n = b.i16()?;
        if n < 0 {
            return Err(protocol_error("invalid number of parameter types").into());
        }
        let mut types = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let oid = b.i32()? as u32;
            types.push(if oid == 0 {
                DataType::Unknown
            } else {
                DataType::from_oid(oid).unwrap_or(DataType::Unknown)
            });
        }
        b.end()?;
        if !name.is_empty() && self.session()?.get_prepared(&name).is_some() {
            return Err(
                QueryError::new("42P05", format!("prepared statement \"{name}\" already exists")).into(),
            );
        }
        let job = self
            .job(move |s, _| {
                let p = s.prepare(&sql, &types)?;
                s.store_prepared(&name, p);
                Ok::<(), QueryError>(())
            })
            .await?;
        job.value.map_err(|e| Extended::Error(e, job.timed_out))?;
        self.out.parse_complete();
        Ok(())
    }

    fn bind(&mut self, body: Bytes) -> Result<(), Extended> {
        let mut b = Body::new(body);
        let portal = b.cstr()?;
        let stmt_name = b.cstr()?;
        let nfmt = b.i16()?;
        let mut pfmts = Vec::new();
        for _ in 0..nfmt.max(0) {
            pfmts.push(b.i16()?);
        }
        let nparams = b.i16()?;
        let mut raw = Vec::new();
        for _ in 0..nparams.max(0) {
            let len = b.i32()?;
            raw.push(if len < 0 {
                None
            } else {
                Some(b.bytes(len as usize)?)
            });
        }
        let nres = b.i16()?;
        let mut rfmts = Vec::new();
        for _ in 0..nres.max(0) {
            rfmts.push(b.i16()?);
        }
        b.end()?;
        let (stmt, ctx) = {
            let s = self.session()?;
            (s.get_prepared(&stmt_name), s.eval_context())
        };
        let Some(stmt) = stmt else {
            return Err(if stmt_name.is_empty() {
                QueryError::new("26000", "unnamed prepared statement does not exist")
            } else {
                QueryError::new(
                    "26000",
                    format!("prepared statement \"{stmt_name}\" does not exist"),
                )
            }
            .into());
        };
        if let Some(ps) = &stmt.stmt {
            self.session()?.check_not_failed(ps)?;
        }
        if !portal.is_empty() && self.portals.contains_key(&portal) {
            return Err(QueryError::new("42P03", format!("cursor \"{portal}\" already exists")).into());
        }
        if !(pfmts.len() <= 1 || pfmts.len() == raw.len()) {
            return Err(protocol_error(format!(
                "bind message has {} parameter formats but {} parameters",
                pfmts.len(),
                raw.len()
            ))
            .into());
        }
        if raw.len() != stmt.param_types.len() {
            return Err(protocol_error(format!(
                "bind message supplies {} parameters, but prepared statement \"{stmt_name}\" requires {}",
                raw.len(),
                stmt.param_types.len()
            ))
            .into());
        }
        let mut params = Vec::with_capacity(raw.len());
        for (i, v) in raw.iter().enumerate() {
            let Some(v) = v else {
                params.push(Value::Null);
                continue;
            };
            let fmt = if pfmts.len() == 1 {
                pfmts[0]
            } else {
                pfmts.get(i).copied().unwrap_or(0)
            };
            let ty = &stmt.param_types[i];
            let value = match fmt {
                0 => {
                    let s = utf8(v)?;
                    match ty {
                        DataType::Unknown | DataType::Text => Value::str(s),
                        t => parse_value(&s, t, &ctx)?,
                    }
                }
                1 => binary::decode(v, ty, &ctx).map_err(|e| {
                    if e.code == "22P03" {
                        QueryError::new(
                            "22P03",
                            format!("incorrect binary data format in bind parameter {}", i + 1),
                        )
                    } else {
                        e
                    }
                })?,
                f => return Err(QueryError::new("22023", format!("unsupported format code: {f}")).into()),
            };
            params.push(value);
        }
        let formats = resolve_formats(&rfmts, stmt.fields.len())?;
        self.portals.insert(
            portal,
            Portal {
                stmt,
                params,
                formats,
                state: PortalState::New,
            },
        );
        self.out.bind_complete();
        Ok(())
    }

    fn describe(&mut self, body: Bytes) -> Result<(), Extended> {
        let mut b = Body::new(body);
        let kind = b.u8()?;
        let name = b.cstr()?;
        b.end()?;
        match kind {
            b'S' => {
                let Some(stmt) = self.session()?.get_prepared(&name) else {
                    return Err(QueryError::new(
                        "26000",
                        format!("prepared statement \"{name}\" does not exist"),
                    )
                    .into());
                };
                let oids: Vec<u32> = stmt.param_types.iter().map(|t| wire_type(t).oid()).collect();
                self.out.parameter_description(&oids);
                if stmt.fields.is_empty() {
                    self.out.no_data();
                } else {
                    row_description(&mut self.out, &stmt.fields, &[]);
                }
            }
            b'P' => {
                let Some(p) = self.portals.get(&name) else {
                    return Err(QueryError::new("34000", format!("portal \"{name}\" does not exist")).into());
                };
                if p.stmt.fields.is_empty() {
                    self.out.no_data();
                } else {
                    row_description(&mut self.out, &p.stmt.fields, &p.formats);
                }
            }
            k => {
                return Err(protocol_error(format!("invalid DESCRIBE message subtype {k}")).into());
            }
        }
        Ok(())
    }

    async fn execute(&mut self, body: Bytes) -> Result<(), Extended> {
        let mut b = Body::new(body);
        let name = b.cstr()?;
        let max = b.i32()?;
        b.end()?;
        let max = if max <= 0 { 0 } else { max as usize };
        let Some(mut portal) = self.portals.remove(&name) else {
            return Err(QueryError::new("34000", format!("portal \"{name}\" does not exist")).into());
        };
        let state = std::mem::replace(&mut portal.state, PortalState::New);
        let job = match state {
            PortalState::New => {
                let stmt = portal.stmt.clone();
                let params = portal.params.clone();
                let formats = portal.formats.clone();
                self.job(move |s, sink| execute_job(s, sink, stmt, params, formats, max))
                    .await?
            }
            PortalState::Rows(rows) => {
                self.job(move |s, sink| {
                    let ctx = s.eval_context();
                    send_rows(rows, max, &ctx, sink)
                })
                .await?
            }
            PortalState::Done(tag) => {
                self.out.command_complete(&tag);
                portal.state = PortalState::Done(tag);
                self.portals.insert(name, portal);
                return Ok(());
            }
        };
        let result = match job.value {
            ExecOutcome::Done => {
                portal.state = PortalState::Done(String::new());
                Ok(())
            }
            ExecOutcome::Finished(tag) => {
                portal.state = PortalState::Done(tag);
                Ok(())
            }
            ExecOutcome::Suspended(rows) => {
                portal.state = PortalState::Rows(rows);
                Ok(())
            }
            ExecOutcome::Error(e) => Err(Extended::Error(e, job.timed_out)),
            ExecOutcome::CopyIn(copy) => match self.copy_in(copy).await? {
                Ok(n) => {
                    let tag = format!("COPY {n}");
                    self.out.command_complete(&tag);
                    portal.state = PortalState::Done(tag);
                    Ok(())
                }
                Err((e, t)) => Err(Extended::Error(e, t)),
            },
        };
        if result.is_ok() {
            self.portals.insert(name, portal);
        }
        result
    }

    fn close(&mut self, body: Bytes) -> Result<(), Extended> {
        let mut b = Body::new(body);
        let kind = b.u8()?;
        let name = b.cstr()?;
        b.end()?;
        match kind {
            b'S' => self.session()?.close_prepared(&name),
            b'P' => {
                self.portals.remove(&name);
            }
            k => return Err(protocol_error(format!("invalid CLOSE message subtype {k}")).into()),
        }
        self.out.close_complete();
        Ok(())
    }
}

/// Outcome of one message handler.
enum Extended {
    /// An ERROR for the client (in the extended protocol: then skip to Sync). The flag says
    /// whether statement_timeout fired.
    Error(QueryError, bool),
    /// The connection ends.
    End(End),
}

impl From<QueryError> for Extended {
    fn from(e: QueryError) -> Self {
        Extended::Error(e, false)
    }
}

impl From<End> for Extended {
    fn from(e: End) -> Self {
        Extended::End(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_at_their_offsets() {
        let p = split_statements("SELECT 1; SELECT 'é;'; COPY t FROM STDIN");
        let v: Vec<_> = p.into_iter().collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], (0, "SELECT 1; ".to_string()));
        assert_eq!(v[1], (10, "SELECT 'é;'; ".to_string()));
        assert_eq!(v[2].1, "COPY t FROM STDIN");
        assert_eq!(split_statements("SELECT 1").len(), 1);
        assert_eq!(split_statements("").len(), 1);
    }
}
