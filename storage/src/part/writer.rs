//! Writes one part file: rows arrive series by series, sorted by time; blocks are cut at
//! [`BLOCK_ROWS`] rows and at hour boundaries, encoded, checksummed and indexed.
use std::path::{Path, PathBuf};

use super::format::*;
use super::stats;
use crate::column::{Column, ColumnVec, PhysicalType};
use crate::encoding;
use crate::error::{Error, Result};
use crate::io::{FileSystem, WritableFile, tmp_path};

/// Builds a part in `<path>.tmp`; [`PartWriter::finish`] seals it under `path`.
pub struct PartWriter<'a> {
    fs: &'a dyn FileSystem,
    path: PathBuf,
    tmp: PathBuf,
    file: Box<dyn WritableFile>,
    buf: Vec<u8>,
    written: u64,
    /// Schema column ids stored per row group; the first is the time column.
    columns: Vec<u16>,
    types: Vec<PhysicalType>,
    cut_hours: bool,
    index: Vec<BlockMeta>,
    /// Smallest and largest timestamp, row count.
    pub min_ts: i64,
    /// Largest timestamp.
    pub max_ts: i64,
    /// Rows written.
    pub rows: u64,
}

impl std::fmt::Debug for PartWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartWriter")
            .field("path", &self.path)
            .field("rows", &self.rows)
            .finish()
    }
}

/// Column id used for the implicit row id of dimension tables.
pub const ROWID_COLUMN: u16 = u16::MAX;

impl<'a> PartWriter<'a> {
    /// Starts a part storing `time_column` then `fields` (schema index and physical type each).
    pub fn create(
        fs: &'a dyn FileSystem,
        path: &Path,
        time_column: Option<usize>,
        fields: &[(usize, PhysicalType)],
    ) -> Result<PartWriter<'a>> {
        let tmp = tmp_path(path);
        let file = fs.create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut columns = vec![time_column.map_or(ROWID_COLUMN, |c| c as u16)];
        let mut types = vec![PhysicalType::Int64];
        for &(c, t) in fields {
            columns.push(c as u16);
            types.push(t);
        }
        let mut buf = Vec::with_capacity(1 << 20);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&VERSION.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        Ok(PartWriter {
            fs,
            path: path.to_path_buf(),
            tmp,
            file,
            written: 0,
            buf,
            columns,
            types,
            cut_hours: time_column.is_some(),
            index: Vec::new(),
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            rows: 0,
        })
    }

    fn flush_buf(&mut self, force: bool) -> Result<()> {
        if self.buf.len() >= (1 << 20) || (force && !self.buf.is_empty()) {
            self.file
                .write_all(&self.buf)
                .map_err(|e| Error::io(&self.tmp, e))?;
            self.written += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }

    fn offset(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    /// The pure encoding half of this writer: it can run on other threads while this one
    /// appends what they produce, in series order, with [`PartWriter::append`].
    pub fn encoder(&self) -> SeriesEncoder {
        SeriesEncoder {
            columns: self.columns.clone(),
            types: self.types.clone(),
            cut_hours: self.cut_hours,
        }
    }

    /// Appends the rows of one series (sorted by time). `fields[i]` holds the column stored at
    /// position `i + 1` (after time); `None` stores NULLs.
    pub fn add_series(&mut self, series: u32, ts: &[i64], fields: &[Option<&Column>]) -> Result<()> {
        let encoded = self.encoder().encode(series, ts, fields);
        self.append(encoded)
    }

    /// Appends blocks encoded by [`SeriesEncoder::encode`] (for series after those already
    /// written: the index stays series-major).
    pub fn append(&mut self, e: EncodedSeries) -> Result<()> {
        if e.rows == 0 {
            return Ok(());
        }
        let base = self.offset();
        self.min_ts = self.min_ts.min(e.min_ts);
        self.max_ts = self.max_ts.max(e.max_ts);
        self.rows += e.rows;
        self.index.extend(e.blocks.into_iter().map(|mut m| {
            m.offset += base;
            m
        }));
        if self.buf.is_empty() && e.bytes.len() >= (1 << 20) {
            self.buf = e.bytes;
        } else {
            self.buf.extend_from_slice(&e.bytes);
        }
        self.flush_buf(false)
    }

    /// Writes index and footer, fsyncs and renames into place. Returns (rows, bytes).
    pub fn finish(mut self) -> Result<(u64, u64)> {
        let index_offset = self.offset();
        let mut index = Vec::with_capacity(self.index.len() * ROW_LEN + self.columns.len() * 2);
        for m in &self.index {
            m.write(&mut index);
        }
        for c in &self.columns {
            index.extend_from_slice(&c.to_le_bytes());
        }
        let crc = crc32c::crc32c(&index);
        self.buf.extend_from_slice(&index);
        self.buf.extend_from_slice(&index_offset.to_le_bytes());
        self.buf.extend_from_slice(&(index.len() as u64).to_le_bytes());
        self.buf.extend_from_slice(&crc.to_le_bytes());
        self.buf
            .extend_from_slice(&(self.columns.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(END_MAGIC);
        self.flush_buf(true)?;
        self.file.sync_data().map_err(|e| Error::io(&self.tmp, e))?;
        self.fs
            .rename(&self.tmp, &self.path)
            .map_err(|e| Error::io(&self.path, e))?;
        Ok((self.rows, self.written))
    }

    /// Removes the unfinished temporary file.
    pub fn abandon(self) {
        let _ = self.fs.remove(&self.tmp);
    }
}

/// Encodes the blocks of one series: cut at [`BLOCK_ROWS`] rows and at hour boundaries (time
/// series), one block per stored column, each with its statistics and checksum.
#[derive(Debug, Clone)]
pub struct SeriesEncoder {
    columns: Vec<u16>,
    types: Vec<PhysicalType>,
    cut_hours: bool,
}

/// One series' encoded blocks; block offsets are relative to the start of `bytes`.
#[derive(Debug, Default)]
pub struct EncodedSeries {
    bytes: Vec<u8>,
    blocks: Vec<BlockMeta>,
    min_ts: i64,
    max_ts: i64,
    rows: u64,
}

impl SeriesEncoder {
    /// Encodes `ts` (sorted) and the field columns of one series; `fields[i]` holds the column
    /// stored at position `i + 1`, `None` stores NULLs.
    pub fn encode(&self, series: u32, ts: &[i64], fields: &[Option<&Column>]) -> EncodedSeries {
        let mut out = EncodedSeries {
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            ..EncodedSeries::default()
        };
        let cut_hours = self.cut_hours && dense(ts);
        let mut start = 0;
        while start < ts.len() {
            let mut end = (start + BLOCK_ROWS).min(ts.len());
            if cut_hours {
                let hour = ts[start].div_euclid(GROUP_HOUR_US);
                end = start + ts[start..end].partition_point(|t| t.div_euclid(GROUP_HOUR_US) == hour);
            }
            self.add_group(&mut out, series, &ts[start..end], fields, start, end);
            start = end;
        }
        out
    }

    fn add_group(
        &self,
        out: &mut EncodedSeries,
        series: u32,
        ts: &[i64],
        fields: &[Option<&Column>],
        start: usize,
        end: usize,
    ) {
        let (min_ts, max_ts) = (ts[0], ts[ts.len() - 1]);
        out.min_ts = out.min_ts.min(min_ts);
        out.max_ts = out.max_ts.max(max_ts);
        out.rows += ts.len() as u64;
        let time = Column::new(ColumnVec::Int64(ts.to_vec()));
        for pos in 0..self.columns.len() {
            let sliced;
            let col: &Column = if pos == 0 {
                &time
            } else {
                match fields.get(pos - 1).copied().flatten() {
                    Some(c) => {
                        sliced = c.slice(start, end);
                        &sliced
                    }
                    None => {
                        sliced = Column::nulls(self.types[pos], ts.len());
                        &sliced
                    }
                }
            };
            let meta = write_block(
                &mut out.bytes,
                series,
                self.columns[pos],
                col,
                pos == 0,
                (min_ts, max_ts),
            );
            out.blocks.push(meta);
        }
    }
}

/// Rows per hour from which a series' blocks are cut at hour boundaries (so that hourly
/// buckets are answered from block statistics). Sparser series are cut only at
/// [`BLOCK_ROWS`]: a year of 15-minute readings cut hourly would make blocks of four rows whose
/// index rows outweigh their data.
const HOURLY_ROWS: usize = 256;

/// Whether `ts` (sorted) holds at least [`HOURLY_ROWS`] rows per hour on average.
fn dense(ts: &[i64]) -> bool {
    let (Some(&first), Some(&last)) = (ts.first(), ts.last()) else {
        return false;
    };
    let hours = (last.saturating_sub(first) / GROUP_HOUR_US).saturating_add(1);
    ts.len() as i64 / hours >= HOURLY_ROWS as i64
}

fn write_block(
    buf: &mut Vec<u8>,
    series: u32,
    column: u16,
    col: &Column,
    is_time: bool,
    (min_ts, max_ts): (i64, i64),
) -> BlockMeta {
    let start = buf.len();
    let nulls = col.null_count();
    let s = stats::compute(col);
    let mut flags = s.flags;
    let mut codec = 0u8;
    buf.extend_from_slice(&[0; 4]);
    if nulls == col.len() && nulls > 0 {
        flags |= F_ALL_NULL;
    } else {
        codec = match &col.values {
            ColumnVec::Int64(ts) if is_time => encoding::encode_timestamps(ts, buf) as u8,
            values => encode_values(values, buf),
        };
        let values_len = (buf.len() - start - 4) as u32;
        buf[start..start + 4].copy_from_slice(&values_len.to_le_bytes());
        if let Some(v) = col.validity.as_ref().filter(|_| nulls > 0) {
            flags |= F_VALIDITY;
            encoding::encode_bool(v, buf);
        }
    }
    let bytes = &buf[start..];
    BlockMeta {
        series,
        column,
        codec,
        flags,
        min_ts,
        max_ts,
        count: col.len() as u32,
        null_count: nulls as u32,
        min: s.min,
        max: s.max,
        sum: s.sum,
        m2: s.m2,
        first: s.first,
        last: s.last,
        offset: start as u64,
        length: bytes.len() as u32,
        crc: crc32c::crc32c(bytes),
    }
}

fn encode_values(values: &ColumnVec, out: &mut Vec<u8>) -> u8 {
    match values {
        ColumnVec::Bool(v) => encoding::encode_bool(v, out) as u8,
        ColumnVec::Int64(v) => encoding::encode_i64(v, out) as u8,
        ColumnVec::Float64(v) => encoding::encode_f64(v, out) as u8,
        ColumnVec::Bytes(d) => {
            let vals: Vec<&[u8]> = d
                .codes
                .iter()
                .map(|&c| d.dict.get(c as usize).map_or(&[][..], |b| &b[..]))
                .collect();
            encoding::encode_bytes(&vals, out) as u8
        }
    }
}
