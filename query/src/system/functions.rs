//! SQL functions that read the catalog: `format_type`, `pg_get_expr`, `pg_get_indexdef`,
//! `pg_get_constraintdef`, `pg_get_viewdef`, `obj_description`, `col_description`,
//! `pg_get_userbyid`, the `pg_*_is_visible` family, `to_reg*`, sizes, privileges, and the
//! stubs clients call for features plantdb does not have (triggers, partitions, sequences).
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use super::defs;
use super::model::{self, PG_CLASS_OID, PG_NAMESPACE_OID, PG_PROC_OID, PG_TYPE_OID};
use crate::catalog::{Catalog, INFORMATION_SCHEMA_NAMESPACE, PG_CATALOG_NAMESPACE, TableInfo, ViewInfo};
use crate::context::EvalContext;
use crate::error::Result;
use crate::functions::{
    ArgType, BatchIter, Registry, ReturnType, ScalarFunction, Signature, TableFunction, Volatility,
};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Descriptions PostgreSQL ships for its namespaces.
pub(super) const NAMESPACE_COMMENTS: [(u32, &str); 3] = [
    (
        super::server::PG_TOAST_NAMESPACE,
        "reserved schema for TOAST tables",
    ),
    (PG_CATALOG_NAMESPACE, "system catalog schema"),
    (crate::catalog::PUBLIC_NAMESPACE, "standard public schema"),
];

/// `name` quoted when PostgreSQL's `quote_ident` would quote it.
pub(super) fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain && !RESERVED.contains(&name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Reserved keywords that `quote_ident` quotes (PostgreSQL's reserved and type-function names).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// `CREATE UNIQUE INDEX ...` of a table's primary key, or key column `col` (1-based) alone;
/// the pretty form does not qualify the (visible) table with its schema.
pub(super) fn index_definition(t: &TableInfo, col: i64, pretty: bool) -> String {
    let cols: Vec<String> = t
        .primary_key
        .iter()
        .filter_map(|&i| t.columns.get(i))
        .map(|c| quote_ident(&c.name))
        .collect();
    if col > 0 {
        return cols.get(col as usize - 1).cloned().unwrap_or_default();
    }
    format!(
        "CREATE UNIQUE INDEX {} ON {}{} USING btree ({})",
        quote_ident(&model::pk_name(t)),
        if pretty { "" } else { "public." },
        quote_ident(&t.name),
        cols.join(", ")
    )
}

/// `PRIMARY KEY (...)` of a table.
pub(super) fn constraint_definition(t: &TableInfo) -> String {
    let cols: Vec<String> = t
        .primary_key
        .iter()
        .filter_map(|&i| t.columns.get(i))
        .map(|c| quote_ident(&c.name))
        .collect();
    format!("PRIMARY KEY ({})", cols.join(", "))
}

/// A view's definition as `pg_get_viewdef` returns it (the stored query, PostgreSQL's layout of
/// a leading space and a trailing semicolon).
pub(super) fn view_definition(v: &ViewInfo) -> String {
    format!(" {};", v.sql.trim().trim_end_matches(';'))
}

/// The comment on an object, as pg_description holds it.
pub(super) fn description(catalog: &Catalog, objoid: u32, classoid: u32, sub: i64) -> Option<String> {
    match classoid {
        PG_CLASS_OID => {
            if let Some(t) = catalog.table_by_oid(objoid) {
                return if sub == 0 {
                    t.comment.clone()
                } else {
                    usize::try_from(sub - 1)
                        .ok()
                        .and_then(|i| t.column_comments.get(&i).cloned())
                };
            }
            catalog
                .views
                .values()
                .find(|v| v.oid == objoid && sub == 0)
                .and_then(|v| v.comment.clone())
        }
        PG_PROC_OID => catalog
            .functions
            .iter()
            .find(|p| p.oid == objoid && !p.description.is_empty())
            .map(|p| p.description.clone()),
        PG_TYPE_OID => defs::type_def(objoid)
            .filter(|t| !t.description.is_empty())
            .map(|t| t.description.to_string()),
        PG_NAMESPACE_OID => NAMESPACE_COMMENTS
            .iter()
            .find(|(o, _)| *o == objoid)
            .map(|(_, d)| d.to_string()),
        _ => None,
    }
}

fn catalog_of(ctx: &EvalContext) -> Option<Arc<Catalog>> {
    ctx.catalog.catalog()
}

fn oid_arg(v: &Value) -> Option<u32> {
    v.as_int().and_then(|i| u32::try_from(i).ok())
}

fn text(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::str)
}

fn stable(
    name: &str,
    args: &[DataType],
    ret: DataType,
    body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
) -> ScalarFunction {
    ScalarFunction::strict_rows(name, Signature::exact(args, ret), Volatility::Stable, body)
}

/// Registers `f` for each argument list.
fn overloads(
    r: &mut Registry,
    name: &str,
    arg_lists: &[&[DataType]],
    ret: DataType,
    body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + Clone + 'static,
) {
    for args in arg_lists {
        r.register_scalar(stable(name, args, ret.clone(), body.clone()));
    }
}

/// Registers the catalog functions.
pub(super) fn register(r: &mut Registry) {
    use DataType::*;
    register_names(r);
    register_definitions(r);
    register_descriptions(r);
    register_visibility(r);
    register_sizes(r);
    register_privileges(r);
    register_stubs(r);
    overloads(
        r,
        "pg_get_expr",
        &[&[Text, Oid], &[Text, Oid, Bool]],
        Text,
        |_, a| Ok(a[0].clone()),
    );
    register_info_schema_helpers(r);
}

/// information_schema's helpers `_pg_char_max_length(typid, typmod)` and friends.
fn register_info_schema_helpers(r: &mut Registry) {
    use super::info_schema::{char_lengths, datetime_precision, numeric_facts};
    use DataType::*;
    type Fact = fn(&DataType) -> Value;
    let facts: [(&str, Fact); 6] = [
        ("_pg_char_max_length", |t| char_lengths(t).0),
        ("_pg_char_octet_length", |t| char_lengths(t).1),
        ("_pg_numeric_precision", |t| numeric_facts(t).0),
        ("_pg_numeric_precision_radix", |t| numeric_facts(t).1),
        ("_pg_numeric_scale", |t| numeric_facts(t).2),
        ("_pg_datetime_precision", datetime_precision),
    ];
    for (name, fact) in facts {
        r.register_scalar(stable(name, &[Oid, Int4], Int4, move |_, a| {
            let o = oid_arg(&a[0]).unwrap_or(0);
            let typmod = a[1].as_int().unwrap_or(-1) as i32;
            Ok(match DataType::from_oid(o) {
                Some(_) => fact(&model::type_with_typmod(o, typmod)),
                None => Value::Null,
            })
        }));
    }
    r.register_scalar(stable("_pg_interval_type", &[Oid, Int4], Text, |_, _| {
        Ok(Value::Null)
    }));
}

fn register_names(r: &mut Registry) {
    use DataType::*;
    r.register_scalar(stable("pg_get_userbyid", &[Oid], Name, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let name = catalog_of(ctx).and_then(|c| super::server::role_name(&c, o));
        Ok(Value::str(name.unwrap_or_else(|| format!("unknown (OID={o})"))))
    }));
    r.register_scalar(ScalarFunction::rows(
        "format_type",
        Signature::exact(&[Oid, Int4], Text),
        Volatility::Stable,
        false,
        |ctx, a| {
            let Some(o) = oid_arg(&a[0]) else {
                return Ok(Value::Null);
            };
            let typmod = a[1].as_int().map(|m| m as i32);
            let cat = catalog_of(ctx).unwrap_or_default();
            Ok(Value::str(
                model::type_display(&cat, o, typmod).unwrap_or_else(|| "???".into()),
            ))
        },
    ));
    for (name, ty) in [
        ("to_regclass", RegClass),
        ("to_regtype", RegType),
        ("to_regproc", RegProc),
        ("to_regprocedure", RegProc),
        ("to_regnamespace", RegNamespace),
    ] {
        let out = ty.clone();
        r.register_scalar(stable(name, &[Text], ty, move |ctx, a| {
            let s = a[0].as_str().unwrap_or("");
            Ok(crate::types::text::parse_value(s, &out, ctx).unwrap_or(Value::Null))
        }));
    }
    r.register_scalar(stable("to_regrole", &[Text], Oid, |ctx, a| {
        let s = a[0].as_str().unwrap_or("");
        Ok(catalog_of(ctx)
            .and_then(|c| c.roles.get(s).map(|r| Value::Int(i64::from(r.oid))))
            .unwrap_or(Value::Null))
    }));
    overloads(r, "pg_encoding_to_char", &[&[Int4]], Name, |_, a| {
        Ok(Value::str(match a[0].as_int() {
            Some(0) => "SQL_ASCII",
            Some(6) => "UTF8",
            Some(8) => "LATIN1",
            _ => "",
        }))
    });
    overloads(r, "pg_char_to_encoding", &[&[Name]], Int4, |_, a| {
        Ok(Value::Int(
            match a[0].as_str().map(str::to_ascii_uppercase).as_deref() {
                Some("SQL_ASCII") => 0,
                Some("UTF8") | Some("UTF-8") => 6,
                Some("LATIN1") => 8,
                _ => -1,
            },
        ))
    });
}

fn register_definitions(r: &mut Registry) {
    use DataType::*;
    let indexdef = |ctx: &EvalContext, a: &[Value]| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let col = a.get(1).and_then(Value::as_int).unwrap_or(0);
        let pretty = a.get(2).and_then(Value::as_bool).unwrap_or(false);
        Ok(text(catalog_of(ctx).and_then(|c| {
            c.tables
                .values()
                .find(|t| !t.primary_key.is_empty() && model::pk_index_oid(t) == o)
                .map(|t| index_definition(t, col, pretty))
        })))
    };
    overloads(
        r,
        "pg_get_indexdef",
        &[&[Oid], &[Oid, Int4, Bool]],
        Text,
        indexdef,
    );
    let condef = |ctx: &EvalContext, a: &[Value]| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        Ok(text(catalog_of(ctx).and_then(|c| {
            model::table_by_constraint(&c, o).map(|t| constraint_definition(t))
        })))
    };
    overloads(r, "pg_get_constraintdef", &[&[Oid], &[Oid, Bool]], Text, condef);
    let viewdef = |ctx: &EvalContext, a: &[Value]| {
        let cat = catalog_of(ctx).unwrap_or_default();
        let view = match &a[0] {
            Value::Str(name) => {
                let n = name.trim_start_matches("public.");
                cat.views.get(n).cloned()
            }
            v => oid_arg(v).and_then(|o| cat.views.values().find(|x| x.oid == o).cloned()),
        };
        Ok(text(view.map(|v| view_definition(&v))))
    };
    overloads(
        r,
        "pg_get_viewdef",
        &[&[Oid], &[Oid, Bool], &[Oid, Int4], &[Text], &[Text, Bool]],
        Text,
        viewdef,
    );
    let args_of = |ctx: &EvalContext, a: &[Value], result: bool| -> Value {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let cat = catalog_of(ctx).unwrap_or_default();
        let shown = |t: u32| model::type_display(&cat, t, None).unwrap_or_else(|| t.to_string());
        if let Some(p) = cat.functions.iter().find(|p| p.oid == o) {
            if result {
                return Value::str(match (p.retset, p.columns.len()) {
                    (true, n) if n > 1 => {
                        let cols: Vec<String> = p
                            .columns
                            .iter()
                            .map(|(n, t)| format!("{n} {}", shown(*t)))
                            .collect();
                        format!("TABLE({})", cols.join(", "))
                    }
                    (true, _) => format!("SETOF {}", shown(p.ret)),
                    _ => shown(p.ret),
                });
            }
            let mut parts: Vec<String> = p.args.iter().map(|t| shown(*t)).collect();
            if p.variadic != 0 {
                parts.push(format!("VARIADIC {}", shown(p.variadic)));
            }
            return Value::str(parts.join(", "));
        }
        match defs::proc_def(o) {
            Some(p) if result => Value::str(shown(p.ret)),
            Some(p) => Value::str(
                p.args
                    .split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .map(shown)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => Value::Null,
        }
    };
    r.register_scalar(stable("pg_get_function_result", &[Oid], Text, move |ctx, a| {
        Ok(args_of(ctx, a, true))
    }));
    for name in ["pg_get_function_arguments", "pg_get_function_identity_arguments"] {
        r.register_scalar(stable(name, &[Oid], Text, move |ctx, a| {
            Ok(args_of(ctx, a, false))
        }));
    }
    for name in [
        "pg_get_triggerdef",
        "pg_get_ruledef",
        "pg_get_statisticsobjdef",
        "pg_get_statisticsobjdef_columns",
        "pg_get_partkeydef",
        "pg_get_functiondef",
    ] {
        overloads(r, name, &[&[Oid], &[Oid, Bool]], Text, |_, _| Ok(Value::Null));
    }
    overloads(r, "pg_get_serial_sequence", &[&[Text, Text]], Text, |_, _| {
        Ok(Value::Null)
    });
}

fn register_descriptions(r: &mut Registry) {
    use DataType::*;
    let class_oid = |name: &str| -> u32 {
        let n = name.trim().trim_start_matches("pg_catalog.");
        defs::relation(PG_CATALOG_NAMESPACE, n).map_or(0, |r| r.def.oid)
    };
    overloads(r, "obj_description", &[&[Oid, Name]], Text, move |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let class = class_oid(a[1].as_str().unwrap_or(""));
        Ok(text(catalog_of(ctx).and_then(|c| description(&c, o, class, 0))))
    });
    overloads(r, "obj_description", &[&[Oid]], Text, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        Ok(text(catalog_of(ctx).and_then(|c| {
            [PG_CLASS_OID, PG_PROC_OID, PG_TYPE_OID, PG_NAMESPACE_OID]
                .iter()
                .find_map(|&k| description(&c, o, k, 0))
        })))
    });
    overloads(r, "col_description", &[&[Oid, Int4]], Text, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let sub = a[1].as_int().unwrap_or(0);
        Ok(text(
            catalog_of(ctx).and_then(|c| description(&c, o, PG_CLASS_OID, sub)),
        ))
    });
    overloads(r, "shobj_description", &[&[Oid, Name]], Text, |_, _| {
        Ok(Value::Null)
    });
}

fn register_visibility(r: &mut Registry) {
    use DataType::*;
    overloads(r, "pg_table_is_visible", &[&[Oid]], Bool, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let Some(cat) = catalog_of(ctx) else {
            return Ok(Value::Null);
        };
        Ok(match model::relation_by_oid(&cat, o) {
            Some(rel) => Value::Bool(rel.namespace() != INFORMATION_SCHEMA_NAMESPACE),
            None => Value::Null,
        })
    });
    overloads(r, "pg_type_is_visible", &[&[Oid]], Bool, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let cat = catalog_of(ctx).unwrap_or_default();
        Ok(match model::type_display(&cat, o, None) {
            Some(_) => Value::Bool(true),
            None => Value::Null,
        })
    });
    overloads(r, "pg_function_is_visible", &[&[Oid]], Bool, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        let cat = catalog_of(ctx).unwrap_or_default();
        let known = cat.functions.iter().any(|p| p.oid == o) || defs::proc_def(o).is_some();
        Ok(if known { Value::Bool(true) } else { Value::Null })
    });
    for name in [
        "pg_collation_is_visible",
        "pg_opclass_is_visible",
        "pg_opfamily_is_visible",
        "pg_operator_is_visible",
        "pg_conversion_is_visible",
        "pg_statistics_obj_is_visible",
        "pg_ts_config_is_visible",
        "pg_ts_dict_is_visible",
        "pg_ts_parser_is_visible",
        "pg_ts_template_is_visible",
    ] {
        overloads(r, name, &[&[Oid]], Bool, |_, _| Ok(Value::Bool(true)));
    }
    overloads(r, "pg_relation_is_publishable", &[&[RegClass]], Bool, |ctx, a| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        Ok(Value::Bool(
            catalog_of(ctx).is_some_and(|c| c.table_by_oid(o).is_some()),
        ))
    });
    overloads(r, "pg_partition_root", &[&[RegClass]], RegClass, |_, a| {
        Ok(a[0].clone())
    });
    // A table that is not partitioned is its own only ancestor.
    overloads(r, "pg_partition_ancestors", &[&[RegClass]], RegClass, |_, a| {
        Ok(a[0].clone())
    });
    r.register_table(TableFunction {
        name: "pg_partition_ancestors".into(),
        signature: Signature::exact(&[RegClass], RegClass),
        columns: Arc::new(|_| Ok(vec![("relid".to_string(), DataType::RegClass)])),
        kernel: Arc::new(|_, args, _| {
            let v = args.first().cloned().unwrap_or(Value::Null);
            let rows = if v.is_null() { Vec::new() } else { vec![v] };
            Ok(one_batch(vec![(DataType::RegClass, rows)]))
        }),
        description: "ancestors of a partition (the relation itself: plantdb has no partitioned tables)"
            .into(),
    });
    r.register_table(TableFunction {
        name: "_pg_expandarray".into(),
        signature: Signature::new(vec![ArgType::AnyArray], ReturnType::Element),
        columns: Arc::new(|types| {
            let elem = match types.first() {
                Some(DataType::Array(e)) => (**e).clone(),
                _ => DataType::Text,
            };
            Ok(vec![("x".to_string(), elem), ("n".to_string(), DataType::Int4)])
        }),
        kernel: Arc::new(|_, args, types| {
            let elem = match types.first() {
                Some(DataType::Array(e)) => (**e).clone(),
                _ => DataType::Text,
            };
            let items: Vec<Value> = match args.first() {
                Some(Value::Array(a)) => a.items.clone(),
                _ => Vec::new(),
            };
            let n = (1..=items.len() as i64).map(Value::Int).collect();
            Ok(one_batch(vec![(elem, items), (DataType::Int4, n)]))
        }),
        description: "the elements of an array with their positions (information_schema helper)".into(),
    });
}

/// A table function result of one batch, from columns of values.
pub(super) fn one_batch(cols: Vec<(DataType, Vec<Value>)>) -> BatchIter {
    let n = cols.first().map_or(0, |c| c.1.len());
    if n == 0 {
        return Box::new(std::iter::empty());
    }
    let vectors = cols.into_iter().map(|(t, v)| Vector::from_values(t, v)).collect();
    Box::new(std::iter::once(Ok(Batch::new(vectors, n))))
}

fn register_sizes(r: &mut Registry) {
    use DataType::*;
    let table_bytes = |ctx: &EvalContext, a: &[Value]| {
        let o = oid_arg(&a[0]).unwrap_or(0);
        Ok(match ctx.catalog.table_size(o) {
            Some((_, bytes)) => Value::Int(bytes as i64),
            None => match ctx
                .catalog
                .catalog()
                .and_then(|c| model::relation_by_oid(&c, o).map(|r| r.is_user()))
            {
                Some(_) => Value::Int(0),
                None => Value::Null,
            },
        })
    };
    overloads(
        r,
        "pg_relation_size",
        &[&[RegClass], &[RegClass, Text]],
        Int8,
        table_bytes,
    );
    overloads(r, "pg_table_size", &[&[RegClass]], Int8, table_bytes);
    overloads(r, "pg_total_relation_size", &[&[RegClass]], Int8, table_bytes);
    overloads(r, "pg_indexes_size", &[&[RegClass]], Int8, |_, _| {
        Ok(Value::Int(0))
    });
    let db_size = |ctx: &EvalContext, _: &[Value]| {
        let Some(cat) = catalog_of(ctx) else {
            return Ok(Value::Int(0));
        };
        let total: u64 = cat
            .tables
            .values()
            .filter_map(|t| ctx.catalog.table_size(t.oid).map(|s| s.1))
            .sum();
        Ok(Value::Int(total as i64))
    };
    overloads(r, "pg_database_size", &[&[Name], &[Oid]], Int8, db_size);
    overloads(r, "pg_tablespace_location", &[&[Oid]], Text, |_, _| {
        Ok(Value::str(""))
    });
    overloads(r, "pg_stat_get_numscans", &[&[Oid]], Int8, |_, _| {
        Ok(Value::Int(0))
    });
}

/// Whether the current user holds `privilege` on the table named or numbered by `table`.
fn table_privilege(ctx: &EvalContext, user: Option<&Value>, table: &Value, privilege: &str) -> Value {
    let Some(cat) = catalog_of(ctx) else {
        return Value::Bool(true);
    };
    let who = match user {
        Some(Value::Str(s)) => s.to_string(),
        Some(v) => oid_arg(v)
            .and_then(|o| super::server::role_name(&cat, o))
            .unwrap_or_default(),
        None => ctx.user.clone(),
    };
    let Some(role) = cat.roles.get(&who) else {
        return Value::Bool(true);
    };
    if role.superuser {
        return Value::Bool(true);
    }
    let name = match table {
        Value::Str(s) => s.trim_start_matches("public.").trim_matches('"').to_string(),
        v => oid_arg(v)
            .and_then(|o| model::relation_by_oid(&cat, o).map(|r| r.name()))
            .unwrap_or_default(),
    };
    let system = cat.table(&name).is_none() && !cat.views.contains_key(&name);
    let wants_write = privilege
        .split(',')
        .map(|p| p.trim().to_ascii_uppercase())
        .any(|p| !matches!(p.as_str(), "SELECT" | "REFERENCES" | "TRIGGER"));
    let read = system || role.select.iter().any(|s| s == "*" || *s == name);
    Value::Bool(if wants_write { role.can_write } else { read })
}

fn register_privileges(r: &mut Registry) {
    let any = |n: usize| Signature::new(vec![ArgType::Any; n], ReturnType::Exact(DataType::Bool));
    r.register_scalar(ScalarFunction::strict_rows(
        "has_table_privilege",
        any(2),
        Volatility::Stable,
        |ctx, a| {
            Ok(table_privilege(
                ctx,
                None,
                &a[0],
                a[1].as_str().unwrap_or("SELECT"),
            ))
        },
    ));
    r.register_scalar(ScalarFunction::strict_rows(
        "has_table_privilege",
        any(3),
        Volatility::Stable,
        |ctx, a| {
            Ok(table_privilege(
                ctx,
                Some(&a[0]),
                &a[1],
                a[2].as_str().unwrap_or("SELECT"),
            ))
        },
    ));
    for name in ["has_any_column_privilege", "has_sequence_privilege"] {
        r.register_scalar(ScalarFunction::strict_rows(
            name,
            any(2),
            Volatility::Stable,
            |ctx, a| {
                Ok(table_privilege(
                    ctx,
                    None,
                    &a[0],
                    a[1].as_str().unwrap_or("SELECT"),
                ))
            },
        ));
        r.register_scalar(ScalarFunction::strict_rows(
            name,
            any(3),
            Volatility::Stable,
            |ctx, a| {
                Ok(table_privilege(
                    ctx,
                    Some(&a[0]),
                    &a[1],
                    a[2].as_str().unwrap_or("SELECT"),
                ))
            },
        ));
    }
    r.register_scalar(ScalarFunction::strict_rows(
        "has_column_privilege",
        any(3),
        Volatility::Stable,
        |ctx, a| {
            Ok(table_privilege(
                ctx,
                None,
                &a[0],
                a[2].as_str().unwrap_or("SELECT"),
            ))
        },
    ));
    r.register_scalar(ScalarFunction::strict_rows(
        "has_column_privilege",
        any(4),
        Volatility::Stable,
        |ctx, a| {
            Ok(table_privilege(
                ctx,
                Some(&a[0]),
                &a[1],
                a[3].as_str().unwrap_or("SELECT"),
            ))
        },
    ));
    for name in [
        "has_schema_privilege",
        "has_database_privilege",
        "has_function_privilege",
        "has_tablespace_privilege",
        "has_type_privilege",
        "has_language_privilege",
        "has_foreign_data_wrapper_privilege",
        "has_server_privilege",
        "pg_has_role",
    ] {
        for n in [2, 3] {
            r.register_scalar(ScalarFunction::strict_rows(
                name,
                any(n),
                Volatility::Stable,
                |_, _| Ok(Value::Bool(true)),
            ));
        }
    }
}

/// Process start, for `pg_postmaster_start_time()`.
fn start_time_us() -> i64 {
    static START: OnceLock<i64> = OnceLock::new();
    *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64)
    })
}

fn register_stubs(r: &mut Registry) {
    use DataType::*;
    start_time_us();
    for name in ["pg_postmaster_start_time", "pg_conf_load_time"] {
        r.register_scalar(stable(name, &[], Timestamptz, |_, _| {
            Ok(Value::Int(start_time_us()))
        }));
    }
    r.register_scalar(stable("pg_is_in_recovery", &[], Bool, |_, _| {
        Ok(Value::Bool(false))
    }));
    static XID: AtomicI64 = AtomicI64::new(1000);
    for name in ["txid_current", "pg_current_xact_id"] {
        r.register_scalar(ScalarFunction::strict_rows(
            name,
            Signature::exact(&[], Int8),
            Volatility::Volatile,
            |_, _| Ok(Value::Int(XID.fetch_add(1, Ordering::Relaxed))),
        ));
    }
    for name in ["txid_current_if_assigned", "pg_current_xact_id_if_assigned"] {
        r.register_scalar(stable(name, &[], Int8, |_, _| Ok(Value::Null)));
    }
    r.register_scalar(stable("pg_my_temp_schema", &[], Oid, |_, _| Ok(Value::Int(0))));
    overloads(r, "pg_is_other_temp_schema", &[&[Oid]], Bool, |_, _| {
        Ok(Value::Bool(false))
    });
    for name in ["inet_server_addr", "inet_client_addr"] {
        r.register_scalar(stable(name, &[], Text, |_, _| Ok(Value::Null)));
    }
    for name in ["inet_server_port", "inet_client_port"] {
        r.register_scalar(stable(name, &[], Int4, |_, _| Ok(Value::Null)));
    }
    r.register_table(TableFunction {
        name: "pg_get_keywords".into(),
        signature: Signature::exact(&[], Text),
        columns: Arc::new(|_| {
            Ok(vec![
                ("word".into(), Text),
                ("catcode".into(), Char),
                ("barelabel".into(), Bool),
                ("catdesc".into(), Text),
                ("baredesc".into(), Text),
            ])
        }),
        kernel: Arc::new(|_, _, _| {
            let words: Vec<&str> = sqlparser::keywords::ALL_KEYWORDS.to_vec();
            let n = words.len();
            let reserved = |w: &str| RESERVED.contains(&w);
            let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
            Ok(one_batch(vec![
                (Text, lower.iter().map(Value::str).collect()),
                (
                    Char,
                    lower
                        .iter()
                        .map(|w| Value::str(if reserved(w) { "R" } else { "U" }))
                        .collect(),
                ),
                (Bool, vec![Value::Bool(true); n]),
                (
                    Text,
                    lower
                        .iter()
                        .map(|w| Value::str(if reserved(w) { "reserved" } else { "unreserved" }))
                        .collect(),
                ),
                (Text, vec![Value::str("can be bare label"); n]),
            ]))
        }),
        description: "list of SQL keywords".into(),
    });
}
