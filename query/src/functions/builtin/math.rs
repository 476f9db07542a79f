//! Mathematical functions: abs, rounding, roots, powers, logarithms, trigonometry, integer
//! helpers (mod, div, gcd, lcm, factorial), random numbers and width_bucket.
use std::sync::Mutex;

use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::bignum;
use crate::functions::builtin::kernels::{
    check_int, dec_err, dec_of, div_zero, f64_of, float_overflow, float_underflow, int_of, int_range_err,
    map_values, map1, map2, qerr, reg_rows, reg_vec, t,
};
use crate::functions::{Registry, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Decimal, Value};
use crate::vector::Vector;

/// 2201E for logarithms.
fn log_err(msg: &str) -> QueryError {
    qerr("2201E", msg)
}

/// 2201F for powers and roots.
fn pow_err(msg: &str) -> QueryError {
    qerr("2201F", msg)
}

/// 22003 "input is out of range".
fn input_range() -> QueryError {
    qerr(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range")
}

/// Checks a float result for overflow/underflow as PostgreSQL's `check_float8_val` does.
fn check_f(r: f64, inf_ok: bool, zero_ok: bool) -> Result<f64> {
    if r.is_infinite() && !inf_ok {
        return Err(float_overflow());
    }
    if r == 0.0 && !zero_ok {
        return Err(float_underflow());
    }
    Ok(r)
}

/// `sqrt(float8)`.
pub(crate) fn dsqrt(x: f64) -> Result<f64> {
    if x < 0.0 {
        return Err(pow_err("cannot take square root of a negative number"));
    }
    Ok(x.sqrt())
}

/// Cube root computed as glibc does (a polynomial guess refined by one Halley step), so that
/// results agree with PostgreSQL's to the last bit.
#[allow(clippy::excessive_precision)]
pub(crate) fn dcbrt(x: f64) -> Result<f64> {
    const CBRT2: f64 = 1.259_921_049_894_873_164_8;
    const SQR_CBRT2: f64 = 1.587_401_051_968_199_474_8;
    let factor = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
    if x == 0.0 || !x.is_finite() {
        return Ok(x + x);
    }
    let (xm, xe) = frexp(x.abs());
    let u = 0.354_895_765_043_919_86
        + ((1.508_191_937_815_848_96
            + ((-2.114_994_941_673_712_87
                + ((2.446_931_225_635_344_3
                    + ((-1.834_692_774_836_130_86
                        + (0.784_932_344_976_639_262 - 0.145_263_899_385_486_377 * xm) * xm)
                        * xm))
                    * xm))
                * xm))
            * xm);
    let t2 = u * u * u;
    let ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * factor[(2 + xe % 3) as usize];
    Ok(ldexp(if x > 0.0 { ym } else { -ym }, xe / 3))
}

/// C's `frexp` for finite nonzero `x`: `x = m × 2^e`, `0.5 ≤ |m| < 1`.
fn frexp(x: f64) -> (f64, i32) {
    let (x, extra) = if x.abs() < f64::MIN_POSITIVE {
        (x * 2f64.powi(54), -54)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e - 1022 + extra)
}

/// C's `ldexp`: `x × 2^e` rounded once.
fn ldexp(x: f64, e: i32) -> f64 {
    if e > 1023 {
        return ldexp(x * 2f64.powi(1023), e - 1023);
    }
    if e < -1022 {
        // Scale in two steps to keep subnormal rounding single.
        let step = (e + 1022).max(-1022 - 52);
        return x * 2f64.powi(-1022) * 2f64.powi(step);
    }
    x * 2f64.powi(e)
}

/// `power(float8, float8)` with PostgreSQL's special cases.
pub(crate) fn dpow(x: f64, y: f64) -> Result<f64> {
    if x.is_nan() {
        return Ok(if y == 0.0 { 1.0 } else { f64::NAN });
    }
    if y.is_nan() {
        return Ok(if x == 1.0 { 1.0 } else { f64::NAN });
    }
    if x == 0.0 && y < 0.0 {
        return Err(pow_err("zero raised to a negative power is undefined"));
    }
    if x < 0.0 && y.is_finite() && y.floor() != y {
        return Err(pow_err(
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    let r = if y.is_infinite() {
        let ax = x.abs();
        if ax == 1.0 {
            1.0
        } else if (ax > 1.0) == (y > 0.0) {
            f64::INFINITY
        } else {
            0.0
        }
    } else if x.is_infinite() {
        if y == 0.0 {
            1.0
        } else if x > 0.0 {
            if y > 0.0 { f64::INFINITY } else { 0.0 }
        } else {
            let odd = y.abs() % 2.0 == 1.0;
            match (y > 0.0, odd) {
                (true, true) => f64::NEG_INFINITY,
                (true, false) => f64::INFINITY,
                (false, true) => -0.0,
                (false, false) => 0.0,
            }
        }
    } else {
        x.powf(y)
    };
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(float_overflow());
    }
    if r == 0.0 && x != 0.0 && x.is_finite() && y.is_finite() {
        return Err(float_underflow());
    }
    Ok(r)
}

fn dexp(x: f64) -> Result<f64> {
    if x.is_nan() {
        return Ok(x);
    }
    let r = x.exp();
    if r.is_infinite() && x.is_finite() {
        return Err(float_overflow());
    }
    if r == 0.0 && x.is_finite() {
        return Err(float_underflow());
    }
    Ok(r)
}

fn dlog(x: f64, ten: bool) -> Result<f64> {
    if x == 0.0 {
        return Err(log_err("cannot take logarithm of zero"));
    }
    if x < 0.0 {
        return Err(log_err("cannot take logarithm of a negative number"));
    }
    Ok(if ten { x.log10() } else { x.ln() })
}

fn trig(name: &str, x: f64) -> Result<f64> {
    if x.is_nan() {
        return Ok(x);
    }
    let r = match name {
        "sin" | "cos" | "tan" | "cot" => {
            if x.is_infinite() {
                return Err(input_range());
            }
            match name {
                "sin" => x.sin(),
                "cos" => x.cos(),
                "tan" => x.tan(),
                _ => 1.0 / x.tan(),
            }
        }
        "asin" | "acos" => {
            if !(-1.0..=1.0).contains(&x) {
                return Err(input_range());
            }
            if name == "asin" { x.asin() } else { x.acos() }
        }
        "atan" => x.atan(),
        "sinh" => x.sinh(),
        "cosh" => x.cosh(),
        "tanh" => x.tanh(),
        "asinh" => x.asinh(),
        "acosh" => {
            if x < 1.0 {
                return Err(input_range());
            }
            x.acosh()
        }
        "atanh" => {
            if !(-1.0..=1.0).contains(&x) {
                return Err(input_range());
            }
            x.atanh()
        }
        _ => x,
    };
    if r.is_infinite() && !matches!(name, "tan" | "cot" | "atanh" | "sinh" | "cosh") {
        return Err(float_overflow());
    }
    Ok(r)
}

#[allow(clippy::excessive_precision)]
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_519_943_295_769_2;

fn sind_0_to_30(x: f64) -> f64 {
    let sin_30 = (RADIANS_PER_DEGREE * 30.0).sin();
    ((x * RADIANS_PER_DEGREE).sin() / sin_30) / 2.0
}

fn cosd_0_to_60(x: f64) -> f64 {
    let one_minus_cos_60 = 1.0 - (RADIANS_PER_DEGREE * 60.0).cos();
    1.0 - ((1.0 - (x * RADIANS_PER_DEGREE).cos()) / one_minus_cos_60) / 2.0
}

fn sind_q1(x: f64) -> f64 {
    if x <= 30.0 {
        sind_0_to_30(x)
    } else {
        cosd_0_to_60(90.0 - x)
    }
}

fn cosd_q1(x: f64) -> f64 {
    if x <= 60.0 {
        cosd_0_to_60(x)
    } else {
        sind_0_to_30(90.0 - x)
    }
}

fn asind_q1(x: f64) -> f64 {
    if x <= 0.5 {
        (x.asin() / 0.5f64.asin()) * 30.0
    } else {
        90.0 - (x.acos() / 0.5f64.acos()) * 60.0
    }
}

fn acosd_q1(x: f64) -> f64 {
    if x <= 0.5 {
        90.0 - (x.asin() / 0.5f64.asin()) * 30.0
    } else {
        (x.acos() / 0.5f64.acos()) * 60.0
    }
}

/// Degree-based trigonometry, exact at the usual angles, computed as PostgreSQL does.
fn trigd(name: &str, x: f64) -> Result<f64> {
    if x.is_nan() {
        return Ok(x);
    }
    let r = match name {
        "asind" | "acosd" => {
            if !(-1.0..=1.0).contains(&x) {
                return Err(input_range());
            }
            match (name, x >= 0.0) {
                ("asind", true) => asind_q1(x),
                ("asind", false) => -asind_q1(-x),
                (_, true) => acosd_q1(x),
                _ => 90.0 + asind_q1(-x),
            }
        }
        "atand" => (x.atan() / 1f64.atan()) * 45.0,
        _ => {
            if x.is_infinite() {
                return Err(input_range());
            }
            let mut a = x % 360.0;
            let mut sign = 1.0;
            let odd_neg = name != "cosd";
            if a < 0.0 {
                a = -a;
                if odd_neg {
                    sign = -sign;
                }
            }
            if a > 180.0 {
                a = 360.0 - a;
                if odd_neg {
                    sign = -sign;
                }
            }
            if a > 90.0 {
                a = 180.0 - a;
                if name != "sind" {
                    sign = -sign;
                }
            }
            let r = match name {
                "sind" => sign * sind_q1(a),
                "cosd" => sign * cosd_q1(a),
                "tand" => {
                    let tan_45 = sind_q1(45.0) / cosd_q1(45.0);
                    sign * ((sind_q1(a) / cosd_q1(a)) / tan_45)
                }
                _ => {
                    let cot_45 = cosd_q1(45.0) / sind_q1(45.0);
                    sign * ((cosd_q1(a) / sind_q1(a)) / cot_45)
                }
            };
            if r == 0.0 { 0.0 } else { r }
        }
    };
    if r.is_infinite() && !matches!(name, "tand" | "cotd") {
        return Err(float_overflow());
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// numeric

/// `sqrt(numeric)` with PostgreSQL's result scale.
pub(crate) fn numeric_sqrt(x: Decimal) -> Result<Decimal> {
    if x.signum() < 0 {
        return Err(pow_err("cannot take square root of a negative number"));
    }
    let w = bignum::nbase_weight(x);
    let sweight = (w + 1) * 4 / 2 - 1;
    let rscale = (16 - sweight).max(i64::from(x.scale())).clamp(0, 1000);
    bignum::sqrt(x, rscale as u32)
}

/// PostgreSQL's approximation of log10(e) in its scale estimates.
#[allow(clippy::approx_constant)]
const PG_LOG10_E: f64 = 0.434294481903252;

/// `exp(numeric)`.
pub(crate) fn numeric_exp(x: Decimal) -> Result<Decimal> {
    let val = (x.to_f64() * PG_LOG10_E).clamp(-2000.0, 2000.0);
    let rscale = (16 - val as i64).max(i64::from(x.scale())).clamp(0, 1000);
    bignum::exp(x, rscale as u32)
}

/// `ln(numeric)`.
pub(crate) fn numeric_ln(x: Decimal) -> Result<Decimal> {
    match x.signum() {
        0 => return Err(log_err("cannot take logarithm of zero")),
        -1 => return Err(log_err("cannot take logarithm of a negative number")),
        _ => {}
    }
    let rscale = (16 - bignum::estimate_ln_dweight(x))
        .max(i64::from(x.scale()))
        .clamp(0, 1000);
    bignum::ln(x, rscale as u32)
}

/// `log(base, x)` for numerics.
pub(crate) fn numeric_log(b: Decimal, x: Decimal) -> Result<Decimal> {
    for v in [b, x] {
        match v.signum() {
            0 => return Err(log_err("cannot take logarithm of zero")),
            -1 => return Err(log_err("cannot take logarithm of a negative number")),
            _ => {}
        }
    }
    let dw = bignum::estimate_ln_dweight(x) - bignum::estimate_ln_dweight(b);
    let rscale = (16 - dw)
        .max(i64::from(b.scale()))
        .max(i64::from(x.scale()))
        .clamp(0, 1000);
    bignum::log(b, x, rscale as u32)
}

/// `numeric ^ numeric`.
pub(crate) fn numeric_power(b: Decimal, e: Decimal) -> Result<Decimal> {
    if b.is_zero() && e.signum() < 0 {
        return Err(pow_err("zero raised to a negative power is undefined"));
    }
    let e_int = e.trunc(0);
    let is_int = e_int == e;
    if b.signum() < 0 && !is_int {
        return Err(pow_err(
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    if is_int && let Some(n) = e_int.to_i64().filter(|n| i32::try_from(*n).is_ok()) {
        let rscale = 16u32.max(b.scale()).min(1000);
        return bignum::power_int(b, n, rscale);
    }
    if b.is_zero() {
        return Ok(Decimal::new(0, 16));
    }
    bignum::power(b, e)
}

fn numeric_round(x: Decimal, s: i64) -> Result<Decimal> {
    let s = s.clamp(-1000, 1000) as i32;
    x.round(s).map_err(dec_err)
}

fn numeric_trunc(x: Decimal, s: i64) -> Decimal {
    if s >= 0 {
        x.trunc(s as u32)
    } else {
        let f = 10i128.checked_pow(s.unsigned_abs() as u32);
        let whole = x.trunc(0).mantissa();
        match f {
            Some(f) => Decimal::new(whole / f * f, 0),
            None => Decimal::new(0, 0),
        }
    }
}

fn gcd_u(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

fn width_bucket(op: f64, lo: f64, hi: f64, count: i64) -> Result<i64> {
    if count <= 0 {
        return Err(qerr("2201G", "count must be greater than zero"));
    }
    if lo.is_nan() || hi.is_nan() || op.is_nan() {
        return Err(qerr(
            "2201G",
            "operand, lower bound, and upper bound cannot be NaN",
        ));
    }
    if lo.is_infinite() || hi.is_infinite() {
        return Err(qerr("2201G", "lower and upper bounds must be finite"));
    }
    if lo == hi {
        return Err(qerr("2201G", "lower bound cannot equal upper bound"));
    }
    let c = count as f64;
    let r = if lo < hi {
        if op < lo {
            0
        } else if op >= hi {
            count
                .checked_add(1)
                .ok_or_else(|| int_range_err(&DataType::Int4))?
        } else if (hi - lo).is_finite() {
            ((c * ((op - lo) / (hi - lo))) as i64 + 1).min(count)
        } else {
            ((c * (op / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0)) as i64 + 1).min(count)
        }
    } else if op > lo {
        0
    } else if op <= hi {
        count
            .checked_add(1)
            .ok_or_else(|| int_range_err(&DataType::Int4))?
    } else if (lo - hi).is_finite() {
        ((c * ((lo - op) / (lo - hi))) as i64 + 1).min(count)
    } else {
        ((c * (lo / 2.0 - op / 2.0) / (lo / 2.0 - hi / 2.0)) as i64 + 1).min(count)
    };
    check_int(r, &DataType::Int4)
}

/// State of `random()`: xorshift seeded from the clock, or by `setseed`.
static RNG: Mutex<Option<u64>> = Mutex::new(None);

fn next_random() -> f64 {
    let mut g = match RNG.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let mut s = g.unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64);
        t ^ 0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id())
    });
    // splitmix64
    s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    *g = Some(s);
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn float_fn(r: &mut Registry, name: &str, f: fn(f64) -> Result<f64>) {
    reg_vec(
        r,
        name,
        Signature::exact(&[t::F8], t::F8),
        move |_c, a, ret, _| map1::<f64, f64>(&a[0], ret, f),
    );
}

fn num_fn(r: &mut Registry, name: &str, f: fn(Decimal) -> Result<Decimal>) {
    reg_vec(
        r,
        name,
        Signature::exact(&[t::NUM], t::NUM),
        move |_c, a, ret, len| map_values(a, ret, len, |v| Ok(Value::Numeric(f(dec_of(&v[0]))?))),
    );
}

/// Registers the math functions.
pub(crate) fn register(r: &mut Registry) {
    for ty in [t::I2, t::I4, t::I8] {
        reg_vec(
            r,
            "abs",
            Signature::exact(std::slice::from_ref(&ty), ty.clone()),
            |_c, a, ret, _| {
                let rt = ret.clone();
                map1::<i64, i64>(&a[0], ret, move |x| {
                    check_int(x.checked_abs().ok_or_else(|| int_range_err(&rt))?, &rt)
                })
            },
        );
        reg_vec(
            r,
            "mod",
            Signature::exact(&[ty.clone(), ty.clone()], ty.clone()),
            |_c, a, ret, _| {
                map2::<i64, i64, i64>(&a[0], &a[1], ret, |x, y| {
                    if y == 0 {
                        return Err(div_zero());
                    }
                    Ok(if y == -1 { 0 } else { x % y })
                })
            },
        );
    }
    for ty in [t::F4, t::F8] {
        reg_vec(
            r,
            "abs",
            Signature::exact(std::slice::from_ref(&ty), ty.clone()),
            |_c, a, ret, _| map1::<f64, f64>(&a[0], ret, |x| Ok(x.abs())),
        );
    }
    num_fn(r, "abs", |x| Ok(x.abs()));
    reg_rows(r, "mod", &[t::NUM, t::NUM], t::NUM, |_c, v| {
        Ok(Value::Numeric(
            dec_of(&v[0]).checked_rem(dec_of(&v[1])).map_err(dec_err)?,
        ))
    });

    // Rounding.
    float_fn(r, "round", |x| Ok(x.round_ties_even()));
    float_fn(r, "trunc", |x| Ok(x.trunc()));
    float_fn(r, "floor", |x| Ok(x.floor()));
    float_fn(r, "ceil", |x| Ok(x.ceil()));
    float_fn(r, "ceiling", |x| Ok(x.ceil()));
    num_fn(r, "round", |x| numeric_round(x, 0));
    num_fn(r, "trunc", |x| Ok(numeric_trunc(x, 0)));
    num_fn(r, "floor", |x| Ok(x.floor()));
    num_fn(r, "ceil", |x| Ok(x.ceil()));
    num_fn(r, "ceiling", |x| Ok(x.ceil()));
    reg_rows(r, "round", &[t::NUM, t::I4], t::NUM, |_c, v| {
        Ok(Value::Numeric(numeric_round(dec_of(&v[0]), int_of(&v[1]))?))
    });
    reg_rows(r, "trunc", &[t::NUM, t::I4], t::NUM, |_c, v| {
        Ok(Value::Numeric(numeric_trunc(dec_of(&v[0]), int_of(&v[1]))))
    });
    float_fn(r, "sign", |x| {
        Ok(if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        })
    });
    num_fn(r, "sign", |x| Ok(Decimal::from_i64(i64::from(x.signum()))));

    // Roots, powers, logarithms.
    float_fn(r, "sqrt", dsqrt);
    float_fn(r, "cbrt", dcbrt);
    num_fn(r, "sqrt", numeric_sqrt);
    for name in ["power", "pow"] {
        reg_vec(
            r,
            name,
            Signature::exact(&[t::F8, t::F8], t::F8),
            |_c, a, ret, _| map2::<f64, f64, f64>(&a[0], &a[1], ret, dpow),
        );
        reg_rows(r, name, &[t::NUM, t::NUM], t::NUM, |_c, v| {
            Ok(Value::Numeric(numeric_power(dec_of(&v[0]), dec_of(&v[1]))?))
        });
    }
    float_fn(r, "exp", dexp);
    num_fn(r, "exp", numeric_exp);
    float_fn(r, "ln", |x| dlog(x, false));
    float_fn(r, "log", |x| dlog(x, true));
    float_fn(r, "log10", |x| dlog(x, true));
    num_fn(r, "ln", numeric_ln);
    num_fn(r, "log", |x| numeric_log(Decimal::from_i64(10), x));
    num_fn(r, "log10", |x| numeric_log(Decimal::from_i64(10), x));
    reg_rows(r, "log", &[t::NUM, t::NUM], t::NUM, |_c, v| {
        Ok(Value::Numeric(numeric_log(dec_of(&v[0]), dec_of(&v[1]))?))
    });

    // Trigonometry.
    for name in [
        "sin", "cos", "tan", "cot", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    ] {
        let n: &'static str = name;
        reg_vec(
            r,
            name,
            Signature::exact(&[t::F8], t::F8),
            move |_c, a, ret, _| map1::<f64, f64>(&a[0], ret, |x| trig(n, x)),
        );
    }
    for name in ["sind", "cosd", "tand", "cotd", "asind", "acosd", "atand"] {
        let n: &'static str = name;
        reg_vec(
            r,
            name,
            Signature::exact(&[t::F8], t::F8),
            move |_c, a, ret, _| map1::<f64, f64>(&a[0], ret, |x| trigd(n, x)),
        );
    }
    reg_vec(
        r,
        "atan2",
        Signature::exact(&[t::F8, t::F8], t::F8),
        |_c, a, ret, _| map2::<f64, f64, f64>(&a[0], &a[1], ret, |y, x| Ok(y.atan2(x))),
    );
    reg_vec(
        r,
        "atan2d",
        Signature::exact(&[t::F8, t::F8], t::F8),
        |_c, a, ret, _| {
            map2::<f64, f64, f64>(&a[0], &a[1], ret, |y, x| Ok((y.atan2(x) / 1f64.atan()) * 45.0))
        },
    );
    float_fn(r, "degrees", |x| check_f(x.to_degrees(), !x.is_finite(), true));
    float_fn(r, "radians", |x| check_f(x.to_radians(), !x.is_finite(), true));
    r.register_scalar(ScalarFunction::vectorized(
        "pi",
        Signature::exact(&[], t::F8),
        Volatility::Immutable,
        |_c, _a, ret, len| {
            Ok(Vector::constant(
                Value::Float(std::f64::consts::PI),
                ret.clone(),
                len,
            ))
        },
    ));

    // Random numbers.
    r.register_scalar(ScalarFunction::vectorized(
        "random",
        Signature::exact(&[], t::F8),
        Volatility::Volatile,
        |_c, _a, _ret, len| Ok(Vector::floats((0..len).map(|_| next_random()).collect())),
    ));
    r.register_scalar(ScalarFunction::strict_rows(
        "setseed",
        Signature::exact(&[t::F8], DataType::Void),
        Volatility::Volatile,
        |_c: &EvalContext, v: &[Value]| {
            let s = f64_of(&v[0]);
            if !(-1.0..=1.0).contains(&s) {
                return Err(qerr(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("setseed parameter {s} is out of allowed range [-1,1]"),
                ));
            }
            let mut g = match RNG.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            *g = Some((s * 9.223_372_036_854_776e18) as i64 as u64);
            Ok(Value::Null)
        },
    ));

    // Integer helpers.
    reg_rows(r, "div", &[t::NUM, t::NUM], t::NUM, |_c, v| {
        let (x, y) = (dec_of(&v[0]), dec_of(&v[1]));
        if y.is_zero() {
            return Err(div_zero());
        }
        let s = x.scale().max(y.scale());
        let (a, b) = (
            x.rescale(s).map_err(dec_err)?.mantissa(),
            y.rescale(s).map_err(dec_err)?.mantissa(),
        );
        Ok(Value::Numeric(Decimal::new(a / b, 0)))
    });
    for ty in [t::I4, t::I8] {
        let rt = ty.clone();
        reg_vec(
            r,
            "gcd",
            Signature::exact(&[ty.clone(), ty.clone()], ty.clone()),
            move |_c, a, ret, _| {
                let rt = rt.clone();
                map2::<i64, i64, i64>(&a[0], &a[1], ret, move |x, y| {
                    let g = gcd_u(u128::from(x.unsigned_abs()), u128::from(y.unsigned_abs()));
                    check_int(i64::try_from(g).map_err(|_| int_range_err(&rt))?, &rt)
                })
            },
        );
        let rt = ty.clone();
        reg_vec(
            r,
            "lcm",
            Signature::exact(&[ty.clone(), ty.clone()], ty.clone()),
            move |_c, a, ret, _| {
                let rt = rt.clone();
                map2::<i64, i64, i64>(&a[0], &a[1], ret, move |x, y| {
                    if x == 0 || y == 0 {
                        return Ok(0);
                    }
                    let (ax, ay) = (u128::from(x.unsigned_abs()), u128::from(y.unsigned_abs()));
                    let l = ax / gcd_u(ax, ay) * ay;
                    check_int(i64::try_from(l).map_err(|_| int_range_err(&rt))?, &rt)
                })
            },
        );
    }
    reg_rows(r, "gcd", &[t::NUM, t::NUM], t::NUM, |_c, v| {
        let (x, y) = (dec_of(&v[0]), dec_of(&v[1]));
        let s = x.scale().max(y.scale());
        let (a, b) = (
            x.rescale(s).map_err(dec_err)?.mantissa().unsigned_abs(),
            y.rescale(s).map_err(dec_err)?.mantissa().unsigned_abs(),
        );
        Ok(Value::Numeric(Decimal::new(gcd_u(a, b) as i128, s)))
    });
    reg_rows(r, "lcm", &[t::NUM, t::NUM], t::NUM, |_c, v| {
        let (x, y) = (dec_of(&v[0]), dec_of(&v[1]));
        let s = x.scale().max(y.scale());
        let (a, b) = (
            x.rescale(s).map_err(dec_err)?.mantissa().unsigned_abs(),
            y.rescale(s).map_err(dec_err)?.mantissa().unsigned_abs(),
        );
        if a == 0 || b == 0 {
            return Ok(Value::Numeric(Decimal::new(0, s)));
        }
        let l = (a / gcd_u(a, b))
            .checked_mul(b)
            .ok_or_else(|| dec_err(crate::types::numeric::DecimalError::Overflow))?;
        let l = i128::try_from(l).map_err(|_| dec_err(crate::types::numeric::DecimalError::Overflow))?;
        // lcm(a/10^s, b/10^s) = lcm(a, b) / 10^s
        Ok(Value::Numeric(Decimal::new(l, s).rescale(s).map_err(dec_err)?))
    });
    reg_rows(r, "factorial", &[t::I8], t::NUM, |_c, v| {
        let n = int_of(&v[0]);
        if n < 0 {
            return Err(qerr(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                "factorial of a negative number is undefined",
            ));
        }
        let mut acc: i128 = 1;
        for k in 2..=n {
            acc = acc
                .checked_mul(i128::from(k))
                .ok_or_else(|| dec_err(crate::types::numeric::DecimalError::Overflow))?;
        }
        Ok(Value::Numeric(Decimal::new(acc, 0)))
    });
    reg_vec(
        r,
        "width_bucket",
        Signature::exact(&[t::F8, t::F8, t::F8, t::I4], t::I4),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                Ok(Value::Int(width_bucket(
                    f64_of(&v[0]),
                    f64_of(&v[1]),
                    f64_of(&v[2]),
                    int_of(&v[3]),
                )?))
            })
        },
    );
    reg_rows(
        r,
        "width_bucket",
        &[t::NUM, t::NUM, t::NUM, t::I4],
        t::I4,
        |_c, v| {
            let (op, lo, hi, n) = (dec_of(&v[0]), dec_of(&v[1]), dec_of(&v[2]), int_of(&v[3]));
            if n <= 0 {
                return Err(qerr("2201G", "count must be greater than zero"));
            }
            if lo == hi {
                return Err(qerr("2201G", "lower bound cannot equal upper bound"));
            }
            let b = if lo < hi {
                if op < lo {
                    0
                } else if op >= hi {
                    n + 1
                } else {
                    bignum::bucket(
                        op.checked_sub(lo).map_err(dec_err)?,
                        hi.checked_sub(lo).map_err(dec_err)?,
                        n,
                    )?
                }
            } else if op > lo {
                0
            } else if op <= hi {
                n + 1
            } else {
                bignum::bucket(
                    lo.checked_sub(op).map_err(dec_err)?,
                    lo.checked_sub(hi).map_err(dec_err)?,
                    n,
                )?
            };
            Ok(Value::Int(check_int(b, &DataType::Int4)?))
        },
    );
    let _ = check_f;
}
