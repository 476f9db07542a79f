//! Result rows on the wire: RowDescription, DataRow (text or binary per column), COPY TO data.
//! Encoding runs inside the blocking job that produced the rows and streams through a [`Sink`].
use bytes::{BufMut, BytesMut};
use plantdb_query::context::EvalContext;
use plantdb_query::copy::for_each_line;
use plantdb_query::error::QueryError;
use plantdb_query::plan::Field;
use plantdb_query::session::{CopyFormat, CopyOptions};
use plantdb_query::types::DataType;
use plantdb_query::types::text::format_value;
use plantdb_query::vector::{Batch, Vector, VectorData};
use tokio::sync::mpsc;

use crate::codec::Out;
use crate::{binary, copy_binary};

/// Bytes buffered before they go to the connection task.
const CHUNK: usize = 64 * 1024;

/// Where a blocking job writes backend messages; they reach the socket while the job runs.
#[derive(Debug)]
pub(crate) struct Sink {
    tx: mpsc::Sender<BytesMut>,
    pub(crate) out: Out,
    /// The connection is gone; stop producing.
    pub(crate) closed: bool,
}

impl Sink {
    pub(crate) fn new(tx: mpsc::Sender<BytesMut>) -> Sink {
        Sink {
            tx,
            out: Out::default(),
            closed: false,
        }
    }

    /// Hands over what is buffered once there is enough of it.
    pub(crate) fn maybe_flush(&mut self) {
        if self.out.len() >= CHUNK {
            self.flush();
        }
    }

    /// Hands over everything buffered.
    pub(crate) fn flush(&mut self) {
        if self.out.len() == 0 {
            return;
        }
        let b = self.out.take();
        if self.tx.blocking_send(b).is_err() {
            self.closed = true;
        }
    }
}

/// The type a column is described and formatted as (`unknown` results go out as text).
pub(crate) fn wire_type(ty: &DataType) -> DataType {
    match ty {
        DataType::Unknown => DataType::Text,
        t => t.clone(),
    }
}

/// Per-column format codes from a Bind message's result-format list.
pub(crate) fn resolve_formats(codes: &[i16], n: usize) -> Result<Vec<i16>, QueryError> {
    if let Some(c) = codes.iter().find(|c| !matches!(c, 0 | 1)) {
        return Err(QueryError::new("22023", format!("unsupported format code: {c}")));
    }
    match codes.len() {
        0 => Ok(vec![0; n]),
        1 => Ok(vec![codes[0]; n]),
        m if m == n => Ok(codes.to_vec()),
        m => Err(QueryError::new(
            "08P01",
            format!("bind message has {m} result formats but query has {n} columns"),
        )),
    }
}

/// RowDescription.
pub(crate) fn row_description(out: &mut Out, fields: &[Field], formats: &[i16]) {
    let at = out.begin(b'T');
    out.i16(fields.len() as i16);
    for (i, f) in fields.iter().enumerate() {
        let ty = wire_type(&f.ty);
        out.cstr(&f.name);
        out.buf.put_u32(f.table_oid);
        out.i16(f.column);
        out.buf.put_u32(ty.oid());
        out.i16(ty.typlen());
        out.i32(ty.typmod());
        out.i16(formats.get(i).copied().unwrap_or(0));
    }
    out.finish(at);
}

fn is_plain_text(ty: &DataType) -> bool {
    matches!(
        ty,
        DataType::Text
            | DataType::Varchar(_)
            | DataType::Bpchar(_)
            | DataType::Name
            | DataType::Char
            | DataType::Json
            | DataType::Jsonb
            | DataType::Uuid
            | DataType::Unknown
    )
}

fn put_text_cell(v: &Vector, i: usize, ty: &DataType, ctx: &EvalContext, out: &mut BytesMut) {
    match (&v.data, ty) {
        (VectorData::Int(x), DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Oid) => {
            if let Some(n) = x.get(i) {
                let mut b = itoa_buf(*n);
                out.put_slice(b.as_bytes_mut());
            }
        }
        (VectorData::Text(_), t) if is_plain_text(t) => out.put_slice(v.bytes_at(i)),
        _ => {
            if let Some(s) = format_value(&v.value(i), ty, ctx) {
                out.put_slice(s.as_bytes());
            }
        }
    }
}

struct Itoa {
    buf: [u8; 20],
    start: usize,
}

impl Itoa {
    fn as_bytes_mut(&mut self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn itoa_buf(n: i64) -> Itoa {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let neg = n < 0;
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    Itoa { buf, start: i }
}

/// Appends DataRow messages for rows `from..to` of a batch.
pub(crate) fn data_rows(
    out: &mut Out,
    batch: &Batch,
    from: usize,
    to: usize,
    types: &[DataType],
    formats: &[i16],
    ctx: &EvalContext,
) -> Result<(), QueryError> {
    let cols: Vec<&Vector> = (0..types.len())
        .map(|c| batch.column(c))
        .collect::<Result<_, _>>()?;
    for i in from..to {
        let at = out.begin(b'D');
        out.i16(cols.len() as i16);
        for (c, v) in cols.iter().enumerate() {
            if v.is_null(i) {
                out.i32(-1);
                continue;
            }
            let len_at = out.buf.len();
            out.i32(0);
            if formats.get(c) == Some(&1) {
                binary::encode(&v.value(i), &types[c], ctx, &mut out.buf)?;
            } else {
                put_text_cell(v, i, &types[c], ctx, &mut out.buf);
            }
            let n = (out.buf.len() - len_at - 4) as i32;
            out.buf[len_at..len_at + 4].copy_from_slice(&n.to_be_bytes());
        }
        out.finish(at);
    }
    Ok(())
}

/// Rows of a statement being sent, possibly in several Execute steps (portal suspension).
#[derive(Debug)]
pub(crate) struct RowSet {
    types: Vec<DataType>,
    formats: Vec<i16>,
    batches: Vec<Batch>,
    batch: usize,
    row: usize,
    /// Command tag of the statement.
    pub(crate) tag: String,
    /// Whether some rows were already sent by an earlier Execute.
    pub(crate) resumed: bool,
}

impl RowSet {
    pub(crate) fn new(fields: &[Field], batches: Vec<Batch>, formats: Vec<i16>, tag: String) -> RowSet {
        RowSet {
            types: fields.iter().map(|f| wire_type(&f.ty)).collect(),
            formats,
            batches,
            batch: 0,
            row: 0,
            tag,
            resumed: false,
        }
    }

    /// Sends up to `max` rows (0: all). Returns (rows sent, whether rows remain).
    pub(crate) fn send(
        &mut self,
        max: usize,
        ctx: &EvalContext,
        sink: &mut Sink,
    ) -> Result<(usize, bool), QueryError> {
        let mut sent = 0;
        while self.batch < self.batches.len() {
            if sink.closed {
                break;
            }
            ctx.check_cancel()?;
            let b = &self.batches[self.batch];
            let avail = b.len() - self.row.min(b.len());
            let want = if max == 0 { avail } else { avail.min(max - sent) };
            // Encode in slices so that memory stays bounded for wide batches.
            let mut done = 0;
            while done < want {
                let n = (want - done).min(1024);
                data_rows(
                    &mut sink.out,
                    b,
                    self.row + done,
                    self.row + done + n,
                    &self.types,
                    &self.formats,
                    ctx,
                )?;
                done += n;
                sink.maybe_flush();
            }
            self.row += want;
            sent += want;
            if self.row >= b.len() {
                self.batch += 1;
                self.row = 0;
            }
            if max != 0 && sent >= max {
                break;
            }
        }
        // Drop what was sent.
        if self.batch > 0 {
            self.batches.drain(..self.batch);
            self.batch = 0;
        }
        let row = self.row;
        let more = self
            .batches
            .iter()
            .enumerate()
            .any(|(k, b)| if k == 0 { row < b.len() } else { !b.is_empty() });
        Ok((sent, more))
    }

    /// The CommandComplete tag after the last Execute that sent `sent` rows.
    pub(crate) fn final_tag(&self, sent: usize) -> String {
        if self.resumed && self.tag.starts_with("SELECT") {
            format!("SELECT {sent}")
        } else {
            self.tag.clone()
        }
    }
}

/// CopyOutResponse, CopyData messages, CopyDone and the COPY tag. Like PostgreSQL, each row
/// (and the CSV header line) travels in its own CopyData message: psycopg parses one row per
/// message.
pub(crate) fn copy_out(
    sink: &mut Sink,
    options: &CopyOptions,
    fields: &[Field],
    batches: &[Batch],
    ctx: &EvalContext,
) -> Result<(), QueryError> {
    if options.format == CopyFormat::Binary {
        return copy_out_binary(sink, fields, batches, ctx);
    }
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    sink.out.copy_response(b'H', fields.len(), 0);
    let mut rows = 0usize;
    let mut first = true;
    for b in batches {
        ctx.check_cancel()?;
        if sink.closed {
            break;
        }
        for_each_line(std::slice::from_ref(b), &names, options, ctx, first, |line| {
            sink.out.copy_data(line);
            sink.maybe_flush();
        });
        first = false;
        rows += b.len();
    }
    if first {
        for_each_line(&[], &names, options, ctx, true, |line| sink.out.copy_data(line));
    }
    sink.out.copy_done();
    sink.out.command_complete(&format!("COPY {rows}"));
    Ok(())
}

/// COPY TO STDOUT (FORMAT binary): the header travels with the first row, then one CopyData
/// message per row and one for the trailer (as PostgreSQL sends them).
fn copy_out_binary(
    sink: &mut Sink,
    fields: &[Field],
    batches: &[Batch],
    ctx: &EvalContext,
) -> Result<(), QueryError> {
    let types: Vec<DataType> = fields.iter().map(|f| wire_type(&f.ty)).collect();
    sink.out.copy_response(b'H', fields.len(), 1);
    let mut data = BytesMut::new();
    copy_binary::header(&mut data);
    let mut rows = 0usize;
    for b in batches {
        ctx.check_cancel()?;
        if sink.closed {
            break;
        }
        for r in 0..b.len() {
            copy_binary::row(b, r, &types, ctx, &mut data)?;
            sink.out.copy_data(&data);
            data.clear();
            sink.maybe_flush();
        }
        rows += b.len();
    }
    if !data.is_empty() {
        sink.out.copy_data(&data);
        data.clear();
    }
    data.extend_from_slice(&copy_binary::TRAILER);
    sink.out.copy_data(&data);
    sink.out.copy_done();
    sink.out.command_complete(&format!("COPY {rows}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itoa_matches_to_string() {
        for n in [0i64, 7, -7, 1234567890, i64::MIN, i64::MAX] {
            let mut b = itoa_buf(n);
            assert_eq!(b.as_bytes_mut(), n.to_string().as_bytes());
        }
    }

    #[test]
    fn formats_resolve() {
        assert_eq!(resolve_formats(&[], 2).unwrap(), vec![0, 0]);
        assert_eq!(resolve_formats(&[1], 2).unwrap(), vec![1, 1]);
        assert_eq!(resolve_formats(&[0, 1], 2).unwrap(), vec![0, 1]);
        assert!(resolve_formats(&[0, 1, 1], 2).is_err());
        assert!(resolve_formats(&[2], 2).is_err());
    }
}
