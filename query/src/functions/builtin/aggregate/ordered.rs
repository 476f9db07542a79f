//! Ordered-set aggregates: `percentile_cont(fraction)` over doubles and intervals (linear
//! interpolation), `percentile_disc(fraction)` over any ordered type, and `mode()`. The
//! fraction is the direct argument; the aggregated argument is the ordering column.
use std::any::Any;
use std::cmp::Ordering;

use super::{needed, other, values_each};
use crate::error::{Result, sqlstate};
use crate::functions::builtin::kernels::{qerr, t};
use crate::functions::builtin::timeutil::{iv_add, iv_mul, iv_sub};
use crate::functions::{Accumulator, AggregateFunction, ArgType, Registry, ReturnType, Signature};
use crate::types::{DataType, Interval, Value};
use crate::vector::Vector;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cont,
    Disc,
    Mode,
}

struct OrderedSet {
    kind: Kind,
    fraction: Value,
    /// Element type of the result (the aggregated argument's, for arrays of percentiles).
    elem: DataType,
    v: Vec<Vec<Value>>,
}

fn check_fraction(p: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(qerr(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            format!(
                "percentile value {} is not between 0 and 1",
                crate::types::text::format_g(p, 6)
            ),
        ));
    }
    Ok(())
}

fn lerp(lo: &Value, hi: &Value, pct: f64) -> Result<Value> {
    Ok(match (lo, hi) {
        (Value::Float(a), Value::Float(b)) => Value::Float(a + (b - a) * pct),
        (Value::Interval(a), Value::Interval(b)) => {
            let diff: Interval = iv_sub(b, a)?;
            Value::Interval(iv_add(&iv_mul(&diff, pct)?, a)?)
        }
        _ => lo.clone(),
    })
}

impl Accumulator for OrderedSet {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, Vec::new());
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let v = &mut self.v;
        values_each(groups, &args[0], |g, x| v[g].push(x));
        Ok(())
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<OrderedSet>(o)?;
        for (g, x) in o.v.drain(..).enumerate() {
            if let Some(&to) = map.get(g) {
                self.resize(to as usize + 1);
                self.v[to as usize].extend(x);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        // An array of fractions gives the array of their percentiles (NULL when no rows).
        if let Value::Array(a) = &self.fraction {
            if self.v.get(g).is_none_or(Vec::is_empty) {
                return Ok(Value::Null);
            }
            let mut items = Vec::with_capacity(a.items.len());
            for f in &a.items {
                items.push(self.percentile(g, f)?);
            }
            return Ok(Value::Array(std::sync::Arc::new(
                crate::types::value::ArrayValue {
                    elem: self.elem.clone(),
                    lower: a.lower,
                    items,
                },
            )));
        }
        self.percentile(g, &self.fraction)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl OrderedSet {
    fn percentile(&self, g: usize, fraction: &Value) -> Result<Value> {
        let p = match (self.kind, fraction) {
            (Kind::Mode, _) => 0.0,
            (_, Value::Null) => return Ok(Value::Null),
            (_, f) => {
                let p = f.as_f64().unwrap_or(f64::NAN);
                check_fraction(p)?;
                p
            }
        };
        let Some(vals) = self.v.get(g).filter(|v| !v.is_empty()) else {
            return Ok(Value::Null);
        };
        let mut sorted = vals.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let n = sorted.len();
        Ok(match self.kind {
            Kind::Disc => {
                let row = (p * n as f64).ceil() as usize;
                sorted[row.max(1) - 1].clone()
            }
            Kind::Cont => {
                let pos = p * (n - 1) as f64;
                let (first, second) = (pos.floor() as usize, pos.ceil() as usize);
                if first == second {
                    sorted[first].clone()
                } else {
                    lerp(&sorted[first], &sorted[second], pos - first as f64)?
                }
            }
            Kind::Mode => {
                let (mut best, mut best_n) = (0usize, 0usize);
                let mut i = 0;
                while i < n {
                    let mut j = i + 1;
                    while j < n && sorted[j].total_cmp(&sorted[i]) == Ordering::Equal {
                        j += 1;
                    }
                    if j - i > best_n {
                        best = i;
                        best_n = j - i;
                    }
                    i = j;
                }
                sorted[best].clone()
            }
        })
    }
}

fn agg(name: &str, sig: Signature, kind: Kind, direct: Vec<DataType>) -> AggregateFunction {
    AggregateFunction::new(name, sig, move |spec| {
        Ok(Box::new(OrderedSet {
            kind,
            fraction: spec.direct_args.first().cloned().unwrap_or(Value::Null),
            elem: match &spec.return_type {
                DataType::Array(e) => (**e).clone(),
                t => t.clone(),
            },
            v: Vec::new(),
        }))
    })
    .with_direct_args(direct)
}

/// Registers the ordered-set aggregates.
pub(crate) fn register(r: &mut Registry) {
    r.register_aggregate(agg(
        "percentile_cont",
        Signature::exact(&[t::F8], t::F8),
        Kind::Cont,
        vec![t::F8],
    ));
    r.register_aggregate(agg(
        "percentile_cont",
        Signature::exact(&[t::IV], t::IV),
        Kind::Cont,
        vec![t::F8],
    ));
    r.register_aggregate(agg(
        "percentile_disc",
        Signature::new(vec![ArgType::AnyElement], ReturnType::Element),
        Kind::Disc,
        vec![t::F8],
    ));
    r.register_aggregate(agg(
        "mode",
        Signature::new(vec![ArgType::AnyElement], ReturnType::Element),
        Kind::Mode,
        vec![],
    ));
}
