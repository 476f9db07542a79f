//! Subgroup statistics and the estimators of the process standard deviation.
//!
//! State per group: the overall moments (n, mean, M2, min, max; merged with Chan's formula) and,
//! when a subgroup key is given, the same moments per subgroup, keyed and ordered by the key.
//! Merging partial states merges the subgroups with equal keys, so the state is exact whatever
//! the row order.
//!
//! Estimators of σ (KPI-DEFINITIONS.md §3.2; Minitab and qcc names):
//!
//! | method | formula | qcc |
//! |---|---|---|
//! | `overall` | s of all values (n − 1 denominator, no c4) | sd |
//! | `rbar` | mean over subgroups with nᵢ ≥ 2 of Rᵢ/d2(nᵢ) (= R̄/d2 for equal n) | UWAVE-R |
//! | `sbar` | mean over subgroups with nᵢ ≥ 2 of sᵢ/c4(nᵢ) (= S̄/c4 for equal n) | UWAVE-SD |
//! | `pooled` | √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)) / c4(Σ(nᵢ−1) + 1) | RMSDF |
//! | `mr` | MR̄/d2(2), MR = \|xᵢ − xᵢ₋₁\| over subgroups in key order (one value each) | — |
//!
//! Default: `overall` without a subgroup key; with a key, `mr` when every subgroup holds one
//! value (individuals) and `rbar` otherwise.
use std::collections::BTreeMap;

use plantdb_query::error::Result;
use plantdb_query::types::Value;

use super::constants::{c4, d2};
use crate::common::invalid;

/// Count, mean, sum of squared deviations, min and max.
#[derive(Debug, Clone, Copy)]
pub struct Moments {
    /// Count.
    pub n: f64,
    /// Mean.
    pub mean: f64,
    /// Σ (x − mean)².
    pub m2: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0.0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    /// Adds a value (Welford).
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Merges another state (Chan et al.).
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n / n;
        self.m2 += o.m2 + d * d * self.n * o.n / n;
        self.n = n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// Sample variance (None below two values).
    pub fn var(&self) -> Option<f64> {
        (self.n >= 2.0).then(|| (self.m2 / (self.n - 1.0)).max(0.0))
    }

    /// Sample standard deviation.
    pub fn sd(&self) -> Option<f64> {
        self.var().map(f64::sqrt)
    }

    /// Range.
    pub fn range(&self) -> f64 {
        self.max - self.min
    }
}

/// σ estimation methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Overall sample s.
    Overall,
    /// R̄/d2.
    RBar,
    /// S̄/c4.
    SBar,
    /// Pooled s / c4.
    Pooled,
    /// Moving range of individuals.
    MovingRange,
}

impl Method {
    /// Parses a method name.
    pub fn parse(s: &str) -> Result<Method> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "overall" => Method::Overall,
            "rbar" | "r" | "range" => Method::RBar,
            "sbar" | "s" => Method::SBar,
            "pooled" | "rmsdf" => Method::Pooled,
            "mr" | "moving_range" => Method::MovingRange,
            other => {
                return Err(invalid(format!(
                    "unknown sigma method \"{other}\" (expected overall, rbar, sbar, pooled or mr)"
                )));
            }
        })
    }
}

/// Statistics of one group.
#[derive(Debug, Clone, Default)]
pub struct SpcStats {
    /// All values.
    pub overall: Moments,
    /// Per subgroup, in key order (empty without a key).
    pub subs: BTreeMap<Value, Moments>,
}

impl SpcStats {
    /// Adds a value (to `key`'s subgroup when given).
    pub fn add(&mut self, x: f64, key: Option<Value>) {
        self.overall.add(x);
        if let Some(k) = key {
            self.subs.entry(k).or_default().add(x);
        }
    }

    /// Merges another group's statistics.
    pub fn merge(&mut self, o: &SpcStats) {
        self.overall.merge(&o.overall);
        for (k, m) in &o.subs {
            self.subs.entry(k.clone()).or_default().merge(m);
        }
    }

    /// Whether every subgroup holds exactly one value.
    pub fn individuals(&self) -> bool {
        !self.subs.is_empty() && self.subs.values().all(|m| m.n == 1.0)
    }

    /// The default method for these statistics.
    pub fn default_method(&self) -> Method {
        if self.subs.is_empty() {
            Method::Overall
        } else if self.individuals() {
            Method::MovingRange
        } else {
            Method::RBar
        }
    }

    /// Moving ranges of the subgroup values in key order (individuals only).
    pub fn moving_ranges(&self) -> Result<Vec<f64>> {
        if self.subs.is_empty() {
            return Err(invalid(
                "the moving-range estimate needs an ordering key (one value per key)",
            ));
        }
        if !self.individuals() {
            return Err(invalid(
                "the moving-range estimate needs one value per subgroup key (individuals)",
            ));
        }
        let xs: Vec<f64> = self.subs.values().map(|m| m.mean).collect();
        Ok(xs.windows(2).map(|w| (w[1] - w[0]).abs()).collect())
    }

    /// Mean moving range (None below two values).
    pub fn mr_bar(&self) -> Result<Option<f64>> {
        let mr = self.moving_ranges()?;
        Ok((!mr.is_empty()).then(|| mr.iter().sum::<f64>() / mr.len() as f64))
    }

    fn need_subgroups(&self, what: &str) -> Result<()> {
        if self.subs.is_empty() {
            return Err(invalid(format!("the {what} estimate needs a subgroup key")));
        }
        Ok(())
    }

    /// σ by `method` (None when there are too few values).
    pub fn sigma(&self, method: Method) -> Result<Option<f64>> {
        match method {
            Method::Overall => Ok(self.overall.sd()),
            Method::RBar => {
                self.need_subgroups("R-bar")?;
                let mut acc = Vec::new();
                for m in self.subs.values().filter(|m| m.n >= 2.0) {
                    acc.push(m.range() / d2(m.n as usize)?);
                }
                Ok(mean(&acc))
            }
            Method::SBar => {
                self.need_subgroups("S-bar")?;
                let mut acc = Vec::new();
                for m in self.subs.values().filter(|m| m.n >= 2.0) {
                    if let Some(s) = m.sd() {
                        acc.push(s / c4(m.n));
                    }
                }
                Ok(mean(&acc))
            }
            Method::Pooled => {
                self.need_subgroups("pooled")?;
                let (mut ss, mut df) = (0.0, 0.0);
                for m in self.subs.values().filter(|m| m.n >= 2.0) {
                    ss += m.m2;
                    df += m.n - 1.0;
                }
                Ok((df > 0.0).then(|| (ss / df).sqrt() / c4(df + 1.0)))
            }
            Method::MovingRange => Ok(self
                .mr_bar()?
                .map(|r| r / d2(2).unwrap_or(std::f64::consts::FRAC_2_SQRT_PI))),
        }
    }

    /// The common size of the subgroups with at least two values (for X̄/R/S chart limits).
    pub fn common_size(&self, chart: &str) -> Result<usize> {
        self.need_subgroups(chart)?;
        let mut sizes = self.subs.values().map(|m| m.n as usize).filter(|&n| n >= 2);
        let Some(n) = sizes.next() else {
            return Err(invalid(format!(
                "{chart} chart limits need subgroups of at least two values"
            )));
        };
        if sizes.any(|k| k != n) {
            return Err(invalid(format!(
                "{chart} chart limits need subgroups of equal size"
            )));
        }
        Ok(n)
    }

    /// Mean of the subgroup ranges (subgroups with at least two values).
    pub fn r_bar(&self) -> Option<f64> {
        let r: Vec<f64> = self
            .subs
            .values()
            .filter(|m| m.n >= 2.0)
            .map(Moments::range)
            .collect();
        mean(&r)
    }

    /// Mean of the subgroup standard deviations.
    pub fn s_bar(&self) -> Option<f64> {
        let s: Vec<f64> = self.subs.values().filter_map(Moments::sd).collect();
        mean(&s)
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}
