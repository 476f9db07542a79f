//! Array functions (one-dimensional arrays with a lower bound) and the containment operators
//! `@> <@ &&`.
use std::cmp::Ordering;
use std::sync::Arc;

use crate::error::{Result, sqlstate};
use crate::functions::builtin::kernels::{array_of, array_value, elem_type, int_of, map_values, qerr, t};
use crate::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility};
use crate::types::{ArrayValue, DataType, Value};
use crate::vector::Vector;

fn items(v: &Value) -> &[Value] {
    array_of(v).map_or(&[], |a| &a.items)
}

fn lower(v: &Value) -> i64 {
    array_of(v).map_or(1, |a| i64::from(a.lower))
}

/// IS NOT DISTINCT FROM on elements.
fn same(a: &Value, b: &Value) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (false, false) => a.total_cmp(b) == Ordering::Equal,
        _ => false,
    }
}

/// Equality where NULL never matches.
fn eq(a: &Value, b: &Value) -> bool {
    !a.is_null() && !b.is_null() && a.total_cmp(b) == Ordering::Equal
}

fn contains(a: &[Value], b: &[Value]) -> bool {
    b.iter().all(|x| a.iter().any(|y| eq(x, y)))
}

fn with_items(template: &Value, elem: DataType, items: Vec<Value>) -> Value {
    let lower = array_of(template).map_or(1, |a| a.lower);
    Value::Array(Arc::new(ArrayValue { elem, lower, items }))
}

fn reg(
    r: &mut Registry,
    name: &str,
    sig: Signature,
    strict: bool,
    f: impl Fn(&[Value], &DataType) -> Result<Value> + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::vectorized(
        name,
        sig,
        Volatility::Immutable,
        move |_c, a: &[Vector], ret: &DataType, len| {
            if strict {
                return map_values(a, ret, len, |v| f(v, ret));
            }
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let row: Vec<Value> = a.iter().map(|x| x.value(i)).collect();
                out.push(f(&row, ret)?);
            }
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));
}

fn arr_int(args: Vec<ArgType>, ret: DataType) -> Signature {
    Signature::new(args, ReturnType::Exact(ret))
}

/// Registers the array functions and operators.
pub(crate) fn register(r: &mut Registry) {
    use ArgType::{AnyArray, AnyElement, Exact};
    reg(
        r,
        "array_length",
        arr_int(vec![AnyArray, Exact(t::I4)], t::I4),
        true,
        |v, _| {
            let n = items(&v[0]).len();
            Ok(if int_of(&v[1]) == 1 && n > 0 {
                Value::Int(n as i64)
            } else {
                Value::Null
            })
        },
    );
    reg(
        r,
        "array_upper",
        arr_int(vec![AnyArray, Exact(t::I4)], t::I4),
        true,
        |v, _| {
            let n = items(&v[0]).len() as i64;
            Ok(if int_of(&v[1]) == 1 && n > 0 {
                Value::Int(lower(&v[0]) + n - 1)
            } else {
                Value::Null
            })
        },
    );
    reg(
        r,
        "array_lower",
        arr_int(vec![AnyArray, Exact(t::I4)], t::I4),
        true,
        |v, _| {
            let n = items(&v[0]).len();
            Ok(if int_of(&v[1]) == 1 && n > 0 {
                Value::Int(lower(&v[0]))
            } else {
                Value::Null
            })
        },
    );
    reg(r, "cardinality", arr_int(vec![AnyArray], t::I4), true, |v, _| {
        Ok(Value::Int(items(&v[0]).len() as i64))
    });
    reg(r, "array_ndims", arr_int(vec![AnyArray], t::I4), true, |v, _| {
        Ok(if items(&v[0]).is_empty() {
            Value::Null
        } else {
            Value::Int(1)
        })
    });
    reg(r, "array_dims", arr_int(vec![AnyArray], t::TEXT), true, |v, _| {
        let n = items(&v[0]).len() as i64;
        Ok(if n == 0 {
            Value::Null
        } else {
            let lo = lower(&v[0]);
            Value::str(format!("[{lo}:{}]", lo + n - 1))
        })
    });
    reg(
        r,
        "array_append",
        Signature::new(vec![AnyArray, AnyElement], ReturnType::SameAs(0)),
        false,
        |v, ret| {
            let mut its = items(&v[0]).to_vec();
            its.push(v[1].clone());
            Ok(with_items(&v[0], elem_type(ret), its))
        },
    );
    reg(
        r,
        "array_prepend",
        Signature::new(vec![AnyElement, AnyArray], ReturnType::SameAs(1)),
        false,
        |v, ret| {
            let mut its = vec![v[0].clone()];
            its.extend(items(&v[1]).iter().cloned());
            Ok(array_value(elem_type(ret), its))
        },
    );
    reg(
        r,
        "array_cat",
        Signature::new(vec![AnyArray, AnyArray], ReturnType::SameAs(0)),
        false,
        |v, ret| {
            if v[0].is_null() && v[1].is_null() {
                return Ok(Value::Null);
            }
            if v[0].is_null() {
                return Ok(v[1].clone());
            }
            let mut its = items(&v[0]).to_vec();
            its.extend(items(&v[1]).iter().cloned());
            Ok(with_items(&v[0], elem_type(ret), its))
        },
    );
    reg(
        r,
        "array_position",
        Signature::new(vec![AnyArray, AnyElement, Exact(t::I4)], ReturnType::Exact(t::I4)).optional(1),
        false,
        |v, _| {
            if v[0].is_null() || v.get(2).is_some_and(Value::is_null) {
                return Ok(Value::Null);
            }
            let lo = lower(&v[0]);
            let its = items(&v[0]);
            let start = v.get(2).map_or(lo, int_of);
            let skip = (start - lo).max(0) as usize;
            Ok(its
                .iter()
                .enumerate()
                .skip(skip)
                .find(|(_, x)| same(x, &v[1]))
                .map_or(Value::Null, |(i, _)| Value::Int(lo + i as i64)))
        },
    );
    reg(
        r,
        "array_positions",
        Signature::new(vec![AnyArray, AnyElement], ReturnType::Exact(t::arr(t::I4))),
        false,
        |v, _| {
            if v[0].is_null() {
                return Ok(Value::Null);
            }
            let lo = lower(&v[0]);
            Ok(array_value(
                t::I4,
                items(&v[0])
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| same(x, &v[1]))
                    .map(|(i, _)| Value::Int(lo + i as i64))
                    .collect(),
            ))
        },
    );
    reg(
        r,
        "array_remove",
        Signature::new(vec![AnyArray, AnyElement], ReturnType::SameAs(0)),
        false,
        |v, ret| {
            if v[0].is_null() {
                return Ok(Value::Null);
            }
            let its = items(&v[0]).iter().filter(|x| !same(x, &v[1])).cloned().collect();
            Ok(array_value(elem_type(ret), its))
        },
    );
    reg(
        r,
        "array_replace",
        Signature::new(vec![AnyArray, AnyElement, AnyElement], ReturnType::SameAs(0)),
        false,
        |v, ret| {
            if v[0].is_null() {
                return Ok(Value::Null);
            }
            let its = items(&v[0])
                .iter()
                .map(|x| if same(x, &v[1]) { v[2].clone() } else { x.clone() })
                .collect();
            Ok(with_items(&v[0], elem_type(ret), its))
        },
    );
    reg(
        r,
        "array_fill",
        Signature::new(
            vec![AnyElement, Exact(t::arr(t::I4)), Exact(t::arr(t::I4))],
            ReturnType::ArrayOfElement,
        )
        .optional(1),
        false,
        |v, ret| {
            if v[1].is_null() || v.get(2).is_some_and(Value::is_null) {
                return Err(qerr(
                    sqlstate::NULL_VALUE_NOT_ALLOWED,
                    "dimension array or low bound array cannot be null",
                ));
            }
            let dims = items(&v[1]);
            if dims.iter().any(Value::is_null) {
                return Err(qerr(
                    sqlstate::NULL_VALUE_NOT_ALLOWED,
                    "dimension values cannot be null",
                ));
            }
            if dims.len() > 1 {
                return Err(qerr(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "multidimensional arrays are not supported",
                ));
            }
            let n = dims.first().map_or(0, int_of);
            let lo = v.get(2).map(items).and_then(|l| l.first()).map_or(1, int_of);
            if n <= 0 {
                return Ok(array_value(elem_type(ret), vec![]));
            }
            if n > 100_000_000 {
                return Err(qerr(
                    sqlstate::PROGRAM_LIMIT_EXCEEDED,
                    "array size exceeds the maximum allowed",
                ));
            }
            Ok(Value::Array(Arc::new(ArrayValue {
                elem: elem_type(ret),
                lower: lo as i32,
                items: vec![v[0].clone(); n as usize],
            })))
        },
    );
    // Containment and overlap.
    let sig = || Signature::new(vec![AnyArray, AnyArray], ReturnType::Exact(t::BOOL));
    reg(r, "@>", sig(), true, |v, _| {
        Ok(Value::Bool(contains(items(&v[0]), items(&v[1]))))
    });
    reg(r, "<@", sig(), true, |v, _| {
        Ok(Value::Bool(contains(items(&v[1]), items(&v[0]))))
    });
    reg(r, "&&", sig(), true, |v, _| {
        let (a, b) = (items(&v[0]), items(&v[1]));
        Ok(Value::Bool(a.iter().any(|x| b.iter().any(|y| eq(x, y)))))
    });
}
