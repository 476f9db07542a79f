//! Storage columns ↔ SQL vectors. Integers, doubles, booleans and text pass through without
//! copying values; numeric, interval and arrays are stored as their text form (UTC).
use std::sync::Arc;

use plantdb_storage::{Column, ColumnVec, DictVec, PhysicalType};

use crate::context::EvalContext;
use crate::error::Result;
use crate::types::text::{format_value, parse_value};
use crate::types::{DataType, Physical, Value};
use crate::vector::{Vector, VectorData};

fn utc() -> EvalContext {
    EvalContext::default()
}

/// The physical storage type of a SQL type.
pub fn physical_of(ty: &DataType) -> PhysicalType {
    match ty.physical() {
        Physical::Bool => PhysicalType::Bool,
        Physical::Int => PhysicalType::Int64,
        Physical::Float => PhysicalType::Float64,
        Physical::Text | Physical::Value => PhysicalType::Bytes,
    }
}

/// A stored column as a vector of SQL type `ty`.
pub fn to_vector(col: Column, ty: &DataType) -> Result<Vector> {
    let Column { values, validity } = col;
    let data = match (values, ty.physical()) {
        (ColumnVec::Bool(v), _) => VectorData::Bool(v),
        (ColumnVec::Int64(v), _) => VectorData::Int(v),
        (ColumnVec::Float64(v), _) => VectorData::Float(v),
        (ColumnVec::Bytes(d), Physical::Value) => {
            let cx = utc();
            let mut parsed: Vec<Option<Value>> = vec![None; d.dict.len()];
            let mut out = Vec::with_capacity(d.codes.len());
            for (i, &c) in d.codes.iter().enumerate() {
                if validity.as_ref().is_some_and(|v| !v[i]) {
                    out.push(Value::Null);
                    continue;
                }
                let slot = &mut parsed[c as usize];
                if slot.is_none() {
                    let s = std::str::from_utf8(&d.dict[c as usize]).unwrap_or("");
                    *slot = Some(parse_value(s, ty, &cx)?);
                }
                out.push(slot.clone().unwrap_or(Value::Null));
            }
            return Ok(Vector::new(ty.clone(), VectorData::Values(out), None));
        }
        (ColumnVec::Bytes(d), _) => VectorData::Text(d),
    };
    Ok(Vector::new(ty.clone(), data, validity))
}

/// A vector as a stored column of physical type `p`.
pub fn to_storage(v: &Vector, p: PhysicalType) -> Result<Column> {
    let n = v.len();
    let v = v.clone().materialize();
    let validity = if v.no_nulls() {
        None
    } else {
        Some((0..n).map(|i| !v.is_null(i)).collect())
    };
    let values = match (&v.data, p) {
        (VectorData::Bool(x), PhysicalType::Bool) => ColumnVec::Bool(x.clone()),
        (VectorData::Int(x), PhysicalType::Int64) => ColumnVec::Int64(x.clone()),
        (VectorData::Float(x), PhysicalType::Float64) => ColumnVec::Float64(x.clone()),
        (VectorData::Text(d), PhysicalType::Bytes) => ColumnVec::Bytes(d.clone()),
        (_, PhysicalType::Bytes) => {
            let cx = utc();
            let dict: Vec<Box<[u8]>> = (0..n)
                .map(|i| {
                    Box::from(
                        format_value(&v.value(i), &v.ty, &cx)
                            .unwrap_or_default()
                            .as_bytes(),
                    )
                })
                .collect();
            ColumnVec::Bytes(DictVec {
                dict: Arc::new(dict),
                codes: (0..n as u32).collect(),
            })
        }
        (_, PhysicalType::Bool) => {
            ColumnVec::Bool((0..n).map(|i| v.value(i).as_bool().unwrap_or(false)).collect())
        }
        (_, PhysicalType::Int64) => {
            ColumnVec::Int64((0..n).map(|i| v.value(i).as_int().unwrap_or(0)).collect())
        }
        (_, PhysicalType::Float64) => {
            ColumnVec::Float64((0..n).map(|i| v.value(i).as_f64().unwrap_or(0.0)).collect())
        }
    };
    Ok(Column { values, validity })
}

/// A stored scalar as a SQL value.
pub fn scalar_value(s: &plantdb_storage::Scalar, ty: &DataType) -> Value {
    use plantdb_storage::Scalar as S;
    match s {
        S::Null => Value::Null,
        S::Bool(b) => Value::Bool(*b),
        S::Int64(i) => Value::Int(*i),
        S::Float64(f) => Value::Float(*f),
        S::Bytes(b) => {
            let text = std::str::from_utf8(b).unwrap_or("");
            match ty.physical() {
                Physical::Value => parse_value(text, ty, &utc()).unwrap_or(Value::Null),
                _ if *ty == DataType::Bytea => Value::Bytes(b.clone()),
                _ => Value::str(text),
            }
        }
    }
}
