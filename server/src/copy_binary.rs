//! PostgreSQL's binary COPY format (`COPY … (FORMAT binary)`): an 11-byte signature, a flags
//! word and a header extension; then per row a 16-bit field count followed by each field as a
//! 32-bit length (-1 for NULL) and the value's binary form; a field count of -1 ends the data.
//! Values use the same binary forms as Bind parameters and DataRow columns ([`crate::binary`]).
use bytes::{BufMut, BytesMut};
use plantdb_query::context::EvalContext;
use plantdb_query::error::QueryError;
use plantdb_query::session::CopyIn;
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Batch;

use crate::binary;

/// The file signature.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
/// Header flag bit 16: rows carry OIDs (not supported since PostgreSQL 12).
const FLAG_OIDS: u32 = 1 << 16;
/// Longest header extension accepted (none is defined).
const MAX_HEADER_EXTENSION: i32 = 1 << 20;
/// Header flag bits a reader must understand.
const CRITICAL_FLAGS: u32 = 0xFFFF_0000;

fn bad_format(message: impl Into<String>) -> QueryError {
    QueryError::new("22P04", message)
}

/// Decodes binary COPY data arriving in arbitrary chunks into rows.
#[derive(Debug)]
pub(crate) struct BinaryCopyReader {
    table: String,
    names: Vec<String>,
    types: Vec<DataType>,
    /// Bytes not consumed yet (an incomplete header or row).
    buf: Vec<u8>,
    header_done: bool,
    /// The -1 trailer was read.
    ended: bool,
    /// Rows read so far (PostgreSQL calls the row number "line" in error context).
    row: u64,
}

impl BinaryCopyReader {
    pub(crate) fn new(copy: &CopyIn) -> BinaryCopyReader {
        let (names, types) = copy.input_columns().iter().cloned().unzip();
        BinaryCopyReader {
            table: copy.table().to_string(),
            names,
            types,
            buf: Vec::new(),
            header_done: false,
            ended: false,
            row: 0,
        }
    }

    fn context(&self, e: QueryError, column: Option<usize>) -> QueryError {
        let mut ctx = format!("COPY {}, line {}", self.table, self.row + 1);
        if let Some(c) = column.and_then(|c| self.names.get(c)) {
            ctx.push_str(&format!(", column {c}"));
        }
        match e.detail {
            Some(_) => e.with_hint(ctx),
            None => e.with_detail(ctx),
        }
    }

    /// Consumes the header once it is complete; false while more bytes are needed.
    fn header(&mut self) -> Result<bool, QueryError> {
        let b = &self.buf;
        if b.len() < SIGNATURE.len() + 8 {
            if !SIGNATURE.starts_with(&b[..b.len().min(SIGNATURE.len())]) {
                return Err(bad_format("COPY file signature not recognized"));
            }
            return Ok(false);
        }
        if &b[..SIGNATURE.len()] != SIGNATURE {
            return Err(bad_format("COPY file signature not recognized"));
        }
        let word = |at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let flags = word(11);
        if flags & FLAG_OIDS != 0 {
            return Err(bad_format("invalid COPY file header (WITH OIDS)"));
        }
        if flags & CRITICAL_FLAGS != 0 {
            return Err(bad_format("unrecognized critical flags in COPY file header"));
        }
        let ext = word(15) as i32;
        if ext < 0 {
            return Err(bad_format("invalid COPY file header (missing length)"));
        }
        // No extension is defined; a huge one would only make us buffer the client's data.
        if ext > MAX_HEADER_EXTENSION {
            return Err(bad_format("invalid COPY file header (extension too long)"));
        }
        let end = SIGNATURE.len() + 8 + ext as usize;
        if b.len() < end {
            return Ok(false);
        }
        self.buf.drain(..end);
        self.header_done = true;
        Ok(true)
    }

    /// The byte length of the complete row at the start of `b` (None: incomplete; 0: the
    /// trailer).
    fn row_len(b: &[u8], ncols: usize) -> Result<Option<usize>, QueryError> {
        if b.len() < 2 {
            return Ok(None);
        }
        let n = i16::from_be_bytes([b[0], b[1]]);
        if n == -1 {
            return Ok(Some(0));
        }
        if n < 0 || n as usize != ncols {
            return Err(bad_format(format!("row field count is {n}, expected {ncols}")));
        }
        let mut at = 2;
        for _ in 0..ncols {
            if b.len() < at + 4 {
                return Ok(None);
            }
            let len = i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
            at += 4;
            if len < -1 {
                return Err(bad_format("invalid field size"));
            }
            if len > 0 {
                at += len as usize;
                if b.len() < at {
                    return Ok(None);
                }
            }
        }
        Ok(Some(at))
    }

    /// Feeds data; returns the rows it completed, one value list per column.
    pub(crate) fn feed(&mut self, data: &[u8], ctx: &EvalContext) -> Result<Vec<Vec<Value>>, QueryError> {
        self.buf.extend_from_slice(data);
        let mut cols: Vec<Vec<Value>> = vec![Vec::new(); self.types.len()];
        if !self.header_done && !self.header()? {
            return Ok(cols);
        }
        let mut at = 0;
        while at < self.buf.len() {
            if self.ended {
                return Err(self.context(bad_format("received copy data after EOF marker"), None));
            }
            let len = match Self::row_len(&self.buf[at..], self.types.len()) {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(e) => return Err(self.context(e, None)),
            };
            if len == 0 {
                self.ended = true;
                at += 2;
                continue;
            }
            let mut p = at + 2;
            // row_len checked that the row is complete: the slicing below stays in bounds.
            for (c, (col, ty)) in cols.iter_mut().zip(&self.types).enumerate() {
                let b = &self.buf[p..];
                let n = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                p += 4;
                if n < 0 {
                    col.push(Value::Null);
                    continue;
                }
                let raw = &self.buf[p..p + n as usize];
                p += n as usize;
                match binary::decode(raw, ty, ctx) {
                    Ok(v) => col.push(v),
                    Err(e) => return Err(self.context(e, Some(c))),
                }
            }
            self.row += 1;
            at += len;
        }
        self.buf.drain(..at);
        Ok(cols)
    }

    /// The end of the data: nothing may be left half-read.
    pub(crate) fn finish(&self) -> Result<(), QueryError> {
        if !self.header_done {
            return Err(bad_format("COPY file signature not recognized"));
        }
        if !self.buf.is_empty() {
            return Err(self.context(bad_format("unexpected EOF in COPY data"), None));
        }
        Ok(())
    }
}

/// The header that starts binary COPY TO output.
pub(crate) fn header(out: &mut BytesMut) {
    out.extend_from_slice(SIGNATURE);
    out.put_u32(0);
    out.put_u32(0);
}

/// The trailer that ends binary COPY TO output.
pub(crate) const TRAILER: [u8; 2] = (-1i16).to_be_bytes();

/// Row `r` of `batch` (columns of the given types) in binary COPY form.
pub(crate) fn row(
    batch: &Batch,
    r: usize,
    types: &[DataType],
    ctx: &EvalContext,
    out: &mut BytesMut,
) -> Result<(), QueryError> {
    out.put_i16(batch.columns.len() as i16);
    for (c, ty) in batch.columns.iter().zip(types) {
        let v = c.value(r);
        if v.is_null() {
            out.put_i32(-1);
            continue;
        }
        let at = out.len();
        out.put_i32(0);
        binary::encode(&v, ty, ctx, out)?;
        let n = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&n.to_be_bytes());
    }
    Ok(())
}
