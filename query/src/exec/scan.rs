//! Time-series scan: the snapshot's pieces restricted by time range, by series (tag predicates
//! → roaring bitmaps) and by block statistics (min/max ranges), then decoded column by column
//! (projection) and filtered.
use std::sync::Arc;

use plantdb_storage::{Piece, ScanSpec, TableSnapshot};
use roaring::RoaringBitmap;

use super::Operator;
use super::basic::apply_filter;
use super::context::ExecCtx;
use super::convert::to_vector;
use crate::error::Result;
use crate::plan::ScanPlan;
use crate::vector::Batch;

/// Series allowed by the tag restrictions (None: all).
pub fn series_filter(snap: &TableSnapshot, scan: &ScanPlan) -> Option<RoaringBitmap> {
    if scan.tags.is_empty() {
        return None;
    }
    let mut acc: Option<RoaringBitmap> = None;
    for (col, values) in &scan.tags {
        let k = scan.table.tags.iter().position(|t| t == col)?;
        let dict = snap.series.tag(k)?;
        let mut set = RoaringBitmap::new();
        for v in values {
            match v {
                Some(s) => set |= dict.postings(s.as_bytes()),
                None => set |= dict.null_postings(),
            }
        }
        acc = Some(match acc {
            Some(a) => a & set,
            None => set,
        });
    }
    acc
}

/// Whether block statistics rule a piece out for the range restrictions.
pub fn skipped_by_stats(snap: &TableSnapshot, piece: &Piece, ranges: &[(usize, f64, f64)]) -> bool {
    ranges.iter().any(|&(col, lo, hi)| {
        let Some(st) = snap.stats(piece, col) else {
            return false;
        };
        if st.count == st.null_count {
            return true; // only NULLs: no comparison can be true
        }
        let num = |s: &plantdb_storage::Scalar| match s {
            plantdb_storage::Scalar::Float64(f) => Some(*f),
            plantdb_storage::Scalar::Int64(i) => Some(*i as f64),
            _ => None,
        };
        match (num(&st.min), num(&st.max)) {
            (Some(mn), Some(mx)) if !mn.is_nan() && !mx.is_nan() => mx < lo || mn > hi,
            _ => false,
        }
    })
}

/// Scan operator.
pub struct ScanOp {
    scan: Arc<ScanPlan>,
    snap: Arc<TableSnapshot>,
    pieces: std::vec::IntoIter<Piece>,
    cx: ExecCtx,
}

impl ScanOp {
    /// Starts a scan.
    pub fn new(scan: ScanPlan, cx: ExecCtx) -> Result<ScanOp> {
        let snap = cx.shared()?.snapshot(&scan.table.name)?;
        let pieces: Vec<Piece> = chosen_pieces(&snap, &scan)?
            .into_iter()
            .enumerate()
            .filter(|(i, _)| scan.slice.is_none_or(|(k, w)| i % w == k))
            .map(|(_, p)| p)
            .collect();
        Ok(ScanOp {
            scan: Arc::new(scan),
            snap,
            pieces: pieces.into_iter(),
            cx,
        })
    }
}

/// The pieces a scan reads: its time range and series, less those block statistics rule out.
fn chosen_pieces(snap: &TableSnapshot, scan: &ScanPlan) -> Result<Vec<Piece>> {
    if scan.time.0 > scan.time.1 {
        return Ok(Vec::new());
    }
    let spec = ScanSpec {
        min_ts: scan.time.0,
        max_ts: scan.time.1,
        series: series_filter(snap, scan),
        ordered: false,
    };
    Ok(snap
        .pieces(&spec)?
        .into_iter()
        .filter(|p| !skipped_by_stats(snap, p, &scan.ranges))
        .collect())
}

/// An upper bound of the rows a scan reads (before its filter), from piece sizes.
pub fn scan_rows(scan: &ScanPlan, cx: &ExecCtx) -> Result<u64> {
    let snap = cx.shared()?.snapshot(&scan.table.name)?;
    Ok(chosen_pieces(&snap, scan)?.iter().map(|p| p.rows).sum())
}

/// Reads one piece as a batch of the scan's columns (filter applied).
pub fn read_piece(snap: &TableSnapshot, scan: &ScanPlan, piece: &Piece, cx: &ExecCtx) -> Result<Batch> {
    let (n, columns) = snap.read_columns(piece, &scan.columns, scan.time.0, scan.time.1)?;
    let mut cols = Vec::with_capacity(scan.columns.len());
    for (col, &c) in columns.into_iter().zip(&scan.columns) {
        cols.push(to_vector(col, &scan.table.columns[c].ty)?);
    }
    apply_filter(Batch::new(cols, n), &scan.filter, cx)
}

impl Operator for ScanOp {
    fn next(&mut self) -> Result<Option<Batch>> {
        for p in self.pieces.by_ref() {
            self.cx.eval().check_cancel()?;
            let b = read_piece(&self.snap, &self.scan, &p, &self.cx)?;
            if !b.is_empty() {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }
}
