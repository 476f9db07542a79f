//! Dates, times and timestamps: PostgreSQL's ISO text formats, civil-calendar arithmetic and
//! session time zones. Internally a date is days and a timestamp microseconds since 1970-01-01
//! (UTC for `timestamptz`); `±infinity` are `i64::MAX` / `i64::MIN`.

/// Microseconds per second.
pub const USECS_PER_SEC: i64 = 1_000_000;
/// Microseconds per day.
pub const USECS_PER_DAY_DT: i64 = 86_400_000_000;
/// `infinity` timestamp.
pub const TS_INFINITY: i64 = i64::MAX;
/// `-infinity` timestamp.
pub const TS_NEG_INFINITY: i64 = i64::MIN;

/// Days since 1970-01-01 of a proleptic Gregorian date (year 0 = 1 BC).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` is a leap year.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

/// A session time zone.
#[derive(Debug, Clone)]
pub enum Tz {
    /// UTC.
    Utc,
    /// A fixed offset in seconds east of UTC.
    Fixed(i32),
    /// A zone of the IANA database.
    Named(jiff::tz::TimeZone),
}

impl Tz {
    /// Looks up `UTC`, `Europe/Berlin`, or a POSIX-style offset: `+02:00`, `UTC+3`, `<-05>+05`.
    /// As in PostgreSQL, POSIX offsets count hours west of Greenwich (`UTC+3` is three hours
    /// behind UTC).
    pub fn parse(name: &str) -> Option<Tz> {
        let n = name.trim();
        let lower = n.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "utc" | "gmt" | "z" | "zulu" | "etc/utc" | "etc/gmt" | "universal" | "uct"
        ) {
            return Some(Tz::Utc);
        }
        let fixed = |west: i32| Some(if west == 0 { Tz::Utc } else { Tz::Fixed(-west) });
        if let Some(off) = parse_offset(n) {
            return fixed(off);
        }
        if let Ok(z) = jiff::tz::TimeZone::get(n) {
            return Some(Tz::Named(z));
        }
        // <abbreviation>offset, or a 3+ letter abbreviation followed by an offset.
        let rest = match n.strip_prefix('<') {
            Some(r) => &r[r.find('>')? + 1..],
            None => {
                let letters = n.find(['+', '-'])?;
                if letters < 3 || !n[..letters].bytes().all(|b| b.is_ascii_alphabetic()) {
                    return None;
                }
                &n[letters..]
            }
        };
        fixed(parse_offset(rest)?)
    }

    /// The POSIX name PostgreSQL stores for an ISO offset (seconds east): `<+05:30>-05:30`.
    pub fn posix_name(east: i32) -> String {
        let hm = |s: i32| {
            let a = s.abs();
            let (h, m) = (a / 3600, a % 3600 / 60);
            if m == 0 {
                format!("{h:02}")
            } else {
                format!("{h:02}:{m:02}")
            }
        };
        let (abbr, posix) = if east < 0 { ('-', '+') } else { ('+', '-') };
        format!("<{abbr}{}>{posix}{}", hm(east), hm(east))
    }

    /// Offset from UTC in seconds at the UTC instant `us`.
    pub fn offset_at(&self, us: i64) -> i32 {
        match self {
            Tz::Utc => 0,
            Tz::Fixed(o) => *o,
            Tz::Named(z) => match jiff::Timestamp::from_microsecond(us) {
                Ok(ts) => z.to_offset(ts).seconds(),
                Err(_) => 0,
            },
        }
    }

    /// UTC instant of a local wall-clock time (earlier offset in a DST overlap, shifted forward
    /// across a DST gap, as PostgreSQL does).
    pub fn local_to_utc(&self, local_us: i64) -> i64 {
        match self {
            Tz::Utc => local_us,
            Tz::Fixed(o) => local_us - i64::from(*o) * USECS_PER_SEC,
            Tz::Named(z) => {
                let guess = local_us - i64::from(self.offset_at(local_us)) * USECS_PER_SEC;
                let off = self.offset_at(guess);
                let candidate = local_us - i64::from(off) * USECS_PER_SEC;
                if self.offset_at(candidate) == off {
                    candidate
                } else {
                    let _ = z;
                    local_us - i64::from(self.offset_at(candidate)) * USECS_PER_SEC
                }
            }
        }
    }
}

/// Parses `+HH`, `-HH:MM`, `+HHMM` into seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m, s) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0, 0),
        3 | 4 => (
            digits[..digits.len() - 2].parse().ok()?,
            digits[digits.len() - 2..].parse().ok()?,
            0,
        ),
        _ => (
            digits[..digits.len() - 4].parse().ok()?,
            digits[digits.len() - 4..digits.len() - 2].parse().ok()?,
            digits[digits.len() - 2..].parse().ok()?,
        ),
    };
    if h > 15 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

/// What a date/time literal says about its zone.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneSpec {
    /// No zone given.
    None,
    /// A fixed offset in seconds.
    Offset(i32),
    /// A named zone.
    Named(String),
}

/// A parsed date/time literal, before zone resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// Days since epoch.
    pub days: i64,
    /// Time of day in µs.
    pub time_us: i64,
    /// Zone, if written.
    pub zone: ZoneSpec,
}

/// Special values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Special {
    /// infinity
    Infinity,
    /// -infinity
    NegInfinity,
    /// epoch
    Epoch,
    /// now
    Now,
    /// today
    Today,
    /// tomorrow
    Tomorrow,
    /// yesterday
    Yesterday,
}

/// Recognises `infinity`, `epoch`, `now`, ...
pub fn special(s: &str) -> Option<Special> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => Special::Infinity,
        "-infinity" => Special::NegInfinity,
        "epoch" => Special::Epoch,
        "now" => Special::Now,
        "today" => Special::Today,
        "tomorrow" => Special::Tomorrow,
        "yesterday" => Special::Yesterday,
        _ => return None,
    })
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYYMMDD`, with ` BC`).
pub fn parse_date_part(s: &str) -> Option<i64> {
    let (s, bc) = match s.strip_suffix(" BC").or_else(|| s.strip_suffix(" bc")) {
        Some(r) => (r.trim(), true),
        None => (s, false),
    };
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let (y, m, d) = match parts[..] {
        [y, m, d] => (num(y)?, num(m)?, num(d)?),
        [ymd] if ymd.len() == 8 => (num(&ymd[..4])?, num(&ymd[4..6])?, num(&ymd[6..])?),
        _ => return None,
    };
    let y = if bc { 1 - y } else { y };
    if !(1..=12).contains(&m) || d < 1 || d > i64::from(days_in_month(y, m as u32)) {
        return None;
    }
    Some(days_from_civil(y, m as u32, d as u32))
}

/// Whether a date/time literal is well formed but has a field out of range (month 13,
/// February 30, hour 25): PostgreSQL reports those as 22008 rather than 22007.
pub fn fields_out_of_range(s: &str) -> bool {
    let s = s.trim();
    let (date, rest) = match s.find([' ', 'T', 't']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let parts: Vec<&str> = date.split(['-', '/']).collect();
    let date_bad = match parts[..] {
        [y, m, d] => match (num(y), num(m), num(d)) {
            (Some(y), Some(m), Some(d)) => {
                !(1..=12).contains(&m) || d < 1 || d > i64::from(days_in_month(y, m as u32))
            }
            _ => return false,
        },
        [t] if t.contains(':') => return time_out_of_range(t),
        _ => return false,
    };
    date_bad || (!rest.is_empty() && time_out_of_range(split_zone(rest).0))
}

fn time_out_of_range(t: &str) -> bool {
    let nums: Option<Vec<i64>> = t
        .split(':')
        .map(|p| num(p.split('.').next().unwrap_or(p)))
        .collect();
    match nums.as_deref() {
        Some([h, m]) => *h > 24 || *m > 59,
        Some([h, m, s]) => *h > 24 || *m > 59 || *s > 60,
        _ => false,
    }
}

/// `HHMMSS` / `HHMM` (as in `20260105 101112`) as `HH:MM:SS`; other text unchanged.
fn colon_time(t: &str) -> String {
    if !t.bytes().all(|b| b.is_ascii_digit()) || !matches!(t.len(), 4 | 6) {
        return t.to_string();
    }
    let pairs: Vec<&str> = (0..t.len()).step_by(2).map(|i| &t[i..i + 2]).collect();
    pairs.join(":")
}

/// Parses `HH:MM[:SS[.ffffff]]` into µs (24:00:00 allowed).
pub fn parse_time_part(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(':').collect();
    let (h, m, sec) = match parts[..] {
        [h, m] => (num(h)?, num(m)?, "0"),
        [h, m, sec] => (num(h)?, num(m)?, sec),
        _ => return None,
    };
    let (whole, frac) = match sec.split_once('.') {
        Some((w, f)) => (num(w)?, f),
        None => (num(sec)?, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut frac_us = 0i64;
    for (i, b) in frac.bytes().take(7).enumerate() {
        let dgt = i64::from(b - b'0');
        if i < 6 {
            frac_us += dgt * 10i64.pow(5 - i as u32);
        } else if dgt >= 5 {
            frac_us += 1; // round the 7th digit
        }
    }
    if h > 24 || m > 59 || whole > 60 || (h == 24 && (m > 0 || whole > 0 || frac_us > 0)) {
        return None;
    }
    Some(((h * 60 + m) * 60 + whole) * USECS_PER_SEC + frac_us)
}

/// Parses a date/time literal: date, optional time (after a space or `T`), optional zone.
pub fn parse_datetime(s: &str) -> Option<Parsed> {
    let s = s.trim();
    let (date, rest) = match s.find([' ', 'T', 't']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let mut rest = rest.to_string();
    let mut bc = false;
    if let Some(r) = rest.strip_suffix("BC").or_else(|| rest.strip_suffix("bc")) {
        bc = true;
        rest = r.trim().to_string();
    }
    let days = parse_date_part(&if bc {
        format!("{date} BC")
    } else {
        date.to_string()
    })?;
    if rest.is_empty() {
        return Some(Parsed {
            days,
            time_us: 0,
            zone: ZoneSpec::None,
        });
    }
    // Split time from zone: the zone starts at +, - (after the time), Z or a space.
    let (time, zone) = split_zone(&rest);
    let time_us = if time.is_empty() {
        0
    } else {
        parse_time_part(&colon_time(time))?
    };
    let zone = match zone.trim() {
        "" => ZoneSpec::None,
        z if z.eq_ignore_ascii_case("z")
            || z.eq_ignore_ascii_case("utc")
            || z.eq_ignore_ascii_case("gmt") =>
        {
            ZoneSpec::Offset(0)
        }
        z => match parse_offset(z) {
            Some(o) => ZoneSpec::Offset(o),
            None => ZoneSpec::Named(z.to_string()),
        },
    };
    Some(Parsed { days, time_us, zone })
}

fn split_zone(s: &str) -> (&str, &str) {
    if let Some(i) = s.find(['+', '-', ' ', 'Z', 'z']) {
        if i == 0 && !s.starts_with(|c: char| c.is_ascii_digit()) {
            return ("", s);
        }
        return (s[..i].trim(), s[i..].trim());
    }
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return ("", s);
    }
    (s, "")
}

/// Resolves a parsed literal to a UTC instant, using `session` when no zone was written.
pub fn to_utc(p: &Parsed, session: &Tz) -> Option<i64> {
    let local = p.days.checked_mul(USECS_PER_DAY_DT)?.checked_add(p.time_us)?;
    Some(match &p.zone {
        ZoneSpec::None => session.local_to_utc(local),
        ZoneSpec::Offset(o) => local - i64::from(*o) * USECS_PER_SEC,
        ZoneSpec::Named(n) => Tz::parse(n)?.local_to_utc(local),
    })
}

fn year_str(y: i64) -> (String, &'static str) {
    if y <= 0 {
        (format!("{:04}", 1 - y), " BC")
    } else {
        (format!("{y:04}"), "")
    }
}

/// `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    match days {
        i64::MAX => return "infinity".into(),
        i64::MIN => return "-infinity".into(),
        _ => {}
    }
    let (y, m, d) = civil_from_days(days);
    let (ys, bc) = year_str(y);
    format!("{ys}-{m:02}-{d:02}{bc}")
}

/// `HH:MM:SS[.ffffff]` (trailing zeros trimmed).
pub fn format_time(us: i64) -> String {
    let us = us.rem_euclid(USECS_PER_DAY_DT + 1);
    let h = us / 3_600_000_000;
    let m = (us / 60_000_000) % 60;
    let s = (us / 1_000_000) % 60;
    let frac = us % 1_000_000;
    let mut out = format!("{h:02}:{m:02}:{s:02}");
    if frac != 0 {
        out.push('.');
        out.push_str(format!("{frac:06}").trim_end_matches('0'));
    }
    out
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`.
pub fn format_timestamp(us: i64) -> String {
    match us {
        TS_INFINITY => return "infinity".into(),
        TS_NEG_INFINITY => return "-infinity".into(),
        _ => {}
    }
    let days = us.div_euclid(USECS_PER_DAY_DT);
    let tod = us.rem_euclid(USECS_PER_DAY_DT);
    let (y, m, d) = civil_from_days(days);
    let (ys, bc) = year_str(y);
    format!("{ys}-{m:02}-{d:02} {}{bc}", format_time(tod))
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]` in the session zone.
pub fn format_timestamptz(us: i64, tz: &Tz) -> String {
    if us == TS_INFINITY || us == TS_NEG_INFINITY {
        return format_timestamp(us);
    }
    let off = tz.offset_at(us);
    let local = us.saturating_add(i64::from(off) * USECS_PER_SEC);
    let mut s = format_timestamp(local);
    let bc = s.ends_with(" BC");
    if bc {
        s.truncate(s.len() - 3);
    }
    s.push_str(&format_offset(off));
    if bc {
        s.push_str(" BC");
    }
    s
}

/// `+HH`, `+HH:MM` or `+HH:MM:SS`.
pub fn format_offset(off: i32) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    let (h, m, s) = (a / 3600, (a / 60) % 60, a % 60);
    if s != 0 {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    } else if m != 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-1_000_000i64, -719_468, -1, 0, 1, 10_957, 20_458, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2026, 1, 5), 20_458);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn parse_and_format() {
        let p = parse_datetime("2026-01-05 10:00:00").unwrap();
        assert_eq!(to_utc(&p, &Tz::Utc), Some(1_767_607_200_000_000));
        assert_eq!(format_timestamp(1_767_607_200_000_000), "2026-01-05 10:00:00");
        let p = parse_datetime("2026-01-05T10:00:00.25+02").unwrap();
        assert_eq!(
            format_timestamp(to_utc(&p, &Tz::Utc).unwrap()),
            "2026-01-05 08:00:00.25"
        );
        assert_eq!(
            format_timestamptz(1_767_607_200_000_000, &Tz::parse("Asia/Kolkata").unwrap()),
            "2026-01-05 15:30:00+05:30"
        );
        assert_eq!(
            format_timestamptz(1_767_607_200_000_000, &Tz::parse("Europe/Berlin").unwrap()),
            "2026-01-05 11:00:00+01"
        );
        assert_eq!(format_date(parse_date_part("2024-02-29").unwrap()), "2024-02-29");
        assert!(parse_date_part("2023-02-29").is_none());
        assert!(parse_datetime("2026-13-01").is_none());
        assert_eq!(
            format_time(parse_time_part("23:59:59.999999").unwrap()),
            "23:59:59.999999"
        );
        assert_eq!(format_date(days_from_civil(0, 12, 31)), "0001-12-31 BC");
        let berlin = Tz::parse("Europe/Berlin").unwrap();
        let p = parse_datetime("2026-07-01 12:00").unwrap();
        assert_eq!(
            format_timestamptz(to_utc(&p, &berlin).unwrap(), &Tz::Utc),
            "2026-07-01 10:00:00+00"
        );
    }
}
