//! Building the rows of a system relation by column name, and small value constructors.
use std::sync::Arc;

use super::defs::Relation;
use crate::error::{Result, internal};
use crate::plan::Field;
use crate::types::{ArrayValue, DataType, Value};
use crate::vector::{Batch, Vector};

/// Rows of one relation; columns not set stay NULL.
pub(super) struct RowSet {
    names: Vec<&'static str>,
    rows: Vec<Vec<Value>>,
    unknown: Vec<String>,
}

impl RowSet {
    /// An empty row set for a relation.
    pub fn new(rel: &'static Relation) -> RowSet {
        RowSet {
            names: rel.columns.iter().map(|(n, _, _)| n.as_str()).collect(),
            rows: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Starts a row.
    pub fn row(&mut self) -> RowRef<'_> {
        self.rows.push(vec![Value::Null; self.names.len()]);
        RowRef { set: self, next: 0 }
    }

    /// The rows as one batch typed like `fields` (the relation's columns, possibly renamed).
    pub fn into_batches(self, fields: &[Field]) -> Result<Vec<Batch>> {
        if !self.unknown.is_empty() {
            return Err(internal(format!(
                "system relation has no column {}",
                self.unknown.join(", ")
            )));
        }
        let n = self.rows.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut columns: Vec<Vec<Value>> = (0..self.names.len()).map(|_| Vec::with_capacity(n)).collect();
        for row in self.rows {
            for (c, v) in columns.iter_mut().zip(row) {
                c.push(v);
            }
        }
        let vectors = columns
            .into_iter()
            .zip(fields)
            .map(|(vals, f)| Vector::from_values(f.ty.clone(), vals))
            .collect();
        Ok(vec![Batch::new(vectors, n)])
    }
}

/// The row being filled.
pub(super) struct RowRef<'a> {
    set: &'a mut RowSet,
    /// Where the next column probably is (columns are mostly set in order).
    next: usize,
}

impl RowRef<'_> {
    /// Sets a column.
    pub fn set(&mut self, column: &str, v: Value) -> &mut Self {
        let names = &self.set.names;
        let at = match names.get(self.next) {
            Some(n) if *n == column => Some(self.next),
            _ => names.iter().position(|n| *n == column),
        };
        if let Some(i) = at {
            self.next = i + 1;
        }
        match at {
            Some(i) => {
                if let Some(row) = self.set.rows.last_mut()
                    && let Some(slot) = row.get_mut(i)
                {
                    *slot = v;
                }
            }
            None => self.set.unknown.push(column.to_string()),
        }
        self
    }
}

/// An OID (or any integer-coded value).
pub(super) fn oid(o: u32) -> Value {
    Value::Int(i64::from(o))
}

/// An integer.
pub(super) fn int(i: i64) -> Value {
    Value::Int(i)
}

/// A boolean.
pub(super) fn b(v: bool) -> Value {
    Value::Bool(v)
}

/// Text (also `name` and `"char"`).
pub(super) fn s(v: &str) -> Value {
    Value::str(v)
}

/// A `"char"` value.
pub(super) fn ch(c: char) -> Value {
    Value::str(c.to_string())
}

/// Text, or NULL.
pub(super) fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::str)
}

/// A one-dimensional array with lower bound `lower` (0 for int2vector and oidvector).
pub(super) fn array(elem: DataType, lower: i32, items: Vec<Value>) -> Value {
    Value::Array(Arc::new(ArrayValue { elem, lower, items }))
}

/// A `smallint[]` / `int2vector` from integers.
pub(super) fn int2s(lower: i32, items: impl IntoIterator<Item = i64>) -> Value {
    array(DataType::Int2, lower, items.into_iter().map(Value::Int).collect())
}

/// An `oid[]` / `oidvector` from OIDs.
pub(super) fn oids(lower: i32, items: impl IntoIterator<Item = u32>) -> Value {
    array(DataType::Oid, lower, items.into_iter().map(oid).collect())
}

/// A `text[]`.
pub(super) fn texts<S: AsRef<str>>(items: &[S]) -> Value {
    array(
        DataType::Text,
        1,
        items.iter().map(|x| Value::str(x.as_ref())).collect(),
    )
}
