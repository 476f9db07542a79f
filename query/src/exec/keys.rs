//! Row keys for hashing (GROUP BY, DISTINCT, joins, set operations): each row's key columns are
//! encoded into bytes so that equal SQL values (NULLs included, as GROUP BY treats them) give
//! equal bytes. Strings are interned to 4-byte ids, once per dictionary entry.
use std::collections::HashMap;

use crate::types::value::f64_key;
use crate::types::{DataType, Value};
use crate::vector::{Vector, VectorData};

/// Interns strings to dense ids (per operator).
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<Box<[u8]>, u32>,
}

impl Interner {
    /// Id of a string.
    pub fn id(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.insert(s.into(), i);
        i
    }
}

/// Encoded keys of a batch: row i is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Default)]
pub struct RowKeys {
    /// Bytes.
    pub data: Vec<u8>,
    /// Offsets (len = rows + 1).
    pub offsets: Vec<usize>,
}

impl RowKeys {
    /// Key of row `i`.
    pub fn key(&self, i: usize) -> &[u8] {
        &self.data[self.offsets[i]..self.offsets[i + 1]]
    }
}

fn value_bytes(v: &Value, ty: &DataType, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Value::Int(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) => {
            out.push(1);
            out.extend_from_slice(&f64_key(*f).to_le_bytes());
        }
        Value::Numeric(d) => {
            let s = d.normalize().to_string();
            out.push(1);
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Str(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Bytes(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s);
        }
        Value::Interval(iv) => {
            out.push(1);
            out.extend_from_slice(&iv.span_micros().to_le_bytes());
        }
        Value::Array(a) => {
            out.push(1);
            out.extend_from_slice(&(a.items.len() as u32).to_le_bytes());
            for x in &a.items {
                value_bytes(x, &a.elem, out);
            }
            let _ = ty;
        }
    }
}

/// Encodes the key columns of `len` rows.
pub fn encode(cols: &[Vector], len: usize, interner: &mut Interner) -> RowKeys {
    let mut per_row: Vec<Vec<u8>> = vec![Vec::with_capacity(cols.len() * 9); len];
    for c in cols {
        match &c.data {
            VectorData::Int(v) => {
                for (i, row) in per_row.iter_mut().enumerate() {
                    if c.is_null(i) {
                        row.push(0);
                    } else {
                        row.push(1);
                        row.extend_from_slice(&v[i].to_le_bytes());
                    }
                }
            }
            VectorData::Float(v) => {
                for (i, row) in per_row.iter_mut().enumerate() {
                    if c.is_null(i) {
                        row.push(0);
                    } else {
                        row.push(1);
                        row.extend_from_slice(&f64_key(v[i]).to_le_bytes());
                    }
                }
            }
            VectorData::Bool(v) => {
                for (i, row) in per_row.iter_mut().enumerate() {
                    if c.is_null(i) {
                        row.push(0);
                    } else {
                        row.extend_from_slice(&[1, u8::from(v[i])]);
                    }
                }
            }
            VectorData::Text(d) => {
                let mut memo: Vec<u32> = vec![u32::MAX; d.dict.len()];
                for (i, row) in per_row.iter_mut().enumerate() {
                    if c.is_null(i) {
                        row.push(0);
                        continue;
                    }
                    let code = d.codes[i] as usize;
                    let id = match memo.get(code) {
                        Some(&m) if m != u32::MAX => m,
                        _ => {
                            let id = interner.id(d.dict.get(code).map_or(&[][..], |b| &b[..]));
                            if let Some(slot) = memo.get_mut(code) {
                                *slot = id;
                            }
                            id
                        }
                    };
                    row.push(1);
                    row.extend_from_slice(&id.to_le_bytes());
                }
            }
            VectorData::Const(v) => {
                let mut bytes = Vec::new();
                match v {
                    Value::Str(s) => {
                        bytes.push(1);
                        bytes.extend_from_slice(&interner.id(s.as_bytes()).to_le_bytes());
                    }
                    Value::Float(f) => {
                        bytes.push(1);
                        bytes.extend_from_slice(&f64_key(*f).to_le_bytes());
                    }
                    other => value_bytes(other, &c.ty, &mut bytes),
                }
                for row in per_row.iter_mut() {
                    row.extend_from_slice(&bytes);
                }
            }
            VectorData::Values(v) => {
                for (i, row) in per_row.iter_mut().enumerate() {
                    value_bytes(&v[i], &c.ty, row);
                }
            }
        }
    }
    let mut keys = RowKeys {
        data: Vec::with_capacity(len * (cols.len() * 9 + 1)),
        offsets: Vec::with_capacity(len + 1),
    };
    keys.offsets.push(0);
    for row in per_row {
        keys.data.extend_from_slice(&row);
        keys.offsets.push(keys.data.len());
    }
    keys
}

/// Assigns dense ids to distinct keys.
#[derive(Debug, Default)]
pub struct KeyTable {
    map: HashMap<Vec<u8>, u32>,
    /// Interner for text keys.
    pub interner: Interner,
}

impl KeyTable {
    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Id of each row's key; `new_rows` receives the rows that created a new id (in id order).
    pub fn assign(&mut self, cols: &[Vector], len: usize, new_rows: &mut Vec<usize>) -> Vec<u32> {
        let keys = encode(cols, len, &mut self.interner);
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            let k = keys.key(i);
            let id = match self.map.get(k) {
                Some(&id) => id,
                None => {
                    let id = self.map.len() as u32;
                    self.map.insert(k.to_vec(), id);
                    new_rows.push(i);
                    id
                }
            };
            out.push(id);
        }
        out
    }

    /// Id of each row's key if present (None for absent keys), without inserting.
    pub fn lookup(&mut self, cols: &[Vector], len: usize) -> Vec<Option<u32>> {
        let keys = encode(cols, len, &mut self.interner);
        (0..len).map(|i| self.map.get(keys.key(i)).copied()).collect()
    }
}
