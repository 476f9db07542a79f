//! pg_catalog relations about tables, views, columns, indexes and constraints: pg_class,
//! pg_attribute, pg_attrdef, pg_index, pg_constraint, pg_description and the views over them
//! (pg_tables, pg_views, pg_indexes, pg_stat_*_tables, ...).
use super::Ctx;
use super::defs;
use super::model::{
    self, BTREE_AM, HEAP_AM, PG_CLASS_OID, PG_PROC_OID, PG_TYPE_OID, Rel, SUPERUSER_OID, attrdef_oid,
    pk_constraint_oid, pk_index_oid, pk_name,
};
use super::rowset::{RowSet, b, ch, int, int2s, oid, oids, opt, s};
use crate::catalog::{PUBLIC_NAMESPACE, TableInfo};
use crate::error::Result;
use crate::types::{DataType, Value};

/// Storage facts of a type: (typlen, typbyval, typalign, typstorage, typcollation).
pub(super) fn storage_of(ty: &DataType) -> (i16, bool, char, char, u32) {
    match defs::type_def(ty.oid()) {
        Some(d) => (d.len, d.byval, d.align, d.storage, d.collation),
        None => (ty.typlen(), ty.typlen() > 0 && ty.typlen() <= 8, 'i', 'x', 0),
    }
}

/// Catalogs shared by all databases of a PostgreSQL cluster (tablespace pg_global).
const SHARED_CATALOGS: &[&str] = &[
    "pg_auth_members",
    "pg_authid",
    "pg_database",
    "pg_db_role_setting",
    "pg_parameter_acl",
    "pg_replication_origin",
    "pg_shdepend",
    "pg_shdescription",
    "pg_shseclabel",
    "pg_subscription",
    "pg_tablespace",
];

fn is_shared(rel: &Rel<'_>) -> bool {
    matches!(rel, Rel::System(r) if r.def.kind == 'r' && SHARED_CATALOGS.contains(&r.def.name))
}

fn owner_name(cx: &Ctx<'_>) -> String {
    super::server::role_name(cx.catalog, SUPERUSER_OID).unwrap_or_else(|| "plantdb".into())
}

fn namespace_name(ns: u32) -> &'static str {
    match ns {
        crate::catalog::PG_CATALOG_NAMESPACE => "pg_catalog",
        crate::catalog::INFORMATION_SCHEMA_NAMESPACE => "information_schema",
        _ => "public",
    }
}

pub(super) fn pg_class(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for rel in model::relations(cx.catalog) {
        let (rows, bytes) = match rel {
            Rel::Table(t) | Rel::PkIndex(t) => cx.table_stats(t),
            _ => (0, 0),
        };
        let kind = rel.kind();
        let (am, filenode) = match kind {
            'r' => (HEAP_AM, rel.oid()),
            'i' => (BTREE_AM, rel.oid()),
            _ => (0, 0),
        };
        let tuples = match rel {
            Rel::Table(_) | Rel::PkIndex(_) => rows as f64,
            _ => -1.0,
        };
        let has_index = matches!(rel, Rel::Table(t) if !t.primary_key.is_empty());
        out.row()
            .set("oid", oid(rel.oid()))
            .set("relname", s(&rel.name()))
            .set("relnamespace", oid(rel.namespace()))
            .set("reltype", oid(rel.rowtype()))
            .set("reloftype", oid(0))
            .set("relowner", oid(SUPERUSER_OID))
            .set("relam", oid(am))
            .set("relfilenode", oid(filenode))
            .set("reltablespace", oid(if is_shared(&rel) { 1664 } else { 0 }))
            .set("relpages", int((bytes / 8192) as i64))
            .set("reltuples", Value::Float(tuples))
            .set("relallvisible", int(0))
            .set("reltoastrelid", oid(0))
            .set("relhasindex", b(has_index))
            .set("relisshared", b(is_shared(&rel)))
            .set("relpersistence", ch('p'))
            .set("relkind", ch(kind))
            .set("relnatts", int(rel.columns().len() as i64))
            .set("relchecks", int(0))
            .set("relhasrules", b(kind == 'v'))
            .set("relhastriggers", b(false))
            .set("relhassubclass", b(false))
            .set("relrowsecurity", b(false))
            .set("relforcerowsecurity", b(false))
            .set("relispopulated", b(true))
            .set("relreplident", ch(if kind == 'r' { 'd' } else { 'n' }))
            .set("relispartition", b(false))
            .set("relrewrite", oid(0))
            .set("relfrozenxid", oid(0))
            .set("relminmxid", oid(0));
    }
    Ok(())
}

/// System columns of every table: (name, attnum, type OID, length, byval, align).
const SYSTEM_COLUMNS: [(&str, i64, u32, i64, bool, char); 6] = [
    ("tableoid", -6, 26, 4, true, 'i'),
    ("cmax", -5, 29, 4, true, 'i'),
    ("xmax", -4, 28, 4, true, 'i'),
    ("cmin", -3, 29, 4, true, 'i'),
    ("xmin", -2, 28, 4, true, 'i'),
    ("ctid", -1, 27, 6, false, 's'),
];

pub(super) fn pg_attribute(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for rel in model::relations(cx.catalog) {
        if rel.kind() == 'r' {
            for (name, num, ty, len, byval, align) in SYSTEM_COLUMNS {
                out.row()
                    .set("attrelid", oid(rel.oid()))
                    .set("attname", s(name))
                    .set("atttypid", oid(ty))
                    .set("attstattarget", int(0))
                    .set("attlen", int(len))
                    .set("attnum", int(num))
                    .set("attndims", int(0))
                    .set("attcacheoff", int(-1))
                    .set("atttypmod", int(-1))
                    .set("attbyval", b(byval))
                    .set("attalign", ch(align))
                    .set("attstorage", ch('p'))
                    .set("attcompression", s(""))
                    .set("attnotnull", b(true))
                    .set("atthasdef", b(false))
                    .set("atthasmissing", b(false))
                    .set("attidentity", s(""))
                    .set("attgenerated", s(""))
                    .set("attisdropped", b(false))
                    .set("attislocal", b(true))
                    .set("attinhcount", int(0))
                    .set("attcollation", oid(0));
            }
        }
        let is_index = rel.kind() == 'i';
        for (i, c) in rel.columns().iter().enumerate() {
            let (len, byval, align, storage, collation) = storage_of(&c.ty);
            out.row()
                .set("attrelid", oid(rel.oid()))
                .set("attname", s(&c.name))
                .set("atttypid", oid(c.ty.oid()))
                .set("attstattarget", int(-1))
                .set("attlen", int(i64::from(len)))
                .set("attnum", int(i as i64 + 1))
                .set("attndims", int(i64::from(matches!(c.ty, DataType::Array(_)))))
                .set("attcacheoff", int(-1))
                .set("atttypmod", int(i64::from(c.ty.typmod())))
                .set("attbyval", b(byval))
                .set("attalign", ch(align))
                .set("attstorage", ch(storage))
                .set("attcompression", s(""))
                .set("attnotnull", b(c.not_null && !is_index))
                .set("atthasdef", b(c.default.is_some()))
                .set("atthasmissing", b(false))
                .set("attidentity", s(""))
                .set("attgenerated", s(""))
                .set("attisdropped", b(false))
                .set("attislocal", b(true))
                .set("attinhcount", int(0))
                .set("attcollation", oid(collation));
        }
    }
    Ok(())
}

pub(super) fn pg_attrdef(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values() {
        for (i, c) in t.columns.iter().enumerate() {
            if let Some(d) = &c.default {
                out.row()
                    .set("oid", oid(attrdef_oid(t, i + 1)))
                    .set("adrelid", oid(t.oid))
                    .set("adnum", int(i as i64 + 1))
                    .set("adbin", s(&super::deparse::default_expr(d, &c.ty, cx.eval)));
            }
        }
    }
    Ok(())
}

/// Attribute numbers (1-based) of a table's primary key.
pub(super) fn pk_attnums(t: &TableInfo) -> Vec<i64> {
    t.primary_key.iter().map(|&i| i as i64 + 1).collect()
}

pub(super) fn pg_index(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values().filter(|t| !t.primary_key.is_empty()) {
        let keys: Vec<&DataType> = t
            .primary_key
            .iter()
            .filter_map(|&i| t.columns.get(i))
            .map(|c| &c.ty)
            .collect();
        let n = keys.len() as i64;
        out.row()
            .set("indexrelid", oid(pk_index_oid(t)))
            .set("indrelid", oid(t.oid))
            .set("indnatts", int(n))
            .set("indnkeyatts", int(n))
            .set("indisunique", b(true))
            .set("indnullsnotdistinct", b(false))
            .set("indisprimary", b(true))
            .set("indisexclusion", b(false))
            .set("indimmediate", b(true))
            .set("indisclustered", b(false))
            .set("indisvalid", b(true))
            .set("indcheckxmin", b(false))
            .set("indisready", b(true))
            .set("indislive", b(true))
            .set("indisreplident", b(false))
            .set("indkey", int2s(0, pk_attnums(t)))
            .set("indcollation", oids(0, keys.iter().map(|t| storage_of(t).4)))
            .set("indclass", oids(0, keys.iter().map(|t| opclass_of(t))))
            .set("indoption", int2s(0, keys.iter().map(|_| 0)));
    }
    Ok(())
}

/// The default btree operator class of a type (0 when none).
fn opclass_of(ty: &DataType) -> u32 {
    let oid = match ty {
        DataType::Varchar(_) | DataType::Name => DataType::Text.oid(),
        t => t.oid(),
    };
    super::pg15::OPCLASSES
        .iter()
        .find(|o| o.intype == oid)
        .map_or(0, |o| o.oid)
}

pub(super) fn pg_constraint(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values().filter(|t| !t.primary_key.is_empty()) {
        out.row()
            .set("oid", oid(pk_constraint_oid(t)))
            .set("conname", s(&pk_name(t)))
            .set("connamespace", oid(PUBLIC_NAMESPACE))
            .set("contype", ch('p'))
            .set("condeferrable", b(false))
            .set("condeferred", b(false))
            .set("convalidated", b(true))
            .set("conrelid", oid(t.oid))
            .set("contypid", oid(0))
            .set("conindid", oid(pk_index_oid(t)))
            .set("conparentid", oid(0))
            .set("confrelid", oid(0))
            .set("confupdtype", s(" "))
            .set("confdeltype", s(" "))
            .set("confmatchtype", s(" "))
            .set("conislocal", b(true))
            .set("coninhcount", int(0))
            .set("connoinherit", b(true))
            .set("conkey", int2s(1, pk_attnums(t)));
    }
    Ok(())
}

pub(super) fn pg_description(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let mut add = |objoid: u32, classoid: u32, sub: i64, text: &str| {
        out.row()
            .set("objoid", oid(objoid))
            .set("classoid", oid(classoid))
            .set("objsubid", int(sub))
            .set("description", s(text));
    };
    for t in cx.catalog.tables.values() {
        if let Some(c) = &t.comment {
            add(t.oid, PG_CLASS_OID, 0, c);
        }
        for (i, c) in &t.column_comments {
            add(t.oid, PG_CLASS_OID, *i as i64 + 1, c);
        }
    }
    for v in cx.catalog.views.values() {
        if let Some(c) = &v.comment {
            add(v.oid, PG_CLASS_OID, 0, c);
        }
    }
    for p in cx.catalog.functions.iter().filter(|p| !p.description.is_empty()) {
        add(p.oid, PG_PROC_OID, 0, &p.description);
    }
    for (ns, text) in super::functions::NAMESPACE_COMMENTS {
        add(ns, super::model::PG_NAMESPACE_OID, 0, text);
    }
    for t in super::pg15::TYPES.iter().filter(|t| !t.description.is_empty()) {
        add(t.oid, PG_TYPE_OID, 0, t.description);
    }
    Ok(())
}

pub(super) fn pg_tables(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let owner = owner_name(cx);
    for rel in model::relations(cx.catalog)
        .into_iter()
        .filter(|r| r.kind() == 'r')
    {
        let has_index = matches!(rel, Rel::Table(t) if !t.primary_key.is_empty());
        out.row()
            .set("schemaname", s(namespace_name(rel.namespace())))
            .set("tablename", s(&rel.name()))
            .set("tableowner", s(&owner))
            .set(
                "tablespace",
                if is_shared(&rel) {
                    s("pg_global")
                } else {
                    Value::Null
                },
            )
            .set("hasindexes", b(has_index))
            .set("hasrules", b(false))
            .set("hastriggers", b(false))
            .set("rowsecurity", b(false));
    }
    Ok(())
}

pub(super) fn pg_views(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let owner = owner_name(cx);
    for rel in model::relations(cx.catalog)
        .into_iter()
        .filter(|r| r.kind() == 'v')
    {
        let def = match rel {
            Rel::View(v) => Some(super::functions::view_definition(v)),
            _ => None,
        };
        out.row()
            .set("schemaname", s(namespace_name(rel.namespace())))
            .set("viewname", s(&rel.name()))
            .set("viewowner", s(&owner))
            .set("definition", opt(def.as_deref()));
    }
    Ok(())
}

pub(super) fn pg_indexes(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values().filter(|t| !t.primary_key.is_empty()) {
        out.row()
            .set("schemaname", s("public"))
            .set("tablename", s(&t.name))
            .set("indexname", s(&pk_name(t)))
            .set("indexdef", s(&super::functions::index_definition(t, 0, false)));
    }
    Ok(())
}

/// pg_stat_user_tables and pg_stat_all_tables (user tables only: system catalogs have no counters).
pub(super) fn pg_stat_tables(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values() {
        let (rows, _) = cx.table_stats(t);
        let idx = if t.primary_key.is_empty() {
            Value::Null
        } else {
            int(0)
        };
        let mut r = out.row();
        r.set("relid", oid(t.oid))
            .set("schemaname", s("public"))
            .set("relname", s(&t.name))
            .set("idx_scan", idx.clone())
            .set("idx_tup_fetch", idx)
            .set("n_tup_ins", int(rows as i64))
            .set("n_live_tup", int(rows as i64));
        for c in [
            "seq_scan",
            "seq_tup_read",
            "n_tup_upd",
            "n_tup_del",
            "n_tup_hot_upd",
            "n_dead_tup",
            "n_mod_since_analyze",
            "n_ins_since_vacuum",
            "vacuum_count",
            "autovacuum_count",
            "analyze_count",
            "autoanalyze_count",
        ] {
            r.set(c, int(0));
        }
    }
    Ok(())
}

/// pg_statio_user_tables and pg_statio_all_tables: block counters, all zero.
pub(super) fn pg_statio_tables(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values() {
        let idx = if t.primary_key.is_empty() {
            Value::Null
        } else {
            int(0)
        };
        out.row()
            .set("relid", oid(t.oid))
            .set("schemaname", s("public"))
            .set("relname", s(&t.name))
            .set("heap_blks_read", int(0))
            .set("heap_blks_hit", int(0))
            .set("idx_blks_read", idx.clone())
            .set("idx_blks_hit", idx);
    }
    Ok(())
}

/// pg_stat_user_indexes and pg_stat_all_indexes.
pub(super) fn pg_stat_indexes(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values().filter(|t| !t.primary_key.is_empty()) {
        out.row()
            .set("relid", oid(t.oid))
            .set("indexrelid", oid(pk_index_oid(t)))
            .set("schemaname", s("public"))
            .set("relname", s(&t.name))
            .set("indexrelname", s(&pk_name(t)))
            .set("idx_scan", int(0))
            .set("idx_tup_read", int(0))
            .set("idx_tup_fetch", int(0));
    }
    Ok(())
}
