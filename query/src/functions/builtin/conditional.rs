//! `greatest`, `least` (NULLs ignored) and `nullif`.
use std::cmp::Ordering;

use crate::functions::builtin::kernels::{cmp_f64, const_null};
use crate::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Physical, Value};
use crate::vector::{Vector, VectorData};

fn cmp(a: &Value, b: &Value, ty: &DataType) -> Ordering {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => cmp_f64(*x, *y),
        (Value::Str(x), Value::Str(y)) if matches!(ty, DataType::Bpchar(_)) => {
            x.trim_end_matches(' ').cmp(y.trim_end_matches(' '))
        }
        _ => a.total_cmp(b),
    }
}

fn extreme(args: &[Vector], ret: &DataType, len: usize, want: Ordering) -> Vector {
    // Fast path: two integer columns.
    if let [a, b] = args
        && a.ty.physical() == Physical::Int
        && a.validity.is_none()
        && b.validity.is_none()
        && let (VectorData::Int(x), VectorData::Int(y)) = (&a.data, &b.data)
    {
        let out = x
            .iter()
            .zip(y)
            .map(|(p, q)| if p.cmp(q) == want { *p } else { *q })
            .collect();
        return Vector::ints(ret.clone(), out);
    }
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let mut best = Value::Null;
        for a in args {
            let v = a.value(i);
            if v.is_null() {
                continue;
            }
            if best.is_null() || cmp(&v, &best, ret) == want {
                best = v;
            }
        }
        out.push(best);
    }
    Vector::from_values(ret.clone(), out)
}

/// Registers the conditional functions.
pub(crate) fn register(r: &mut Registry) {
    for (name, want) in [("greatest", Ordering::Greater), ("least", Ordering::Less)] {
        r.register_scalar(ScalarFunction::vectorized(
            name,
            Signature::new(vec![ArgType::AnyElement], ReturnType::Element).variadic(ArgType::AnyElement),
            Volatility::Immutable,
            move |_c, a, ret, len| Ok(extreme(a, ret, len, want)),
        ));
    }
    r.register_scalar(ScalarFunction::vectorized(
        "nullif",
        Signature::new(
            vec![ArgType::AnyElement, ArgType::AnyElement],
            ReturnType::Element,
        ),
        Volatility::Immutable,
        |_c, a, ret, len| {
            if const_null(&a[0]) {
                return Ok(Vector::nulls(ret.clone(), len));
            }
            if let Some(v) = nullif_fixed(&a[0], &a[1], ret, len) {
                return Ok(v);
            }
            let out = (0..len)
                .map(|i| {
                    let (x, y) = (a[0].value(i), a[1].value(i));
                    if !y.is_null() && cmp(&x, &y, ret) == Ordering::Equal {
                        Value::Null
                    } else {
                        x
                    }
                })
                .collect();
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));
}

/// `nullif` of a double or integer column and a constant or column of the same physical type,
/// without boxing values: only the validity changes.
fn nullif_fixed(x: &Vector, y: &Vector, ret: &DataType, len: usize) -> Option<Vector> {
    if x.ty.physical() != ret.physical() || y.ty.physical() != ret.physical() || x.len() != len {
        return None;
    }
    let equal: Box<dyn Fn(usize) -> bool + '_> = match (&x.data, &y.data) {
        (VectorData::Float(xs), VectorData::Float(ys)) if ys.len() == len => {
            Box::new(move |i| cmp_f64(xs[i], ys[i]) == Ordering::Equal)
        }
        (VectorData::Float(xs), VectorData::Const(Value::Float(c))) => {
            let c = *c;
            Box::new(move |i| cmp_f64(xs[i], c) == Ordering::Equal)
        }
        (VectorData::Int(xs), VectorData::Int(ys)) if ys.len() == len => Box::new(move |i| xs[i] == ys[i]),
        (VectorData::Int(xs), VectorData::Const(Value::Int(c))) => {
            let c = *c;
            Box::new(move |i| xs[i] == c)
        }
        _ => return None,
    };
    let mut out = x.clone();
    out.ty = ret.clone();
    let mut valid: Vec<bool> = (0..len).map(|i| !x.is_null(i)).collect();
    for (i, v) in valid.iter_mut().enumerate() {
        if *v && !y.is_null(i) && equal(i) {
            *v = false;
        }
    }
    out.validity = Some(valid);
    Some(out)
}
