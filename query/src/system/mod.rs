//! pg_catalog and information_schema relations, generated from plantdb's own catalog.
use crate::error::Result;
use crate::exec::ExecCtx;
use crate::plan::Field;
use crate::types::DataType;
use crate::vector::Batch;

/// Columns of a system relation (None when unknown).
pub fn columns(schema: Option<&str>, name: &str) -> Option<Vec<(String, DataType)>> {
    let _ = (schema, name);
    None
}

/// Canonical key of a pg_catalog relation.
pub fn canonical(name: &str) -> String {
    name.to_string()
}

/// Rows of a system relation.
pub fn rows(name: &str, fields: &[Field], cx: &ExecCtx) -> Result<Vec<Batch>> {
    let _ = (name, fields, cx);
    Ok(Vec::new())
}

/// (name, OID) of every system relation, for regclass lookups.
pub fn relation_oids() -> Vec<(String, u32)> {
    Vec::new()
}
