//! Opens a sealed part: checks header, footer and index checksum, then decodes blocks on demand,
//! verifying each block's CRC32C before decoding it.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cache::{Block, BlockCache, SMALL_PART_ROWS};
use super::format::*;
use super::stats::BlockStats;
use super::writer::ROWID_COLUMN;
use crate::column::{Column, ColumnVec, DictVec, PhysicalType};
use crate::encoding;
use crate::error::{Error, Result};
use crate::io::{FileBytes, FileSystem};
use crate::manifest::PartMeta;

/// A row group: consecutive rows of one series, with one block per stored column.
#[derive(Debug, Clone, Copy)]
pub struct GroupMeta {
    /// Series id.
    pub series: u32,
    /// Smallest timestamp.
    pub min_ts: i64,
    /// Largest timestamp.
    pub max_ts: i64,
    /// Rows.
    pub rows: u32,
    /// Index of its first block in the block index.
    pub first_block: u32,
}

/// An open, immutable part file.
#[derive(Debug)]
pub struct Part {
    /// Manifest entry.
    pub meta: PartMeta,
    path: PathBuf,
    bytes: FileBytes,
    /// Schema column ids stored per group (time first).
    columns: Vec<u16>,
    index: Vec<BlockMeta>,
    groups: Vec<GroupMeta>,
    /// (series, first group, end group), sorted by series.
    series_dir: Vec<(u32, u32, u32)>,
    /// Decoded blocks, for small parts.
    cache: Option<BlockCache>,
}

fn corrupt(path: &Path, offset: u64, what: &'static str, detail: impl Into<String>) -> Error {
    Error::corrupt(path, offset, what, detail)
}

impl Part {
    /// Maps and checks a part file.
    pub fn open(fs: &dyn FileSystem, path: &Path, meta: PartMeta) -> Result<Part> {
        let bytes = fs.map(path).map_err(|e| Error::io(path, e))?;
        let len = bytes.len();
        if len < HEADER_LEN + FOOTER_LEN || &bytes[..8] != MAGIC {
            return Err(corrupt(path, 0, "part header", "bad magic or short file"));
        }
        let f = &bytes[len - FOOTER_LEN..];
        if &f[24..32] != END_MAGIC {
            return Err(corrupt(
                path,
                (len - FOOTER_LEN) as u64,
                "part footer",
                "bad magic (truncated file?)",
            ));
        }
        let u64_at = |o: usize| u64::from_le_bytes(f[o..o + 8].try_into().unwrap_or([0; 8]));
        let index_offset = u64_at(0) as usize;
        let index_len = u64_at(8) as usize;
        let crc = u32::from_le_bytes(f[16..20].try_into().unwrap_or([0; 4]));
        let k = u32::from_le_bytes(f[20..24].try_into().unwrap_or([0; 4])) as usize;
        let index_end = index_offset
            .checked_add(index_len)
            .filter(|&e| e == len - FOOTER_LEN);
        let Some(index_bytes) = index_end.and_then(|e| bytes.get(index_offset..e)) else {
            return Err(corrupt(
                path,
                (len - FOOTER_LEN) as u64,
                "part footer",
                "index bounds",
            ));
        };
        if crc32c::crc32c(index_bytes) != crc {
            return Err(corrupt(
                path,
                index_offset as u64,
                "part block index",
                "checksum mismatch",
            ));
        }
        if k == 0 || index_len < k * 2 || !(index_len - k * 2).is_multiple_of(ROW_LEN) {
            return Err(corrupt(path, index_offset as u64, "part block index", "length"));
        }
        let rows_len = index_len - k * 2;
        let columns: Vec<u16> = index_bytes[rows_len..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let mut index = Vec::with_capacity(rows_len / ROW_LEN);
        for (i, row) in index_bytes[..rows_len].chunks_exact(ROW_LEN).enumerate() {
            let m = BlockMeta::read(row).ok_or_else(|| {
                corrupt(
                    path,
                    (index_offset + i * ROW_LEN) as u64,
                    "block index row",
                    "short",
                )
            })?;
            let end = m.offset.checked_add(u64::from(m.length));
            if m.offset < HEADER_LEN as u64 || end.is_none_or(|e| e > index_offset as u64) {
                return Err(corrupt(
                    path,
                    (index_offset + i * ROW_LEN) as u64,
                    "block index row",
                    "block bounds",
                ));
            }
            index.push(m);
        }
        if !index.len().is_multiple_of(k) {
            return Err(corrupt(
                path,
                index_offset as u64,
                "part block index",
                "partial row group",
            ));
        }
        let mut groups = Vec::with_capacity(index.len() / k);
        let mut series_dir: Vec<(u32, u32, u32)> = Vec::new();
        for (g, blocks) in index.chunks_exact(k).enumerate() {
            let t = &blocks[0];
            if blocks.iter().any(|b| b.series != t.series || b.count != t.count) {
                return Err(corrupt(
                    path,
                    index_offset as u64,
                    "part block index",
                    "inconsistent row group",
                ));
            }
            groups.push(GroupMeta {
                series: t.series,
                min_ts: t.min_ts,
                max_ts: t.max_ts,
                rows: t.count,
                first_block: (g * k) as u32,
            });
            match series_dir.last_mut() {
                Some(last) if last.0 == t.series => last.2 = g as u32 + 1,
                Some(last) if last.0 > t.series => {
                    return Err(corrupt(
                        path,
                        index_offset as u64,
                        "part block index",
                        "series out of order",
                    ));
                }
                _ => series_dir.push((t.series, g as u32, g as u32 + 1)),
            }
        }
        let cache = (meta.rows <= SMALL_PART_ROWS).then(BlockCache::default);
        Ok(Part {
            cache,
            meta,
            path: path.to_path_buf(),
            bytes,
            columns,
            index,
            groups,
            series_dir,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All row groups, series-major.
    pub fn groups(&self) -> &[GroupMeta] {
        &self.groups
    }

    /// Row groups of one series (a range into [`Part::groups`]).
    pub fn series_groups(&self, series: u32) -> std::ops::Range<usize> {
        match self.series_dir.binary_search_by_key(&series, |e| e.0) {
            Ok(i) => self.series_dir[i].1 as usize..self.series_dir[i].2 as usize,
            Err(_) => 0..0,
        }
    }

    /// Series present, ascending.
    pub fn series(&self) -> impl Iterator<Item = u32> + '_ {
        self.series_dir.iter().map(|e| e.0)
    }

    /// Block index rows.
    pub fn blocks(&self) -> &[BlockMeta] {
        &self.index
    }

    /// Position of a schema column among the stored columns.
    fn position(&self, column: usize) -> Option<usize> {
        self.columns
            .iter()
            .skip(1)
            .position(|&c| c as usize == column)
            .map(|p| p + 1)
    }

    /// The block of `column` in group `g`, if the part stores that column.
    pub fn block(&self, g: usize, column: usize) -> Option<&BlockMeta> {
        let group = self.groups.get(g)?;
        let pos = self.position(column)?;
        self.index.get(group.first_block as usize + pos)
    }

    /// Statistics of `column` in group `g` (all NULL when the part predates the column).
    pub fn stats(&self, g: usize, column: usize, ptype: PhysicalType) -> Option<BlockStats> {
        let group = self.groups.get(g)?;
        Some(match self.block(g, column) {
            Some(m) => BlockStats::from_meta(m, &ColumnVec::empty(ptype)),
            None => BlockStats::all_null(u64::from(group.rows), group.min_ts, group.max_ts),
        })
    }

    fn block_bytes(&self, m: &BlockMeta) -> Result<&[u8]> {
        let start = m.offset as usize;
        let b = self
            .bytes
            .get(start..start + m.length as usize)
            .ok_or_else(|| corrupt(&self.path, m.offset, "block", "outside the file"))?;
        if crc32c::crc32c(b) != m.crc {
            return Err(corrupt(&self.path, m.offset, "block", "checksum mismatch"));
        }
        Ok(b)
    }

    /// Decodes the timestamps of group `g`.
    pub fn read_time(&self, g: usize) -> Result<Vec<i64>> {
        let key = Block::Time(g as u32);
        if let Some(Column {
            values: ColumnVec::Int64(v),
            ..
        }) = self.cache.as_ref().and_then(|c| c.get(key))
        {
            return Ok(v);
        }
        let out = self.decode_time(g)?;
        if let Some(c) = &self.cache {
            c.put(
                key,
                &Column {
                    values: ColumnVec::Int64(out.clone()),
                    validity: None,
                },
            );
        }
        Ok(out)
    }

    fn decode_time(&self, g: usize) -> Result<Vec<i64>> {
        let group = self
            .groups
            .get(g)
            .ok_or_else(|| corrupt(&self.path, 0, "row group", "no such group"))?;
        let m = &self.index[group.first_block as usize];
        let b = self.block_bytes(m)?;
        let (values, _) = split(b).ok_or_else(|| corrupt(&self.path, m.offset, "block", "section length"))?;
        let mut out = Vec::with_capacity(group.rows as usize);
        encoding::decode_timestamps(values, group.rows as usize, &mut out)
            .map_err(|e| corrupt(&self.path, m.offset, "block", e.to_string()))?;
        Ok(out)
    }

    /// Decodes `column` of group `g` (NULLs when the part predates the column).
    pub fn read_column(&self, g: usize, column: usize, ptype: PhysicalType) -> Result<Column> {
        let key = Block::Column(g as u32, column as u32);
        if let Some(c) = self.cache.as_ref().and_then(|c| c.get(key)) {
            return Ok(c);
        }
        let out = self.decode_column(g, column, ptype)?;
        if let Some(c) = &self.cache {
            c.put(key, &out);
        }
        Ok(out)
    }

    fn decode_column(&self, g: usize, column: usize, ptype: PhysicalType) -> Result<Column> {
        let group = self
            .groups
            .get(g)
            .ok_or_else(|| corrupt(&self.path, 0, "row group", "no such group"))?;
        let n = group.rows as usize;
        let Some(m) = self.block(g, column) else {
            return Ok(Column::nulls(ptype, n));
        };
        if m.flags & F_ALL_NULL != 0 {
            return Ok(Column::nulls(ptype, n));
        }
        let b = self.block_bytes(m)?;
        let bad = |e: String| corrupt(&self.path, m.offset, "block", e);
        let (values, validity) = split(b).ok_or_else(|| bad("section length".into()))?;
        let values = decode_values(values, n, ptype).map_err(|e| bad(e.to_string()))?;
        let validity = if m.flags & F_VALIDITY != 0 {
            let mut v = Vec::with_capacity(n);
            encoding::decode_bool(validity, n, &mut v).map_err(|e| bad(e.to_string()))?;
            Some(v)
        } else {
            None
        };
        Ok(Column { values, validity })
    }

    /// Whether the part stores rows with a real time column (false for dimension tables).
    pub fn has_time(&self) -> bool {
        self.columns.first().is_some_and(|&c| c != ROWID_COLUMN)
    }
}

fn split(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = u32::from_le_bytes(b.get(..4)?.try_into().ok()?) as usize;
    let values = b.get(4..4 + n)?;
    Some((values, &b[4 + n..]))
}

fn decode_values(
    b: &[u8],
    n: usize,
    t: PhysicalType,
) -> std::result::Result<ColumnVec, encoding::EncodingError> {
    Ok(match t {
        PhysicalType::Bool => {
            let mut v = Vec::with_capacity(n);
            encoding::decode_bool(b, n, &mut v)?;
            ColumnVec::Bool(v)
        }
        PhysicalType::Int64 => {
            let mut v = Vec::with_capacity(n);
            encoding::decode_i64(b, n, &mut v)?;
            ColumnVec::Int64(v)
        }
        PhysicalType::Float64 => {
            let mut v = Vec::with_capacity(n);
            encoding::decode_f64(b, n, &mut v)?;
            ColumnVec::Float64(v)
        }
        PhysicalType::Bytes => {
            let mut dict = Vec::new();
            let mut codes = Vec::with_capacity(n);
            encoding::decode_bytes(b, n, &mut dict, &mut codes)?;
            ColumnVec::Bytes(DictVec {
                dict: Arc::new(dict.into_iter().map(Vec::into_boxed_slice).collect()),
                codes,
            })
        }
    })
}
