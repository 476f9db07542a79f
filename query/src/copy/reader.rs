//! Streaming COPY FROM parser for text and CSV. Data arrives in arbitrary chunks. Runs of
//! plain rows (no quotes, no escapes) take the block path (`block.rs`); every other row is
//! split on its own and its fields converted one by one (the row path), which is also what
//! reports errors, naming the line and column.
use super::block::{self, Spans};
use super::column::{Col, ReaderColumn};
use super::swar;
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::session::{CopyFormat, CopyOptions};
use crate::vector::Vector;

/// Rows per produced batch.
const BATCH_ROWS: usize = 65_536;

/// Rows per block of the block path: a block and its field ends stay in the L2 cache while
/// each column makes its pass over them.
const BLOCK_ROWS: usize = 2048;

/// End of the row that starts at `start` and whose newline is at `nl`: a `\r` before the
/// newline belongs to the line end (CRLF), not to the last field.
pub(super) fn line_end(buf: &[u8], start: usize, nl: usize) -> usize {
    if nl > start && buf[nl - 1] == b'\r' {
        nl - 1
    } else {
        nl
    }
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
    /// The row is ASCII (found by the splitter's fast path, else checked).
    ascii: bool,
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
    spans: Spans,
    /// Some column takes text as it is: block-path blocks are checked to be UTF-8.
    check_utf8: bool,
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
        let cols: Vec<Col> = columns.into_iter().map(|c| Col::new(c, &ctx)).collect();
        CopyReader {
            flags,
            table: table.into(),
            check_utf8: cols.iter().any(Col::takes_text),
            cols,
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
            spans: Spans::default(),
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
    pub fn feed(&mut self, mut data: &[u8]) -> Result<Vec<Vec<Vector>>> {
        let mut out = Vec::new();
        if self.done {
            return Ok(out);
        }
        if !self.buf.is_empty() {
            // Finish the pending row with the data up to the first newline.
            let k = memchr::memchr(b'\n', data).map_or(data.len(), |k| k + 1);
            self.buf.extend_from_slice(&data[..k]);
            data = &data[k..];
            self.scan_buffered(&mut out)?;
            if self.done {
                return Ok(out);
            }
            if !self.buf.is_empty() {
                // Still unfinished (a quoted newline): go on in the buffer.
                self.buf.extend_from_slice(data);
                self.scan_buffered(&mut out)?;
                return Ok(out);
            }
        }
        // Nothing pending (so no quote open either): parse the data where it is and keep only
        // its unfinished last row.
        let (start, i) = self.scan_rows(data, &mut out)?;
        if !self.done {
            self.buf.extend_from_slice(&data[start..]);
            self.scanned = i - start;
        }
        Ok(out)
    }

    /// Parses the complete rows of the buffer and drops them from it.
    fn scan_buffered(&mut self, out: &mut Vec<Vec<Vector>>) -> Result<()> {
        let buf = std::mem::take(&mut self.buf);
        let r = self.scan_rows(&buf, out);
        self.buf = buf;
        let (start, i) = r?;
        self.buf.drain(..start);
        self.scanned = if self.done { 0 } else { i - start };
        Ok(())
    }

    /// Parses the complete rows of `buf`; returns (consumed bytes, scanned bytes).
    fn scan_rows(&mut self, buf: &[u8], out: &mut Vec<Vec<Vector>>) -> Result<(usize, usize)> {
        let mut start = 0;
        let csv = self.options.format == CopyFormat::Csv;
        let quote = self.options.quote;
        let escape = self.options.escape;
        let mut i = self.scanned;
        let mut in_q = self.in_quotes;
        if !in_q && (!csv || memchr::memchr(quote, &buf[i..]).is_none()) {
            start = self.blocks(buf, out)?;
            if self.done {
                return Ok((start, start));
            }
            i = i.max(start);
            // No quote ahead: every newline ends a row.
            for nl in memchr::memchr_iter(b'\n', &buf[i..]) {
                let k = i + nl;
                let row = &buf[start..line_end(buf, start, k)];
                start = k + 1;
                self.line += 1;
                if self.row(row)? {
                    self.done = true;
                    return Ok((start, k));
                }
                if self.rows >= BATCH_ROWS {
                    out.push(self.take_batch());
                }
            }
            return Ok((start, buf.len()));
        }
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
                let row = &buf[start..line_end(buf, start, i)];
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

    /// Runs the block path over the plain complete rows at the start of `buf` (after the
    /// header, if one is pending); returns the bytes consumed.
    fn blocks(&mut self, buf: &[u8], out: &mut Vec<Vec<Vector>>) -> Result<usize> {
        let csv = self.options.format == CopyFormat::Csv;
        let mut used = 0;
        // The header here only when its line holds no quote (so its first newline ends it).
        if self.header_pending
            && let Some(nl) = memchr::memchr(b'\n', buf)
            && !(csv && buf[..nl].contains(&self.options.quote))
        {
            self.line += 1;
            used = nl + 1;
            if self.row(&buf[..line_end(buf, 0, nl)])? {
                self.done = true;
                return Ok(used);
            }
        }
        if self.header_pending || self.cols.is_empty() {
            return Ok(used);
        }
        let rest = &buf[used..];
        let Some(last) = memchr::memrchr(b'\n', rest) else {
            return Ok(used);
        };
        let plain = if csv {
            memchr::memchr2(self.options.quote, b'\\', rest).is_none()
        } else {
            only_null_markers(rest, self.options.delimiter, self.options.null.as_bytes())
        };
        let data = &rest[..=last];
        if !plain
            || data.len() >= u32::MAX as usize
            || (self.check_utf8 && std::str::from_utf8(data).is_err())
        {
            return Ok(used);
        }
        let (delim, ncols) = (self.options.delimiter, self.cols.len());
        let mut spans = std::mem::take(&mut self.spans);
        let mut at = 0;
        let result = loop {
            let room = (BATCH_ROWS - self.rows).min(BLOCK_ROWS);
            let n = block::split(&data[at..], delim, ncols, room, &mut spans);
            let rows = spans.rows();
            if rows == 0 {
                break Ok(());
            }
            let blk = &data[at..at + n];
            let null = self.options.null.as_bytes();
            let failed = self
                .cols
                .iter_mut()
                .enumerate()
                .find_map(|(c, col)| col.push_block(blk, &spans, c, null, &self.ctx).err());
            if let Some(r) = failed {
                break Err(self.replay(blk, &spans, r));
            }
            self.line += rows as u64;
            self.rows += rows;
            at += n;
            if self.rows >= BATCH_ROWS {
                out.push(self.take_batch());
            }
        };
        self.spans = spans;
        result.map(|()| used + at)
    }

    /// Reports the first error among rows `..=last` of a block through the row path, which
    /// names the line and column as PostgreSQL does.
    fn replay(&mut self, blk: &[u8], spans: &Spans, last: usize) -> QueryError {
        for r in 0..=last {
            self.line += 1;
            if let Err(e) = self.row(spans.row(blk, r)) {
                return e;
            }
        }
        crate::error::internal("COPY: a value the block path rejected was accepted row by row")
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
        let ascii = split.ascii;
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

/// Whether every backslash of text-format `data` begins a field that is exactly the NULL marker
/// `\N` (as in pg_dump's output), so that the data holds no escapes and the block path, which
/// compares fields with the marker, reads it as written.
pub(super) fn only_null_markers(data: &[u8], delim: u8, null: &[u8]) -> bool {
    let starts_field = |k: usize| k == 0 || data.get(k - 1).is_some_and(|&c| c == delim || c == b'\n');
    let ends_field = |k: usize| match data.get(k) {
        None => true,
        Some(&b'\r') => data.get(k + 1) == Some(&b'\n'),
        Some(&c) => c == delim || c == b'\n',
    };
    memchr::memchr_iter(b'\\', data)
        .all(|k| null == b"\\N" && data.get(k + 1) == Some(&b'N') && starts_field(k) && ends_field(k + 2))
}

fn split_text(o: &CopyOptions, row: &[u8], out: &mut Split) {
    let null = o.null.as_bytes();
    let delim = o.delimiter;
    let field = |a: usize, b: usize| {
        if &row[a..b] == null {
            Field::Null
        } else {
            Field::Raw(a, b)
        }
    };
    let mut a = 0;
    let scan = swar::scan(row, delim, b'\\', |d| {
        out.fields.push(field(a, d));
        a = d + 1;
    });
    if !scan.special {
        out.fields.push(field(a, row.len()));
        out.ascii = scan.ascii;
        return;
    }
    out.fields.clear();
    out.ascii = row.is_ascii();
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
    let mut a = 0;
    let scan = swar::scan(row, delim, quote, |d| {
        unquoted(out, a, d);
        a = d + 1;
    });
    if !scan.special {
        unquoted(out, a, row.len());
        out.ascii = scan.ascii;
        return Ok(());
    }
    out.fields.clear();
    out.ascii = row.is_ascii();
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
