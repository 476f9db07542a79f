//! `bool_and`, `bool_or` and `every`, kept as counts of true and false inputs so that rows can
//! be retracted and block statistics (count of trues) used.
use std::any::Any;

use super::{each_valid, needed, other, reg};
use crate::error::Result;
use crate::functions::builtin::kernels::{Phys, t};
use crate::functions::{Accumulator, BlockStats, Registry, Signature};
use crate::types::Value;
use crate::vector::Vector;
use plantdb_storage::StatSum;

struct BoolAgg {
    and: bool,
    /// (trues, falses)
    c: Vec<(i64, i64)>,
}

impl BoolAgg {
    fn add(&mut self, groups: &[u32], a: &Vector, sign: i64) {
        self.resize(needed(groups));
        let src = <bool as Phys>::src(a);
        let c = &mut self.c;
        each_valid(groups, &[a], |g, i| {
            if src.get(i) {
                c[g].0 += sign;
            } else {
                c[g].1 += sign;
            }
        });
    }
}

impl Accumulator for BoolAgg {
    fn resize(&mut self, groups: usize) {
        if self.c.len() < groups {
            self.c.resize(groups, (0, 0));
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.add(groups, &args[0], 1);
        Ok(())
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        let Some(s) = stats.first() else { return Ok(false) };
        let nonnull = (s.count - s.null_count) as i64;
        if nonnull == 0 {
            return Ok(true);
        }
        let Some(StatSum::Int(trues)) = s.sum else {
            return Ok(false);
        };
        self.resize(group as usize + 1);
        let trues = trues as i64;
        self.c[group as usize].0 += trues;
        self.c[group as usize].1 += nonnull - trues;
        Ok(true)
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.add(groups, &args[0], -1);
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<BoolAgg>(o)?;
        for (g, &(tr, fa)) in o.c.iter().enumerate() {
            if let Some(&to) = map.get(g) {
                self.resize(to as usize + 1);
                self.c[to as usize].0 += tr;
                self.c[to as usize].1 += fa;
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let (tr, fa) = self.c.get(g).copied().unwrap_or((0, 0));
        if tr + fa == 0 {
            return Ok(Value::Null);
        }
        Ok(Value::Bool(if self.and { fa == 0 } else { tr > 0 }))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers the boolean aggregates.
pub(crate) fn register(r: &mut Registry) {
    for (name, and) in [("bool_and", true), ("every", true), ("bool_or", false)] {
        reg(r, name, Signature::exact(&[t::BOOL], t::BOOL), move |_| {
            Ok(Box::new(BoolAgg { and, c: Vec::new() }))
        });
    }
}
