//! Counters that survive resets (Prometheus / TimescaleDB `counter_agg` semantics):
//!
//! ```sql
//! counter_increase(ts, value [, range_start, range_end]) → float8   -- reset-aware Σ increases
//! counter_delta(ts, value [, range_start, range_end])    → float8   -- last − first, raw
//! counter_rate(ts, value [, range_start, range_end])     → float8   -- increase per second
//! counter_resets(ts, value [, range_start, range_end])   → bigint   -- number of decreases
//! ```
//!
//! A decrease is a reset to zero: the new value itself is the increase since the reset (a
//! meter replaced or a PLC counter cleared). With a range, the latest sample before the range is
//! the baseline (the counter's value at the range start, carried forward), so consecutive
//! buckets add up to the increase over their union; samples at or after the end are ignored.
//! The rate divides by the time from the baseline (or first sample) to the last sample. NULL:
//! fewer than two samples (rate: or zero elapsed time); `counter_resets` gives 0 then.
use plantdb_query::error::Result;
use plantdb_query::functions::Registry;
use plantdb_query::types::{DataType, Value};

use super::ranged::{Def, Edges, no_setup, register as reg};
use super::time_weight::Tv;
use crate::common::cols::{FloatCol, IntCol};
use crate::common::runs::RunSummary;

/// Summary of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Ctr {
    first: Tv,
    last: Tv,
    inc: f64,
    resets: i64,
    n: i64,
}

impl RunSummary for Ctr {
    type Point = Tv;
    type Cfg = ();
    fn time(p: &Tv) -> i64 {
        p.t
    }
    fn tiebreak(p: &Tv) -> u64 {
        p.v.to_bits()
    }
    fn start(p: &Tv, _: &()) -> Ctr {
        Ctr {
            first: *p,
            last: *p,
            inc: 0.0,
            resets: 0,
            n: 1,
        }
    }
    fn push(&mut self, p: &Tv, _: &()) {
        if p.v >= self.last.v {
            self.inc += p.v - self.last.v;
        } else {
            self.resets += 1;
            self.inc += p.v.max(0.0);
        }
        self.last = *p;
        self.n += 1;
    }
    fn append(&mut self, next: &Ctr, cfg: &()) {
        self.push(&next.first, cfg);
        self.inc += next.inc;
        self.resets += next.resets;
        self.n += next.n - 1;
        self.last = next.last;
    }
}

fn read(args: &[plantdb_query::vector::Vector], i: usize, _: &()) -> Result<Option<Tv>> {
    let (Some(t), Some(v)) = (IntCol::new(&args[0]).get(i), FloatCol::new(&args[1]).get(i)) else {
        return Ok(None);
    };
    Ok(v.is_finite().then_some(Tv { t, v }))
}

/// The summary with the baseline prepended.
fn whole(e: &Edges<'_, Ctr>) -> Option<Ctr> {
    let sum = e.sum?;
    Some(match e.before {
        Some(b) => {
            let mut s = Ctr::start(&b, &());
            s.append(sum, &());
            s
        }
        None => sum.clone(),
    })
}

fn two<T>(e: &Edges<'_, Ctr>, f: impl Fn(&Ctr) -> T) -> Option<T> {
    whole(e).filter(|s| s.n >= 2).map(|s| f(&s))
}

/// Registers the functions.
pub fn register(r: &mut Registry) {
    type F = fn(&Edges<'_, Ctr>, &()) -> Result<Value>;
    let defs: [(&'static str, DataType, &'static str, F); 4] = [
        (
            "counter_increase",
            DataType::Float8,
            "increase of a counter, resets counted as restarts from zero",
            |e, _| Ok(two(e, |s| s.inc).map_or(Value::Null, Value::Float)),
        ),
        (
            "counter_delta",
            DataType::Float8,
            "last minus first value of a counter (no reset handling)",
            |e, _| Ok(two(e, |s| s.last.v - s.first.v).map_or(Value::Null, Value::Float)),
        ),
        (
            "counter_rate",
            DataType::Float8,
            "reset-aware increase of a counter per second",
            |e, _| {
                Ok(two(e, |s| (s.inc, s.last.t - s.first.t))
                    .filter(|(_, d)| *d > 0)
                    .map_or(Value::Null, |(i, d)| Value::Float(i / (d as f64 / 1e6))))
            },
        ),
        (
            "counter_resets",
            DataType::Int8,
            "number of counter resets (decreases)",
            |e, _| Ok(Value::Int(whole(e).map_or(0, |s| s.resets))),
        ),
    ];
    for (name, ret, desc, finish) in defs {
        reg(
            r,
            &Def::<Ctr> {
                name,
                args: vec![DataType::Float8],
                ret,
                desc,
                setup: no_setup,
                read,
                finish,
            },
        );
    }
}
