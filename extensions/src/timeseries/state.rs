//! State analysis over a state series (TimescaleDB `state_agg`, IoTDB `STATE_WINDOW`):
//!
//! ```sql
//! time_in_state(ts, state, target [, range_start, range_end]) → interval
//! state_transitions(ts, state [, range_start, range_end])     → bigint
//! ```
//!
//! A state holds from its sample to the next sample. Without a range the last sample ends the
//! series; with a range `[s, e)` the latest sample before `s` is carried in to `s` and the last
//! state holds until `e`. A NULL state is a state of its own ("unknown"), comparisons are exact
//! (case-sensitive). A transition is a sample whose state differs from the previous sample's
//! (a carried-in state counts as previous). Empty input: `time_in_state` 0, `state_transitions` 0.
//! State periods as rows are a window query:
//! `SELECT ts AS start, lead(ts) OVER w AS end, state FROM (SELECT ts, state, lag(state) OVER w
//! AS prev …) WHERE prev IS DISTINCT FROM state` (see docs/functions.md).
use plantdb_query::error::Result;
use plantdb_query::functions::Registry;
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use super::ranged::{Def, Edges, const_text_arg, register as reg};
use crate::common::cols::{IntCol, TextCol};
use crate::common::runs::RunSummary;
use crate::kpi::iso22400::interval;

/// A state sample: time, hash of the state (0: NULL), whether it is the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sp {
    t: i64,
    h: u64,
    hit: bool,
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

/// Summary of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct St {
    first: Sp,
    last: Sp,
    time: i64,
    changes: i64,
}

impl RunSummary for St {
    type Point = Sp;
    type Cfg = Option<Vec<u8>>;
    fn time(p: &Sp) -> i64 {
        p.t
    }
    fn tiebreak(p: &Sp) -> u64 {
        p.h
    }
    fn start(p: &Sp, _: &Self::Cfg) -> St {
        St {
            first: *p,
            last: *p,
            time: 0,
            changes: 0,
        }
    }
    fn push(&mut self, p: &Sp, _: &Self::Cfg) {
        if self.last.hit {
            self.time += p.t - self.last.t;
        }
        if p.h != self.last.h {
            self.changes += 1;
        }
        self.last = *p;
    }
    fn append(&mut self, next: &St, cfg: &Self::Cfg) {
        self.push(&next.first, cfg);
        self.time += next.time;
        self.changes += next.changes;
        self.last = next.last;
    }
}

fn read(args: &[Vector], i: usize, target: &Option<Vec<u8>>) -> Result<Option<Sp>> {
    let Some(t) = IntCol::new(&args[0]).get(i) else {
        return Ok(None);
    };
    let s = TextCol::new(&args[1]).get(i);
    Ok(Some(Sp {
        t,
        h: s.map_or(0, hash),
        hit: matches!((s, target), (Some(a), Some(b)) if a == &b[..]),
    }))
}

fn whole(e: &Edges<'_, St>, cfg: &Option<Vec<u8>>) -> Option<St> {
    let (s, end) = match e.range {
        Some(r) => r,
        None => return e.sum.cloned(),
    };
    let mut out = match (e.before, e.sum) {
        (Some(b), sum) => {
            let mut h = St::start(&Sp { t: s, ..b }, cfg);
            if let Some(x) = sum {
                h.append(x, cfg);
            }
            h
        }
        (None, Some(x)) => x.clone(),
        (None, None) => return None,
    };
    if out.last.hit {
        out.time += end - out.last.t;
    }
    Some(out)
}

/// Registers the functions.
pub fn register(r: &mut Registry) {
    reg(
        r,
        &Def::<St> {
            name: "time_in_state",
            args: vec![DataType::Text, DataType::Text],
            ret: DataType::Interval,
            desc: "time a state series spent in the given state",
            setup: |a| Ok(const_text_arg(a, 2, "the target state")?.map(String::into_bytes)),
            read,
            finish: |e, cfg| Ok(interval(whole(e, cfg).map_or(0, |s| s.time))),
        },
    );
    reg(
        r,
        &Def::<St> {
            name: "state_transitions",
            args: vec![DataType::Text],
            ret: DataType::Int8,
            desc: "number of state changes in a state series",
            setup: |_| Ok(None),
            read,
            finish: |e, cfg| Ok(Value::Int(whole(e, cfg).map_or(0, |s| s.changes))),
        },
    );
}
