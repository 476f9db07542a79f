//! Date/time functions: the clock (`now()` and friends), `date_trunc`, `date_bin`, `date_part`
//! and `extract`, `to_timestamp(float8)`, `make_*`, `age`, `justify_*`, `isfinite`, and
//! `timezone()` (AT TIME ZONE).
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::kernels::{
    dec_err, f64_of, int_of, interval_range_err, map_values, qerr, reg_rows, reg_vec, t, value_str,
};
use crate::functions::builtin::timeutil::{
    INF, MIN_TS, NEG_INF, Tm, US_DAY, US_HOUR, US_MIN, US_SEC, check_date, check_ts, date_to_ts, from_local,
    is_inf, iso_year_week, isodow, julian, justify_days, justify_hours, justify_interval, offset_at,
    parse_zone, to_local,
};
use crate::functions::{Registry, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Decimal, Interval, Tz, Value, days_from_civil, days_in_month};
use crate::vector::{Vector, VectorData};

// ---------------------------------------------------------------------------------------------
// Field names

/// A date/time field as `date_trunc`, `date_part` and `extract` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Microsec,
    Millisec,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
    Julian,
    Dow,
    Isodow,
    Doy,
    Isoyear,
    Tz,
    TzHour,
    TzMinute,
    Epoch,
    /// A reserved word that is not a field (`now`, `today`, ...).
    OtherReserved,
}

/// Looks up a unit name the way PostgreSQL does (lower case, first 10 characters).
pub(crate) fn parse_field(name: &str) -> (String, Option<Field>) {
    let lower = name.to_lowercase();
    let key: String = lower.chars().take(10).collect();
    use Field::*;
    let f = match key.as_str() {
        "c" | "cent" | "centuries" | "century" => Some(Century),
        "d" | "day" | "days" => Some(Day),
        "dec" | "decade" | "decades" | "decs" => Some(Decade),
        "h" | "hour" | "hours" | "hr" | "hrs" => Some(Hour),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(Minute),
        "microsecon" | "us" | "usec" | "usecond" | "useconds" | "usecs" => Some(Microsec),
        "mil" | "millennia" | "millennium" | "mils" => Some(Millennium),
        "millisecon" | "ms" | "msec" | "msecond" | "mseconds" | "msecs" => Some(Millisec),
        "mon" | "mons" | "month" | "months" => Some(Month),
        "qtr" | "quarter" => Some(Quarter),
        "s" | "sec" | "second" | "seconds" | "secs" => Some(Second),
        "timezone" => Some(Tz),
        "timezone_h" => Some(TzHour),
        "timezone_m" => Some(TzMinute),
        "w" | "week" | "weeks" => Some(Week),
        "y" | "year" | "years" | "yr" | "yrs" => Some(Year),
        "j" | "jd" | "julian" => Some(Julian),
        "dow" => Some(Dow),
        "doy" => Some(Doy),
        "isodow" => Some(Isodow),
        "isoyear" => Some(Isoyear),
        "epoch" => Some(Epoch),
        "now" | "today" | "tomorrow" | "yesterday" | "infinity" | "-infinity" | "allballs" => {
            Some(OtherReserved)
        }
        _ => None,
    };
    (lower, f)
}

fn not_supported(unit: &str, ty: &DataType) -> QueryError {
    qerr(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("unit \"{unit}\" not supported for type {}", ty.display_name()),
    )
}

fn not_recognized(unit: &str, ty: &DataType) -> QueryError {
    qerr(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("unit \"{unit}\" not recognized for type {}", ty.display_name()),
    )
}

fn field_or_err(unit: &str, ty: &DataType) -> Result<(String, Field)> {
    match parse_field(unit) {
        (l, Some(f)) => Ok((l, f)),
        (l, None) => Err(not_recognized(&l, ty)),
    }
}

// ---------------------------------------------------------------------------------------------
// date_trunc

/// Truncates broken-down local time fields.
fn trunc_tm(tm: &mut Tm, f: Field) {
    use Field::*;
    if f == Week {
        let d = tm.days();
        let monday = d - (isodow(d) - 1);
        let (y, m, dd) = crate::types::civil_from_days(monday);
        tm.year = y;
        tm.mon = m;
        tm.mday = dd;
        tm.hour = 0;
        tm.min = 0;
        tm.sec = 0;
        tm.usec = 0;
        return;
    }
    let rank = |x: Field| match x {
        Millennium => 12,
        Century => 11,
        Decade => 10,
        Year => 9,
        Quarter => 8,
        Month => 7,
        Day => 6,
        Hour => 5,
        Minute => 4,
        Second => 3,
        Millisec => 2,
        _ => 1,
    };
    let r = rank(f);
    if f == Millennium {
        tm.year = if tm.year > 0 {
            ((tm.year + 999) / 1000) * 1000 - 999
        } else {
            -((999 - (tm.year - 1)) / 1000) * 1000 + 1
        };
    }
    if f == Century {
        tm.year = if tm.year > 0 {
            ((tm.year + 99) / 100) * 100 - 99
        } else {
            -((99 - (tm.year - 1)) / 100) * 100 + 1
        };
    }
    if f == Decade {
        tm.year = if tm.year > 0 {
            (tm.year / 10) * 10
        } else {
            -((8 - (tm.year - 1)) / 10) * 10
        };
    }
    if r >= 9 {
        tm.mon = 1;
    }
    if r >= 8 {
        tm.mon = 3 * ((tm.mon - 1) / 3) + 1;
    }
    if r >= 7 {
        tm.mday = 1;
    }
    if r >= 6 {
        tm.hour = 0;
    }
    if r >= 5 {
        tm.min = 0;
    }
    if r >= 4 {
        tm.sec = 0;
    }
    if r >= 3 {
        tm.usec = 0;
    }
    if r == 2 {
        tm.usec = (tm.usec / 1000) * 1000;
    }
}

/// Fields that only `date_part` knows (PostgreSQL's DecodeSpecial table) and reserved words.
fn special_only(f: Field) -> bool {
    use Field::*;
    matches!(f, Dow | Isodow | Doy | Isoyear | Julian | Epoch | OtherReserved)
}

fn trunc_field(unit: &str, ty: &DataType) -> Result<Field> {
    let (l, f) = field_or_err(unit, ty)?;
    use Field::*;
    match f {
        Microsec | Millisec | Second | Minute | Hour | Day | Week | Month | Quarter | Year | Decade
        | Century | Millennium => Ok(f),
        f if special_only(f) => Err(not_recognized(&l, ty)),
        _ => Err(not_supported(&l, ty)),
    }
}

/// Units of fixed length (µs), which truncate by plain arithmetic on local time.
fn fixed_unit(f: Field) -> Option<i64> {
    use Field::*;
    match f {
        Microsec => Some(1),
        Millisec => Some(1000),
        Second => Some(US_SEC),
        Minute => Some(US_MIN),
        Hour => Some(US_HOUR),
        Day => Some(US_DAY),
        _ => None,
    }
}

/// `date_trunc(unit, timestamp)`.
pub(crate) fn trunc_ts(f: Field, t: i64) -> Result<i64> {
    if is_inf(t) {
        return Ok(t);
    }
    if let Some(u) = fixed_unit(f) {
        return check_ts(t - t.rem_euclid(u));
    }
    let mut tm = Tm::from_ts(t);
    trunc_tm(&mut tm, f);
    tm.to_ts()
}

/// `date_trunc(unit, timestamptz)` in zone `tz`.
pub(crate) fn trunc_tstz(f: Field, t: i64, tz: &Tz) -> Result<i64> {
    if is_inf(t) {
        return Ok(t);
    }
    if let Some(u) = fixed_unit(f) {
        match tz {
            crate::types::Tz::Utc => return check_ts(t - t.rem_euclid(u)),
            crate::types::Tz::Fixed(o) => {
                let local = t + i64::from(*o) * US_SEC;
                return check_ts(local - local.rem_euclid(u) - i64::from(*o) * US_SEC);
            }
            crate::types::Tz::Named(_) if f != Field::Day => {
                // Below a day the offset of the input is kept.
                let off = offset_at(tz, t) * US_SEC;
                let local = t + off;
                return check_ts(local - local.rem_euclid(u) - off);
            }
            crate::types::Tz::Named(_) => {}
        }
    }
    let off = offset_at(tz, t) * US_SEC;
    let mut tm = Tm::from_ts(t + off);
    trunc_tm(&mut tm, f);
    let local = tm.to_ts()?;
    use Field::*;
    Ok(match f {
        Hour | Minute | Second | Millisec | Microsec => local - off,
        _ => from_local(tz, local),
    })
}

fn trunc_interval(unit: &str, iv: &Interval) -> Result<Interval> {
    let ty = DataType::Interval;
    let (l, f) = field_or_err(unit, &ty)?;
    use Field::*;
    let mut year = i64::from(iv.months / 12);
    let mut mon = i64::from(iv.months % 12);
    let mut mday = i64::from(iv.days);
    let mut time = iv.micros;
    let hour = time / US_HOUR;
    time -= hour * US_HOUR;
    let min = time / US_MIN;
    time -= min * US_MIN;
    let sec = time / US_SEC;
    let mut usec = time - sec * US_SEC;
    let (mut hour, mut min, mut sec) = (hour, min, sec);
    let rank = match f {
        Millennium => 12,
        Century => 11,
        Decade => 10,
        Year => 9,
        Quarter => 8,
        Month => 7,
        Day => 6,
        Hour => 5,
        Minute => 4,
        Second => 3,
        Millisec => 2,
        Microsec => 1,
        Week => {
            return Err(not_supported(&l, &ty).with_detail("Months usually have fractional weeks."));
        }
        _ => return Err(not_supported(&l, &ty)),
    };
    if rank >= 12 {
        year = (year / 1000) * 1000;
    }
    if rank >= 11 {
        year = (year / 100) * 100;
    }
    if rank >= 10 {
        year = (year / 10) * 10;
    }
    if rank >= 9 {
        mon = 0;
    }
    if rank >= 8 {
        mon = 3 * (mon / 3);
    }
    if rank >= 7 {
        mday = 0;
    }
    if rank >= 6 {
        hour = 0;
    }
    if rank >= 5 {
        min = 0;
    }
    if rank >= 4 {
        sec = 0;
    }
    if rank >= 3 {
        usec = 0;
    }
    if rank == 2 {
        usec = (usec / 1000) * 1000;
    }
    Ok(Interval {
        months: i32::try_from(year * 12 + mon).map_err(|_| interval_range_err())?,
        days: mday as i32,
        micros: hour * US_HOUR + min * US_MIN + sec * US_SEC + usec,
    })
}

// ---------------------------------------------------------------------------------------------
// date_part / extract

/// A field value: an integer, or microseconds with a decimal scale (seconds, epoch), or
/// already a float.
enum Part {
    Int(i64),
    /// value × 10^-scale
    Scaled(i64, u32),
    /// Exact decimal (julian with a time part).
    Dec(Decimal),
    /// Float-only result.
    Float(f64),
    /// ±infinity.
    Inf(bool),
    Null,
}

impl Part {
    fn to_value(&self, numeric: bool) -> Value {
        match (self, numeric) {
            (Part::Null, _) => Value::Null,
            (Part::Int(i), false) => Value::Float(*i as f64),
            (Part::Int(i), true) => Value::Numeric(Decimal::from_i64(*i)),
            (Part::Scaled(v, s), false) => Value::Float(*v as f64 / 10f64.powi(*s as i32)),
            (Part::Scaled(v, s), true) => Value::Numeric(Decimal::new(i128::from(*v), *s)),
            (Part::Dec(d), false) => Value::Float(d.to_f64()),
            (Part::Dec(d), true) => Value::Numeric(*d),
            (Part::Float(f), false) => Value::Float(*f),
            (Part::Float(f), true) => Decimal::from_f64(*f).map_or(Value::Null, Value::Numeric),
            (Part::Inf(pos), false) => Value::Float(if *pos { f64::INFINITY } else { f64::NEG_INFINITY }),
            // Decimal has no infinity: carried as a double, printed as PostgreSQL prints it.
            (Part::Inf(pos), true) => Value::Float(if *pos { f64::INFINITY } else { f64::NEG_INFINITY }),
        }
    }
}

fn year_out(y: i64) -> i64 {
    if y > 0 { y } else { y - 1 }
}

/// Fields shared by dates and timestamps (from the local broken-down time).
fn date_fields(f: Field, tm: &Tm) -> Option<i64> {
    use Field::*;
    let days = tm.days();
    Some(match f {
        Day => i64::from(tm.mday),
        Month => i64::from(tm.mon),
        Quarter => (i64::from(tm.mon) - 1) / 3 + 1,
        Week => iso_year_week(days).1,
        Year => year_out(tm.year),
        Decade => {
            if tm.year >= 0 {
                tm.year / 10
            } else {
                -((8 - (tm.year - 1)) / 10)
            }
        }
        Century => {
            if tm.year > 0 {
                (tm.year + 99) / 100
            } else {
                -((99 - (tm.year - 1)) / 100)
            }
        }
        Millennium => {
            if tm.year > 0 {
                (tm.year + 999) / 1000
            } else {
                -((999 - (tm.year - 1)) / 1000)
            }
        }
        Isoyear => {
            let y = iso_year_week(days).0;
            if y <= 0 { y - 1 } else { y }
        }
        Dow => isodow(days) % 7,
        Isodow => isodow(days),
        Doy => days - days_from_civil(tm.year, 1, 1) + 1,
        _ => return None,
    })
}

/// Whether a field grows with time (infinite inputs give ±infinity for these).
fn monotonic(f: Field) -> bool {
    use Field::*;
    matches!(f, Year | Decade | Century | Millennium | Julian | Isoyear | Epoch)
}

/// `date_part`/`extract` of a timestamp (`tz`: timestamptz in that zone).
fn part_ts(unit: &str, t: i64, tz: Option<&Tz>, numeric: bool) -> Result<Value> {
    let ty = if tz.is_some() {
        DataType::Timestamptz
    } else {
        DataType::Timestamp
    };
    let (l, f) = field_or_err(unit, &ty)?;
    use Field::*;
    if f == OtherReserved || (tz.is_none() && matches!(f, Tz | TzHour | TzMinute)) {
        return Err(not_supported(&l, &ty));
    }
    if is_inf(t) {
        let known = matches!(
            f,
            Microsec
                | Millisec
                | Second
                | Minute
                | Hour
                | Day
                | Month
                | Quarter
                | Week
                | Dow
                | Isodow
                | Doy
                | Tz
                | TzHour
                | TzMinute
        ) || monotonic(f);
        if !known {
            return Err(not_supported(&l, &ty));
        }
        return Ok(if monotonic(f) {
            Part::Inf(t == INF)
        } else {
            Part::Null
        }
        .to_value(numeric));
    }
    let off = tz.map_or(0, |z| offset_at(z, t));
    let tm = Tm::from_ts(t + off * US_SEC);
    let sec_us = tm.sec * US_SEC + tm.usec;
    let p = match f {
        Microsec => Part::Int(sec_us),
        Millisec => {
            if numeric {
                Part::Scaled(sec_us, 3)
            } else {
                Part::Float(tm.sec as f64 * 1000.0 + tm.usec as f64 / 1000.0)
            }
        }
        Second => {
            if numeric {
                Part::Scaled(sec_us, 6)
            } else {
                Part::Float(tm.sec as f64 + tm.usec as f64 / 1_000_000.0)
            }
        }
        Minute => Part::Int(tm.min),
        Hour => Part::Int(tm.hour),
        Julian => {
            let j = julian(tm.days());
            let tod = ((tm.hour * 60 + tm.min) * 60 + tm.sec) * US_SEC + tm.usec;
            if numeric {
                let frac = Decimal::from_i64(tod)
                    .checked_div(Decimal::from_i64(US_DAY))
                    .map_err(dec_err)?;
                Part::Dec(Decimal::from_i64(j).checked_add(frac).map_err(dec_err)?)
            } else {
                Part::Float(
                    j as f64
                        + (((tm.hour * 60 + tm.min) * 60 + tm.sec) as f64 + tm.usec as f64 / 1_000_000.0)
                            / 86400.0,
                )
            }
        }
        Tz => Part::Int(off),
        TzMinute => Part::Int((off / 60) % 60),
        TzHour => Part::Int(off / 3600),
        Epoch => {
            if numeric {
                Part::Scaled(t, 6)
            } else {
                Part::Float(t as f64 / 1_000_000.0)
            }
        }
        other => match date_fields(other, &tm) {
            Some(v) => Part::Int(v),
            None => return Err(not_supported(&l, &ty)),
        },
    };
    Ok(p.to_value(numeric))
}

/// `extract(field from date)` (numeric only).
fn extract_date(unit: &str, d: i64) -> Result<Value> {
    let ty = DataType::Date;
    let (l, f) = field_or_err(unit, &ty)?;
    use Field::*;
    let supported = matches!(
        f,
        Day | Month
            | Quarter
            | Week
            | Year
            | Decade
            | Century
            | Millennium
            | Julian
            | Isoyear
            | Dow
            | Isodow
            | Doy
            | Epoch
    );
    if !supported {
        return Err(not_supported(&l, &ty));
    }
    if is_inf(d) {
        return Ok(if monotonic(f) {
            Part::Inf(d == INF)
        } else {
            Part::Null
        }
        .to_value(true));
    }
    let (y, m, dd) = crate::types::civil_from_days(d);
    let tm = Tm {
        year: y,
        mon: m,
        mday: dd,
        hour: 0,
        min: 0,
        sec: 0,
        usec: 0,
    };
    let v = match f {
        Julian => julian(d),
        Epoch => d * 86400,
        other => date_fields(other, &tm).unwrap_or(0),
    };
    Ok(Value::Numeric(Decimal::from_i64(v)))
}

fn part_time(unit: &str, t: i64, numeric: bool) -> Result<Value> {
    let ty = DataType::Time;
    let (l, f) = field_or_err(unit, &ty)?;
    use Field::*;
    if f == OtherReserved {
        return Err(not_recognized(&l, &ty));
    }
    let sec = (t / US_SEC) % 60;
    let usec = t % US_SEC;
    let sec_us = sec * US_SEC + usec;
    let p = match f {
        Microsec => Part::Int(sec_us),
        Millisec => {
            if numeric {
                Part::Scaled(sec_us, 3)
            } else {
                Part::Float(sec as f64 * 1000.0 + usec as f64 / 1000.0)
            }
        }
        Second => {
            if numeric {
                Part::Scaled(sec_us, 6)
            } else {
                Part::Float(sec as f64 + usec as f64 / 1_000_000.0)
            }
        }
        Minute => Part::Int((t / US_MIN) % 60),
        Hour => Part::Int(t / US_HOUR),
        Epoch => {
            if numeric {
                Part::Scaled(t, 6)
            } else {
                Part::Float(t as f64 / 1_000_000.0)
            }
        }
        _ => return Err(not_supported(&l, &ty)),
    };
    Ok(p.to_value(numeric))
}

fn part_interval(unit: &str, iv: &Interval, numeric: bool) -> Result<Value> {
    let ty = DataType::Interval;
    let (l, f) = field_or_err(unit, &ty)?;
    use Field::*;
    if f == OtherReserved {
        return Err(not_recognized(&l, &ty));
    }
    let year = i64::from(iv.months / 12);
    let mon = i64::from(iv.months % 12);
    let mut time = iv.micros;
    let hour = time / US_HOUR;
    time -= hour * US_HOUR;
    let min = time / US_MIN;
    time -= min * US_MIN;
    let sec = time / US_SEC;
    let usec = time - sec * US_SEC;
    let sec_us = sec * US_SEC + usec;
    let p = match f {
        Microsec => Part::Int(sec_us),
        Millisec => {
            if numeric {
                Part::Scaled(sec_us, 3)
            } else {
                Part::Float(sec as f64 * 1000.0 + usec as f64 / 1000.0)
            }
        }
        Second => {
            if numeric {
                Part::Scaled(sec_us, 6)
            } else {
                Part::Float(sec as f64 + usec as f64 / 1_000_000.0)
            }
        }
        Minute => Part::Int(min),
        Hour => Part::Int(hour),
        Day => Part::Int(i64::from(iv.days)),
        Month => Part::Int(mon),
        Quarter => Part::Int(mon / 3 + 1),
        Year => Part::Int(year),
        Decade => Part::Int(year / 10),
        Century => Part::Int(year / 100),
        Millennium => Part::Int(year / 1000),
        Epoch => {
            if numeric {
                let secs_dm = (1461 * i64::from(iv.months / 12)
                    + 120 * i64::from(iv.months % 12)
                    + 4 * i64::from(iv.days))
                    * (86400 / 4);
                match secs_dm.checked_mul(US_SEC).and_then(|v| v.checked_add(iv.micros)) {
                    Some(v) => Part::Scaled(v, 6),
                    None => Part::Dec(
                        Decimal::new(i128::from(iv.micros), 6)
                            .checked_add(Decimal::from_i64(secs_dm))
                            .map_err(dec_err)?,
                    ),
                }
            } else {
                let mut r = iv.micros as f64 / 1_000_000.0;
                r += (365.25 * 86400.0) * f64::from(iv.months / 12);
                r += (30.0 * 86400.0) * f64::from(iv.months % 12);
                r += 86400.0 * f64::from(iv.days);
                Part::Float(r)
            }
        }
        _ => return Err(not_supported(&l, &ty)),
    };
    Ok(p.to_value(numeric))
}

// ---------------------------------------------------------------------------------------------
// Constructors and conversions

fn date_field_err(y: i64, m: i64, d: i64) -> QueryError {
    qerr(
        sqlstate::DATETIME_FIELD_OVERFLOW,
        format!("date field value out of range: {y}-{m:02}-{d:02}"),
    )
}

fn make_date(y: i64, m: i64, d: i64) -> Result<i64> {
    if y == 0 || !(1..=12).contains(&m) {
        return Err(date_field_err(y, m, d));
    }
    let year = if y < 0 { y + 1 } else { y };
    if d < 1 || d > i64::from(days_in_month(year, m as u32)) {
        return Err(date_field_err(y, m, d));
    }
    let days = days_from_civil(year, m as u32, d as u32);
    check_date(days).map_err(|_| {
        qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("date out of range: {y}-{m:02}-{d:02}"),
        )
    })
}

/// C's `%02g`.
fn fmt_g(x: f64) -> String {
    let s = crate::types::text::format_g(x, 6);
    if s.len() < 2 { format!("0{s}") } else { s }
}

fn make_time(h: i64, m: i64, s: f64) -> Result<i64> {
    let err = || {
        qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("time field value out of range: {h}:{m:02}:{}", fmt_g(s)),
        )
    };
    if !(0..=24).contains(&h) || !(0..=59).contains(&m) || s.is_nan() || !(0.0..=60.0).contains(&s) {
        return Err(err());
    }
    let us = ((h * 60 + m) * 60) as f64 * 1e6 + (s * 1e6).round_ties_even();
    let us = us as i64;
    if us > US_DAY {
        return Err(err());
    }
    Ok(us)
}

fn make_timestamp(v: &[Value]) -> Result<i64> {
    let d = make_date(int_of(&v[0]), int_of(&v[1]), int_of(&v[2]))?;
    let s = f64_of(&v[5]);
    let (h, m) = (int_of(&v[3]), int_of(&v[4]));
    let tm = make_time(h, m, s).map_err(|_| {
        qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("time field value out of range: {h}:{m:02}:{}", fmt_g(s)),
        )
    })?;
    check_ts(date_to_ts(d)? + tm)
}

/// `to_timestamp(float8)`.
fn to_timestamp_f(s: f64) -> Result<i64> {
    if s.is_nan() {
        return Err(qerr(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN"));
    }
    if s.is_infinite() {
        return Ok(if s < 0.0 { NEG_INF } else { INF });
    }
    let err = || {
        qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!(
                "timestamp out of range: \"{}\"",
                crate::types::text::format_g(s, 6)
            ),
        )
    };
    let lo = 86400.0 * (-2_440_588.0);
    let hi = 86400.0 * (109_203_528.0 - 2_440_588.0);
    if s < lo || s >= hi {
        return Err(err());
    }
    // Same steps as PostgreSQL (to the 2000 epoch, then microseconds) for identical rounding.
    let pg = ((s - 946_684_800.0) * 1e6).round_ties_even();
    if pg >= (i64::MAX - 946_684_800_000_000) as f64 {
        return Err(err());
    }
    let us = pg as i64 + 946_684_800_000_000;
    if us < MIN_TS {
        return Err(err());
    }
    Ok(us)
}

/// Broken-down time, with ±infinity placed where PostgreSQL's int64 extremes (counted from
/// 2000-01-01) fall, as its `age` sees them.
fn tm_any(t: i64) -> Tm {
    const SHIFT_DAYS: i64 = 10_957;
    if is_inf(t) {
        let days = t.div_euclid(US_DAY) + SHIFT_DAYS;
        let tod = t.rem_euclid(US_DAY);
        let (year, mon, mday) = crate::types::civil_from_days(days);
        return Tm {
            year,
            mon,
            mday,
            hour: tod / US_HOUR,
            min: (tod / US_MIN) % 60,
            sec: (tod / US_SEC) % 60,
            usec: tod % US_SEC,
        };
    }
    Tm::from_ts(t)
}

fn age_tm(t1: i64, t2: i64, tz: Option<&Tz>) -> Result<Interval> {
    let loc = |t: i64| tz.map_or(t, |z| to_local(z, t));
    let a = tm_any(loc(t1));
    let b = tm_any(loc(t2));
    let mut fsec = a.usec - b.usec;
    let mut sec = a.sec - b.sec;
    let mut min = a.min - b.min;
    let mut hour = a.hour - b.hour;
    let mut mday = i64::from(a.mday) - i64::from(b.mday);
    let mut mon = i64::from(a.mon) - i64::from(b.mon);
    let mut year = a.year - b.year;
    let flip = t1 < t2;
    if flip {
        fsec = -fsec;
        sec = -sec;
        min = -min;
        hour = -hour;
        mday = -mday;
        mon = -mon;
        year = -year;
    }
    while fsec < 0 {
        fsec += US_SEC;
        sec -= 1;
    }
    while sec < 0 {
        sec += 60;
        min -= 1;
    }
    while min < 0 {
        min += 60;
        hour -= 1;
    }
    while hour < 0 {
        hour += 24;
        mday -= 1;
    }
    while mday < 0 {
        let (y, m) = if flip { (a.year, a.mon) } else { (b.year, b.mon) };
        mday += i64::from(days_in_month(y, m));
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    if flip {
        fsec = -fsec;
        sec = -sec;
        min = -min;
        hour = -hour;
        mday = -mday;
        mon = -mon;
        year = -year;
    }
    Ok(Interval {
        months: i32::try_from(year * 12 + mon).map_err(|_| interval_range_err())?,
        days: i32::try_from(mday).map_err(|_| interval_range_err())?,
        micros: ((hour * 60 + min) * 60 + sec) * US_SEC + fsec,
    })
}

fn zone_or_err(name: &str) -> Result<Tz> {
    parse_zone(name).ok_or_else(|| {
        qerr(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("time zone \"{name}\" not recognized"),
        )
    })
}

fn interval_zone(iv: &Interval) -> Result<Tz> {
    if iv.months != 0 || iv.days != 0 {
        return Err(qerr(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("interval time zone \"{iv}\" must not include months or days"),
        ));
    }
    Ok(Tz::Fixed((iv.micros / US_SEC) as i32))
}

fn date_bin(stride: &Interval, t: i64, origin: i64) -> Result<i64> {
    if is_inf(t) {
        return Ok(t);
    }
    if is_inf(origin) {
        return Err(qerr(sqlstate::DATETIME_FIELD_OVERFLOW, "origin out of range"));
    }
    if stride.months != 0 {
        return Err(qerr(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "timestamps cannot be binned into intervals containing months or years",
        ));
    }
    let stride_us = i64::from(stride.days)
        .checked_mul(US_DAY)
        .and_then(|d| d.checked_add(stride.micros))
        .ok_or_else(interval_range_err)?;
    if stride_us <= 0 {
        return Err(qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            "stride must be greater than zero",
        ));
    }
    let diff = t.checked_sub(origin).ok_or_else(interval_range_err)?;
    let modulo = diff % stride_us;
    let mut r = origin + (diff - modulo);
    if modulo < 0 {
        r = r
            .checked_sub(stride_us)
            .ok_or_else(|| qerr(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range"))?;
        check_ts(r)?;
    }
    Ok(r)
}

fn iv(v: &Value) -> Interval {
    match v {
        Value::Interval(i) => *i,
        _ => Interval::default(),
    }
}

/// Session-time-zone aware kernel for one-unit-argument functions over integer-coded values,
/// evaluating the unit once when it is constant.
fn unit_kernel(
    f: fn(&EvalContext, &str, i64) -> Result<Value>,
) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static {
    move |ctx, args, ret, len| {
        if let (VectorData::Const(Value::Str(unit)), VectorData::Int(xs)) = (&args[0].data, &args[1].data) {
            // Validate the unit once, then map.
            let mut out = Vec::with_capacity(len);
            let valid = args[1].validity.as_deref();
            for (i, x) in xs.iter().enumerate() {
                if valid.is_some_and(|v| !v[i]) {
                    out.push(Value::Null);
                } else {
                    out.push(f(ctx, unit, *x)?);
                }
            }
            return Ok(Vector::from_values(ret.clone(), out));
        }
        map_values(args, ret, len, |v| f(ctx, value_str(&v[0]), int_of(&v[1])))
    }
}

/// Fast `date_trunc` over a timestamp column with a constant unit.
fn trunc_kernel(
    tz_aware: bool,
) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static {
    move |ctx, args, ret, len| {
        let ty = if tz_aware {
            DataType::Timestamptz
        } else {
            DataType::Timestamp
        };
        let zone = if args.len() > 2 {
            match &args[2].data {
                VectorData::Const(Value::Str(z)) => Some(zone_or_err(z)?),
                VectorData::Const(Value::Null) => return Ok(Vector::nulls(ret.clone(), len)),
                _ => None,
            }
        } else {
            Some(ctx.tz.clone())
        };
        if let (VectorData::Const(Value::Str(unit)), Some(z)) = (&args[0].data, &zone) {
            let f = trunc_field(unit, &ty)?;
            let z = z.clone();
            return crate::functions::builtin::kernels::map1::<i64, i64>(&args[1], ret, move |t| {
                if tz_aware {
                    trunc_tstz(f, t, &z)
                } else {
                    trunc_ts(f, t)
                }
            });
        }
        map_values(args, ret, len, |v| {
            let f = trunc_field(value_str(&v[0]), &ty)?;
            Ok(Value::Int(if tz_aware {
                let z = match v.get(2) {
                    Some(z) => zone_or_err(value_str(z))?,
                    None => ctx.tz.clone(),
                };
                trunc_tstz(f, int_of(&v[1]), &z)?
            } else {
                trunc_ts(f, int_of(&v[1]))?
            }))
        })
    }
}

fn stable(
    r: &mut Registry,
    name: &str,
    sig: Signature,
    f: impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::vectorized(name, sig, Volatility::Stable, f));
}

/// Registers the date/time functions.
pub(crate) fn register(r: &mut Registry) {
    // Clock.
    for name in ["now", "transaction_timestamp", "statement_timestamp"] {
        stable(r, name, Signature::exact(&[], t::TSTZ), |ctx, _a, ret, len| {
            Ok(Vector::constant(Value::Int(ctx.now_us), ret.clone(), len))
        });
    }
    r.register_scalar(ScalarFunction::vectorized(
        "clock_timestamp",
        Signature::exact(&[], t::TSTZ),
        Volatility::Volatile,
        |_ctx, _a, ret, len| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as i64);
            Ok(Vector::ints(ret.clone(), vec![now; len]))
        },
    ));
    stable(
        r,
        "current_date",
        Signature::exact(&[], t::DATE),
        |ctx, _a, ret, len| {
            Ok(Vector::constant(
                Value::Int(to_local(&ctx.tz, ctx.now_us).div_euclid(US_DAY)),
                ret.clone(),
                len,
            ))
        },
    );
    stable(
        r,
        "localtimestamp",
        Signature::exact(&[], t::TS),
        |ctx, _a, ret, len| {
            Ok(Vector::constant(
                Value::Int(to_local(&ctx.tz, ctx.now_us)),
                ret.clone(),
                len,
            ))
        },
    );
    stable(
        r,
        "localtime",
        Signature::exact(&[], t::TIME),
        |ctx, _a, ret, len| {
            Ok(Vector::constant(
                Value::Int(to_local(&ctx.tz, ctx.now_us).rem_euclid(US_DAY)),
                ret.clone(),
                len,
            ))
        },
    );

    // date_trunc
    reg_vec(
        r,
        "date_trunc",
        Signature::exact(&[t::TEXT, t::TS], t::TS),
        trunc_kernel(false),
    );
    stable(
        r,
        "date_trunc",
        Signature::exact(&[t::TEXT, t::TSTZ], t::TSTZ),
        trunc_kernel(true),
    );
    reg_vec(
        r,
        "date_trunc",
        Signature::exact(&[t::TEXT, t::TSTZ, t::TEXT], t::TSTZ),
        trunc_kernel(true),
    );
    reg_rows(r, "date_trunc", &[t::TEXT, t::IV], t::IV, |_c, v| {
        Ok(Value::Interval(trunc_interval(value_str(&v[0]), &iv(&v[1]))?))
    });

    // date_bin
    for ty in [t::TS, t::TSTZ] {
        reg_rows(
            r,
            "date_bin",
            &[t::IV, ty.clone(), ty.clone()],
            ty.clone(),
            |_c, v| Ok(Value::Int(date_bin(&iv(&v[0]), int_of(&v[1]), int_of(&v[2]))?)),
        );
    }

    // date_part (float8) and extract (numeric)
    for (name, numeric) in [("date_part", false), ("extract", true)] {
        let ret = if numeric { t::NUM } else { t::F8 };
        let sig = |ty: DataType| Signature::exact(&[t::TEXT, ty], ret.clone());
        if numeric {
            reg_vec(
                r,
                name,
                sig(t::TS),
                unit_kernel(|_c, u, x| part_ts(u, x, None, true)),
            );
            stable(
                r,
                name,
                sig(t::TSTZ),
                unit_kernel(|c, u, x| part_ts(u, x, Some(&c.tz), true)),
            );
            reg_vec(r, name, sig(t::DATE), unit_kernel(|_c, u, x| extract_date(u, x)));
            reg_vec(
                r,
                name,
                sig(t::TIME),
                unit_kernel(|_c, u, x| part_time(u, x, true)),
            );
        } else {
            reg_vec(
                r,
                name,
                sig(t::TS),
                unit_kernel(|_c, u, x| part_ts(u, x, None, false)),
            );
            stable(
                r,
                name,
                sig(t::TSTZ),
                unit_kernel(|c, u, x| part_ts(u, x, Some(&c.tz), false)),
            );
            reg_vec(
                r,
                name,
                sig(t::DATE),
                unit_kernel(|_c, u, x| part_ts(u, date_to_ts(x)?, None, false)),
            );
            reg_vec(
                r,
                name,
                sig(t::TIME),
                unit_kernel(|_c, u, x| part_time(u, x, false)),
            );
        }
        reg_rows(r, name, &[t::TEXT, t::IV], ret.clone(), move |_c, v| {
            part_interval(value_str(&v[0]), &iv(&v[1]), numeric)
        });
    }

    // to_timestamp(float8)
    reg_rows(r, "to_timestamp", &[t::F8], t::TSTZ, |_c, v| {
        Ok(Value::Int(to_timestamp_f(f64_of(&v[0]))?))
    });

    // make_*
    reg_rows(r, "make_date", &[t::I4, t::I4, t::I4], t::DATE, |_c, v| {
        Ok(Value::Int(make_date(
            int_of(&v[0]),
            int_of(&v[1]),
            int_of(&v[2]),
        )?))
    });
    reg_rows(r, "make_time", &[t::I4, t::I4, t::F8], t::TIME, |_c, v| {
        Ok(Value::Int(make_time(
            int_of(&v[0]),
            int_of(&v[1]),
            f64_of(&v[2]),
        )?))
    });
    reg_rows(
        r,
        "make_timestamp",
        &[t::I4, t::I4, t::I4, t::I4, t::I4, t::F8],
        t::TS,
        |_c, v| Ok(Value::Int(make_timestamp(v)?)),
    );
    r.register_scalar(ScalarFunction::strict_rows(
        "make_timestamptz",
        Signature::exact(&[t::I4, t::I4, t::I4, t::I4, t::I4, t::F8, t::TEXT], t::TSTZ).optional(1),
        Volatility::Stable,
        |ctx, v| {
            let local = make_timestamp(v)?;
            let z = match v.get(6) {
                Some(z) => zone_or_err(value_str(z))?,
                None => ctx.tz.clone(),
            };
            check_ts(from_local(&z, local)).map(Value::Int)
        },
    ));
    reg_vec(
        r,
        "make_interval",
        Signature::exact(&[t::I4, t::I4, t::I4, t::I4, t::I4, t::I4, t::F8], t::IV).optional(7),
        |_c, a, ret, len| {
            if a.is_empty() {
                return Ok(Vector::constant(
                    Value::Interval(Interval::default()),
                    ret.clone(),
                    len,
                ));
            }
            map_values(a, ret, len, |v| {
                let g = |i: usize| v.get(i).map_or(0, int_of);
                let secs = v.get(6).map_or(0.0, f64_of);
                let months = g(0)
                    .checked_mul(12)
                    .and_then(|m| m.checked_add(g(1)))
                    .and_then(|m| i32::try_from(m).ok())
                    .ok_or_else(interval_range_err)?;
                let days = g(2)
                    .checked_mul(7)
                    .and_then(|d| d.checked_add(g(3)))
                    .and_then(|d| i32::try_from(d).ok())
                    .ok_or_else(interval_range_err)?;
                let us = (secs * 1e6).round_ties_even();
                if us.is_nan() || us.abs() >= 9.2e18 {
                    return Err(interval_range_err());
                }
                let micros = g(4)
                    .checked_mul(US_HOUR)
                    .and_then(|h| h.checked_add(g(5).checked_mul(US_MIN)?))
                    .and_then(|x| x.checked_add(us as i64))
                    .ok_or_else(interval_range_err)?;
                Ok(Value::Interval(Interval { months, days, micros }))
            })
        },
    );

    // age
    reg_rows(r, "age", &[t::TS, t::TS], t::IV, |_c, v| {
        Ok(Value::Interval(age_tm(int_of(&v[0]), int_of(&v[1]), None)?))
    });
    r.register_scalar(ScalarFunction::strict_rows(
        "age",
        Signature::exact(&[t::TSTZ, t::TSTZ], t::IV),
        Volatility::Stable,
        |ctx, v| {
            Ok(Value::Interval(age_tm(
                int_of(&v[0]),
                int_of(&v[1]),
                Some(&ctx.tz),
            )?))
        },
    ));
    r.register_scalar(ScalarFunction::strict_rows(
        "age",
        Signature::exact(&[t::TS], t::IV),
        Volatility::Stable,
        |ctx, v| {
            let today = to_local(&ctx.tz, ctx.now_us).div_euclid(US_DAY) * US_DAY;
            Ok(Value::Interval(age_tm(today, int_of(&v[0]), None)?))
        },
    ));
    r.register_scalar(ScalarFunction::strict_rows(
        "age",
        Signature::exact(&[t::TSTZ], t::IV),
        Volatility::Stable,
        |ctx, v| {
            let today = from_local(&ctx.tz, to_local(&ctx.tz, ctx.now_us).div_euclid(US_DAY) * US_DAY);
            Ok(Value::Interval(age_tm(today, int_of(&v[0]), Some(&ctx.tz))?))
        },
    ));

    // justify_*, isfinite
    reg_rows(r, "justify_days", &[t::IV], t::IV, |_c, v| {
        Ok(Value::Interval(justify_days(&iv(&v[0]))?))
    });
    reg_rows(r, "justify_hours", &[t::IV], t::IV, |_c, v| {
        Ok(Value::Interval(justify_hours(&iv(&v[0]))?))
    });
    reg_rows(r, "justify_interval", &[t::IV], t::IV, |_c, v| {
        Ok(Value::Interval(justify_interval(&iv(&v[0]))?))
    });
    for ty in [t::DATE, t::TS, t::TSTZ] {
        reg_rows(r, "isfinite", &[ty], t::BOOL, |_c, v| {
            Ok(Value::Bool(!is_inf(int_of(&v[0]))))
        });
    }
    reg_rows(r, "isfinite", &[t::IV], t::BOOL, |_c, _v| Ok(Value::Bool(true)));

    // timezone(zone, ts) = ts AT TIME ZONE zone
    reg_rows(r, "timezone", &[t::TEXT, t::TS], t::TSTZ, |_c, v| {
        let t = int_of(&v[1]);
        if is_inf(t) {
            return Ok(Value::Int(t));
        }
        Ok(Value::Int(check_ts(from_local(
            &zone_or_err(value_str(&v[0]))?,
            t,
        ))?))
    });
    reg_rows(r, "timezone", &[t::TEXT, t::TSTZ], t::TS, |_c, v| {
        let t = int_of(&v[1]);
        if is_inf(t) {
            return Ok(Value::Int(t));
        }
        Ok(Value::Int(check_ts(to_local(
            &zone_or_err(value_str(&v[0]))?,
            t,
        ))?))
    });
    reg_rows(r, "timezone", &[t::IV, t::TS], t::TSTZ, |_c, v| {
        let t = int_of(&v[1]);
        if is_inf(t) {
            return Ok(Value::Int(t));
        }
        Ok(Value::Int(check_ts(from_local(&interval_zone(&iv(&v[0]))?, t))?))
    });
    reg_rows(r, "timezone", &[t::IV, t::TSTZ], t::TS, |_c, v| {
        let t = int_of(&v[1]);
        if is_inf(t) {
            return Ok(Value::Int(t));
        }
        Ok(Value::Int(check_ts(to_local(&interval_zone(&iv(&v[0]))?, t))?))
    });
}
