//! Typed readers over argument vectors: row `i` as `Option<i64>` / `Option<f64>` / text codes,
//! straight from the vector's typed data (no `Value` per row). A constant vector reads the same
//! value for every row; NULL is `None`.
use plantdb_query::types::Value;
use plantdb_query::vector::{Vector, VectorData};

/// Integer-coded column (integers, timestamps, dates).
#[derive(Debug, Clone, Copy)]
pub enum IntCol<'a> {
    /// Typed data with optional validity.
    Slice(&'a [i64], Option<&'a [bool]>),
    /// One value for every row.
    Const(Option<i64>),
    /// Anything else (slow path).
    Other(&'a Vector),
}

impl<'a> IntCol<'a> {
    /// Reader over `v`.
    pub fn new(v: &'a Vector) -> IntCol<'a> {
        match &v.data {
            VectorData::Int(x) => IntCol::Slice(x, v.validity.as_deref()),
            VectorData::Const(c) => IntCol::Const(int_of(c)),
            _ => IntCol::Other(v),
        }
    }

    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<i64> {
        match self {
            IntCol::Slice(x, None) => x.get(i).copied(),
            IntCol::Slice(x, Some(valid)) => {
                if valid.get(i).copied().unwrap_or(false) {
                    x.get(i).copied()
                } else {
                    None
                }
            }
            IntCol::Const(c) => *c,
            IntCol::Other(v) => int_of(&v.value(i)),
        }
    }

    /// The constant value, when the column is constant.
    pub fn constant(&self) -> Option<Option<i64>> {
        match self {
            IntCol::Const(c) => Some(*c),
            _ => None,
        }
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() => Some(*f as i64),
        Value::Interval(iv) => Some(i64::from(iv.days) * 86_400_000_000 + iv.micros),
        _ => None,
    }
}

/// Numeric column read as doubles (doubles, integers, numerics).
#[derive(Debug, Clone, Copy)]
pub enum FloatCol<'a> {
    /// Doubles.
    F(&'a [f64], Option<&'a [bool]>),
    /// Integers.
    I(&'a [i64], Option<&'a [bool]>),
    /// One value for every row.
    Const(Option<f64>),
    /// Anything else (numeric: slow path).
    Other(&'a Vector),
}

impl<'a> FloatCol<'a> {
    /// Reader over `v`.
    pub fn new(v: &'a Vector) -> FloatCol<'a> {
        match &v.data {
            VectorData::Float(x) => FloatCol::F(x, v.validity.as_deref()),
            VectorData::Int(x) => FloatCol::I(x, v.validity.as_deref()),
            VectorData::Const(c) => FloatCol::Const(c.as_f64()),
            _ => FloatCol::Other(v),
        }
    }

    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<f64> {
        let ok = |valid: &Option<&[bool]>| valid.is_none_or(|m| m.get(i).copied().unwrap_or(false));
        match self {
            FloatCol::F(x, valid) => {
                if ok(valid) {
                    x.get(i).copied()
                } else {
                    None
                }
            }
            FloatCol::I(x, valid) => {
                if ok(valid) {
                    x.get(i).map(|v| *v as f64)
                } else {
                    None
                }
            }
            FloatCol::Const(c) => *c,
            FloatCol::Other(v) => v.value(i).as_f64(),
        }
    }
}

/// Text column: row `i` as bytes, or as a small integer class through a per-dictionary cache.
#[derive(Debug)]
pub struct TextCol<'a> {
    v: &'a Vector,
}

impl<'a> TextCol<'a> {
    /// Reader over `v`.
    pub fn new(v: &'a Vector) -> TextCol<'a> {
        TextCol { v }
    }

    /// Row `i` (None for NULL).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        if self.v.is_null(i) {
            None
        } else {
            Some(self.v.bytes_at(i))
        }
    }

    /// Classifies every row with `f` (called once per distinct dictionary entry when the vector
    /// is dictionary-coded with a small dictionary, else once per row): `out[i]` is the class of
    /// row `i`, `null` for NULL rows.
    pub fn classify<E>(
        &self,
        n: usize,
        null: u8,
        mut f: impl FnMut(&[u8]) -> Result<u8, E>,
    ) -> Result<Vec<u8>, E> {
        let mut out = vec![null; n];
        match &self.v.data {
            VectorData::Text(d) if d.dict.len() <= 4096 || d.dict.len() <= n / 4 => {
                // Classes by dictionary entry, UNKNOWN until first seen.
                const UNKNOWN: u16 = u16::MAX;
                let mut table: Vec<u16> = vec![UNKNOWN; d.dict.len()];
                let valid = self.v.validity.as_deref();
                for (i, (slot, &code)) in out.iter_mut().zip(&d.codes).enumerate() {
                    // A NULL row's code points at a placeholder entry that must not be classified.
                    if valid.is_some_and(|m| !m.get(i).copied().unwrap_or(false)) {
                        continue;
                    }
                    let c = code as usize;
                    let Some(&known) = table.get(c) else { continue };
                    *slot = if known != UNKNOWN {
                        known as u8
                    } else {
                        let k = f(d.dict.get(c).map_or(&b""[..], |b| &b[..]))?;
                        table[c] = u16::from(k);
                        k
                    };
                }
            }
            VectorData::Const(Value::Null) => {}
            VectorData::Const(_) => {
                let k = f(self.v.bytes_at(0))?;
                out.iter_mut().for_each(|s| *s = k);
            }
            _ => {
                let mut last: Option<(&[u8], u8)> = None;
                for (i, slot) in out.iter_mut().enumerate() {
                    let Some(b) = self.get(i) else { continue };
                    *slot = match last {
                        Some((lb, k)) if lb == b => k,
                        _ => {
                            let k = f(b)?;
                            last = Some((b, k));
                            k
                        }
                    };
                }
            }
        }
        Ok(out)
    }
}

/// The text of a constant argument (for options and names), or None when NULL. Errors when the
/// vector is not constant over the rows that use it.
pub fn const_text(v: &Vector, what: &str) -> plantdb_query::error::Result<Option<String>> {
    let first = (0..v.len()).find(|&i| !v.is_null(i));
    let Some(f) = first else { return Ok(None) };
    let s = v.str_at(f).to_string();
    if !matches!(v.data, VectorData::Const(_)) {
        for i in f..v.len() {
            if !v.is_null(i) && v.str_at(i) != s {
                return Err(super::invalid(format!("{what} must be the same for every row")));
            }
        }
    }
    Ok(Some(s))
}
