//! Framing of the PostgreSQL protocol (v3): reading frontend messages with size limits and
//! building backend messages.
use bytes::{Buf, BufMut, Bytes, BytesMut};
use plantdb_query::error::QueryError;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Frontend message types the server understands after startup.
const VALID_TYPES: &[u8] = b"QPBDECSHXdcfFp";

/// Why reading a message failed.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The socket failed or closed in the middle of a message.
    Io,
    /// A framing error: reported to the client (08P01), then the connection closes.
    Protocol(QueryError),
}

impl From<std::io::Error> for ReadError {
    fn from(_: std::io::Error) -> Self {
        ReadError::Io
    }
}

pub(crate) fn protocol_error(message: impl Into<String>) -> QueryError {
    QueryError::new("08P01", message)
}

/// Buffered reader of frontend messages. Reading is cancel-safe: bytes already received stay in
/// the buffer when a read is abandoned (idle timeout, shutdown).
#[derive(Debug, Default)]
pub(crate) struct Reader {
    buf: BytesMut,
}

impl Reader {
    /// Whether bytes beyond the last message were received (must not happen right after an
    /// SSLRequest: they would bypass encryption).
    pub(crate) fn has_buffered(&self) -> bool {
        !self.buf.is_empty()
    }

    async fn fill<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        io: &mut R,
        want: usize,
    ) -> Result<bool, ReadError> {
        if self.buf.capacity() - self.buf.len() < 1024 {
            // Grow in steps: a declared length is not trusted to allocate memory up front. At
            // least 64 KiB, so that a stream of small messages (COPY data) takes few reads.
            let more = want.saturating_sub(self.buf.len()).clamp(64 * 1024, 4 << 20);
            self.buf.reserve(more);
        }
        let n = io.read_buf(&mut self.buf).await?;
        Ok(n > 0)
    }

    /// The startup-phase packet (no type byte): its body after the length word. `None` when the
    /// client closed the connection before sending anything.
    pub(crate) async fn startup<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        io: &mut R,
        max: usize,
    ) -> Result<Option<Bytes>, ReadError> {
        loop {
            if self.buf.len() >= 4 {
                let len = u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize;
                if len < 8 || len > max {
                    return Err(ReadError::Protocol(protocol_error(
                        "invalid length of startup packet",
                    )));
                }
                if self.buf.len() >= len {
                    let mut m = self.buf.split_to(len);
                    m.advance(4);
                    return Ok(Some(m.freeze()));
                }
            }
            if !self.fill(io, max.min(16 * 1024)).await? {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(ReadError::Protocol(protocol_error("incomplete startup packet")));
            }
        }
    }

    /// The next regular message: (type, body). `None` when the client closed the connection
    /// between messages.
    pub(crate) async fn message<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        io: &mut R,
        max: usize,
    ) -> Result<Option<(u8, Bytes)>, ReadError> {
        loop {
            if let Some(&t) = self.buf.first()
                && !VALID_TYPES.contains(&t)
            {
                return Err(ReadError::Protocol(protocol_error(format!(
                    "invalid frontend message type {t}"
                ))));
            }
            let mut want = 5;
            if self.buf.len() >= 5 {
                let t = self.buf[0];
                let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]) as usize;
                if len < 4 {
                    return Err(ReadError::Protocol(protocol_error(format!(
                        "invalid message length {len}"
                    ))));
                }
                if len - 4 > max {
                    return Err(ReadError::Protocol(protocol_error(format!(
                        "invalid message length: {} bytes exceeds the limit of {max} bytes",
                        len - 4
                    ))));
                }
                if self.buf.len() > len {
                    let mut m = self.buf.split_to(len + 1);
                    m.advance(5);
                    return Ok(Some((t, m.freeze())));
                }
                want = len + 1;
            }
            if !self.fill(io, want).await? {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                // The connection closed in the middle of a message.
                return Err(ReadError::Io);
            }
        }
    }
}

/// Cursor over a message body.
#[derive(Debug)]
pub(crate) struct Body {
    b: Bytes,
}

fn truncated() -> QueryError {
    protocol_error("insufficient data left in message")
}

impl Body {
    pub(crate) fn new(b: Bytes) -> Body {
        Body { b }
    }

    pub(crate) fn i16(&mut self) -> Result<i16, QueryError> {
        if self.b.len() < 2 {
            return Err(truncated());
        }
        Ok(self.b.get_i16())
    }

    pub(crate) fn i32(&mut self) -> Result<i32, QueryError> {
        if self.b.len() < 4 {
            return Err(truncated());
        }
        Ok(self.b.get_i32())
    }

    pub(crate) fn u8(&mut self) -> Result<u8, QueryError> {
        if self.b.is_empty() {
            return Err(truncated());
        }
        Ok(self.b.get_u8())
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<Bytes, QueryError> {
        if self.b.len() < n {
            return Err(truncated());
        }
        Ok(self.b.split_to(n))
    }

    /// A NUL-terminated string as raw bytes.
    pub(crate) fn cstr_bytes(&mut self) -> Result<Bytes, QueryError> {
        let Some(end) = self.b.iter().position(|&c| c == 0) else {
            return Err(protocol_error("invalid string in message"));
        };
        let s = self.b.split_to(end);
        self.b.advance(1);
        Ok(s)
    }

    /// A NUL-terminated UTF-8 string.
    pub(crate) fn cstr(&mut self) -> Result<String, QueryError> {
        let b = self.cstr_bytes()?;
        utf8(&b)
    }

    /// Fails unless the body was consumed entirely.
    pub(crate) fn end(&self) -> Result<(), QueryError> {
        if self.b.is_empty() {
            Ok(())
        } else {
            Err(protocol_error("invalid message format"))
        }
    }
}

/// Bytes as UTF-8, or 22021 naming the first bad byte sequence.
pub(crate) fn utf8(b: &[u8]) -> Result<String, QueryError> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            let bad: Vec<String> = b[at..]
                .iter()
                .take(e.error_len().unwrap_or(1).max(1))
                .map(|x| format!("0x{x:02x}"))
                .collect();
            Err(QueryError::new(
                "22021",
                format!("invalid byte sequence for encoding \"UTF8\": {}", bad.join(" ")),
            ))
        }
    }
}

/// Builder of backend messages.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub(crate) buf: BytesMut,
}

/// Severity of an error or notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Error,
    Fatal,
    Notice,
    Warning,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
            Severity::Notice => "NOTICE",
            Severity::Warning => "WARNING",
        }
    }
}

impl Out {
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn take(&mut self) -> BytesMut {
        self.buf.split()
    }

    /// Starts a message; returns the position of its length word.
    pub(crate) fn begin(&mut self, tag: u8) -> usize {
        self.buf.put_u8(tag);
        let at = self.buf.len();
        self.buf.put_i32(0);
        at
    }

    /// Ends a message started at `at` (fills in the length).
    pub(crate) fn finish(&mut self, at: usize) {
        let len = (self.buf.len() - at) as i32;
        self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }

    pub(crate) fn cstr(&mut self, s: &str) {
        // NUL bytes cannot travel inside a C string.
        for part in s.split('\0') {
            self.buf.put_slice(part.as_bytes());
        }
        self.buf.put_u8(0);
    }

    pub(crate) fn i16(&mut self, v: i16) {
        self.buf.put_i16(v);
    }

    pub(crate) fn i32(&mut self, v: i32) {
        self.buf.put_i32(v);
    }

    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.buf.put_slice(b);
    }

    fn empty(&mut self, tag: u8) {
        self.buf.put_u8(tag);
        self.buf.put_i32(4);
    }

    pub(crate) fn auth(&mut self, code: i32, data: &[u8]) {
        let at = self.begin(b'R');
        self.i32(code);
        self.raw(data);
        self.finish(at);
    }

    pub(crate) fn parameter_status(&mut self, name: &str, value: &str) {
        let at = self.begin(b'S');
        self.cstr(name);
        self.cstr(value);
        self.finish(at);
    }

    pub(crate) fn backend_key(&mut self, pid: i32, secret: i32) {
        let at = self.begin(b'K');
        self.i32(pid);
        self.i32(secret);
        self.finish(at);
    }

    pub(crate) fn ready(&mut self, status: u8) {
        let at = self.begin(b'Z');
        self.buf.put_u8(status);
        self.finish(at);
    }

    pub(crate) fn command_complete(&mut self, tag: &str) {
        let at = self.begin(b'C');
        self.cstr(tag);
        self.finish(at);
    }

    pub(crate) fn empty_query(&mut self) {
        self.empty(b'I');
    }

    pub(crate) fn parse_complete(&mut self) {
        self.empty(b'1');
    }

    pub(crate) fn bind_complete(&mut self) {
        self.empty(b'2');
    }

    pub(crate) fn close_complete(&mut self) {
        self.empty(b'3');
    }

    pub(crate) fn no_data(&mut self) {
        self.empty(b'n');
    }

    pub(crate) fn portal_suspended(&mut self) {
        self.empty(b's');
    }

    pub(crate) fn copy_done(&mut self) {
        self.empty(b'c');
    }

    pub(crate) fn copy_data(&mut self, data: &[u8]) {
        let at = self.begin(b'd');
        self.raw(data);
        self.finish(at);
    }

    /// CopyInResponse ('G') or CopyOutResponse ('H'), in text (0) or binary (1) format.
    pub(crate) fn copy_response(&mut self, tag: u8, columns: usize, format: u8) {
        let at = self.begin(tag);
        self.buf.put_u8(format);
        self.i16(columns as i16);
        for _ in 0..columns {
            self.i16(i16::from(format));
        }
        self.finish(at);
    }

    pub(crate) fn parameter_description(&mut self, oids: &[u32]) {
        let at = self.begin(b't');
        self.i16(oids.len() as i16);
        for o in oids {
            self.buf.put_u32(*o);
        }
        self.finish(at);
    }

    pub(crate) fn negotiate_protocol(&mut self, minor: i32, unrecognized: &[String]) {
        let at = self.begin(b'v');
        self.i32(minor);
        self.i32(unrecognized.len() as i32);
        for o in unrecognized {
            self.cstr(o);
        }
        self.finish(at);
    }

    /// ErrorResponse or NoticeResponse.
    pub(crate) fn error(&mut self, e: &QueryError, sev: Severity) {
        let tag = if matches!(sev, Severity::Notice | Severity::Warning) {
            b'N'
        } else {
            b'E'
        };
        let at = self.begin(tag);
        let field = |o: &mut Out, f: u8, v: &str| {
            o.buf.put_u8(f);
            o.cstr(v);
        };
        field(self, b'S', sev.name());
        field(self, b'V', sev.name());
        field(self, b'C', e.code);
        field(self, b'M', &e.message);
        if let Some(d) = &e.detail {
            field(self, b'D', d);
        }
        if let Some(h) = &e.hint {
            field(self, b'H', h);
        }
        if let Some(p) = e.position {
            field(self, b'P', &p.to_string());
        }
        self.buf.put_u8(0);
        self.finish(at);
    }

    /// A notice from the session (warnings have class 01).
    pub(crate) fn notice(&mut self, e: &QueryError) {
        let sev = if e.code.starts_with("01") {
            Severity::Warning
        } else {
            Severity::Notice
        };
        self.error(e, sev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_messages_split_anywhere() {
        let mut data = Vec::new();
        data.push(b'Q');
        data.extend_from_slice(&9i32.to_be_bytes());
        data.extend_from_slice(b"abcd\0");
        data.push(b'S');
        data.extend_from_slice(&4i32.to_be_bytes());
        let mut r = Reader::default();
        let mut io = &data[..];
        let (t, b) = r.message(&mut io, 100).await.unwrap().unwrap();
        assert_eq!((t, &b[..]), (b'Q', &b"abcd\0"[..]));
        let (t, b) = r.message(&mut io, 100).await.unwrap().unwrap();
        assert_eq!((t, b.len()), (b'S', 0));
        assert!(r.message(&mut io, 100).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn rejects_bad_frames() {
        let mut r = Reader::default();
        let mut io = &b"Z\0\0\0\x04"[..];
        assert!(matches!(
            r.message(&mut io, 100).await,
            Err(ReadError::Protocol(_))
        ));
        let mut r = Reader::default();
        let mut io = &b"Q\0\0\0\x02"[..];
        assert!(matches!(
            r.message(&mut io, 100).await,
            Err(ReadError::Protocol(_))
        ));
        let mut r = Reader::default();
        let mut io = &b"Q\x7f\0\0\0"[..];
        assert!(matches!(
            r.message(&mut io, 100).await,
            Err(ReadError::Protocol(_))
        ));
        let mut r = Reader::default();
        let mut io = &b"\0\0\0\x03"[..];
        assert!(matches!(
            r.startup(&mut io, 10000).await,
            Err(ReadError::Protocol(_))
        ));
    }

    #[test]
    fn utf8_errors_name_the_byte() {
        let e = utf8(b"ab\xffc").unwrap_err();
        assert_eq!(e.code, "22021");
        assert!(e.message.ends_with("0xff"), "{}", e.message);
    }
}
