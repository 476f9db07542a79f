//! `interval`: months, days and microseconds kept apart, as in PostgreSQL (a month is not a fixed
//! number of days, a day is not always 24 hours across DST).
use std::cmp::Ordering;

/// An interval.
#[derive(Debug, Clone, Copy, Default)]
pub struct Interval {
    /// Months.
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Microseconds.
    pub micros: i64,
}

/// Microseconds per day.
pub const USECS_PER_DAY: i64 = 86_400_000_000;
const USECS_PER_HOUR: i64 = 3_600_000_000;
const USECS_PER_MINUTE: i64 = 60_000_000;
const USECS_PER_SEC: i64 = 1_000_000;

impl Interval {
    /// An interval of microseconds only.
    pub fn from_micros(micros: i64) -> Interval {
        Interval {
            months: 0,
            days: 0,
            micros,
        }
    }

    /// Length used for ordering and equality (30-day months, 24-hour days), as PostgreSQL does.
    pub fn span_micros(&self) -> i128 {
        (i128::from(self.months) * 30 + i128::from(self.days)) * i128::from(USECS_PER_DAY)
            + i128::from(self.micros)
    }

    /// Whether the interval is a fixed duration (no months or days).
    pub fn is_fixed(&self) -> bool {
        self.months == 0 && self.days == 0
    }

    /// Negation.
    pub fn checked_neg(self) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_neg()?,
            days: self.days.checked_neg()?,
            micros: self.micros.checked_neg()?,
        })
    }

    /// Sum.
    pub fn checked_add(self, o: Interval) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_add(o.months)?,
            days: self.days.checked_add(o.days)?,
            micros: self.micros.checked_add(o.micros)?,
        })
    }

    /// Multiplication by a number, with PostgreSQL's cascade of fractional months into days and
    /// fractional days into time.
    pub fn checked_mul(self, f: f64) -> Option<Interval> {
        let months = f64::from(self.months) * f;
        let days = f64::from(self.days) * f;
        let whole_months = months.trunc();
        let month_rem_days = (months - whole_months) * 30.0;
        let total_days = days + month_rem_days;
        let whole_days = total_days.trunc();
        let day_rem_us = (total_days - whole_days) * USECS_PER_DAY as f64;
        let micros = (self.micros as f64 * f + day_rem_us).round();
        if !micros.is_finite()
            || micros.abs() > 9.2e18
            || whole_months.abs() > 2.1e9
            || whole_days.abs() > 2.1e9
        {
            return None;
        }
        Some(Interval {
            months: whole_months as i32,
            days: whole_days as i32,
            micros: micros as i64,
        })
    }

    /// Parses PostgreSQL interval input: `1 day 02:00:00`, `15 minutes`, `1.5 hours`, `-1 week`,
    /// `@ 3 days ago`, `P1DT2H`, `02:30`, `1 year 2 mons`.
    pub fn parse(s: &str) -> Option<Interval> {
        let t = s.trim().to_ascii_lowercase();
        if let Some(iso) = t.strip_prefix('p') {
            return parse_iso(iso);
        }
        let mut t = t.trim_start_matches('@').trim().to_string();
        let ago = t.ends_with(" ago");
        if ago {
            t.truncate(t.len() - 4);
        }
        let mut iv = Interval::default();
        let tokens: Vec<&str> = t.split_whitespace().collect();
        if tokens.is_empty() {
            return None;
        }
        let mut i = 0;
        let mut any = false;
        while i < tokens.len() {
            let tok = tokens[i];
            if tok.contains(':') {
                let us = parse_time_part(tok)?;
                iv.micros = iv.micros.checked_add(us)?;
                i += 1;
                any = true;
                continue;
            }
            // number immediately followed by a unit ("10min") or separated ("10 min")
            let split = tok.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(tok.len());
            let (num, unit) = if split < tok.len() {
                (&tok[..split], &tok[split..])
            } else {
                i += 1;
                match tokens.get(i) {
                    Some(u) if !u.contains(':') && u.parse::<f64>().is_err() => (tok, *u),
                    _ => {
                        // a bare number means seconds
                        let v: f64 = tok.parse().ok()?;
                        iv.micros = iv.micros.checked_add((v * USECS_PER_SEC as f64).round() as i64)?;
                        any = true;
                        continue;
                    }
                }
            };
            let v: f64 = num.parse().ok()?;
            add_unit(&mut iv, v, unit)?;
            any = true;
            i += 1;
        }
        if !any {
            return None;
        }
        if ago { iv.checked_neg() } else { Some(iv) }
    }
}

fn add_unit(iv: &mut Interval, v: f64, unit: &str) -> Option<()> {
    let unit = unit.trim_end_matches(',');
    let (months, days, micros): (f64, f64, f64) = match unit {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" => (0.0, 0.0, v),
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => (0.0, 0.0, v * 1e3),
        "second" | "seconds" | "s" | "sec" | "secs" => (0.0, 0.0, v * 1e6),
        "minute" | "minutes" | "m" | "min" | "mins" => (0.0, 0.0, v * 6e7),
        "hour" | "hours" | "h" | "hr" | "hrs" => (0.0, 0.0, v * 3.6e9),
        "day" | "days" | "d" => (0.0, v, 0.0),
        "week" | "weeks" | "w" => (0.0, v * 7.0, 0.0),
        "month" | "months" | "mon" | "mons" => (v, 0.0, 0.0),
        "year" | "years" | "y" | "yr" | "yrs" => (v * 12.0, 0.0, 0.0),
        "decade" | "decades" => (v * 120.0, 0.0, 0.0),
        "century" | "centuries" => (v * 1200.0, 0.0, 0.0),
        "millennium" | "millennia" => (v * 12000.0, 0.0, 0.0),
        _ => return None,
    };
    // Fractions cascade down: months → days (30), days → time (24 h).
    let whole_m = months.trunc();
    let d = days + (months - whole_m) * 30.0;
    let whole_d = d.trunc();
    let us = micros + (d - whole_d) * USECS_PER_DAY as f64;
    iv.months = iv.months.checked_add(whole_m as i32)?;
    iv.days = iv.days.checked_add(whole_d as i32)?;
    if !us.is_finite() || us.abs() > 9.2e18 {
        return None;
    }
    iv.micros = iv.micros.checked_add(us.round() as i64)?;
    Some(())
}

/// `[-]HH:MM[:SS[.ffffff]]` → µs.
fn parse_time_part(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let parts: Vec<&str> = s.split(':').collect();
    let (h, m, sec) = match parts[..] {
        [h, m] => (h, m, "0"),
        [h, m, s] => (h, m, s),
        _ => return None,
    };
    let h: i64 = h.parse().ok()?;
    let m: i64 = m.parse().ok()?;
    let sec: f64 = sec.parse().ok()?;
    let us = h.checked_mul(USECS_PER_HOUR)?.checked_add(m * USECS_PER_MINUTE)? + (sec * 1e6).round() as i64;
    Some(if neg { -us } else { us })
}

fn parse_iso(s: &str) -> Option<Interval> {
    let mut iv = Interval::default();
    let mut in_time = false;
    let mut num = String::new();
    for c in s.chars() {
        match c {
            't' => in_time = true,
            '0'..='9' | '.' | '-' => num.push(c),
            _ => {
                let v: f64 = num.parse().ok()?;
                num.clear();
                let unit = match (c, in_time) {
                    ('y', false) => "year",
                    ('m', false) => "month",
                    ('w', false) => "week",
                    ('d', false) => "day",
                    ('h', true) => "hour",
                    ('m', true) => "minute",
                    ('s', true) => "second",
                    _ => return None,
                };
                add_unit(&mut iv, v, unit)?;
            }
        }
    }
    num.is_empty().then_some(iv)
}

impl PartialEq for Interval {
    fn eq(&self, o: &Interval) -> bool {
        self.span_micros() == o.span_micros()
    }
}

impl Eq for Interval {}

impl PartialOrd for Interval {
    fn partial_cmp(&self, o: &Interval) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Interval {
    fn cmp(&self, o: &Interval) -> Ordering {
        self.span_micros().cmp(&o.span_micros())
    }
}

impl std::fmt::Display for Interval {
    /// IntervalStyle `postgres`: `1 year 2 mons 3 days 04:05:06.5`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let years = self.months / 12;
        let mons = self.months % 12;
        // As PostgreSQL: a positive field right after a negative one gets an explicit '+'.
        let mut is_before = false;
        let mut field = |parts: &mut Vec<String>, n: i64, one: &str, many: &str| {
            if n != 0 {
                let sign = if is_before && n > 0 { "+" } else { "" };
                parts.push(format!("{sign}{n} {}", if n == 1 { one } else { many }));
                is_before = n < 0;
            }
        };
        field(&mut parts, i64::from(years), "year", "years");
        field(&mut parts, i64::from(mons), "mon", "mons");
        field(&mut parts, i64::from(self.days), "day", "days");
        if self.micros != 0 || parts.is_empty() {
            let neg = self.micros < 0;
            let us = self.micros.unsigned_abs();
            let h = us / 3_600_000_000;
            let m = (us / 60_000_000) % 60;
            let s = (us / 1_000_000) % 60;
            let frac = us % 1_000_000;
            let sign = if neg {
                "-"
            } else if is_before {
                "+"
            } else {
                ""
            };
            let mut t = format!("{sign}{h:02}:{m:02}:{s:02}");
            if frac != 0 {
                let fs = format!("{frac:06}");
                t.push('.');
                t.push_str(fs.trim_end_matches('0'));
            }
            parts.push(t);
        }
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Interval::parse(s).unwrap().to_string()
    }

    #[test]
    fn input_and_output_match_postgres() {
        // Outputs as PostgreSQL 15 prints them (IntervalStyle postgres).
        assert_eq!(p("1 hour"), "01:00:00");
        assert_eq!(p("1 day"), "1 day");
        assert_eq!(p("-1 day"), "-1 days");
        assert_eq!(p("2 days 03:00"), "2 days 03:00:00");
        assert_eq!(p("15 minutes"), "00:15:00");
        assert_eq!(p("1.5 hours"), "01:30:00");
        assert_eq!(p("1 mon"), "1 mon");
        assert_eq!(p("14 months"), "1 year 2 mons");
        assert_eq!(p("1 week"), "7 days");
        assert_eq!(p("90 days"), "90 days");
        assert_eq!(p("0.5 day"), "12:00:00");
        assert_eq!(p("1.5 months"), "1 mon 15 days");
        assert_eq!(p("@ 3 days ago"), "-3 days");
        assert_eq!(p("1 day -01:00:00"), "1 day -01:00:00");
        assert_eq!(p("-1 day 01:00:00"), "-1 days +01:00:00");
        assert_eq!(p("PT2H30M"), "02:30:00");
        assert_eq!(p("10 sec"), "00:00:10");
        assert_eq!(p("250 ms"), "00:00:00.25");
        assert_eq!(p("0"), "00:00:00");
        assert!(Interval::parse("banana").is_none());
        assert_eq!(
            Interval::parse("1 mon").unwrap(),
            Interval::parse("30 days").unwrap()
        );
    }
}
