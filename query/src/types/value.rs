//! Scalar values. The SQL type travels separately (in vectors and bound expressions); a value
//! only carries its physical form: every integer type, date, time, timestamp and OID is an `Int`.
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::{DataType, Decimal, Interval};

/// A one-dimensional array value (lower bound 1 unless stated).
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayValue {
    /// Element type.
    pub elem: DataType,
    /// Index of the first element (1 for SQL arrays, 0 for int2vector/oidvector).
    pub lower: i32,
    /// Elements (NULLs allowed).
    pub items: Vec<Value>,
}

/// A scalar value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// NULL.
    #[default]
    Null,
    /// boolean
    Bool(bool),
    /// Any integer-coded type.
    Int(i64),
    /// real or double precision.
    Float(f64),
    /// numeric
    Numeric(Decimal),
    /// Text types (valid UTF-8).
    Str(Arc<str>),
    /// bytea
    Bytes(Arc<[u8]>),
    /// interval
    Interval(Interval),
    /// arrays
    Array(Arc<ArrayValue>),
}

impl Value {
    /// Whether this is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A text value.
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(Arc::from(s.as_ref()))
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as a double (integers, doubles, numerics).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Numeric(d) => Some(d.to_f64()),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Total order used for sorting and comparisons between values of one type:
    /// NULL sorts last; NaN sorts above every other double and equals NaN (as in PostgreSQL).
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => cmp_f64(*a, *b),
            (Int(a), Float(b)) => cmp_f64(*a as f64, *b),
            (Float(a), Int(b)) => cmp_f64(*a, *b as f64),
            (Numeric(a), Numeric(b)) => a.cmp(b),
            (Numeric(a), Int(b)) => a.cmp(&super::Decimal::from_i64(*b)),
            (Int(a), Numeric(b)) => super::Decimal::from_i64(*a).cmp(b),
            (Numeric(a), Float(b)) => cmp_f64(a.to_f64(), *b),
            (Float(a), Numeric(b)) => cmp_f64(*a, b.to_f64()),
            (Str(a), Str(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Bytes(a), Bytes(b)) => a.cmp(b),
            (Str(a), Bytes(b)) => a.as_bytes().cmp(b),
            (Bytes(a), Str(b)) => (**a).cmp(b.as_bytes()),
            (Interval(a), Interval(b)) => a.cmp(b),
            (Array(a), Array(b)) => {
                for (x, y) in a.items.iter().zip(&b.items) {
                    let c = x.total_cmp(y);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.items.len().cmp(&b.items.len())
            }
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Null => 9,
            Value::Bool(_) => 0,
            Value::Int(_) | Value::Float(_) | Value::Numeric(_) => 1,
            Value::Str(_) | Value::Bytes(_) => 2,
            Value::Interval(_) => 3,
            Value::Array(_) => 4,
        }
    }
}

/// PostgreSQL's float order: -0 = 0, NaN = NaN, NaN above everything.
pub fn cmp_f64(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Bits of a double normalised for hashing and grouping (-0 → 0, every NaN → one NaN).
pub fn f64_key(f: f64) -> u64 {
    if f.is_nan() {
        f64::NAN.to_bits()
    } else if f == 0.0 {
        0
    } else {
        f.to_bits()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.total_cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        self.total_cmp(other)
    }
}

impl Hash for Value {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => b.hash(h),
            // Numbers hash by value so that 1, 1.0 and 1.00 group together.
            Value::Int(i) => f64_key(*i as f64).hash(h),
            Value::Float(f) => f64_key(*f).hash(h),
            Value::Numeric(d) => f64_key(d.to_f64()).hash(h),
            Value::Str(s) => s.as_bytes().hash(h),
            Value::Bytes(b) => b.hash(h),
            Value::Interval(i) => i.span_micros().hash(h),
            Value::Array(a) => a.items.hash(h),
        }
    }
}
