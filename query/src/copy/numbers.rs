//! Fast paths for the values COPY sees most: integers, short decimals, ISO timestamps.

/// Parses an optionally signed decimal integer.
pub fn parse_i64_bytes(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    if digits.len() <= 18 {
        // Below 10^18: no overflow possible, so no checks per digit.
        let mut v: u64 = 0;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + u64::from(d);
        }
        let v = v as i64;
        return Some(if neg { -v } else { v });
    }
    let mut v: i64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(d))?;
    }
    if neg { Some(v) } else { v.checked_neg() }
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// Parses `-123.45`-style decimals exactly (mantissa below 2^53, at most 22 decimals); None
/// means "use the general parser".
pub fn parse_decimal_f64(b: &[u8]) -> Option<f64> {
    let (neg, rest) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // More than 19 digits are rejected below; the mantissa wraps (no overflow check per digit)
    // only for inputs that are then rejected.
    if rest.is_empty() || rest.len() > 20 {
        return None;
    }
    let mut m: u64 = 0;
    let mut i = 0;
    while let Some(&c) = rest.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    let mut digits = i;
    let mut frac = 0;
    if i < rest.len() {
        if rest[i] != b'.' {
            return None;
        }
        for &c in &rest[i + 1..] {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        }
        frac = rest.len() - i - 1;
        digits += frac;
    }
    if digits == 0 || digits > 19 || m >= (1u64 << 53) {
        return None;
    }
    // Both m and 10^frac are exact doubles, so the division is correctly rounded.
    let v = m as f64 / *POW10.get(frac)?;
    Some(if neg { -v } else { v })
}

fn two(b: &[u8], i: usize) -> Option<u32> {
    let h = b.get(i)?.wrapping_sub(b'0');
    let l = b.get(i + 1)?.wrapping_sub(b'0');
    (h <= 9 && l <= 9).then_some(u32::from(h) * 10 + u32::from(l))
}

/// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` (no zone) to µs since the epoch; None → general parser.
pub fn parse_iso_timestamp(b: &[u8]) -> Option<i64> {
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let y = two(b, 0)? * 100 + two(b, 2)?;
    let (mo, d, h, mi, s) = (two(b, 5)?, two(b, 8)?, two(b, 11)?, two(b, 14)?, two(b, 17)?);
    if !(1..=12).contains(&mo)
        || d == 0
        || d > crate::types::days_in_month(i64::from(y), mo)
        || h > 23
        || mi > 59
        || s > 59
    {
        return None;
    }
    let mut us = 0i64;
    if b.len() > 19 {
        if b[19] != b'.' || b.len() > 26 || b.len() == 20 {
            return None;
        }
        for (k, &c) in b[20..].iter().enumerate() {
            let dg = c.wrapping_sub(b'0');
            if dg > 9 {
                return None;
            }
            us += i64::from(dg) * 10i64.pow(5 - k as u32);
        }
    }
    let days = crate::types::days_from_civil(i64::from(y), mo, d);
    Some(days * 86_400_000_000 + i64::from(h * 3600 + mi * 60 + s) * 1_000_000 + us)
}

/// The first ten bytes of a timestamp (its date) as two words, compared without a call.
pub type DayKey = (u64, u16);

fn day_key(b: &[u8]) -> Option<DayKey> {
    let w = u64::from_le_bytes(b.get(..8)?.try_into().ok()?);
    let h = u16::from_le_bytes(b.get(8..10)?.try_into().ok()?);
    Some((w, h))
}

/// [`parse_iso_timestamp`] remembering the last date: consecutive rows of a load share their
/// day, so the calendar arithmetic runs once per day instead of once per row.
#[inline]
pub fn parse_iso_timestamp_cached(b: &[u8], day: &mut Option<(DayKey, i64)>) -> Option<i64> {
    let key = day_key(b)?;
    if let Some((d, base)) = *day
        && d == key
        && b.len() >= 19
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':'
    {
        let (h, mi, s) = (two(b, 11)?, two(b, 14)?, two(b, 17)?);
        if h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let us = if b.len() > 19 { fraction_us(&b[19..])? } else { 0 };
        return Some(base + i64::from(h * 3600 + mi * 60 + s) * 1_000_000 + us);
    }
    let v = parse_iso_timestamp(b)?;
    let secs = v.div_euclid(86_400_000_000) * 86_400_000_000;
    *day = Some((key, secs));
    Some(v)
}

/// `.ffffff` (1 to 6 digits) → µs.
fn fraction_us(b: &[u8]) -> Option<i64> {
    if b.first() != Some(&b'.') || b.len() > 7 || b.len() == 1 {
        return None;
    }
    let mut us = 0i64;
    for (k, &c) in b[1..].iter().enumerate() {
        let dg = c.wrapping_sub(b'0');
        if dg > 9 {
            return None;
        }
        us += i64::from(dg) * 10i64.pow(5 - k as u32);
    }
    Some(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_paths_agree_with_the_general_parsers() {
        for s in ["0", "-1", "12034", "9223372036854775807", "-9223372036854775808"] {
            assert_eq!(parse_i64_bytes(s.as_bytes()), s.parse().ok(), "{s}");
        }
        assert_eq!(parse_i64_bytes(b"9223372036854775808"), None);
        for s in ["65.3", "2.51", "-0.05", "0.1", "12000", "1234567.891", "0.000001"] {
            assert_eq!(
                parse_decimal_f64(s.as_bytes()),
                Some(s.parse::<f64>().unwrap()),
                "{s}"
            );
        }
        assert_eq!(parse_decimal_f64(b"1e5"), None);
        // Twenty digits would overflow the mantissa: left to the general parser.
        assert_eq!(parse_decimal_f64(b"18446744073709551616"), None);
        assert_eq!(parse_decimal_f64(b"1844674407370955161.6"), None);
        for s in ["", ".", "-", "1.", ".5", "1..2", "1.2.3", "--1", "1-"] {
            assert_eq!(parse_decimal_f64(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        assert_eq!(
            parse_iso_timestamp(b"2026-01-05 10:00:00"),
            Some(1_767_607_200_000_000)
        );
        assert_eq!(
            parse_iso_timestamp(b"2026-01-05 10:00:00.25"),
            Some(1_767_607_200_250_000)
        );
        assert_eq!(parse_iso_timestamp(b"2026-02-30 10:00:00"), None);
    }

    #[test]
    fn cached_dates_give_the_same_timestamps() {
        let mut day = None;
        let cases: [(&[u8], Option<i64>); 6] = [
            (b"2026-01-05 10:00:00", Some(1_767_607_200_000_000)),
            (b"2026-01-05 10:00:00.25", Some(1_767_607_200_250_000)),
            (b"2026-01-05 23:59:59.999999", Some(1_767_657_599_999_999)),
            (b"2026-01-05 24:00:00", None),
            (b"2026-01-05 10:00:00.", None),
            (b"1969-12-31 23:59:59", Some(-1_000_000)),
        ];
        for (s, want) in cases {
            assert_eq!(
                parse_iso_timestamp_cached(s, &mut day),
                want,
                "{}",
                String::from_utf8_lossy(s)
            );
            assert_eq!(parse_iso_timestamp(s), want);
        }
    }
}
