//! Date/time helpers shared by the temporal operators and functions: broken-down times,
//! PostgreSQL's interval arithmetic (month clamping, fractional cascades, justification), time
//! zone conversions with PostgreSQL's rules for DST gaps and overlaps, and range checks.
use crate::error::Result;
use crate::functions::builtin::kernels::{date_range_err, div_zero, interval_range_err, qerr, ts_range_err};
use crate::types::{Interval, Tz, civil_from_days, days_from_civil, days_in_month};

/// µs per second.
pub(crate) const US_SEC: i64 = 1_000_000;
/// µs per minute.
pub(crate) const US_MIN: i64 = 60 * US_SEC;
/// µs per hour.
pub(crate) const US_HOUR: i64 = 60 * US_MIN;
/// µs per day.
pub(crate) const US_DAY: i64 = 24 * US_HOUR;
/// `+infinity` timestamp / date.
pub(crate) const INF: i64 = i64::MAX;
/// `-infinity` timestamp / date.
pub(crate) const NEG_INF: i64 = i64::MIN;
/// 4714-11-24 00:00:00 BC, PostgreSQL's smallest timestamp.
pub(crate) const MIN_TS: i64 = -210_866_803_200_000_000;
/// PostgreSQL's smallest date (4714-11-24 BC) in days since 1970-01-01.
pub(crate) const MIN_DATE: i64 = -2_440_588;
/// One past PostgreSQL's largest date (5874898-01-01).
pub(crate) const END_DATE: i64 = 2_145_042_906;

/// Whether a timestamp is ±infinity.
#[inline]
pub(crate) fn is_inf(t: i64) -> bool {
    t == INF || t == NEG_INF
}

/// Checks that a finite timestamp is in range.
#[inline]
pub(crate) fn check_ts(t: i64) -> Result<i64> {
    if (MIN_TS..INF).contains(&t) {
        Ok(t)
    } else {
        Err(ts_range_err())
    }
}

/// Checks that a finite date is in range.
#[inline]
pub(crate) fn check_date(d: i64) -> Result<i64> {
    if (MIN_DATE..END_DATE).contains(&d) {
        Ok(d)
    } else {
        Err(date_range_err())
    }
}

/// A date as the timestamp of its midnight.
pub(crate) fn date_to_ts(d: i64) -> Result<i64> {
    match d {
        INF => Ok(INF),
        NEG_INF => Ok(NEG_INF),
        d => d
            .checked_mul(US_DAY)
            .filter(|t| (MIN_TS..INF).contains(t))
            .ok_or_else(|| qerr("22008", "date out of range for timestamp")),
    }
}

/// Broken-down local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tm {
    pub year: i64,
    pub mon: u32,
    pub mday: u32,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub usec: i64,
}

impl Tm {
    /// Fields of a (local) timestamp.
    pub(crate) fn from_ts(t: i64) -> Tm {
        let days = t.div_euclid(US_DAY);
        let tod = t.rem_euclid(US_DAY);
        let (year, mon, mday) = civil_from_days(days);
        Tm {
            year,
            mon,
            mday,
            hour: tod / US_HOUR,
            min: (tod / US_MIN) % 60,
            sec: (tod / US_SEC) % 60,
            usec: tod % US_SEC,
        }
    }

    /// The (local) timestamp of these fields.
    pub(crate) fn to_ts(self) -> Result<i64> {
        let days = days_from_civil(self.year, self.mon, self.mday);
        let tod = self.hour * US_HOUR + self.min * US_MIN + self.sec * US_SEC + self.usec;
        days.checked_mul(US_DAY)
            .and_then(|d| d.checked_add(tod))
            .ok_or_else(ts_range_err)
            .and_then(check_ts)
    }

    /// Days since 1970-01-01.
    pub(crate) fn days(self) -> i64 {
        days_from_civil(self.year, self.mon, self.mday)
    }
}

/// Offset (seconds east of UTC) at a UTC instant.
pub(crate) fn offset_at(tz: &Tz, utc: i64) -> i64 {
    if is_inf(utc) {
        return 0;
    }
    i64::from(tz.offset_at(utc))
}

/// Local wall-clock time of a UTC instant.
pub(crate) fn to_local(tz: &Tz, utc: i64) -> i64 {
    if is_inf(utc) {
        return utc;
    }
    utc.saturating_add(offset_at(tz, utc) * US_SEC)
}

/// UTC instant of a local time with PostgreSQL's rule: in a DST gap the offset before the
/// transition applies, in an overlap the offset after it.
pub(crate) fn from_local(tz: &Tz, local: i64) -> i64 {
    if is_inf(local) {
        return local;
    }
    match tz {
        Tz::Utc => local,
        Tz::Fixed(o) => local - i64::from(*o) * US_SEC,
        Tz::Named(_) => {
            let before = offset_at(tz, local.saturating_sub(US_DAY)) * US_SEC;
            let after = offset_at(tz, local.saturating_add(US_DAY)) * US_SEC;
            let (ub, ua) = (local - before, local - after);
            let vb = offset_at(tz, ub) * US_SEC == before;
            let va = offset_at(tz, ua) * US_SEC == after;
            match (vb, va) {
                (true, true) => ub.max(ua),
                (true, false) => ub,
                (false, true) => ua,
                (false, false) => ub,
            }
        }
    }
}

/// `timestamp + interval` (PostgreSQL's `timestamp_pl_interval`); with `tz` the month and day
/// parts apply to the local time in that zone (`timestamptz + interval`).
pub(crate) fn add_interval(t: i64, iv: &Interval, tz: Option<&Tz>) -> Result<i64> {
    if is_inf(t) {
        return Ok(t);
    }
    let local_of = |t: i64| match tz {
        Some(z) => to_local(z, t),
        None => t,
    };
    let utc_of = |l: i64| match tz {
        Some(z) => from_local(z, l),
        None => l,
    };
    let mut t = t;
    if iv.months != 0 {
        let mut tm = Tm::from_ts(local_of(t));
        let total = i64::from(tm.mon) - 1 + i64::from(iv.months);
        tm.year += total.div_euclid(12);
        tm.mon = (total.rem_euclid(12) + 1) as u32;
        tm.mday = tm.mday.min(days_in_month(tm.year, tm.mon));
        t = utc_of(tm.to_ts()?);
    }
    if iv.days != 0 {
        let local = local_of(t)
            .checked_add(i64::from(iv.days) * US_DAY)
            .ok_or_else(ts_range_err)
            .and_then(check_ts)?;
        t = utc_of(local);
    }
    t.checked_add(iv.micros)
        .ok_or_else(ts_range_err)
        .and_then(check_ts)
}

/// Negated interval.
pub(crate) fn neg_interval(iv: &Interval) -> Result<Interval> {
    iv.checked_neg().ok_or_else(interval_range_err)
}

/// Interval sum.
pub(crate) fn iv_add(a: &Interval, b: &Interval) -> Result<Interval> {
    a.checked_add(*b).ok_or_else(interval_range_err)
}

/// Interval difference.
pub(crate) fn iv_sub(a: &Interval, b: &Interval) -> Result<Interval> {
    iv_add(a, &neg_interval(b)?)
}

fn tsround(x: f64) -> f64 {
    (x * 1e6).round_ties_even() / 1e6
}

fn fits_i32(x: f64) -> bool {
    !x.is_nan() && x <= f64::from(i32::MAX) && x >= f64::from(i32::MIN)
}

/// Shared tail of interval multiplication and division.
fn cascade(orig_month: f64, orig_day: f64, time: f64, month: i32, day: i32) -> Result<Interval> {
    let mut day = day;
    let month_remainder_days = tsround((orig_month - f64::from(month)) * 30.0);
    let mut sec_remainder =
        tsround((orig_day - f64::from(day) + month_remainder_days - month_remainder_days.trunc()) * 86400.0);
    if sec_remainder.abs() >= 86400.0 {
        let whole = (sec_remainder / 86400.0).trunc();
        day = day.checked_add(whole as i32).ok_or_else(interval_range_err)?;
        sec_remainder -= whole * 86400.0;
    }
    day = day
        .checked_add(month_remainder_days.trunc() as i32)
        .ok_or_else(interval_range_err)?;
    let t = (time + sec_remainder * 1e6).round_ties_even();
    const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;
    if t.is_nan() || !(-I64_BOUND..I64_BOUND).contains(&t) {
        return Err(interval_range_err());
    }
    Ok(Interval {
        months: month,
        days: day,
        micros: t as i64,
    })
}

/// `interval * float8` (PostgreSQL's `interval_mul`).
pub(crate) fn iv_mul(iv: &Interval, f: f64) -> Result<Interval> {
    let m = f64::from(iv.months) * f;
    if !fits_i32(m) {
        return Err(interval_range_err());
    }
    let d = f64::from(iv.days) * f;
    if !fits_i32(d) {
        return Err(interval_range_err());
    }
    cascade(m, d, iv.micros as f64 * f, m as i32, d as i32)
}

/// `interval / float8` (PostgreSQL's `interval_div`).
pub(crate) fn iv_div(iv: &Interval, f: f64) -> Result<Interval> {
    if f == 0.0 {
        return Err(div_zero());
    }
    let m = f64::from(iv.months) / f;
    let d = f64::from(iv.days) / f;
    if !fits_i32(m) || !fits_i32(d) {
        return Err(interval_range_err());
    }
    cascade(m, d, iv.micros as f64 / f, m as i32, d as i32)
}

/// `justify_hours`.
pub(crate) fn justify_hours(iv: &Interval) -> Result<Interval> {
    let whole = iv.micros / US_DAY;
    let mut time = iv.micros - whole * US_DAY;
    let mut day = i64::from(iv.days) + whole;
    if day > 0 && time < 0 {
        time += US_DAY;
        day -= 1;
    } else if day < 0 && time > 0 {
        time -= US_DAY;
        day += 1;
    }
    Ok(Interval {
        months: iv.months,
        days: i32::try_from(day).map_err(|_| interval_range_err())?,
        micros: time,
    })
}

/// `justify_days`.
pub(crate) fn justify_days(iv: &Interval) -> Result<Interval> {
    let whole = iv.days / 30;
    let mut day = iv.days - whole * 30;
    let mut month = i64::from(iv.months) + i64::from(whole);
    if month > 0 && day < 0 {
        day += 30;
        month -= 1;
    } else if month < 0 && day > 0 {
        day -= 30;
        month += 1;
    }
    Ok(Interval {
        months: i32::try_from(month).map_err(|_| interval_range_err())?,
        days: day,
        micros: iv.micros,
    })
}

/// `justify_interval`.
pub(crate) fn justify_interval(iv: &Interval) -> Result<Interval> {
    let wholeday = iv.micros / US_DAY;
    let mut time = iv.micros - wholeday * US_DAY;
    let days = i64::from(iv.days) + wholeday;
    let wholemonth = days / 30;
    let mut day = days - wholemonth * 30;
    let mut month = i64::from(iv.months) + wholemonth;
    if month > 0 && (day < 0 || (day == 0 && time < 0)) {
        day += 30;
        month -= 1;
    } else if month < 0 && (day > 0 || (day == 0 && time > 0)) {
        day -= 30;
        month += 1;
    }
    if day > 0 && time < 0 {
        time += US_DAY;
        day -= 1;
    } else if day < 0 && time > 0 {
        time -= US_DAY;
        day += 1;
    }
    Ok(Interval {
        months: i32::try_from(month).map_err(|_| interval_range_err())?,
        days: i32::try_from(day).map_err(|_| interval_range_err())?,
        micros: time,
    })
}

/// `timestamp − timestamp` (days and time, no months).
pub(crate) fn ts_diff(a: i64, b: i64) -> Result<Interval> {
    if is_inf(a) || is_inf(b) {
        return Err(qerr("22008", "cannot subtract infinite timestamps"));
    }
    let d = a.checked_sub(b).ok_or_else(interval_range_err)?;
    justify_hours(&Interval::from_micros(d))
}

/// Fixed-offset time zone abbreviations PostgreSQL knows by default (seconds east of UTC).
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("utc", 0),
    ("gmt", 0),
    ("z", 0),
    ("zulu", 0),
    ("ut", 0),
    ("wet", 0),
    ("west", 3600),
    ("bst", 3600),
    ("cet", 3600),
    ("cest", 7200),
    ("met", 3600),
    ("mest", 7200),
    ("eet", 7200),
    ("eest", 10800),
    ("msk", 10800),
    ("ist", 7200),
    ("est", -18000),
    ("edt", -14400),
    ("cst", -21600),
    ("cdt", -18000),
    ("mst", -25200),
    ("mdt", -21600),
    ("pst", -28800),
    ("pdt", -25200),
    ("akst", -32400),
    ("akdt", -28800),
    ("hst", -36000),
    ("ast", -14400),
    ("adt", -10800),
    ("nst", -12600),
    ("ndt", -9000),
    ("jst", 32400),
    ("kst", 32400),
    ("hkt", 28800),
    ("awst", 28800),
    ("acst", 34200),
    ("acdt", 37800),
    ("aest", 36000),
    ("aedt", 39600),
    ("nzst", 43200),
    ("nzdt", 46800),
    ("sgt", 28800),
];

/// `[+-]hh[:mm[:ss]]` as seconds (sign as written).
fn numeric_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (h, m, sec) = if parts.len() == 1 && parts[0].len() > 2 {
        // hhmm
        let p = parts[0];
        let (h, m) = p.split_at(p.len() - 2);
        (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?, 0)
    } else {
        (
            parts[0].parse::<i32>().ok()?,
            parts.get(1).map_or(Some(0), |x| x.parse().ok())?,
            parts.get(2).map_or(Some(0), |x| x.parse().ok())?,
        )
    };
    if h > 15 * 24 || m > 59 || sec > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

/// A time zone name as `AT TIME ZONE` / `timezone()` accept it: abbreviations, IANA names
/// (any case), and POSIX-style offsets (`+02` and `UTC+2` mean two hours *west* of UTC).
pub(crate) fn parse_zone(name: &str) -> Option<Tz> {
    let n = name.trim();
    let lower = n.to_ascii_lowercase();
    if let Some((_, off)) = ABBREVIATIONS.iter().find(|(a, _)| *a == lower) {
        return Some(if *off == 0 { Tz::Utc } else { Tz::Fixed(*off) });
    }
    if let Some(off) = numeric_offset(n) {
        return Some(Tz::Fixed(-off));
    }
    // POSIX "STD offset" without DST rules, e.g. UTC+3, GMT-5, EST5.
    let alpha = n.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    if alpha >= 3 && alpha < n.len() {
        let rest = &n[alpha..];
        let rest_signed = if rest.starts_with(['+', '-']) {
            rest.to_string()
        } else {
            format!("+{rest}")
        };
        if let Some(off) = numeric_offset(&rest_signed) {
            return Some(Tz::Fixed(-off));
        }
    }
    if let Some(tz) = Tz::parse(n) {
        return Some(tz);
    }
    // IANA names in any case.
    let fixed: String = n
        .split('/')
        .map(|part| {
            part.split('_')
                .map(|w| {
                    let mut c = w.chars();
                    match c.next() {
                        Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                        None => String::new(),
                    }
                })
                .collect::<Vec<_>>()
                .join("_")
        })
        .collect::<Vec<_>>()
        .join("/");
    Tz::parse(&fixed)
}

/// ISO day of week (Monday 1 … Sunday 7) of days since 1970-01-01.
pub(crate) fn isodow(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// ISO year and week of days since 1970-01-01.
pub(crate) fn iso_year_week(days: i64) -> (i64, i64) {
    let thursday = days - (isodow(days) - 1) + 3;
    let (y, _, _) = civil_from_days(thursday);
    let jan1 = days_from_civil(y, 1, 1);
    (y, (thursday - jan1) / 7 + 1)
}

/// Days since 1970-01-01 of the Monday starting ISO week `week` of ISO year `year`.
pub(crate) fn iso_week_start(year: i64, week: i64) -> i64 {
    let jan4 = days_from_civil(year, 1, 4);
    jan4 - (isodow(jan4) - 1) + (week - 1) * 7
}

/// Julian day number of days since 1970-01-01.
pub(crate) fn julian(days: i64) -> i64 {
    days + 2_440_588
}
