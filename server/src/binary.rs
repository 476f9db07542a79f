//! PostgreSQL binary format of values (parameters in Bind, result columns with format 1).
//!
//! Dates count days and timestamps microseconds since 2000-01-01 on the wire, against
//! 1970-01-01 inside plantdb; ±infinity map to the extreme integers both ways.
use std::sync::Arc;

use bytes::{BufMut, BytesMut};
use plantdb_query::context::EvalContext;
use plantdb_query::error::QueryError;
use plantdb_query::types::text::{format_value, parse_value};
use plantdb_query::types::{ArrayValue, DataType, Interval as Iv, Value};

/// Days from 1970-01-01 to 2000-01-01.
const EPOCH_DAYS: i64 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
const EPOCH_MICROS: i64 = EPOCH_DAYS * 86_400_000_000;

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

fn bad_binary() -> QueryError {
    QueryError::new("22P03", "incorrect binary data format")
}

fn cannot_encode(ty: &DataType) -> QueryError {
    QueryError::new(
        "XX000",
        format!("value does not match its result type {}", ty.display_name()),
    )
}

/// Appends the binary form of a non-NULL value of type `ty`.
pub(crate) fn encode(
    v: &Value,
    ty: &DataType,
    ctx: &EvalContext,
    out: &mut BytesMut,
) -> Result<(), QueryError> {
    use DataType::*;
    match (ty, v) {
        (Bool, Value::Bool(b)) => out.put_u8(u8::from(*b)),
        (Int2, Value::Int(i)) => out.put_i16(i16::try_from(*i).map_err(|_| cannot_encode(ty))?),
        (Int4, Value::Int(i)) => out.put_i32(i32::try_from(*i).map_err(|_| cannot_encode(ty))?),
        (Int8, Value::Int(i)) => out.put_i64(*i),
        (Oid | RegClass | RegType | RegProc | RegNamespace, Value::Int(i)) => {
            out.put_u32(u32::try_from(*i).map_err(|_| cannot_encode(ty))?)
        }
        (Float4, Value::Float(f)) => out.put_f32(*f as f32),
        (Float4, Value::Int(i)) => out.put_f32(*i as f32),
        (Float8, Value::Float(f)) => out.put_f64(*f),
        (Float8, Value::Int(i)) => out.put_f64(*i as f64),
        (Numeric(_), _) => {
            let s = format_value(v, ty, ctx).ok_or_else(|| cannot_encode(ty))?;
            encode_numeric(&s, out)?;
        }
        (Text | Varchar(_) | Bpchar(_) | Name | Json | Unknown | Record, Value::Str(s)) => {
            out.put_slice(s.as_bytes())
        }
        (Char, Value::Str(s)) => out.put_u8(s.as_bytes().first().copied().unwrap_or(0)),
        (Jsonb, Value::Str(s)) => {
            out.put_u8(1);
            out.put_slice(s.as_bytes());
        }
        (Bytea, Value::Bytes(b)) => out.put_slice(b),
        (Bytea, Value::Str(s)) => out.put_slice(s.as_bytes()),
        (Uuid, Value::Str(s)) => out.put_slice(&uuid_bytes(s).ok_or_else(|| cannot_encode(ty))?),
        (Date, Value::Int(d)) => out.put_i32(match *d {
            i64::MAX => i32::MAX,
            i64::MIN => i32::MIN,
            d => i32::try_from(d - EPOCH_DAYS).map_err(|_| cannot_encode(ty))?,
        }),
        (Time, Value::Int(t)) => out.put_i64(*t),
        (Timestamp | Timestamptz, Value::Int(t)) => out.put_i64(match *t {
            i64::MAX | i64::MIN => *t,
            t => t.checked_sub(EPOCH_MICROS).ok_or_else(|| cannot_encode(ty))?,
        }),
        (Interval, Value::Interval(i)) => {
            out.put_i64(i.micros);
            out.put_i32(i.days);
            out.put_i32(i.months);
        }
        (Array(elem), Value::Array(a)) => encode_array(a, elem, ctx, out)?,
        (Void, _) => {}
        // A value in another physical form than expected: send its text.
        _ => {
            let s = format_value(v, ty, ctx).ok_or_else(|| cannot_encode(ty))?;
            out.put_slice(s.as_bytes());
        }
    }
    Ok(())
}

fn encode_array(
    a: &ArrayValue,
    elem: &DataType,
    ctx: &EvalContext,
    out: &mut BytesMut,
) -> Result<(), QueryError> {
    let has_null = a.items.iter().any(Value::is_null);
    out.put_i32(i32::from(!a.items.is_empty()));
    out.put_i32(i32::from(has_null));
    out.put_u32(elem.oid());
    if !a.items.is_empty() {
        out.put_i32(a.items.len() as i32);
        out.put_i32(a.lower);
    }
    for it in &a.items {
        if it.is_null() {
            out.put_i32(-1);
            continue;
        }
        let at = out.len();
        out.put_i32(0);
        encode(it, elem, ctx, out)?;
        let n = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&n.to_be_bytes());
    }
    Ok(())
}

fn uuid_bytes(s: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = s.bytes().filter(|c| c.is_ascii_hexdigit()).collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let h = (pair[0] as char).to_digit(16)?;
        let l = (pair[1] as char).to_digit(16)?;
        out[i] = (h * 16 + l) as u8;
    }
    Some(out)
}

/// Appends a decimal number given in text (`-12.340`, `NaN`, `Infinity`) in PostgreSQL's binary
/// numeric layout: base-10000 digits with a weight, a sign and the display scale.
pub(crate) fn encode_numeric(s: &str, out: &mut BytesMut) -> Result<(), QueryError> {
    let special = |out: &mut BytesMut, sign: u16| {
        out.put_i16(0);
        out.put_i16(0);
        out.put_u16(sign);
        out.put_i16(0);
    };
    match s {
        "NaN" => {
            special(out, NUMERIC_NAN);
            return Ok(());
        }
        "Infinity" => {
            special(out, NUMERIC_PINF);
            return Ok(());
        }
        "-Infinity" => {
            special(out, NUMERIC_NINF);
            return Ok(());
        }
        _ => {}
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
        return Err(QueryError::new("22P02", format!("invalid numeric \"{s}\"")));
    }
    let dscale = frac.len();
    let int = int.trim_start_matches('0');
    let int_pad = (4 - int.len() % 4) % 4;
    let frac_pad = (4 - frac.len() % 4) % 4;
    let digits_text: Vec<u8> = std::iter::repeat_n(b'0', int_pad)
        .chain(int.bytes())
        .chain(frac.bytes())
        .chain(std::iter::repeat_n(b'0', frac_pad))
        .collect();
    let mut groups: Vec<i16> = digits_text
        .chunks(4)
        .map(|c| c.iter().fold(0i16, |acc, d| acc * 10 + i16::from(d - b'0')))
        .collect();
    let mut weight = ((int_pad + int.len()) / 4) as i32 - 1;
    let lead = groups.iter().take_while(|g| **g == 0).count();
    groups.drain(..lead);
    weight -= lead as i32;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    out.put_i16(groups.len() as i16);
    out.put_i16(weight as i16);
    out.put_u16(if neg && !groups.is_empty() {
        NUMERIC_NEG
    } else {
        NUMERIC_POS
    });
    out.put_i16(dscale as i16);
    for g in groups {
        out.put_i16(g);
    }
    Ok(())
}

/// Text of a binary numeric.
pub(crate) fn decode_numeric(b: &[u8]) -> Result<String, QueryError> {
    let mut r = Cur(b);
    let ndigits = r.i16()?;
    let weight = i32::from(r.i16()?);
    let sign = r.i16()? as u16;
    let dscale = r.i16()?;
    if ndigits < 0 || dscale < 0 || r.0.len() != ndigits as usize * 2 {
        return Err(bad_binary());
    }
    match sign {
        NUMERIC_NAN => return Ok("NaN".into()),
        NUMERIC_PINF => return Ok("Infinity".into()),
        NUMERIC_NINF => return Ok("-Infinity".into()),
        NUMERIC_POS | NUMERIC_NEG => {}
        _ => return Err(bad_binary()),
    }
    let mut digits = Vec::with_capacity(ndigits as usize);
    for _ in 0..ndigits {
        let d = r.i16()?;
        if !(0..10000).contains(&d) {
            return Err(bad_binary());
        }
        digits.push(d);
    }
    let at = |j: i32| -> i16 {
        if j < 0 {
            0
        } else {
            digits.get(j as usize).copied().unwrap_or(0)
        }
    };
    let mut s = String::new();
    if sign == NUMERIC_NEG {
        s.push('-');
    }
    if weight < 0 {
        s.push('0');
    } else {
        for j in 0..=weight {
            if j == 0 {
                s.push_str(&at(j).to_string());
            } else {
                s.push_str(&format!("{:04}", at(j)));
            }
        }
    }
    if dscale > 0 {
        let groups = (i32::from(dscale) + 3) / 4;
        let mut frac = String::new();
        for k in 1..=groups {
            frac.push_str(&format!("{:04}", at(weight + k)));
        }
        frac.truncate(dscale as usize);
        s.push('.');
        s.push_str(&frac);
    }
    Ok(s)
}

struct Cur<'a>(&'a [u8]);

impl Cur<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], QueryError> {
        if self.0.len() < N {
            return Err(bad_binary());
        }
        let mut a = [0u8; N];
        a.copy_from_slice(&self.0[..N]);
        self.0 = &self.0[N..];
        Ok(a)
    }
    fn i16(&mut self) -> Result<i16, QueryError> {
        Ok(i16::from_be_bytes(self.take()?))
    }
    fn i32(&mut self) -> Result<i32, QueryError> {
        Ok(i32::from_be_bytes(self.take()?))
    }
    fn i64(&mut self) -> Result<i64, QueryError> {
        Ok(i64::from_be_bytes(self.take()?))
    }
    fn slice(&mut self, n: usize) -> Result<&[u8], QueryError> {
        if self.0.len() < n {
            return Err(bad_binary());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
}

fn exact<const N: usize>(b: &[u8]) -> Result<[u8; N], QueryError> {
    b.try_into().map_err(|_| bad_binary())
}

fn text(b: &[u8]) -> Result<&str, QueryError> {
    std::str::from_utf8(b).map_err(|_| crate::codec::utf8(b).err().unwrap_or_else(bad_binary))
}

/// Decodes a binary parameter of type `ty`.
pub(crate) fn decode(b: &[u8], ty: &DataType, ctx: &EvalContext) -> Result<Value, QueryError> {
    use DataType::*;
    Ok(match ty {
        Bool => match exact::<1>(b)?[0] {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            _ => return Err(bad_binary()),
        },
        Int2 => Value::Int(i64::from(i16::from_be_bytes(exact(b)?))),
        Int4 => Value::Int(i64::from(i32::from_be_bytes(exact(b)?))),
        Int8 => Value::Int(i64::from_be_bytes(exact(b)?)),
        Oid | RegClass | RegType | RegProc | RegNamespace => {
            Value::Int(i64::from(u32::from_be_bytes(exact(b)?)))
        }
        Float4 => Value::Float(f64::from(f32::from_be_bytes(exact(b)?))),
        Float8 => Value::Float(f64::from_be_bytes(exact(b)?)),
        Numeric(_) => parse_value(&decode_numeric(b)?, ty, ctx)?,
        Text | Name | Json | Unknown | Record => Value::str(text(b)?),
        Varchar(_) | Bpchar(_) | Char => parse_value(text(b)?, ty, ctx)?,
        Jsonb => match b.split_first() {
            Some((1, rest)) => Value::str(text(rest)?),
            _ => return Err(QueryError::new("22P03", "unsupported jsonb version number")),
        },
        Bytea => Value::Bytes(Arc::from(b)),
        Uuid => {
            let u: [u8; 16] = exact(b)?;
            let h: String = u.iter().map(|x| format!("{x:02x}")).collect();
            Value::str(format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            ))
        }
        Date => Value::Int(match i32::from_be_bytes(exact(b)?) {
            i32::MAX => i64::MAX,
            i32::MIN => i64::MIN,
            d => i64::from(d) + EPOCH_DAYS,
        }),
        Time => {
            let t = i64::from_be_bytes(exact(b)?);
            if !(0..=86_400_000_000).contains(&t) {
                return Err(QueryError::new("22008", "time out of range"));
            }
            Value::Int(t)
        }
        Timestamp | Timestamptz => Value::Int(match i64::from_be_bytes(exact(b)?) {
            t @ (i64::MAX | i64::MIN) => t,
            t => t
                .checked_add(EPOCH_MICROS)
                .ok_or_else(|| QueryError::new("22008", "timestamp out of range"))?,
        }),
        Interval => {
            let mut c = Cur(b);
            let micros = c.i64()?;
            let days = c.i32()?;
            let months = c.i32()?;
            if !c.0.is_empty() {
                return Err(bad_binary());
            }
            Value::Interval(Iv { months, days, micros })
        }
        Array(elem) => decode_array(b, elem, ctx)?,
        Void => Value::Null,
    })
}

fn decode_array(b: &[u8], elem: &DataType, ctx: &EvalContext) -> Result<Value, QueryError> {
    let mut c = Cur(b);
    let ndim = c.i32()?;
    let _flags = c.i32()?;
    let elem_oid = c.i32()? as u32;
    // The element type the client encoded wins when it is one we know.
    let elem = DataType::from_oid(elem_oid)
        .filter(|t| t.base() != elem.base())
        .unwrap_or_else(|| elem.clone());
    let (len, lower) = match ndim {
        0 => (0, 1),
        1 => {
            let len = c.i32()?;
            let lower = c.i32()?;
            if len < 0 {
                return Err(bad_binary());
            }
            (len as usize, lower)
        }
        n if n > 1 => {
            return Err(QueryError::new(
                "0A000",
                "multidimensional arrays are not supported",
            ));
        }
        _ => return Err(bad_binary()),
    };
    let mut items = Vec::with_capacity(len.min(c.0.len() / 4 + 1));
    for _ in 0..len {
        let n = c.i32()?;
        if n == -1 {
            items.push(Value::Null);
            continue;
        }
        if n < 0 {
            return Err(bad_binary());
        }
        let data = c.slice(n as usize)?;
        items.push(decode(data, &elem, ctx)?);
    }
    if !c.0.is_empty() {
        return Err(bad_binary());
    }
    Ok(Value::Array(Arc::new(ArrayValue { elem, lower, items })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Vec<u8> {
        let mut b = BytesMut::new();
        encode_numeric(s, &mut b).unwrap();
        b.to_vec()
    }

    fn words(v: &[i16]) -> Vec<u8> {
        v.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    #[test]
    fn numeric_layout_matches_postgres() {
        // 12345.678 = 1 2345 . 6780 : weight 1, dscale 3
        assert_eq!(num("12345.678"), words(&[3, 1, 0, 3, 1, 2345, 6780]));
        assert_eq!(num("-0.5"), words(&[1, -1, 0x4000, 1, 5000]));
        assert_eq!(num("0"), words(&[0, 0, 0, 0]));
        assert_eq!(num("0.00"), words(&[0, 0, 0, 2]));
        assert_eq!(num("10000"), words(&[1, 1, 0, 0, 1]));
        assert_eq!(num("0.0001"), words(&[1, -1, 0, 4, 1]));
        assert_eq!(num("0.00001"), words(&[1, -2, 0, 5, 1000]));
        assert_eq!(num("NaN"), words(&[0, 0, 0xC000u16 as i16, 0]));
    }

    #[test]
    fn numeric_round_trips() {
        for s in [
            "12345.678",
            "-0.5",
            "0",
            "0.00",
            "10000",
            "0.0001",
            "0.00001",
            "123456789012345678901234567890",
            "-1.10",
            "99999999.99990000",
            "NaN",
        ] {
            assert_eq!(decode_numeric(&num(s)).unwrap(), s);
        }
    }

    #[test]
    fn timestamps_shift_epoch() {
        let ctx = EvalContext::default();
        let mut b = BytesMut::new();
        encode(&Value::Int(EPOCH_MICROS), &DataType::Timestamp, &ctx, &mut b).unwrap();
        assert_eq!(&b[..], &0i64.to_be_bytes());
        let v = decode(&0i32.to_be_bytes(), &DataType::Date, &ctx).unwrap();
        assert_eq!(v.as_int(), Some(EPOCH_DAYS));
        assert!(decode(&[0, 1], &DataType::Int4, &ctx).is_err());
    }

    #[test]
    fn arrays_round_trip() {
        let ctx = EvalContext::default();
        let a = Value::Array(Arc::new(ArrayValue {
            elem: DataType::Int4,
            lower: 1,
            items: vec![Value::Int(1), Value::Null, Value::Int(-3)],
        }));
        let ty = DataType::Array(Box::new(DataType::Int4));
        let mut b = BytesMut::new();
        encode(&a, &ty, &ctx, &mut b).unwrap();
        let back = decode(&b, &ty, &ctx).unwrap();
        assert_eq!(back, a);
    }
}
