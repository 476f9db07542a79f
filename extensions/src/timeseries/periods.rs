//! State periods as rows (TimescaleDB toolkit `state_agg` + `state_timeline`):
//!
//! ```sql
//! state_timeline(ts, state [, range_start, range_end]) → bytea           (aggregate)
//! state_periods(timeline bytea)
//!   → TABLE (start_ts timestamp, end_ts timestamp, state text, duration interval)
//! ```
//!
//! A period is a maximal stretch of consecutive samples with the same state (NULL is a state of
//! its own, comparisons are exact); it lasts from its first sample to the first sample of the
//! next period. Without a range the last period ends at the last sample (so a series of one
//! sample is one period of zero length); with a range `[s, e)` the latest sample before `s` is
//! carried in to `s` (periods start no earlier than `s`), samples at or after `e` are ignored
//! and the last period ends at `e`. A group without samples in (or before) the range gives
//! NULL, and `state_periods(NULL)` no rows. Times are returned as `timestamp` (the UTC instant
//! for `timestamptz` input). Use it per group with LATERAL:
//! `SELECT machine_id, p.* FROM (SELECT machine_id, state_timeline(ts, state) AS tl FROM … GROUP BY
//! machine_id) x CROSS JOIN LATERAL state_periods(x.tl) p`.
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use plantdb_query::error::Result;
use plantdb_query::functions::{Accumulator, AggregateFunction, Registry, Signature, TableFunction};
use plantdb_query::types::{DataType, Interval, Value};
use plantdb_query::vector::{Batch, Vector};

use crate::common::codec::{Dec, Enc};
use crate::common::cols::{IntCol, TextCol};
use crate::common::runs::{GroupRuns, RunSummary};
use crate::common::{downcast, invalid};

const MAGIC: &[u8; 4] = b"STTL";
const DAY: i64 = 86_400_000_000;

/// A sample: time and the hash of its state (0: NULL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sp {
    t: i64,
    h: u64,
}

/// FNV-1a (never 0 for a non-NULL state).
fn hash(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

/// Summary of a time-ordered run: the periods (start, state hash) and the last sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct Tl {
    periods: Vec<(i64, u64)>,
    last: i64,
}

impl RunSummary for Tl {
    type Point = Sp;
    type Cfg = ();
    fn time(p: &Sp) -> i64 {
        p.t
    }
    fn tiebreak(p: &Sp) -> u64 {
        p.h
    }
    fn start(p: &Sp, _: &()) -> Tl {
        Tl {
            periods: vec![(p.t, p.h)],
            last: p.t,
        }
    }
    fn push(&mut self, p: &Sp, _: &()) {
        if self.periods.last().is_none_or(|q| q.1 != p.h) {
            self.periods.push((p.t, p.h));
        }
        self.last = p.t;
    }
    fn append(&mut self, next: &Tl, _: &()) {
        let skip = match (self.periods.last(), next.periods.first()) {
            (Some(a), Some(b)) => usize::from(a.1 == b.1),
            _ => 0,
        };
        self.periods
            .extend_from_slice(next.periods.get(skip..).unwrap_or(&[]));
        self.last = next.last;
    }
}

/// A group's range and the latest sample before it.
type Edge = (Option<(i64, i64)>, Option<Sp>);

/// The accumulator.
pub struct TimelineAcc {
    range_args: bool,
    names: HashMap<u64, Arc<str>>,
    runs: GroupRuns<Tl>,
    /// Per group: the range and the latest sample before it.
    edges: Vec<Edge>,
}

impl Accumulator for TimelineAcc {
    fn resize(&mut self, groups: usize) {
        self.runs.resize(groups);
        if self.edges.len() < groups {
            self.edges.resize(groups, (None, None));
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        let ts = IntCol::new(&args[0]);
        let st = TextCol::new(&args[1]);
        let (rs, re) = if self.range_args {
            (Some(IntCol::new(&args[2])), Some(IntCol::new(&args[3])))
        } else {
            (None, None)
        };
        let epoch = self.runs.begin();
        for (i, &g) in groups.iter().enumerate() {
            let Some(t) = ts.get(i) else { continue };
            let h = match st.get(i) {
                None => 0,
                Some(b) => {
                    let h = hash(b);
                    if let std::collections::hash_map::Entry::Vacant(v) = self.names.entry(h) {
                        let s = std::str::from_utf8(b)
                            .map_err(|_| invalid("state_timeline: state is not UTF-8"))?;
                        v.insert(Arc::from(s));
                    }
                    h
                }
            };
            let p = Sp { t, h };
            let g = g as usize;
            if let (Some(rs), Some(re)) = (&rs, &re) {
                let (Some(s), Some(e)) = (rs.get(i), re.get(i)) else {
                    continue;
                };
                if e <= s {
                    return Err(invalid("state_timeline: the range end must be after its start"));
                }
                self.resize(g + 1);
                let Some(edge) = self.edges.get_mut(g) else {
                    continue;
                };
                match edge.0 {
                    Some(r) if r != (s, e) => {
                        return Err(invalid(
                            "state_timeline: the range must be the same for every row of a group",
                        ));
                    }
                    _ => edge.0 = Some((s, e)),
                }
                if t >= e {
                    continue;
                }
                if t < s {
                    if edge.1.is_none_or(|b| (b.t, b.h) < (t, h)) {
                        edge.1 = Some(p);
                    }
                    continue;
                }
            }
            self.runs.push(g, &p, epoch, &());
        }
        Ok(())
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<TimelineAcc>(other, "state_timeline")?;
        self.names.extend(o.names.drain());
        self.runs.merge(&mut o.runs, map);
        for (k, e) in std::mem::take(&mut o.edges).into_iter().enumerate() {
            let Some(&to) = map.get(k) else { continue };
            self.resize(to as usize + 1);
            if let Some(d) = self.edges.get_mut(to as usize) {
                if d.0.is_none() {
                    d.0 = e.0;
                }
                if let Some(b) = e.1
                    && d.1.is_none_or(|x| (x.t, x.h) < (b.t, b.h))
                {
                    d.1 = Some(b);
                }
            }
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        let sum = self.runs.finish(group, &(), "state_timeline")?;
        let (range, before) = self.edges.get(group).copied().unwrap_or((None, None));
        let tl = match (range, before, sum) {
            (Some((s, _)), Some(b), sum) => {
                let mut head = Tl::start(&Sp { t: s, h: b.h }, &());
                if let Some(x) = &sum {
                    if x.periods.first().is_some_and(|p| p.0 == s) {
                        head = x.clone();
                    } else {
                        head.append(x, &());
                    }
                }
                head
            }
            (_, _, Some(x)) => x,
            (_, _, None) => return Ok(Value::Null),
        };
        let end = range.map_or(tl.last, |r| r.1);
        let mut enc = Enc::new(MAGIC);
        enc.i64(tl.periods.len() as i64);
        for (k, &(start, h)) in tl.periods.iter().enumerate() {
            let stop = tl.periods.get(k + 1).map_or(end, |n| n.0);
            enc.i64(start).i64(stop);
            match self.names.get(&h) {
                Some(name) if h != 0 => enc.u8(1).bytes(name.as_bytes()),
                _ => enc.u8(0),
            };
        }
        Ok(enc.finish())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Decodes a timeline into rows.
fn periods(b: &[u8]) -> Result<Vec<(i64, i64, Option<String>)>> {
    let mut d = Dec::new(b, MAGIC, "state_periods")?;
    let n = d.count(17)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let (s, e) = (d.i64()?, d.i64()?);
        let state = match d.u8()? {
            0 => None,
            _ => Some(String::from_utf8_lossy(d.bytes()?).into_owned()),
        };
        out.push((s, e, state));
    }
    Ok(out)
}

/// Registers `state_timeline` and `state_periods`.
pub fn register(r: &mut Registry) {
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        for ranged in [false, true] {
            let mut args = vec![t.clone(), DataType::Text];
            if ranged {
                args.extend([t.clone(), t.clone()]);
            }
            r.register_aggregate(
                AggregateFunction::new(
                    "state_timeline",
                    Signature::exact(&args, DataType::Bytea),
                    move |_| {
                        Ok(Box::new(TimelineAcc {
                            range_args: ranged,
                            names: HashMap::new(),
                            runs: GroupRuns::default(),
                            edges: Vec::new(),
                        }))
                    },
                )
                .describe("periods of equal state of a state series (expand with state_periods)"),
            );
        }
    }
    r.register_table(TableFunction {
        name: "state_periods".into(),
        signature: Signature::exact(&[DataType::Bytea], DataType::Bytea),
        columns: Arc::new(|_| {
            Ok(vec![
                ("start_ts".into(), DataType::Timestamp),
                ("end_ts".into(), DataType::Timestamp),
                ("state".into(), DataType::Text),
                ("duration".into(), DataType::Interval),
            ])
        }),
        kernel: Arc::new(|_, vals, _| {
            let rows = match vals.first() {
                Some(Value::Bytes(b)) => periods(b)?,
                _ => Vec::new(),
            };
            let n = rows.len();
            let mut cols: [Vec<Value>; 4] = Default::default();
            for (s, e, st) in rows {
                cols[0].push(Value::Int(s));
                cols[1].push(Value::Int(e));
                cols[2].push(st.map_or(Value::Null, Value::str));
                // As PostgreSQL's timestamp − timestamp: whole days, then the rest.
                let d = e - s;
                cols[3].push(Value::Interval(Interval {
                    months: 0,
                    days: i32::try_from(d / DAY).map_err(|_| invalid("state_periods: period too long"))?,
                    micros: d % DAY,
                }));
            }
            let [a, b, c, d] = cols;
            let batch = Batch::new(
                vec![
                    Vector::from_values(DataType::Timestamp, a),
                    Vector::from_values(DataType::Timestamp, b),
                    Vector::from_values(DataType::Text, c),
                    Vector::from_values(DataType::Interval, d),
                ],
                n,
            );
            let out: Vec<Result<Batch>> = if n == 0 { Vec::new() } else { vec![Ok(batch)] };
            Ok(Box::new(out.into_iter()))
        }),
        description: "rows (start_ts, end_ts, state, duration) of a state_timeline".into(),
    });
}
