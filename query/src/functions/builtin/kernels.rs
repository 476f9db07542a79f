//! Shared pieces of the built-in kernels: error constructors, typed views of vectors with a
//! constant fast path, NULL-aware element-wise loops, dictionary-aware text maps and small
//! registration shorthands.
use std::borrow::Cow;
use std::sync::Arc;

use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::{Registry, ScalarFunction, Signature, Volatility};
use crate::types::cast::cast_value;
use crate::types::text::format_value;
use crate::types::{ArrayValue, DataType, Decimal, Value};
use crate::vector::{DictVec, Vector, VectorData};

// ---------------------------------------------------------------------------------------------
// Errors

/// An error with a code and message.
pub(crate) fn qerr(code: &'static str, msg: impl Into<String>) -> QueryError {
    QueryError::new(code, msg)
}

/// 22003 "integer out of range" with the type's name.
pub(crate) fn int_range_err(ty: &DataType) -> QueryError {
    let name = match ty {
        DataType::Int2 => "smallint",
        DataType::Int8 => "bigint",
        _ => "integer",
    };
    qerr(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("{name} out of range"),
    )
}

/// 22012 "division by zero".
pub(crate) fn div_zero() -> QueryError {
    qerr(sqlstate::DIVISION_BY_ZERO, "division by zero")
}

/// 22003 "value out of range: overflow".
pub(crate) fn float_overflow() -> QueryError {
    qerr(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: overflow",
    )
}

/// 22003 "value out of range: underflow".
pub(crate) fn float_underflow() -> QueryError {
    qerr(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: underflow",
    )
}

/// 22008 "timestamp out of range".
pub(crate) fn ts_range_err() -> QueryError {
    qerr(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

/// 22008 "date out of range".
pub(crate) fn date_range_err() -> QueryError {
    qerr(sqlstate::DATETIME_FIELD_OVERFLOW, "date out of range")
}

/// 22008 "interval out of range".
pub(crate) fn interval_range_err() -> QueryError {
    qerr(sqlstate::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

/// Maps a decimal error to PostgreSQL's numeric errors.
pub(crate) fn dec_err(e: crate::types::numeric::DecimalError) -> QueryError {
    crate::types::cast::numeric_error(e)
}

/// Exact numeric product reduced to 38 digits (the fraction is rounded to fit; an integer
/// part beyond 38 digits is an overflow).
pub(crate) fn dec_mul(a: Decimal, b: Decimal) -> Result<Decimal> {
    if let Some(m) = a.mantissa().checked_mul(b.mantissa())
        && m.unsigned_abs() < 10u128.pow(38)
        && a.scale() + b.scale() <= 38
    {
        return Ok(Decimal::new(m, a.scale() + b.scale()));
    }
    use crate::functions::builtin::bignum::BigDec;
    BigDec::from_dec(a).mul(&BigDec::from_dec(b)).to_dec()
}

/// Checks that an integer fits `ty` (int2/int4/int8).
#[inline]
pub(crate) fn check_int(v: i64, ty: &DataType) -> Result<i64> {
    let ok = match ty {
        DataType::Int2 => i16::try_from(v).is_ok(),
        DataType::Int4 => i32::try_from(v).is_ok(),
        _ => true,
    };
    if ok { Ok(v) } else { Err(int_range_err(ty)) }
}

/// Checks an i128 result against `ty`.
#[inline]
pub(crate) fn check_int128(v: i128, ty: &DataType) -> Result<i64> {
    let v = i64::try_from(v).map_err(|_| int_range_err(ty))?;
    check_int(v, ty)
}

/// PostgreSQL's float order: -0 = 0, NaN = NaN, NaN above everything.
#[inline]
pub(crate) fn cmp_f64(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
    }
}

// ---------------------------------------------------------------------------------------------
// Typed views

/// A column of `T` or one value for every row.
#[derive(Debug, Clone)]
pub(crate) enum Src<'a, T: Clone> {
    /// One value per row.
    Col(Cow<'a, [T]>),
    /// The same value for every row.
    Scalar(T),
}

impl<T: Copy> Src<'_, T> {
    /// Value at row `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> T {
        match self {
            Src::Col(c) => c[i],
            Src::Scalar(s) => *s,
        }
    }
}

/// Physical element types with a vector representation.
pub(crate) trait Phys: Copy + Default + Send + 'static {
    /// Typed view of a vector (NULL rows hold arbitrary values).
    fn src(v: &Vector) -> Src<'_, Self>;
    /// Builds a vector.
    fn vector(ty: DataType, data: Vec<Self>, validity: Option<Vec<bool>>) -> Vector;
    /// As a value.
    fn value(self) -> Value;
}

impl Phys for i64 {
    fn src(v: &Vector) -> Src<'_, i64> {
        match &v.data {
            VectorData::Int(x) => Src::Col(Cow::Borrowed(x)),
            VectorData::Const(c) => Src::Scalar(value_i64(c)),
            VectorData::Bool(b) => Src::Col(Cow::Owned(b.iter().map(|x| i64::from(*x)).collect())),
            VectorData::Float(f) => Src::Col(Cow::Owned(f.iter().map(|x| *x as i64).collect())),
            _ => Src::Col(Cow::Owned((0..v.len()).map(|i| value_i64(&v.value(i))).collect())),
        }
    }
    fn vector(ty: DataType, data: Vec<i64>, validity: Option<Vec<bool>>) -> Vector {
        Vector::new(ty, VectorData::Int(data), validity)
    }
    fn value(self) -> Value {
        Value::Int(self)
    }
}

impl Phys for f64 {
    fn src(v: &Vector) -> Src<'_, f64> {
        match &v.data {
            VectorData::Float(x) => Src::Col(Cow::Borrowed(x)),
            VectorData::Const(c) => Src::Scalar(c.as_f64().unwrap_or(0.0)),
            VectorData::Int(x) => Src::Col(Cow::Owned(x.iter().map(|v| *v as f64).collect())),
            _ => Src::Col(Cow::Owned(
                (0..v.len()).map(|i| v.value(i).as_f64().unwrap_or(0.0)).collect(),
            )),
        }
    }
    fn vector(ty: DataType, data: Vec<f64>, validity: Option<Vec<bool>>) -> Vector {
        Vector::new(ty, VectorData::Float(data), validity)
    }
    fn value(self) -> Value {
        Value::Float(self)
    }
}

impl Phys for bool {
    fn src(v: &Vector) -> Src<'_, bool> {
        match &v.data {
            VectorData::Bool(x) => Src::Col(Cow::Borrowed(x)),
            VectorData::Const(c) => Src::Scalar(c.as_bool().unwrap_or(false)),
            _ => Src::Col(Cow::Owned(
                (0..v.len())
                    .map(|i| v.value(i).as_bool().unwrap_or(false))
                    .collect(),
            )),
        }
    }
    fn vector(ty: DataType, data: Vec<bool>, validity: Option<Vec<bool>>) -> Vector {
        Vector::new(ty, VectorData::Bool(data), validity)
    }
    fn value(self) -> Value {
        Value::Bool(self)
    }
}

fn value_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Bool(b) => i64::from(*b),
        Value::Float(f) => *f as i64,
        _ => 0,
    }
}

/// Whether the vector is a constant NULL.
#[inline]
pub(crate) fn const_null(v: &Vector) -> bool {
    matches!(v.data, VectorData::Const(Value::Null))
}

/// Whether the vector is constant.
#[inline]
pub(crate) fn is_const(v: &Vector) -> bool {
    matches!(v.data, VectorData::Const(_))
}

/// Validity of one vector (None: no NULLs).
pub(crate) fn validity(v: &Vector) -> Option<Cow<'_, [bool]>> {
    match &v.data {
        VectorData::Const(c) => c.is_null().then(|| Cow::Owned(vec![false; v.len()])),
        VectorData::Values(vals) => vals
            .iter()
            .any(Value::is_null)
            .then(|| Cow::Owned(vals.iter().map(|x| !x.is_null()).collect())),
        _ => v.validity.as_deref().map(Cow::Borrowed),
    }
}

/// Combined validity of several vectors.
pub(crate) fn and_validity(vs: &[&Vector]) -> Option<Vec<bool>> {
    let mut out: Option<Vec<bool>> = None;
    for v in vs {
        if let Some(val) = validity(v) {
            match &mut out {
                None => out = Some(val.into_owned()),
                Some(o) => o.iter_mut().zip(val.iter()).for_each(|(a, b)| *a &= *b),
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Element-wise loops

/// Applies a fallible function element-wise, skipping NULL rows.
pub(crate) fn map1<A: Phys, O: Phys>(
    a: &Vector,
    ret: &DataType,
    f: impl Fn(A) -> Result<O>,
) -> Result<Vector> {
    let len = a.len();
    if const_null(a) {
        return Ok(Vector::nulls(ret.clone(), len));
    }
    let valid = and_validity(&[a]);
    match A::src(a) {
        Src::Scalar(x) => Ok(Vector::constant(f(x)?.value(), ret.clone(), len)),
        Src::Col(c) => {
            let mut out = Vec::with_capacity(len);
            match &valid {
                None => {
                    for x in c.iter() {
                        out.push(f(*x)?);
                    }
                }
                Some(v) => {
                    for (x, ok) in c.iter().zip(v) {
                        out.push(if *ok { f(*x)? } else { O::default() });
                    }
                }
            }
            Ok(O::vector(ret.clone(), out, valid))
        }
    }
}

/// Applies an infallible binary function element-wise with constant fast paths.
pub(crate) fn map2_inf<A: Phys, B: Phys, O: Phys>(
    a: &Vector,
    b: &Vector,
    ret: &DataType,
    f: impl Fn(A, B) -> O,
) -> Vector {
    let len = a.len().max(b.len());
    if const_null(a) || const_null(b) {
        return Vector::nulls(ret.clone(), len);
    }
    let valid = and_validity(&[a, b]);
    let data: Vec<O> = match (A::src(a), B::src(b)) {
        (Src::Scalar(x), Src::Scalar(y)) => return Vector::constant(f(x, y).value(), ret.clone(), len),
        (Src::Col(x), Src::Scalar(y)) => x.iter().map(|x| f(*x, y)).collect(),
        (Src::Scalar(x), Src::Col(y)) => y.iter().map(|y| f(x, *y)).collect(),
        (Src::Col(x), Src::Col(y)) => x.iter().zip(y.iter()).map(|(x, y)| f(*x, *y)).collect(),
    };
    O::vector(ret.clone(), data, valid)
}

/// Applies a fallible binary function element-wise, skipping NULL rows.
pub(crate) fn map2<A: Phys, B: Phys, O: Phys>(
    a: &Vector,
    b: &Vector,
    ret: &DataType,
    f: impl Fn(A, B) -> Result<O>,
) -> Result<Vector> {
    let len = a.len().max(b.len());
    if const_null(a) || const_null(b) {
        return Ok(Vector::nulls(ret.clone(), len));
    }
    let valid = and_validity(&[a, b]);
    let (sa, sb) = (A::src(a), B::src(b));
    if let (Src::Scalar(x), Src::Scalar(y)) = (&sa, &sb) {
        return Ok(Vector::constant(f(*x, *y)?.value(), ret.clone(), len));
    }
    let mut out = Vec::with_capacity(len);
    match (&sa, &sb, &valid) {
        (Src::Col(x), Src::Scalar(y), None) => {
            for x in x.iter() {
                out.push(f(*x, *y)?);
            }
        }
        (Src::Scalar(x), Src::Col(y), None) => {
            for y in y.iter() {
                out.push(f(*x, *y)?);
            }
        }
        (Src::Col(x), Src::Col(y), None) => {
            for (x, y) in x.iter().zip(y.iter()) {
                out.push(f(*x, *y)?);
            }
        }
        (_, _, Some(v)) => {
            for (i, ok) in v.iter().enumerate() {
                out.push(if *ok {
                    f(sa.get(i), sb.get(i))?
                } else {
                    O::default()
                });
            }
        }
        _ => {}
    }
    Ok(O::vector(ret.clone(), out, valid))
}

/// Row-at-a-time strict binary function over generic values.
pub(crate) fn map_values(
    args: &[Vector],
    ret: &DataType,
    len: usize,
    f: impl Fn(&[Value]) -> Result<Value>,
) -> Result<Vector> {
    if args.iter().any(const_null) {
        return Ok(Vector::nulls(ret.clone(), len));
    }
    if args.iter().all(is_const) {
        let vals: Vec<Value> = args.iter().map(|a| a.value(0)).collect();
        return Ok(Vector::constant(f(&vals)?, ret.clone(), len));
    }
    let mut out = Vec::with_capacity(len);
    let mut row = Vec::with_capacity(args.len());
    for i in 0..len {
        row.clear();
        row.extend(args.iter().map(|a| a.value(i)));
        if row.iter().any(Value::is_null) {
            out.push(Value::Null);
        } else {
            out.push(f(&row)?);
        }
    }
    Ok(Vector::from_values(ret.clone(), out))
}

// ---------------------------------------------------------------------------------------------
// Text

/// Evaluates `f` once per referenced distinct text value; the results per row.
/// Returns per-row outputs (`None` for NULL rows) or a constant.
pub(crate) enum TextMapped<O> {
    Const(Option<O>),
    Rows(Vec<Option<O>>),
}

/// Applies `f` to each distinct referenced text of `v` (strict: NULL rows give None).
pub(crate) fn text_apply<O: Clone>(v: &Vector, f: impl Fn(&[u8]) -> Result<O>) -> Result<TextMapped<O>> {
    match &v.data {
        VectorData::Const(c) => Ok(TextMapped::Const(match c {
            Value::Null => None,
            Value::Str(s) => Some(f(s.as_bytes())?),
            Value::Bytes(b) => Some(f(b)?),
            other => Some(f(other_text(other).as_bytes())?),
        })),
        VectorData::Text(d) => {
            let valid = v.validity.as_deref();
            let mut memo: Vec<Option<O>> = vec![None; d.dict.len()];
            let mut out = Vec::with_capacity(d.codes.len());
            for (i, &c) in d.codes.iter().enumerate() {
                if valid.is_some_and(|v| !v[i]) {
                    out.push(None);
                    continue;
                }
                let c = c as usize;
                if memo[c].is_none() {
                    memo[c] = Some(f(d.dict.get(c).map_or(&b""[..], |x| &x[..]))?);
                }
                out.push(memo[c].clone());
            }
            Ok(TextMapped::Rows(out))
        }
        _ => {
            let mut out = Vec::with_capacity(v.len());
            for i in 0..v.len() {
                if v.is_null(i) {
                    out.push(None);
                } else {
                    out.push(Some(f(v.bytes_at(i))?));
                }
            }
            Ok(TextMapped::Rows(out))
        }
    }
}

fn other_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        _ => String::new(),
    }
}

/// Maps text to a physical value per distinct entry.
pub(crate) fn text_map<O: Phys>(
    v: &Vector,
    ret: &DataType,
    f: impl Fn(&[u8]) -> Result<O>,
) -> Result<Vector> {
    let len = v.len();
    Ok(match text_apply(v, f)? {
        TextMapped::Const(c) => Vector::constant(c.map_or(Value::Null, O::value), ret.clone(), len),
        TextMapped::Rows(r) => {
            let validity = r
                .iter()
                .any(Option::is_none)
                .then(|| r.iter().map(Option::is_some).collect());
            O::vector(
                ret.clone(),
                r.into_iter().map(Option::unwrap_or_default).collect(),
                validity,
            )
        }
    })
}

/// Maps text to text (or bytea) per distinct dictionary entry, keeping the codes.
pub(crate) fn text_map_text(
    v: &Vector,
    ret: &DataType,
    f: impl Fn(&[u8]) -> Result<Vec<u8>>,
) -> Result<Vector> {
    let len = v.len();
    match &v.data {
        VectorData::Text(d) => {
            let valid = v.validity.as_deref();
            let mut memo: Vec<Option<Box<[u8]>>> = vec![None; d.dict.len()];
            for (i, &c) in d.codes.iter().enumerate() {
                if valid.is_some_and(|v| !v[i]) {
                    continue;
                }
                let c = c as usize;
                if memo[c].is_none() {
                    memo[c] = Some(f(d.dict.get(c).map_or(&b""[..], |x| &x[..]))?.into_boxed_slice());
                }
            }
            let dict = memo.into_iter().map(|m| m.unwrap_or_default()).collect();
            Ok(Vector::new(
                ret.clone(),
                VectorData::Text(DictVec {
                    dict: Arc::new(dict),
                    codes: d.codes.clone(),
                }),
                v.validity.clone(),
            ))
        }
        _ => match text_apply(v, f)? {
            TextMapped::Const(c) => Ok(Vector::constant(
                c.map_or(Value::Null, |b| bytes_value(b, ret)),
                ret.clone(),
                len,
            )),
            TextMapped::Rows(r) => Ok(Vector::from_values(
                ret.clone(),
                r.into_iter()
                    .map(|o| o.map_or(Value::Null, |b| bytes_value(b, ret)))
                    .collect(),
            )),
        },
    }
}

/// Bytes as a value of a text type or bytea.
pub(crate) fn bytes_value(b: Vec<u8>, ty: &DataType) -> Value {
    if *ty == DataType::Bytea {
        Value::Bytes(Arc::from(b))
    } else {
        match String::from_utf8(b) {
            Ok(s) => Value::Str(Arc::from(s)),
            Err(e) => Value::Str(Arc::from(String::from_utf8_lossy(e.as_bytes()).as_ref())),
        }
    }
}

/// Bytes of a text or bytea value.
pub(crate) fn value_bytes(v: &Value) -> &[u8] {
    match v {
        Value::Str(s) => s.as_bytes(),
        Value::Bytes(b) => b,
        _ => b"",
    }
}

/// The text of a value (text types).
pub(crate) fn value_str(v: &Value) -> &str {
    match v {
        Value::Str(s) => s,
        _ => "",
    }
}

/// Text output of any value of type `ty` (for `||`, concat, format, ...).
pub(crate) fn to_text(v: &Value, ty: &DataType, ctx: &EvalContext) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Str(s) => Some(s.to_string()),
        _ => format_value(v, ty, ctx),
    }
}

/// Integer argument of a value.
pub(crate) fn int_of(v: &Value) -> i64 {
    value_i64(v)
}

/// Float argument of a value.
pub(crate) fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// Numeric argument of a value.
pub(crate) fn dec_of(v: &Value) -> Decimal {
    match v {
        Value::Numeric(d) => *d,
        Value::Int(i) => Decimal::from_i64(*i),
        Value::Float(f) => Decimal::from_f64(*f).unwrap_or(Decimal::from_i64(0)),
        _ => Decimal::from_i64(0),
    }
}

/// Array argument of a value.
pub(crate) fn array_of(v: &Value) -> Option<&Arc<ArrayValue>> {
    match v {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

/// An array value.
pub(crate) fn array_value(elem: DataType, items: Vec<Value>) -> Value {
    Value::Array(Arc::new(ArrayValue {
        elem,
        lower: 1,
        items,
    }))
}

/// Element type of an array type (text when not an array).
pub(crate) fn elem_type(t: &DataType) -> DataType {
    match t {
        DataType::Array(e) => (**e).clone(),
        _ => DataType::Text,
    }
}

/// Casts a value, propagating errors.
pub(crate) fn cast(v: &Value, from: &DataType, to: &DataType, ctx: &EvalContext) -> Result<Value> {
    if from == to || v.is_null() {
        return Ok(v.clone());
    }
    cast_value(v, from, to, ctx)
}

// ---------------------------------------------------------------------------------------------
// Registration shorthands

/// Registers a strict row-at-a-time immutable function with exact types.
pub(crate) fn reg_rows(
    r: &mut Registry,
    name: &str,
    args: &[DataType],
    ret: DataType,
    body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::strict_rows(
        name,
        Signature::exact(args, ret),
        Volatility::Immutable,
        body,
    ));
}

/// Registers a vectorised immutable function.
pub(crate) fn reg_vec(
    r: &mut Registry,
    name: &str,
    sig: Signature,
    kernel: impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::vectorized(
        name,
        sig,
        Volatility::Immutable,
        kernel,
    ));
}

/// Shorthands for types.
pub(crate) mod t {
    use crate::types::DataType;
    pub(crate) const BOOL: DataType = DataType::Bool;
    pub(crate) const I2: DataType = DataType::Int2;
    pub(crate) const I4: DataType = DataType::Int4;
    pub(crate) const I8: DataType = DataType::Int8;
    pub(crate) const F4: DataType = DataType::Float4;
    pub(crate) const F8: DataType = DataType::Float8;
    pub(crate) const NUM: DataType = DataType::Numeric(None);
    pub(crate) const TEXT: DataType = DataType::Text;
    pub(crate) const BYTEA: DataType = DataType::Bytea;
    pub(crate) const DATE: DataType = DataType::Date;
    pub(crate) const TIME: DataType = DataType::Time;
    pub(crate) const TS: DataType = DataType::Timestamp;
    pub(crate) const TSTZ: DataType = DataType::Timestamptz;
    pub(crate) const IV: DataType = DataType::Interval;
    pub(crate) const OID: DataType = DataType::Oid;

    /// `elem[]`
    pub(crate) fn arr(e: DataType) -> DataType {
        DataType::Array(Box::new(e))
    }
}
