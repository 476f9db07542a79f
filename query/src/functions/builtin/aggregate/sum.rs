//! `sum` and `avg` over integers (exact 128-bit sums), doubles (row-order sums; avg through
//! PostgreSQL's Youngs–Cramer state), numerics (exact, scale of the widest input) and intervals.
use std::any::Any;

use super::stats::FloatAccum;
use super::{floats_each, fold_runs, ints_each, needed, other, reg, values_each};
use crate::error::Result;
use crate::functions::builtin::kernels::{check_int128, dec_err, float_overflow, interval_range_err, t};
use crate::functions::builtin::timeutil::iv_div;
use crate::functions::{Accumulator, BlockStats, Registry, Signature};
use crate::types::{DataType, Decimal, Interval, Value};
use crate::vector::Vector;
use plantdb_storage::StatSum;

#[derive(Clone, Copy, PartialEq, Eq)]
enum IntOut {
    /// int2/int4 sum → int8
    Int8,
    /// int8 sum → numeric
    Numeric,
    /// avg → numeric
    Avg,
}

/// Exact integer sums.
struct IntSum {
    out: IntOut,
    n: Vec<i64>,
    s: Vec<i128>,
}

impl IntSum {
    fn grow(&mut self, n: usize) {
        if self.n.len() < n {
            self.n.resize(n, 0);
            self.s.resize(n, 0);
        }
    }
}

impl Accumulator for IntSum {
    fn resize(&mut self, groups: usize) {
        self.grow(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.grow(needed(groups));
        let (n, s) = (&mut self.n, &mut self.s);
        ints_each(groups, &args[0], |g, x| {
            s[g] += i128::from(x);
            n[g] += 1;
        });
        Ok(())
    }

    fn update_runs(&mut self, runs: &[(u32, u32)], groups: &[u32], args: &[Vector]) -> Result<()> {
        self.grow(needed(groups));
        let (n, s) = (&mut self.n, &mut self.s);
        let folded = fold_runs(runs, &args[0], Vector::as_ints, |g, run| {
            if let (Some(n), Some(s)) = (n.get_mut(g), s.get_mut(g)) {
                *s += run.iter().map(|&x| i128::from(x)).sum::<i128>();
                *n += run.len() as i64;
            }
        });
        if folded { Ok(()) } else { self.update(groups, args) }
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        let Some(st) = stats.first() else { return Ok(false) };
        let nonnull = (st.count - st.null_count) as i64;
        if nonnull == 0 {
            return Ok(true);
        }
        let Some(StatSum::Int(v)) = st.sum else {
            return Ok(false);
        };
        self.grow(group as usize + 1);
        self.s[group as usize] += v;
        self.n[group as usize] += nonnull;
        Ok(true)
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.grow(needed(groups));
        let (n, s) = (&mut self.n, &mut self.s);
        ints_each(groups, &args[0], |g, x| {
            s[g] -= i128::from(x);
            n[g] -= 1;
        });
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<IntSum>(o)?;
        for g in 0..o.n.len() {
            if let Some(&to) = map.get(g) {
                self.grow(to as usize + 1);
                self.n[to as usize] += o.n[g];
                self.s[to as usize] += o.s[g];
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let n = self.n.get(g).copied().unwrap_or(0);
        if n == 0 {
            return Ok(Value::Null);
        }
        let s = self.s[g];
        Ok(match self.out {
            IntOut::Int8 => Value::Int(check_int128(s, &DataType::Int8)?),
            IntOut::Numeric => Value::Numeric(Decimal::new(s, 0)),
            IntOut::Avg => Value::Numeric(
                Decimal::new(s, 0)
                    .checked_div(Decimal::from_i64(n))
                    .map_err(dec_err)?,
            ),
        })
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Row-order sums of doubles. Non-finite inputs are counted apart so that rows can be
/// retracted; the result is what adding in row order gives.
struct FloatSum {
    single: bool,
    n: Vec<i64>,
    fin: Vec<f64>,
    nan: Vec<u32>,
    pinf: Vec<u32>,
    ninf: Vec<u32>,
    overflow: Vec<bool>,
}

impl FloatSum {
    fn grow(&mut self, n: usize) {
        if self.n.len() < n {
            self.n.resize(n, 0);
            self.fin.resize(n, 0.0);
            self.nan.resize(n, 0);
            self.pinf.resize(n, 0);
            self.ninf.resize(n, 0);
            self.overflow.resize(n, false);
        }
    }

    fn add(&mut self, g: usize, x: f64, sign: i64) {
        self.n[g] += sign;
        if x.is_nan() {
            self.nan[g] = (i64::from(self.nan[g]) + sign) as u32;
        } else if x == f64::INFINITY {
            self.pinf[g] = (i64::from(self.pinf[g]) + sign) as u32;
        } else if x == f64::NEG_INFINITY {
            self.ninf[g] = (i64::from(self.ninf[g]) + sign) as u32;
        } else {
            let mut s = if sign > 0 {
                self.fin[g] + x
            } else {
                self.fin[g] - x
            };
            if self.single {
                s = f64::from(s as f32);
            }
            if s.is_infinite() {
                self.overflow[g] = true;
            }
            self.fin[g] = s;
        }
        if self.n[g] == 0 {
            self.fin[g] = 0.0;
            self.overflow[g] = false;
        }
    }
}

impl Accumulator for FloatSum {
    fn resize(&mut self, groups: usize) {
        self.grow(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.grow(needed(groups));
        if !self.single
            && let (crate::vector::VectorData::Float(xs), None) = (&args[0].data, &args[0].validity)
        {
            // Fast path: finite values straight into the running sums.
            for (&g, &x) in groups.iter().zip(xs) {
                let g = g as usize;
                if x.is_finite() {
                    self.n[g] += 1;
                    self.fin[g] += x;
                } else {
                    self.add(g, x, 1);
                }
            }
            for &g in groups {
                if self.fin[g as usize].is_infinite() {
                    self.overflow[g as usize] = true;
                }
            }
            return Ok(());
        }
        let mut rows = Vec::new();
        floats_each(groups, &args[0], |g, x| rows.push((g, x)));
        for (g, x) in rows {
            self.add(g, x, 1);
        }
        Ok(())
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        if self.single {
            return Ok(false);
        }
        let Some(st) = stats.first() else { return Ok(false) };
        let nonnull = (st.count - st.null_count) as i64;
        if nonnull == 0 {
            return Ok(true);
        }
        let Some(StatSum::Float(v)) = st.sum else {
            return Ok(false);
        };
        if !v.is_finite() {
            return Ok(false);
        }
        let g = group as usize;
        self.grow(g + 1);
        self.n[g] += nonnull;
        self.fin[g] += v;
        if self.fin[g].is_infinite() {
            self.overflow[g] = true;
        }
        Ok(true)
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.grow(needed(groups));
        let mut rows = Vec::new();
        floats_each(groups, &args[0], |g, x| rows.push((g, x)));
        for (g, x) in rows {
            self.add(g, x, -1);
        }
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<FloatSum>(o)?;
        for g in 0..o.n.len() {
            if let Some(&to) = map.get(g) {
                let to = to as usize;
                self.grow(to + 1);
                self.n[to] += o.n[g];
                let mut s = self.fin[to] + o.fin[g];
                if self.single {
                    s = f64::from(s as f32);
                }
                self.fin[to] = s;
                self.nan[to] += o.nan[g];
                self.pinf[to] += o.pinf[g];
                self.ninf[to] += o.ninf[g];
                self.overflow[to] |= o.overflow[g] || s.is_infinite();
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        if self.n.get(g).copied().unwrap_or(0) == 0 {
            return Ok(Value::Null);
        }
        Ok(Value::Float(
            if self.nan[g] > 0 || (self.pinf[g] > 0 && self.ninf[g] > 0) {
                f64::NAN
            } else if self.pinf[g] > 0 {
                f64::INFINITY
            } else if self.ninf[g] > 0 {
                f64::NEG_INFINITY
            } else if self.overflow[g] {
                return Err(float_overflow());
            } else {
                self.fin[g]
            },
        ))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Exact numeric sums; the result has the largest scale among the inputs.
struct NumSum {
    avg: bool,
    n: Vec<i64>,
    s: Vec<Decimal>,
    /// Largest input scale and how many inputs have it (for retraction).
    max_scale: Vec<(u32, i64)>,
}

impl NumSum {
    fn grow(&mut self, n: usize) {
        if self.n.len() < n {
            self.n.resize(n, 0);
            self.s.resize(n, Decimal::from_i64(0));
            self.max_scale.resize(n, (0, 0));
        }
    }
}

fn dec(v: &Value) -> Decimal {
    crate::functions::builtin::kernels::dec_of(v)
}

impl Accumulator for NumSum {
    fn resize(&mut self, groups: usize) {
        self.grow(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.grow(needed(groups));
        let mut err = None;
        values_each(groups, &args[0], |g, v| {
            let d = dec(&v);
            match self.s[g].checked_add(d) {
                Ok(s) => self.s[g] = s,
                Err(e) => err = Some(e),
            }
            self.n[g] += 1;
            let ms = &mut self.max_scale[g];
            if d.scale() > ms.0 {
                *ms = (d.scale(), 1);
            } else if d.scale() == ms.0 {
                ms.1 += 1;
            }
        });
        match err {
            Some(e) => Err(dec_err(e)),
            None => Ok(()),
        }
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.grow(needed(groups));
        // Refuse when a retraction would remove the last input of the largest scale: the
        // result scale would have to shrink to one we no longer know.
        let mut removed: Vec<i64> = vec![0; self.n.len()];
        let mut ok = true;
        values_each(groups, &args[0], |g, v| {
            if dec(&v).scale() == self.max_scale[g].0 && self.max_scale[g].0 > 0 {
                removed[g] += 1;
                if removed[g] >= self.max_scale[g].1 {
                    ok = false;
                }
            }
        });
        if !ok {
            return Ok(false);
        }
        let mut err = None;
        values_each(groups, &args[0], |g, v| {
            let d = dec(&v);
            match self.s[g].checked_sub(d) {
                Ok(s) => self.s[g] = s,
                Err(e) => err = Some(e),
            }
            self.n[g] -= 1;
            if d.scale() == self.max_scale[g].0 {
                self.max_scale[g].1 -= 1;
            }
        });
        match err {
            Some(e) => Err(dec_err(e)),
            None => Ok(true),
        }
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<NumSum>(o)?;
        for g in 0..o.n.len() {
            if let Some(&to) = map.get(g) {
                let to = to as usize;
                self.grow(to + 1);
                self.n[to] += o.n[g];
                self.s[to] = self.s[to].checked_add(o.s[g]).map_err(dec_err)?;
                let (a, b) = (self.max_scale[to], o.max_scale[g]);
                self.max_scale[to] = match a.0.cmp(&b.0) {
                    std::cmp::Ordering::Less => b,
                    std::cmp::Ordering::Greater => a,
                    std::cmp::Ordering::Equal => (a.0, a.1 + b.1),
                };
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let n = self.n.get(g).copied().unwrap_or(0);
        if n == 0 {
            return Ok(Value::Null);
        }
        let s = self.s[g].rescale(self.max_scale[g].0).map_err(dec_err)?;
        Ok(Value::Numeric(if self.avg {
            s.checked_div(Decimal::from_i64(n)).map_err(dec_err)?
        } else {
            s
        }))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Interval sums.
struct IvSum {
    avg: bool,
    n: Vec<i64>,
    s: Vec<Interval>,
}

impl IvSum {
    fn grow(&mut self, n: usize) {
        if self.n.len() < n {
            self.n.resize(n, 0);
            self.s.resize(n, Interval::default());
        }
    }

    fn add(&mut self, groups: &[u32], args: &[Vector], sign: i64) -> Result<()> {
        self.grow(needed(groups));
        let mut err = false;
        values_each(groups, &args[0], |g, v| {
            if let Value::Interval(i) = v {
                let i = if sign < 0 {
                    match i.checked_neg() {
                        Some(x) => x,
                        None => {
                            err = true;
                            return;
                        }
                    }
                } else {
                    i
                };
                match self.s[g].checked_add(i) {
                    Some(s) => self.s[g] = s,
                    None => err = true,
                }
                self.n[g] += sign;
            }
        });
        if err { Err(interval_range_err()) } else { Ok(()) }
    }
}

impl Accumulator for IvSum {
    fn resize(&mut self, groups: usize) {
        self.grow(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.add(groups, args, 1)
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.add(groups, args, -1)?;
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<IvSum>(o)?;
        for g in 0..o.n.len() {
            if let Some(&to) = map.get(g) {
                let to = to as usize;
                self.grow(to + 1);
                self.n[to] += o.n[g];
                self.s[to] = self.s[to].checked_add(o.s[g]).ok_or_else(interval_range_err)?;
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let n = self.n.get(g).copied().unwrap_or(0);
        if n == 0 {
            return Ok(Value::Null);
        }
        Ok(Value::Interval(if self.avg {
            iv_div(&self.s[g], n as f64)?
        } else {
            self.s[g]
        }))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn int_sum(out: IntOut) -> Box<dyn Accumulator> {
    Box::new(IntSum {
        out,
        n: Vec::new(),
        s: Vec::new(),
    })
}

fn float_sum(single: bool) -> Box<dyn Accumulator> {
    Box::new(FloatSum {
        single,
        n: Vec::new(),
        fin: Vec::new(),
        nan: Vec::new(),
        pinf: Vec::new(),
        ninf: Vec::new(),
        overflow: Vec::new(),
    })
}

/// Registers `sum` and `avg`.
pub(crate) fn register(r: &mut Registry) {
    reg(r, "sum", Signature::exact(&[t::I2], t::I8), |_| {
        Ok(int_sum(IntOut::Int8))
    });
    reg(r, "sum", Signature::exact(&[t::I4], t::I8), |_| {
        Ok(int_sum(IntOut::Int8))
    });
    reg(r, "sum", Signature::exact(&[t::I8], t::NUM), |_| {
        Ok(int_sum(IntOut::Numeric))
    });
    reg(r, "sum", Signature::exact(&[t::F4], t::F4), |_| {
        Ok(float_sum(true))
    });
    reg(r, "sum", Signature::exact(&[t::F8], t::F8), |_| {
        Ok(float_sum(false))
    });
    reg(r, "sum", Signature::exact(&[t::NUM], t::NUM), |_| {
        Ok(Box::new(NumSum {
            avg: false,
            n: Vec::new(),
            s: Vec::new(),
            max_scale: Vec::new(),
        }))
    });
    reg(r, "sum", Signature::exact(&[t::IV], t::IV), |_| {
        Ok(Box::new(IvSum {
            avg: false,
            n: Vec::new(),
            s: Vec::new(),
        }))
    });
    for ty in [t::I2, t::I4, t::I8] {
        reg(r, "avg", Signature::exact(&[ty], t::NUM), |_| {
            Ok(int_sum(IntOut::Avg))
        });
    }
    for ty in [t::F4, t::F8] {
        reg(r, "avg", Signature::exact(&[ty], t::F8), |_| {
            Ok(Box::new(FloatAccum::new(super::stats::FloatOut::Avg)))
        });
    }
    reg(r, "avg", Signature::exact(&[t::NUM], t::NUM), |_| {
        Ok(Box::new(NumSum {
            avg: true,
            n: Vec::new(),
            s: Vec::new(),
            max_scale: Vec::new(),
        }))
    });
    reg(r, "avg", Signature::exact(&[t::IV], t::IV), |_| {
        Ok(Box::new(IvSum {
            avg: true,
            n: Vec::new(),
            s: Vec::new(),
        }))
    });
}
