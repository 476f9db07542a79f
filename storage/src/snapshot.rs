//! The read path: a consistent snapshot of one table (memtable chunks + parts + series index),
//! cut into *pieces* that a query can answer from block statistics or decode.
//!
//! A piece is the rows of one series in one row group of a part or one run of a memtable chunk.
//! Where sources of one series overlap in time and the table keeps only the last write (or the
//! caller asked for time order), the overlapping sources form one merged piece, read by a
//! stable k-way merge that keeps the newest row of each timestamp when deduplicating.
use std::sync::Arc;

use roaring::RoaringBitmap;

use crate::chunk::Chunk;
use crate::column::{Column, ColumnVec, DictVec, PhysicalType, Scalar};
use crate::error::{Error, Result};
use crate::part::{BlockStats, Part};
use crate::schema::{ColumnRole, DedupPolicy, TableSchema};
use crate::series::{NULL_CODE, SeriesIndex};

/// Where the rows of a piece come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A row group of a part.
    Part {
        /// The part.
        part: Arc<Part>,
        /// Group index.
        group: u32,
    },
    /// A series run of a memtable chunk.
    Chunk {
        /// The chunk.
        chunk: Arc<Chunk>,
        /// Run index.
        run: u32,
    },
}

/// Rows of one series from one source, or from several overlapping sources merged.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Series id.
    pub series: u32,
    /// Smallest timestamp (before trimming to the scan range).
    pub min_ts: i64,
    /// Largest timestamp.
    pub max_ts: i64,
    /// Rows before trimming (an upper bound for merged pieces).
    pub rows: u64,
    /// Sources in write order (oldest first).
    pub sources: Vec<Source>,
}

/// Decoded rows of a piece.
#[derive(Debug, Clone)]
pub struct PieceData {
    /// Series id.
    pub series: u32,
    /// Timestamps (row ids for dimension tables), ascending.
    pub ts: Vec<i64>,
    /// The requested columns, in the requested order.
    pub columns: Vec<Column>,
}

/// What to scan.
#[derive(Debug, Clone)]
pub struct ScanSpec {
    /// Inclusive lower time bound.
    pub min_ts: i64,
    /// Inclusive upper time bound.
    pub max_ts: i64,
    /// Only these series (all when `None`).
    pub series: Option<RoaringBitmap>,
    /// Merge overlapping sources so that every piece is in time order and pieces of one series
    /// do not overlap.
    pub ordered: bool,
}

impl Default for ScanSpec {
    fn default() -> Self {
        ScanSpec {
            min_ts: i64::MIN,
            max_ts: i64::MAX,
            series: None,
            ordered: false,
        }
    }
}

/// The last row of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct LastRow {
    /// Its timestamp.
    pub ts: i64,
    /// Values per schema column (NULL for time and tag columns, and columns added later).
    pub values: Vec<Scalar>,
}

/// A part that failed its checks at open: scans touching it fail with this error.
#[derive(Debug, Clone)]
pub struct DamagedPart {
    /// Part id.
    pub id: u64,
    /// Its time range.
    pub min_ts: i64,
    /// Its time range.
    pub max_ts: i64,
    /// The error, as text with file and offset.
    pub error: String,
    /// File.
    pub path: std::path::PathBuf,
}

/// A consistent read view of one table.
#[derive(Debug, Clone)]
pub struct TableSnapshot {
    /// Schema at snapshot time.
    pub schema: Arc<TableSchema>,
    /// Series index at snapshot time.
    pub series: Arc<SeriesIndex>,
    /// Parts in write order.
    pub parts: Vec<Arc<Part>>,
    /// Memtable chunks in write order.
    pub chunks: Vec<Arc<Chunk>>,
    /// Parts that could not be opened.
    pub damaged: Vec<DamagedPart>,
    pub(crate) last: Option<Arc<std::collections::HashMap<u32, LastRow>>>,
}

impl TableSnapshot {
    /// Whether the table keeps only the last write per (series, ts).
    fn dedup(&self) -> bool {
        self.schema.options.dedup == DedupPolicy::KeepLast
    }

    /// Number of rows, counting each source once (an upper bound with duplicates pending dedup).
    pub fn approx_rows(&self) -> u64 {
        self.parts.iter().map(|p| p.meta.rows).sum::<u64>()
            + self.chunks.iter().map(|c| c.rows() as u64).sum::<u64>()
    }

    /// The pieces of a scan, sorted by (series, min_ts).
    pub fn pieces(&self, spec: &ScanSpec) -> Result<Vec<Piece>> {
        if let Some(d) = self
            .damaged
            .iter()
            .find(|d| d.max_ts >= spec.min_ts && d.min_ts <= spec.max_ts)
        {
            return Err(Error::corrupt(&d.path, 0, "part", d.error.clone()));
        }
        let mut cands: Vec<(u32, i64, i64, u64, usize, Source)> = Vec::new();
        let wanted = |s: u32| spec.series.as_ref().is_none_or(|b| b.contains(s));
        let overlaps = |lo: i64, hi: i64| hi >= spec.min_ts && lo <= spec.max_ts;
        let mut rank = 0usize;
        for part in &self.parts {
            rank += 1;
            if !overlaps(part.meta.min_ts, part.meta.max_ts) {
                continue;
            }
            let mut visit = |s: u32| {
                for g in part.series_groups(s) {
                    let gm = &part.groups()[g];
                    if overlaps(gm.min_ts, gm.max_ts) {
                        let src = Source::Part {
                            part: part.clone(),
                            group: g as u32,
                        };
                        cands.push((s, gm.min_ts, gm.max_ts, u64::from(gm.rows), rank, src));
                    }
                }
            };
            match &spec.series {
                Some(b) if b.len() < 64 => b.iter().for_each(&mut visit),
                _ => part
                    .series()
                    .filter(|&s| wanted(s))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .for_each(visit),
            }
        }
        for chunk in &self.chunks {
            rank += 1;
            for (i, r) in chunk.runs.iter().enumerate() {
                if wanted(r.series) && overlaps(r.min_ts, r.max_ts) {
                    let src = Source::Chunk {
                        chunk: chunk.clone(),
                        run: i as u32,
                    };
                    cands.push((r.series, r.min_ts, r.max_ts, u64::from(r.len), rank, src));
                }
            }
        }
        cands.sort_by_key(|c| (c.0, c.1, c.4));
        let dedup = self.dedup();
        let mut out: Vec<Piece> = Vec::with_capacity(cands.len());
        let mut ranks: Vec<Vec<usize>> = Vec::with_capacity(cands.len());
        for (series, lo, hi, rows, rank, src) in cands {
            if let Some(last) = out.last_mut()
                && last.series == series
                && ((dedup && lo <= last.max_ts) || (spec.ordered && lo < last.max_ts))
            {
                last.max_ts = last.max_ts.max(hi);
                last.rows += rows;
                last.sources.push(src);
                if let Some(r) = ranks.last_mut() {
                    r.push(rank);
                }
                continue;
            }
            out.push(Piece {
                series,
                min_ts: lo,
                max_ts: hi,
                rows,
                sources: vec![src],
            });
            ranks.push(vec![rank]);
        }
        // Merged pieces read their sources in write order.
        for (p, r) in out.iter_mut().zip(ranks) {
            if p.sources.len() > 1 {
                let mut both: Vec<(usize, Source)> = r.into_iter().zip(p.sources.drain(..)).collect();
                both.sort_by_key(|(rank, _)| *rank);
                p.sources = both.into_iter().map(|(_, s)| s).collect();
            }
        }
        Ok(out)
    }

    /// Statistics of `column` for a piece that comes from a single part row group.
    pub fn stats(&self, piece: &Piece, column: usize) -> Option<BlockStats> {
        let [Source::Part { part, group }] = &piece.sources[..] else {
            return None;
        };
        let def = self.schema.columns.get(column)?;
        if def.role != ColumnRole::Field
            || (def.fill.is_some() && part.block(*group as usize, column).is_none())
        {
            return None;
        }
        part.stats(*group as usize, column, def.ptype)
    }

    /// Decodes the rows of a piece with `min_ts <= ts <= max_ts`, producing `columns`
    /// (schema indexes; time and tag columns included).
    pub fn read(&self, piece: &Piece, columns: &[usize], min_ts: i64, max_ts: i64) -> Result<PieceData> {
        let (ts, columns) = self.read_rows(piece, columns, min_ts, max_ts, true)?;
        Ok(PieceData {
            series: piece.series,
            ts,
            columns,
        })
    }

    /// [`TableSnapshot::read`] for a reader that needs only the columns: the timestamps move into
    /// the time column instead of being copied. Returns the row count and the columns.
    pub fn read_columns(
        &self,
        piece: &Piece,
        columns: &[usize],
        min_ts: i64,
        max_ts: i64,
    ) -> Result<(usize, Vec<Column>)> {
        let time_once = columns
            .iter()
            .filter(|&&c| self.role(c) == Some(ColumnRole::Time))
            .count()
            == 1;
        let (ts, cols) = self.read_rows(piece, columns, min_ts, max_ts, !time_once)?;
        let n = if time_once {
            cols.iter()
                .zip(columns)
                .find(|(_, c)| self.role(**c) == Some(ColumnRole::Time))
                .map_or(0, |(col, _)| col.len())
        } else {
            ts.len()
        };
        Ok((n, cols))
    }

    /// The timestamps (empty when `keep_ts` is false and a time column took them) and columns.
    fn read_rows(
        &self,
        piece: &Piece,
        columns: &[usize],
        min_ts: i64,
        max_ts: i64,
        keep_ts: bool,
    ) -> Result<(Vec<i64>, Vec<Column>)> {
        let fields: Vec<usize> = columns
            .iter()
            .copied()
            .filter(|&c| self.role(c) == Some(ColumnRole::Field))
            .collect();
        let (mut ts, field_cols) = if let [src] = &piece.sources[..] {
            let (ts, cols) = read_source(&self.schema, src, &fields, min_ts, max_ts)?;
            if self.dedup() {
                dedup_last(ts, cols)
            } else {
                (ts, cols)
            }
        } else {
            self.read_merged(piece, &fields, min_ts, max_ts)?
        };
        let n = ts.len();
        // Each field column moves to its first requested position; a repeat copies it.
        let mut field_cols: Vec<Option<Column>> = field_cols.into_iter().map(Some).collect();
        let mut placed: Vec<Option<usize>> = vec![None; field_cols.len()];
        let mut out: Vec<Column> = Vec::with_capacity(columns.len());
        for &c in columns {
            let col = match self.role(c) {
                Some(ColumnRole::Time) if keep_ts => Column::new(ColumnVec::Int64(ts.clone())),
                Some(ColumnRole::Time) => Column::new(ColumnVec::Int64(std::mem::take(&mut ts))),
                Some(ColumnRole::Tag) => self.tag_column(piece.series, c, n),
                _ => {
                    let pos = fields.iter().position(|&f| f == c).unwrap_or(0);
                    match (
                        field_cols.get_mut(pos).and_then(Option::take),
                        placed.get(pos).copied().flatten(),
                    ) {
                        (Some(col), _) => {
                            if let Some(p) = placed.get_mut(pos) {
                                *p = Some(out.len());
                            }
                            col
                        }
                        (None, Some(k)) => out
                            .get(k)
                            .cloned()
                            .unwrap_or_else(|| Column::nulls(PhysicalType::Int64, n)),
                        (None, None) => Column::nulls(PhysicalType::Int64, n),
                    }
                }
            };
            out.push(col);
        }
        Ok((ts, out))
    }

    fn role(&self, c: usize) -> Option<ColumnRole> {
        self.schema.columns.get(c).map(|d| d.role)
    }

    fn read_merged(
        &self,
        piece: &Piece,
        fields: &[usize],
        min_ts: i64,
        max_ts: i64,
    ) -> Result<(Vec<i64>, Vec<Column>)> {
        let mut all_ts = Vec::new();
        let mut parts: Vec<Vec<Column>> = vec![Vec::new(); fields.len()];
        for src in &piece.sources {
            let (ts, cols) = read_source(&self.schema, src, fields, min_ts, max_ts)?;
            all_ts.extend_from_slice(&ts);
            for (p, c) in parts.iter_mut().zip(cols) {
                p.push(c);
            }
        }
        let cols: Vec<Column> = fields
            .iter()
            .zip(&parts)
            .map(|(&f, p)| {
                let refs: Vec<&Column> = p.iter().collect();
                crate::column::concat(&refs, self.schema.columns[f].ptype)
            })
            .collect();
        // Stable sort by time keeps write order among equal timestamps.
        let mut perm: Vec<u32> = (0..all_ts.len() as u32).collect();
        perm.sort_by_key(|&i| all_ts[i as usize]);
        let ts: Vec<i64> = perm.iter().map(|&i| all_ts[i as usize]).collect();
        let cols: Vec<Column> = cols.iter().map(|c| c.take(&perm)).collect();
        Ok(if self.dedup() {
            dedup_last(ts, cols)
        } else {
            (ts, cols)
        })
    }

    fn tag_column(&self, series: u32, column: usize, n: usize) -> Column {
        let k = self.schema.columns[..column]
            .iter()
            .filter(|c| c.role == ColumnRole::Tag)
            .count();
        let code = self
            .series
            .key(series)
            .and_then(|key| key.get(k).copied())
            .unwrap_or(NULL_CODE);
        let dict = self.series.tag(k).map(|t| t.values().clone()).unwrap_or_default();
        if code == NULL_CODE {
            return Column {
                values: ColumnVec::Bytes(DictVec {
                    dict: Arc::new(vec![Box::from(&b""[..])]),
                    codes: vec![0; n],
                }),
                validity: Some(vec![false; n]),
            };
        }
        Column::new(ColumnVec::Bytes(DictVec {
            dict,
            codes: vec![code; n],
        }))
    }

    /// The last row of every series (from the last-value cache when it is valid).
    pub fn last_rows(&self) -> Result<Arc<std::collections::HashMap<u32, LastRow>>> {
        if let Some(l) = &self.last {
            return Ok(l.clone());
        }
        Ok(Arc::new(self.compute_last_rows()?))
    }

    /// Computes the last row of every series from the snapshot's data.
    pub(crate) fn compute_last_rows(&self) -> Result<std::collections::HashMap<u32, LastRow>> {
        let mut best: std::collections::HashMap<u32, (i64, usize, Source)> = std::collections::HashMap::new();
        let mut rank = 0usize;
        let mut consider = |s: u32, max_ts: i64, rank: usize, src: Source| {
            let e = best.entry(s).or_insert((max_ts, rank, src.clone()));
            if (max_ts, rank) > (e.0, e.1) {
                *e = (max_ts, rank, src);
            }
        };
        for part in &self.parts {
            rank += 1;
            for s in part.series() {
                if let Some(g) = part.series_groups(s).last() {
                    consider(
                        s,
                        part.groups()[g].max_ts,
                        rank,
                        Source::Part {
                            part: part.clone(),
                            group: g as u32,
                        },
                    );
                }
            }
        }
        for chunk in &self.chunks {
            rank += 1;
            for (i, r) in chunk.runs.iter().enumerate() {
                consider(
                    r.series,
                    r.max_ts,
                    rank,
                    Source::Chunk {
                        chunk: chunk.clone(),
                        run: i as u32,
                    },
                );
            }
        }
        let fields: Vec<usize> = (0..self.schema.columns.len())
            .filter(|&c| self.role(c) == Some(ColumnRole::Field))
            .collect();
        let mut out = std::collections::HashMap::with_capacity(best.len());
        for (s, (ts, _, src)) in best {
            let (t, cols) = read_source(&self.schema, &src, &fields, ts, ts)?;
            let Some(i) = t.len().checked_sub(1) else { continue };
            let mut values = vec![Scalar::Null; self.schema.columns.len()];
            for (&f, c) in fields.iter().zip(&cols) {
                values[f] = c.scalar(i);
            }
            out.insert(s, LastRow { ts, values });
        }
        Ok(out)
    }
}

/// Reads the rows of one source within `[min_ts, max_ts]`.
fn read_source(
    schema: &TableSchema,
    src: &Source,
    fields: &[usize],
    min_ts: i64,
    max_ts: i64,
) -> Result<(Vec<i64>, Vec<Column>)> {
    match src {
        Source::Part { part, group } => {
            let g = *group as usize;
            let gm = part.groups()[g];
            let ts = part.read_time(g)?;
            let lo = ts.partition_point(|&t| t < min_ts);
            let hi = ts.partition_point(|&t| t <= max_ts);
            let whole = lo == 0 && hi == ts.len();
            let mut cols = Vec::with_capacity(fields.len());
            for &f in fields {
                let def = &schema.columns[f];
                let c = if def.fill.is_some() && part.block(g, f).is_none() {
                    def.missing(ts.len())
                } else {
                    part.read_column(g, f, def.ptype)?
                };
                cols.push(if whole { c } else { c.slice(lo, hi) });
            }
            debug_assert_eq!(gm.rows as usize, ts.len());
            Ok((if whole { ts } else { ts[lo..hi].to_vec() }, cols))
        }
        Source::Chunk { chunk, run } => {
            let r = &chunk.runs[*run as usize];
            let (s, e) = (r.start as usize, (r.start + r.len) as usize);
            let ts = &chunk.ts[s..e];
            let lo = s + ts.partition_point(|&t| t < min_ts);
            let hi = s + ts.partition_point(|&t| t <= max_ts);
            let cols = fields
                .iter()
                .map(|&f| match chunk.field(f) {
                    Some(c) => c.slice(lo, hi),
                    None => schema.columns[f].missing(hi - lo),
                })
                .collect();
            Ok((chunk.ts[lo..hi].to_vec(), cols))
        }
    }
}

/// Keeps the last row of each run of equal timestamps (input sorted by time, write order within).
pub(crate) fn dedup_last(ts: Vec<i64>, cols: Vec<Column>) -> (Vec<i64>, Vec<Column>) {
    if ts.windows(2).all(|w| w[0] != w[1]) {
        return (ts, cols);
    }
    let keep: Vec<u32> = (0..ts.len())
        .filter(|&i| i + 1 == ts.len() || ts[i] != ts[i + 1])
        .map(|i| i as u32)
        .collect();
    let ts = keep.iter().map(|&i| ts[i as usize]).collect();
    (ts, cols.iter().map(|c| c.take(&keep)).collect())
}
