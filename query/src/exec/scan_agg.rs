//! Aggregation fused with a time-series scan.
//!
//! Pieces (one series' row group, or memtable run) are split over two threads. A piece is
//! answered from its block statistics when there is no residual filter, it lies inside the time
//! range, every group key is constant over it (tag keys always are; a time bucket is when the
//! piece's first and last timestamps fall into the same bucket) and every aggregate accepts
//! statistics. Other pieces are decoded; their rows are time-ordered, so group ids are looked up
//! once per run of equal keys. Each thread keeps its own groups and accumulators; the second is
//! merged into the first at the end.
use plantdb_storage::{ColumnRole, Piece, ScanSpec, TableSnapshot};
use std::collections::HashMap;

use super::BoxOp;
use super::aggregate::runs_of;
use super::basic::BatchesOp;
use super::context::ExecCtx;
use super::expr::eval_expr;
use super::scan::{read_piece, series_filter, skipped_by_stats};
use crate::error::Result;
use crate::functions::{Accumulator, AggregateSpec, BlockStats};
use crate::plan::{AggCall, Expr, ScanPlan};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector, VectorData};

/// How a group key is computed.
#[derive(Debug, Clone)]
enum KeyKind {
    /// A tag column: constant per series (value = tag dictionary code, or -1 for NULL).
    Tag(usize),
    /// A monotone bucket of the time column, evaluated by the expression.
    Time,
    /// Anything else.
    Other,
}

fn classify(e: &Expr, scan: &ScanPlan) -> KeyKind {
    let role_of = |i: usize| scan.columns.get(i).map(|&c| scan.table.columns[c].role);
    match e {
        Expr::Column(i, _) if role_of(*i) == Some(ColumnRole::Tag) => {
            let c = scan.columns[*i];
            KeyKind::Tag(scan.table.tags.iter().position(|&t| t == c).unwrap_or(0))
        }
        Expr::Column(i, _) if role_of(*i) == Some(ColumnRole::Time) => KeyKind::Time,
        Expr::Call {
            func,
            args,
            ty: DataType::Timestamp,
        } => {
            // date_trunc('unit', ts), time_bucket(width, ts [, origin]), date_bin(width, ts, origin):
            // constant arguments and the time column → monotone in ts.
            let monotone = matches!(func.name.as_str(), "date_trunc" | "time_bucket" | "date_bin");
            let one_time_col = args
                .iter()
                .filter(|a| matches!(a, Expr::Column(i, _) if role_of(*i) == Some(ColumnRole::Time)))
                .count()
                == 1;
            let rest_const = args.iter().all(|a| {
                matches!(a, Expr::Literal(..))
                    || matches!(a, Expr::Column(i, _) if role_of(*i) == Some(ColumnRole::Time))
            });
            if monotone && one_time_col && rest_const {
                KeyKind::Time
            } else {
                KeyKind::Other
            }
        }
        _ => KeyKind::Other,
    }
}

/// Whether a group key is a monotone bucket of the scan's time column.
pub fn is_time_bucket(e: &Expr, scan: &ScanPlan) -> bool {
    matches!(classify(e, scan), KeyKind::Time)
}

/// Groups and accumulators of one worker.
struct Groups {
    /// Key → group id.
    ids: rustc_hash::FxHashMap<Vec<i64>, u32>,
    /// One-part key → group id.
    ids1: rustc_hash::FxHashMap<i64, u32>,
    /// Key of each group.
    keys: Keys,
    /// General keys (KeyKind::Other): byte-encoded rows → id, and the key columns of each
    /// id's first row. In this mode a key's id is its group id.
    general: Option<(super::keys::KeyTable, GeneralKeys)>,
    accs: Vec<Box<dyn Accumulator>>,
}

impl Groups {
    fn new(aggs: &[AggCall], general: bool) -> Result<Groups> {
        let mut accs = Vec::with_capacity(aggs.len());
        for a in aggs {
            let spec = AggregateSpec {
                arg_types: a.args.iter().map(Expr::ty).collect(),
                direct_args: a.direct.clone(),
                return_type: a.ty.clone(),
            };
            accs.push((a.func.create)(&spec)?);
        }
        Ok(Groups {
            ids: Default::default(),
            ids1: Default::default(),
            keys: Keys::default(),
            general: general.then(|| (Default::default(), GeneralKeys::default())),
            accs,
        })
    }

    fn id(&mut self, key: &[i64]) -> u32 {
        if let [one] = key {
            // One-part keys (the general keys' ids, a single tag or bucket) hash without a vector.
            if let Some(&g) = self.ids1.get(one) {
                return g;
            }
            let g = self.keys.len() as u32;
            self.ids1.insert(*one, g);
            self.keys.push(key);
            return g;
        }
        if let Some(&g) = self.ids.get(key) {
            return g;
        }
        let g = self.keys.len() as u32;
        self.ids.insert(key.to_vec(), g);
        self.keys.push(key);
        g
    }

    /// Makes room in every accumulator for the groups created so far (before feeding them).
    fn sized(&mut self) {
        let n = self.keys.len();
        for a in self.accs.iter_mut() {
            a.resize(n);
        }
    }
}

/// The key of each group, end to end (every key of a `Groups` has the same width).
#[derive(Default)]
struct Keys {
    width: usize,
    flat: Vec<i64>,
    n: usize,
}

impl Keys {
    fn push(&mut self, key: &[i64]) {
        if self.n == 0 {
            self.width = key.len();
        }
        self.flat.extend_from_slice(key);
        self.n += 1;
    }

    fn len(&self) -> usize {
        self.n
    }

    fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Keys in group order.
    fn iter(&self) -> impl Iterator<Item = &[i64]> {
        let w = self.width;
        (0..self.n).map(move |g| self.flat.get(g * w..(g + 1) * w).unwrap_or(&[]))
    }
}

/// Static description of the fused operation.
struct Setup<'a> {
    scan: &'a ScanPlan,
    snap: &'a TableSnapshot,
    group: &'a [Expr],
    kinds: Vec<KeyKind>,
    aggs: &'a [AggCall],
    /// Schema column of each aggregate's argument (None: count(*)); Some(None) for non-column args.
    stat_cols: Vec<Option<Option<usize>>>,
    stats_ok: bool,
    /// Per aggregate argument: a batch column no other argument or filter reads, which the
    /// call can take instead of a copy.
    movable: Vec<Vec<bool>>,
}

/// See `Setup::movable` (group keys are evaluated before the arguments and do not count).
fn movable_args(aggs: &[AggCall]) -> Vec<Vec<bool>> {
    let mut uses: HashMap<usize, usize> = HashMap::new();
    for a in aggs {
        let mut cols = Vec::new();
        a.args.iter().chain(&a.filter).for_each(|e| e.columns(&mut cols));
        for c in cols {
            *uses.entry(c).or_default() += 1;
        }
    }
    aggs.iter()
        .map(|a| {
            a.args
                .iter()
                .map(|e| matches!(e, Expr::Column(i, _) if uses.get(i) == Some(&1)))
                .collect()
        })
        .collect()
}

/// Whether every aggregate takes block statistics (probed on scratch accumulators).
fn probe_stats(aggs: &[AggCall], stat_cols: &[Option<Option<usize>>], scan: &ScanPlan) -> bool {
    for (a, sc) in aggs.iter().zip(stat_cols) {
        if a.distinct || a.filter.is_some() || !a.order_by.is_empty() {
            return false;
        }
        let stats: Vec<BlockStats> = match sc {
            None => Vec::new(),
            Some(None) => return false,
            Some(Some(c)) => {
                let col = &scan.table.columns[*c];
                if col.role != ColumnRole::Field {
                    return false;
                }
                let v = match col.ptype {
                    plantdb_storage::PhysicalType::Float64 => plantdb_storage::Scalar::Float64(1.0),
                    plantdb_storage::PhysicalType::Int64 => plantdb_storage::Scalar::Int64(1),
                    plantdb_storage::PhysicalType::Bool => plantdb_storage::Scalar::Bool(true),
                    plantdb_storage::PhysicalType::Bytes => return false,
                };
                let sum = match col.ptype {
                    plantdb_storage::PhysicalType::Float64 => plantdb_storage::StatSum::Float(1.0),
                    _ => plantdb_storage::StatSum::Int(1),
                };
                vec![BlockStats {
                    count: 1,
                    null_count: 0,
                    min: v.clone(),
                    max: v.clone(),
                    sum: Some(sum),
                    m2: Some(0.0),
                    first: v.clone(),
                    last: v,
                    min_ts: 0,
                    max_ts: 0,
                }]
            }
        };
        let spec = AggregateSpec {
            arg_types: a.args.iter().map(Expr::ty).collect(),
            direct_args: a.direct.clone(),
            return_type: a.ty.clone(),
        };
        let Ok(mut acc) = (a.func.create)(&spec) else {
            return false;
        };
        acc.resize(1);
        // first()/last() read the value column's statistics only when their time argument is
        // the table's time column.
        if matches!(a.func.name.as_str(), "first" | "last") {
            let time_ok = a.args.get(1).is_some_and(|e| matches!(e, Expr::Column(i, _) if scan.columns.get(*i).is_some_and(|&c| scan.table.columns[c].role == ColumnRole::Time)));
            if !time_ok {
                return false;
            }
        }
        if !matches!(acc.update_from_stats(0, 1, &stats), Ok(true)) {
            return false;
        }
    }
    true
}

fn constant_key(setup: &Setup<'_>, piece: &Piece, key: &mut Vec<i64>, eval: &ExecCtx) -> Result<Option<()>> {
    key.clear();
    let series_key = setup.snap.series.key(piece.series);
    for (e, k) in setup.group.iter().zip(&setup.kinds) {
        match k {
            KeyKind::Tag(t) => {
                let code = series_key.and_then(|sk| sk.get(*t).copied()).unwrap_or(u32::MAX);
                key.push(if code == u32::MAX { -1 } else { i64::from(code) });
            }
            KeyKind::Time => {
                let b = Batch::new(vec![], 1);
                let bucket = |ts: i64| -> Result<Value> {
                    let e2 = e.clone().transform(&mut |x| match x {
                        Expr::Column(_, t) => Expr::Literal(Value::Int(ts), t),
                        x => x,
                    });
                    Ok(eval_expr(&e2, &b, eval)?.value(0))
                };
                let (lo, hi) = (bucket(piece.min_ts)?, bucket(piece.max_ts)?);
                if lo != hi {
                    return Ok(None);
                }
                key.push(lo.as_int().unwrap_or(i64::MIN));
            }
            KeyKind::Other => return Ok(None),
        }
    }
    Ok(Some(()))
}

/// Processes a list of pieces into `g`.
fn work(setup: &Setup<'_>, pieces: &[Piece], g: &mut Groups, cx: &ExecCtx) -> Result<()> {
    let (lo, hi) = setup.scan.time;
    let mut key = Vec::with_capacity(setup.group.len());
    for p in pieces {
        cx.eval().check_cancel()?;
        let inside = p.min_ts >= lo && p.max_ts <= hi;
        if setup.stats_ok && inside && p.sources.len() == 1 && constant_key(setup, p, &mut key, cx)?.is_some()
        {
            let mut all = true;
            let mut per: Vec<Vec<BlockStats>> = Vec::with_capacity(setup.aggs.len());
            for sc in &setup.stat_cols {
                match sc {
                    None => per.push(Vec::new()),
                    Some(Some(c)) => match setup.snap.stats(p, *c) {
                        Some(s) => per.push(vec![s]),
                        None => {
                            all = false;
                            break;
                        }
                    },
                    Some(None) => {
                        all = false;
                        break;
                    }
                }
            }
            if all {
                let gid = g.id(&key);
                g.sized();
                for (acc, st) in g.accs.iter_mut().zip(&per) {
                    acc.update_from_stats(gid, p.rows, st)?;
                }
                continue;
            }
        }
        let mut b = read_piece(setup.snap, setup.scan, p, cx)?;
        if b.is_empty() {
            continue;
        }
        let gids = group_ids(setup, p, &b, g, &mut key, cx)?;
        g.sized();
        let runs = runs_of(&gids);
        for ((a, acc), movable) in setup.aggs.iter().zip(g.accs.iter_mut()).zip(&setup.movable) {
            let args = a
                .args
                .iter()
                .zip(movable)
                .map(|(x, &mv)| match (x, b.columns.get_mut(column_of(x))) {
                    (Expr::Column(..), Some(c)) if mv => {
                        let ty = c.ty.clone();
                        Ok(std::mem::replace(c, Vector::nulls(ty, 0)))
                    }
                    _ => eval_expr(x, &b, cx),
                })
                .collect::<Result<Vec<_>>>()?;
            match &a.filter {
                Some(f) => {
                    let m = eval_expr(f, &b, cx)?.truth_mask();
                    let sel: Vec<u32> = (0..b.len() as u32).filter(|&i| m[i as usize]).collect();
                    let ids: Vec<u32> = sel.iter().map(|&i| gids[i as usize]).collect();
                    let args: Vec<Vector> = args.iter().map(|v| v.take(&sel)).collect();
                    if !ids.is_empty() {
                        acc.update(&ids, &args)?;
                    }
                }
                None => match &runs {
                    Some(runs) => acc.update_runs(runs, &gids, &args)?,
                    None => acc.update(&gids, &args)?,
                },
            }
        }
    }
    Ok(())
}

/// The batch column an expression is, or an index past any batch.
fn column_of(e: &Expr) -> usize {
    match e {
        Expr::Column(i, _) => *i,
        _ => usize::MAX,
    }
}

fn group_ids(
    setup: &Setup<'_>,
    p: &Piece,
    b: &Batch,
    g: &mut Groups,
    key: &mut Vec<i64>,
    cx: &ExecCtx,
) -> Result<Vec<u32>> {
    let n = b.len();
    if setup.group.is_empty() {
        if g.keys.is_empty() {
            g.id(&[]);
        }
        return Ok(vec![0; n]);
    }
    if setup.kinds.iter().any(|k| matches!(k, KeyKind::Other)) {
        // General keys: byte-encoded rows.
        let cols = setup
            .group
            .iter()
            .map(|e| eval_expr(e, b, cx))
            .collect::<Result<Vec<_>>>()?;
        let Some((table, values)) = g.general.as_mut() else {
            return Err(crate::error::internal("general keys"));
        };
        let mut fresh = Vec::new();
        let local = table.assign(&cols, n, &mut fresh);
        if !fresh.is_empty() {
            let idx: Vec<u32> = fresh.iter().map(|&r| r as u32).collect();
            values.parts.push(cols.iter().map(|c| c.take(&idx)).collect());
            // Key ids are dense and handed out in row order, as group ids are.
            for l in g.keys.len()..table.len() {
                key.clear();
                key.push(l as i64);
                g.keys.push(key);
            }
        }
        return Ok(local);
    }
    // Tag and time keys: tags are constant in the piece; time buckets come in runs.
    let series_key = setup.snap.series.key(p.series);
    let time_vals: Vec<Option<Vector>> = setup
        .group
        .iter()
        .zip(&setup.kinds)
        .map(|(e, k)| match k {
            KeyKind::Time => eval_expr(e, b, cx).map(Some),
            _ => Ok(None),
        })
        .collect::<Result<Vec<_>>>()?;
    key.clear();
    for k in &setup.kinds {
        key.push(match k {
            KeyKind::Tag(t) => series_key
                .and_then(|sk| sk.get(*t).copied())
                .map_or(-1, |c| if c == u32::MAX { -1 } else { i64::from(c) }),
            _ => 0,
        });
    }
    let mut out = Vec::with_capacity(n);
    // Tag slots are constant in the piece: only the time slots can change from row to row.
    let time_slots: Vec<usize> = time_vals
        .iter()
        .enumerate()
        .filter_map(|(s, v)| v.as_ref().map(|_| s))
        .collect();
    if let [slot] = time_slots[..]
        && let Some(Some(v)) = time_vals.get(slot)
        && let (VectorData::Int(times), None) = (&v.data, &v.validity)
        && slot < key.len()
    {
        // One time key without NULLs (the common `time_bucket` group): compare it alone.
        let mut last: Option<(i64, u32)> = None;
        for &t in times.iter().take(n) {
            let gid = match last {
                Some((lt, lg)) if lt == t => lg,
                _ => {
                    key[slot] = t;
                    let gid = g.id(key);
                    last = Some((t, gid));
                    gid
                }
            };
            out.push(gid);
        }
        return Ok(out);
    }
    let mut last: Option<(Vec<i64>, u32)> = None;
    for i in 0..n {
        for &s in &time_slots {
            if let (Some(Some(v)), Some(slot)) = (time_vals.get(s), key.get_mut(s)) {
                *slot = match &v.data {
                    VectorData::Int(x) if !v.is_null(i) => x[i],
                    _ => v.value(i).as_int().unwrap_or(i64::MIN),
                };
            }
        }
        if let Some((lk, lg)) = &last
            && time_slots.iter().all(|&s| lk.get(s) == key.get(s))
        {
            out.push(*lg);
            continue;
        }
        let gid = g.id(key);
        out.push(gid);
        last = Some((key.clone(), gid));
    }
    Ok(out)
}

/// Runs the fused aggregate; returns its output batches.
pub fn run(
    scan: &ScanPlan,
    group: &[Expr],
    aggs: &[AggCall],
    fields: &[crate::plan::Field],
    topk: Option<(usize, bool)>,
    cx: &ExecCtx,
) -> Result<BoxOp> {
    let snap = cx.shared()?.snapshot(&scan.table.name)?;
    let kinds: Vec<KeyKind> = group.iter().map(|e| classify(e, scan)).collect();
    let stat_cols: Vec<Option<Option<usize>>> = aggs
        .iter()
        .map(|a| match a.args.first() {
            None => None,
            Some(Expr::Column(i, _)) => Some(scan.columns.get(*i).copied()),
            Some(_) => Some(None),
        })
        .collect();
    // A dedup = 'last' table may hold duplicates inside one source: its row counts and block
    // statistics are upper bounds, so every row is read.
    let dedup = snap.schema.options.dedup == plantdb_storage::DedupPolicy::KeepLast;
    let stats_ok = !dedup && scan.filter.is_empty() && probe_stats(aggs, &stat_cols, scan);
    let setup = Setup {
        scan,
        snap: &snap,
        group,
        kinds: kinds.clone(),
        aggs,
        stat_cols,
        stats_ok,
        movable: movable_args(aggs),
    };
    let spec = ScanSpec {
        min_ts: scan.time.0,
        max_ts: scan.time.1,
        series: series_filter(&snap, scan),
        ordered: false,
    };
    let pieces: Vec<Piece> = if scan.time.0 > scan.time.1 {
        Vec::new()
    } else {
        snap.pieces(&spec)?
            .into_iter()
            .filter(|p| !skipped_by_stats(&snap, p, &scan.ranges))
            .collect()
    };
    let general = kinds.iter().any(|k| matches!(k, KeyKind::Other));
    if let Some((k, desc)) = topk {
        let mut g = Groups::new(aggs, general)?;
        extreme_buckets(&setup, pieces, k, desc, &mut g, cx)?;
        return Ok(Box::new(BatchesOp::new(output(&g, &setup, fields)?)));
    }
    // Two workers when there is enough to do.
    let total_rows: u64 = pieces.iter().map(|p| p.rows).sum();
    let threads = if total_rows > 200_000 && pieces.len() > 1 {
        2
    } else {
        1
    };
    let mut results: Vec<Result<Groups>> = Vec::new();
    if threads == 1 {
        let mut g = Groups::new(aggs, general)?;
        work(&setup, &pieces, &mut g, cx)?;
        results.push(Ok(g));
    } else {
        // Interleave pieces so both halves see similar work.
        let halves: Vec<Vec<Piece>> = (0..threads)
            .map(|t| pieces.iter().skip(t).step_by(threads).cloned().collect())
            .collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = halves
                .iter()
                .map(|h| {
                    let setup = &setup;
                    s.spawn(move || -> Result<Groups> {
                        let mut g = Groups::new(aggs, general)?;
                        work(setup, h, &mut g, cx)?;
                        Ok(g)
                    })
                })
                .collect();
            for h in handles {
                results.push(
                    h.join()
                        .unwrap_or_else(|_| Err(crate::error::internal("aggregation worker panicked"))),
                );
            }
        });
    }
    let mut iter = results.into_iter();
    let mut main = iter.next().unwrap_or_else(|| Groups::new(aggs, general))?;
    let key_types: Vec<crate::types::DataType> = setup.group.iter().map(Expr::ty).collect();
    for other in iter {
        merge(&mut main, other?, general, &key_types)?;
    }
    if group.is_empty() && main.keys.is_empty() {
        main.id(&[]);
    }
    main.sized();
    Ok(Box::new(BatchesOp::new(output(&main, &setup, fields)?)))
}

/// The key columns of general-key groups: for each batch that brought new keys, the key
/// columns at their first rows (row `i` of the concatenation is group `i`'s key).
#[derive(Default)]
struct GeneralKeys {
    parts: Vec<Vec<Vector>>,
}

impl GeneralKeys {
    /// Key column `k` of every group.
    fn column(&self, k: usize, ty: &crate::types::DataType) -> Vector {
        let parts: Vec<Vector> = self.parts.iter().filter_map(|p| p.get(k).cloned()).collect();
        if parts.is_empty() {
            return Vector::nulls(ty.clone(), 0);
        }
        Vector::concat(ty, &parts)
    }

    fn rows(&self, types: &[crate::types::DataType]) -> Vec<Vec<Value>> {
        let cols: Vec<Vector> = (0..types.len()).map(|k| self.column(k, &types[k])).collect();
        let n = cols.first().map_or(0, Vector::len);
        (0..n)
            .map(|i| cols.iter().map(|c| c.value(i)).collect())
            .collect()
    }

    fn from_rows(types: &[crate::types::DataType], rows: Vec<Vec<Value>>) -> GeneralKeys {
        let cols = types
            .iter()
            .enumerate()
            .map(|(k, ty)| {
                Vector::from_values(
                    ty.clone(),
                    rows.iter()
                        .map(|r| r.get(k).cloned().unwrap_or(Value::Null))
                        .collect(),
                )
            })
            .collect();
        GeneralKeys { parts: vec![cols] }
    }
}

/// Processes pieces from the extreme end of time, stopping once no further piece can reach the
/// k best buckets seen so far (buckets are monotone in time).
fn extreme_buckets(
    setup: &Setup<'_>,
    mut pieces: Vec<Piece>,
    k: usize,
    desc: bool,
    g: &mut Groups,
    cx: &ExecCtx,
) -> Result<()> {
    if desc {
        pieces.sort_by_key(|p| std::cmp::Reverse(p.max_ts.min(setup.scan.time.1)));
    } else {
        pieces.sort_by_key(|p| p.min_ts.max(setup.scan.time.0));
    }
    let e = &setup.group[0];
    let bucket = |ts: i64| -> Result<i64> {
        let e2 = e.clone().transform(&mut |x| match x {
            Expr::Column(_, t) => Expr::Literal(Value::Int(ts), t),
            x => x,
        });
        Ok(eval_expr(&e2, &Batch::new(vec![], 1), cx)?
            .value(0)
            .as_int()
            .unwrap_or(i64::MIN))
    };
    let mut i = 0;
    while i < pieces.len() {
        // Work in slices of pieces with the same edge time (usually one per series).
        let edge = |p: &Piece| {
            if desc {
                p.max_ts.min(setup.scan.time.1)
            } else {
                p.min_ts.max(setup.scan.time.0)
            }
        };
        let t = edge(&pieces[i]);
        if g.keys.len() >= k {
            let mut seen: Vec<i64> = g.keys.iter().map(|key| key[0]).collect();
            seen.sort_unstable();
            let kth = if desc { seen[seen.len() - k] } else { seen[k - 1] };
            let b = bucket(t)?;
            if (desc && b < kth) || (!desc && b > kth) {
                break;
            }
        }
        let mut j = i;
        while j < pieces.len() && edge(&pieces[j]) == t {
            j += 1;
        }
        work(setup, &pieces[i..j], g, cx)?;
        i = j;
    }
    Ok(())
}

fn merge(
    main: &mut Groups,
    mut other: Groups,
    general: bool,
    types: &[crate::types::DataType],
) -> Result<()> {
    let mut map = Vec::with_capacity(other.keys.len());
    if general {
        // General keys: the ids are per worker; re-key by the key values (a path of large
        // inputs only: two workers).
        let other_values = other.general.take().map(|g| g.1.rows(types)).unwrap_or_default();
        let mut mv = main.general.take().map(|g| g.1.rows(types)).unwrap_or_default();
        let mut by_values: HashMap<Vec<Value>, u32> = mv
            .iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), i as u32))
            .collect();
        for k in other.keys.iter() {
            let local = k.first().copied().unwrap_or(0) as usize;
            let vals = other_values.get(local).cloned().unwrap_or_default();
            let gl = match by_values.get(&vals) {
                Some(&g) => g,
                None => {
                    let g = mv.len() as u32;
                    mv.push(vals.clone());
                    by_values.insert(vals, g);
                    g
                }
            };
            // Group ids stay the indexes of their key values.
            if gl as usize == main.keys.len() {
                main.keys.push(&[i64::from(gl)]);
            }
            map.push(gl);
        }
        main.general = Some((Default::default(), GeneralKeys::from_rows(types, mv)));
    } else {
        for k in other.keys.iter() {
            map.push(main.id(k));
        }
    }
    main.sized();
    for (a, b) in main.accs.iter_mut().zip(other.accs.iter_mut()) {
        a.merge(&mut **b, &map)?;
    }
    Ok(())
}

fn output(g: &Groups, setup: &Setup<'_>, fields: &[crate::plan::Field]) -> Result<Vec<Batch>> {
    let n = g.keys.len();
    let mut cols = Vec::with_capacity(fields.len());
    let general = setup.kinds.iter().any(|k| matches!(k, KeyKind::Other));
    for (k, (e, kind)) in setup.group.iter().zip(&setup.kinds).enumerate() {
        let ty = e.ty();
        if general {
            // Group ids are the indexes of the keys' first rows: row i is group i's key.
            match g.general.as_ref().map(|x| x.1.column(k, &ty)) {
                Some(c) if c.len() == n => cols.push(c),
                _ => return Err(crate::error::internal("group keys missing")),
            }
            continue;
        }
        let vals: Vec<Value> = g
            .keys
            .iter()
            .map(|key| match kind {
                KeyKind::Tag(t) => {
                    let code = key[k];
                    if code < 0 {
                        Value::Null
                    } else {
                        setup
                            .snap
                            .series
                            .tag(*t)
                            .and_then(|d| {
                                d.values()
                                    .get(code as usize)
                                    .map(|b| Value::str(std::str::from_utf8(b).unwrap_or("")))
                            })
                            .unwrap_or(Value::Null)
                    }
                }
                _ => {
                    if key[k] == i64::MIN {
                        Value::Null
                    } else {
                        Value::Int(key[k])
                    }
                }
            })
            .collect();
        cols.push(Vector::from_values(ty, vals));
    }
    for (acc, a) in g.accs.iter().zip(setup.aggs) {
        let vals = (0..n).map(|i| acc.value(i)).collect::<Result<Vec<_>>>()?;
        cols.push(Vector::from_values(a.ty.clone(), vals));
    }
    Ok(super::sort::split(Batch::new(cols, n)))
}
