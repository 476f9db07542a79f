//! Row keys for hashing (GROUP BY, DISTINCT, joins, set operations): each row's key columns are
//! encoded into bytes so that equal SQL values (NULLs included, as GROUP BY treats them) give
//! equal bytes. Strings are interned to 4-byte ids, once per dictionary entry.
use rustc_hash::FxHashMap as HashMap;

use crate::types::value::f64_key;
use crate::types::{DataType, Physical, Value};
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

/// Bytes a column of type `ty` adds to every row's key, when fixed: a NULL flag then the value
/// (numbers as 8 bytes, strings as a 4-byte interned id). Widths follow the type, not the
/// vector's representation, so a constant, dictionary or generic vector of the same values
/// gives the same keys.
fn fixed_width(ty: &DataType) -> Option<usize> {
    match ty.physical() {
        Physical::Int | Physical::Float => Some(9),
        Physical::Bool => Some(2),
        Physical::Text => Some(5),
        Physical::Value => None,
    }
}

/// The fixed-width key bytes of one value (`w` bytes; all zero for NULL).
fn fixed_bytes(v: &Value, w: usize, interner: &mut Interner, out: &mut [u8]) {
    out[..w].fill(0);
    let (flag, rest) = out[..w].split_at_mut(1);
    match v {
        Value::Null => return,
        Value::Int(x) => rest.copy_from_slice(&x.to_le_bytes()[..w - 1]),
        Value::Float(f) => rest.copy_from_slice(&f64_key(*f).to_le_bytes()[..w - 1]),
        Value::Bool(b) => rest[0] = u8::from(*b),
        Value::Str(s) => rest.copy_from_slice(&interner.id(s.as_bytes()).to_le_bytes()[..w - 1]),
        Value::Bytes(b) => rest.copy_from_slice(&interner.id(b).to_le_bytes()[..w - 1]),
        other => {
            // A value of another kind in a fixed-width column: key its text form.
            let text = format!("{other:?}");
            rest.copy_from_slice(&interner.id(text.as_bytes()).to_le_bytes()[..w.min(5) - 1]);
        }
    }
    flag[0] = 1;
}

/// Encodes the key columns of `len` rows into one buffer (no allocation per row). Columns of
/// fixed width are written column by column at their offset in every row's key.
pub fn encode(cols: &[Vector], len: usize, interner: &mut Interner) -> RowKeys {
    let widths: Option<Vec<usize>> = cols.iter().map(|c| fixed_width(&c.ty)).collect();
    let Some(widths) = widths else {
        return encode_rows(cols, len, interner);
    };
    let stride: usize = widths.iter().sum();
    let mut data = vec![0u8; stride * len];
    let mut at = 0;
    for (c, w) in cols.iter().zip(widths) {
        encode_column(c, len, interner, &mut data, stride, at, w);
        at += w;
    }
    RowKeys {
        data,
        offsets: (0..=len).map(|i| i * stride).collect(),
    }
}

/// Writes column `c` at offset `at` (width `w`) of every row's key in `data` (row stride
/// `stride`); NULLs stay zero.
fn encode_column(
    c: &Vector,
    len: usize,
    interner: &mut Interner,
    data: &mut [u8],
    stride: usize,
    at: usize,
    w: usize,
) {
    let mut put = |i: usize, bytes: &[u8]| {
        let s = i * stride + at;
        data[s] = 1;
        data[s + 1..s + w].copy_from_slice(&bytes[..w - 1]);
    };
    match &c.data {
        VectorData::Int(v) if w == 9 => {
            for (i, x) in v.iter().enumerate().take(len) {
                if !c.is_null(i) {
                    put(i, &x.to_le_bytes());
                }
            }
        }
        VectorData::Float(v) if w == 9 => {
            for (i, x) in v.iter().enumerate().take(len) {
                if !c.is_null(i) {
                    put(i, &f64_key(*x).to_le_bytes());
                }
            }
        }
        VectorData::Bool(v) if w == 2 => {
            for (i, x) in v.iter().enumerate().take(len) {
                if !c.is_null(i) {
                    put(i, &[u8::from(*x)]);
                }
            }
        }
        VectorData::Text(d) if w == 5 => {
            // Dictionary entries are interned once each.
            let mut memo: Vec<u32> = vec![u32::MAX; d.dict.len()];
            for (i, &code) in d.codes.iter().enumerate().take(len) {
                if c.is_null(i) {
                    continue;
                }
                let id = match memo.get(code as usize) {
                    Some(&m) if m != u32::MAX => m,
                    _ => {
                        let id = interner.id(d.dict.get(code as usize).map_or(&[][..], |b| &b[..]));
                        if let Some(slot) = memo.get_mut(code as usize) {
                            *slot = id;
                        }
                        id
                    }
                };
                put(i, &id.to_le_bytes());
            }
        }
        VectorData::Const(v) => {
            let mut bytes = [0u8; 9];
            fixed_bytes(v, w, interner, &mut bytes);
            for i in 0..len {
                let s = i * stride + at;
                data[s..s + w].copy_from_slice(&bytes[..w]);
            }
        }
        _ => {
            let mut bytes = [0u8; 9];
            for i in 0..len {
                fixed_bytes(&c.value(i), w, interner, &mut bytes);
                let s = i * stride + at;
                data[s..s + w].copy_from_slice(&bytes[..w]);
            }
        }
    }
}

/// Row-by-row encoding, for keys with a variable-width column (numeric, interval, arrays).
fn encode_rows(cols: &[Vector], len: usize, interner: &mut Interner) -> RowKeys {
    let widths: Vec<Option<usize>> = cols.iter().map(|c| fixed_width(&c.ty)).collect();
    let mut keys = RowKeys {
        data: Vec::with_capacity(len * (cols.len() * 9 + 1)),
        offsets: Vec::with_capacity(len + 1),
    };
    keys.offsets.push(0);
    let mut bytes = [0u8; 9];
    for i in 0..len {
        for (c, w) in cols.iter().zip(&widths) {
            let v = c.value(i);
            match w {
                Some(w) => {
                    fixed_bytes(&v, *w, interner, &mut bytes);
                    keys.data.extend_from_slice(&bytes[..*w]);
                }
                None => value_bytes(&v, &c.ty, &mut keys.data),
            }
        }
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
