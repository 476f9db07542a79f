//! WAL payload of a write: a chunk with its series spelled out as tag values (series ids are only
//! made durable with the parts that use them, so replay maps tag values to ids again).
//!
//! ```text
//! u64 table_id | u32 n_columns | u32 n_rows | u32 n_runs
//! per run:   u32 len, then per tag column: u8 is_null [u32 len, bytes]
//! timestamps: pieces of <= 8192 rows, each u32 len + encoded block
//! per column (schema order, fields only): u8 present; if present: u8 has_validity,
//!            [validity pieces], value pieces (u32 len + encoded block each)
//! ```
use std::sync::Arc;

use crate::chunk::{Chunk, SeriesRun};
use crate::column::{Column, ColumnVec, DictVec, PhysicalType};
use crate::encoding;
use crate::error::{Error, Result};
use crate::schema::{ColumnRole, TableSchema};
use crate::series::SeriesIndex;

const PIECE: usize = 8192;

/// Serialises a chunk.
pub fn encode(schema: &TableSchema, index: &SeriesIndex, chunk: &Chunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.rows() * 6 + 64);
    out.extend_from_slice(&schema.id.to_le_bytes());
    out.extend_from_slice(&(schema.columns.len() as u32).to_le_bytes());
    out.extend_from_slice(&(chunk.rows() as u32).to_le_bytes());
    out.extend_from_slice(&(chunk.runs.len() as u32).to_le_bytes());
    for r in &chunk.runs {
        out.extend_from_slice(&r.len.to_le_bytes());
        for v in index.key_values(r.series) {
            match v {
                None => out.push(1),
                Some(b) => {
                    out.push(0);
                    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                    out.extend_from_slice(b);
                }
            }
        }
    }
    for piece in chunk.ts.chunks(PIECE) {
        framed(&mut out, |o| {
            encoding::encode_timestamps(piece, o);
        });
    }
    for (i, def) in schema.columns.iter().enumerate() {
        if def.role != ColumnRole::Field {
            continue;
        }
        let Some(col) = chunk.field(i) else {
            out.push(0);
            continue;
        };
        out.push(1);
        out.push(u8::from(col.validity.is_some()));
        if let Some(v) = &col.validity {
            for piece in v.chunks(PIECE) {
                framed(&mut out, |o| {
                    encoding::encode_bool(piece, o);
                });
            }
        }
        encode_values(&mut out, &col.values);
    }
    out
}

fn framed(out: &mut Vec<u8>, f: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    f(out);
    let len = (out.len() - at - 4) as u32;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

fn encode_values(out: &mut Vec<u8>, values: &ColumnVec) {
    match values {
        ColumnVec::Bool(v) => {
            for p in v.chunks(PIECE) {
                framed(out, |o| {
                    encoding::encode_bool(p, o);
                });
            }
        }
        ColumnVec::Int64(v) => {
            for p in v.chunks(PIECE) {
                framed(out, |o| {
                    encoding::encode_i64(p, o);
                });
            }
        }
        ColumnVec::Float64(v) => {
            for p in v.chunks(PIECE) {
                framed(out, |o| {
                    encoding::encode_f64(p, o);
                });
            }
        }
        ColumnVec::Bytes(d) => {
            for p in d.codes.chunks(PIECE) {
                let vals: Vec<&[u8]> = p.iter().map(|&c| &d.dict[c as usize][..]).collect();
                framed(out, |o| {
                    encoding::encode_bytes(&vals, o);
                });
            }
        }
    }
}

/// A decoded write record: the chunk with series ids unresolved (tag values per run).
#[derive(Debug)]
pub struct DecodedWrite {
    /// Table id.
    pub table_id: u64,
    /// Tag values per run.
    pub run_keys: Vec<Vec<Option<Vec<u8>>>>,
    /// Chunk whose runs carry placeholder series ids (the run index).
    pub chunk: Chunk,
}

struct Reader<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s = self
            .buf
            .get(self.off..self.off + n)
            .ok_or_else(|| bad("truncated"))?;
        self.off += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| bad("u32"))?,
        ))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| bad("u64"))?,
        ))
    }
    fn piece(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

fn bad(detail: &str) -> Error {
    Error::InvalidBatch(format!("malformed WAL write payload: {detail}"))
}

fn enc(e: encoding::EncodingError) -> Error {
    bad(&e.to_string())
}

fn pieces(n: usize) -> impl Iterator<Item = usize> {
    (0..n.div_ceil(PIECE)).map(move |i| PIECE.min(n - i * PIECE))
}

/// Peeks at the table id of a payload.
pub fn table_id(payload: &[u8]) -> Option<u64> {
    payload
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
}

/// Decodes a payload written by [`encode`] against the table's current schema (columns added
/// after the record was written come back as NULL).
pub fn decode(schema: &TableSchema, payload: &[u8]) -> Result<DecodedWrite> {
    let mut r = Reader { buf: payload, off: 0 };
    let table_id = r.u64()?;
    let n_columns = r.u32()? as usize;
    let n_rows = r.u32()? as usize;
    let n_runs = r.u32()? as usize;
    if n_columns > schema.columns.len() || n_runs > n_rows.max(1) {
        return Err(bad("column or run count"));
    }
    let n_tags = schema.columns[..n_columns]
        .iter()
        .filter(|c| c.role == ColumnRole::Tag)
        .count();
    let mut runs = Vec::with_capacity(n_runs);
    let mut run_keys = Vec::with_capacity(n_runs);
    let mut start = 0u32;
    for i in 0..n_runs {
        let len = r.u32()?;
        let mut key = Vec::with_capacity(n_tags);
        for _ in 0..n_tags {
            key.push(if r.u8()? == 1 {
                None
            } else {
                let n = r.u32()? as usize;
                Some(r.take(n)?.to_vec())
            });
        }
        run_keys.push(key);
        runs.push(SeriesRun {
            series: i as u32,
            start,
            len,
            min_ts: 0,
            max_ts: 0,
        });
        start = start.checked_add(len).ok_or_else(|| bad("run length"))?;
    }
    if start as usize != n_rows {
        return Err(bad("run lengths do not add up"));
    }
    let mut ts = Vec::with_capacity(n_rows);
    for n in pieces(n_rows) {
        encoding::decode_timestamps(r.piece()?, n, &mut ts).map_err(enc)?;
    }
    for run in &mut runs {
        let s = &ts[run.start as usize..(run.start + run.len) as usize];
        run.min_ts = s.first().copied().unwrap_or(0);
        run.max_ts = s.last().copied().unwrap_or(0);
    }
    let mut fields = vec![None; schema.columns.len()];
    for (i, def) in schema.columns.iter().enumerate().take(n_columns) {
        if def.role != ColumnRole::Field {
            continue;
        }
        if r.u8()? == 0 {
            continue;
        }
        let has_validity = r.u8()? == 1;
        let validity = if has_validity {
            let mut v = Vec::with_capacity(n_rows);
            for n in pieces(n_rows) {
                encoding::decode_bool(r.piece()?, n, &mut v).map_err(enc)?;
            }
            Some(v)
        } else {
            None
        };
        let values = decode_values(&mut r, def.ptype, n_rows)?;
        fields[i] = Some(Column { values, validity });
    }
    Ok(DecodedWrite {
        table_id,
        run_keys,
        chunk: Chunk {
            table_id,
            runs,
            ts,
            fields,
        },
    })
}

fn decode_values(r: &mut Reader<'_>, t: PhysicalType, n_rows: usize) -> Result<ColumnVec> {
    Ok(match t {
        PhysicalType::Bool => {
            let mut v = Vec::with_capacity(n_rows);
            for n in pieces(n_rows) {
                encoding::decode_bool(r.piece()?, n, &mut v).map_err(enc)?;
            }
            ColumnVec::Bool(v)
        }
        PhysicalType::Int64 => {
            let mut v = Vec::with_capacity(n_rows);
            for n in pieces(n_rows) {
                encoding::decode_i64(r.piece()?, n, &mut v).map_err(enc)?;
            }
            ColumnVec::Int64(v)
        }
        PhysicalType::Float64 => {
            let mut v = Vec::with_capacity(n_rows);
            for n in pieces(n_rows) {
                encoding::decode_f64(r.piece()?, n, &mut v).map_err(enc)?;
            }
            ColumnVec::Float64(v)
        }
        PhysicalType::Bytes => {
            let mut parts = Vec::new();
            for n in pieces(n_rows) {
                let mut dict = Vec::new();
                let mut codes = Vec::new();
                encoding::decode_bytes(r.piece()?, n, &mut dict, &mut codes).map_err(enc)?;
                parts.push(DictVec {
                    dict: Arc::new(dict.into_iter().map(Vec::into_boxed_slice).collect()),
                    codes,
                });
            }
            ColumnVec::Bytes(crate::column::concat_dicts(parts.iter()))
        }
    })
}

/// Replaces placeholder run ids by real series ids and re-sorts runs by series.
pub fn resolve(schema: &TableSchema, mut w: DecodedWrite, series_of_run: &[u32]) -> Chunk {
    let mut series = Vec::with_capacity(w.chunk.rows());
    for (run, &s) in w.chunk.runs.iter().zip(series_of_run) {
        series.extend(std::iter::repeat_n(s, run.len as usize));
    }
    let columns: Vec<Column> = schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, def)| {
            w.chunk
                .fields
                .get_mut(i)
                .and_then(Option::take)
                .unwrap_or_else(|| def.missing(series.len()))
        })
        .collect();
    let ts = std::mem::take(&mut w.chunk.ts);
    crate::chunk::build(schema, &crate::chunk::WriteBatch { columns }, series, ts)
}
