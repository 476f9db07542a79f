//! Exact decimal numbers (`numeric`): a 128-bit mantissa and a decimal scale, so up to 38
//! significant digits. Arithmetic follows PostgreSQL's result-scale rules; results beyond 38
//! digits are an overflow error rather than a silent rounding.
use std::cmp::Ordering;

/// `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Largest number of significant digits.
pub const MAX_DIGITS: u32 = 38;
const MAX_SCALE: u32 = 38;
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

fn pow10(n: u32) -> Option<i128> {
    POW10.get(n as usize).copied()
}

/// Why a decimal operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// The result does not fit.
    Overflow,
    /// Division by zero.
    DivisionByZero,
    /// Text is not a number.
    Invalid,
}

type R = Result<Decimal, DecimalError>;

impl Decimal {
    /// `mantissa × 10^-scale`.
    pub fn new(mantissa: i128, scale: u32) -> Decimal {
        Decimal { mantissa, scale }
    }

    /// An integer.
    pub fn from_i64(v: i64) -> Decimal {
        Decimal {
            mantissa: i128::from(v),
            scale: 0,
        }
    }

    /// Mantissa.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// Scale (digits after the point).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Sign: -1, 0, 1.
    pub fn signum(&self) -> i32 {
        self.mantissa.signum() as i32
    }

    /// Parses `-12.340`, `1e5`, `.5`; keeps the written scale.
    pub fn parse(s: &str) -> R {
        let s = s.trim();
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (num, exp) = match body.find(['e', 'E']) {
            Some(i) => (
                &body[..i],
                body[i + 1..].parse::<i32>().map_err(|_| DecimalError::Invalid)?,
            ),
            None => (body, 0),
        };
        let (int, frac) = match num.find('.') {
            Some(i) => (&num[..i], &num[i + 1..]),
            None => (num, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(DecimalError::Invalid);
        }
        let mut m: i128 = 0;
        let mut digits = 0u32;
        for b in int.bytes().chain(frac.bytes()) {
            if m != 0 || b != b'0' {
                digits += 1;
            }
            if digits > MAX_DIGITS {
                return Err(DecimalError::Overflow);
            }
            m = m * 10 + i128::from(b - b'0');
        }
        let mut scale = frac.len() as i64 - i64::from(exp);
        if scale < 0 {
            m = m
                .checked_mul(pow10((-scale) as u32).ok_or(DecimalError::Overflow)?)
                .ok_or(DecimalError::Overflow)?;
            scale = 0;
        }
        if scale > i64::from(MAX_SCALE) {
            return Decimal::new(if neg { -m } else { m }, 0).div_exact_scale(scale as u32);
        }
        Ok(Decimal {
            mantissa: if neg { -m } else { m },
            scale: scale as u32,
        })
    }

    fn div_exact_scale(self, scale: u32) -> R {
        // A scale past 38: keep 38 digits after the point, rounding.
        let extra = scale - MAX_SCALE;
        let d = pow10(extra).ok_or(DecimalError::Overflow)?;
        Ok(Decimal {
            mantissa: round_div(self.mantissa, d),
            scale: MAX_SCALE,
        })
    }

    /// The value with exactly `scale` digits after the point (rounding half away from zero).
    pub fn rescale(self, scale: u32) -> R {
        match scale.cmp(&self.scale) {
            Ordering::Equal => Ok(self),
            Ordering::Greater => {
                let f = pow10(scale - self.scale).ok_or(DecimalError::Overflow)?;
                let m = self.mantissa.checked_mul(f).ok_or(DecimalError::Overflow)?;
                if m.unsigned_abs() >= POW10[38] as u128 {
                    return Err(DecimalError::Overflow);
                }
                Ok(Decimal { mantissa: m, scale })
            }
            Ordering::Less => {
                let d = pow10(self.scale - scale).ok_or(DecimalError::Overflow)?;
                Ok(Decimal {
                    mantissa: round_div(self.mantissa, d),
                    scale,
                })
            }
        }
    }

    /// Truncates to `scale` digits (toward zero).
    pub fn trunc(self, scale: u32) -> Decimal {
        if scale >= self.scale {
            return self;
        }
        let d = POW10[(self.scale - scale) as usize];
        Decimal {
            mantissa: self.mantissa / d,
            scale,
        }
    }

    /// Checks a numeric(p, s) constraint, rounding to `s`.
    pub fn apply_typmod(self, precision: u16, scale: u16) -> R {
        let v = self.rescale(u32::from(scale))?;
        let int_digits = digits(v.mantissa.unsigned_abs()) as i64 - i64::from(scale);
        if int_digits > i64::from(precision) - i64::from(scale) && v.mantissa != 0 {
            return Err(DecimalError::Overflow);
        }
        Ok(v)
    }

    fn align(a: Decimal, b: Decimal) -> Result<(i128, i128, u32), DecimalError> {
        let s = a.scale.max(b.scale);
        Ok((a.rescale(s)?.mantissa, b.rescale(s)?.mantissa, s))
    }

    /// a + b
    pub fn checked_add(self, o: Decimal) -> R {
        let (a, b, s) = Decimal::align(self, o)?;
        a.checked_add(b)
            .map(|m| Decimal {
                mantissa: m,
                scale: s,
            })
            .ok_or(DecimalError::Overflow)
    }

    /// a − b
    pub fn checked_sub(self, o: Decimal) -> R {
        self.checked_add(o.negate())
    }

    /// −a
    pub fn negate(self) -> Decimal {
        Decimal {
            mantissa: -self.mantissa,
            scale: self.scale,
        }
    }

    /// |a|
    pub fn abs(self) -> Decimal {
        Decimal {
            mantissa: self.mantissa.abs(),
            scale: self.scale,
        }
    }

    /// a × b (result scale = sum of scales, reduced if it would not fit).
    pub fn checked_mul(self, o: Decimal) -> R {
        let mut s = self.scale + o.scale;
        match self.mantissa.checked_mul(o.mantissa) {
            Some(m) if s <= MAX_SCALE => Ok(Decimal {
                mantissa: m,
                scale: s,
            }),
            _ => {
                // Fall back to a wide multiply and rescale.
                let (m, neg) = mul_wide(self.mantissa, o.mantissa);
                let mut m = m;
                while (m > u128::MAX / 2 || s > MAX_SCALE) && s > 0 {
                    m = (m + 5) / 10;
                    s -= 1;
                }
                if m >= POW10[38] as u128 {
                    return Err(DecimalError::Overflow);
                }
                let m = m as i128;
                Ok(Decimal {
                    mantissa: if neg { -m } else { m },
                    scale: s,
                })
            }
        }
    }

    /// a ÷ b with PostgreSQL's choice of result scale (`select_div_scale`).
    pub fn checked_div(self, o: Decimal) -> R {
        if o.mantissa == 0 {
            return Err(DecimalError::DivisionByZero);
        }
        let rscale = div_scale(self, o);
        self.div_to_scale(o, rscale)
    }

    /// a ÷ b rounded to `scale` digits.
    pub fn div_to_scale(self, o: Decimal, scale: u32) -> R {
        if o.mantissa == 0 {
            return Err(DecimalError::DivisionByZero);
        }
        // q = a.m × 10^(scale + b.s − a.s) / b.m
        let shift = i64::from(scale) + i64::from(o.scale) - i64::from(self.scale);
        let (num, den) = if shift >= 0 {
            (
                self.mantissa,
                o.mantissa.checked_mul(1).ok_or(DecimalError::Overflow)?,
            )
        } else {
            (
                self.mantissa,
                o.mantissa
                    .checked_mul(pow10((-shift) as u32).ok_or(DecimalError::Overflow)?)
                    .ok_or(DecimalError::Overflow)?,
            )
        };
        let shift = shift.max(0) as u32;
        // Long division digit by digit to avoid overflowing num × 10^shift.
        let neg = (num < 0) != (den < 0);
        let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
        let mut q = n / d;
        let mut r = n % d;
        for _ in 0..shift {
            r *= 10;
            q = q.checked_mul(10).ok_or(DecimalError::Overflow)? + r / d;
            r %= d;
        }
        if r * 2 >= d {
            q += 1;
        }
        if q >= POW10[38] as u128 {
            return Err(DecimalError::Overflow);
        }
        let q = q as i128;
        Ok(Decimal {
            mantissa: if neg { -q } else { q },
            scale,
        })
    }

    /// a mod b (sign of a, as in PostgreSQL).
    pub fn checked_rem(self, o: Decimal) -> R {
        if o.mantissa == 0 {
            return Err(DecimalError::DivisionByZero);
        }
        let (a, b, s) = Decimal::align(self, o)?;
        Ok(Decimal {
            mantissa: a % b,
            scale: s,
        })
    }

    /// Rounds to `digits` after the point (negative: to tens, hundreds, ...).
    pub fn round(self, digits: i32) -> R {
        if digits >= 0 {
            return self.rescale(digits as u32);
        }
        let f = pow10(digits.unsigned_abs()).ok_or(DecimalError::Overflow)?;
        let whole = self.rescale(0)?.mantissa;
        Ok(Decimal {
            mantissa: round_div(whole, f) * f,
            scale: 0,
        })
    }

    /// Largest integer not above the value.
    pub fn floor(self) -> Decimal {
        let t = self.trunc(0);
        if self.mantissa < 0 && t.rescale(self.scale).map(|x| x.mantissa) != Ok(self.mantissa) {
            Decimal {
                mantissa: t.mantissa - 1,
                scale: 0,
            }
        } else {
            t
        }
    }

    /// Smallest integer not below the value.
    pub fn ceil(self) -> Decimal {
        let t = self.trunc(0);
        if self.mantissa > 0 && t.rescale(self.scale).map(|x| x.mantissa) != Ok(self.mantissa) {
            Decimal {
                mantissa: t.mantissa + 1,
                scale: 0,
            }
        } else {
            t
        }
    }

    /// Nearest double.
    pub fn to_f64(&self) -> f64 {
        if self.scale == 0 {
            return self.mantissa as f64;
        }
        // Exact for up to 15-17 digits via the decimal string parser.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Integer part if it fits, rounding half away from zero.
    pub fn to_i64(&self) -> Option<i64> {
        let r = self.rescale(0).ok()?;
        i64::try_from(r.mantissa).ok()
    }

    /// From a double, as PostgreSQL does (15 significant digits).
    pub fn from_f64(f: f64) -> R {
        if !f.is_finite() {
            return Err(DecimalError::Invalid);
        }
        Decimal::parse(&format_g15(f))
    }

    /// Removes trailing zeros after the point.
    pub fn normalize(self) -> Decimal {
        let mut d = self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }
}

fn mul_wide(a: i128, b: i128) -> (u128, bool) {
    let neg = (a < 0) != (b < 0);
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    match a.checked_mul(b) {
        Some(m) => (m, neg),
        None => (u128::MAX, neg),
    }
}

fn round_div(m: i128, d: i128) -> i128 {
    let q = m / d;
    let r = m % d;
    if r.abs() * 2 >= d { q + m.signum() } else { q }
}

fn digits(mut v: u128) -> u32 {
    let mut n = 0;
    while v > 0 {
        v /= 10;
        n += 1;
    }
    n
}

/// Weight (in base-10000 digits) and first base-10000 digit of a nonzero value.
fn weight_first(d: Decimal) -> (i64, i128) {
    let m = d.mantissa.abs();
    if m == 0 {
        return (0, 0);
    }
    // Number of decimal digits before the point (may be <= 0).
    let int_digits = digits(m as u128) as i64 - i64::from(d.scale);
    // weight w: first nonzero base-10000 group covers decimal positions [4w, 4w+3].
    let w = (int_digits - 1).div_euclid(4);
    // first digit = floor(|value| / 10000^w) mod 10000
    let shift = 4 * w + i64::from(d.scale); // value / 10^(4w) = m / 10^(scale + 4w)
    let first = if shift >= 0 {
        m / POW10[shift.min(38) as usize]
    } else {
        m * POW10[(-shift).min(38) as usize]
    };
    (w, first % 10000)
}

/// PostgreSQL's `select_div_scale`.
fn div_scale(a: Decimal, b: Decimal) -> u32 {
    let (w1, f1) = weight_first(a);
    let (w2, f2) = weight_first(b);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = (16 - qweight * 4)
        .max(i64::from(a.scale))
        .max(i64::from(b.scale))
        .max(0);
    rscale.min(i64::from(MAX_SCALE)) as u32
}

/// `%.15g` formatting, as PostgreSQL uses to turn a double into numeric.
pub fn format_g15(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let s = format!("{f:.14e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mant = mant.trim_end_matches('0').trim_end_matches('.');
    format!("{mant}e{exp}")
}

impl PartialEq for Decimal {
    fn eq(&self, o: &Decimal) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, o: &Decimal) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Decimal {
    fn cmp(&self, o: &Decimal) -> Ordering {
        match Decimal::align(*self, *o) {
            Ok((a, b, _)) => a.cmp(&b),
            Err(_) => self.to_f64().partial_cmp(&o.to_f64()).unwrap_or(Ordering::Equal),
        }
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let neg = self.mantissa < 0;
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let s = if scale == 0 {
            digits
        } else if digits.len() > scale {
            format!(
                "{}.{}",
                &digits[..digits.len() - scale],
                &digits[digits.len() - scale..]
            )
        } else {
            format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
        };
        if neg { write!(f, "-{s}") } else { f.write_str(&s) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn parse_and_print_keep_scale() {
        assert_eq!(d("1.50").to_string(), "1.50");
        assert_eq!(d("-0.001").to_string(), "-0.001");
        assert_eq!(d(".5").to_string(), "0.5");
        assert_eq!(d("1e3").to_string(), "1000");
        assert_eq!(d("1.5e-2").to_string(), "0.015");
        assert!(Decimal::parse("abc").is_err());
        assert!(Decimal::parse("1.2.3").is_err());
    }

    #[test]
    fn arithmetic_matches_postgres() {
        // Values checked against PostgreSQL 15.
        assert_eq!(
            d("1").checked_div(d("3")).unwrap().to_string(),
            "0.33333333333333333333"
        );
        assert_eq!(
            d("10").checked_div(d("4")).unwrap().to_string(),
            "2.5000000000000000"
        );
        assert_eq!(
            d("1234567890").checked_div(d("3")).unwrap().to_string(),
            "411522630.00000000"
        );
        assert_eq!(
            d("2").checked_div(d("3")).unwrap().to_string(),
            "0.66666666666666666667"
        );
        assert_eq!(
            d("100").checked_div(d("7")).unwrap().to_string(),
            "14.2857142857142857"
        );
        assert_eq!(d("1.10").checked_mul(d("2.5")).unwrap().to_string(), "2.750");
        assert_eq!(d("1.1").checked_add(d("2.25")).unwrap().to_string(), "3.35");
        assert_eq!(d("-7").checked_rem(d("3")).unwrap().to_string(), "-1");
        assert_eq!(d("2.5").round(0).unwrap().to_string(), "3");
        assert_eq!(d("-2.5").round(0).unwrap().to_string(), "-3");
        assert_eq!(d("1234.5678").round(-2).unwrap().to_string(), "1200");
        assert_eq!(d("-1.5").floor().to_string(), "-2");
        assert_eq!(d("1.2").ceil().to_string(), "2");
        assert_eq!(d("1.0").cmp(&d("1")), Ordering::Equal);
        assert_eq!(Decimal::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(
            Decimal::from_f64(1.0 / 3.0).unwrap().to_string(),
            "0.333333333333333"
        );
        assert_eq!(d("12.345").apply_typmod(5, 2).unwrap().to_string(), "12.35");
        assert!(d("1234.5").apply_typmod(4, 2).is_err());
    }
}
