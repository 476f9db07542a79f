//! `approx_percentile(value, p)`: a mergeable quantile sketch with 1 % relative error
//! (DDSketch, Masson et al., VLDB 2019; TimescaleDB `uddsketch`, GreptimeDB
//! `uddsketch_state`). Values go into logarithmic buckets `γ^(i−1) < |x| ≤ γ^i` with
//! γ = (1 + α)/(1 − α), α = 0.01; a bucket answers `2γ^i/(γ + 1)`, within α of any value in
//! it. The rank is `p × (n − 1)` over the sorted values (as `percentile_disc` rounds up from
//! `p × n`, the answer is within α of `percentile_disc(p)` or of its neighbour). Partial states
//! merge by adding bucket counts. NULL values are skipped; no values → NULL; `p` must be a
//! constant in [0, 1] (22023); NaN and ±∞ are skipped.
use std::any::Any;
use std::collections::BTreeMap;

use plantdb_query::error::Result;
use plantdb_query::functions::{Accumulator, AggregateFunction, Registry, Signature};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use crate::common::cols::FloatCol;
use crate::common::{downcast, invalid};

const ALPHA: f64 = 0.01;

/// One group's sketch.
#[derive(Debug, Clone, Default)]
pub struct Sketch {
    pos: BTreeMap<i32, u64>,
    neg: BTreeMap<i32, u64>,
    zero: u64,
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

impl Sketch {
    /// Adds a value.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if x.abs() < 1e-300 {
            self.zero += 1;
            return;
        }
        let i = (x.abs().ln() / gamma().ln()).ceil() as i32;
        let side = if x > 0.0 { &mut self.pos } else { &mut self.neg };
        *side.entry(i).or_default() += 1;
    }

    /// Adds another sketch.
    pub fn merge(&mut self, o: &Sketch) {
        for (k, v) in &o.pos {
            *self.pos.entry(*k).or_default() += v;
        }
        for (k, v) in &o.neg {
            *self.neg.entry(*k).or_default() += v;
        }
        self.zero += o.zero;
    }

    fn count(&self) -> u64 {
        self.pos.values().sum::<u64>() + self.neg.values().sum::<u64>() + self.zero
    }

    /// The value at quantile `p`.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = (p * (n - 1) as f64).round() as u64;
        let g = gamma();
        let value = |i: i32| 2.0 * g.powi(i) / (g + 1.0);
        let mut seen = 0u64;
        for (k, c) in self.neg.iter().rev() {
            seen += c;
            if seen > rank {
                return Some(-value(*k));
            }
        }
        seen += self.zero;
        if seen > rank {
            return Some(0.0);
        }
        for (k, c) in &self.pos {
            seen += c;
            if seen > rank {
                return Some(value(*k));
            }
        }
        None
    }
}

struct Acc {
    groups: Vec<Sketch>,
    p: Option<f64>,
}

impl Accumulator for Acc {
    fn resize(&mut self, n: usize) {
        if self.groups.len() < n {
            self.groups.resize_with(n, Sketch::default);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        let v = FloatCol::new(&args[0]);
        let p = FloatCol::new(&args[1]);
        for (i, &g) in groups.iter().enumerate() {
            if let Some(q) = p.get(i) {
                if !(0.0..=1.0).contains(&q) {
                    return Err(invalid(format!(
                        "approx_percentile: the percentile must be between 0 and 1, not {q}"
                    )));
                }
                match self.p {
                    Some(old) if old != q => {
                        return Err(invalid(
                            "approx_percentile: the percentile must be the same for every row",
                        ));
                    }
                    _ => self.p = Some(q),
                }
            }
            let Some(x) = v.get(i) else { continue };
            self.resize(g as usize + 1);
            if let Some(s) = self.groups.get_mut(g as usize) {
                s.add(x);
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<Acc>(other, "approx_percentile")?;
        self.p = self.p.or(o.p);
        for (k, s) in o.groups.iter().enumerate() {
            if let Some(&to) = map.get(k) {
                self.resize(to as usize + 1);
                if let Some(d) = self.groups.get_mut(to as usize) {
                    d.merge(s);
                }
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let (Some(s), Some(p)) = (self.groups.get(g), self.p) else {
            return Ok(Value::Null);
        };
        Ok(s.quantile(p).map_or(Value::Null, Value::Float))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers `approx_percentile`.
pub fn register(r: &mut Registry) {
    r.register_aggregate(
        AggregateFunction::new(
            "approx_percentile",
            Signature::exact(&[DataType::Float8, DataType::Float8], DataType::Float8),
            |_| {
                Ok(Box::new(Acc {
                    groups: Vec::new(),
                    p: None,
                }))
            },
        )
        .describe("approximate percentile (1 % relative error), mergeable sketch"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_relative_error_of_the_exact_ones() {
        let mut s = Sketch::default();
        let mut xs: Vec<f64> = (1..=10_000)
            .map(|k| (k as f64 * 0.7361).sin() * 50.0 + 60.0)
            .collect();
        let (a, b) = xs.split_at(4000);
        let (mut s1, mut s2) = (Sketch::default(), Sketch::default());
        a.iter().for_each(|x| s1.add(*x));
        b.iter().for_each(|x| s2.add(*x));
        s.merge(&s1);
        s.merge(&s2);
        xs.sort_by(f64::total_cmp);
        for p in [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 1.0] {
            let exact = xs[(p * (xs.len() - 1) as f64).round() as usize];
            let got = s.quantile(p).unwrap_or(f64::NAN);
            assert!(
                (got - exact).abs() <= ALPHA * exact.abs() * 1.0001,
                "p {p}: {got} vs {exact}"
            );
        }
    }
}
