//! Set-returning functions usable in FROM: `generate_series` (integers, numerics, timestamps),
//! `unnest` and `generate_subscripts`. Rows are produced lazily in batches of at most 8192.
use std::sync::Arc;

use crate::context::EvalContext;
use crate::error::{Result, sqlstate};
use crate::functions::builtin::kernels::{array_of, dec_of, elem_type, int_of, qerr, t};
use crate::functions::builtin::timeutil::add_interval;
use crate::functions::{ArgType, BatchIter, Registry, ReturnType, Signature, TableFunction};
use crate::types::{DataType, Decimal, Interval, Value};
use crate::vector::{Batch, Vector};

/// Rows per batch.
const BATCH: usize = 8192;

fn step_zero() -> crate::error::QueryError {
    qerr(sqlstate::INVALID_PARAMETER_VALUE, "step size cannot equal zero")
}

fn one_column(
    name: &'static str,
    sig: Signature,
    column: fn(&[DataType]) -> DataType,
    kernel: impl Fn(&EvalContext, &[Value], &[DataType]) -> Result<BatchIter> + Send + Sync + 'static,
) -> TableFunction {
    TableFunction {
        name: name.into(),
        signature: sig,
        columns: Arc::new(move |types| Ok(vec![(name.to_string(), column(types))])),
        kernel: Arc::new(kernel),
        description: String::new(),
    }
}

fn empty() -> BatchIter {
    Box::new(std::iter::empty())
}

/// Integer series; stops at the end of the type's range instead of overflowing.
fn int_series(start: i64, stop: i64, step: i64, ty: DataType) -> BatchIter {
    let mut cur = Some(start);
    Box::new(std::iter::from_fn(move || {
        let mut out = Vec::with_capacity(BATCH);
        while out.len() < BATCH {
            let Some(c) = cur else { break };
            if (step > 0 && c > stop) || (step < 0 && c < stop) {
                cur = None;
                break;
            }
            out.push(c);
            cur = c
                .checked_add(step)
                .filter(|n| crate::functions::builtin::kernels::check_int(*n, &ty).is_ok());
        }
        if out.is_empty() {
            return None;
        }
        let n = out.len();
        Some(Ok(Batch::new(vec![Vector::ints(ty.clone(), out)], n)))
    }))
}

fn numeric_series(start: Decimal, stop: Decimal, step: Decimal) -> BatchIter {
    let mut cur = Some(start);
    let scale = start.scale().max(step.scale());
    Box::new(std::iter::from_fn(move || {
        let mut out = Vec::with_capacity(BATCH);
        while out.len() < BATCH {
            let Some(c) = cur else { break };
            let past = if step.signum() > 0 { c > stop } else { c < stop };
            if past {
                cur = None;
                break;
            }
            out.push(Value::Numeric(c.rescale(scale).unwrap_or(c)));
            cur = c.checked_add(step).ok();
        }
        if out.is_empty() {
            return None;
        }
        let n = out.len();
        Some(Ok(Batch::new(vec![Vector::from_values(t::NUM, out)], n)))
    }))
}

fn ts_series(
    ctx: &EvalContext,
    start: i64,
    stop: i64,
    step: Interval,
    tz: bool,
    ty: DataType,
) -> Result<BatchIter> {
    if step.span_micros() == 0 {
        return Err(step_zero());
    }
    let zone = tz.then(|| ctx.tz.clone());
    let forward = step.span_micros() > 0;
    let mut cur = Some(start);
    let mut done = false;
    Ok(Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut out = Vec::with_capacity(BATCH);
        while out.len() < BATCH {
            let Some(c) = cur else { break };
            if (forward && c > stop) || (!forward && c < stop) {
                cur = None;
                break;
            }
            out.push(c);
            match add_interval(c, &step, zone.as_ref()) {
                Ok(n) => cur = Some(n),
                Err(e) => {
                    done = true;
                    return Some(Err(e));
                }
            }
        }
        if out.is_empty() {
            return None;
        }
        let n = out.len();
        Some(Ok(Batch::new(vec![Vector::ints(ty.clone(), out)], n)))
    })))
}

fn first(types: &[DataType]) -> DataType {
    types.first().cloned().unwrap_or(t::I4)
}

/// Registers the set-returning functions.
pub(crate) fn register(r: &mut Registry) {
    for ty in [t::I4, t::I8] {
        let tt = ty.clone();
        r.register_table(one_column(
            "generate_series",
            Signature::exact(&[ty.clone(), ty.clone(), ty.clone()], ty.clone()).optional(1),
            first,
            move |_c, v, _t| {
                if v.iter().any(Value::is_null) {
                    return Ok(empty());
                }
                let step = v.get(2).map_or(1, int_of);
                if step == 0 {
                    return Err(step_zero());
                }
                Ok(int_series(int_of(&v[0]), int_of(&v[1]), step, tt.clone()))
            },
        ));
    }
    r.register_table(one_column(
        "generate_series",
        Signature::exact(&[t::NUM, t::NUM, t::NUM], t::NUM).optional(1),
        |_| t::NUM,
        |_c, v, _t| {
            if v.iter().any(Value::is_null) {
                return Ok(empty());
            }
            let step = v.get(2).map_or(Decimal::from_i64(1), dec_of);
            if step.is_zero() {
                return Err(step_zero());
            }
            Ok(numeric_series(dec_of(&v[0]), dec_of(&v[1]), step))
        },
    ));
    for (ty, tz) in [(t::TS, false), (t::TSTZ, true)] {
        let tt = ty.clone();
        r.register_table(one_column(
            "generate_series",
            Signature::exact(&[ty.clone(), ty.clone(), t::IV], ty.clone()),
            first,
            move |ctx, v, _t| {
                if v.iter().any(Value::is_null) {
                    return Ok(empty());
                }
                let step = match &v[2] {
                    Value::Interval(i) => *i,
                    _ => Interval::default(),
                };
                ts_series(ctx, int_of(&v[0]), int_of(&v[1]), step, tz, tt.clone())
            },
        ));
    }
    r.register_table(one_column(
        "unnest",
        Signature::new(vec![ArgType::AnyArray], ReturnType::Element),
        |types| elem_type(&first(types)),
        |_c, v, types| {
            let Some(a) = v.first().and_then(array_of) else {
                return Ok(empty());
            };
            let ty = elem_type(&first(types));
            let items = a.items.clone();
            let chunks: Vec<Vec<Value>> = items.chunks(BATCH).map(<[Value]>::to_vec).collect();
            Ok(Box::new(chunks.into_iter().map(move |c| {
                let n = c.len();
                Ok(Batch::new(vec![Vector::from_values(ty.clone(), c)], n))
            })))
        },
    ));
    r.register_table(one_column(
        "generate_subscripts",
        Signature::new(
            vec![ArgType::AnyArray, ArgType::Exact(t::I4), ArgType::Exact(t::BOOL)],
            ReturnType::Exact(t::I4),
        )
        .optional(1),
        |_| t::I4,
        |_c, v, _t| {
            if v.iter().any(Value::is_null) {
                return Ok(empty());
            }
            let Some(a) = array_of(&v[0]) else {
                return Ok(empty());
            };
            if int_of(&v[1]) != 1 || a.items.is_empty() {
                return Ok(empty());
            }
            let lo = i64::from(a.lower);
            let hi = lo + a.items.len() as i64 - 1;
            let reverse = v.get(2).and_then(Value::as_bool).unwrap_or(false);
            Ok(if reverse {
                int_series(hi, lo, -1, t::I4)
            } else {
                int_series(lo, hi, 1, t::I4)
            })
        },
    ));
}
