//! Time-weighted average and integral (TimescaleDB toolkit `time_weight`; kW → kWh):
//!
//! ```sql
//! time_weighted_average(ts, value, method [, range_start, range_end]) → float8
//! time_weighted_integral(ts, value, method, unit [, range_start, range_end]) → float8
//! ```
//!
//! `method` is `'locf'` (a value holds until the next sample: step) or `'linear'` (straight
//! lines between samples: trapezoids). The integral is Σ value × time in `unit`s (e.g.
//! `interval '1 hour'`: kW → kWh). Without a range, the domain runs from the first to the last
//! sample. With a range `[s, e)` the result is exact at the edges: the latest sample before `s`
//! gives the value at `s` (LOCF: its value; linear: interpolated towards the first sample at or
//! after `s`), and at `e` LOCF holds the last value while linear interpolates towards the first
//! sample at or after `e`; a side without such a sample is not extrapolated (the domain starts at
//! the first sample, resp. linear ends at the last one). NULL: no sample in the domain, or a
//! zero-length domain for the average (one sample without a range gives that sample's value).
//! Errors 22023: an unknown method, a unit ≤ 0, range end ≤ start.
use plantdb_query::error::Result;
use plantdb_query::functions::Registry;
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use super::ranged::{Def, Edges, const_interval_arg, const_text_arg, register as reg};
use crate::common::cols::{FloatCol, IntCol};
use crate::common::invalid;
use crate::common::runs::RunSummary;

/// A sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tv {
    /// Time (µs).
    pub t: i64,
    /// Value.
    pub v: f64,
}

/// Summary of a run: its ends and both areas (value·µs).
#[derive(Debug, Clone, PartialEq)]
pub struct Tw {
    first: Tv,
    last: Tv,
    locf: f64,
    linear: f64,
}

fn areas(a: Tv, b: Tv) -> (f64, f64) {
    let dt = (b.t - a.t) as f64;
    (a.v * dt, (a.v + b.v) / 2.0 * dt)
}

/// Configuration.
#[derive(Debug, Clone, Copy)]
pub struct Cfg {
    linear: bool,
    unit: f64,
}

impl RunSummary for Tw {
    type Point = Tv;
    type Cfg = Cfg;
    fn time(p: &Tv) -> i64 {
        p.t
    }
    fn tiebreak(p: &Tv) -> u64 {
        p.v.to_bits()
    }
    fn start(p: &Tv, _: &Cfg) -> Tw {
        Tw {
            first: *p,
            last: *p,
            locf: 0.0,
            linear: 0.0,
        }
    }
    fn push(&mut self, p: &Tv, _: &Cfg) {
        let (l, r) = areas(self.last, *p);
        self.locf += l;
        self.linear += r;
        self.last = *p;
    }
    fn append(&mut self, next: &Tw, cfg: &Cfg) {
        self.push(&next.first, cfg);
        self.locf += next.locf;
        self.linear += next.linear;
        self.last = next.last;
    }
}

/// Reads (ts, value).
pub fn read_tv(args: &[Vector], i: usize, _: &Cfg) -> Result<Option<Tv>> {
    let (Some(t), Some(v)) = (IntCol::new(&args[0]).get(i), FloatCol::new(&args[1]).get(i)) else {
        return Ok(None);
    };
    Ok(v.is_finite().then_some(Tv { t, v }))
}

fn interp(a: Tv, b: Tv, t: i64) -> Tv {
    if b.t == a.t {
        return Tv { t, v: b.v };
    }
    let f = (t - a.t) as f64 / (b.t - a.t) as f64;
    Tv {
        t,
        v: a.v + (b.v - a.v) * f,
    }
}

/// (area, domain length in µs) of a group, None without samples in the domain.
pub fn area(e: &Edges<'_, Tw>, linear: bool) -> Option<(f64, i64)> {
    let pick = |(l, r): (f64, f64)| if linear { r } else { l };
    let Some((s, end)) = e.range else {
        let sum = e.sum?;
        return Some((
            if linear { sum.linear } else { sum.locf },
            sum.last.t - sum.first.t,
        ));
    };
    match e.sum {
        Some(sum) => {
            let mut total = if linear { sum.linear } else { sum.locf };
            let mut from = sum.first.t;
            if let Some(b) = e.before {
                let at_s = if linear {
                    interp(b, sum.first, s)
                } else {
                    Tv { t: s, v: b.v }
                };
                total += pick(areas(at_s, sum.first));
                from = s;
            }
            let mut to = sum.last.t;
            if !linear {
                total += sum.last.v * (end - sum.last.t) as f64;
                to = end;
            } else if let Some(a) = e.after {
                total += pick(areas(sum.last, interp(sum.last, a, end)));
                to = end;
            }
            Some((total, to - from))
        }
        None => {
            let b = e.before?;
            if linear {
                let a = e.after?;
                let (vs, ve) = (interp(b, a, s), interp(b, a, end));
                Some((pick(areas(vs, ve)), end - s))
            } else {
                Some((b.v * (end - s) as f64, end - s))
            }
        }
    }
}

fn setup(args: &[Vector], unit_arg: Option<usize>) -> Result<Cfg> {
    let m = const_text_arg(args, 2, "the method")?.unwrap_or_else(|| "locf".into());
    let linear = match m.to_ascii_lowercase().as_str() {
        "locf" => false,
        "linear" => true,
        _ => {
            return Err(invalid(format!(
                "time_weighted: method must be 'locf' or 'linear', not \"{m}\""
            )));
        }
    };
    let unit = match unit_arg {
        Some(i) => match const_interval_arg(args, i) {
            Some(u) if u > 0 => u as f64,
            _ => {
                return Err(invalid(
                    "time_weighted_integral: the unit must be a positive interval",
                ));
            }
        },
        None => 1.0,
    };
    Ok(Cfg { linear, unit })
}

fn avg(e: &Edges<'_, Tw>, cfg: &Cfg) -> Result<Value> {
    Ok(match area(e, cfg.linear) {
        Some((a, d)) if d > 0 => Value::Float(a / d as f64),
        Some(_) if e.range.is_none() => e.sum.map_or(Value::Null, |s| Value::Float(s.last.v)),
        _ => Value::Null,
    })
}

fn integral(e: &Edges<'_, Tw>, cfg: &Cfg) -> Result<Value> {
    Ok(area(e, cfg.linear).map_or(Value::Null, |(a, _)| Value::Float(a / cfg.unit)))
}

/// Registers the functions.
pub fn register(r: &mut Registry) {
    reg(
        r,
        &Def::<Tw> {
            name: "time_weighted_average",
            args: vec![DataType::Float8, DataType::Text],
            ret: DataType::Float8,
            desc: "time-weighted average (locf or linear), exact at range edges",
            setup: |a| setup(a, None),
            read: read_tv,
            finish: avg,
        },
    );
    reg(
        r,
        &Def::<Tw> {
            name: "time_weighted_integral",
            args: vec![DataType::Float8, DataType::Text, DataType::Interval],
            ret: DataType::Float8,
            desc: "time integral of a value (locf or linear) in units of the given interval, exact at range edges",
            setup: |a| setup(a, Some(3)),
            read: read_tv,
            finish: integral,
        },
    );
}
