//! Liveness and data quality of a sampled series against an expected sampling interval
//! (TimescaleDB `heartbeat_agg`):
//!
//! ```sql
//! uptime(ts, expected interval [, range_start, range_end])       → interval
//! downtime(ts, expected interval [, range_start, range_end])     → interval
//! gap_count(ts, expected interval [, range_start, range_end])    → bigint
//! completeness(ts, expected interval [, range_start, range_end]) → float8
//! sampling_interval(ts [, range_start, range_end])               → interval
//! ```
//!
//! A sample keeps the series live for `expected` after it. The domain is `[s, e)` with a range
//! (a sample before `s` can keep the start live), else from the first to the last sample.
//! Uptime is the live part of the domain, downtime the rest; a gap is a maximal dead interval in
//! the domain; completeness = samples in the domain ÷ expected samples (domain ÷ `expected`;
//! without a range, the expected count includes both ends: duration ÷ expected + 1); the
//! sampling interval actually seen is (last − first) ÷ (samples − 1). NULL: no sample in the
//! domain (uptime/downtime/gaps/completeness with a range: 0, whole range, 1, 0), one sample for
//! `sampling_interval`. Errors 22023: `expected` ≤ 0.
use plantdb_query::error::Result;
use plantdb_query::functions::Registry;
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use super::ranged::{Def, Edges, const_interval_arg, register as reg};
use crate::common::cols::IntCol;
use crate::common::invalid;
use crate::common::runs::RunSummary;
use crate::kpi::iso22400::interval;

/// Summary of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Hb {
    first: i64,
    last: i64,
    n: i64,
    live: i64,
    gaps: i64,
}

impl RunSummary for Hb {
    type Point = i64;
    type Cfg = i64;
    fn time(p: &i64) -> i64 {
        *p
    }
    fn start(p: &i64, _: &i64) -> Hb {
        Hb {
            first: *p,
            last: *p,
            n: 1,
            live: 0,
            gaps: 0,
        }
    }
    fn push(&mut self, p: &i64, exp: &i64) {
        let d = p - self.last;
        self.live += d.min(*exp);
        if d > *exp {
            self.gaps += 1;
        }
        self.last = *p;
        self.n += 1;
    }
    fn append(&mut self, next: &Hb, exp: &i64) {
        self.push(&next.first, exp);
        self.live += next.live;
        self.gaps += next.gaps;
        self.n += next.n - 1;
        self.last = next.last;
    }
}

/// (uptime, domain, gaps, samples) of a group.
fn measure(e: &Edges<'_, Hb>, exp: i64) -> Option<(i64, i64, i64, i64)> {
    let Some((s, end)) = e.range else {
        let h = e.sum?;
        return Some((h.live, h.last - h.first, h.gaps, h.n));
    };
    // Live from the carried-in sample.
    let lead_end = e.before.map_or(s, |b| (b + exp).clamp(s, end));
    let Some(h) = e.sum else {
        let up = lead_end - s;
        return Some((up, end - s, i64::from(up < end - s), 0));
    };
    let lead = lead_end.min(h.first) - s;
    let lead_gap = i64::from(h.first > lead_end);
    let tail = (h.last + exp).min(end) - h.last;
    let tail_gap = i64::from(h.last + exp < end);
    Some((lead + h.live + tail, end - s, h.gaps + lead_gap + tail_gap, h.n))
}

fn expected(args: &[Vector]) -> Result<i64> {
    match const_interval_arg(args, 1) {
        Some(u) if u > 0 => Ok(u),
        _ => Err(invalid(
            "liveness: the expected sampling interval must be a positive interval",
        )),
    }
}

fn read(args: &[Vector], i: usize, _: &i64) -> Result<Option<i64>> {
    Ok(IntCol::new(&args[0]).get(i))
}

/// Registers the functions.
pub fn register(r: &mut Registry) {
    type F = fn(&Edges<'_, Hb>, &i64) -> Result<Value>;
    let defs: [(&'static str, DataType, &'static str, F); 4] = [
        (
            "uptime",
            DataType::Interval,
            "time a series was live (a sample keeps it live for the expected interval)",
            |e, x| Ok(measure(e, *x).map_or(Value::Null, |m| interval(m.0))),
        ),
        (
            "downtime",
            DataType::Interval,
            "time a series was not live",
            |e, x| Ok(measure(e, *x).map_or(Value::Null, |m| interval(m.1 - m.0))),
        ),
        (
            "gap_count",
            DataType::Int8,
            "number of gaps longer than the expected interval",
            |e, x| Ok(measure(e, *x).map_or(Value::Null, |m| Value::Int(m.2))),
        ),
        (
            "completeness",
            DataType::Float8,
            "samples received / samples expected",
            |e, x| {
                Ok(measure(e, *x).map_or(Value::Null, |m| {
                    let want = if e.range.is_some() {
                        m.1 as f64 / *x as f64
                    } else {
                        m.1 as f64 / *x as f64 + 1.0
                    };
                    if want > 0.0 {
                        Value::Float(m.3 as f64 / want)
                    } else {
                        Value::Null
                    }
                }))
            },
        ),
    ];
    for (name, ret, desc, finish) in defs {
        reg(
            r,
            &Def::<Hb> {
                name,
                args: vec![DataType::Interval],
                ret,
                desc,
                setup: expected,
                read,
                finish,
            },
        );
    }
    reg(
        r,
        &Def::<Hb> {
            name: "sampling_interval",
            args: vec![],
            ret: DataType::Interval,
            desc: "mean interval between samples actually seen",
            setup: |_| Ok(1),
            read,
            finish: |e, _| {
                Ok(match e.sum {
                    Some(h) if h.n >= 2 => {
                        interval(((h.last - h.first) as f64 / (h.n - 1) as f64).round() as i64)
                    }
                    _ => Value::Null,
                })
            },
        },
    );
}
