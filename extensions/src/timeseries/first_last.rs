//! `first(value, time)` and `last(value, time)`: the value at the earliest / latest time of the
//! group (TimescaleDB semantics: rows with a NULL time are ignored, a NULL value can be the
//! answer). Mergeable: partial states combine by comparing their times.
use std::any::Any;

use plantdb_query::error::Result;
use plantdb_query::functions::{Accumulator, AggregateFunction, ArgType, BlockStats, ReturnType, Signature};
use plantdb_query::types::Value;
use plantdb_query::vector::Vector;

struct FirstLast {
    last: bool,
    states: Vec<Option<(Value, Value)>>, // (time, value)
}

impl FirstLast {
    fn offer(&mut self, g: usize, t: Value, v: Value) {
        let Some(slot) = self.states.get_mut(g) else {
            return;
        };
        let better = match slot {
            None => true,
            Some((ct, _)) => {
                let o = t.total_cmp(ct);
                if self.last { o.is_gt() } else { o.is_lt() }
            }
        };
        if better {
            *slot = Some((t, v));
        }
    }
}

impl Accumulator for FirstLast {
    fn resize(&mut self, groups: usize) {
        if self.states.len() < groups {
            self.states.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        let (vals, times) = (&args[0], &args[1]);
        for (i, &g) in groups.iter().enumerate() {
            if times.is_null(i) {
                continue;
            }
            self.offer(g as usize, times.value(i), vals.value(i));
        }
        Ok(())
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        // Only when the time argument is the table's time column (the caller passes the value
        // column's stats first): the block's first/last row are its min/max time.
        let [v] = stats else { return Ok(false) };
        let (t, val) = if self.last {
            (v.max_ts, &v.last)
        } else {
            (v.min_ts, &v.first)
        };
        let value = match val {
            plantdb_storage::Scalar::Float64(f) => Value::Float(*f),
            plantdb_storage::Scalar::Int64(x) => Value::Int(*x),
            plantdb_storage::Scalar::Bool(b) => Value::Bool(*b),
            plantdb_storage::Scalar::Null => Value::Null,
            plantdb_storage::Scalar::Bytes(_) => return Ok(false),
        };
        self.resize(group as usize + 1);
        self.offer(group as usize, Value::Int(t), value);
        Ok(true)
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let Some(o) = other.as_any_mut().downcast_mut::<FirstLast>() else {
            return Err(plantdb_query::error::internal("merging different accumulators"));
        };
        for (g, st) in o.states.drain(..).enumerate() {
            if let (Some((t, v)), Some(&to)) = (st, map.get(g)) {
                self.resize(to as usize + 1);
                self.offer(to as usize, t, v);
            }
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        Ok(self
            .states
            .get(group)
            .cloned()
            .flatten()
            .map_or(Value::Null, |(_, v)| v))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers `first` and `last`.
pub fn register(r: &mut plantdb_query::functions::Registry) {
    for (name, last) in [("first", false), ("last", true)] {
        let sig = Signature::new(vec![ArgType::AnyElement, ArgType::Any], ReturnType::Element);
        r.register_aggregate(
            AggregateFunction::new(name, sig, move |_| {
                Ok(Box::new(FirstLast {
                    last,
                    states: Vec::new(),
                }))
            })
            .describe(if last {
                "value at the latest time"
            } else {
                "value at the earliest time"
            }),
        );
    }
}
