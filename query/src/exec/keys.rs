//! Row keys for hashing (GROUP BY, DISTINCT, joins, set operations): each row's key columns are
//! encoded into bytes so that equal SQL values (NULLs included, as GROUP BY treats them) give
//! equal bytes. Strings are interned to 4-byte ids, once per dictionary entry.
use rustc_hash::FxHashMap as HashMap;

use crate::types::value::f64_key;
use crate::types::{DataType, Physical, Value};
use crate::vector::{Vector, VectorData};

/// Interns strings to dense ids (per operator). The strings live end to end in one buffer and
/// are found through their hash, so interning allocates nothing per string.
#[derive(Debug, Default)]
pub struct Interner {
    bytes: Vec<u8>,
    /// `bytes[ends[i - 1]..ends[i]]` is string `i`.
    ends: Vec<usize>,
    /// Hash → the latest string with it; `next[i]` chains to an earlier one (`u32::MAX`: none).
    heads: HashMap<u64, u32>,
    next: Vec<u32>,
}

impl Interner {
    fn text(&self, i: u32) -> &[u8] {
        let i = i as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.bytes.get(start..end).unwrap_or(&[])
    }

    fn find(&self, h: u64, s: &[u8]) -> Option<u32> {
        let mut cur = self.heads.get(&h).copied();
        while let Some(i) = cur {
            if self.text(i) == s {
                return Some(i);
            }
            cur = self.next.get(i as usize).copied().filter(|&n| n != u32::MAX);
        }
        None
    }

    /// Id of a string.
    pub fn id(&mut self, s: &[u8]) -> u32 {
        let h = hash_bytes(s);
        if let Some(i) = self.find(h, s) {
            return i;
        }
        let i = self.ends.len() as u32;
        self.bytes.extend_from_slice(s);
        self.ends.push(self.bytes.len());
        self.next.push(self.heads.insert(h, i).unwrap_or(u32::MAX));
        i
    }

    /// Makes room for `n` more strings.
    pub fn reserve(&mut self, n: usize) {
        self.heads.reserve(n);
        self.ends.reserve(n);
        self.next.reserve(n);
    }

    /// Id of a string already interned.
    pub fn get(&self, s: &[u8]) -> Option<u32> {
        self.find(hash_bytes(s), s)
    }
}

fn hash_bytes(s: &[u8]) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(s)
}

/// The encoded key of one non-NULL interned text value (the layout `encode` writes for a
/// single text column).
pub fn text_key(id: u32) -> [u8; 5] {
    let b = id.to_le_bytes();
    [1, b[0], b[1], b[2], b[3]]
}

/// Whether `encode` writes values of `ty` as interned text ([`text_key`]).
pub fn is_text_key(ty: &DataType) -> bool {
    fixed_width(ty) == Some(5)
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

/// Dense ids of one key column's distinct values (NULL included), in order of first sight.
#[derive(Debug, Default)]
struct ColumnIds {
    ids: HashMap<u64, u32>,
    null: Option<u32>,
}

/// The identity of a fixed-width value as 64 bits: integers and dates as themselves, doubles
/// by their key bits, strings by interned id (the same for dictionary, constant and generic
/// vectors).
fn value_bits(v: &Value, interner: &mut Interner) -> Option<u64> {
    Some(match v {
        Value::Null => return None,
        Value::Int(x) => *x as u64,
        Value::Float(f) => f64_key(*f),
        Value::Bool(b) => u64::from(*b),
        Value::Str(s) => u64::from(interner.id(s.as_bytes())),
        Value::Bytes(b) => u64::from(interner.id(b)),
        other => u64::from(interner.id(format!("{other:?}").as_bytes())),
    })
}

impl ColumnIds {
    /// The id of `bits` (None = NULL); with `insert` false an unseen value gives `ABSENT`.
    fn id(&mut self, bits: Option<u64>, insert: bool) -> u32 {
        let next = (self.ids.len() + usize::from(self.null.is_some())) as u32;
        match bits {
            None => match self.null {
                Some(id) => id,
                None if insert => {
                    self.null = Some(next);
                    next
                }
                None => ABSENT,
            },
            Some(b) => match self.ids.get(&b) {
                Some(&id) => id,
                None if insert => {
                    self.ids.insert(b, next);
                    next
                }
                None => ABSENT,
            },
        }
    }

    /// Ids of the first `len` values of `c`.
    fn assign(&mut self, c: &Vector, len: usize, interner: &mut Interner, insert: bool) -> Vec<u32> {
        let mut out = Vec::with_capacity(len);
        match &c.data {
            VectorData::Int(v) => {
                let mut last: Option<(i64, u32)> = None;
                for (i, &x) in v.iter().enumerate().take(len) {
                    if c.is_null(i) {
                        out.push(self.id(None, insert));
                        continue;
                    }
                    let id = match last {
                        Some((y, id)) if y == x => id,
                        _ => {
                            let id = self.id(Some(x as u64), insert);
                            last = Some((x, id));
                            id
                        }
                    };
                    out.push(id);
                }
            }
            VectorData::Float(v) => {
                for (i, &x) in v.iter().enumerate().take(len) {
                    let bits = (!c.is_null(i)).then(|| f64_key(x));
                    out.push(self.id(bits, insert));
                }
            }
            VectorData::Bool(v) => {
                for (i, &x) in v.iter().enumerate().take(len) {
                    let bits = (!c.is_null(i)).then(|| u64::from(x));
                    out.push(self.id(bits, insert));
                }
            }
            VectorData::Text(d) => {
                // Each dictionary entry is looked up once; the dictionary bounds the new keys.
                let mut memo: Vec<u32> = vec![u32::MAX - 1; d.dict.len()];
                if insert {
                    let fresh = d.dict.len().min(len);
                    self.ids.reserve(fresh);
                    interner.reserve(fresh);
                }
                for (i, &code) in d.codes.iter().enumerate().take(len) {
                    if c.is_null(i) {
                        out.push(self.id(None, insert));
                        continue;
                    }
                    let id = match memo.get(code as usize) {
                        Some(&m) if m != u32::MAX - 1 => m,
                        _ => {
                            let bytes = d.dict.get(code as usize).map_or(&[][..], |b| &b[..]);
                            let id = self.id(Some(u64::from(interner.id(bytes))), insert);
                            if let Some(slot) = memo.get_mut(code as usize) {
                                *slot = id;
                            }
                            id
                        }
                    };
                    out.push(id);
                }
            }
            VectorData::Const(v) => {
                let bits = value_bits(v, interner);
                out.resize(len, self.id(bits, insert));
            }
            VectorData::Values(v) => {
                for x in v.iter().take(len) {
                    let bits = value_bits(x, interner);
                    out.push(self.id(bits, insert));
                }
            }
        }
        out
    }
}

/// The rows where some key column differs from the row before (row 0 always), when such runs
/// average at least [`MIN_RUN`] rows; `None` otherwise or for columns of generic values. Two rows
/// with equal data and validity in every column have equal keys, so a run needs one lookup.
fn run_starts(cols: &[Vector], len: usize) -> Option<Vec<u32>> {
    if len < 2 * MIN_RUN {
        return None;
    }
    let mut change = vec![false; len];
    change[0] = true;
    for c in cols {
        match &c.data {
            VectorData::Int(v) => mark_changes(&mut change, v.get(..len)?),
            VectorData::Float(v) => mark_changes(&mut change, v.get(..len)?),
            VectorData::Bool(v) => mark_changes(&mut change, v.get(..len)?),
            VectorData::Text(d) => {
                // Codes differ for equal strings when the dictionary repeats them (vectors
                // built row by row do): compare the bytes then.
                let codes = d.codes.get(..len)?;
                for ((c, &a), &b) in change[1..].iter_mut().zip(codes).zip(&codes[1..]) {
                    *c |= a != b && d.dict.get(a as usize) != d.dict.get(b as usize);
                }
            }
            VectorData::Const(_) => {}
            VectorData::Values(_) => return None,
        }
        if let (Some(valid), false) = (&c.validity, matches!(c.data, VectorData::Const(_))) {
            mark_changes(&mut change, valid.get(..len)?);
        }
    }
    let runs = change.iter().filter(|&&c| c).count();
    if runs * MIN_RUN > len {
        return None;
    }
    Some((0..len as u32).filter(|&i| change[i as usize]).collect())
}

/// Average run length below which keys are looked up row by row.
const MIN_RUN: usize = 4;

/// Sets `change[i]` where `v[i]` differs from `v[i - 1]` (doubles compare by bits, so NaNs and
/// signed zeros only split runs, never join them).
fn mark_changes<T: Copy + Bits>(change: &mut [bool], v: &[T]) {
    for ((c, a), b) in change[1..].iter_mut().zip(v).zip(&v[1..]) {
        *c |= a.bits() != b.bits();
    }
}

/// A value's identity for run detection.
trait Bits {
    fn bits(self) -> u64;
}

impl Bits for i64 {
    fn bits(self) -> u64 {
        self as u64
    }
}

impl Bits for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

impl Bits for bool {
    fn bits(self) -> u64 {
        u64::from(self)
    }
}

impl Bits for u32 {
    fn bits(self) -> u64 {
        u64::from(self)
    }
}

/// Marks a value or key not seen before (lookups without insertion).
const ABSENT: u32 = u32::MAX;

/// Maps (id of a key prefix, id of the next column's value), packed in a u64, to the id of the
/// longer prefix.
type PrefixMap = HashMap<u64, u32>;

/// Assigns dense ids to distinct keys. Keys whose columns all have fixed widths (numbers,
/// booleans, strings) are never encoded: each column's values get dense ids, and the id of a
/// key prefix is combined with the next column's id through one small map per column (a
/// run of equal keys, common in series-major data, costs one comparison per column).
/// Other keys are encoded to bytes.
#[derive(Debug, Default)]
pub struct KeyTable {
    map: HashMap<Vec<u8>, u32>,
    /// Per-column ids and prefix maps, once the first batch showed all columns fixed-width.
    columns: Option<(Vec<ColumnIds>, Vec<PrefixMap>)>,
    decided: bool,
    count: usize,
    /// Interner for text keys.
    pub interner: Interner,
}

impl KeyTable {
    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn decide(&mut self, cols: &[Vector]) {
        if !self.decided {
            self.decided = true;
            if !cols.is_empty() && cols.iter().all(|c| fixed_width(&c.ty).is_some()) {
                let ids = cols.iter().map(|_| ColumnIds::default()).collect();
                let prefixes = cols.iter().skip(1).map(|_| HashMap::default()).collect();
                self.columns = Some((ids, prefixes));
            }
        }
    }

    /// Combined ids of every row's key (`ABSENT` where any part is unseen and `insert` is false).
    /// Rows in runs of equal keys (series-major data, join outputs) are looked up once per run.
    fn combine(&mut self, cols: &[Vector], len: usize, insert: bool) -> Option<Vec<u32>> {
        self.columns.as_ref()?;
        let Some(starts) = run_starts(cols, len) else {
            return self.combine_rows(cols, len, insert);
        };
        let firsts: Vec<Vector> = cols.iter().map(|c| c.take(&starts)).collect();
        let ids = self.combine_rows(&firsts, starts.len(), insert)?;
        let mut out = Vec::with_capacity(len);
        for (k, &id) in ids.iter().enumerate() {
            let end = starts.get(k + 1).map_or(len, |&e| e as usize);
            out.resize(end, id);
        }
        Some(out)
    }

    /// [`KeyTable::combine`] row by row.
    fn combine_rows(&mut self, cols: &[Vector], len: usize, insert: bool) -> Option<Vec<u32>> {
        let (ids, prefixes) = self.columns.as_mut()?;
        let mut acc = ids[0].assign(&cols[0], len, &mut self.interner, insert);
        for ((c, col_ids), prefix) in cols[1..].iter().zip(&mut ids[1..]).zip(prefixes.iter_mut()) {
            let local = col_ids.assign(c, len, &mut self.interner, insert);
            let mut last: Option<(u64, u32)> = None;
            for (a, l) in acc.iter_mut().zip(local) {
                if *a == ABSENT || l == ABSENT {
                    *a = ABSENT;
                    continue;
                }
                let key = (u64::from(*a) << 32) | u64::from(l);
                *a = match last {
                    Some((k, id)) if k == key => id,
                    _ => {
                        let next = prefix.len() as u32;
                        let id = match prefix.get(&key) {
                            Some(&id) => id,
                            None if insert => {
                                prefix.insert(key, next);
                                next
                            }
                            None => ABSENT,
                        };
                        last = Some((key, id));
                        id
                    }
                };
            }
        }
        Some(acc)
    }

    /// Id of each row's key; `new_rows` receives the rows that created a new id (in id order).
    pub fn assign(&mut self, cols: &[Vector], len: usize, new_rows: &mut Vec<usize>) -> Vec<u32> {
        self.decide(cols);
        if let Some(ids) = self.combine(cols, len, true) {
            // Ids are dense and handed out in row order: a row holding the next id is its first.
            for (i, &id) in ids.iter().enumerate() {
                if id as usize == self.count {
                    new_rows.push(i);
                    self.count += 1;
                }
            }
            return ids;
        }
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
        self.count = self.map.len();
        out
    }

    /// Id of each row's key if present (None for absent keys), without inserting.
    pub fn lookup(&mut self, cols: &[Vector], len: usize) -> Vec<Option<u32>> {
        self.decide(cols);
        if let Some(ids) = self.combine(cols, len, false) {
            return ids.into_iter().map(|id| (id != ABSENT).then_some(id)).collect();
        }
        let keys = encode(cols, len, &mut self.interner);
        (0..len).map(|i| self.map.get(keys.key(i)).copied()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign_all(t: &mut KeyTable, cols: &[Vector], n: usize) -> (Vec<u32>, Vec<usize>) {
        let mut new_rows = Vec::new();
        let ids = t.assign(cols, n, &mut new_rows);
        (ids, new_rows)
    }

    #[test]
    fn equal_keys_get_equal_ids_across_batches_and_representations() {
        let mut t = KeyTable::default();
        let a = Vector::ints(DataType::Int8, vec![1, 1, 2, 1]);
        let s = Vector::from_values(
            DataType::Text,
            vec![Value::str("x"), Value::str("y"), Value::str("x"), Value::str("x")],
        );
        let (ids, new_rows) = assign_all(&mut t, &[a, s], 4);
        // (1,x) (1,y) (2,x) (1,x)
        assert_eq!(ids, vec![0, 1, 2, 0]);
        assert_eq!(new_rows, vec![0, 1, 2]);
        // The same keys as constants and with a NULL: (1,x) again, then (NULL, x) new.
        let a2 = Vector::new(DataType::Int8, VectorData::Const(Value::Int(1)), None);
        let s2 = Vector::new(DataType::Text, VectorData::Const(Value::str("x")), None);
        let (ids2, new2) = assign_all(&mut t, &[a2, s2], 2);
        assert_eq!(ids2, vec![0, 0]);
        assert!(new2.is_empty());
        let a3 = Vector::from_values(DataType::Int8, vec![Value::Null, Value::Int(2)]);
        let s3 = Vector::from_values(DataType::Text, vec![Value::str("x"), Value::str("x")]);
        let (ids3, new3) = assign_all(&mut t, &[a3.clone(), s3.clone()], 2);
        assert_eq!(ids3, vec![3, 2]);
        assert_eq!(new3, vec![0]);
        assert_eq!(t.len(), 4);
        assert_eq!(t.lookup(&[a3, s3], 2), vec![Some(3), Some(2)]);
        let a4 = Vector::ints(DataType::Int8, vec![7]);
        let s4 = Vector::from_values(DataType::Text, vec![Value::str("x")]);
        assert_eq!(t.lookup(&[a4, s4], 1), vec![None]);
    }

    #[test]
    fn runs_of_equal_keys_get_the_ids_of_their_values() {
        // Runs of (int or NULL, text, double), with a NULL int whose data slot differs from the
        // value before it, a run split only by a double, and a key that comes back later.
        let ints = [1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1];
        let nulls = [4usize, 5, 6, 7];
        let texts = [
            "a", "a", "a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b", "a", "a", "a", "a", "a",
            "a",
        ];
        let floats = [
            0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 0.5, 0.5, 0.5,
            0.5,
        ];
        let n = ints.len();
        let validity = (0..n).map(|i| !nulls.contains(&i)).collect();
        let cols = [
            Vector::new(DataType::Int8, VectorData::Int(ints.to_vec()), Some(validity)),
            Vector::new(
                DataType::Text,
                VectorData::Text(crate::vector::DictVec {
                    dict: std::sync::Arc::new(vec![Box::from(&b"a"[..]), Box::from(&b"b"[..])]),
                    codes: texts.iter().map(|t| u32::from(*t == "b")).collect(),
                }),
                None,
            ),
            Vector::floats(floats.to_vec()),
        ];
        assert!(
            run_starts(&cols, n).is_some(),
            "the runs are long enough to be used"
        );
        let mut t = KeyTable::default();
        let (ids, new_rows) = assign_all(&mut t, &cols, n);
        let row = |i: usize| {
            let a = (!nulls.contains(&i)).then_some(ints[i]);
            (a, texts[i], floats[i].to_bits())
        };
        for i in 0..n {
            for j in 0..n {
                assert_eq!(ids[i] == ids[j], row(i) == row(j), "rows {i} and {j}");
            }
        }
        // Keys: (1,a,.5) (NULL,a,.5) (2,b,.5) (2,b,1.5), each first seen at the row listed.
        assert_eq!(new_rows, vec![0, 4, 8, 11]);
        assert_eq!(t.len(), 4);
    }
}
