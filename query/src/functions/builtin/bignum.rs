//! Arbitrary-precision helpers for `numeric` results that need more than the 38 digits of
//! [`Decimal`] in intermediate steps: square roots, exp/ln/log/power computed in decimal
//! fixed point with guard digits and rounded to PostgreSQL's result scale, and exact sums of
//! squares for variance.
use std::cmp::Ordering;

use crate::error::{QueryError, Result};
use crate::functions::builtin::kernels::{dec_err, qerr};
use crate::types::Decimal;
use crate::types::numeric::DecimalError;

const BASE: u64 = 1_000_000_000;

/// An unsigned integer in base 10⁹ limbs, least significant first, without high zero limbs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct BigUint(Vec<u32>);

impl BigUint {
    pub(crate) fn zero() -> BigUint {
        BigUint(Vec::new())
    }

    pub(crate) fn from_u128(mut v: u128) -> BigUint {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push((v % u128::from(BASE)) as u32);
            v /= u128::from(BASE);
        }
        BigUint(limbs)
    }

    fn trim(mut self) -> BigUint {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn cmp_big(&self, o: &BigUint) -> Ordering {
        self.0
            .len()
            .cmp(&o.0.len())
            .then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }

    pub(crate) fn add(&self, o: &BigUint) -> BigUint {
        let n = self.0.len().max(o.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let s = u64::from(*self.0.get(i).unwrap_or(&0)) + u64::from(*o.0.get(i).unwrap_or(&0)) + carry;
            out.push((s % BASE) as u32);
            carry = s / BASE;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        BigUint(out).trim()
    }

    /// `self − o`, requiring `self ≥ o`.
    pub(crate) fn sub(&self, o: &BigUint) -> BigUint {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut d = i64::from(self.0[i]) - i64::from(*o.0.get(i).unwrap_or(&0)) - borrow;
            if d < 0 {
                d += BASE as i64;
                borrow = 1;
            } else {
                borrow = 0;
            }
            out.push(d as u32);
        }
        BigUint(out).trim()
    }

    pub(crate) fn mul(&self, o: &BigUint) -> BigUint {
        if self.is_zero() || o.is_zero() {
            return BigUint::zero();
        }
        let mut acc = vec![0u64; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in o.0.iter().enumerate() {
                let cur = acc[i + j] + u64::from(a) * u64::from(b) + carry;
                acc[i + j] = cur % BASE;
                carry = cur / BASE;
            }
            let mut k = i + o.0.len();
            while carry > 0 {
                let cur = acc[k] + carry;
                acc[k] = cur % BASE;
                carry = cur / BASE;
                k += 1;
            }
        }
        BigUint(acc.into_iter().map(|x| x as u32).collect()).trim()
    }

    pub(crate) fn mul_small(&self, k: u64) -> BigUint {
        let mut out = Vec::with_capacity(self.0.len() + 2);
        let mut carry: u128 = 0;
        for &a in &self.0 {
            let cur = u128::from(a) * u128::from(k) + carry;
            out.push((cur % u128::from(BASE)) as u32);
            carry = cur / u128::from(BASE);
        }
        while carry > 0 {
            out.push((carry % u128::from(BASE)) as u32);
            carry /= u128::from(BASE);
        }
        BigUint(out).trim()
    }

    pub(crate) fn divrem_small(&self, k: u64) -> (BigUint, u64) {
        let mut out = vec![0u32; self.0.len()];
        let mut rem: u128 = 0;
        for i in (0..self.0.len()).rev() {
            let cur = rem * u128::from(BASE) + u128::from(self.0[i]);
            out[i] = (cur / u128::from(k)) as u32;
            rem = cur % u128::from(k);
        }
        (BigUint(out).trim(), rem as u64)
    }

    pub(crate) fn pow10(n: u32) -> BigUint {
        BigUint::from_u128(1).mul_pow10(n)
    }

    pub(crate) fn mul_pow10(&self, n: u32) -> BigUint {
        if self.is_zero() {
            return self.clone();
        }
        let mut limbs = vec![0u32; (n / 9) as usize];
        limbs.extend_from_slice(&self.0);
        BigUint(limbs).mul_small(10u64.pow(n % 9))
    }

    /// Quotient and remainder (decimal long division; divisor nonzero).
    pub(crate) fn divrem(&self, d: &BigUint) -> (BigUint, BigUint) {
        if d.0.len() == 1 {
            let (q, r) = self.divrem_small(u64::from(d.0[0]));
            return (q, BigUint::from_u128(u128::from(r)));
        }
        if self.cmp_big(d) == Ordering::Less {
            return (BigUint::zero(), self.clone());
        }
        let digits = self.to_string();
        let mut q = BigUint::zero();
        let mut r = BigUint::zero();
        // Precomputed multiples of the divisor.
        let mult: Vec<BigUint> = (0..10u64).map(|k| d.mul_small(k)).collect();
        for ch in digits.bytes() {
            r = r.mul_small(10).add(&BigUint::from_u128(u128::from(ch - b'0')));
            let mut k = 9usize;
            while k > 0 && mult[k].cmp_big(&r) == Ordering::Greater {
                k -= 1;
            }
            if k > 0 {
                r = r.sub(&mult[k]);
            }
            q = q.mul_small(10).add(&BigUint::from_u128(k as u128));
        }
        (q, r)
    }

    /// ⌊self / 10^k⌋ (limb shifts and one small division).
    pub(crate) fn div_pow10(&self, k: u32) -> BigUint {
        let limbs = (k / 9) as usize;
        if limbs >= self.0.len() {
            return BigUint::zero();
        }
        let shifted = BigUint(self.0[limbs..].to_vec());
        shifted.divrem_small(10u64.pow(k % 9)).0
    }

    /// self / 10^k rounded half up.
    pub(crate) fn div_pow10_round(&self, k: u32) -> BigUint {
        if k == 0 {
            return self.clone();
        }
        let (q, last) = self.div_pow10(k - 1).divrem_small(10);
        if last >= 5 {
            q.add(&BigUint::from_u128(1))
        } else {
            q
        }
    }

    /// Division rounded half up.
    pub(crate) fn div_round(&self, d: &BigUint) -> BigUint {
        let (q, r) = self.divrem(d);
        if r.mul_small(2).cmp_big(d) != Ordering::Less {
            q.add(&BigUint::from_u128(1))
        } else {
            q
        }
    }

    pub(crate) fn num_digits(&self) -> u32 {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() as u32 - 1) * 9 + top.to_string().len() as u32,
        }
    }

    pub(crate) fn to_u128(&self) -> Option<u128> {
        let mut v: u128 = 0;
        for &l in self.0.iter().rev() {
            v = v.checked_mul(u128::from(BASE))?.checked_add(u128::from(l))?;
        }
        Some(v)
    }

    /// Floor of the square root (Newton's method).
    pub(crate) fn isqrt(&self) -> BigUint {
        if self.is_zero() {
            return BigUint::zero();
        }
        // Initial guess above the root: 10^ceil(digits/2).
        let mut x = BigUint::pow10(self.num_digits().div_ceil(2));
        loop {
            let (q, _) = self.divrem(&x);
            let (y, _) = x.add(&q).divrem_small(2);
            if y.cmp_big(&x) != Ordering::Less {
                return x;
            }
            x = y;
        }
    }
}

impl std::fmt::Display for BigUint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.last() {
            None => f.write_str("0"),
            Some(top) => {
                write!(f, "{top}")?;
                for l in self.0.iter().rev().skip(1) {
                    write!(f, "{l:09}")?;
                }
                Ok(())
            }
        }
    }
}

/// A signed decimal with arbitrary precision: `(-1)^neg × mag × 10^-scale`.
#[derive(Debug, Clone)]
pub(crate) struct BigDec {
    pub(crate) neg: bool,
    pub(crate) mag: BigUint,
    pub(crate) scale: u32,
}

impl BigDec {
    pub(crate) fn from_dec(d: Decimal) -> BigDec {
        BigDec {
            neg: d.mantissa() < 0,
            mag: BigUint::from_u128(d.mantissa().unsigned_abs()),
            scale: d.scale(),
        }
    }

    pub(crate) fn from_i128(v: i128) -> BigDec {
        BigDec {
            neg: v < 0,
            mag: BigUint::from_u128(v.unsigned_abs()),
            scale: 0,
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.mag.is_zero()
    }

    /// Same value at a larger scale.
    pub(crate) fn upscale(&self, s: u32) -> BigDec {
        if s <= self.scale {
            return self.clone();
        }
        BigDec {
            neg: self.neg,
            mag: self.mag.mul_pow10(s - self.scale),
            scale: s,
        }
    }

    /// Rounded (half away from zero) to scale `s`.
    pub(crate) fn round_to(&self, s: u32) -> BigDec {
        if s >= self.scale {
            return self.upscale(s);
        }
        BigDec {
            neg: self.neg,
            mag: self.mag.div_pow10_round(self.scale - s),
            scale: s,
        }
        .norm_sign()
    }

    fn norm_sign(mut self) -> BigDec {
        if self.mag.is_zero() {
            self.neg = false;
        }
        self
    }

    pub(crate) fn add(&self, o: &BigDec) -> BigDec {
        let s = self.scale.max(o.scale);
        let (a, b) = (self.upscale(s), o.upscale(s));
        if a.neg == b.neg {
            return BigDec {
                neg: a.neg,
                mag: a.mag.add(&b.mag),
                scale: s,
            }
            .norm_sign();
        }
        match a.mag.cmp_big(&b.mag) {
            Ordering::Less => BigDec {
                neg: b.neg,
                mag: b.mag.sub(&a.mag),
                scale: s,
            },
            _ => BigDec {
                neg: a.neg,
                mag: a.mag.sub(&b.mag),
                scale: s,
            },
        }
        .norm_sign()
    }

    pub(crate) fn sub(&self, o: &BigDec) -> BigDec {
        let mut n = o.clone();
        n.neg = !n.neg;
        self.add(&n.norm_sign())
    }

    pub(crate) fn mul(&self, o: &BigDec) -> BigDec {
        BigDec {
            neg: self.neg != o.neg,
            mag: self.mag.mul(&o.mag),
            scale: self.scale + o.scale,
        }
        .norm_sign()
    }

    /// `self / o` rounded to scale `s` (o nonzero).
    pub(crate) fn div(&self, o: &BigDec, s: u32) -> BigDec {
        // q = a.mag × 10^(s + o.scale − a.scale) / o.mag
        let shift = i64::from(s) + i64::from(o.scale) - i64::from(self.scale);
        let (num, den) = if shift >= 0 {
            (self.mag.mul_pow10(shift as u32), o.mag.clone())
        } else {
            (self.mag.clone(), o.mag.mul_pow10((-shift) as u32))
        };
        BigDec {
            neg: self.neg != o.neg,
            mag: num.div_round(&den),
            scale: s,
        }
        .norm_sign()
    }

    /// PostgreSQL's weight (base-10000 digits before the point minus one) and first base-10000
    /// digit.
    pub(crate) fn weight_first(&self) -> (i64, u64) {
        if self.mag.is_zero() {
            return (0, 0);
        }
        let digits = self.mag.to_string();
        let int_digits = digits.len() as i64 - i64::from(self.scale);
        let w = (int_digits - 1).div_euclid(4);
        // The first group covers decimal exponents 4w .. 4w+3.
        let lead = int_digits - 4 * w; // digits of the first group present at the top (1..=4)
        let mut take: String = digits.chars().take(lead.max(0) as usize).collect();
        while (take.len() as i64) < lead {
            take.push('0');
        }
        let first = take.parse::<u64>().unwrap_or(0);
        (w, first)
    }

    /// To a [`Decimal`] (overflow when beyond 38 digits).
    pub(crate) fn to_dec(&self) -> Result<Decimal> {
        let mut v = self.clone();
        // Decimal keeps at most 38 digits; reduce the scale if only the fraction is too long.
        let m = match v.mag.to_u128() {
            Some(m) if m < 10u128.pow(38) => m,
            _ => {
                let int_digits = v.mag.num_digits() as i64 - i64::from(v.scale);
                if int_digits > 38 {
                    return Err(dec_err(DecimalError::Overflow));
                }
                let keep = (38 - int_digits).max(0) as u32;
                v = v.round_to(keep.min(v.scale));
                match v.mag.to_u128() {
                    Some(m) if m < 10u128.pow(38) => m,
                    _ => return Err(dec_err(DecimalError::Overflow)),
                }
            }
        };
        let m = m as i128;
        Ok(Decimal::new(if v.neg { -m } else { m }, v.scale))
    }
}

/// PostgreSQL's `select_div_scale` for big operands.
pub(crate) fn div_scale(a: &BigDec, b: &BigDec) -> u32 {
    let (w1, f1) = a.weight_first();
    let (w2, f2) = b.weight_first();
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    (16 - qweight * 4)
        .max(i64::from(a.scale))
        .max(i64::from(b.scale))
        .clamp(0, 1000) as u32
}

/// Base-10000 weight of a decimal (PostgreSQL's `NumericVar.weight`).
pub(crate) fn nbase_weight(x: Decimal) -> i64 {
    BigDec::from_dec(x).weight_first().0
}

/// Square root rounded to `rscale` digits.
pub(crate) fn sqrt(x: Decimal, rscale: u32) -> Result<Decimal> {
    let rscale = rscale.min(MAX_RSCALE);
    sqrt_big(&BigDec::from_dec(x), rscale).to_dec()
}

/// Square root of a nonnegative big decimal, rounded to `rscale`.
pub(crate) fn sqrt_big(x: &BigDec, rscale: u32) -> BigDec {
    // sqrt(m × 10^-s) at scale r+1 = isqrt(m × 10^(2(r+1) − s)) × 10^-(r+1)
    let target = 2 * (rscale + 1);
    let n = if target >= x.scale {
        x.mag.mul_pow10(target - x.scale)
    } else {
        x.mag.div_pow10(x.scale - target)
    };
    let r = n.isqrt();
    BigDec {
        neg: false,
        mag: r,
        scale: rscale + 1,
    }
    .round_to(rscale)
}

/// PostgreSQL's `estimate_ln_dweight`.
pub(crate) fn estimate_ln_dweight(x: Decimal) -> i64 {
    if x.signum() <= 0 {
        return 0;
    }
    let nine = Decimal::new(9, 1);
    let eleven = Decimal::new(11, 1);
    if x >= nine && x <= eleven {
        let d = x
            .checked_sub(Decimal::from_i64(1))
            .unwrap_or(Decimal::from_i64(0));
        if d.is_zero() {
            return 0;
        }
        let b = BigDec::from_dec(d);
        let (w, first) = b.weight_first();
        return w * 4 + (first as f64).log10() as i64;
    }
    let b = BigDec::from_dec(x);
    let (w, _) = b.weight_first();
    // First two base-10000 digits.
    let s = b.mag.to_string();
    let int_digits = s.len() as i64 - i64::from(b.scale);
    let lead = (int_digits - 4 * w) as usize;
    let mut digits_str: String = s.chars().take(lead + 4).collect();
    while digits_str.len() < lead {
        digits_str.push('0');
    }
    let mut dweight = w * 4;
    let full = digits_str.len() > lead;
    while full && digits_str.len() < lead + 4 {
        digits_str.push('0');
    }
    if full {
        dweight -= 4;
    } else {
        digits_str.truncate(lead);
    }
    let digits: f64 = digits_str.parse().unwrap_or(1.0);
    let ln = digits.ln() + dweight as f64 * std::f64::consts::LN_10;
    ln.abs().log10() as i64
}

// ---------------------------------------------------------------------------------------------
// Fixed-point transcendental functions. A value is a BigDec at working scale `w`.

fn one(w: u32) -> BigDec {
    BigDec {
        neg: false,
        mag: BigUint::pow10(w),
        scale: w,
    }
}

fn fx_mul(a: &BigDec, b: &BigDec, w: u32) -> BigDec {
    a.mul(b).round_to(w)
}

/// exp(x) for |x| < 1 by its Taylor series.
fn exp_small(x: &BigDec, w: u32) -> BigDec {
    let mut sum = one(w);
    let mut term = one(w);
    let mut k = 1u64;
    loop {
        term = fx_mul(&term, x, w);
        let (q, _) = term.mag.divrem_small(k);
        term.mag = q;
        if term.mag.is_zero() {
            break;
        }
        sum = sum.add(&term);
        k += 1;
    }
    sum
}

/// exp(x) at working scale `w`.
fn exp_fx(x: &BigDec, w: u32) -> BigDec {
    let neg = x.neg;
    let ax = BigDec {
        neg: false,
        ..x.clone()
    }
    .round_to(w);
    // Split into integer and fractional parts.
    let int_part = ax.mag.div_pow10(w);
    let n = int_part.to_u128().unwrap_or(u128::MAX);
    let frac = ax.sub(&BigDec {
        neg: false,
        mag: int_part.mul_pow10(w),
        scale: w,
    });
    let mut r = exp_small(&frac, w);
    if n > 0 {
        let e = exp_small(&one(w), w);
        let mut base = e;
        let mut k = n;
        let mut acc = one(w);
        while k > 0 {
            if k & 1 == 1 {
                acc = fx_mul(&acc, &base, w);
            }
            k >>= 1;
            if k > 0 {
                base = fx_mul(&base, &base, w);
            }
        }
        r = fx_mul(&r, &acc, w);
    }
    if neg { one(w).div(&r, w) } else { r }
}

/// ln(x) for x > 0 at working scale `w`.
fn ln_fx(x: &BigDec, w: u32) -> BigDec {
    // x = y × 10^k with 1 ≤ y < 10.
    let digits = x.mag.num_digits() as i64;
    let k = digits - i64::from(x.scale) - 1;
    let y = BigDec {
        neg: false,
        mag: x.mag.clone(),
        scale: (digits - 1) as u32,
    }
    .round_to(w);
    let ln_y = ln_reduced(&y, w);
    if k == 0 {
        return ln_y;
    }
    let ten = BigDec::from_i128(10).upscale(w);
    let ln10 = ln_reduced(&ten, w);
    let kk = BigDec::from_i128(i128::from(k));
    ln_y.add(&ln10.mul(&kk).round_to(w))
}

/// ln(y) for y in [1, 10] via square roots and the atanh series.
fn ln_reduced(y: &BigDec, w: u32) -> BigDec {
    let mut t = y.clone();
    let roots = 6u32;
    for _ in 0..roots {
        t = sqrt_big(&t, w);
    }
    let o = one(w);
    let z = t.sub(&o).div(&t.add(&o), w);
    let z2 = fx_mul(&z, &z, w);
    let mut sum = z.clone();
    let mut pow = z;
    let mut k = 3u64;
    loop {
        pow = fx_mul(&pow, &z2, w);
        let (term, _) = pow.mag.divrem_small(k);
        if term.is_zero() {
            break;
        }
        sum = sum.add(&BigDec {
            neg: pow.neg,
            mag: term,
            scale: w,
        });
        k += 2;
    }
    // ln(y) = 2^roots × 2 × atanh(z)
    BigDec {
        neg: sum.neg,
        mag: sum.mag.mul_small(1u64 << (roots + 1)),
        scale: w,
    }
}

/// Largest result scale computed: [`Decimal`] keeps at most 38 digits after the point.
pub(crate) const MAX_RSCALE: u32 = 38;

/// `exp(numeric)` rounded to `rscale`.
pub(crate) fn exp(x: Decimal, rscale: u32) -> Result<Decimal> {
    let rscale = rscale.min(MAX_RSCALE);
    let d = (x.to_f64() * std::f64::consts::LOG10_E).abs();
    if d > 40.0 && x.signum() > 0 {
        return Err(dec_err(DecimalError::Overflow));
    }
    if d > f64::from(rscale) + 2.0 && x.signum() < 0 {
        return Ok(Decimal::new(0, rscale));
    }
    let w = rscale + d.ceil() as u32 + 12;
    exp_fx(&BigDec::from_dec(x), w).round_to(rscale).to_dec()
}

/// `ln(numeric)` rounded to `rscale`.
pub(crate) fn ln(x: Decimal, rscale: u32) -> Result<Decimal> {
    let rscale = rscale.min(MAX_RSCALE);
    let w = rscale + 12;
    ln_fx(&BigDec::from_dec(x), w).round_to(rscale).to_dec()
}

/// `log(b, x)` rounded to `rscale`.
pub(crate) fn log(b: Decimal, x: Decimal, rscale: u32) -> Result<Decimal> {
    let rscale = rscale.min(MAX_RSCALE);
    let extra = estimate_ln_dweight(b).unsigned_abs() + estimate_ln_dweight(x).unsigned_abs();
    let w = rscale + 16 + extra as u32;
    let lb = ln_fx(&BigDec::from_dec(b), w);
    if lb.is_zero() {
        return Err(crate::functions::builtin::kernels::div_zero());
    }
    let lx = ln_fx(&BigDec::from_dec(x), w);
    lx.div(&lb, w).round_to(rscale).to_dec()
}

/// `b ^ e` for a non-integer exponent, with PostgreSQL's result scale.
pub(crate) fn power(b: Decimal, e: Decimal) -> Result<Decimal> {
    let approx = b.to_f64().ln() * e.to_f64();
    if approx.abs() > 6020.0 {
        if approx > 0.0 {
            return Err(dec_err(DecimalError::Overflow));
        }
        return Ok(Decimal::new(0, 16));
    }
    #[allow(clippy::approx_constant)]
    let val = (approx * 0.434294481903252).clamp(-2000.0, 2000.0);
    if val > 38.0 {
        return Err(dec_err(DecimalError::Overflow));
    }
    let rscale = (16 - val as i64)
        .max(i64::from(b.scale()))
        .max(i64::from(e.scale()))
        .clamp(0, i64::from(MAX_RSCALE)) as u32;
    if val < -(f64::from(rscale) + 2.0) {
        return Ok(Decimal::new(0, rscale));
    }
    let e_digits = e.trunc(0).mantissa().unsigned_abs().to_string().len() as u32;
    let w = rscale + val.abs().ceil() as u32 + e_digits + 14;
    let lb = ln_fx(&BigDec::from_dec(b), w);
    let arg = lb.mul(&BigDec::from_dec(e)).round_to(w);
    // |arg| ≥ 100: e^arg is beyond 38 digits either way.
    if arg.mag.num_digits() as i64 - i64::from(arg.scale) > 2 {
        return if arg.neg {
            Ok(Decimal::new(0, rscale))
        } else {
            Err(dec_err(DecimalError::Overflow))
        };
    }
    exp_fx(&arg, w).round_to(rscale).to_dec()
}

/// `b ^ n` for an integer exponent, rounded to `rscale`.
pub(crate) fn power_int(b: Decimal, n: i64, rscale: u32) -> Result<Decimal> {
    let rscale = rscale.min(MAX_RSCALE);
    if n == 0 {
        return Ok(Decimal::new(10i128.pow(rscale.min(37)), rscale.min(37)));
    }
    let bb = BigDec::from_dec(b);
    if bb.is_zero() {
        return Ok(Decimal::new(0, rscale));
    }
    // Estimated decimal weight of the result.
    let f = n as f64 * b.to_f64().abs().log10();
    if f > 40.0 {
        return Err(dec_err(DecimalError::Overflow));
    }
    if f + 1.0 < -(f64::from(rscale)) {
        return Ok(Decimal::new(0, rscale));
    }
    let m = n.unsigned_abs();
    let digits = u64::from(bb.mag.num_digits()).saturating_mul(m);
    let p = if digits <= 3000 {
        // Exact.
        let mut acc = BigDec::from_i128(1);
        let mut base = bb.clone();
        let mut k = m;
        while k > 0 {
            if k & 1 == 1 {
                acc = acc.mul(&base);
            }
            k >>= 1;
            if k > 0 {
                base = base.mul(&base);
            }
        }
        acc
    } else {
        // Fixed point with guard digits.
        let w = rscale + f.abs().ceil() as u32 + 30;
        let mut acc = one(w);
        let mut base = bb.round_to(w);
        let mut k = m;
        while k > 0 {
            if k & 1 == 1 {
                acc = fx_mul(&acc, &base, w);
            }
            k >>= 1;
            if k > 0 {
                base = fx_mul(&base, &base, w);
            }
        }
        acc
    };
    let r = if n < 0 {
        BigDec::from_i128(1).div(&p, rscale)
    } else {
        p.round_to(rscale)
    };
    r.to_dec()
}

/// ⌊num × n / den⌋ + 1, clamped to n (numeric width_bucket).
pub(crate) fn bucket(num: Decimal, den: Decimal, n: i64) -> Result<i64> {
    let s = num.scale().max(den.scale());
    let a = BigDec::from_dec(num).upscale(s);
    let b = BigDec::from_dec(den).upscale(s);
    let (q, _) = a.mag.mul_small(n.unsigned_abs()).divrem(&b.mag);
    let q = q
        .to_u128()
        .and_then(|v| i64::try_from(v).ok())
        .ok_or_else(overflow)?;
    Ok((q + 1).min(n))
}

fn overflow() -> QueryError {
    qerr("22003", "integer out of range")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn big_arithmetic() {
        let a = BigUint::from_u128(123_456_789_012_345_678_901_234_567_890);
        let b = BigUint::from_u128(987_654_321);
        let p = a.mul(&b);
        assert_eq!(p.to_string(), "121932631124828532112482853211126352690");
        let (q, r) = p.divrem(&a);
        assert_eq!(q.to_string(), "987654321");
        assert!(r.is_zero());
        assert_eq!(BigUint::from_u128(1_000_000).isqrt().to_string(), "1000");
        assert_eq!(BigUint::pow10(40).isqrt().to_string(), "100000000000000000000");
    }

    #[test]
    fn transcendental_match_postgres() {
        // Values from PostgreSQL 15.
        assert_eq!(sqrt(d("2"), 15).unwrap().to_string(), "1.414213562373095");
        assert_eq!(exp(d("2.5"), 15).unwrap().to_string(), "12.182493960703473");
        assert_eq!(ln(d("10.5"), 16).unwrap().to_string(), "2.3513752571634777");
        assert_eq!(ln(d("2"), 16).unwrap().to_string(), "0.6931471805599453");
        assert_eq!(power(d("2"), d("0.5")).unwrap().to_string(), "1.4142135623730950");
        assert_eq!(
            power_int(d("1.1"), 100, 16).unwrap().to_string(),
            "13780.6123398222701841"
        );
        assert_eq!(log(d("2"), d("8"), 16).unwrap().to_string(), "3.0000000000000000");
    }
}
