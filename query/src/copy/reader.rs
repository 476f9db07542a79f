//! Streaming COPY FROM parser for text and CSV. Data arrives in arbitrary chunks; complete rows
//! are split into fields and converted straight into typed column builders.
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::numbers::{parse_decimal_f64, parse_i64_bytes, parse_iso_timestamp_cached};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::session::{CopyFormat, CopyOptions};
use crate::types::text::{int_range, parse_value};
use crate::types::{DataType, Physical, Value};
use crate::vector::{DictVec, Vector, VectorData};

/// Rows per produced batch.
const BATCH_ROWS: usize = 65_536;

/// A target column.
#[derive(Debug, Clone)]
pub struct ReaderColumn {
    /// Name (for error context).
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// CSV FORCE_NULL.
    pub force_null: bool,
    /// CSV FORCE_NOT_NULL.
    pub force_not_null: bool,
}

enum Builder {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Text {
        dict: Vec<Box<[u8]>>,
        index: FxHashMap<Box<[u8]>, u32>,
        codes: Vec<u32>,
    },
    Values(Vec<Value>),
}

/// One field of the current row: NULL, a range of the row, or an unescaped copy in the pool.
#[derive(Clone, Copy)]
enum Field {
    Null,
    Raw(usize, usize),
    Owned(usize),
}

/// Reusable buffers for splitting rows (no allocation per row).
#[derive(Default)]
struct Split {
    fields: Vec<Field>,
    pool: Vec<Vec<u8>>,
    used: usize,
}

impl Split {
    fn clear(&mut self) {
        self.fields.clear();
        self.used = 0;
    }

    /// A cleared buffer from the pool; `Field::Owned(i)` refers to it.
    fn owned(&mut self) -> (usize, &mut Vec<u8>) {
        if self.used == self.pool.len() {
            self.pool.push(Vec::new());
        }
        let i = self.used;
        self.used += 1;
        let v = &mut self.pool[i];
        v.clear();
        (i, v)
    }

    fn bytes<'a>(&'a self, row: &'a [u8], f: Field) -> Option<&'a [u8]> {
        match f {
            Field::Null => None,
            Field::Raw(a, b) => Some(&row[a..b]),
            Field::Owned(i) => Some(&self.pool[i]),
        }
    }
}

struct Col {
    spec: ReaderColumn,
    data: Builder,
    valid: Vec<bool>,
    any_null: bool,
    /// The last date seen by the timestamp fast path (rows of a load share their day).
    day: Option<([u8; 10], i64)>,
}

impl Col {
    fn new(spec: ReaderColumn) -> Col {
        let data = match spec.ty.physical() {
            Physical::Int => Builder::Int(Vec::new()),
            Physical::Float => Builder::Float(Vec::new()),
            Physical::Bool => Builder::Bool(Vec::new()),
            Physical::Text => Builder::Text {
                dict: Vec::new(),
                index: FxHashMap::default(),
                codes: Vec::new(),
            },
            Physical::Value => Builder::Values(Vec::new()),
        };
        Col {
            spec,
            data,
            valid: Vec::new(),
            any_null: false,
            day: None,
        }
    }

    fn push_null(&mut self) {
        match &mut self.data {
            Builder::Int(v) => v.push(0),
            Builder::Float(v) => v.push(0.0),
            Builder::Bool(v) => v.push(false),
            Builder::Text { codes, dict, index } => {
                let c = intern(dict, index, b"");
                codes.push(c);
            }
            Builder::Values(v) => v.push(Value::Null),
        }
        self.valid.push(false);
        self.any_null = true;
    }

    /// Adds one value; `ascii` says the row is known to be ASCII (so valid UTF-8).
    fn push(&mut self, b: &[u8], ascii: bool, ctx: &EvalContext) -> Result<()> {
        let ty = &self.spec.ty;
        let general = |b: &[u8]| -> Result<Value> {
            let s = std::str::from_utf8(b).map_err(|_| {
                QueryError::new(
                    sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
                    "invalid byte sequence for encoding \"UTF8\"",
                )
            })?;
            parse_value(s, ty, ctx)
        };
        match &mut self.data {
            Builder::Int(v) => {
                let x = match ty {
                    DataType::Int2 | DataType::Int4 | DataType::Int8 => match parse_i64_bytes(b) {
                        Some(x) => {
                            let (lo, hi) = int_range(ty);
                            if x < lo || x > hi {
                                general(b)?.as_int().unwrap_or(0)
                            } else {
                                x
                            }
                        }
                        None => general(b)?.as_int().unwrap_or(0),
                    },
                    DataType::Timestamp => match parse_iso_timestamp_cached(b, &mut self.day) {
                        Some(x) => x,
                        None => general(b)?.as_int().unwrap_or(0),
                    },
                    DataType::Timestamptz if matches!(ctx.tz, crate::types::Tz::Utc) => {
                        match parse_iso_timestamp_cached(b, &mut self.day) {
                            Some(x) => x,
                            None => general(b)?.as_int().unwrap_or(0),
                        }
                    }
                    _ => general(b)?.as_int().unwrap_or(0),
                };
                v.push(x);
            }
            Builder::Float(v) => {
                let x = match parse_decimal_f64(b) {
                    Some(x) if *ty == DataType::Float8 => x,
                    _ => general(b)?.as_f64().unwrap_or(0.0),
                };
                v.push(x);
            }
            Builder::Bool(v) => v.push(general(b)?.as_bool().unwrap_or(false)),
            Builder::Text { dict, index, codes } => {
                if !ascii && std::str::from_utf8(b).is_err() {
                    return Err(QueryError::new(
                        sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
                        "invalid byte sequence for encoding \"UTF8\"",
                    ));
                }
                let owned;
                let b: &[u8] = match ty {
                    DataType::Text
                    | DataType::Name
                    | DataType::Unknown
                    | DataType::Json
                    | DataType::Jsonb => b,
                    _ => {
                        // varchar(n), char(n), bytea, uuid: apply the type's input rules.
                        owned = match general(b)? {
                            Value::Str(s) => s.as_bytes().to_vec(),
                            Value::Bytes(x) => x.to_vec(),
                            _ => Vec::new(),
                        };
                        &owned
                    }
                };
                codes.push(intern(dict, index, b));
            }
            Builder::Values(v) => v.push(general(b)?),
        }
        self.valid.push(true);
        Ok(())
    }

    fn take(&mut self) -> Vector {
        let validity = if self.any_null {
            Some(std::mem::take(&mut self.valid))
        } else {
            None
        };
        self.valid.clear();
        self.any_null = false;
        let ty = self.spec.ty.clone();
        let data = match &mut self.data {
            Builder::Int(v) => VectorData::Int(std::mem::take(v)),
            Builder::Float(v) => VectorData::Float(std::mem::take(v)),
            Builder::Bool(v) => VectorData::Bool(std::mem::take(v)),
            Builder::Text { dict, index, codes } => {
                let d = DictVec {
                    dict: Arc::new(std::mem::take(dict)),
                    codes: std::mem::take(codes),
                };
                index.clear();
                VectorData::Text(d)
            }
            Builder::Values(v) => VectorData::Values(std::mem::take(v)),
        };
        Vector::new(ty, data, validity)
    }
}

fn intern(dict: &mut Vec<Box<[u8]>>, index: &mut FxHashMap<Box<[u8]>, u32>, b: &[u8]) -> u32 {
    if let Some(&c) = index.get(b) {
        return c;
    }
    let c = dict.len() as u32;
    dict.push(b.into());
    index.insert(b.into(), c);
    c
}

/// Parses COPY FROM data.
pub struct CopyReader {
    table: String,
    options: CopyOptions,
    cols: Vec<Col>,
    ctx: EvalContext,
    buf: Vec<u8>,
    /// (FORCE_NULL, FORCE_NOT_NULL) per column.
    flags: Vec<(bool, bool)>,
    /// Bytes of `buf` already known to hold no row end, and the quote state there.
    scanned: usize,
    in_quotes: bool,
    line: u64,
    header_pending: bool,
    done: bool,
    rows: usize,
    split: Split,
}

impl std::fmt::Debug for CopyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyReader")
            .field("table", &self.table)
            .field("line", &self.line)
            .finish()
    }
}

impl CopyReader {
    /// A reader for `columns` of `table`.
    pub fn new(
        table: &str,
        columns: Vec<ReaderColumn>,
        options: CopyOptions,
        ctx: EvalContext,
    ) -> CopyReader {
        let header_pending = options.header;
        let flags = columns.iter().map(|c| (c.force_null, c.force_not_null)).collect();
        CopyReader {
            flags,
            table: table.into(),
            cols: columns.into_iter().map(Col::new).collect(),
            options,
            ctx,
            buf: Vec::new(),
            scanned: 0,
            in_quotes: false,
            line: 0,
            header_pending,
            done: false,
            rows: 0,
            split: Split::default(),
        }
    }

    /// Lines consumed so far.
    pub fn line(&self) -> u64 {
        self.line
    }

    fn context(&self, col: Option<&str>, value: Option<&[u8]>) -> String {
        let mut s = format!("COPY {}, line {}", self.table, self.line);
        if let Some(c) = col {
            s.push_str(&format!(", column {c}"));
        }
        if let Some(v) = value {
            s.push_str(&format!(": \"{}\"", String::from_utf8_lossy(v)));
        }
        s
    }

    fn err(&self, e: QueryError, col: Option<&str>, value: Option<&[u8]>) -> QueryError {
        let ctx = self.context(col, value);
        match e.detail {
            Some(_) => e.with_hint(ctx),
            None => e.with_detail(ctx),
        }
    }

    /// Feeds data; returns the batches completed by it.
    pub fn feed(&mut self, data: &[u8]) -> Result<Vec<Vec<Vector>>> {
        let mut out = Vec::new();
        if self.done {
            return Ok(out);
        }
        self.buf.extend_from_slice(data);
        let buf = std::mem::take(&mut self.buf);
        let r = self.scan_rows(&buf, &mut out);
        self.buf = buf;
        let (start, i) = r?;
        self.buf.drain(..start);
        self.scanned = if self.done { 0 } else { i - start };
        Ok(out)
    }

    /// Parses the complete rows of `buf`; returns (consumed bytes, scanned bytes).
    fn scan_rows(&mut self, buf: &[u8], out: &mut Vec<Vec<Vector>>) -> Result<(usize, usize)> {
        let mut start = 0;
        let csv = self.options.format == CopyFormat::Csv;
        let quote = self.options.quote;
        let escape = self.options.escape;
        let mut i = self.scanned;
        let mut in_q = self.in_quotes;
        while i < buf.len() {
            if !in_q {
                // Fast path: jump to the next newline (or quote, in CSV).
                let rest = &buf[i..];
                let next = if csv {
                    memchr::memchr2(b'\n', quote, rest)
                } else {
                    memchr::memchr(b'\n', rest)
                };
                match next {
                    Some(k) => i += k,
                    None => {
                        i = buf.len();
                        break;
                    }
                }
            }
            let c = buf[i];
            if csv
                && in_q
                && c == escape
                && escape != quote
                && buf.get(i + 1).is_some_and(|&n| n == quote || n == escape)
            {
                i += 2;
                continue;
            }
            if csv && c == quote {
                in_q = !in_q;
            } else if c == b'\n' && !in_q {
                let mut end = i;
                if end > start && buf[end - 1] == b'\r' {
                    end -= 1;
                }
                let row = &buf[start..end];
                start = i + 1;
                self.line += 1;
                if self.row(row)? {
                    self.done = true;
                    break;
                }
                if self.rows >= BATCH_ROWS {
                    out.push(self.take_batch());
                }
            }
            i += 1;
        }
        self.in_quotes = in_q;
        Ok((start, i.min(buf.len())))
    }

    /// Ends the data; returns the last batch.
    pub fn finish(&mut self) -> Result<Vec<Vec<Vector>>> {
        if !self.done && !self.buf.is_empty() {
            if self.in_quotes {
                self.line += 1;
                return Err(self.err(
                    QueryError::new(sqlstate::BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field"),
                    None,
                    None,
                ));
            }
            let row = std::mem::take(&mut self.buf);
            let row = row.strip_suffix(b"\r").unwrap_or(&row).to_vec();
            self.line += 1;
            self.row(&row)?;
        }
        self.done = true;
        let mut out = Vec::new();
        if self.rows > 0 {
            out.push(self.take_batch());
        }
        Ok(out)
    }

    fn take_batch(&mut self) -> Vec<Vector> {
        self.rows = 0;
        self.cols.iter_mut().map(Col::take).collect()
    }

    /// Parses one row; returns true at the end-of-data marker.
    fn row(&mut self, row: &[u8]) -> Result<bool> {
        if row == b"\\." {
            return Ok(true);
        }
        if self.header_pending {
            self.header_pending = false;
            return Ok(false);
        }
        let mut split = std::mem::take(&mut self.split);
        split.clear();
        let r = match self.options.format {
            CopyFormat::Csv => split_csv(&self.options, &self.flags, row, &mut split),
            CopyFormat::Text => {
                split_text(&self.options, row, &mut split);
                Ok(())
            }
            CopyFormat::Binary => crate::error::unsupported("COPY BINARY"),
        };
        let r = r
            .map_err(|e| self.err(e, None, None))
            .and_then(|()| self.fields(row, &split));
        self.split = split;
        r?;
        self.rows += 1;
        Ok(false)
    }

    /// Checks the field count and pushes every field of the split row.
    fn fields(&mut self, row: &[u8], split: &Split) -> Result<()> {
        let ncols = self.cols.len();
        let nf = split.fields.len();
        if nf < ncols && !(ncols == 0 && row.is_empty()) {
            let missing = self.cols.get(nf).map(|c| c.spec.name.clone()).unwrap_or_default();
            return Err(self.err(
                QueryError::new(
                    sqlstate::BAD_COPY_FILE_FORMAT,
                    format!("missing data for column \"{missing}\""),
                ),
                None,
                None,
            ));
        }
        if nf > ncols {
            return Err(self.err(
                QueryError::new(
                    sqlstate::BAD_COPY_FILE_FORMAT,
                    "extra data after last expected column",
                ),
                None,
                None,
            ));
        }
        let ascii = row.is_ascii();
        for (k, &f) in split.fields.iter().enumerate() {
            match split.bytes(row, f) {
                None => {
                    if !self.cols[k].spec.ty.is_string() || !self.cols[k].spec.force_not_null {
                        self.cols[k].push_null();
                    } else {
                        self.push(k, b"", true)?;
                    }
                }
                Some(v) => self.push(k, v, ascii && matches!(f, Field::Raw(..)))?,
            }
        }
        Ok(())
    }

    fn push(&mut self, k: usize, v: &[u8], ascii: bool) -> Result<()> {
        let (cols, ctx) = (&mut self.cols, &self.ctx);
        if let Err(e) = cols[k].push(v, ascii, ctx) {
            let name = self.cols[k].spec.name.clone();
            // Keep columns aligned: the batch is abandoned with the error anyway.
            return Err(self.err(e, Some(&name), Some(v)));
        }
        Ok(())
    }
}

fn split_text(o: &CopyOptions, row: &[u8], out: &mut Split) {
    let null = o.null.as_bytes();
    let delim = o.delimiter;
    let mut start = 0;
    for raw in row.split(|&c| c == delim) {
        let (a, b) = (start, start + raw.len());
        start = b + 1;
        if raw == null {
            out.fields.push(Field::Null);
            continue;
        }
        if memchr::memchr(b'\\', raw).is_none() {
            out.fields.push(Field::Raw(a, b));
            continue;
        }
        let (idx, v) = out.owned();
        v.reserve(raw.len());
        let mut i = 0;
        while i < raw.len() {
            let c = raw[i];
            if c != b'\\' || i + 1 >= raw.len() {
                v.push(c);
                i += 1;
                continue;
            }
            let n = raw[i + 1];
            i += 2;
            match n {
                b'b' => v.push(8),
                b'f' => v.push(12),
                b'n' => v.push(b'\n'),
                b'r' => v.push(b'\r'),
                b't' => v.push(b'\t'),
                b'v' => v.push(11),
                b'0'..=b'7' => {
                    let mut x = u32::from(n - b'0');
                    let mut k = 0;
                    while k < 2 && i < raw.len() && (b'0'..=b'7').contains(&raw[i]) {
                        x = x * 8 + u32::from(raw[i] - b'0');
                        i += 1;
                        k += 1;
                    }
                    v.push((x & 0xff) as u8);
                }
                b'x' => {
                    let mut x = 0u32;
                    let mut k = 0;
                    while k < 2 && i < raw.len() && raw[i].is_ascii_hexdigit() {
                        x = x * 16 + (raw[i] as char).to_digit(16).unwrap_or(0);
                        i += 1;
                        k += 1;
                    }
                    v.push(x as u8);
                }
                other => v.push(other),
            }
        }
        out.fields.push(Field::Owned(idx));
    }
}

fn split_csv(o: &CopyOptions, flags: &[(bool, bool)], row: &[u8], out: &mut Split) -> Result<()> {
    let null = o.null.as_bytes();
    let (delim, quote, escape) = (o.delimiter, o.quote, o.escape);
    let unquoted = |out: &mut Split, a: usize, b: usize| {
        let force_not_null = flags.get(out.fields.len()).is_some_and(|f| f.1);
        out.fields.push(if &row[a..b] == null && !force_not_null {
            Field::Null
        } else {
            Field::Raw(a, b)
        });
    };
    if memchr::memchr(quote, row).is_none() {
        let mut a = 0;
        for d in memchr::memchr_iter(delim, row) {
            unquoted(out, a, d);
            a = d + 1;
        }
        unquoted(out, a, row.len());
        return Ok(());
    }
    let mut i = 0;
    loop {
        if i < row.len() && row[i] == quote {
            let k = out.fields.len();
            let (idx, v) = out.owned();
            i += 1;
            loop {
                if i >= row.len() {
                    return Err(QueryError::new(
                        sqlstate::BAD_COPY_FILE_FORMAT,
                        "unterminated CSV quoted field",
                    ));
                }
                let c = row[i];
                if c == escape
                    && row.get(i + 1).is_some_and(|&n| n == quote || n == escape)
                    && (escape != quote || row.get(i + 1) == Some(&quote))
                {
                    v.push(row[i + 1]);
                    i += 2;
                } else if c == quote {
                    i += 1;
                    break;
                } else {
                    v.push(c);
                    i += 1;
                }
            }
            // Anything up to the delimiter after the closing quote is kept verbatim.
            while i < row.len() && row[i] != delim {
                v.push(row[i]);
                i += 1;
            }
            let force_null = flags.get(k).is_some_and(|f| f.0);
            let is_null = force_null && v.as_slice() == null;
            out.fields
                .push(if is_null { Field::Null } else { Field::Owned(idx) });
        } else {
            let s = i;
            i += memchr::memchr(delim, &row[i..]).unwrap_or(row.len() - i);
            unquoted(out, s, i);
        }
        if i >= row.len() {
            break;
        }
        i += 1; // delimiter
    }
    Ok(())
}
