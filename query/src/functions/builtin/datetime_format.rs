//! `to_char` for timestamps, dates and intervals, and `to_timestamp(text, text)` /
//! `to_date(text, text)`, with PostgreSQL's template patterns (YYYY YY MM Mon Month DD D DDD
//! HH HH12 HH24 MI SS MS US FF1-6 AM PM TZ TZH TZM OF Dy Day IW IYYY WW W Q CC J RM SSSS ...),
//! the FM/TH modifiers and quoted text.
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::kernels::{int_of, qerr, t, value_str};
use crate::functions::builtin::timeutil::{
    Tm, US_DAY, US_HOUR, US_MIN, US_SEC, check_date, check_ts, from_local, is_inf, iso_week_start,
    iso_year_week, isodow, julian, offset_at,
};
use crate::functions::{Registry, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Interval, Tz, Value, days_from_civil, days_in_month};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// Template keywords, longest first where prefixes overlap.
const KEYWORDS: &[&str] = &[
    "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D", "FF1", "FF2",
    "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD", "ID", "IW", "IYYY", "IYY", "IY", "I",
    "J", "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF", "P.M.", "PM", "Q", "RM", "SSSSS", "SSSS",
    "SS", "TZH", "TZM", "TZ", "US", "WW", "W", "Y,YYY", "YYYY", "YYY", "YY", "Y", "a.d.", "a.m.", "ad", "am",
    "b.c.", "bc", "cc", "day", "ddd", "dd", "dy", "d", "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "fx",
    "hh24", "hh12", "hh", "iddd", "id", "iw", "iyyy", "iyy", "iy", "i", "j", "mi", "mm", "month", "mon",
    "ms", "of", "p.m.", "pm", "q", "rm", "sssss", "ssss", "ss", "tzh", "tzm", "tz", "us", "ww", "w", "y,yyy",
    "yyyy", "yyy", "yy", "y",
];

/// One element of a template.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Lit(String),
    Field {
        key: &'static str,
        fm: bool,
        th: Option<bool>,
    },
}

fn parse_template(f: &str) -> Vec<Node> {
    let cs: Vec<char> = f.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut lit = String::new();
    let flush = |lit: &mut String, out: &mut Vec<Node>| {
        if !lit.is_empty() {
            out.push(Node::Lit(std::mem::take(lit)));
        }
    };
    while i < cs.len() {
        if cs[i] == '"' {
            let (text, next) = quoted(&cs, i);
            lit.push_str(&text);
            i = next;
            continue;
        }
        if cs[i] == '\\' && i + 1 < cs.len() && cs[i + 1] == '"' {
            lit.push('"');
            i += 2;
            continue;
        }
        let rest: String = cs[i..].iter().collect();
        let mut fm = false;
        let mut body = rest.as_str();
        let mut skip = 0;
        // FM and TM prefixes (TM has no effect in the C locale).
        loop {
            if body.starts_with("FM") || body.starts_with("fm") {
                fm = true;
                body = &body[2..];
                skip += 2;
            } else if body.starts_with("TM") || body.starts_with("tm") {
                body = &body[2..];
                skip += 2;
            } else {
                break;
            }
        }
        match KEYWORDS.iter().find(|k| body.starts_with(*k)) {
            Some(k) => {
                flush(&mut lit, &mut out);
                let mut n = skip + k.chars().count();
                let after = &body[k.len()..];
                let th = if after.starts_with("TH") {
                    n += 2;
                    Some(true)
                } else if after.starts_with("th") {
                    n += 2;
                    Some(false)
                } else {
                    None
                };
                out.push(Node::Field { key: k, fm, th });
                i += n;
            }
            None => {
                if skip > 0 {
                    // A lone FM/TM: modifier without a field; ignore it.
                    i += skip;
                    continue;
                }
                lit.push(cs[i]);
                i += 1;
            }
        }
    }
    flush(&mut lit, &mut out);
    out
}

fn ordinal(n: i64, upper: bool) -> &'static str {
    let m = n.abs() % 100;
    let s = if (11..=13).contains(&m) {
        "th"
    } else {
        match m % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    if upper {
        match s {
            "st" => "ST",
            "nd" => "ND",
            "rd" => "RD",
            _ => "TH",
        }
    } else {
        s
    }
}

/// What a template is applied to.
struct Source {
    tm: Tm,
    /// Day of year, week-day etc. are meaningless for intervals.
    interval: bool,
    /// Offset east of UTC in seconds and the zone abbreviation (timestamptz).
    zone: Option<(i64, String)>,
}

/// C's `%0*d`: the sign counts toward the width.
fn num(v: i64, width: usize, fm: bool) -> String {
    if fm { v.to_string() } else { format!("{v:0width$}") }
}

/// Fields PostgreSQL widens by one for negative values (hours, minutes, seconds, years).
fn snum(v: i64, width: usize, fm: bool) -> String {
    num(v, if v < 0 { width + 1 } else { width }, fm)
}

fn case_like(key: &str, word: &str) -> String {
    let first_upper = key.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let second_upper = key.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase());
    if first_upper && second_upper {
        word.to_ascii_uppercase()
    } else if first_upper {
        word.to_string()
    } else {
        word.to_ascii_lowercase()
    }
}

fn render(nodes: &[Node], s: &Source) -> String {
    let tm = &s.tm;
    let mut out = String::new();
    let bc = tm.year <= 0;
    // Year as printed (1 BC = 1); intervals print their signed year count.
    let year = if s.interval {
        tm.year
    } else if bc {
        1 - tm.year
    } else {
        tm.year
    };
    let days = if s.interval { 0 } else { tm.days() };
    for n in nodes {
        let (key, fm, th) = match n {
            Node::Lit(l) => {
                out.push_str(l);
                continue;
            }
            Node::Field { key, fm, th } => (*key, *fm, *th),
        };
        let upper_key = key.to_ascii_uppercase();
        let mut number: Option<i64> = None;
        let text: String = match upper_key.as_str() {
            "HH" | "HH12" => {
                let h = if s.interval {
                    tm.hour % 12
                } else {
                    (tm.hour + 11) % 12 + 1
                };
                let h = if s.interval && h == 0 { 12 } else { h };
                number = Some(h);
                snum(h, 2, fm)
            }
            "HH24" => {
                number = Some(tm.hour);
                snum(tm.hour, 2, fm)
            }
            "MI" => {
                number = Some(tm.min);
                snum(tm.min, 2, fm)
            }
            "SS" => {
                number = Some(tm.sec);
                snum(tm.sec, 2, fm)
            }
            "MS" => {
                number = Some(tm.usec / 1000);
                num(tm.usec / 1000, 3, fm)
            }
            "US" => {
                number = Some(tm.usec);
                num(tm.usec, 6, fm)
            }
            k if k.starts_with("FF") => {
                let d: u32 = k[2..].parse().unwrap_or(6);
                let v = tm.usec / 10i64.pow(6 - d);
                number = Some(v);
                num(v, d as usize, fm)
            }
            "SSSS" | "SSSSS" => {
                let v = tm.hour * 3600 + tm.min * 60 + tm.sec;
                number = Some(v);
                v.to_string()
            }
            "AM" | "PM" => case_like(key, if tm.hour >= 12 { "PM" } else { "AM" }),
            "A.M." | "P.M." => case_like(key, if tm.hour >= 12 { "P.M." } else { "A.M." }),
            "BC" | "AD" => case_like(key, if bc { "BC" } else { "AD" }),
            "B.C." | "A.D." => case_like(key, if bc { "B.C." } else { "A.D." }),
            "Y,YYY" => {
                let y = year;
                number = Some(y);
                format!("{},{:03}", y / 1000, (y % 1000).abs())
            }
            "YYYY" => {
                number = Some(year);
                snum(year, 4, fm)
            }
            "YYY" => {
                number = Some(year % 1000);
                num(year % 1000, 3, fm)
            }
            "YY" => {
                number = Some(year % 100);
                num(year % 100, 2, fm)
            }
            "Y" => {
                number = Some(year % 10);
                num(year % 10, 1, fm)
            }
            "IYYY" | "IYY" | "IY" | "I" => {
                let iy = if s.interval {
                    year
                } else {
                    let y = iso_year_week(days).0;
                    if y <= 0 { 1 - y } else { y }
                };
                let (m, w) = match upper_key.len() {
                    4 => (i64::MAX, 4),
                    3 => (1000, 3),
                    2 => (100, 2),
                    _ => (10, 1),
                };
                let v = if m == i64::MAX { iy } else { iy % m };
                number = Some(v);
                num(v, w, fm)
            }
            "MONTH" => {
                let name = MONTHS
                    .get((tm.mon as usize).wrapping_sub(1))
                    .copied()
                    .unwrap_or("");
                let w = case_like(key, name);
                if fm { w } else { format!("{w:<9}") }
            }
            "MON" => {
                let name = MONTHS
                    .get((tm.mon as usize).wrapping_sub(1))
                    .copied()
                    .unwrap_or("");
                case_like(key, &name[..name.len().min(3)])
            }
            "MM" => {
                number = Some(i64::from(tm.mon));
                num(i64::from(tm.mon), 2, fm)
            }
            "DAY" => {
                let w = case_like(key, DAYS[(isodow(days) % 7) as usize]);
                if fm { w } else { format!("{w:<9}") }
            }
            "DY" => case_like(key, &DAYS[(isodow(days) % 7) as usize][..3]),
            "DDD" => {
                let v = if s.interval {
                    i64::from(tm.mday as i32) + i64::from(tm.mon as i32) * 30 + tm.year * 360
                } else {
                    days - days_from_civil(tm.year, 1, 1) + 1
                };
                number = Some(v);
                num(v, 3, fm)
            }
            "IDDD" => {
                let (iy, _) = iso_year_week(days);
                let v = days - iso_week_start(iy, 1) + 1;
                number = Some(v);
                num(v, 3, fm)
            }
            "DD" => {
                number = Some(i64::from(tm.mday));
                num(i64::from(tm.mday), 2, fm)
            }
            "D" => {
                let v = isodow(days) % 7 + 1;
                number = Some(v);
                v.to_string()
            }
            "ID" => {
                let v = isodow(days);
                number = Some(v);
                v.to_string()
            }
            "W" => {
                let v = (i64::from(tm.mday) - 1) / 7 + 1;
                number = Some(v);
                v.to_string()
            }
            "WW" => {
                let doy = days - days_from_civil(tm.year, 1, 1) + 1;
                let v = (doy - 1) / 7 + 1;
                number = Some(v);
                num(v, 2, fm)
            }
            "IW" => {
                let v = iso_year_week(days).1;
                number = Some(v);
                num(v, 2, fm)
            }
            "CC" => {
                let v = if s.interval {
                    tm.year / 100
                } else if tm.year > 0 {
                    (tm.year + 99) / 100
                } else {
                    -((99 - (tm.year - 1)) / 100)
                };
                number = Some(v);
                snum(v, 2, fm)
            }
            "J" => {
                let v = julian(days);
                number = Some(v);
                v.to_string()
            }
            "Q" => {
                let v = (i64::from(tm.mon) - 1) / 3 + 1;
                number = Some(v);
                v.to_string()
            }
            "RM" => {
                let r = ROMAN
                    .get((tm.mon as usize).wrapping_sub(1))
                    .copied()
                    .unwrap_or("");
                let r = if key == "rm" {
                    r.to_ascii_lowercase()
                } else {
                    r.to_string()
                };
                if fm { r } else { format!("{r:<4}") }
            }
            "TZ" => match &s.zone {
                Some((_, abbr)) => {
                    if key == "tz" {
                        abbr.to_ascii_lowercase()
                    } else {
                        abbr.clone()
                    }
                }
                None => String::new(),
            },
            "OF" => match &s.zone {
                Some((off, _)) => crate::types::format_offset(*off as i32),
                None => String::new(),
            },
            "TZH" => match &s.zone {
                Some((off, _)) => format!("{}{:02}", if *off < 0 { '-' } else { '+' }, off.abs() / 3600),
                None => String::new(),
            },
            "TZM" => match &s.zone {
                Some((off, _)) => format!("{:02}", (off.abs() / 60) % 60),
                None => String::new(),
            },
            _ => String::new(),
        };
        out.push_str(&text);
        if let (Some(upper), Some(v)) = (th, number) {
            out.push_str(ordinal(v, upper));
        }
    }
    out
}

fn zone_abbr(tz: &Tz, utc: i64) -> String {
    match tz {
        Tz::Utc => "UTC".into(),
        Tz::Fixed(o) => crate::types::format_offset(*o),
        Tz::Named(z) => match jiff::Timestamp::from_microsecond(utc) {
            Ok(ts) => {
                let info = z.to_offset_info(ts);
                let a = info.abbreviation().to_string();
                if a.starts_with(['+', '-']) {
                    crate::types::format_offset(info.offset().seconds())
                } else {
                    a
                }
            }
            Err(_) => String::new(),
        },
    }
}

fn interval_tm(iv: &Interval) -> Tm {
    let mut time = iv.micros;
    let hour = time / US_HOUR;
    time -= hour * US_HOUR;
    let min = time / US_MIN;
    time -= min * US_MIN;
    let sec = time / US_SEC;
    let usec = time - sec * US_SEC;
    Tm {
        year: i64::from(iv.months / 12),
        mon: (iv.months % 12) as u32,
        mday: iv.days as u32,
        hour,
        min,
        sec,
        usec,
    }
}

/// `to_char(interval)` with signed fields (days may be negative).
fn render_interval(nodes: &[Node], iv: &Interval) -> String {
    // Tm holds unsigned month/day; print through a signed shim for DD and MM.
    let tm = interval_tm(iv);
    let mut fixed = Vec::with_capacity(nodes.len());
    for n in nodes {
        match n {
            Node::Field { key, fm, th } if key.eq_ignore_ascii_case("dd") => {
                let v = i64::from(iv.days);
                fixed.push(Node::Lit(format!(
                    "{}{}",
                    num(v, 2, *fm),
                    th.map_or("", |u| ordinal(v, u))
                )));
            }
            Node::Field { key, fm, th } if key.eq_ignore_ascii_case("mm") => {
                let v = i64::from(iv.months % 12);
                fixed.push(Node::Lit(format!(
                    "{}{}",
                    num(v, 2, *fm),
                    th.map_or("", |u| ordinal(v, u))
                )));
            }
            other => fixed.push(other.clone()),
        }
    }
    render(
        &fixed,
        &Source {
            tm,
            interval: true,
            zone: None,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Parsing (to_timestamp / to_date)

#[derive(Default)]
struct Parsed {
    year: Option<i64>,
    bc: bool,
    yy: Option<(i64, usize)>,
    mon: Option<i64>,
    mday: Option<i64>,
    doy: Option<i64>,
    hour: Option<i64>,
    pm: Option<bool>,
    h12: bool,
    min: i64,
    sec: i64,
    usec: i64,
    iso_year: Option<i64>,
    iso_week: Option<i64>,
    iso_dow: Option<i64>,
    julian: Option<i64>,
    tz: Option<i64>,
    tzm: i64,
    cc: Option<i64>,
}

fn bad_value(v: &str, key: &str) -> QueryError {
    qerr(
        sqlstate::INVALID_DATETIME_FORMAT,
        format!("invalid value \"{v}\" for \"{key}\""),
    )
}

/// Reads up to `max` digits (with an optional sign) at `i`.
fn read_num(s: &[char], i: &mut usize, max: usize, nominal: usize, key: &str, signed: bool) -> Result<i64> {
    let start = *i;
    let mut neg = false;
    if signed && *i < s.len() && (s[*i] == '-' || s[*i] == '+') {
        neg = s[*i] == '-';
        *i += 1;
    }
    let dstart = *i;
    while *i < s.len() && *i - dstart < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i == dstart {
        let shown: String = s[start..].iter().take(nominal.max(1)).collect();
        return Err(bad_value(&shown, key).with_detail("Value must be an integer."));
    }
    let v: i64 = s[dstart..*i].iter().collect::<String>().parse().unwrap_or(0);
    Ok(if neg { -v } else { v })
}

fn read_word(s: &[char], i: &mut usize, words: &[&str], min_len: usize, key: &str) -> Result<usize> {
    let rest: String = s[*i..].iter().collect::<String>().to_ascii_lowercase();
    for (k, w) in words.iter().enumerate() {
        let wl = w.to_ascii_lowercase();
        let cand = if min_len == 3 { &wl[..3] } else { &wl[..] };
        if rest.starts_with(cand) {
            *i += cand.chars().count();
            return Ok(k);
        }
    }
    let shown: String = s[*i..].iter().take(min_len.max(3)).collect();
    Err(bad_value(&shown, key)
        .with_detail("The given value did not match any of the allowed values for this field."))
}

fn parse_with(nodes: &[Node], input: &str) -> Result<Parsed> {
    let s: Vec<char> = input.chars().collect();
    let mut p = Parsed::default();
    let mut i = 0;
    for (ni, n) in nodes.iter().enumerate() {
        // A number directly followed by another field has its nominal width; before a
        // separator or at the end it takes every digit there is.
        let greedy = !matches!(nodes.get(ni + 1), Some(Node::Field { .. }));
        let read_num = |s: &[char], i: &mut usize, max: usize, key: &str, signed: bool| {
            read_num(s, i, if greedy { 18 } else { max }, max, key, signed)
        };
        match n {
            Node::Lit(l) => {
                // Separators match loosely: skip as many input characters as the literal has,
                // or any whitespace for a space.
                for c in l.chars() {
                    if c == ' ' {
                        while i < s.len() && s[i].is_whitespace() {
                            i += 1;
                        }
                    } else if i < s.len() && (!s[i].is_ascii_alphanumeric() || s[i] == c) {
                        i += 1;
                    }
                }
            }
            Node::Field { key, .. } => {
                // Leading spaces before a field are ignored.
                while i < s.len() && s[i] == ' ' && ni > 0 {
                    i += 1;
                }
                let k = key.to_ascii_uppercase();
                match k.as_str() {
                    "YYYY" => p.year = Some(read_num(&s, &mut i, 4, key, true)?),
                    "Y,YYY" => {
                        let a = read_num(&s, &mut i, 3, key, false)?;
                        if i < s.len() && s[i] == ',' {
                            i += 1;
                        }
                        let b = read_num(&s, &mut i, 3, key, false)?;
                        p.year = Some(a * 1000 + b);
                    }
                    "YYY" | "YY" | "Y" => {
                        let start = i;
                        let v = read_num(&s, &mut i, k.len(), key, false)?;
                        p.yy = Some((v, i - start));
                    }
                    "IYYY" => p.iso_year = Some(read_num(&s, &mut i, 4, key, true)?),
                    "IW" => p.iso_week = Some(read_num(&s, &mut i, 2, key, false)?),
                    "ID" => p.iso_dow = Some(read_num(&s, &mut i, 1, key, false)?),
                    "MM" => p.mon = Some(read_num(&s, &mut i, 2, key, false)?),
                    "MONTH" | "MON" => {
                        let full = k == "MONTH";
                        p.mon =
                            Some(read_word(&s, &mut i, &MONTHS, if full { 0 } else { 3 }, key)? as i64 + 1);
                    }
                    "DAY" | "DY" => {
                        read_word(&s, &mut i, &DAYS, if k == "DAY" { 0 } else { 3 }, key)?;
                    }
                    "DD" => p.mday = Some(read_num(&s, &mut i, 2, key, false)?),
                    "DDD" => p.doy = Some(read_num(&s, &mut i, 3, key, false)?),
                    "D" => {
                        read_num(&s, &mut i, 1, key, false)?;
                    }
                    "HH" | "HH12" => {
                        p.hour = Some(read_num(&s, &mut i, 2, key, false)?);
                        p.h12 = true;
                    }
                    "HH24" => p.hour = Some(read_num(&s, &mut i, 2, key, false)?),
                    "MI" => p.min = read_num(&s, &mut i, 2, key, false)?,
                    "SS" => p.sec = read_num(&s, &mut i, 2, key, false)?,
                    "SSSS" | "SSSSS" => {
                        let v = read_num(&s, &mut i, 5, key, false)?;
                        p.hour = Some(v / 3600);
                        p.min = (v / 60) % 60;
                        p.sec = v % 60;
                    }
                    "MS" => {
                        let start = i;
                        let v = read_num(&s, &mut i, 3, key, false)?;
                        let digits = (i - start) as u32;
                        if digits > 3 {
                            return Err(qerr(
                                sqlstate::DATETIME_FIELD_OVERFLOW,
                                format!("date/time field value out of range: \"{input}\""),
                            ));
                        }
                        p.usec = v * 10i64.pow(3 - digits) * 1000;
                    }
                    "US" | "FF1" | "FF2" | "FF3" | "FF4" | "FF5" | "FF6" => {
                        let start = i;
                        let max = if k == "US" { 6 } else { k[2..].parse().unwrap_or(6) };
                        let v = read_num(&s, &mut i, max, key, false)?;
                        let digits = (i - start) as u32;
                        if digits > max as u32 {
                            return Err(qerr(
                                sqlstate::DATETIME_FIELD_OVERFLOW,
                                format!("date/time field value out of range: \"{input}\""),
                            ));
                        }
                        p.usec = v * 10i64.pow(6 - digits);
                    }
                    "AM" | "PM" | "A.M." | "P.M." => {
                        let rest: String = s[i..].iter().collect::<String>().to_ascii_uppercase();
                        let (pm, len) = if rest.starts_with("PM") || rest.starts_with("P.M.") {
                            (true, if rest.starts_with("P.M.") { 4 } else { 2 })
                        } else if rest.starts_with("AM") || rest.starts_with("A.M.") {
                            (false, if rest.starts_with("A.M.") { 4 } else { 2 })
                        } else {
                            let shown: String = s[i..].iter().take(2).collect();
                            return Err(bad_value(&shown, key));
                        };
                        p.pm = Some(pm);
                        i += len;
                    }
                    "BC" | "AD" | "B.C." | "A.D." => {
                        let rest: String = s[i..].iter().collect::<String>().to_ascii_uppercase();
                        if rest.starts_with("BC") || rest.starts_with("B.C.") {
                            p.bc = true;
                            i += if rest.starts_with("B.C.") { 4 } else { 2 };
                        } else if rest.starts_with("AD") || rest.starts_with("A.D.") {
                            i += if rest.starts_with("A.D.") { 4 } else { 2 };
                        }
                    }
                    "J" => p.julian = Some(read_num(&s, &mut i, 9, key, false)?),
                    "CC" => p.cc = Some(read_num(&s, &mut i, 2, key, true)?),
                    "Q" | "W" | "WW" => {
                        read_num(&s, &mut i, 2, key, false)?;
                    }
                    "RM" => {
                        let rest: String = s[i..].iter().collect::<String>().to_ascii_uppercase();
                        let mut best = None;
                        for (m, r) in ROMAN.iter().enumerate() {
                            if rest.starts_with(r) && best.is_none_or(|(_, l)| r.len() > l) {
                                best = Some((m, r.len()));
                            }
                        }
                        let (m, l) =
                            best.ok_or_else(|| bad_value(&rest.chars().take(4).collect::<String>(), key))?;
                        p.mon = Some(m as i64 + 1);
                        i += l;
                    }
                    "TZH" => p.tz = Some(read_num(&s, &mut i, 2, key, true)? * 3600),
                    "TZM" => p.tzm = read_num(&s, &mut i, 2, key, false)? * 60,
                    "TZ" | "OF" => {
                        return Err(qerr(
                            sqlstate::FEATURE_NOT_SUPPORTED,
                            format!("formatting field \"{key}\" is only supported in to_char"),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(p)
}

fn field_err(what: &str) -> QueryError {
    qerr(sqlstate::DATETIME_FIELD_OVERFLOW, what.to_string())
}

/// Turns parsed fields into local days and time of day.
fn resolve(p: &Parsed, input: &str) -> Result<(i64, i64)> {
    let out_of_range = || {
        qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: \"{input}\""),
        )
    };
    let mut year = p.year;
    if let Some((v, digits)) = p.yy {
        year = Some(match digits {
            1 => 2000 + v,
            2 => {
                if v < 70 {
                    2000 + v
                } else {
                    1900 + v
                }
            }
            _ => {
                if v < 100 {
                    2000 + v
                } else {
                    1000 + v
                }
            }
        });
    }
    if year.is_none()
        && let Some(cc) = p.cc
    {
        year = Some(if cc > 0 { (cc - 1) * 100 + 1 } else { cc * 100 + 1 });
    }
    let days = if let Some(j) = p.julian {
        j - 2_440_588
    } else if let (Some(iy), Some(iw)) = (p.iso_year, p.iso_week) {
        iso_week_start(iy, iw) + p.iso_dow.unwrap_or(1) - 1
    } else {
        let mut y = year.unwrap_or(1);
        if p.bc {
            y = 1 - y;
        }
        if let Some(doy) = p.doy
            && p.mon.is_none()
        {
            days_from_civil(y, 1, 1) + doy - 1
        } else {
            let m = p.mon.unwrap_or(1);
            let d = p.mday.unwrap_or(1);
            if !(1..=12).contains(&m) || d < 1 || d > i64::from(days_in_month(y, m as u32)) {
                return Err(out_of_range());
            }
            days_from_civil(y, m as u32, d as u32)
        }
    };
    let mut hour = p.hour.unwrap_or(0);
    if p.h12 {
        if !(1..=12).contains(&hour) {
            return Err(qerr(
                sqlstate::INVALID_DATETIME_FORMAT,
                format!("hour \"{hour}\" is invalid for the 12-hour clock"),
            )
            .with_hint("Use the 24-hour clock, or give an hour between 1 and 12."));
        }
        if hour == 12 {
            hour = 0;
        }
    }
    if p.pm == Some(true) && hour < 12 {
        hour += 12;
    }
    if !(0..=24).contains(&hour) || !(0..60).contains(&p.min) || !(0..=60).contains(&p.sec) {
        return Err(out_of_range());
    }
    let tod = hour * US_HOUR + p.min * US_MIN + p.sec * US_SEC + p.usec;
    Ok((days, tod))
}

fn to_timestamp_text(ctx: &EvalContext, input: &str, fmt: &str) -> Result<i64> {
    let nodes = parse_template(fmt);
    let p = parse_with(&nodes, input)?;
    let (days, tod) = resolve(&p, input)?;
    let local = days
        .checked_mul(US_DAY)
        .and_then(|d| d.checked_add(tod))
        .ok_or_else(|| field_err("timestamp out of range"))?;
    let utc = match p.tz {
        Some(h) => {
            let off = if h < 0 { h - p.tzm } else { h + p.tzm };
            local - off * US_SEC
        }
        None => from_local(&ctx.tz, local),
    };
    check_ts(utc)
}

fn to_date_text(input: &str, fmt: &str) -> Result<i64> {
    let nodes = parse_template(fmt);
    let p = parse_with(&nodes, input)?;
    let (days, _) = resolve(&p, input)?;
    check_date(days).map_err(|_| {
        qerr(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("date out of range: \"{input}\""),
        )
    })
}

fn to_char_ts(t: i64, fmt: &str, tz: Option<&Tz>) -> Option<String> {
    if is_inf(t) {
        return None;
    }
    let nodes = parse_template(fmt);
    let (local, zone) = match tz {
        Some(z) => {
            let off = offset_at(z, t);
            (t + off * US_SEC, Some((off, zone_abbr(z, t))))
        }
        None => (t, None),
    };
    Some(render(
        &nodes,
        &Source {
            tm: Tm::from_ts(local),
            interval: false,
            zone,
        },
    ))
}

fn strict(
    r: &mut Registry,
    name: &str,
    args: &[DataType],
    ret: DataType,
    vol: Volatility,
    f: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::strict_rows(
        name,
        Signature::exact(args, ret),
        vol,
        f,
    ));
}

/// Registers `to_char` (date/time), `to_timestamp(text, text)` and `to_date`.
pub(crate) fn register(r: &mut Registry) {
    use Volatility::{Immutable, Stable};
    strict(r, "to_char", &[t::TS, t::TEXT], t::TEXT, Immutable, |_c, v| {
        Ok(to_char_ts(int_of(&v[0]), value_str(&v[1]), None).map_or(Value::Null, Value::str))
    });
    strict(r, "to_char", &[t::TSTZ, t::TEXT], t::TEXT, Stable, |c, v| {
        Ok(to_char_ts(int_of(&v[0]), value_str(&v[1]), Some(&c.tz)).map_or(Value::Null, Value::str))
    });
    strict(r, "to_char", &[t::IV, t::TEXT], t::TEXT, Immutable, |_c, v| {
        let iv = match &v[0] {
            Value::Interval(i) => *i,
            _ => Interval::default(),
        };
        Ok(Value::str(render_interval(
            &parse_template(value_str(&v[1])),
            &iv,
        )))
    });
    strict(r, "to_timestamp", &[t::TEXT, t::TEXT], t::TSTZ, Stable, |c, v| {
        Ok(Value::Int(to_timestamp_text(
            c,
            value_str(&v[0]),
            value_str(&v[1]),
        )?))
    });
    strict(r, "to_date", &[t::TEXT, t::TEXT], t::DATE, Stable, |_c, v| {
        Ok(Value::Int(to_date_text(value_str(&v[0]), value_str(&v[1]))?))
    });
}

/// The double-quoted literal of a to_char template starting at `cs[start]` (a `"`), with
/// backslash escapes removed, and the index just past its closing quote (PostgreSQL's rule for
/// both the date/time and the number templates).
pub(super) fn quoted(cs: &[char], start: usize) -> (String, usize) {
    let mut lit = String::new();
    let mut i = start + 1;
    while i < cs.len() && cs[i] != '"' {
        if cs[i] == '\\' && i + 1 < cs.len() {
            i += 1;
        }
        lit.push(cs[i]);
        i += 1;
    }
    (lit, i + 1)
}
