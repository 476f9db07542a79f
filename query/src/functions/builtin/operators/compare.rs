//! Comparison operators `= <> < <= > >=` for every type. Both sides are unified to one type by
//! the resolver (`anyelement` pairs), then compared by physical form: integers (and everything
//! integer-coded), doubles in PostgreSQL's order (NaN equals NaN and sorts above everything),
//! text bytewise (C collation, once per dictionary entry against a constant), other values by
//! their total order.
use std::cmp::Ordering;

use crate::context::EvalContext;
use crate::error::Result;
use crate::functions::builtin::kernels::{and_validity, const_null, map2_inf, value_bytes};
use crate::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Physical, Value};
use crate::vector::{Vector, VectorData};

/// A comparison predicate over an ordering.
trait CmpOp: Send + Sync + 'static {
    const NAME: &'static str;
    fn ord(o: Ordering) -> bool;
    fn int(a: i64, b: i64) -> bool;
    fn float(a: f64, b: f64) -> bool;
}

macro_rules! cmp_op {
    ($t:ident, $name:literal, $pat:pat, $op:tt, $float:expr) => {
        struct $t;
        impl CmpOp for $t {
            const NAME: &'static str = $name;
            #[inline]
            fn ord(o: Ordering) -> bool {
                matches!(o, $pat)
            }
            #[inline]
            fn int(a: i64, b: i64) -> bool {
                a $op b
            }
            #[inline]
            fn float(a: f64, b: f64) -> bool {
                let f = $float;
                f(a, b)
            }
        }
    };
}

// Doubles in PostgreSQL's order: NaN equals NaN and is above everything.
cmp_op!(Eq, "=", Ordering::Equal, ==, |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan()));
cmp_op!(Ne, "<>", Ordering::Less | Ordering::Greater, !=, |a: f64, b: f64| {
    !(a == b || (a.is_nan() && b.is_nan()))
});
cmp_op!(Lt, "<", Ordering::Less, <, |a: f64, b: f64| a < b || (b.is_nan() && !a.is_nan()));
cmp_op!(Le, "<=", Ordering::Less | Ordering::Equal, <=, |a: f64, b: f64| a <= b || b.is_nan());
cmp_op!(Gt, ">", Ordering::Greater, >, |a: f64, b: f64| a > b || (a.is_nan() && !b.is_nan()));
cmp_op!(Ge, ">=", Ordering::Greater | Ordering::Equal, >=, |a: f64, b: f64| a >= b || a.is_nan());

fn trim_bpchar<'a>(b: &'a [u8], ty: &DataType) -> &'a [u8] {
    if matches!(ty, DataType::Bpchar(_)) {
        let mut n = b.len();
        while n > 0 && b[n - 1] == b' ' {
            n -= 1;
        }
        &b[..n]
    } else {
        b
    }
}

/// Compares two text vectors bytewise.
fn text_cmp<O: CmpOp>(a: &Vector, b: &Vector, ret: &DataType, len: usize) -> Vector {
    if const_null(a) || const_null(b) {
        return Vector::nulls(ret.clone(), len);
    }
    let ty = a.ty.clone();
    let validity = and_validity(&[a, b]);
    match (&a.data, &b.data) {
        (VectorData::Const(x), VectorData::Const(y)) => {
            let r = O::ord(trim_bpchar(value_bytes(x), &ty).cmp(trim_bpchar(value_bytes(y), &b.ty)));
            Vector::constant(Value::Bool(r), ret.clone(), len)
        }
        (VectorData::Text(d), VectorData::Const(c)) | (VectorData::Const(c), VectorData::Text(d)) => {
            let flip = matches!(a.data, VectorData::Const(_));
            let k = trim_bpchar(value_bytes(c), &ty);
            let test = |e: &[u8]| {
                let e = trim_bpchar(e, &ty);
                let o = if flip { k.cmp(e) } else { e.cmp(k) };
                O::ord(o)
            };
            let out: Vec<bool> = if d.dict.len() <= d.codes.len() {
                let per: Vec<bool> = d.dict.iter().map(|e| test(e)).collect();
                d.codes
                    .iter()
                    .map(|c| per.get(*c as usize).copied().unwrap_or(false))
                    .collect()
            } else {
                (0..d.codes.len()).map(|i| test(d.get(i))).collect()
            };
            Vector::new(ret.clone(), VectorData::Bool(out), validity)
        }
        (VectorData::Text(x), VectorData::Text(y)) if std::sync::Arc::ptr_eq(&x.dict, &y.dict) => {
            let out = x
                .codes
                .iter()
                .zip(&y.codes)
                .map(|(p, q)| {
                    if p == q {
                        O::ord(Ordering::Equal)
                    } else {
                        let (l, r) = (
                            x.dict.get(*p as usize).map_or(&b""[..], |v| &v[..]),
                            x.dict.get(*q as usize).map_or(&b""[..], |v| &v[..]),
                        );
                        O::ord(trim_bpchar(l, &ty).cmp(trim_bpchar(r, &ty)))
                    }
                })
                .collect();
            Vector::new(ret.clone(), VectorData::Bool(out), validity)
        }
        _ => {
            let out = (0..len)
                .map(|i| O::ord(trim_bpchar(a.bytes_at(i), &ty).cmp(trim_bpchar(b.bytes_at(i), &b.ty))))
                .collect();
            Vector::new(ret.clone(), VectorData::Bool(out), validity)
        }
    }
}

fn values_cmp<O: CmpOp>(a: &Vector, b: &Vector, ret: &DataType, len: usize) -> Vector {
    if const_null(a) || const_null(b) {
        return Vector::nulls(ret.clone(), len);
    }
    if let (VectorData::Const(x), VectorData::Const(y)) = (&a.data, &b.data) {
        return Vector::constant(Value::Bool(O::ord(x.total_cmp(y))), ret.clone(), len);
    }
    let out: Vec<Value> = (0..len)
        .map(|i| {
            let (x, y) = (a.value(i), b.value(i));
            if x.is_null() || y.is_null() {
                Value::Null
            } else {
                Value::Bool(O::ord(x.total_cmp(&y)))
            }
        })
        .collect();
    Vector::from_values(ret.clone(), out)
}

/// The comparison kernel for operator `O`.
fn compare<O: CmpOp>(a: &Vector, b: &Vector, ret: &DataType, len: usize) -> Vector {
    match a.ty.physical() {
        Physical::Int if b.ty.physical() == Physical::Int => map2_inf::<i64, i64, bool>(a, b, ret, O::int),
        Physical::Float if b.ty.physical() == Physical::Float => {
            map2_inf::<f64, f64, bool>(a, b, ret, O::float)
        }
        Physical::Bool if b.ty.physical() == Physical::Bool => {
            map2_inf::<bool, bool, bool>(a, b, ret, |x, y| O::ord(x.cmp(&y)))
        }
        Physical::Text if b.ty.physical() == Physical::Text => text_cmp::<O>(a, b, ret, len),
        _ => values_cmp::<O>(a, b, ret, len),
    }
}

fn reg<O: CmpOp>(r: &mut Registry, name: &str) {
    let sig = Signature::new(
        vec![ArgType::AnyElement, ArgType::AnyElement],
        ReturnType::Exact(DataType::Bool),
    );
    r.register_scalar(
        ScalarFunction::vectorized(
            name,
            sig,
            Volatility::Immutable,
            |_ctx: &EvalContext, args: &[Vector], ret: &DataType, len: usize| -> Result<Vector> {
                match args {
                    [a, b] => Ok(compare::<O>(a, b, ret, len)),
                    _ => Err(crate::error::internal("comparison needs two arguments")),
                }
            },
        )
        .describe(&format!("comparison {}", O::NAME)),
    );
}

/// Registers the comparison operators.
pub(crate) fn register(r: &mut Registry) {
    reg::<Eq>(r, "=");
    reg::<Ne>(r, "<>");
    reg::<Ne>(r, "!=");
    reg::<Lt>(r, "<");
    reg::<Le>(r, "<=");
    reg::<Gt>(r, ">");
    reg::<Ge>(r, ">=");
}
