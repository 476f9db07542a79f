//! One target column of COPY FROM: converts field bytes into a typed builder, a value at a time
//! (the row path) or a column of a block at a time (the block path, see `block.rs`).
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::block::Spans;
use super::numbers::{DayKey, parse_decimal_f64, parse_i64_bytes, parse_iso_timestamp_cached};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::types::text::{int_range, parse_value};
use crate::types::{DataType, Physical, Tz, Value};
use crate::vector::{DictVec, Vector, VectorData};

/// A target column.
#[derive(Debug, Clone)]
pub struct ReaderColumn {
    /// Name (for error context).
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// CSV FORCE_NULL.
    pub force_null: bool,
    /// CSV FORCE_NOT_NULL.
    pub force_not_null: bool,
}

/// How a field becomes a value, decided once per column.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Decimal integers within a range (int2/4/8).
    Int(i64, i64),
    /// ISO timestamps (timestamp, and timestamptz when the session zone is UTC).
    Timestamp,
    /// Decimals as float8.
    Float8,
    /// Text taken as it is (only valid UTF-8 required).
    Text,
    /// Everything else: the type's text input function.
    General,
}

fn kind(ty: &DataType, ctx: &EvalContext) -> Kind {
    let physical = ty.physical();
    match ty {
        _ if physical == Physical::Value || physical == Physical::Bool => Kind::General,
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            let (lo, hi) = int_range(ty);
            Kind::Int(lo, hi)
        }
        DataType::Timestamp => Kind::Timestamp,
        DataType::Timestamptz if matches!(ctx.tz, Tz::Utc) => Kind::Timestamp,
        DataType::Float8 => Kind::Float8,
        DataType::Text | DataType::Name | DataType::Unknown | DataType::Json | DataType::Jsonb => Kind::Text,
        _ => Kind::General,
    }
}

enum Builder {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Text(TextBuilder),
    Values(Vec<Value>),
}

impl Builder {
    fn reserve(&mut self, n: usize) {
        match self {
            Builder::Int(v) => v.reserve(n),
            Builder::Float(v) => v.reserve(n),
            Builder::Bool(v) => v.reserve(n),
            Builder::Text(t) => t.codes.reserve(n),
            Builder::Values(v) => v.reserve(n),
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Int(v) => v.len(),
            Builder::Float(v) => v.len(),
            Builder::Bool(v) => v.len(),
            Builder::Text(t) => t.codes.len(),
            Builder::Values(v) => v.len(),
        }
    }
}

/// Dictionary-encoded text: each distinct value stored once. Tags and states are a few short
/// values repeated, so a small direct-mapped cache of short values (compared as two words, no
/// hashing of bytes) answers most lookups before the map.
struct TextBuilder {
    dict: Vec<Box<[u8]>>,
    index: FxHashMap<Box<[u8]>, u32>,
    cache: Vec<CacheEntry>,
    codes: Vec<u32>,
}

/// A short value (up to 16 bytes) as its first and last eight bytes (which overlap for shorter
/// values, so together with the length they determine it) and its code.
#[derive(Clone, Copy, Default)]
struct CacheEntry {
    words: (u64, u64),
    len: u32,
    code: u32,
}

const CACHE_SLOTS: usize = 1024;

impl Default for TextBuilder {
    fn default() -> Self {
        TextBuilder {
            dict: Vec::new(),
            index: FxHashMap::default(),
            // No entry matches before it is filled: its length is past every short value.
            cache: vec![
                CacheEntry {
                    len: u32::MAX,
                    ..CacheEntry::default()
                };
                CACHE_SLOTS
            ],
            codes: Vec::new(),
        }
    }
}

/// The words of a value of at most 16 bytes, read without copying through memory: the first
/// and last 8 (or 4, or 1) bytes, which cover the whole value between them.
#[inline(always)]
fn short_words(b: &[u8]) -> Option<(u64, u64)> {
    let n = b.len();
    let u64_at = |i: usize| {
        b.get(i..i + 8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let u32_at = |i: usize| {
        b.get(i..i + 4)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_le_bytes)
    };
    match n {
        8..=16 => Some((u64_at(0)?, u64_at(n - 8)?)),
        4..=7 => Some((u64::from(u32_at(0)?), u64::from(u32_at(n - 4)?))),
        1..=3 => Some((
            u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
            0,
        )),
        0 => Some((0, 0)),
        _ => None,
    }
}

impl TextBuilder {
    #[inline(always)]
    fn push(&mut self, b: &[u8]) {
        let Some(words) = short_words(b) else {
            let c = self.lookup(b);
            self.codes.push(c);
            return;
        };
        let h = (words.0 ^ words.1.rotate_left(23) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (h >> 54) as usize % CACHE_SLOTS;
        let e = self.cache[slot];
        let c = if e.words == words && e.len == b.len() as u32 {
            e.code
        } else {
            let code = self.lookup(b);
            self.cache[slot] = CacheEntry {
                words,
                len: b.len() as u32,
                code,
            };
            code
        };
        self.codes.push(c);
    }

    fn lookup(&mut self, b: &[u8]) -> u32 {
        if let Some(&c) = self.index.get(b) {
            return c;
        }
        let c = self.dict.len() as u32;
        self.dict.push(b.into());
        self.index.insert(b.into(), c);
        c
    }

    fn take(&mut self) -> DictVec {
        self.index.clear();
        self.cache.fill(CacheEntry {
            len: u32::MAX,
            ..CacheEntry::default()
        });
        let n = self.codes.len();
        DictVec {
            dict: Arc::new(std::mem::take(&mut self.dict)),
            codes: std::mem::replace(&mut self.codes, Vec::with_capacity(n)),
        }
    }
}

fn invalid_utf8() -> QueryError {
    QueryError::new(
        sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
        "invalid byte sequence for encoding \"UTF8\"",
    )
}

pub(super) struct Col {
    pub(super) spec: ReaderColumn,
    kind: Kind,
    data: Builder,
    /// Validity, kept only once a NULL has been seen (all valid before that).
    valid: Vec<bool>,
    any_null: bool,
    /// The last date seen by the timestamp fast path (rows of a load share their day).
    day: Option<(DayKey, i64)>,
}

impl Col {
    pub(super) fn new(spec: ReaderColumn, ctx: &EvalContext) -> Col {
        let data = match spec.ty.physical() {
            Physical::Int => Builder::Int(Vec::new()),
            Physical::Float => Builder::Float(Vec::new()),
            Physical::Bool => Builder::Bool(Vec::new()),
            Physical::Text => Builder::Text(TextBuilder::default()),
            Physical::Value => Builder::Values(Vec::new()),
        };
        Col {
            kind: kind(&spec.ty, ctx),
            spec,
            data,
            valid: Vec::new(),
            any_null: false,
            day: None,
        }
    }

    /// Whether values are taken as they are, so the block path must check UTF-8 first (the
    /// other kinds reject bytes that are not UTF-8 themselves).
    pub(super) fn takes_text(&self) -> bool {
        matches!(self.kind, Kind::Text)
    }

    pub(super) fn push_null(&mut self) {
        if !self.any_null {
            self.valid.clear();
            self.valid.resize(self.data.len(), true);
            self.any_null = true;
        }
        match &mut self.data {
            Builder::Int(v) => v.push(0),
            Builder::Float(v) => v.push(0.0),
            Builder::Bool(v) => v.push(false),
            Builder::Text(t) => t.push(b""),
            Builder::Values(v) => v.push(Value::Null),
        }
        self.valid.push(false);
    }

    #[inline]
    fn mark_valid(&mut self) {
        if self.any_null {
            self.valid.push(true);
        }
    }

    fn general(&self, b: &[u8], ctx: &EvalContext) -> Result<Value> {
        let s = std::str::from_utf8(b).map_err(|_| invalid_utf8())?;
        parse_value(s, &self.spec.ty, ctx)
    }

    /// Adds one value; `ascii` says the bytes are known to be ASCII (so valid UTF-8).
    pub(super) fn push(&mut self, b: &[u8], ascii: bool, ctx: &EvalContext) -> Result<()> {
        match self.kind {
            Kind::Int(lo, hi) => {
                let x = match parse_i64_bytes(b) {
                    Some(x) if (lo..=hi).contains(&x) => x,
                    _ => self.general(b, ctx)?.as_int().unwrap_or(0),
                };
                self.push_int(x);
            }
            Kind::Timestamp => {
                let x = match parse_iso_timestamp_cached(b, &mut self.day) {
                    Some(x) => x,
                    None => self.general(b, ctx)?.as_int().unwrap_or(0),
                };
                self.push_int(x);
            }
            Kind::Float8 => {
                let x = match parse_decimal_f64(b) {
                    Some(x) => x,
                    None => self.general(b, ctx)?.as_f64().unwrap_or(0.0),
                };
                self.push_float(x);
            }
            Kind::Text => {
                if !ascii && std::str::from_utf8(b).is_err() {
                    return Err(invalid_utf8());
                }
                self.push_text(b);
            }
            Kind::General => {
                let v = self.general(b, ctx)?;
                self.push_value(v);
            }
        }
        self.mark_valid();
        Ok(())
    }

    /// Appends to an integer builder; false (nothing appended) for any other.
    #[inline(always)]
    fn put_int(&mut self, x: i64) -> bool {
        match &mut self.data {
            Builder::Int(v) => v.push(x),
            _ => return false,
        }
        true
    }

    /// Appends to a float builder; false for any other.
    #[inline(always)]
    fn put_float(&mut self, x: f64) -> bool {
        match &mut self.data {
            Builder::Float(v) => v.push(x),
            _ => return false,
        }
        true
    }

    /// Appends to a text builder; false for any other.
    #[inline(always)]
    fn put_text(&mut self, b: &[u8]) -> bool {
        match &mut self.data {
            Builder::Text(t) => t.push(b),
            _ => return false,
        }
        true
    }

    // The kinds always match their builders (see `kind`); a mismatch would go through Value.
    fn push_int(&mut self, x: i64) {
        if !self.put_int(x) {
            self.push_value(Value::Int(x));
        }
    }

    fn push_float(&mut self, x: f64) {
        if !self.put_float(x) {
            self.push_value(Value::Float(x));
        }
    }

    fn push_text(&mut self, b: &[u8]) {
        if !self.put_text(b) {
            self.push_value(Value::Str(String::from_utf8_lossy(b).into()));
        }
    }

    /// A value from the type's input function, into whichever builder the type uses.
    fn push_value(&mut self, v: Value) {
        match (&mut self.data, v) {
            (Builder::Int(b), v) => b.push(v.as_int().unwrap_or(0)),
            (Builder::Float(b), v) => b.push(v.as_f64().unwrap_or(0.0)),
            (Builder::Bool(b), v) => b.push(v.as_bool().unwrap_or(false)),
            (Builder::Text(t), Value::Str(s)) => t.push(s.as_bytes()),
            (Builder::Text(t), Value::Bytes(x)) => t.push(&x),
            (Builder::Text(t), _) => t.push(b""),
            (Builder::Values(b), v) => b.push(v),
        }
    }

    /// Adds field `c` of every row of a split block. Returns the first row whose value does not
    /// convert (the caller reports the error through the row path, in row order).
    pub(super) fn push_block(
        &mut self,
        block: &[u8],
        spans: &Spans,
        c: usize,
        null: &[u8],
        ctx: &EvalContext,
    ) -> std::result::Result<(), usize> {
        self.data.reserve(spans.rows());
        // One loop per kind, so that the kind is not dispatched per value.
        match self.kind {
            Kind::Int(lo, hi) => self.fill(block, spans, c, null, ctx, |col, v| {
                parse_i64_bytes(v)
                    .filter(|x| (lo..=hi).contains(x))
                    .is_some_and(|x| col.put_int(x))
            }),
            Kind::Timestamp => self.fill(block, spans, c, null, ctx, |col, v| {
                parse_iso_timestamp_cached(v, &mut col.day).is_some_and(|x| col.put_int(x))
            }),
            Kind::Float8 => self.fill(block, spans, c, null, ctx, |col, v| {
                parse_decimal_f64(v).is_some_and(|x| col.put_float(x))
            }),
            // The block was checked to be UTF-8 as a whole.
            Kind::Text => self.fill(block, spans, c, null, ctx, |col, v| col.put_text(v)),
            Kind::General => self.fill(block, spans, c, null, ctx, |_, _| false),
        }
    }

    /// The loop of [`Col::push_block`]: `fast` converts the common values and returns false
    /// for the rest, which go through [`Col::push`].
    #[inline(always)]
    fn fill(
        &mut self,
        block: &[u8],
        spans: &Spans,
        c: usize,
        null: &[u8],
        ctx: &EvalContext,
        mut fast: impl FnMut(&mut Col, &[u8]) -> bool,
    ) -> std::result::Result<(), usize> {
        for r in 0..spans.rows() {
            let v = spans.field(block, r, c);
            // The NULL marker wins over a value it might spell (NULL '0' in an integer column).
            let is_null = v.len() == null.len() && v == null;
            if !is_null && fast(self, v) {
                if self.any_null {
                    self.valid.push(true);
                }
                continue;
            }
            self.push_field(v, is_null, ctx).map_err(|_| r)?;
        }
        Ok(())
    }

    /// A field of the block path that is NULL or needs the general path. A NULL marker
    /// becomes NULL unless FORCE_NOT_NULL (CSV) makes it a value like any other (an empty
    /// string for text, an error for a number), as on the row path.
    fn push_field(&mut self, v: &[u8], is_null: bool, ctx: &EvalContext) -> Result<()> {
        if is_null && !self.spec.force_not_null {
            self.push_null();
            Ok(())
        } else {
            self.push(v, true, ctx)
        }
    }

    pub(super) fn take(&mut self) -> Vector {
        let validity = if self.any_null {
            Some(std::mem::take(&mut self.valid))
        } else {
            None
        };
        self.valid.clear();
        self.any_null = false;
        let ty = self.spec.ty.clone();
        // The next batch is as long as this one: allocate once instead of growing.
        fn refill<T>(v: &mut Vec<T>) -> Vec<T> {
            let n = v.len();
            std::mem::replace(v, Vec::with_capacity(n))
        }
        let data = match &mut self.data {
            Builder::Int(v) => VectorData::Int(refill(v)),
            Builder::Float(v) => VectorData::Float(refill(v)),
            Builder::Bool(v) => VectorData::Bool(refill(v)),
            Builder::Text(t) => VectorData::Text(t.take()),
            Builder::Values(v) => VectorData::Values(std::mem::take(v)),
        };
        Vector::new(ty, data, validity)
    }
}
