//! Date/time arithmetic operators: date ± integer, date − date, date/timestamp/timestamptz/time
//! ± interval (month arithmetic clamps the day; timestamptz applies months and days in the
//! session time zone), timestamp − timestamp, date + time, and interval arithmetic.
use crate::context::EvalContext;
use crate::error::Result;
use crate::functions::builtin::kernels::{
    check_int, const_null, date_range_err, f64_of, int_of, map_values, map1, map2, qerr, reg_vec, t,
};
use crate::functions::builtin::timeutil::{
    US_DAY, add_interval, check_date, check_ts, date_to_ts, is_inf, iv_add, iv_div, iv_mul, iv_sub,
    neg_interval, ts_diff,
};
use crate::functions::{Registry, Signature};
use crate::types::{DataType, Interval, Value};
use crate::vector::{Vector, VectorData};

type IvFn = fn(&EvalContext, i64, &Interval) -> Result<i64>;

fn interval_of(v: &Value) -> Interval {
    match v {
        Value::Interval(i) => *i,
        _ => Interval::default(),
    }
}

/// A kernel over an integer-coded value (argument `ti`) and an interval (the other argument).
fn int_iv(
    ti: usize,
    f: IvFn,
) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static {
    move |ctx, args, ret, len| {
        let (tv, iv) = (&args[ti], &args[1 - ti]);
        if const_null(iv) {
            return Ok(Vector::nulls(ret.clone(), len));
        }
        if let VectorData::Const(Value::Interval(i)) = &iv.data {
            let i = *i;
            return map1::<i64, i64>(tv, ret, |x| f(ctx, x, &i));
        }
        map_values(args, ret, len, |v| {
            Ok(Value::Int(f(ctx, int_of(&v[ti]), &interval_of(&v[1 - ti]))?))
        })
    }
}

fn ts_plus(_c: &EvalContext, t: i64, i: &Interval) -> Result<i64> {
    add_interval(t, i, None)
}

fn ts_minus(_c: &EvalContext, t: i64, i: &Interval) -> Result<i64> {
    add_interval(t, &neg_interval(i)?, None)
}

fn tstz_plus(c: &EvalContext, t: i64, i: &Interval) -> Result<i64> {
    add_interval(t, i, Some(&c.tz))
}

fn tstz_minus(c: &EvalContext, t: i64, i: &Interval) -> Result<i64> {
    add_interval(t, &neg_interval(i)?, Some(&c.tz))
}

fn date_plus(_c: &EvalContext, d: i64, i: &Interval) -> Result<i64> {
    add_interval(date_to_ts(d)?, i, None)
}

fn date_minus(_c: &EvalContext, d: i64, i: &Interval) -> Result<i64> {
    add_interval(date_to_ts(d)?, &neg_interval(i)?, None)
}

fn time_plus(_c: &EvalContext, t: i64, i: &Interval) -> Result<i64> {
    Ok((t + i.micros % US_DAY).rem_euclid(US_DAY))
}

fn time_minus(_c: &EvalContext, t: i64, i: &Interval) -> Result<i64> {
    Ok((t - i.micros % US_DAY).rem_euclid(US_DAY))
}

fn date_pl_days(d: i64, n: i64) -> Result<i64> {
    if is_inf(d) {
        return Ok(d);
    }
    check_date(d.checked_add(n).ok_or_else(date_range_err)?)
}

fn iv_values(
    f: fn(&Value, &Value) -> Result<Value>,
) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static {
    move |_ctx, args, ret, len| map_values(args, ret, len, |v| f(&v[0], &v[1]))
}

/// Registers the date/time operators.
pub(crate) fn register(r: &mut Registry) {
    // date ± integer, date − date
    reg_vec(
        r,
        "+",
        Signature::exact(&[t::DATE, t::I4], t::DATE),
        |_c, a, ret, _| map2::<i64, i64, i64>(&a[0], &a[1], ret, date_pl_days),
    );
    reg_vec(
        r,
        "+",
        Signature::exact(&[t::I4, t::DATE], t::DATE),
        |_c, a, ret, _| map2::<i64, i64, i64>(&a[1], &a[0], ret, date_pl_days),
    );
    reg_vec(
        r,
        "-",
        Signature::exact(&[t::DATE, t::I4], t::DATE),
        |_c, a, ret, _| map2::<i64, i64, i64>(&a[0], &a[1], ret, |d, n| date_pl_days(d, -n)),
    );
    reg_vec(
        r,
        "-",
        Signature::exact(&[t::DATE, t::DATE], t::I4),
        |_c, a, ret, _| {
            map2::<i64, i64, i64>(&a[0], &a[1], ret, |x, y| {
                if is_inf(x) || is_inf(y) {
                    return Err(qerr("22008", "cannot subtract infinite dates"));
                }
                check_int(x - y, &DataType::Int4)
            })
        },
    );
    // ± interval
    for (ty, plus, minus) in [
        (t::DATE, date_plus as IvFn, date_minus as IvFn),
        (t::TS, ts_plus, ts_minus),
        (t::TSTZ, tstz_plus, tstz_minus),
        (t::TIME, time_plus, time_minus),
    ] {
        let ret = match ty {
            DataType::Date => t::TS,
            ref other => other.clone(),
        };
        reg_vec(
            r,
            "+",
            Signature::exact(&[ty.clone(), t::IV], ret.clone()),
            int_iv(0, plus),
        );
        reg_vec(
            r,
            "+",
            Signature::exact(&[t::IV, ty.clone()], ret.clone()),
            int_iv(1, plus),
        );
        reg_vec(
            r,
            "-",
            Signature::exact(&[ty.clone(), t::IV], ret.clone()),
            int_iv(0, minus),
        );
    }
    // date + time
    let date_time = |d: i64, tm: i64| -> Result<i64> {
        let ts = date_to_ts(d)?;
        if is_inf(ts) {
            return Ok(ts);
        }
        check_ts(ts + tm)
    };
    reg_vec(
        r,
        "+",
        Signature::exact(&[t::DATE, t::TIME], t::TS),
        move |_c, a, ret, _| map2::<i64, i64, i64>(&a[0], &a[1], ret, date_time),
    );
    reg_vec(
        r,
        "+",
        Signature::exact(&[t::TIME, t::DATE], t::TS),
        move |_c, a, ret, _| map2::<i64, i64, i64>(&a[1], &a[0], ret, date_time),
    );
    // differences
    for ty in [t::TS, t::TSTZ] {
        reg_vec(
            r,
            "-",
            Signature::exact(&[ty.clone(), ty], t::IV),
            |_c, a, ret, len| {
                map_values(a, ret, len, |v| {
                    Ok(Value::Interval(ts_diff(int_of(&v[0]), int_of(&v[1]))?))
                })
            },
        );
    }
    reg_vec(
        r,
        "-",
        Signature::exact(&[t::TIME, t::TIME], t::IV),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                Ok(Value::Interval(Interval::from_micros(
                    int_of(&v[0]) - int_of(&v[1]),
                )))
            })
        },
    );
    // interval arithmetic
    reg_vec(
        r,
        "+",
        Signature::exact(&[t::IV, t::IV], t::IV),
        iv_values(|a, b| Ok(Value::Interval(iv_add(&interval_of(a), &interval_of(b))?))),
    );
    reg_vec(
        r,
        "-",
        Signature::exact(&[t::IV, t::IV], t::IV),
        iv_values(|a, b| Ok(Value::Interval(iv_sub(&interval_of(a), &interval_of(b))?))),
    );
    reg_vec(r, "-", Signature::exact(&[t::IV], t::IV), |_c, a, ret, len| {
        map_values(a, ret, len, |v| {
            Ok(Value::Interval(neg_interval(&interval_of(&v[0]))?))
        })
    });
    reg_vec(r, "+", Signature::exact(&[t::IV], t::IV), |_c, a, _ret, _| {
        Ok(a[0].clone())
    });
    reg_vec(
        r,
        "*",
        Signature::exact(&[t::IV, t::F8], t::IV),
        iv_values(|a, b| Ok(Value::Interval(iv_mul(&interval_of(a), f64_of(b))?))),
    );
    reg_vec(
        r,
        "*",
        Signature::exact(&[t::F8, t::IV], t::IV),
        iv_values(|a, b| Ok(Value::Interval(iv_mul(&interval_of(b), f64_of(a))?))),
    );
    reg_vec(
        r,
        "/",
        Signature::exact(&[t::IV, t::F8], t::IV),
        iv_values(|a, b| Ok(Value::Interval(iv_div(&interval_of(a), f64_of(b))?))),
    );
}
