//! pg_catalog and information_schema relations, generated from plantdb's own catalog.
//!
//! Every relation of PostgreSQL 15's `pg_catalog` and `information_schema` exists with
//! PostgreSQL's columns, column order and OID (`defs.rs`, exported into `pg15.rs`), so that
//! client catalog queries bind; relations plantdb has content for are filled at query time from
//! the [`crate::catalog::Catalog`], the function registry, the session's settings and the
//! storage engine's statistics, the others are empty. `model.rs` assigns the OIDs of user
//! objects, `functions.rs` holds the catalog functions (`format_type`, `pg_get_indexdef`, ...)
//! and `fallback.rs` the general-purpose functions client queries need until the built-in
//! library provides them.
mod defs;
mod deparse;
mod fallback;
mod functions;
mod info_schema;
mod model;
mod pg15;
mod relations;
mod rowset;
mod server;
mod types;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

pub use model::{ProcInfo, proc_infos};

use crate::catalog::{Catalog, INFORMATION_SCHEMA_NAMESPACE, PG_CATALOG_NAMESPACE, TableInfo};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::exec::{ExecCtx, Shared};
use crate::functions::Registry;
use crate::plan::Field;
use crate::types::DataType;
use crate::vector::Batch;
use rowset::RowSet;

/// Columns of a system relation (None when unknown). An unqualified name is looked up in
/// `pg_catalog` (which is always first on the search path).
pub fn columns(schema: Option<&str>, name: &str) -> Option<Vec<(String, DataType)>> {
    let ns = match schema {
        None | Some("pg_catalog") => PG_CATALOG_NAMESPACE,
        Some("information_schema") => INFORMATION_SCHEMA_NAMESPACE,
        Some(_) => return None,
    };
    defs::relation(ns, name).map(|r| r.columns.iter().map(|(n, t, _)| (n.clone(), t.clone())).collect())
}

/// Canonical key of a pg_catalog relation (information_schema ones are keyed
/// `information_schema.<name>` by the binder).
pub fn canonical(name: &str) -> String {
    name.to_string()
}

/// What the row generators read.
pub(crate) struct Ctx<'a> {
    catalog: &'a Catalog,
    eval: &'a EvalContext,
    shared: Option<&'a Shared>,
}

impl Ctx<'_> {
    /// (rows, bytes) stored for a table.
    fn table_stats(&self, t: &TableInfo) -> (u64, u64) {
        self.shared
            .and_then(|s| s.snapshot(&t.name).ok())
            .map_or((0, 0), |snap| {
                let bytes = snap.parts.iter().map(|p| p.meta.bytes).sum();
                (snap.approx_rows(), bytes)
            })
    }
}

/// Rows of a system relation.
pub fn rows(name: &str, fields: &[Field], cx: &ExecCtx) -> Result<Vec<Batch>> {
    let (ns, rel) = match name.strip_prefix("information_schema.") {
        Some(r) => (INFORMATION_SCHEMA_NAMESPACE, r),
        None => (PG_CATALOG_NAMESPACE, name),
    };
    let relation = defs::relation(ns, rel).ok_or_else(|| {
        QueryError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        )
    })?;
    let shared = cx.shared()?;
    // Generated once per statement: correlated subqueries scan catalogs once per outer row.
    if let Some(b) = statement_cache(shared, relation, None) {
        return Ok(b);
    }
    let catalog: Arc<Catalog> = shared.catalog.clone();
    let ctx = Ctx {
        catalog: &catalog,
        eval: cx.eval(),
        shared: Some(shared),
    };
    let batches = match per_catalog(ns, rel) {
        true => cached(&catalog, relation, cx.eval(), || {
            generate(relation, ns, rel, fields, &ctx)
        })?,
        false => generate(relation, ns, rel, fields, &ctx)?,
    };
    statement_cache(shared, relation, Some(&batches));
    Ok(batches)
}

/// Rows generated for the statement `shared` belongs to: looked up (`keep` None) or kept.
/// Entries of finished statements are dropped (their `Shared` is gone).
fn statement_cache(
    shared: &Arc<Shared>,
    relation: &'static defs::Relation,
    keep: Option<&Vec<Batch>>,
) -> Option<Vec<Batch>> {
    type Entry = (Weak<Shared>, usize, Arc<Vec<Batch>>);
    static KEPT: OnceLock<Mutex<Vec<Entry>>> = OnceLock::new();
    let key = relation as *const defs::Relation as usize;
    let mut kept = KEPT.get_or_init(|| Mutex::new(Vec::new())).lock().ok()?;
    kept.retain(|(w, _, _)| w.strong_count() > 0);
    match keep {
        None => kept
            .iter()
            .find(|(w, r, _)| *r == key && w.as_ptr() == Arc::as_ptr(shared))
            .map(|(_, _, b)| (**b).clone()),
        Some(b) => {
            kept.push((Arc::downgrade(shared), key, Arc::new(b.clone())));
            None
        }
    }
}

fn generate(
    relation: &'static defs::Relation,
    ns: u32,
    name: &str,
    fields: &[Field],
    cx: &Ctx<'_>,
) -> Result<Vec<Batch>> {
    let mut out = RowSet::new(relation);
    fill(&mut out, ns, name, cx)?;
    out.into_batches(fields)
}

/// Relations whose rows depend on the catalog only (not on statistics or the session), and
/// are large enough to keep: they are generated once per catalog version.
fn per_catalog(ns: u32, name: &str) -> bool {
    match ns {
        INFORMATION_SCHEMA_NAMESPACE => matches!(name, "columns" | "routines" | "parameters"),
        _ => matches!(name, "pg_attribute" | "pg_type" | "pg_proc" | "pg_description"),
    }
}

/// Rows of a relation kept for the current catalog (a DDL statement makes a new catalog,
/// which drops what was kept for the old one).
fn cached(
    catalog: &Arc<Catalog>,
    relation: &'static defs::Relation,
    eval: &EvalContext,
    make: impl FnOnce() -> Result<Vec<Batch>>,
) -> Result<Vec<Batch>> {
    type Kept = (Arc<Catalog>, HashMap<(usize, String), Arc<Vec<Batch>>>);
    static KEPT: OnceLock<Mutex<Option<Kept>>> = OnceLock::new();
    let kept = KEPT.get_or_init(|| Mutex::new(None));
    // Defaults print in the session's time zone; the database name appears in information_schema.
    let session = format!("{}|{}", eval.database, eval.setting("timezone").unwrap_or(""));
    let key = (relation as *const defs::Relation as usize, session);
    if let Ok(k) = kept.lock()
        && let Some((c, m)) = k.as_ref()
        && Arc::ptr_eq(c, catalog)
        && let Some(b) = m.get(&key)
    {
        return Ok((**b).clone());
    }
    let batches = make()?;
    if let Ok(mut k) = kept.lock() {
        match k.as_mut() {
            Some((c, m)) if Arc::ptr_eq(c, catalog) => {
                m.insert(key, Arc::new(batches.clone()));
            }
            _ => *k = Some((catalog.clone(), HashMap::from([(key, Arc::new(batches.clone()))]))),
        }
    }
    Ok(batches)
}

fn fill(out: &mut RowSet, ns: u32, name: &str, cx: &Ctx<'_>) -> Result<()> {
    if ns == INFORMATION_SCHEMA_NAMESPACE {
        return match name {
            "schemata" => info_schema::schemata(out, cx),
            "tables" => info_schema::tables(out, cx),
            "columns" => info_schema::columns(out, cx),
            "views" => info_schema::views(out, cx),
            "table_constraints" => info_schema::table_constraints(out, cx),
            "check_constraints" => info_schema::check_constraints(out, cx),
            "key_column_usage" => info_schema::key_columns(out, cx, true),
            "constraint_column_usage" => info_schema::key_columns(out, cx, false),
            "character_sets" => info_schema::character_sets(out, cx),
            "information_schema_catalog_name" => info_schema::catalog_name(out, cx),
            "enabled_roles" => info_schema::enabled_roles(out, cx),
            "routines" => info_schema::routines(out, cx),
            "parameters" => info_schema::parameters(out, cx),
            _ => Ok(()),
        };
    }
    match name {
        "pg_namespace" => server::pg_namespace(out, cx),
        "pg_class" => relations::pg_class(out, cx),
        "pg_attribute" => relations::pg_attribute(out, cx),
        "pg_attrdef" => relations::pg_attrdef(out, cx),
        "pg_index" => relations::pg_index(out, cx),
        "pg_constraint" => relations::pg_constraint(out, cx),
        "pg_description" => relations::pg_description(out, cx),
        "pg_tables" => relations::pg_tables(out, cx),
        "pg_views" => relations::pg_views(out, cx),
        "pg_indexes" => relations::pg_indexes(out, cx),
        "pg_stat_user_tables" | "pg_stat_all_tables" => relations::pg_stat_tables(out, cx),
        "pg_statio_user_tables" | "pg_statio_all_tables" => relations::pg_statio_tables(out, cx),
        "pg_stat_user_indexes" | "pg_stat_all_indexes" => relations::pg_stat_indexes(out, cx),
        "pg_type" => types::pg_type(out, cx),
        "pg_proc" => types::pg_proc(out, cx),
        "pg_am" => types::pg_am(out),
        "pg_opclass" => types::pg_opclass(out),
        "pg_collation" => types::pg_collation(out),
        "pg_language" => types::pg_language(out),
        "pg_database" => server::pg_database(out, cx),
        "pg_roles" => server::pg_roles(out, cx, false),
        "pg_authid" => server::pg_roles(out, cx, true),
        "pg_user" | "pg_shadow" => server::pg_user(out, cx),
        "pg_tablespace" => server::pg_tablespace(out),
        "pg_settings" => server::pg_settings(out, cx),
        "pg_stat_activity" => server::pg_stat_activity(out, cx),
        "pg_stat_database" => server::pg_stat_database(out, cx),
        "pg_timezone_names" => server::pg_timezone_names(out, cx),
        _ => Ok(()),
    }
}

/// (name, OID) of every system relation, for regclass lookups.
pub fn relation_oids() -> Vec<(String, u32)> {
    defs::relations()
        .iter()
        .map(|r| (r.def.name.to_string(), r.def.oid))
        .collect()
}

/// Registers the catalog functions, and general-purpose functions client catalog queries need
/// that the registry does not have yet. Call after the built-ins and extensions. The catalog's
/// functions replace same-named built-ins: they answer from the catalog itself.
pub fn register(r: &mut Registry) {
    let mut own = Registry::new();
    functions::register(&mut own);
    r.overlay(own);
    fallback::register(r);
}

/// PostgreSQL 15's default of a configuration parameter plantdb does not track itself (`jit`).
pub fn setting_default(name: &str) -> Option<&'static str> {
    defs::setting_def(name).map(|d| d.boot_val)
}

/// OID of a type-support function of PostgreSQL's (`array_in`, `int4recv`, ...).
pub fn builtin_proc_oid(name: &str) -> Option<u32> {
    defs::proc_by_name(name).map(|p| p.oid)
}

/// Name of a type-support function of PostgreSQL's.
pub fn builtin_proc_name(oid: u32) -> Option<String> {
    defs::proc_def(oid).map(|p| p.name.to_string())
}

/// OID of a type by name, as `regtype` reads it: SQL names (`integer`, `text[]`), internal
/// names (`int4`, `_text`, `trigger`) and the row types of tables and views.
pub fn type_oid(catalog: &Catalog, name: &str) -> Option<u32> {
    let n = name.trim();
    let n = n.strip_prefix("pg_catalog.").unwrap_or(n);
    if let Some(t) = DataType::parse_name(n) {
        return Some(t.oid());
    }
    let lower = n.trim_matches('"').to_ascii_lowercase();
    let bare = lower.strip_prefix("public.").unwrap_or(&lower);
    if let Some(elem) = bare.strip_suffix("[]") {
        return type_oid(catalog, elem)
            .and_then(defs::type_def)
            .map(|t| t.array)
            .filter(|&a| a != 0);
    }
    if let Some(t) = defs::type_by_name(bare) {
        return Some(t.oid);
    }
    if let Some(t) = catalog.table(bare) {
        return Some(model::table_rowtype(t));
    }
    catalog
        .views
        .get(bare)
        .map(|v| v.oid + model::VIEW_ROWTYPE_OFFSET)
}

/// Name of a type as `regtype` prints it.
pub fn type_name(catalog: &Catalog, oid: u32) -> Option<String> {
    model::type_display(catalog, oid, None)
}
