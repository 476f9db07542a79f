//! information_schema views: schemata, tables, columns, views, constraints, routines, ...
use super::Ctx;
use super::model::{self, Column, Rel, pk_name};
use super::relations::pk_attnums;
use super::rowset::{RowSet, int, opt, s};
use crate::catalog::{PUBLIC_NAMESPACE, TableInfo};
use crate::error::Result;
use crate::types::{DataType, Value};

fn yes(v: bool) -> Value {
    s(if v { "YES" } else { "NO" })
}

fn schema_of(ns: u32) -> &'static str {
    super::server::NAMESPACES
        .iter()
        .find(|(o, _)| *o == ns)
        .map_or("public", |(_, n)| n)
}

pub(super) fn schemata(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let owner = super::server::role_name(cx.catalog, model::SUPERUSER_OID).unwrap_or_default();
    let mut names: Vec<&str> = super::server::NAMESPACES.iter().map(|(_, n)| *n).collect();
    names.sort_unstable();
    for n in names {
        out.row()
            .set("catalog_name", s(&cx.eval.database))
            .set("schema_name", s(n))
            .set("schema_owner", s(&owner));
    }
    Ok(())
}

pub(super) fn tables(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for rel in model::relations(cx.catalog)
        .into_iter()
        .filter(|r| matches!(r.kind(), 'r' | 'v'))
    {
        let view = rel.kind() == 'v';
        out.row()
            .set("table_catalog", s(&cx.eval.database))
            .set("table_schema", s(schema_of(rel.namespace())))
            .set("table_name", s(&rel.name()))
            .set("table_type", s(if view { "VIEW" } else { "BASE TABLE" }))
            .set("is_insertable_into", yes(!view))
            .set("is_typed", yes(false));
    }
    Ok(())
}

/// `data_type` of information_schema.columns: the type name without modifiers, `ARRAY` for
/// arrays.
fn data_type_name(ty: &DataType) -> String {
    match ty {
        DataType::Array(_) => "ARRAY".into(),
        DataType::Bpchar(_) => "character".into(),
        DataType::Char => "\"char\"".into(),
        t => t.base().display_name(),
    }
}

/// (character_maximum_length, character_octet_length) of a column type.
pub(super) fn char_lengths(ty: &DataType) -> (Value, Value) {
    match ty {
        DataType::Varchar(Some(n)) | DataType::Bpchar(Some(n)) => {
            (int(i64::from(*n)), int(i64::from(*n) * 4))
        }
        DataType::Varchar(None) | DataType::Text | DataType::Bpchar(None) => {
            (Value::Null, int(1_073_741_824))
        }
        _ => (Value::Null, Value::Null),
    }
}

/// datetime_precision of a column type.
pub(super) fn datetime_precision(ty: &DataType) -> Value {
    match ty {
        DataType::Date => int(0),
        DataType::Time | DataType::Timestamp | DataType::Timestamptz | DataType::Interval => int(6),
        _ => Value::Null,
    }
}

/// (numeric_precision, numeric_precision_radix, numeric_scale).
pub(super) fn numeric_facts(ty: &DataType) -> (Value, Value, Value) {
    let n = |p: i64, r: i64, sc: Option<i64>| (int(p), int(r), sc.map_or(Value::Null, int));
    match ty {
        DataType::Int2 => n(16, 2, Some(0)),
        DataType::Int4 => n(32, 2, Some(0)),
        DataType::Int8 => n(64, 2, Some(0)),
        DataType::Float4 => n(24, 2, None),
        DataType::Float8 => n(53, 2, None),
        DataType::Numeric(Some((p, sc))) => n(i64::from(*p), 10, Some(i64::from(*sc))),
        DataType::Numeric(None) => (Value::Null, int(10), Value::Null),
        _ => (Value::Null, Value::Null, Value::Null),
    }
}

fn column_row(out: &mut RowSet, cx: &Ctx<'_>, rel: &Rel<'_>, i: usize, c: &Column) {
    let default = match (rel, &c.default) {
        (Rel::Table(_), Some(d)) => Some(super::deparse::default_expr(d, &c.ty, cx.eval)),
        _ => None,
    };
    let (max_len, octets) = char_lengths(&c.ty);
    let datetime = datetime_precision(&c.ty);
    let (precision, radix, scale) = numeric_facts(&c.ty);
    let udt = match &c.ty {
        DataType::Array(e) => format!("_{}", e.typname()),
        t => t.typname().to_string(),
    };
    let updatable = matches!(rel, Rel::Table(_));
    out.row()
        .set("table_catalog", s(&cx.eval.database))
        .set("table_schema", s(schema_of(rel.namespace())))
        .set("table_name", s(&rel.name()))
        .set("column_name", s(&c.name))
        .set("ordinal_position", int(i as i64 + 1))
        .set("column_default", opt(default.as_deref()))
        .set("is_nullable", yes(!c.not_null))
        .set("data_type", s(&data_type_name(&c.ty)))
        .set("character_maximum_length", max_len)
        .set("character_octet_length", octets)
        .set("numeric_precision", precision)
        .set("numeric_precision_radix", radix)
        .set("numeric_scale", scale)
        .set("datetime_precision", datetime)
        .set("udt_catalog", s(&cx.eval.database))
        .set("udt_schema", s("pg_catalog"))
        .set("udt_name", s(&udt))
        .set("dtd_identifier", s(&(i + 1).to_string()))
        .set("is_self_referencing", yes(false))
        .set("is_identity", yes(false))
        .set("identity_cycle", yes(false))
        .set("is_generated", s("NEVER"))
        .set("is_updatable", yes(updatable));
}

pub(super) fn columns(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for rel in model::relations(cx.catalog)
        .into_iter()
        .filter(|r| matches!(r.kind(), 'r' | 'v'))
    {
        for (i, c) in rel.columns().iter().enumerate() {
            column_row(out, cx, &rel, i, c);
        }
    }
    Ok(())
}

pub(super) fn views(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for v in cx.catalog.views.values() {
        out.row()
            .set("table_catalog", s(&cx.eval.database))
            .set("table_schema", s("public"))
            .set("table_name", s(&v.name))
            .set("view_definition", s(&super::functions::view_definition(v)))
            .set("check_option", s("NONE"))
            .set("is_updatable", yes(false))
            .set("is_insertable_into", yes(false))
            .set("is_trigger_updatable", yes(false))
            .set("is_trigger_deletable", yes(false))
            .set("is_trigger_insertable_into", yes(false));
    }
    Ok(())
}

/// Name PostgreSQL gives the NOT NULL check of column `attnum` in information_schema.
fn not_null_name(t: &TableInfo, attnum: usize) -> String {
    format!("{PUBLIC_NAMESPACE}_{}_{attnum}_not_null", t.oid)
}

pub(super) fn table_constraints(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let db = &cx.eval.database;
    let mut add = |t: &TableInfo, name: &str, kind: &str| {
        out.row()
            .set("constraint_catalog", s(db))
            .set("constraint_schema", s("public"))
            .set("constraint_name", s(name))
            .set("table_catalog", s(db))
            .set("table_schema", s("public"))
            .set("table_name", s(&t.name))
            .set("constraint_type", s(kind))
            .set("is_deferrable", yes(false))
            .set("initially_deferred", yes(false))
            .set("enforced", yes(true));
    };
    for t in cx.catalog.tables.values() {
        if !t.primary_key.is_empty() {
            add(t, &pk_name(t), "PRIMARY KEY");
        }
        for (i, c) in t.columns.iter().enumerate() {
            if !c.nullable {
                add(t, &not_null_name(t, i + 1), "CHECK");
            }
        }
    }
    Ok(())
}

pub(super) fn check_constraints(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in cx.catalog.tables.values() {
        for (i, c) in t.columns.iter().enumerate().filter(|(_, c)| !c.nullable) {
            out.row()
                .set("constraint_catalog", s(&cx.eval.database))
                .set("constraint_schema", s("public"))
                .set("constraint_name", s(&not_null_name(t, i + 1)))
                .set("check_clause", s(&format!("{} IS NOT NULL", c.name)));
        }
    }
    Ok(())
}

/// key_column_usage (with_position) and constraint_column_usage (without).
pub(super) fn key_columns(out: &mut RowSet, cx: &Ctx<'_>, with_position: bool) -> Result<()> {
    let db = &cx.eval.database;
    for t in cx.catalog.tables.values().filter(|t| !t.primary_key.is_empty()) {
        for (pos, attnum) in pk_attnums(t).into_iter().enumerate() {
            let col = t.columns.get(attnum as usize - 1).map_or("", |c| c.name.as_str());
            let mut r = out.row();
            r.set("constraint_catalog", s(db))
                .set("constraint_schema", s("public"))
                .set("constraint_name", s(&pk_name(t)))
                .set("table_catalog", s(db))
                .set("table_schema", s("public"))
                .set("table_name", s(&t.name))
                .set("column_name", s(col));
            if with_position {
                r.set("ordinal_position", int(pos as i64 + 1));
            }
        }
    }
    Ok(())
}

pub(super) fn character_sets(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    out.row()
        .set("character_set_name", s("UTF8"))
        .set("character_repertoire", s("UCS"))
        .set("form_of_use", s("UTF8"))
        .set("default_collate_catalog", s(&cx.eval.database))
        .set("default_collate_schema", s("pg_catalog"))
        .set("default_collate_name", s("ucs_basic"));
    Ok(())
}

pub(super) fn catalog_name(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    out.row().set("catalog_name", s(&cx.eval.database));
    Ok(())
}

pub(super) fn enabled_roles(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    out.row().set("role_name", s(&cx.eval.user));
    Ok(())
}

pub(super) fn routines(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let db = &cx.eval.database;
    for p in cx.catalog.functions.iter() {
        let schema = schema_of(p.namespace());
        let specific = format!("{}_{}", p.name, p.oid);
        let ret = model::type_display(cx.catalog, p.ret, None).unwrap_or_default();
        out.row()
            .set("specific_catalog", s(db))
            .set("specific_schema", s(schema))
            .set("specific_name", s(&specific))
            .set("routine_catalog", s(db))
            .set("routine_schema", s(schema))
            .set("routine_name", s(&p.name))
            .set("routine_type", s("FUNCTION"))
            .set("data_type", s(if p.retset { "record" } else { &ret }))
            .set("type_udt_catalog", s(db))
            .set("type_udt_schema", s("pg_catalog"))
            .set("routine_body", s("EXTERNAL"))
            .set("external_name", s(&p.name))
            .set("external_language", s("INTERNAL"))
            .set("parameter_style", s("GENERAL"))
            .set("is_deterministic", yes(false))
            .set("sql_data_access", s("MODIFIES"))
            .set("is_null_call", yes(false))
            .set("schema_level_routine", yes(true))
            .set("is_user_defined_cast", yes(false))
            .set("is_implicitly_invocable", yes(false))
            .set("security_type", s("INVOKER"))
            .set("as_locator", yes(false))
            .set("is_udt_dependent", yes(false));
    }
    Ok(())
}

pub(super) fn parameters(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let db = &cx.eval.database;
    for p in cx.catalog.functions.iter() {
        let schema = schema_of(p.namespace());
        let specific = format!("{}_{}", p.name, p.oid);
        for (i, a) in p.args.iter().enumerate() {
            let ty = model::type_display(cx.catalog, *a, None).unwrap_or_default();
            out.row()
                .set("specific_catalog", s(db))
                .set("specific_schema", s(schema))
                .set("specific_name", s(&specific))
                .set("ordinal_position", int(i as i64 + 1))
                .set("parameter_mode", s("IN"))
                .set("is_result", yes(false))
                .set("as_locator", yes(false))
                .set("data_type", s(&ty))
                .set("udt_catalog", s(db))
                .set("udt_schema", s("pg_catalog"))
                .set("dtd_identifier", s(&(i + 1).to_string()));
        }
    }
    Ok(())
}
