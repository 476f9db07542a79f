//! Text input and output of every type, as PostgreSQL formats them (DateStyle ISO, IntervalStyle
//! postgres, bytea_output hex, extra_float_digits ≥ 1: shortest round-trip floats).
use std::sync::Arc;

use super::datetime::*;
use super::{ArrayValue, DataType, Decimal, Interval, Value};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};

fn invalid(ty: &DataType, s: &str) -> QueryError {
    let name = match ty {
        DataType::Int2 => "smallint".to_string(),
        DataType::Int4 => "integer".to_string(),
        DataType::Int8 => "bigint".to_string(),
        DataType::Float8 => "double precision".to_string(),
        DataType::Timestamptz => "timestamp with time zone".to_string(),
        DataType::Timestamp => "timestamp".to_string(),
        DataType::Time => "time".to_string(),
        t => t.typname().to_string(),
    };
    let code = match ty {
        DataType::Date | DataType::Timestamp | DataType::Timestamptz | DataType::Time => {
            if super::datetime::fields_out_of_range(s) {
                return QueryError::new(
                    sqlstate::DATETIME_FIELD_OVERFLOW,
                    format!("date/time field value out of range: \"{s}\""),
                );
            }
            sqlstate::INVALID_DATETIME_FORMAT
        }
        _ => sqlstate::INVALID_TEXT_REPRESENTATION,
    };
    QueryError::new(code, format!("invalid input syntax for type {name}: \"{s}\""))
}

fn out_of_range(ty: &DataType, s: &str) -> QueryError {
    QueryError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("value \"{s}\" is out of range for type {}", ty.display_name()),
    )
}

/// Range of an integer type.
pub fn int_range(ty: &DataType) -> (i64, i64) {
    match ty {
        DataType::Int2 => (i64::from(i16::MIN), i64::from(i16::MAX)),
        DataType::Int4 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        DataType::Oid
        | DataType::RegClass
        | DataType::RegType
        | DataType::RegProc
        | DataType::RegNamespace => (i64::from(i32::MIN), i64::from(u32::MAX)),
        _ => (i64::MIN, i64::MAX),
    }
}

/// Parses an integer literal of `ty`.
pub fn parse_int(s: &str, ty: &DataType) -> Result<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return Err(invalid(ty, s));
    }
    let v: i64 = t.replace('_', "").parse().map_err(|_| out_of_range(ty, s))?;
    let (lo, hi) = int_range(ty);
    if v < lo || v > hi {
        return Err(out_of_range(ty, s));
    }
    if matches!(ty, DataType::Oid) && v < 0 {
        return Ok(v + (1i64 << 32));
    }
    Ok(v)
}

/// Parses a double (`NaN`, `Infinity`, `-inf`, `1e5`, ...).
pub fn parse_float(s: &str, ty: &DataType) -> Result<f64> {
    let t = s.trim();
    let v = match t.to_ascii_lowercase().as_str() {
        "nan" => f64::NAN,
        "infinity" | "inf" | "+infinity" | "+inf" => f64::INFINITY,
        "-infinity" | "-inf" => f64::NEG_INFINITY,
        _ => {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) {
                return Err(invalid(ty, s));
            }
            t.parse::<f64>().map_err(|_| invalid(ty, s))?
        }
    };
    if v.is_infinite() && !t.to_ascii_lowercase().contains("inf") {
        return Err(out_of_range(ty, s));
    }
    if *ty == DataType::Float4 {
        let f = v as f32;
        if f.is_infinite() && v.is_finite() {
            return Err(out_of_range(ty, s));
        }
        return Ok(f64::from(f));
    }
    Ok(v)
}

/// Parses a boolean literal (unique prefixes of true/false/yes/no, on/off, 1/0).
pub fn parse_bool(s: &str) -> Result<bool> {
    let t = s.trim().to_ascii_lowercase();
    let prefix_of = |w: &str, min: usize| t.len() >= min && w.starts_with(t.as_str());
    if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || t == "1" {
        return Ok(true);
    }
    if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || t == "0" {
        return Ok(false);
    }
    Err(invalid(&DataType::Bool, s))
}

fn special_ts(sp: Special, ctx: &EvalContext, ty: &DataType) -> i64 {
    let day = |us: i64| -> i64 {
        let off = if *ty == DataType::Timestamptz {
            ctx.tz.offset_at(us)
        } else {
            0
        };
        let local = us + i64::from(off) * USECS_PER_SEC;
        let start = local.div_euclid(USECS_PER_DAY_DT) * USECS_PER_DAY_DT;
        if *ty == DataType::Timestamptz {
            ctx.tz.local_to_utc(start)
        } else {
            start
        }
    };
    let now_local = match ty {
        DataType::Timestamp => ctx.now_us + i64::from(ctx.tz.offset_at(ctx.now_us)) * USECS_PER_SEC,
        _ => ctx.now_us,
    };
    match sp {
        Special::Infinity => TS_INFINITY,
        Special::NegInfinity => TS_NEG_INFINITY,
        Special::Epoch => 0,
        Special::Now => now_local,
        Special::Today => day(now_local),
        Special::Tomorrow => day(now_local) + USECS_PER_DAY_DT,
        Special::Yesterday => day(now_local) - USECS_PER_DAY_DT,
    }
}

/// Parses a timestamp (`tz = true`: timestamptz, resolved in the session zone).
pub fn parse_timestamp(s: &str, ty: &DataType, ctx: &EvalContext) -> Result<i64> {
    if let Some(sp) = special(s) {
        return Ok(special_ts(sp, ctx, ty));
    }
    let p = parse_datetime(s).ok_or_else(|| invalid(ty, s))?;
    if *ty == DataType::Timestamptz {
        to_utc(&p, &ctx.tz).ok_or_else(|| invalid(ty, s))
    } else {
        p.days
            .checked_mul(USECS_PER_DAY_DT)
            .and_then(|d| d.checked_add(p.time_us))
            .ok_or_else(|| out_of_range(ty, s))
    }
}

/// Parses a date.
pub fn parse_date(s: &str, ctx: &EvalContext) -> Result<i64> {
    if let Some(sp) = special(s) {
        let ts = special_ts(sp, ctx, &DataType::Timestamp);
        return Ok(match ts {
            TS_INFINITY => i64::MAX,
            TS_NEG_INFINITY => i64::MIN,
            t => t.div_euclid(USECS_PER_DAY_DT),
        });
    }
    parse_datetime(s)
        .map(|p| p.days)
        .ok_or_else(|| invalid(&DataType::Date, s))
}

/// Parses a time of day.
pub fn parse_time(s: &str) -> Result<i64> {
    let t = s.trim();
    let t = t.split(['+', ' ']).next().unwrap_or(t);
    let t = match t.find('T') {
        Some(i) => &t[i + 1..],
        None => t,
    };
    if t.eq_ignore_ascii_case("allballs") {
        return Ok(0);
    }
    parse_time_part(t).ok_or_else(|| invalid(&DataType::Time, s))
}

/// Parses bytea input (`\x0a0b` hex or escape format).
pub fn parse_bytea(s: &str) -> Result<Vec<u8>> {
    if let Some(hex) = s.strip_prefix("\\x").or_else(|| s.strip_prefix("\\X")) {
        let h: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !h.len().is_multiple_of(2) {
            return Err(QueryError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid hexadecimal data: odd number of digits",
            ));
        }
        let val = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        return h
            .chunks(2)
            .map(|c| match (val(c[0]), val(c[1])) {
                (Some(a), Some(b)) => Ok(a * 16 + b),
                _ => Err(QueryError::new(
                    sqlstate::INVALID_TEXT_REPRESENTATION,
                    format!("invalid hexadecimal digit: \"{}\"", c[0] as char),
                )),
            })
            .collect();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            let oct = b
                .get(i + 1..i + 4)
                .filter(|o| o.iter().all(|c| (b'0'..=b'7').contains(c)));
            match oct {
                Some(o) => {
                    out.push((o[0] - b'0') * 64 + (o[1] - b'0') * 8 + (o[2] - b'0'));
                    i += 4;
                }
                None => {
                    return Err(QueryError::new(
                        sqlstate::INVALID_TEXT_REPRESENTATION,
                        "invalid input syntax for type bytea",
                    ));
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Parses `{a,b,"c d",NULL}` into element strings (None for NULL).
pub fn parse_array_literal(s: &str) -> Result<Vec<Option<String>>> {
    let bad = || {
        QueryError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{s}\""),
        )
    };
    let t = s.trim();
    // optional dimension decoration "[1:3]={...}"
    let t = match t.find('=') {
        Some(i) if t.starts_with('[') => &t[i + 1..],
        _ => t,
    };
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or_else(bad)?;
    let mut out = Vec::new();
    if inner.trim().is_empty() {
        return Ok(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let mut quoted = false;
        if chars.peek() == Some(&'"') {
            quoted = true;
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => item.push(chars.next().ok_or_else(bad)?),
                    Some('"') => break,
                    Some(c) => item.push(c),
                    None => return Err(bad()),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '{' || c == '}' || c == '"' {
                    return Err(bad());
                }
                if c == '\\' {
                    chars.next();
                    item.push(chars.next().ok_or_else(bad)?);
                    continue;
                }
                item.push(c);
                chars.next();
            }
            item = item.trim_end().to_string();
        }
        out.push(if !quoted && item.eq_ignore_ascii_case("null") {
            None
        } else {
            Some(item)
        });
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(_) => return Err(bad()),
        }
    }
    Ok(out)
}

/// Parses text into a value of `ty`.
pub fn parse_value(s: &str, ty: &DataType, ctx: &EvalContext) -> Result<Value> {
    use DataType::*;
    Ok(match ty {
        Bool => Value::Bool(parse_bool(s)?),
        Int2 | Int4 | Int8 | Oid => Value::Int(parse_int(s, ty)?),
        Float4 | Float8 => Value::Float(parse_float(s, ty)?),
        Numeric(tm) => {
            let d = Decimal::parse(s).map_err(|e| match e {
                super::numeric::DecimalError::Overflow => out_of_range(ty, s),
                _ => invalid(&Numeric(None), s),
            })?;
            match tm {
                Some((p, sc)) => {
                    Value::Numeric(d.apply_typmod(*p, *sc).map_err(|_| numeric_overflow(*p, *sc))?)
                }
                None => Value::Numeric(d),
            }
        }
        Text | Name | Json | Jsonb | Unknown => Value::str(s),
        Uuid => {
            let hex: String = s
                .chars()
                .filter(|c| *c != '-' && *c != '{' && *c != '}')
                .collect();
            if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(invalid(ty, s));
            }
            let h = hex.to_ascii_lowercase();
            Value::str(format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            ))
        }
        Varchar(n) => Value::str(check_length(s, *n, "character varying")?),
        Bpchar(n) => Value::str(pad_bpchar(
            &check_length(s.trim_end_matches(' '), *n, "character")?,
            *n,
        )),
        Char => Value::str(s.chars().next().map(|c| c.to_string()).unwrap_or_default()),
        Bytea => Value::Bytes(Arc::from(parse_bytea(s)?)),
        Date => Value::Int(parse_date(s, ctx)?),
        Time => Value::Int(parse_time(s)?),
        Timestamp | Timestamptz => Value::Int(parse_timestamp(s, ty, ctx)?),
        Interval => Value::Interval(super::Interval::parse(s).ok_or_else(|| invalid(ty, s))?),
        RegClass => {
            if let Ok(n) = s.trim().parse::<i64>() {
                return Ok(Value::Int(n));
            }
            let name = s.trim().trim_matches('"');
            match ctx.catalog.relation_oid(name) {
                Some(o) => Value::Int(i64::from(o)),
                None => {
                    return Err(QueryError::new(
                        sqlstate::UNDEFINED_TABLE,
                        format!("relation \"{name}\" does not exist"),
                    ));
                }
            }
        }
        RegType => {
            if let Ok(n) = s.trim().parse::<i64>() {
                return Ok(Value::Int(n));
            }
            match ctx.catalog.type_oid(s.trim()) {
                Some(o) => Value::Int(i64::from(o)),
                None => {
                    return Err(QueryError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("type \"{s}\" does not exist"),
                    ));
                }
            }
        }
        RegProc => {
            if let Ok(n) = s.trim().parse::<i64>() {
                return Ok(Value::Int(n));
            }
            match ctx.catalog.proc_oid(s.trim()) {
                Some(o) => Value::Int(i64::from(o)),
                None => {
                    return Err(QueryError::new(
                        sqlstate::UNDEFINED_FUNCTION,
                        format!("function \"{s}\" does not exist"),
                    ));
                }
            }
        }
        RegNamespace => match ctx.catalog.namespace_oid(s.trim()) {
            Some(o) => Value::Int(i64::from(o)),
            None => {
                return Err(QueryError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("schema \"{s}\" does not exist"),
                ));
            }
        },
        Array(elem) => {
            let items = parse_array_literal(s)?;
            let mut vals = Vec::with_capacity(items.len());
            for it in items {
                vals.push(match it {
                    None => Value::Null,
                    Some(t) => parse_value(&t, elem, ctx)?,
                });
            }
            // "[lo:hi]={...}" gives the lower bound.
            let lower = s
                .trim()
                .strip_prefix('[')
                .and_then(|r| r.split_once(':'))
                .and_then(|(lo, _)| lo.trim().parse::<i32>().ok())
                .unwrap_or(1);
            Value::Array(Arc::new(ArrayValue {
                elem: (**elem).clone(),
                lower,
                items: vals,
            }))
        }
        Void => Value::Null,
        Record => Value::str(s),
    })
}

fn numeric_overflow(p: u16, s: u16) -> QueryError {
    QueryError::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow").with_detail(format!(
        "A field with precision {p}, scale {s} must round to an absolute value less than 10^{}.",
        p - s
    ))
}

fn check_length(s: &str, n: Option<u32>, what: &str) -> Result<String> {
    if let Some(n) = n
        && s.chars().count() > n as usize
    {
        // Trailing spaces beyond the limit are silently cut, as in PostgreSQL.
        let cut: String = s.chars().take(n as usize).collect();
        if s.chars().skip(n as usize).all(|c| c == ' ') {
            return Ok(cut);
        }
        return Err(QueryError::new(
            sqlstate::STRING_DATA_RIGHT_TRUNCATION,
            format!("value too long for type {what}({n})"),
        ));
    }
    Ok(s.to_string())
}

fn pad_bpchar(s: &str, n: Option<u32>) -> String {
    match n {
        Some(n) if s.chars().count() < n as usize => {
            format!("{s}{}", " ".repeat(n as usize - s.chars().count()))
        }
        _ => s.to_string(),
    }
}

/// Shortest round-trip text of a double, in PostgreSQL's layout (`1e+20`, `1e-05`, `0.0001`).
pub fn format_float(f: f64, is_float4: bool, extra_digits: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if extra_digits <= 0 {
        let digits = if is_float4 { 6 } else { 15 } + extra_digits;
        return format_g(f, digits.max(1) as usize);
    }
    let sci = if is_float4 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let limit = if is_float4 { 6 } else { 15 };
    let body = if exp < -4 || exp >= limit {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{}{}", digits, "0".repeat(int_len - digits.len()))
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    };
    if neg { format!("-{body}") } else { body }
}

/// `%.{p}g` formatting.
pub fn format_g(f: f64, p: usize) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{:.*e}", p.saturating_sub(1), f);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let s = format!("{f:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// Escapes an array element for output.
fn array_elem(s: &str) -> String {
    if s.is_empty()
        || s.eq_ignore_ascii_case("null")
        || s.chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace())
    {
        let mut out = String::from("\"");
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    } else {
        s.to_string()
    }
}

/// Text output of a value of type `ty` (`None` for NULL).
pub fn format_value(v: &Value, ty: &DataType, ctx: &EvalContext) -> Option<String> {
    use DataType::*;
    Some(match (v, ty) {
        (Value::Null, _) => return None,
        (Value::Bool(b), _) => if *b { "t" } else { "f" }.to_string(),
        (Value::Int(d), Date) => format_date(*d),
        (Value::Int(t), Time) => format_time(*t),
        (Value::Int(t), Timestamp) => format_timestamp(*t),
        (Value::Int(t), Timestamptz) => format_timestamptz(*t, &ctx.tz),
        (Value::Int(o), RegClass) => ctx
            .catalog
            .relation_name(*o as u32)
            .unwrap_or_else(|| o.to_string()),
        (Value::Int(o), RegType) => ctx
            .catalog
            .type_name(*o as u32)
            .unwrap_or_else(|| if *o == 0 { "-".into() } else { o.to_string() }),
        (Value::Int(o), RegProc) => ctx
            .catalog
            .proc_name(*o as u32)
            .unwrap_or_else(|| if *o == 0 { "-".into() } else { o.to_string() }),
        (Value::Int(o), RegNamespace) => ctx
            .catalog
            .namespace_name(*o as u32)
            .unwrap_or_else(|| o.to_string()),
        (Value::Int(i), Float4 | Float8) => format_float(*i as f64, *ty == Float4, ctx.extra_float_digits()),
        (Value::Int(i), Numeric(_)) => i.to_string(),
        (Value::Int(i), _) => i.to_string(),
        (Value::Float(f), Float4) => format_float(*f, true, ctx.extra_float_digits()),
        (Value::Float(f), _) => format_float(*f, false, ctx.extra_float_digits()),
        (Value::Numeric(d), _) => d.to_string(),
        (Value::Str(s), _) => s.to_string(),
        (Value::Bytes(b), _) => {
            let mut s = String::with_capacity(2 + b.len() * 2);
            s.push_str("\\x");
            for x in b.iter() {
                s.push_str(&format!("{x:02x}"));
            }
            s
        }
        (Value::Interval(i), _) => i.to_string(),
        (Value::Array(a), _) => {
            let parts: Vec<String> = a
                .items
                .iter()
                .map(|x| match format_value(x, &a.elem, ctx) {
                    None => "NULL".to_string(),
                    Some(s) => array_elem(&s),
                })
                .collect();
            let body = format!("{{{}}}", parts.join(","));
            if a.lower != 1 && !a.items.is_empty() {
                format!("[{}:{}]={body}", a.lower, a.lower + a.items.len() as i32 - 1)
            } else {
                body
            }
        }
    })
}

/// A interval literal helper for other modules.
pub fn interval(s: &str) -> Option<Interval> {
    Interval::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_postgres() {
        let f = |x: f64| format_float(x, false, 1);
        assert_eq!(f(1e20), "1e+20");
        assert_eq!(f(1e15), "1e+15");
        assert_eq!(f(123456789012345.0), "123456789012345");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(0.00001), "1e-05");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(-2.5), "-2.5");
        assert_eq!(f(100.0), "100");
        assert_eq!(f(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(f(-0.0), "-0");
        assert_eq!(format_float(0.1f32 as f64, true, 1), "0.1");
        assert_eq!(format_float(1e6, true, 1), "1e+06");
        assert_eq!(format_float(1.0 / 3.0, false, 0), "0.333333333333333");
    }

    #[test]
    fn scalars_parse_and_print() {
        let ctx = EvalContext::default();
        let rt = |s: &str, t: DataType| format_value(&parse_value(s, &t, &ctx).unwrap(), &t, &ctx).unwrap();
        assert_eq!(rt("yes", DataType::Bool), "t");
        assert_eq!(rt(" 42 ", DataType::Int4), "42");
        assert_eq!(
            rt("2026-01-05 10:00:00", DataType::Timestamptz),
            "2026-01-05 10:00:00+00"
        );
        assert_eq!(
            rt("{1,2,NULL}", DataType::Array(Box::new(DataType::Int4))),
            "{1,2,NULL}"
        );
        assert_eq!(
            rt("{\"a b\",c}", DataType::Array(Box::new(DataType::Text))),
            "{\"a b\",c}"
        );
        assert_eq!(rt("\\x0aff", DataType::Bytea), "\\x0aff");
        assert_eq!(rt("ab", DataType::Bpchar(Some(4))), "ab  ");
        assert!(parse_value("2147483648", &DataType::Int4, &ctx).is_err());
        assert_eq!(
            parse_value("abc", &DataType::Int4, &ctx).unwrap_err().code,
            "22P02"
        );
        assert_eq!(
            parse_value("99999", &DataType::Int2, &ctx).unwrap_err().code,
            "22003"
        );
        assert_eq!(
            parse_value("abcdef", &DataType::Varchar(Some(3)), &ctx)
                .unwrap_err()
                .code,
            "22001"
        );
    }
}
