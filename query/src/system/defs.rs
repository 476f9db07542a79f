//! Definitions of the system relations and of the static catalog rows exported from PostgreSQL 15
//! (see `pg15.rs`), and the mapping of PostgreSQL's catalog column types onto plantdb's types.
use std::collections::HashMap;
use std::sync::OnceLock;

use super::pg15;
use crate::catalog::{INFORMATION_SCHEMA_NAMESPACE, PG_CATALOG_NAMESPACE};
use crate::types::DataType;

/// A relation of `pg_catalog` or `information_schema` as PostgreSQL 15 defines it.
#[derive(Debug)]
pub(super) struct RelDef {
    /// `pg_catalog` or `information_schema`.
    pub schema: &'static str,
    /// Relation name.
    pub name: &'static str,
    /// OID in PostgreSQL 15.
    pub oid: u32,
    /// `r` (table) or `v` (view).
    pub kind: char,
    /// OID of the row type.
    pub reltype: u32,
    /// `name:type` pairs separated by commas, in PostgreSQL's column order.
    pub cols: &'static str,
}

/// A built-in type (pg_type row).
#[derive(Debug)]
pub(super) struct TypeDef {
    pub oid: u32,
    pub name: &'static str,
    pub len: i16,
    pub byval: bool,
    pub typtype: char,
    pub category: char,
    pub preferred: bool,
    pub delim: &'static str,
    pub subscript: u32,
    pub elem: u32,
    pub array: u32,
    pub input: u32,
    pub output: u32,
    pub receive: u32,
    pub send: u32,
    pub modin: u32,
    pub modout: u32,
    pub analyze: u32,
    pub align: char,
    pub storage: char,
    pub collation: u32,
    pub description: &'static str,
}

/// A function named by a built-in type or access method (pg_proc row).
#[derive(Debug)]
pub(super) struct ProcDef {
    pub oid: u32,
    pub name: &'static str,
    pub ret: u32,
    /// Argument type OIDs separated by spaces.
    pub args: &'static str,
    pub strict: bool,
    pub volatile: char,
    pub retset: bool,
}

/// An access method (pg_am row).
#[derive(Debug)]
pub(super) struct AmDef {
    pub oid: u32,
    pub name: &'static str,
    pub handler: u32,
    pub kind: char,
}

/// Metadata of a setting (pg_settings row without the value).
#[derive(Debug)]
pub(super) struct SettingDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub category: &'static str,
    pub short_desc: &'static str,
    pub extra_desc: &'static str,
    pub context: &'static str,
    pub vartype: &'static str,
    pub min_val: &'static str,
    pub max_val: &'static str,
    pub enumvals: &'static str,
    pub boot_val: &'static str,
}

/// A default btree operator class (pg_opclass row).
#[derive(Debug)]
pub(super) struct OpclassDef {
    pub oid: u32,
    pub name: &'static str,
    pub method: u32,
    pub intype: u32,
    pub family: u32,
    pub keytype: u32,
}

/// A collation (pg_collation row).
#[derive(Debug)]
pub(super) struct CollationDef {
    pub oid: u32,
    pub name: &'static str,
    pub provider: char,
    pub encoding: i32,
    pub collate: &'static str,
    pub ctype: &'static str,
}

/// A system relation with its columns typed.
#[derive(Debug)]
pub(super) struct Relation {
    pub def: &'static RelDef,
    /// Namespace OID.
    pub namespace: u32,
    /// Columns: name, plantdb type, PostgreSQL type name.
    pub columns: Vec<(String, DataType, &'static str)>,
}

/// The plantdb type holding values of a PostgreSQL catalog column type.
pub(super) fn column_type(pg: &str) -> DataType {
    if let Some(inner) = pg.strip_suffix("[]") {
        return DataType::Array(Box::new(column_type(inner)));
    }
    match pg {
        "int2vector" => DataType::Array(Box::new(DataType::Int2)),
        "oidvector" => DataType::Array(Box::new(DataType::Oid)),
        "xid" | "cid" | "xid8" => DataType::Oid,
        "information_schema.sql_identifier" => DataType::Name,
        "information_schema.cardinal_number" => DataType::Int4,
        "information_schema.character_data" => DataType::Varchar(None),
        "information_schema.yes_or_no" => DataType::Varchar(Some(3)),
        "information_schema.time_stamp" => DataType::Timestamptz,
        other => DataType::parse_name(other).unwrap_or(DataType::Text),
    }
}

struct Index {
    relations: Vec<Relation>,
    by_name: HashMap<(u32, &'static str), usize>,
    types: HashMap<u32, &'static TypeDef>,
    type_names: HashMap<&'static str, &'static TypeDef>,
    procs: HashMap<u32, &'static ProcDef>,
    proc_names: HashMap<&'static str, &'static ProcDef>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let relations: Vec<Relation> = pg15::RELATIONS
            .iter()
            .map(|def| Relation {
                def,
                namespace: if def.schema == "pg_catalog" {
                    PG_CATALOG_NAMESPACE
                } else {
                    INFORMATION_SCHEMA_NAMESPACE
                },
                columns: def
                    .cols
                    .split(',')
                    .filter_map(|c| c.split_once(':'))
                    .map(|(n, t)| (n.to_string(), column_type(t), t))
                    .collect(),
            })
            .collect();
        let by_name = relations
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.namespace, r.def.name), i))
            .collect();
        Index {
            relations,
            by_name,
            types: pg15::TYPES.iter().map(|t| (t.oid, t)).collect(),
            type_names: pg15::TYPES.iter().map(|t| (t.name, t)).collect(),
            procs: pg15::PROCS.iter().map(|p| (p.oid, p)).collect(),
            proc_names: pg15::PROCS.iter().map(|p| (p.name, p)).collect(),
        }
    })
}

/// Every system relation.
pub(super) fn relations() -> &'static [Relation] {
    &index().relations
}

/// A system relation by namespace OID and name.
pub(super) fn relation(namespace: u32, name: &str) -> Option<&'static Relation> {
    let ix = index();
    ix.by_name
        .get(&(namespace, name))
        .and_then(|&i| ix.relations.get(i))
}

/// A built-in type by OID.
pub(super) fn type_def(oid: u32) -> Option<&'static TypeDef> {
    index().types.get(&oid).copied()
}

/// A built-in type by internal name (`int4`, `_text`, ...).
pub(super) fn type_by_name(name: &str) -> Option<&'static TypeDef> {
    index().type_names.get(name).copied()
}

/// A type-support function by OID.
pub(super) fn proc_def(oid: u32) -> Option<&'static ProcDef> {
    index().procs.get(&oid).copied()
}

/// A type-support function by name.
pub(super) fn proc_by_name(name: &str) -> Option<&'static ProcDef> {
    index().proc_names.get(name).copied()
}

/// Metadata of a PostgreSQL setting plantdb knows, by case-insensitive name.
pub(super) fn setting_def(name: &str) -> Option<&'static SettingDef> {
    pg15::SETTINGS.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_columns_map_to_plantdb_types() {
        let class = relation(PG_CATALOG_NAMESPACE, "pg_class").map(|r| &r.columns);
        let Some(cols) = class else {
            unreachable!("pg_class is defined")
        };
        assert_eq!(cols[0].0, "oid");
        assert_eq!(cols[0].1, DataType::Oid);
        assert!(cols.iter().any(|c| c.0 == "relkind" && c.1 == DataType::Char));
        assert_eq!(
            column_type("int2vector"),
            DataType::Array(Box::new(DataType::Int2))
        );
        assert_eq!(
            column_type("aclitem[]"),
            DataType::Array(Box::new(DataType::Text))
        );
        assert_eq!(
            column_type("information_schema.yes_or_no"),
            DataType::Varchar(Some(3))
        );
        assert!(relation(INFORMATION_SCHEMA_NAMESPACE, "columns").is_some());
        assert_eq!(type_def(23).map(|t| t.name), Some("int4"));
        assert_eq!(proc_by_name("array_in").map(|p| p.oid), Some(750));
    }
}
