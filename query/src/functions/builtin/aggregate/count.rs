//! `count(*)` and `count(value)`.
use std::any::Any;

use super::{each_valid, needed, other, reg};
use crate::error::Result;
use crate::functions::{Accumulator, ArgType, BlockStats, Registry, ReturnType, Signature};
use crate::types::{DataType, Value};
use crate::vector::Vector;

struct Count {
    star: bool,
    n: Vec<i64>,
}

impl Count {
    fn add(&mut self, groups: &[u32], args: &[Vector], sign: i64) {
        let need = needed(groups);
        if self.n.len() < need {
            self.n.resize(need, 0);
        }
        match (self.star, args.first()) {
            (false, Some(a)) => each_valid(groups, &[a], |g, _| self.n[g] += sign),
            _ => {
                for &g in groups {
                    self.n[g as usize] += sign;
                }
            }
        }
    }
}

impl Accumulator for Count {
    fn resize(&mut self, groups: usize) {
        if self.n.len() < groups {
            self.n.resize(groups, 0);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.add(groups, args, 1);
        Ok(())
    }

    fn update_runs(&mut self, runs: &[(u32, u32)], groups: &[u32], args: &[Vector]) -> Result<()> {
        // Without NULLs every row of a run counts.
        if !self.star && !args.first().is_none_or(Vector::no_nulls) {
            return self.update(groups, args);
        }
        self.resize(needed(groups));
        let mut start = 0;
        for &(g, end) in runs {
            if let Some(n) = self.n.get_mut(g as usize) {
                *n += i64::from(end.saturating_sub(start));
            }
            start = end;
        }
        Ok(())
    }

    fn update_from_stats(&mut self, group: u32, rows: u64, stats: &[BlockStats]) -> Result<bool> {
        self.resize(group as usize + 1);
        let n = if self.star {
            rows
        } else {
            match stats.first() {
                Some(s) => s.count - s.null_count,
                None => return Ok(false),
            }
        };
        self.n[group as usize] += n as i64;
        Ok(true)
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.add(groups, args, -1);
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<Count>(o)?;
        for (g, &n) in o.n.iter().enumerate() {
            if let Some(&to) = map.get(g) {
                self.resize(to as usize + 1);
                self.n[to as usize] += n;
            }
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        Ok(Value::Int(self.n.get(group).copied().unwrap_or(0)))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers `count`.
pub(crate) fn register(r: &mut Registry) {
    reg(r, "count", Signature::exact(&[], DataType::Int8), |_| {
        Ok(Box::new(Count {
            star: true,
            n: Vec::new(),
        }))
    });
    reg(
        r,
        "count",
        Signature::new(vec![ArgType::Any], ReturnType::Exact(DataType::Int8)),
        |_| {
            Ok(Box::new(Count {
                star: false,
                n: Vec::new(),
            }))
        },
    );
}
