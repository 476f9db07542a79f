//! `time_bucket(width interval, ts [, origin])`: the start of the width-wide bucket holding ts.
//! Buckets of fixed width are aligned to the origin (default 2000-01-03 00:00, a Monday, as in
//! TimescaleDB); buckets of whole months are aligned to 2000-01-01.
use plantdb_query::error::{QueryError, Result, sqlstate};
use plantdb_query::functions::{Registry, ScalarFunction, Signature, Volatility};
use plantdb_query::types::{DataType, Interval, Value, civil_from_days, days_from_civil};
use plantdb_query::vector::{Vector, VectorData};

/// 2000-01-03 00:00:00 UTC in µs.
const DEFAULT_ORIGIN: i64 = 946_857_600_000_000;
const DAY: i64 = 86_400_000_000;

fn width_us(iv: &Interval) -> Result<Option<i64>> {
    if iv.months != 0 {
        if iv.days != 0 || iv.micros != 0 {
            return Err(QueryError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "month intervals cannot have day or time components",
            ));
        }
        if iv.months <= 0 {
            return Err(QueryError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "interval must be greater than zero",
            ));
        }
        return Ok(None);
    }
    let us = i64::from(iv.days) * DAY + iv.micros;
    if us <= 0 {
        return Err(QueryError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "interval must be greater than zero",
        ));
    }
    Ok(Some(us))
}

fn bucket(ts: i64, width: i64, origin: i64) -> i64 {
    origin + (ts - origin).div_euclid(width) * width
}

fn month_bucket(ts: i64, months: i32, origin: i64) -> i64 {
    let (oy, om, _) = civil_from_days(origin.div_euclid(DAY));
    let (y, m, _) = civil_from_days(ts.div_euclid(DAY));
    let idx = (y - oy) * 12 + i64::from(m) - i64::from(om);
    let b = idx.div_euclid(i64::from(months)) * i64::from(months);
    let total = oy * 12 + i64::from(om) - 1 + b;
    let (by, bm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    days_from_civil(by, bm, 1) * DAY
}

pub(crate) fn kernel(args: &[Vector], ret: &DataType, n: usize) -> Result<Vector> {
    let iv = match args[0].value(0) {
        Value::Interval(iv) if matches!(args[0].data, VectorData::Const(_)) => iv,
        Value::Null => return Ok(Vector::nulls(ret.clone(), n)),
        _ => {
            // Non-constant widths: row by row.
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let one: Vec<Vector> = args
                    .iter()
                    .map(|a| Vector::constant(a.value(i), a.ty.clone(), 1))
                    .collect();
                out.push(kernel(&one, ret, 1)?.value(0));
            }
            return Ok(Vector::from_values(ret.clone(), out));
        }
    };
    let origin_const = args
        .get(2)
        .map(|o| (o.value(0), matches!(o.data, VectorData::Const(_))));
    let width = width_us(&iv)?;
    let ts = &args[1];
    let origin_at = |i: usize| -> Option<i64> {
        match &origin_const {
            None => Some(if width.is_none() {
                946_684_800_000_000
            } else {
                DEFAULT_ORIGIN
            }),
            Some((v, true)) => v.as_int(),
            Some(_) => args[2].value(i).as_int(),
        }
    };
    if let (VectorData::Int(xs), Some(w), None | Some((_, true))) = (&ts.data, width, &origin_const) {
        let Some(o) = origin_at(0) else {
            return Ok(Vector::nulls(ret.clone(), n));
        };
        // Times mostly come in order: a time inside the previous row's bucket needs no division.
        let mut cur: Option<i64> = None;
        let out: Vec<i64> = xs
            .iter()
            .map(|&t| match cur {
                Some(b) if t >= b && t - b < w => b,
                _ => {
                    let b = bucket(t, w, o);
                    cur = Some(b);
                    b
                }
            })
            .collect();
        return Ok(Vector::new(
            ret.clone(),
            VectorData::Int(out),
            ts.validity.clone(),
        ));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(match (ts.value(i), origin_at(i)) {
            (Value::Int(t), Some(o)) => Value::Int(match width {
                Some(w) => bucket(t, w, o),
                None => month_bucket(t, iv.months, o),
            }),
            _ => Value::Null,
        });
    }
    Ok(Vector::from_values(ret.clone(), out))
}

/// Registers `time_bucket`.
pub fn register(r: &mut Registry) {
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        for with_origin in [false, true] {
            let mut args = vec![DataType::Interval, t.clone()];
            if with_origin {
                args.push(t.clone());
            }
            r.register_scalar(
                ScalarFunction::vectorized(
                    "time_bucket",
                    Signature::exact(&args, t.clone()),
                    Volatility::Immutable,
                    |_, a, ret, n| kernel(a, ret, n),
                )
                .describe("start of the time bucket of the given width holding the timestamp"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;

    #[test]
    fn buckets_align_to_the_origin() {
        // 2026-01-05 10:37:12 → 10:30 (15 min) and 10:00 (1 h).
        let t = 1_767_609_432_000_000;
        assert_eq!(bucket(t, 15 * 60_000_000, DEFAULT_ORIGIN), 1_767_609_000_000_000);
        assert_eq!(bucket(t, H, DEFAULT_ORIGIN), 1_767_607_200_000_000);
        // 1 week buckets start on Mondays: 2026-01-05 is a Monday.
        assert_eq!(bucket(t, 7 * 24 * H, DEFAULT_ORIGIN), 1_767_571_200_000_000);
        // before the origin
        assert_eq!(bucket(-1, H, DEFAULT_ORIGIN), -H + (DEFAULT_ORIGIN % H));
        // month buckets: 2026-05-17 in 3-month buckets from 2000-01 → 2026-04-01
        let may17 = days_from_civil(2026, 5, 17) * DAY;
        assert_eq!(
            month_bucket(may17, 3, 946_684_800_000_000),
            days_from_civil(2026, 4, 1) * DAY
        );
    }
}
