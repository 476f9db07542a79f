//! Column vectors and batches: what operators pass to each other.
//!
//! A [`Vector`] holds values of one SQL type in the physical form of [`DataType::physical`]:
//! booleans, `i64`, `f64`, dictionary-coded UTF-8 bytes, or generic [`Value`]s; `Const` stands
//! for one value repeated. NULLs are marked in `validity` (for `Values` and `Const` by
//! `Value::Null` instead).
use std::sync::Arc;

pub use plantdb_storage::DictVec;

use crate::error::{Result, internal};
use crate::types::{DataType, Physical, Value};

/// The values of a vector.
#[derive(Debug, Clone)]
pub enum VectorData {
    /// booleans
    Bool(Vec<bool>),
    /// integers, dates, times, timestamps, OIDs
    Int(Vec<i64>),
    /// doubles
    Float(Vec<f64>),
    /// text and bytea, dictionary-coded
    Text(DictVec),
    /// anything else
    Values(Vec<Value>),
    /// one value for every row
    Const(Value),
}

/// A typed column of `len` values.
#[derive(Debug, Clone)]
pub struct Vector {
    /// SQL type.
    pub ty: DataType,
    /// Values.
    pub data: VectorData,
    /// `Some(v)`: `v[i] == false` marks row `i` NULL.
    pub validity: Option<Vec<bool>>,
    len: usize,
}

fn text_of(v: &Value) -> &[u8] {
    match v {
        Value::Str(s) => s.as_bytes(),
        Value::Bytes(b) => b,
        _ => b"",
    }
}

impl Vector {
    /// A vector; `len` must match the data (checked for non-constant data).
    pub fn new(ty: DataType, data: VectorData, validity: Option<Vec<bool>>) -> Vector {
        let len = match &data {
            VectorData::Bool(v) => v.len(),
            VectorData::Int(v) => v.len(),
            VectorData::Float(v) => v.len(),
            VectorData::Text(d) => d.codes.len(),
            VectorData::Values(v) => v.len(),
            VectorData::Const(_) => validity.as_ref().map_or(0, |v| v.len()),
        };
        Vector {
            ty,
            data,
            validity,
            len,
        }
    }

    /// One value repeated `len` times.
    pub fn constant(value: Value, ty: DataType, len: usize) -> Vector {
        Vector {
            ty,
            data: VectorData::Const(value),
            validity: None,
            len,
        }
    }

    /// `len` NULLs.
    pub fn nulls(ty: DataType, len: usize) -> Vector {
        Vector::constant(Value::Null, ty, len)
    }

    /// Integers without NULLs.
    pub fn ints(ty: DataType, v: Vec<i64>) -> Vector {
        Vector::new(ty, VectorData::Int(v), None)
    }

    /// Doubles without NULLs.
    pub fn floats(v: Vec<f64>) -> Vector {
        Vector::new(DataType::Float8, VectorData::Float(v), None)
    }

    /// Booleans without NULLs.
    pub fn bools(v: Vec<bool>) -> Vector {
        Vector::new(DataType::Bool, VectorData::Bool(v), None)
    }

    /// Strings without NULLs.
    pub fn strings<S: AsRef<str>>(ty: DataType, v: &[S]) -> Vector {
        let dict: Vec<Box<[u8]>> = v.iter().map(|s| Box::from(s.as_ref().as_bytes())).collect();
        let codes = (0..dict.len() as u32).collect();
        Vector::new(
            ty,
            VectorData::Text(DictVec {
                dict: Arc::new(dict),
                codes,
            }),
            None,
        )
    }

    /// Builds a vector of type `ty` from values.
    pub fn from_values(ty: DataType, values: Vec<Value>) -> Vector {
        let n = values.len();
        let any_null = values.iter().any(Value::is_null);
        let validity = any_null.then(|| values.iter().map(|v| !v.is_null()).collect());
        let data = match ty.physical() {
            Physical::Bool => VectorData::Bool(values.iter().map(|v| v.as_bool().unwrap_or(false)).collect()),
            Physical::Int => VectorData::Int(values.iter().map(|v| v.as_int().unwrap_or(0)).collect()),
            Physical::Float => VectorData::Float(values.iter().map(|v| v.as_f64().unwrap_or(0.0)).collect()),
            Physical::Text => {
                let dict: Vec<Box<[u8]>> = values.iter().map(|v| Box::from(text_of(v))).collect();
                VectorData::Text(DictVec {
                    dict: Arc::new(dict),
                    codes: (0..n as u32).collect(),
                })
            }
            Physical::Value => {
                return Vector {
                    ty,
                    data: VectorData::Values(values),
                    validity: None,
                    len: n,
                };
            }
        };
        Vector {
            ty,
            data,
            validity,
            len: n,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether row `i` is NULL.
    pub fn is_null(&self, i: usize) -> bool {
        match &self.data {
            VectorData::Const(v) => v.is_null(),
            VectorData::Values(v) => v.get(i).is_none_or(Value::is_null),
            _ => self
                .validity
                .as_ref()
                .is_some_and(|v| !v.get(i).copied().unwrap_or(false)),
        }
    }

    /// Whether the vector holds no NULL at all (cheap check).
    pub fn no_nulls(&self) -> bool {
        match &self.data {
            VectorData::Const(v) => !v.is_null(),
            VectorData::Values(v) => !v.iter().any(Value::is_null),
            _ => self.validity.as_ref().is_none_or(|v| v.iter().all(|b| *b)),
        }
    }

    /// The value at row `i` (slow path; use the typed data in kernels).
    pub fn value(&self, i: usize) -> Value {
        if self.is_null(i) {
            return Value::Null;
        }
        match &self.data {
            VectorData::Bool(v) => v.get(i).map_or(Value::Null, |b| Value::Bool(*b)),
            VectorData::Int(v) => v.get(i).map_or(Value::Null, |x| Value::Int(*x)),
            VectorData::Float(v) => v.get(i).map_or(Value::Null, |x| Value::Float(*x)),
            VectorData::Text(d) => {
                let b = d.get(i);
                if self.ty == DataType::Bytea {
                    Value::Bytes(Arc::from(b))
                } else {
                    Value::Str(Arc::from(std::str::from_utf8(b).unwrap_or("")))
                }
            }
            VectorData::Values(v) => v.get(i).cloned().unwrap_or(Value::Null),
            VectorData::Const(v) => v.clone(),
        }
    }

    /// Bytes of a text value at row `i` (empty for NULL).
    pub fn bytes_at(&self, i: usize) -> &[u8] {
        match &self.data {
            VectorData::Text(d) => d.get(i),
            VectorData::Const(v) => text_of(v),
            VectorData::Values(v) => v.get(i).map_or(&b""[..], text_of),
            _ => b"",
        }
    }

    /// Text at row `i` (empty for NULL).
    pub fn str_at(&self, i: usize) -> &str {
        std::str::from_utf8(self.bytes_at(i)).unwrap_or("")
    }

    /// All values (slow path).
    pub fn to_values(&self) -> Vec<Value> {
        (0..self.len).map(|i| self.value(i)).collect()
    }

    /// Expands a constant into a full vector; other vectors are returned as they are.
    pub fn materialize(self) -> Vector {
        match &self.data {
            VectorData::Const(v) => {
                let values = vec![v.clone(); self.len];
                let mut out = Vector::from_values(self.ty.clone(), values);
                if let VectorData::Text(d) = &mut out.data {
                    // One dictionary entry instead of `len` copies.
                    let first = d.dict.first().cloned().unwrap_or_else(|| Box::from(&b""[..]));
                    d.dict = Arc::new(vec![first]);
                    d.codes = vec![0; self.len];
                }
                out
            }
            _ => self,
        }
    }

    /// The same values under another SQL type with the same physical form.
    pub fn retyped(mut self, ty: DataType) -> Vector {
        self.ty = ty;
        self
    }

    /// Rows at `idx`, in that order.
    pub fn take(&self, idx: &[u32]) -> Vector {
        let g = |i: &u32| *i as usize;
        let validity = self
            .validity
            .as_ref()
            .map(|v| idx.iter().map(|i| v[g(i)]).collect());
        let data = match &self.data {
            VectorData::Bool(v) => VectorData::Bool(idx.iter().map(|i| v[g(i)]).collect()),
            VectorData::Int(v) => VectorData::Int(idx.iter().map(|i| v[g(i)]).collect()),
            VectorData::Float(v) => VectorData::Float(idx.iter().map(|i| v[g(i)]).collect()),
            VectorData::Text(d) => VectorData::Text(DictVec {
                dict: d.dict.clone(),
                codes: idx.iter().map(|i| d.codes[g(i)]).collect(),
            }),
            VectorData::Values(v) => VectorData::Values(idx.iter().map(|i| v[g(i)].clone()).collect()),
            VectorData::Const(v) => return Vector::constant(v.clone(), self.ty.clone(), idx.len()),
        };
        Vector {
            ty: self.ty.clone(),
            data,
            validity,
            len: idx.len(),
        }
    }

    /// Rows where `keep` is true.
    pub fn filter(&self, keep: &[bool]) -> Vector {
        let idx: Vec<u32> = keep
            .iter()
            .enumerate()
            .filter(|(_, k)| **k)
            .map(|(i, _)| i as u32)
            .collect();
        self.take(&idx)
    }

    /// Rows `start..start + n`.
    pub fn slice(&self, start: usize, n: usize) -> Vector {
        let end = (start + n).min(self.len);
        let start = start.min(end);
        let validity = self.validity.as_ref().map(|v| v[start..end].to_vec());
        let data = match &self.data {
            VectorData::Bool(v) => VectorData::Bool(v[start..end].to_vec()),
            VectorData::Int(v) => VectorData::Int(v[start..end].to_vec()),
            VectorData::Float(v) => VectorData::Float(v[start..end].to_vec()),
            VectorData::Text(d) => VectorData::Text(DictVec {
                dict: d.dict.clone(),
                codes: d.codes[start..end].to_vec(),
            }),
            VectorData::Values(v) => VectorData::Values(v[start..end].to_vec()),
            VectorData::Const(v) => return Vector::constant(v.clone(), self.ty.clone(), end - start),
        };
        Vector {
            ty: self.ty.clone(),
            data,
            validity,
            len: end - start,
        }
    }

    /// Concatenates vectors of one type.
    pub fn concat(ty: &DataType, parts: &[Vector]) -> Vector {
        if let [one] = parts
            && !matches!(one.data, VectorData::Const(_))
        {
            return one.clone();
        }
        // Constants are expanded; everything else is read in place.
        let expanded: Vec<std::borrow::Cow<'_, Vector>> = parts
            .iter()
            .map(|p| match p.data {
                VectorData::Const(_) => std::borrow::Cow::Owned(p.clone().materialize()),
                _ => std::borrow::Cow::Borrowed(p),
            })
            .collect();
        let parts: Vec<&Vector> = expanded.iter().map(|p| p.as_ref()).collect();
        let total: usize = parts.iter().map(|p| p.len).sum();
        let any_null = parts.iter().any(|p| p.validity.is_some());
        let validity = any_null.then(|| {
            let mut v = Vec::with_capacity(total);
            for p in &parts {
                match &p.validity {
                    Some(x) => v.extend_from_slice(x),
                    None => v.extend(std::iter::repeat_n(true, p.len)),
                }
            }
            v
        });
        fn gather<T: Clone>(
            parts: &[&Vector],
            total: usize,
            get: impl Fn(&VectorData) -> Option<&[T]>,
        ) -> Option<Vec<T>> {
            let mut out = Vec::with_capacity(total);
            for p in parts {
                out.extend_from_slice(get(&p.data)?);
            }
            Some(out)
        }
        let data = if let Some(v) = gather(&parts, total, |d| match d {
            VectorData::Bool(v) => Some(&v[..]),
            _ => None,
        }) {
            VectorData::Bool(v)
        } else if let Some(v) = gather(&parts, total, |d| match d {
            VectorData::Int(v) => Some(&v[..]),
            _ => None,
        }) {
            VectorData::Int(v)
        } else if let Some(v) = gather(&parts, total, |d| match d {
            VectorData::Float(v) => Some(&v[..]),
            _ => None,
        }) {
            VectorData::Float(v)
        } else if parts.iter().all(|p| matches!(p.data, VectorData::Text(_))) {
            VectorData::Text(plantdb_storage::column::concat_dicts(parts.iter().filter_map(
                |p| match &p.data {
                    VectorData::Text(d) => Some(d),
                    _ => None,
                },
            )))
        } else {
            return Vector::from_values(ty.clone(), parts.iter().flat_map(|p| p.to_values()).collect());
        };
        Vector {
            ty: ty.clone(),
            data,
            validity,
            len: total,
        }
    }

    /// The integers, if the data is integer-typed.
    pub fn as_ints(&self) -> Option<&[i64]> {
        match &self.data {
            VectorData::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The doubles, if the data is double-typed.
    pub fn as_floats(&self) -> Option<&[f64]> {
        match &self.data {
            VectorData::Float(v) => Some(v),
            _ => None,
        }
    }

    /// The booleans, if the data is boolean.
    pub fn as_bools(&self) -> Option<&[bool]> {
        match &self.data {
            VectorData::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// Truth of row `i` for WHERE (NULL counts as false).
    pub fn is_true(&self, i: usize) -> bool {
        !self.is_null(i)
            && match &self.data {
                VectorData::Bool(v) => v.get(i).copied().unwrap_or(false),
                VectorData::Const(Value::Bool(b)) => *b,
                VectorData::Values(v) => matches!(v.get(i), Some(Value::Bool(true))),
                _ => false,
            }
    }

    /// Selection mask for WHERE.
    pub fn truth_mask(&self) -> Vec<bool> {
        match (&self.data, &self.validity) {
            (VectorData::Bool(v), None) => v.clone(),
            (VectorData::Bool(v), Some(valid)) => v.iter().zip(valid).map(|(a, b)| *a && *b).collect(),
            _ => (0..self.len).map(|i| self.is_true(i)).collect(),
        }
    }
}

/// Rows flowing between operators: columns of equal length.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Columns.
    pub columns: Vec<Vector>,
    /// Rows (kept separately so that a batch without columns still has a length).
    pub len: usize,
}

impl Batch {
    /// A batch of columns (all of length `len`).
    pub fn new(columns: Vec<Vector>, len: usize) -> Batch {
        Batch { columns, len }
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Column `i`.
    pub fn column(&self, i: usize) -> Result<&Vector> {
        self.columns
            .get(i)
            .ok_or_else(|| internal(format!("column {i} out of range")))
    }

    /// Rows where `keep` is true.
    pub fn filter(&self, keep: &[bool]) -> Batch {
        let n = keep.iter().filter(|k| **k).count();
        if n == self.len {
            return self.clone();
        }
        Batch {
            columns: self.columns.iter().map(|c| c.filter(keep)).collect(),
            len: n,
        }
    }

    /// Rows at `idx`.
    pub fn take(&self, idx: &[u32]) -> Batch {
        Batch {
            columns: self.columns.iter().map(|c| c.take(idx)).collect(),
            len: idx.len(),
        }
    }

    /// Rows `start..start + n`.
    pub fn slice(&self, start: usize, n: usize) -> Batch {
        let end = (start + n).min(self.len);
        Batch {
            columns: self.columns.iter().map(|c| c.slice(start, n)).collect(),
            len: end.saturating_sub(start),
        }
    }

    /// Row `i` as values.
    pub fn row(&self, i: usize) -> Vec<Value> {
        self.columns.iter().map(|c| c.value(i)).collect()
    }

    /// Concatenates batches of the same shape, taking a lone batch as it is.
    pub fn concat_owned(types: &[DataType], mut batches: Vec<Batch>) -> Batch {
        if batches.len() == 1
            && let Some(b) = batches.pop()
        {
            return b;
        }
        Batch::concat(types, &batches)
    }

    /// Concatenates batches of the same shape.
    pub fn concat(types: &[DataType], batches: &[Batch]) -> Batch {
        let len = batches.iter().map(|b| b.len).sum();
        let columns = types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let parts: Vec<Vector> = batches.iter().filter_map(|b| b.columns.get(i).cloned()).collect();
                Vector::concat(t, &parts)
            })
            .collect();
        Batch { columns, len }
    }
}
