//! `||`: text concatenation (either side may be any non-array type, printed as text), bytea
//! concatenation, and array concatenation (array || array, array || element, element || array).
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::kernels::{
    array_of, array_value, cast, const_null, is_const, text_map_text, to_text, value_bytes,
};
use crate::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility, common_type};
use crate::types::{DataType, Value};
use crate::vector::{Vector, VectorData};

fn no_operator(a: &DataType, b: &DataType) -> QueryError {
    QueryError::new(
        sqlstate::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} || {}",
            a.display_name(),
            b.display_name()
        ),
    )
    .with_hint(
        "No operator matches the given name and argument types. You might need to add explicit type casts.",
    )
}

fn result_type(args: &[DataType]) -> Result<DataType> {
    use DataType::*;
    let (a, b) = match args {
        [a, b] => (a, b),
        _ => return Err(no_operator(&Unknown, &Unknown)),
    };
    let elem =
        |x: &DataType, y: &DataType| common_type(&[x.clone(), y.clone()]).ok_or_else(|| no_operator(a, b));
    Ok(match (a, b) {
        (Array(x), Array(y)) => Array(Box::new(elem(x, y)?)),
        (Array(x), Unknown) | (Unknown, Array(x)) => Array(x.clone()),
        // A string next to a non-string array is an array literal ('{3}').
        (Array(x), s) | (s, Array(x)) if s.is_string() && !x.is_string() => Array(x.clone()),
        (Array(x), e) | (e, Array(x)) => Array(Box::new(elem(x, e)?)),
        (Bytea, Bytea) | (Bytea, Unknown) | (Unknown, Bytea) => Bytea,
        (x, y) if x.is_string() || y.is_string() => Text,
        _ => return Err(no_operator(a, b)),
    })
}

/// Items of an array-typed argument, or one element; text literals are parsed as arrays.
fn items(
    v: &Value,
    ty: &DataType,
    target_elem: &DataType,
    as_array: bool,
    ctx: &EvalContext,
) -> Result<Vec<Value>> {
    if as_array {
        let arr = match (v, ty) {
            (Value::Str(s), _) => {
                crate::types::text::parse_value(s, &DataType::Array(Box::new(target_elem.clone())), ctx)?
            }
            _ => v.clone(),
        };
        let from = match ty {
            DataType::Array(e) => (**e).clone(),
            _ => target_elem.clone(),
        };
        match array_of(&arr) {
            Some(a) => a.items.iter().map(|x| cast(x, &from, target_elem, ctx)).collect(),
            None => Ok(vec![]),
        }
    } else {
        Ok(vec![cast(v, ty, target_elem, ctx)?])
    }
}

fn concat_kernel(ctx: &EvalContext, args: &[Vector], ret: &DataType, len: usize) -> Result<Vector> {
    let (a, b) = (&args[0], &args[1]);
    match ret {
        DataType::Array(e) => {
            let literal = |t: &DataType| t.is_string() && !e.is_string();
            let a_arr = matches!(a.ty, DataType::Array(_)) || literal(&a.ty);
            let b_arr = matches!(b.ty, DataType::Array(_)) || literal(&b.ty);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let (x, y) = (a.value(i), b.value(i));
                // NULL array operands are ignored; a NULL element is appended as NULL.
                let mut its = Vec::new();
                if !x.is_null() {
                    its.extend(items(&x, &a.ty, e, a_arr, ctx)?);
                } else if !a_arr {
                    its.push(Value::Null);
                }
                let left_null_array = x.is_null() && a_arr;
                if !y.is_null() {
                    its.extend(items(&y, &b.ty, e, b_arr, ctx)?);
                } else if !b_arr {
                    its.push(Value::Null);
                }
                if left_null_array && y.is_null() && b_arr {
                    out.push(Value::Null);
                } else {
                    out.push(array_value((**e).clone(), its));
                }
            }
            Ok(Vector::from_values(ret.clone(), out))
        }
        _ => {
            if const_null(a) || const_null(b) {
                return Ok(Vector::nulls(ret.clone(), len));
            }
            // PostgreSQL casts the non-text side to text (bool gives true/false).
            let piece = |v: &Value, ty: &DataType| -> Vec<u8> {
                match v {
                    Value::Str(_) | Value::Bytes(_) => value_bytes(v).to_vec(),
                    Value::Bool(b) => (if *b { "true" } else { "false" }).as_bytes().to_vec(),
                    other => to_text(other, ty, ctx).unwrap_or_default().into_bytes(),
                }
            };
            let textual = |v: &Vector| matches!(v.data, VectorData::Text(_));
            if is_const(b) && textual(a) {
                let k = piece(&b.value(0), &b.ty);
                return text_map_text(a, ret, |x| {
                    let mut o = x.to_vec();
                    o.extend_from_slice(&k);
                    Ok(o)
                });
            }
            if is_const(a) && textual(b) {
                let k = piece(&a.value(0), &a.ty);
                return text_map_text(b, ret, |y| {
                    let mut o = k.clone();
                    o.extend_from_slice(y);
                    Ok(o)
                });
            }
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let (x, y) = (a.value(i), b.value(i));
                if x.is_null() || y.is_null() {
                    out.push(Value::Null);
                    continue;
                }
                let mut o = piece(&x, &a.ty);
                o.extend_from_slice(&piece(&y, &b.ty));
                out.push(crate::functions::builtin::kernels::bytes_value(o, ret));
            }
            Ok(Vector::from_values(ret.clone(), out))
        }
    }
}

/// Registers `||`.
pub(crate) fn register(r: &mut Registry) {
    r.register_scalar(ScalarFunction::vectorized(
        "||",
        Signature::new(
            vec![ArgType::Any, ArgType::Any],
            ReturnType::Computed(result_type),
        ),
        Volatility::Stable,
        concat_kernel,
    ));
}
