//! `min` and `max` for every ordered type: integers and everything integer-coded (block
//! statistics used directly), doubles in PostgreSQL's order (NaN largest), text bytewise, and
//! other values by their total order.
use std::any::Any;
use std::cmp::Ordering;

use super::{floats_each, fold_runs, ints_each, needed, other, reg, values_each};
use crate::error::Result;
use crate::functions::builtin::kernels::{cmp_f64, t};
use crate::functions::{Accumulator, ArgType, BlockStats, Registry, ReturnType, Signature};
use crate::types::{DataType, Value};
use crate::vector::{Vector, VectorData};
use plantdb_storage::Scalar;

struct IntMinMax {
    max: bool,
    v: Vec<Option<i64>>,
}

impl IntMinMax {
    #[inline]
    fn offer(slot: &mut Option<i64>, x: i64, max: bool) {
        match slot {
            Some(c) if (max && x <= *c) || (!max && x >= *c) => {}
            _ => *slot = Some(x),
        }
    }
}

impl Accumulator for IntMinMax {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let (v, max) = (&mut self.v, self.max);
        ints_each(groups, &args[0], |g, x| Self::offer(&mut v[g], x, max));
        Ok(())
    }

    fn update_runs(&mut self, runs: &[(u32, u32)], groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let (v, max) = (&mut self.v, self.max);
        let folded = fold_runs(runs, &args[0], Vector::as_ints, |g, run| {
            if let (Some(m), Some(slot)) = (extreme(run, max), v.get_mut(g)) {
                Self::offer(slot, m, max);
            }
        });
        if folded { Ok(()) } else { self.update(groups, args) }
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        let Some(s) = stats.first() else { return Ok(false) };
        if s.count == s.null_count {
            return Ok(true);
        }
        let x = match if self.max { &s.max } else { &s.min } {
            Scalar::Int64(x) => *x,
            _ => return Ok(false),
        };
        self.resize(group as usize + 1);
        Self::offer(&mut self.v[group as usize], x, self.max);
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<IntMinMax>(o)?;
        for (g, x) in o.v.iter().enumerate() {
            if let (Some(x), Some(&to)) = (x, map.get(g)) {
                self.resize(to as usize + 1);
                Self::offer(&mut self.v[to as usize], *x, self.max);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        Ok(self.v.get(g).copied().flatten().map_or(Value::Null, Value::Int))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The largest (or smallest) of `xs`, over four independent lanes so that the comparisons do
/// not wait on each other.
fn extreme(xs: &[i64], max: bool) -> Option<i64> {
    let first = *xs.first()?;
    let pick = |a: i64, b: i64| if (b > a) == max { b } else { a };
    let mut lanes = [first; 4];
    let mut chunks = xs.chunks_exact(4);
    for c in &mut chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l = pick(*l, x);
        }
    }
    let tail = chunks.remainder().iter().fold(first, |a, &x| pick(a, x));
    Some(lanes.into_iter().fold(tail, pick))
}

struct FloatMinMax {
    max: bool,
    v: Vec<Option<f64>>,
}

impl FloatMinMax {
    #[inline]
    fn offer(slot: &mut Option<f64>, x: f64, max: bool) {
        let better = match slot {
            None => true,
            Some(c) => {
                let o = cmp_f64(x, *c);
                if max {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            *slot = Some(x);
        }
    }
}

impl Accumulator for FloatMinMax {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let (v, max) = (&mut self.v, self.max);
        floats_each(groups, &args[0], |g, x| Self::offer(&mut v[g], x, max));
        Ok(())
    }

    fn update_runs(&mut self, runs: &[(u32, u32)], groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let (v, max) = (&mut self.v, self.max);
        let folded = fold_runs(runs, &args[0], Vector::as_floats, |g, run| {
            if let Some(slot) = v.get_mut(g) {
                let mut best = *slot;
                run.iter().for_each(|&x| Self::offer(&mut best, x, max));
                *slot = best;
            }
        });
        if folded { Ok(()) } else { self.update(groups, args) }
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        let Some(s) = stats.first() else { return Ok(false) };
        if s.count == s.null_count {
            return Ok(true);
        }
        let x = match if self.max { &s.max } else { &s.min } {
            Scalar::Float64(x) => *x,
            _ => return Ok(false),
        };
        self.resize(group as usize + 1);
        Self::offer(&mut self.v[group as usize], x, self.max);
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<FloatMinMax>(o)?;
        for (g, x) in o.v.iter().enumerate() {
            if let (Some(x), Some(&to)) = (x, map.get(g)) {
                self.resize(to as usize + 1);
                Self::offer(&mut self.v[to as usize], *x, self.max);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        Ok(self.v.get(g).copied().flatten().map_or(Value::Null, Value::Float))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

struct TextMinMax {
    max: bool,
    ty: DataType,
    v: Vec<Option<Box<[u8]>>>,
}

impl TextMinMax {
    fn offer(slot: &mut Option<Box<[u8]>>, x: &[u8], max: bool) {
        let better = match slot {
            None => true,
            Some(c) => {
                let o = x.cmp(c);
                if max {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            *slot = Some(x.into());
        }
    }
}

impl Accumulator for TextMinMax {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let a = &args[0];
        let max = self.max;
        if let VectorData::Text(d) = &a.data {
            // Best dictionary code per group first, then one byte comparison per group.
            let mut best: Vec<Option<u32>> = vec![None; self.v.len()];
            super::each_valid(groups, &[a], |g, i| {
                let c = d.codes[i];
                let better = match best[g] {
                    None => true,
                    Some(b) if b == c => false,
                    Some(b) => {
                        let o = d.dict[c as usize].cmp(&d.dict[b as usize]);
                        if max {
                            o == Ordering::Greater
                        } else {
                            o == Ordering::Less
                        }
                    }
                };
                if better {
                    best[g] = Some(c);
                }
            });
            for (g, b) in best.into_iter().enumerate() {
                if let Some(c) = b {
                    Self::offer(&mut self.v[g], &d.dict[c as usize], max);
                }
            }
            return Ok(());
        }
        let v = &mut self.v;
        super::each_valid(groups, &[a], |g, i| Self::offer(&mut v[g], a.bytes_at(i), max));
        Ok(())
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<TextMinMax>(o)?;
        for (g, x) in o.v.iter().enumerate() {
            if let (Some(x), Some(&to)) = (x, map.get(g)) {
                self.resize(to as usize + 1);
                Self::offer(&mut self.v[to as usize], x, self.max);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        Ok(match self.v.get(g).cloned().flatten() {
            None => Value::Null,
            Some(b) => crate::functions::builtin::kernels::bytes_value(b.into_vec(), &self.ty),
        })
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

struct ValueMinMax {
    max: bool,
    v: Vec<Option<Value>>,
}

impl ValueMinMax {
    fn offer(slot: &mut Option<Value>, x: Value, max: bool) {
        let better = match slot {
            None => true,
            Some(c) => {
                let o = x.total_cmp(c);
                if max {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            *slot = Some(x);
        }
    }
}

impl Accumulator for ValueMinMax {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let (v, max) = (&mut self.v, self.max);
        values_each(groups, &args[0], |g, x| Self::offer(&mut v[g], x, max));
        Ok(())
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<ValueMinMax>(o)?;
        for (g, x) in o.v.drain(..).enumerate() {
            if let (Some(x), Some(&to)) = (x, map.get(g)) {
                self.resize(to as usize + 1);
                Self::offer(&mut self.v[to as usize], x, self.max);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        Ok(self.v.get(g).cloned().flatten().unwrap_or(Value::Null))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn create(ty: &DataType, max: bool) -> Box<dyn Accumulator> {
    use crate::types::Physical;
    match ty.physical() {
        Physical::Int => Box::new(IntMinMax { max, v: Vec::new() }),
        Physical::Float => Box::new(FloatMinMax { max, v: Vec::new() }),
        Physical::Text => Box::new(TextMinMax {
            max,
            ty: ty.clone(),
            v: Vec::new(),
        }),
        _ => Box::new(ValueMinMax { max, v: Vec::new() }),
    }
}

/// Registers `min` and `max`.
pub(crate) fn register(r: &mut Registry) {
    let types = [
        t::I2,
        t::I4,
        t::I8,
        t::F4,
        t::F8,
        t::NUM,
        t::TEXT,
        DataType::Bpchar(None),
        t::DATE,
        t::TIME,
        t::TS,
        t::TSTZ,
        t::IV,
        t::OID,
    ];
    for (name, max) in [("min", false), ("max", true)] {
        for ty in &types {
            let tt = ty.clone();
            reg(
                r,
                name,
                Signature::exact(std::slice::from_ref(ty), ty.clone()),
                move |_| Ok(create(&tt, max)),
            );
        }
        reg(
            r,
            name,
            Signature::new(vec![ArgType::AnyArray], ReturnType::SameAs(0)),
            move |spec| Ok(create(spec.arg_types.first().unwrap_or(&DataType::Text), max)),
        );
    }
}
