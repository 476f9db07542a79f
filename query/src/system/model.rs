//! The objects the system catalog describes, with their OIDs: user tables, their primary-key
//! indexes and constraints, views, system relations, types and functions.
//!
//! OIDs of user objects follow `catalog.rs`: a table with storage id `n` has OID `16384 + 4n`, its
//! row type `+1`, its primary-key index `+2` and its primary-key constraint `+3`. Views and roles
//! take OIDs from a counter (900000 and up); a view's row type is its OID plus
//! [`VIEW_ROWTYPE_OFFSET`]. Column defaults get [`attrdef_oid`]. System relations, built-in types
//! and their support functions keep PostgreSQL 15's OIDs; registry functions are numbered from
//! [`crate::catalog::FIRST_FUNCTION_OID`].
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use super::defs::{self, Relation};
use crate::catalog::{
    Catalog, FIRST_FUNCTION_OID, FIRST_USER_OID, PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE, TableInfo, ViewInfo,
};
use crate::functions::{ArgType, Registry, ReturnType, Signature};
use crate::types::DataType;

/// OID of the one database, `plantdb` (PostgreSQL's `postgres` database has 5 too).
pub(super) const DATABASE_OID: u32 = 5;
/// OID of the bootstrap superuser.
pub(super) const SUPERUSER_OID: u32 = 10;
/// Added to a view's OID to give its row type.
pub(super) const VIEW_ROWTYPE_OFFSET: u32 = 1_000_000;
/// `heap` access method.
pub(super) const HEAP_AM: u32 = 2;
/// `btree` access method.
pub(super) const BTREE_AM: u32 = 403;
/// pg_class's OID (pg_description.classoid of relations and columns).
pub(super) const PG_CLASS_OID: u32 = 1259;
/// pg_proc's OID.
pub(super) const PG_PROC_OID: u32 = 1255;
/// pg_namespace's OID.
pub(super) const PG_NAMESPACE_OID: u32 = 2615;
/// pg_type's OID.
pub(super) const PG_TYPE_OID: u32 = 1247;
/// `internal` language.
pub(super) const INTERNAL_LANGUAGE: u32 = 12;

/// Row type of a table.
pub(super) fn table_rowtype(t: &TableInfo) -> u32 {
    t.oid + 1
}

/// Primary-key index of a table.
pub(super) fn pk_index_oid(t: &TableInfo) -> u32 {
    t.oid + 2
}

/// Primary-key constraint of a table.
pub(super) fn pk_constraint_oid(t: &TableInfo) -> u32 {
    t.oid + 3
}

/// Name of a table's primary key (index and constraint), as PostgreSQL names it.
pub(super) fn pk_name(t: &TableInfo) -> String {
    format!("{}_pkey", t.name)
}

/// OID of the default of column `attnum` (1-based) of a table.
pub(super) fn attrdef_oid(t: &TableInfo, attnum: usize) -> u32 {
    let id = (t.oid.saturating_sub(FIRST_USER_OID)) / 4;
    1_000_000_000u32
        .saturating_add(id.saturating_mul(1600))
        .saturating_add(attnum as u32)
}

/// A column as the catalog shows it.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub name: String,
    pub ty: DataType,
    pub not_null: bool,
    pub default: Option<String>,
}

/// A relation of pg_class.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rel<'a> {
    /// A stored table.
    Table(&'a TableInfo),
    /// A view.
    View(&'a ViewInfo),
    /// The primary-key index of a table.
    PkIndex(&'a TableInfo),
    /// A relation of pg_catalog or information_schema.
    System(&'static Relation),
}

impl Rel<'_> {
    pub fn oid(&self) -> u32 {
        match self {
            Rel::Table(t) => t.oid,
            Rel::View(v) => v.oid,
            Rel::PkIndex(t) => pk_index_oid(t),
            Rel::System(r) => r.def.oid,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Rel::Table(t) => t.name.clone(),
            Rel::View(v) => v.name.clone(),
            Rel::PkIndex(t) => pk_name(t),
            Rel::System(r) => r.def.name.to_string(),
        }
    }

    pub fn namespace(&self) -> u32 {
        match self {
            Rel::System(r) => r.namespace,
            _ => PUBLIC_NAMESPACE,
        }
    }

    pub fn kind(&self) -> char {
        match self {
            Rel::Table(_) => 'r',
            Rel::View(_) => 'v',
            Rel::PkIndex(_) => 'i',
            Rel::System(r) => r.def.kind,
        }
    }

    pub fn rowtype(&self) -> u32 {
        match self {
            Rel::Table(t) => table_rowtype(t),
            Rel::View(v) => v.oid + VIEW_ROWTYPE_OFFSET,
            Rel::PkIndex(_) => 0,
            Rel::System(r) => r.def.reltype,
        }
    }

    pub fn is_user(&self) -> bool {
        !matches!(self, Rel::System(_))
    }

    /// Columns (index key columns for an index).
    pub fn columns(&self) -> Vec<Column> {
        match self {
            Rel::Table(t) => t
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    not_null: !c.nullable,
                    default: c.default.clone(),
                })
                .collect(),
            Rel::View(v) => view_columns(v),
            Rel::PkIndex(t) => t
                .primary_key
                .iter()
                .filter_map(|&i| t.columns.get(i))
                .map(|c| Column {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    not_null: false,
                    default: None,
                })
                .collect(),
            Rel::System(r) => r
                .columns
                .iter()
                .map(|(n, t, _)| Column {
                    name: n.clone(),
                    ty: t.clone(),
                    not_null: false,
                    default: None,
                })
                .collect(),
        }
    }
}

/// The output columns of a view.
pub(super) fn view_columns(v: &ViewInfo) -> Vec<Column> {
    v.fields
        .iter()
        .map(|(name, oid, typmod)| Column {
            name: name.clone(),
            ty: type_with_typmod(*oid, *typmod),
            not_null: false,
            default: None,
        })
        .collect()
}

/// The type of OID `oid` with type modifier `typmod`.
pub(super) fn type_with_typmod(oid: u32, typmod: i32) -> DataType {
    let t = DataType::from_oid(oid).unwrap_or(DataType::Text);
    match t {
        DataType::Numeric(None) if typmod >= 4 => {
            let m = typmod - 4;
            DataType::Numeric(Some(((m >> 16) as u16, (m & 0xffff) as u16)))
        }
        DataType::Varchar(None) if typmod >= 4 => DataType::Varchar(Some((typmod - 4) as u32)),
        DataType::Bpchar(None) if typmod >= 4 => DataType::Bpchar(Some((typmod - 4) as u32)),
        t => t,
    }
}

/// Every relation of pg_class: user objects first, then the system relations.
pub(super) fn relations(catalog: &Catalog) -> Vec<Rel<'_>> {
    let mut out = Vec::new();
    for t in catalog.tables.values() {
        out.push(Rel::Table(t));
        if !t.primary_key.is_empty() {
            out.push(Rel::PkIndex(t));
        }
    }
    for v in catalog.views.values() {
        out.push(Rel::View(v));
    }
    out.extend(defs::relations().iter().map(Rel::System));
    out
}

/// A relation by OID.
pub(super) fn relation_by_oid(catalog: &Catalog, oid: u32) -> Option<Rel<'_>> {
    if let Some(t) = catalog.table_by_oid(oid) {
        return Some(Rel::Table(t));
    }
    if let Some(t) = catalog
        .tables
        .values()
        .find(|t| !t.primary_key.is_empty() && pk_index_oid(t) == oid)
    {
        return Some(Rel::PkIndex(t));
    }
    if let Some(v) = catalog.views.values().find(|v| v.oid == oid) {
        return Some(Rel::View(v));
    }
    defs::relations()
        .iter()
        .find(|r| r.def.oid == oid)
        .map(Rel::System)
}

/// A table by the OID of its primary-key constraint.
pub(super) fn table_by_constraint(catalog: &Catalog, oid: u32) -> Option<&Arc<TableInfo>> {
    catalog
        .tables
        .values()
        .find(|t| !t.primary_key.is_empty() && pk_constraint_oid(t) == oid)
}

/// A function overload as pg_proc shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcInfo {
    /// OID.
    pub oid: u32,
    /// Name.
    pub name: String,
    /// `f`, `a` or `w` (table functions are `f` returning a set).
    pub kind: char,
    /// Argument type OIDs (polymorphic ones as anyelement, anyarray, "any").
    pub args: Vec<u32>,
    /// Element type of a variadic tail (0 if none).
    pub variadic: u32,
    /// Number of trailing arguments that may be omitted.
    pub defaults: usize,
    /// Return type OID.
    pub ret: u32,
    /// Returns a set.
    pub retset: bool,
    /// Output columns of a table function.
    pub columns: Vec<(String, u32)>,
    /// Description.
    pub description: String,
    /// Built in (pg_catalog) rather than registered by an extension (public).
    pub builtin: bool,
}

impl ProcInfo {
    /// Namespace OID.
    pub fn namespace(&self) -> u32 {
        if self.builtin {
            PG_CATALOG_NAMESPACE
        } else {
            PUBLIC_NAMESPACE
        }
    }
}

fn arg_oid(a: &ArgType) -> u32 {
    match a {
        ArgType::Exact(t) => t.oid(),
        ArgType::AnyElement => 2283,
        ArgType::AnyArray => 2277,
        ArgType::Any => 2276,
    }
}

fn ret_oid(sig: &Signature) -> u32 {
    match &sig.ret {
        ReturnType::Exact(t) => t.oid(),
        ReturnType::Element => 2283,
        ReturnType::ArrayOfElement => 2277,
        ReturnType::SameAs(i) => sig.args.get(*i).map_or(2283, arg_oid),
        ReturnType::Computed(_) => {
            let concrete: Option<Vec<DataType>> = sig
                .args
                .iter()
                .map(|a| match a {
                    ArgType::Exact(t) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            concrete
                .and_then(|args| sig.return_type(&args, None).ok())
                .map_or(2283, |t| t.oid())
        }
    }
}

/// Names of the functions that are part of plantdb itself (the rest come from extensions).
fn builtin_names() -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut r = Registry::with_builtins();
        super::register(&mut r);
        r.all().into_iter().map(|f| f.0).collect()
    })
}

/// pg_proc rows of the registry's functions, one per overload in `Registry::all` order.
pub fn proc_infos(registry: &Registry) -> Vec<ProcInfo> {
    let builtin = builtin_names();
    registry
        .all()
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind, sig, description))| {
            let args: Vec<u32> = sig.args.iter().map(arg_oid).collect();
            let (retset, columns, ret) = if kind == 't' {
                let cols = table_columns(registry, &name, &sig);
                let ret = match cols.as_slice() {
                    [(_, t)] => *t,
                    _ => DataType::Record.oid(),
                };
                (true, cols, ret)
            } else {
                (false, Vec::new(), ret_oid(&sig))
            };
            ProcInfo {
                oid: FIRST_FUNCTION_OID + i as u32,
                builtin: builtin.contains(&name),
                kind: if kind == 't' { 'f' } else { kind },
                args,
                variadic: sig.variadic.as_ref().map_or(0, arg_oid),
                defaults: sig.optional,
                ret,
                retset,
                columns,
                description,
                name,
            }
        })
        .collect()
}

/// Output columns of a table function, for its declared argument types.
fn table_columns(registry: &Registry, name: &str, sig: &Signature) -> Vec<(String, u32)> {
    let types: Vec<DataType> = sig
        .args
        .iter()
        .map(|a| match a {
            ArgType::Exact(t) => t.clone(),
            ArgType::AnyArray => DataType::Array(Box::new(DataType::Text)),
            _ => DataType::Text,
        })
        .collect();
    registry
        .tables(name)
        .iter()
        .find(|f| f.signature.args == sig.args)
        .and_then(|f| (f.columns)(&types).ok())
        .map(|cols| cols.into_iter().map(|(n, t)| (n, t.oid())).collect())
        .unwrap_or_default()
}

/// Name of a type as `format_type(oid, typmod)` prints it (`typmod` None for SQL NULL, as
/// `regtype` output does), or None when unknown.
pub(super) fn type_display(catalog: &Catalog, oid: u32, typmod: Option<i32>) -> Option<String> {
    if let Some(t) = DataType::from_oid(oid) {
        return Some(builtin_display(&t, oid, typmod));
    }
    if let Some(d) = defs::type_def(oid) {
        // A true array (not int2vector, oidvector or name): the element's name with [].
        if d.category == 'A'
            && d.elem != 0
            && d.storage != 'p'
            && let Some(e) = type_display(catalog, d.elem, typmod)
        {
            return Some(format!("{e}[]"));
        }
        return Some(match d.name {
            "any" => "\"any\"".to_string(),
            "char" => "\"char\"".to_string(),
            n => n.to_string(),
        });
    }
    if let Some(t) = catalog.tables.values().find(|t| table_rowtype(t) == oid) {
        return Some(t.name.clone());
    }
    catalog
        .views
        .values()
        .find(|v| v.oid + VIEW_ROWTYPE_OFFSET == oid)
        .map(|v| v.name.clone())
}

fn builtin_display(t: &DataType, oid: u32, typmod: Option<i32>) -> String {
    match t {
        DataType::Array(e) => format!("{}[]", builtin_display(e, e.oid(), typmod)),
        DataType::Bpchar(_) => match typmod {
            None => "character".into(),
            Some(m) if m >= 4 => format!("character({})", m - 4),
            Some(_) => "bpchar".into(),
        },
        _ => type_with_typmod(oid, typmod.unwrap_or(-1)).display_name(),
    }
}
