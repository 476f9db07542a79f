//! Statistical aggregates: avg/variance/stddev of doubles through PostgreSQL's Youngs–Cramer
//! state (N, Sx, Sxx), merged with Chan's formula; exact numeric variance and stddev for
//! integer and numeric inputs; correlation, covariance and regression (arguments `(Y, X)`).
use std::any::Any;

use super::{each_valid, floats_each, ints_each, needed, other, reg, values_each};
use crate::error::Result;
use crate::functions::builtin::bignum::{BigDec, div_scale, sqrt_big};
use crate::functions::builtin::kernels::{Phys, float_overflow, t};
use crate::functions::{Accumulator, BlockStats, Registry, Signature};
use crate::types::{Decimal, Value};
use crate::vector::{Vector, VectorData};
use plantdb_storage::StatSum;

/// Output of a Youngs–Cramer state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatOut {
    Avg,
    VarPop,
    VarSamp,
    StddevPop,
    StddevSamp,
}

/// PostgreSQL's `float8_accum` state per group.
pub(crate) struct FloatAccum {
    out: FloatOut,
    st: Vec<[f64; 3]>,
}

impl FloatAccum {
    pub(crate) fn new(out: FloatOut) -> FloatAccum {
        FloatAccum { out, st: Vec::new() }
    }

    fn grow(&mut self, n: usize) {
        if self.st.len() < n {
            self.st.resize(n, [0.0; 3]);
        }
    }
}

/// One `float8_accum` step.
#[inline]
fn yc_add(s: &mut [f64; 3], x: f64) -> Result<()> {
    let [n0, sx0, _] = *s;
    let n = n0 + 1.0;
    let sx = sx0 + x;
    let mut sxx = s[2];
    if n0 > 0.0 {
        let tmp = x * n - sx;
        sxx += tmp * tmp / (n * n0);
        if sx.is_infinite() || sxx.is_infinite() {
            if !sx0.is_infinite() && !x.is_infinite() {
                return Err(float_overflow());
            }
            sxx = f64::NAN;
        }
    } else if x.is_nan() || x.is_infinite() {
        sxx = f64::NAN;
    }
    *s = [n, sx, sxx];
    Ok(())
}

/// Welford's downdate of a Youngs–Cramer state by `x`, through (n, mean, M2). Only finite values
/// out of finite states are taken back, and only while the variance is not tiny against the mean
/// (`None`: the caller recomputes the frame, as PostgreSQL always does for doubles).
#[inline]
fn yc_remove([n, sx, sxx]: [f64; 3], x: f64) -> Option<[f64; 3]> {
    if !x.is_finite() || !sx.is_finite() || !sxx.is_finite() {
        return None;
    }
    if n <= 1.0 {
        return Some([0.0; 3]);
    }
    let mean = sx / n;
    let n1 = n - 1.0;
    let mean1 = mean - (x - mean) / n1;
    let m2 = if n1 <= 1.0 {
        0.0
    } else {
        (sxx - (x - mean) * (x - mean1)).max(0.0)
    };
    if n1 >= 2.0 && mean1 != 0.0 && m2 < 1e-6 * n1 * mean1 * mean1 {
        return None;
    }
    Some([n1, mean1 * n1, m2])
}

/// `float8_combine`.
fn yc_combine(a: [f64; 3], b: [f64; 3]) -> Result<[f64; 3]> {
    let [n1, sx1, sxx1] = a;
    let [n2, sx2, sxx2] = b;
    if n1 == 0.0 {
        return Ok(b);
    }
    if n2 == 0.0 {
        return Ok(a);
    }
    let n = n1 + n2;
    let sx = sx1 + sx2;
    if sx.is_infinite() && sx1.is_finite() && sx2.is_finite() {
        return Err(float_overflow());
    }
    let tmp = sx1 / n1 - sx2 / n2;
    let sxx = sxx1 + sxx2 + n1 * n2 * tmp * tmp / n;
    if sxx.is_infinite() && sxx1.is_finite() && sxx2.is_finite() {
        return Err(float_overflow());
    }
    Ok([n, sx, sxx])
}

impl Accumulator for FloatAccum {
    fn resize(&mut self, groups: usize) {
        self.grow(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.grow(needed(groups));
        let st = &mut self.st;
        let mut res = Ok(());
        floats_each(groups, &args[0], |g, x| {
            if res.is_ok() {
                res = yc_add(&mut st[g], x);
            }
        });
        res
    }

    fn update_from_stats(&mut self, group: u32, _rows: u64, stats: &[BlockStats]) -> Result<bool> {
        let Some(s) = stats.first() else { return Ok(false) };
        let n = (s.count - s.null_count) as f64;
        if n == 0.0 {
            return Ok(true);
        }
        let (Some(StatSum::Float(sum)), Some(m2)) = (s.sum, s.m2) else {
            return Ok(false);
        };
        if !sum.is_finite() || !m2.is_finite() {
            return Ok(false);
        }
        self.grow(group as usize + 1);
        let g = group as usize;
        self.st[g] = yc_combine(self.st[g], [n, sum, m2])?;
        Ok(true)
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        self.grow(needed(groups));
        let mut rows = Vec::new();
        floats_each(groups, &args[0], |g, x| rows.push((g, x)));
        let mut next = self.st.clone();
        for &(g, x) in &rows {
            match yc_remove(next[g], x) {
                Some(s) => next[g] = s,
                None => return Ok(false),
            }
        }
        self.st = next;
        Ok(true)
    }

    fn add_range(&mut self, args: &[Vector], lo: usize, hi: usize) -> Result<()> {
        self.grow(1);
        match (&args[0].data, &args[0].validity) {
            (VectorData::Float(xs), None) if hi <= xs.len() => {
                let s = &mut self.st[0];
                for &x in &xs[lo..hi] {
                    yc_add(s, x)?;
                }
                Ok(())
            }
            _ => {
                let (groups, sub) = crate::functions::range_rows(args, lo, hi);
                self.update(&groups, &sub)
            }
        }
    }

    fn retract_range(&mut self, args: &[Vector], lo: usize, hi: usize) -> Result<bool> {
        self.grow(1);
        let mut s = self.st[0];
        let a = &args[0];
        for i in lo..hi {
            if a.validity
                .as_ref()
                .is_some_and(|v| !v.get(i).copied().unwrap_or(false))
            {
                continue;
            }
            let x = match &a.data {
                VectorData::Float(xs) => xs.get(i).copied(),
                _ => a.value(i).as_f64(),
            };
            let Some(x) = x else { continue };
            match yc_remove(s, x) {
                Some(next) => s = next,
                None => return Ok(false),
            }
        }
        self.st[0] = s;
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<FloatAccum>(o)?;
        for (g, s) in o.st.iter().enumerate() {
            if let Some(&to) = map.get(g) {
                self.grow(to as usize + 1);
                self.st[to as usize] = yc_combine(self.st[to as usize], *s)?;
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let [n, sx, sxx] = self.st.get(g).copied().unwrap_or([0.0; 3]);
        let v = match self.out {
            FloatOut::Avg if n > 0.0 => sx / n,
            FloatOut::VarPop if n > 0.0 => sxx / n,
            FloatOut::StddevPop if n > 0.0 => (sxx / n).sqrt(),
            FloatOut::VarSamp if n > 1.0 => sxx / (n - 1.0),
            FloatOut::StddevSamp if n > 1.0 => (sxx / (n - 1.0)).sqrt(),
            _ => return Ok(Value::Null),
        };
        Ok(Value::Float(v))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Numeric variance

/// Exact sums for variance of integers and numerics: an i128 fast path with a big-decimal
/// fallback per group.
#[derive(Clone, Default)]
struct NumVarState {
    n: i64,
    sum: i128,
    sumsq: i128,
    big: Option<Box<(BigDec, BigDec)>>,
    /// Largest input scale and how many inputs carry it.
    scale: (u32, i64),
}

impl NumVarState {
    fn big_mut(&mut self) -> &mut (BigDec, BigDec) {
        let (sum, sumsq) = (self.sum, self.sumsq);
        self.big
            .get_or_insert_with(|| Box::new((BigDec::from_i128(sum), BigDec::from_i128(sumsq))))
    }

    fn add_int(&mut self, x: i64, sign: i64) {
        self.n += sign;
        let x = i128::from(x);
        if self.big.is_none() {
            let sq = x * x;
            let (s, q) = if sign > 0 {
                (self.sum.checked_add(x), self.sumsq.checked_add(sq))
            } else {
                (self.sum.checked_sub(x), self.sumsq.checked_sub(sq))
            };
            if let (Some(s), Some(q)) = (s, q) {
                self.sum = s;
                self.sumsq = q;
                return;
            }
        }
        let b = self.big_mut();
        let xd = BigDec::from_i128(x);
        let sq = xd.mul(&xd);
        if sign > 0 {
            b.0 = b.0.add(&xd);
            b.1 = b.1.add(&sq);
        } else {
            b.0 = b.0.sub(&xd);
            b.1 = b.1.sub(&sq);
        }
    }

    fn add_dec(&mut self, d: Decimal, sign: i64) {
        if d.scale() == 0
            && let Ok(x) = i64::try_from(d.mantissa())
        {
            self.add_int(x, sign);
            self.count_scale(0, sign);
            return;
        }
        self.n += sign;
        self.count_scale(d.scale(), sign);
        let b = self.big_mut();
        let xd = BigDec::from_dec(d);
        let sq = xd.mul(&xd);
        if sign > 0 {
            b.0 = b.0.add(&xd);
            b.1 = b.1.add(&sq);
        } else {
            b.0 = b.0.sub(&xd);
            b.1 = b.1.sub(&sq);
        }
    }

    fn count_scale(&mut self, s: u32, sign: i64) {
        if sign > 0 {
            if s > self.scale.0 {
                self.scale = (s, 1);
            } else if s == self.scale.0 {
                self.scale.1 += 1;
            }
        } else if s == self.scale.0 {
            self.scale.1 -= 1;
        }
    }

    fn merge(&mut self, o: &NumVarState) {
        if self.big.is_none()
            && o.big.is_none()
            && let (Some(s), Some(q)) = (self.sum.checked_add(o.sum), self.sumsq.checked_add(o.sumsq))
        {
            self.sum = s;
            self.sumsq = q;
            self.n += o.n;
            self.merge_scale(o.scale);
            return;
        }
        let (os, oq) = match &o.big {
            Some(b) => (b.0.clone(), b.1.clone()),
            None => (BigDec::from_i128(o.sum), BigDec::from_i128(o.sumsq)),
        };
        let b = self.big_mut();
        b.0 = b.0.add(&os);
        b.1 = b.1.add(&oq);
        self.n += o.n;
        self.merge_scale(o.scale);
    }

    fn merge_scale(&mut self, o: (u32, i64)) {
        self.scale = match self.scale.0.cmp(&o.0) {
            std::cmp::Ordering::Less => o,
            std::cmp::Ordering::Greater => self.scale,
            std::cmp::Ordering::Equal => (o.0, self.scale.1 + o.1),
        };
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumOut {
    VarPop,
    VarSamp,
    StddevPop,
    StddevSamp,
}

struct NumVar {
    out: NumOut,
    ints: bool,
    st: Vec<NumVarState>,
}

impl NumVar {
    fn grow(&mut self, n: usize) {
        if self.st.len() < n {
            self.st.resize(n, NumVarState::default());
        }
    }

    fn add(&mut self, groups: &[u32], a: &Vector, sign: i64) {
        self.grow(needed(groups));
        let st = &mut self.st;
        if self.ints {
            ints_each(groups, a, |g, x| st[g].add_int(x, sign));
        } else {
            values_each(groups, a, |g, v| {
                st[g].add_dec(crate::functions::builtin::kernels::dec_of(&v), sign)
            });
        }
    }
}

/// PostgreSQL's `numeric_stddev_internal`.
fn numeric_var(st: &NumVarState, out: NumOut) -> Result<Value> {
    let sample = matches!(out, NumOut::VarSamp | NumOut::StddevSamp);
    if st.n == 0 || (sample && st.n <= 1) {
        return Ok(Value::Null);
    }
    let dscale = st.scale.0;
    let (sum, sumsq) = match &st.big {
        Some(b) => (b.0.upscale(dscale), b.1.upscale(2 * dscale)),
        None => (
            BigDec::from_i128(st.sum).upscale(0),
            BigDec::from_i128(st.sumsq).upscale(0),
        ),
    };
    let n = BigDec::from_i128(i128::from(st.n));
    let numerator = n.mul(&sumsq).sub(&sum.mul(&sum));
    if numerator.neg || numerator.is_zero() {
        return Ok(Value::Numeric(Decimal::from_i64(0)));
    }
    let den = if sample {
        n.mul(&BigDec::from_i128(i128::from(st.n - 1)))
    } else {
        n.mul(&n)
    };
    let rscale = div_scale(&numerator, &den);
    let var = numerator.div(&den, rscale);
    let r = match out {
        NumOut::VarPop | NumOut::VarSamp => var,
        _ => sqrt_big(&var, rscale),
    };
    Ok(Value::Numeric(r.to_dec()?))
}

impl Accumulator for NumVar {
    fn resize(&mut self, groups: usize) {
        self.grow(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.add(groups, &args[0], 1);
        Ok(())
    }

    fn retract(&mut self, groups: &[u32], args: &[Vector]) -> Result<bool> {
        if !self.ints {
            // The result scale follows the widest input still in the frame.
            self.grow(needed(groups));
            let mut removed = vec![0i64; self.st.len()];
            let mut ok = true;
            values_each(groups, &args[0], |g, v| {
                let s = crate::functions::builtin::kernels::dec_of(&v).scale();
                if s > 0 && s == self.st[g].scale.0 {
                    removed[g] += 1;
                    ok &= removed[g] < self.st[g].scale.1;
                }
            });
            if !ok {
                return Ok(false);
            }
        }
        self.add(groups, &args[0], -1);
        Ok(true)
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<NumVar>(o)?;
        for (g, s) in o.st.iter().enumerate() {
            if let Some(&to) = map.get(g) {
                self.grow(to as usize + 1);
                self.st[to as usize].merge(s);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        match self.st.get(g) {
            Some(s) => numeric_var(s, self.out),
            None => Ok(Value::Null),
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Two-variable statistics

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegrOut {
    Count,
    Sxx,
    Syy,
    Sxy,
    AvgX,
    AvgY,
    CovarPop,
    CovarSamp,
    Corr,
    R2,
    Slope,
    Intercept,
}

/// PostgreSQL's `float8_regr_accum` state: N, Sx, Sxx, Sy, Syy, Sxy.
struct Regr {
    out: RegrOut,
    st: Vec<[f64; 6]>,
}

fn regr_add(s: &mut [f64; 6], y: f64, x: f64) -> Result<()> {
    let [n0, sx0, mut sxx, sy0, mut syy, mut sxy] = *s;
    let n = n0 + 1.0;
    let sx = sx0 + x;
    let sy = sy0 + y;
    if n0 > 0.0 {
        let tx = x * n - sx;
        let ty = y * n - sy;
        let scale = 1.0 / (n * n0);
        sxx += tx * tx * scale;
        syy += ty * ty * scale;
        sxy += tx * ty * scale;
        if sx.is_infinite() || sxx.is_infinite() || sy.is_infinite() || syy.is_infinite() || sxy.is_infinite()
        {
            if ((sx.is_infinite() || sxx.is_infinite()) && !sx0.is_infinite() && !x.is_infinite())
                || ((sy.is_infinite() || syy.is_infinite()) && !sy0.is_infinite() && !y.is_infinite())
                || (sxy.is_infinite()
                    && !sx0.is_infinite()
                    && !x.is_infinite()
                    && !sy0.is_infinite()
                    && !y.is_infinite())
            {
                return Err(float_overflow());
            }
            if sxx.is_infinite() {
                sxx = f64::NAN;
            }
            if syy.is_infinite() {
                syy = f64::NAN;
            }
            if sxy.is_infinite() {
                sxy = f64::NAN;
            }
        }
    } else {
        if x.is_nan() || x.is_infinite() {
            sxx = f64::NAN;
            sxy = f64::NAN;
        }
        if y.is_nan() || y.is_infinite() {
            syy = f64::NAN;
            sxy = f64::NAN;
        }
    }
    *s = [n, sx, sxx, sy, syy, sxy];
    Ok(())
}

fn regr_combine(a: [f64; 6], b: [f64; 6]) -> Result<[f64; 6]> {
    let [n1, sx1, sxx1, sy1, syy1, sxy1] = a;
    let [n2, sx2, sxx2, sy2, syy2, sxy2] = b;
    if n1 == 0.0 {
        return Ok(b);
    }
    if n2 == 0.0 {
        return Ok(a);
    }
    let n = n1 + n2;
    let sx = sx1 + sx2;
    if sx.is_infinite() && sx1.is_finite() && sx2.is_finite() {
        return Err(float_overflow());
    }
    let t1 = sx1 / n1 - sx2 / n2;
    let sxx = sxx1 + sxx2 + n1 * n2 * t1 * t1 / n;
    if sxx.is_infinite() && sxx1.is_finite() && sxx2.is_finite() {
        return Err(float_overflow());
    }
    let sy = sy1 + sy2;
    if sy.is_infinite() && sy1.is_finite() && sy2.is_finite() {
        return Err(float_overflow());
    }
    let t2 = sy1 / n1 - sy2 / n2;
    let syy = syy1 + syy2 + n1 * n2 * t2 * t2 / n;
    if syy.is_infinite() && syy1.is_finite() && syy2.is_finite() {
        return Err(float_overflow());
    }
    let sxy = sxy1 + sxy2 + n1 * n2 * t1 * t2 / n;
    if sxy.is_infinite() && sxy1.is_finite() && sxy2.is_finite() {
        return Err(float_overflow());
    }
    Ok([n, sx, sxx, sy, syy, sxy])
}

impl Accumulator for Regr {
    fn resize(&mut self, groups: usize) {
        if self.st.len() < groups {
            self.st.resize(groups, [0.0; 6]);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let ys = <f64 as Phys>::src(&args[0]);
        let xs = <f64 as Phys>::src(&args[1]);
        let st = &mut self.st;
        let mut res = Ok(());
        each_valid(groups, &[&args[0], &args[1]], |g, i| {
            if res.is_ok() {
                res = regr_add(&mut st[g], ys.get(i), xs.get(i));
            }
        });
        res
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<Regr>(o)?;
        for (g, s) in o.st.iter().enumerate() {
            if let Some(&to) = map.get(g) {
                self.resize(to as usize + 1);
                self.st[to as usize] = regr_combine(self.st[to as usize], *s)?;
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        let [n, sx, sxx, sy, syy, sxy] = self.st.get(g).copied().unwrap_or([0.0; 6]);
        if self.out == RegrOut::Count {
            return Ok(Value::Int(n as i64));
        }
        if n < 1.0 {
            return Ok(Value::Null);
        }
        let v = match self.out {
            RegrOut::Sxx => sxx,
            RegrOut::Syy => syy,
            RegrOut::Sxy => sxy,
            RegrOut::AvgX => sx / n,
            RegrOut::AvgY => sy / n,
            RegrOut::CovarPop => sxy / n,
            RegrOut::CovarSamp => {
                if n < 2.0 {
                    return Ok(Value::Null);
                }
                sxy / (n - 1.0)
            }
            RegrOut::Corr => {
                if sxx == 0.0 || syy == 0.0 {
                    return Ok(Value::Null);
                }
                sxy / (sxx * syy).sqrt()
            }
            RegrOut::R2 => {
                if sxx == 0.0 {
                    return Ok(Value::Null);
                }
                if syy == 0.0 {
                    1.0
                } else {
                    (sxy * sxy) / (sxx * syy)
                }
            }
            RegrOut::Slope => {
                if sxx == 0.0 {
                    return Ok(Value::Null);
                }
                sxy / sxx
            }
            RegrOut::Intercept => {
                if sxx == 0.0 {
                    return Ok(Value::Null);
                }
                (sy - sx * sxy / sxx) / n
            }
            RegrOut::Count => n,
        };
        Ok(Value::Float(v))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers the statistical aggregates.
pub(crate) fn register(r: &mut Registry) {
    let float_outs = [
        ("variance", FloatOut::VarSamp, NumOut::VarSamp),
        ("var_samp", FloatOut::VarSamp, NumOut::VarSamp),
        ("var_pop", FloatOut::VarPop, NumOut::VarPop),
        ("stddev", FloatOut::StddevSamp, NumOut::StddevSamp),
        ("stddev_samp", FloatOut::StddevSamp, NumOut::StddevSamp),
        ("stddev_pop", FloatOut::StddevPop, NumOut::StddevPop),
    ];
    for (name, fo, no) in float_outs {
        for ty in [t::F4, t::F8] {
            reg(r, name, Signature::exact(&[ty], t::F8), move |_| {
                Ok(Box::new(FloatAccum::new(fo)))
            });
        }
        for ty in [t::I2, t::I4, t::I8] {
            reg(r, name, Signature::exact(&[ty], t::NUM), move |_| {
                Ok(Box::new(NumVar {
                    out: no,
                    ints: true,
                    st: Vec::new(),
                }))
            });
        }
        reg(r, name, Signature::exact(&[t::NUM], t::NUM), move |_| {
            Ok(Box::new(NumVar {
                out: no,
                ints: false,
                st: Vec::new(),
            }))
        });
    }
    for (name, out) in [
        ("regr_count", RegrOut::Count),
        ("regr_sxx", RegrOut::Sxx),
        ("regr_syy", RegrOut::Syy),
        ("regr_sxy", RegrOut::Sxy),
        ("regr_avgx", RegrOut::AvgX),
        ("regr_avgy", RegrOut::AvgY),
        ("covar_pop", RegrOut::CovarPop),
        ("covar_samp", RegrOut::CovarSamp),
        ("corr", RegrOut::Corr),
        ("regr_r2", RegrOut::R2),
        ("regr_slope", RegrOut::Slope),
        ("regr_intercept", RegrOut::Intercept),
    ] {
        let ret = if out == RegrOut::Count { t::I8 } else { t::F8 };
        reg(r, name, Signature::exact(&[t::F8, t::F8], ret), move |_| {
            Ok(Box::new(Regr { out, st: Vec::new() }))
        });
    }
}
