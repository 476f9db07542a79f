//! Typed column vectors: what batches, memtable chunks and decoded blocks are made of.
use std::collections::HashMap;
use std::sync::Arc;

/// The physical kinds of value the store keeps. The SQL layer maps its types onto these
/// (date, timestamp, integers → `Int64`; real, double → `Float64`; text, numeric → `Bytes`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PhysicalType {
    /// true / false.
    Bool,
    /// 64-bit signed integer.
    Int64,
    /// IEEE double.
    Float64,
    /// Byte strings (UTF-8 text is validated by the SQL layer).
    Bytes,
}

/// Strings as a dictionary plus one code per value: tags and state columns are few distinct values
/// repeated, and a shared dictionary lets predicates and grouping work on the codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DictVec {
    /// Distinct values (not necessarily all referenced).
    pub dict: Arc<Vec<Box<[u8]>>>,
    /// One index into `dict` per value.
    pub codes: Vec<u32>,
}

impl DictVec {
    /// The value at `i`.
    pub fn get(&self, i: usize) -> &[u8] {
        self.codes
            .get(i)
            .and_then(|&c| self.dict.get(c as usize))
            .map(|b| &b[..])
            .unwrap_or(&[])
    }
}

/// Builds a [`DictVec`] value by value, deduplicating through a hash map.
#[derive(Debug, Default)]
pub struct DictBuilder {
    dict: Vec<Box<[u8]>>,
    index: HashMap<Box<[u8]>, u32>,
    codes: Vec<u32>,
}

impl DictBuilder {
    /// Appends one value.
    pub fn push(&mut self, v: &[u8]) {
        let code = match self.index.get(v) {
            Some(&c) => c,
            None => {
                let c = self.dict.len() as u32;
                self.dict.push(v.into());
                self.index.insert(v.into(), c);
                c
            }
        };
        self.codes.push(code);
    }

    /// Number of values pushed.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The finished vector.
    pub fn finish(self) -> DictVec {
        DictVec {
            dict: Arc::new(self.dict),
            codes: self.codes,
        }
    }
}

/// Values of one physical type.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnVec {
    /// Booleans.
    Bool(Vec<bool>),
    /// Integers (and integer-coded logical types: timestamps, dates, ...).
    Int64(Vec<i64>),
    /// Doubles.
    Float64(Vec<f64>),
    /// Byte strings, dictionary-coded.
    Bytes(DictVec),
}

impl ColumnVec {
    /// An empty vector of the given type.
    pub fn empty(t: PhysicalType) -> ColumnVec {
        match t {
            PhysicalType::Bool => ColumnVec::Bool(Vec::new()),
            PhysicalType::Int64 => ColumnVec::Int64(Vec::new()),
            PhysicalType::Float64 => ColumnVec::Float64(Vec::new()),
            PhysicalType::Bytes => ColumnVec::Bytes(DictVec::default()),
        }
    }

    /// `n` filler values (false, 0, 0.0, empty string) standing behind NULLs.
    pub fn filler(t: PhysicalType, n: usize) -> ColumnVec {
        match t {
            PhysicalType::Bool => ColumnVec::Bool(vec![false; n]),
            PhysicalType::Int64 => ColumnVec::Int64(vec![0; n]),
            PhysicalType::Float64 => ColumnVec::Float64(vec![0.0; n]),
            PhysicalType::Bytes => ColumnVec::Bytes(DictVec {
                dict: Arc::new(vec![Box::from(&b""[..])]),
                codes: vec![0; n],
            }),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnVec::Bool(v) => v.len(),
            ColumnVec::Int64(v) => v.len(),
            ColumnVec::Float64(v) => v.len(),
            ColumnVec::Bytes(v) => v.codes.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The physical type.
    pub fn physical_type(&self) -> PhysicalType {
        match self {
            ColumnVec::Bool(_) => PhysicalType::Bool,
            ColumnVec::Int64(_) => PhysicalType::Int64,
            ColumnVec::Float64(_) => PhysicalType::Float64,
            ColumnVec::Bytes(_) => PhysicalType::Bytes,
        }
    }

    /// The values at `idx`, in that order.
    pub fn take(&self, idx: &[u32]) -> ColumnVec {
        match self {
            ColumnVec::Bool(v) => ColumnVec::Bool(idx.iter().map(|&i| v[i as usize]).collect()),
            ColumnVec::Int64(v) => ColumnVec::Int64(idx.iter().map(|&i| v[i as usize]).collect()),
            ColumnVec::Float64(v) => ColumnVec::Float64(idx.iter().map(|&i| v[i as usize]).collect()),
            ColumnVec::Bytes(v) => ColumnVec::Bytes(DictVec {
                dict: v.dict.clone(),
                codes: idx.iter().map(|&i| v.codes[i as usize]).collect(),
            }),
        }
    }

    /// The values in `start..end`.
    pub fn slice(&self, start: usize, end: usize) -> ColumnVec {
        match self {
            ColumnVec::Bool(v) => ColumnVec::Bool(v[start..end].to_vec()),
            ColumnVec::Int64(v) => ColumnVec::Int64(v[start..end].to_vec()),
            ColumnVec::Float64(v) => ColumnVec::Float64(v[start..end].to_vec()),
            ColumnVec::Bytes(v) => ColumnVec::Bytes(DictVec {
                dict: v.dict.clone(),
                codes: v.codes[start..end].to_vec(),
            }),
        }
    }

    /// The scalar at `i`.
    pub fn scalar(&self, i: usize) -> Scalar {
        match self {
            ColumnVec::Bool(v) => v.get(i).map_or(Scalar::Null, |&b| Scalar::Bool(b)),
            ColumnVec::Int64(v) => v.get(i).map_or(Scalar::Null, |&x| Scalar::Int64(x)),
            ColumnVec::Float64(v) => v.get(i).map_or(Scalar::Null, |&x| Scalar::Float64(x)),
            ColumnVec::Bytes(v) => Scalar::Bytes(Arc::from(v.get(i))),
        }
    }
}

/// A column: values plus validity (`None` = no NULLs; `Some(v)`: `v[i] == false` means NULL).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The values (a filler value stands behind each NULL).
    pub values: ColumnVec,
    /// Validity, when the column has NULLs.
    pub validity: Option<Vec<bool>>,
}

impl Column {
    /// A column without NULLs.
    pub fn new(values: ColumnVec) -> Column {
        Column {
            values,
            validity: None,
        }
    }

    /// `n` NULLs of type `t`.
    pub fn nulls(t: PhysicalType, n: usize) -> Column {
        Column {
            values: ColumnVec::filler(t, n),
            validity: Some(vec![false; n]),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether the value at `i` is NULL.
    pub fn is_null(&self, i: usize) -> bool {
        self.validity
            .as_ref()
            .is_some_and(|v| !v.get(i).copied().unwrap_or(false))
    }

    /// Number of NULLs.
    pub fn null_count(&self) -> usize {
        self.validity
            .as_ref()
            .map_or(0, |v| v.iter().filter(|b| !**b).count())
    }

    /// The values at `idx`.
    pub fn take(&self, idx: &[u32]) -> Column {
        Column {
            values: self.values.take(idx),
            validity: self
                .validity
                .as_ref()
                .map(|v| idx.iter().map(|&i| v[i as usize]).collect()),
        }
    }

    /// The values in `start..end`.
    pub fn slice(&self, start: usize, end: usize) -> Column {
        Column {
            values: self.values.slice(start, end),
            validity: self.validity.as_ref().map(|v| v[start..end].to_vec()),
        }
    }

    /// The scalar at `i` (NULL-aware).
    pub fn scalar(&self, i: usize) -> Scalar {
        if self.is_null(i) {
            Scalar::Null
        } else {
            self.values.scalar(i)
        }
    }
}

/// One value, for the last-value cache and block statistics.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int64(i64),
    /// A double.
    Float64(f64),
    /// A byte string.
    Bytes(Arc<[u8]>),
}

/// Concatenates columns of one type; byte columns are re-coded into one dictionary.
pub fn concat(cols: &[&Column], t: PhysicalType) -> Column {
    let total: usize = cols.iter().map(|c| c.len()).sum();
    let any_null = cols.iter().any(|c| c.validity.is_some());
    let validity = any_null.then(|| {
        let mut v = Vec::with_capacity(total);
        for c in cols {
            match &c.validity {
                Some(x) => v.extend_from_slice(x),
                None => v.extend(std::iter::repeat_n(true, c.len())),
            }
        }
        v
    });
    let values = match t {
        PhysicalType::Bool => {
            let mut v = Vec::with_capacity(total);
            for c in cols {
                if let ColumnVec::Bool(x) = &c.values {
                    v.extend_from_slice(x);
                }
            }
            ColumnVec::Bool(v)
        }
        PhysicalType::Int64 => {
            let mut v = Vec::with_capacity(total);
            for c in cols {
                if let ColumnVec::Int64(x) = &c.values {
                    v.extend_from_slice(x);
                }
            }
            ColumnVec::Int64(v)
        }
        PhysicalType::Float64 => {
            let mut v = Vec::with_capacity(total);
            for c in cols {
                if let ColumnVec::Float64(x) = &c.values {
                    v.extend_from_slice(x);
                }
            }
            ColumnVec::Float64(v)
        }
        PhysicalType::Bytes => ColumnVec::Bytes(concat_dicts(cols.iter().filter_map(|c| match &c.values {
            ColumnVec::Bytes(d) => Some(d),
            _ => None,
        }))),
    };
    Column { values, validity }
}

/// Concatenates dictionary vectors; when all share one dictionary it is kept, else values are re-coded.
pub fn concat_dicts<'a>(parts: impl Iterator<Item = &'a DictVec> + Clone) -> DictVec {
    let mut it = parts.clone();
    if let Some(first) = it.next()
        && it.all(|d| Arc::ptr_eq(&d.dict, &first.dict))
    {
        let codes = parts.flat_map(|d| d.codes.iter().copied()).collect();
        return DictVec {
            dict: first.dict.clone(),
            codes,
        };
    }
    let mut b = DictBuilder::default();
    for d in parts {
        // Map each distinct code once.
        let mut map: Vec<u32> = vec![u32::MAX; d.dict.len()];
        for &c in &d.codes {
            let slot = &mut map[c as usize];
            if *slot == u32::MAX {
                b.push(&d.dict[c as usize]);
                *slot = b.codes[b.codes.len() - 1];
            } else {
                b.codes.push(*slot);
            }
        }
    }
    b.finish()
}
