//! Casts: which are allowed implicitly, on assignment or only explicitly (as pg_cast says), and
//! how values and vectors are converted.
use std::sync::Arc;

use super::datetime::{TS_INFINITY, TS_NEG_INFINITY, USECS_PER_DAY_DT, USECS_PER_SEC};
use super::text::{format_value, int_range, parse_value};
use super::{ArrayValue, Category, DataType, Decimal, Value};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::vector::{DictVec, Vector, VectorData};

/// When a cast may be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CastKind {
    /// Silently, in expressions.
    Implicit,
    /// When storing into a column.
    Assignment,
    /// Only when written (`CAST`, `::`).
    Explicit,
}

fn numeric_rank(t: &DataType) -> Option<u8> {
    Some(match t {
        DataType::Int2 => 1,
        DataType::Int4 => 2,
        DataType::Int8 => 3,
        DataType::Numeric(_) => 4,
        DataType::Float4 => 5,
        DataType::Float8 => 6,
        _ => return None,
    })
}

fn is_reg(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Oid | DataType::RegClass | DataType::RegType | DataType::RegProc | DataType::RegNamespace
    )
}

/// The weakest context in which `from` converts to `to`, or `None` if it never does.
pub fn cast_kind(from: &DataType, to: &DataType) -> Option<CastKind> {
    use DataType::*;
    if from.base() == to.base() {
        return Some(
            if from == to {
                CastKind::Implicit
            } else {
                CastKind::Assignment
            }
            .min(CastKind::Implicit),
        );
    }
    if *from == Unknown {
        return Some(CastKind::Implicit);
    }
    if let (Some(a), Some(b)) = (numeric_rank(from), numeric_rank(to)) {
        return Some(if a < b {
            CastKind::Implicit
        } else {
            CastKind::Assignment
        });
    }
    if from.is_string() && to.is_string() {
        return Some(match to {
            Text => CastKind::Implicit,
            Varchar(_) | Name if !matches!(from, Char) => CastKind::Implicit,
            _ => CastKind::Assignment,
        });
    }
    match (from, to) {
        (Int2 | Int4 | Int8, _) if is_reg(to) => return Some(CastKind::Implicit),
        (_, Int4 | Int8) if is_reg(from) => {
            return Some(if *to == Int8 {
                CastKind::Implicit
            } else {
                CastKind::Assignment
            });
        }
        (a, b) if is_reg(a) && is_reg(b) => return Some(CastKind::Implicit),
        (Date, Timestamp | Timestamptz) | (Timestamp, Timestamptz) | (Time, Interval) => {
            return Some(CastKind::Implicit);
        }
        (Timestamptz, Timestamp | Date | Time) | (Timestamp, Date | Time) | (Interval, Time) => {
            return Some(CastKind::Assignment);
        }
        (Int4 | Int8, Bool) | (Bool, Int4) => return Some(CastKind::Explicit),
        (Json, Jsonb) | (Jsonb, Json) => return Some(CastKind::Assignment),
        (Array(a), Array(b)) => return cast_kind(a, b),
        _ => {}
    }
    // I/O conversions: to a string type on assignment, from a string type explicitly.
    if to.is_string() {
        return Some(if from.category() == Category::Pseudo {
            CastKind::Explicit
        } else {
            CastKind::Assignment
        });
    }
    if from.is_string() {
        return Some(CastKind::Explicit);
    }
    None
}

fn out_of_range(to: &DataType) -> QueryError {
    let name = match to {
        DataType::Int2 => "smallint",
        DataType::Int4 => "integer",
        DataType::Int8 => "bigint",
        _ => "the target type",
    };
    QueryError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("{name} out of range"),
    )
}

fn check_int(v: i64, to: &DataType) -> Result<i64> {
    let (lo, hi) = int_range(to);
    if v < lo || v > hi {
        Err(out_of_range(to))
    } else {
        Ok(v)
    }
}

fn float_to_int(f: f64, to: &DataType) -> Result<i64> {
    let r = f.round_ties_even();
    if !r.is_finite() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
        return Err(out_of_range(to));
    }
    check_int(r as i64, to)
}

fn decimal_err(e: super::numeric::DecimalError) -> QueryError {
    match e {
        super::numeric::DecimalError::DivisionByZero => {
            QueryError::new(sqlstate::DIVISION_BY_ZERO, "division by zero")
        }
        super::numeric::DecimalError::Overflow => QueryError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value overflows numeric format",
        ),
        super::numeric::DecimalError::Invalid => {
            QueryError::new(sqlstate::INVALID_TEXT_REPRESENTATION, "invalid numeric value")
        }
    }
}

/// Maps a decimal error to a query error.
pub fn numeric_error(e: super::numeric::DecimalError) -> QueryError {
    decimal_err(e)
}

/// Converts one value.
pub fn cast_value(v: &Value, from: &DataType, to: &DataType, ctx: &EvalContext) -> Result<Value> {
    use DataType::*;
    if v.is_null() {
        return Ok(Value::Null);
    }
    if from == to {
        return Ok(v.clone());
    }
    // to string types: text output (but boolean casts spell the word), then length rules
    if to.is_string() && !matches!(from, Unknown) && !from.is_string() {
        let s = match v {
            Value::Bool(b) => b.to_string(),
            _ => format_value(v, from, ctx).unwrap_or_default(),
        };
        return parse_value(&s, to, ctx).or_else(|e| match to {
            Varchar(Some(n)) | Bpchar(Some(n)) => {
                Ok(Value::str(s.chars().take(*n as usize).collect::<String>()))
            }
            _ => Err(e),
        });
    }
    if from.is_string() {
        let s = match v {
            // char(n) loses its padding when it becomes another string type.
            Value::Str(s) if matches!(from, Bpchar(_)) && !matches!(to, Bpchar(_)) => {
                s.trim_end_matches(' ').to_string()
            }
            Value::Str(s) => s.to_string(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            other => format_value(other, from, ctx).unwrap_or_default(),
        };
        return match to {
            // explicit casts to varchar(n)/char(n) truncate instead of failing
            Varchar(Some(n)) | Bpchar(Some(n)) => {
                let cut: String = s.chars().take(*n as usize).collect();
                parse_value(&cut, to, ctx)
            }
            _ => parse_value(&s, to, ctx),
        };
    }
    Ok(match (v, to) {
        (Value::Int(i), Int2 | Int4 | Int8 | Oid) if from.is_integer() || is_reg(from) => {
            Value::Int(check_int(*i, to)?)
        }
        (Value::Int(i), t) if is_reg(t) => Value::Int(*i),
        (Value::Int(i), Float4) => Value::Float(f64::from(*i as f32)),
        (Value::Int(i), Float8) => Value::Float(*i as f64),
        (Value::Int(i), Numeric(tm)) => Value::Numeric(apply_tm(Decimal::from_i64(*i), tm)?),
        (Value::Int(i), Bool) => Value::Bool(*i != 0),
        (Value::Float(f), Int2 | Int4 | Int8) => Value::Int(float_to_int(*f, to)?),
        (Value::Float(f), Float4) => {
            let x = *f as f32;
            if x.is_infinite() && f.is_finite() {
                return Err(QueryError::new(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "value out of range: overflow",
                ));
            }
            Value::Float(f64::from(x))
        }
        (Value::Float(f), Float8) => Value::Float(*f),
        (Value::Float(f), Numeric(tm)) => {
            if f.is_nan() || f.is_infinite() {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "cannot convert NaN or infinity to numeric",
                ));
            }
            Value::Numeric(apply_tm(Decimal::from_f64(*f).map_err(decimal_err)?, tm)?)
        }
        (Value::Numeric(d), Int2 | Int4 | Int8) => {
            Value::Int(check_int(d.to_i64().ok_or_else(|| out_of_range(to))?, to)?)
        }
        (Value::Numeric(d), Float4) => Value::Float(f64::from(d.to_f64() as f32)),
        (Value::Numeric(d), Float8) => Value::Float(d.to_f64()),
        (Value::Numeric(d), Numeric(tm)) => Value::Numeric(apply_tm(*d, tm)?),
        (Value::Bool(b), Int4) => Value::Int(i64::from(*b)),
        (Value::Int(d), Timestamp) if *from == Date => Value::Int(date_to_ts(*d)),
        (Value::Int(d), Timestamptz) if *from == Date => {
            let local = date_to_ts(*d);
            Value::Int(if is_inf(local) {
                local
            } else {
                ctx.tz.local_to_utc(local)
            })
        }
        (Value::Int(t), Timestamptz) if *from == Timestamp => {
            Value::Int(if is_inf(*t) { *t } else { ctx.tz.local_to_utc(*t) })
        }
        (Value::Int(t), Timestamp) if *from == Timestamptz => Value::Int(to_local(*t, ctx)),
        (Value::Int(t), Date) if *from == Timestamp => Value::Int(ts_to_date(*t)),
        (Value::Int(t), Date) if *from == Timestamptz => Value::Int(ts_to_date(to_local(*t, ctx))),
        (Value::Int(t), Time) if *from == Timestamp => Value::Int(t.rem_euclid(USECS_PER_DAY_DT)),
        (Value::Int(t), Time) if *from == Timestamptz => {
            Value::Int(to_local(*t, ctx).rem_euclid(USECS_PER_DAY_DT))
        }
        (Value::Int(t), Interval) if *from == Time => Value::Interval(super::Interval::from_micros(*t)),
        (Value::Interval(i), Time) => {
            Value::Int((i.micros + i64::from(i.days) * USECS_PER_DAY_DT).rem_euclid(USECS_PER_DAY_DT))
        }
        (Value::Str(s), Jsonb | Json) => Value::Str(s.clone()),
        (Value::Array(a), Array(elem)) => {
            let items = a
                .items
                .iter()
                .map(|x| cast_value(x, &a.elem, elem, ctx))
                .collect::<Result<Vec<_>>>()?;
            Value::Array(Arc::new(ArrayValue {
                elem: (**elem).clone(),
                lower: a.lower,
                items,
            }))
        }
        _ => {
            return Err(QueryError::new(
                sqlstate::CANNOT_COERCE,
                format!(
                    "cannot cast type {} to {}",
                    from.display_name(),
                    to.display_name()
                ),
            ));
        }
    })
}

fn is_inf(t: i64) -> bool {
    t == TS_INFINITY || t == TS_NEG_INFINITY
}

fn date_to_ts(d: i64) -> i64 {
    match d {
        i64::MAX => TS_INFINITY,
        i64::MIN => TS_NEG_INFINITY,
        d => d.saturating_mul(USECS_PER_DAY_DT),
    }
}

fn ts_to_date(t: i64) -> i64 {
    match t {
        TS_INFINITY => i64::MAX,
        TS_NEG_INFINITY => i64::MIN,
        t => t.div_euclid(USECS_PER_DAY_DT),
    }
}

fn to_local(t: i64, ctx: &EvalContext) -> i64 {
    if is_inf(t) {
        t
    } else {
        t + i64::from(ctx.tz.offset_at(t)) * USECS_PER_SEC
    }
}

fn apply_tm(d: Decimal, tm: &Option<(u16, u16)>) -> Result<Decimal> {
    match tm {
        Some((p, s)) => d.apply_typmod(*p, *s).map_err(|_| {
            QueryError::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow").with_detail(
                format!(
                    "A field with precision {p}, scale {s} must round to an absolute value less than 10^{}.",
                    p - s
                ),
            )
        }),
        None => Ok(d),
    }
}

/// Converts a vector. Text vectors are converted once per distinct dictionary entry.
pub fn cast_vector(v: &Vector, to: &DataType, ctx: &EvalContext) -> Result<Vector> {
    let from = &v.ty;
    if from == to {
        return Ok(v.clone());
    }
    // Same physical form and no checks needed: just retag.
    let retag = match (from, to) {
        (a, b)
            if a.is_string()
                && !matches!(a, DataType::Bpchar(_))
                && matches!(b, DataType::Text | DataType::Varchar(None) | DataType::Name) =>
        {
            true
        }
        (DataType::Int2, DataType::Int4 | DataType::Int8) | (DataType::Int4, DataType::Int8) => true,
        (a, b) if is_reg(a) && is_reg(b) => true,
        (DataType::Int4 | DataType::Int8 | DataType::Int2, b) if is_reg(b) => true,
        (DataType::Float4, DataType::Float8) | (DataType::Date, _) if false => true,
        _ => false,
    };
    if retag {
        return Ok(v.clone().retyped(to.clone()));
    }
    match (&v.data, from, to) {
        (VectorData::Const(x), _, _) => {
            return Ok(Vector::constant(
                cast_value(x, from, to, ctx)?,
                to.clone(),
                v.len(),
            ));
        }
        (VectorData::Int(xs), f, DataType::Float8) if f.is_integer() => {
            return Ok(Vector::new(
                to.clone(),
                VectorData::Float(xs.iter().map(|x| *x as f64).collect()),
                v.validity.clone(),
            ));
        }
        (VectorData::Float(xs), DataType::Float4, DataType::Float8) => {
            return Ok(Vector::new(
                to.clone(),
                VectorData::Float(xs.clone()),
                v.validity.clone(),
            ));
        }
        (VectorData::Int(xs), DataType::Date, DataType::Timestamp) => {
            return Ok(Vector::new(
                to.clone(),
                VectorData::Int(xs.iter().map(|d| date_to_ts(*d)).collect()),
                v.validity.clone(),
            ));
        }
        (VectorData::Int(xs), DataType::Timestamp, DataType::Timestamptz)
            if matches!(ctx.tz, super::Tz::Utc) =>
        {
            return Ok(Vector::new(
                to.clone(),
                VectorData::Int(xs.clone()),
                v.validity.clone(),
            ));
        }
        (VectorData::Int(xs), DataType::Timestamptz, DataType::Timestamp)
            if matches!(ctx.tz, super::Tz::Utc) =>
        {
            return Ok(Vector::new(
                to.clone(),
                VectorData::Int(xs.clone()),
                v.validity.clone(),
            ));
        }
        (VectorData::Text(d), _, _) if from.is_string() && !to.is_string() => {
            return cast_dict(v, d, to, ctx);
        }
        _ => {}
    }
    let mut out = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        out.push(cast_value(&v.value(i), from, to, ctx)?);
    }
    Ok(Vector::from_values(to.clone(), out))
}

fn cast_dict(v: &Vector, d: &DictVec, to: &DataType, ctx: &EvalContext) -> Result<Vector> {
    // Convert each referenced dictionary entry once.
    let mut conv: Vec<Option<Value>> = vec![None; d.dict.len()];
    let mut out = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        if v.is_null(i) {
            out.push(Value::Null);
            continue;
        }
        let c = d.codes[i] as usize;
        if conv[c].is_none() {
            let s = std::str::from_utf8(&d.dict[c]).unwrap_or("");
            conv[c] = Some(cast_value(&Value::str(s), &DataType::Text, to, ctx)?);
        }
        out.push(conv[c].clone().unwrap_or(Value::Null));
    }
    Ok(Vector::from_values(to.clone(), out))
}
