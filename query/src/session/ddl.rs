//! DDL: CREATE TABLE (with time-series options), CREATE TABLE AS, views, DROP, ALTER TABLE,
//! COMMENT ON.
use std::collections::BTreeMap;

use plantdb_storage::{ColumnDef, ColumnRole, DAY_US, DedupPolicy, Fill, Scalar, TableOptions, TableSchema};
use sqlparser::ast::{self, ColumnOption, ObjectType, SqlOption, TableConstraint};

use super::{Session, StatementResult};
use crate::bind::{ident, object_name, sql_type};
use crate::catalog::{VIEW_PREFIX, ViewInfo};
use crate::error::{QueryError, Result, sqlstate};
use crate::exec::convert::physical_of;
use crate::parse::ParsedStatement;
use crate::types::{DataType, Interval};
use crate::vector::Vector;

fn table_name(n: &ast::ObjectName) -> Result<String> {
    let parts = object_name(n);
    match &parts[..] {
        [t] => Ok(t.clone()),
        [s, t] if s == "public" => Ok(t.clone()),
        [s, _] => Err(QueryError::new(
            sqlstate::INVALID_SCHEMA_NAME,
            format!("schema \"{s}\" does not exist"),
        )
        .with_hint("plantdb keeps user tables in schema public.")),
        _ => Err(QueryError::new(
            sqlstate::SYNTAX_ERROR,
            format!("improper qualified name: {n}"),
        )),
    }
}

pub(super) fn option_text(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        ast::Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}

fn interval_us(v: &str, what: &str) -> Result<i64> {
    let iv = Interval::parse(v).ok_or_else(|| {
        QueryError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid value for {what}: \"{v}\""),
        )
    })?;
    let us = iv.span_micros();
    if us <= 0 || us > i128::from(i64::MAX) {
        return Err(QueryError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("{what} must be a positive interval"),
        ));
    }
    Ok(us as i64)
}

/// Time-series options from `WITH (...)`.
struct TsOptions {
    timestamp: Option<String>,
    tags: Vec<String>,
    options: TableOptions,
}

fn ts_options(opts: &ast::CreateTableOptions) -> Result<TsOptions> {
    let mut out = TsOptions {
        timestamp: None,
        tags: Vec::new(),
        options: TableOptions::default(),
    };
    let list = match opts {
        ast::CreateTableOptions::With(v) | ast::CreateTableOptions::Options(v) => v.clone(),
        ast::CreateTableOptions::None => Vec::new(),
        _ => return crate::error::unsupported("these table options"),
    };
    for o in list {
        let SqlOption::KeyValue { key, value } = o else {
            return crate::error::unsupported(format!("table option {o}"));
        };
        let k = object_name(&key).join(".");
        let v = option_text(&value);
        match k.as_str() {
            "timestamp" | "time_column" => out.timestamp = Some(v.to_ascii_lowercase()),
            "tags" => {
                out.tags = v
                    .split(',')
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            "partition" | "partition_by" => out.options.partition_us = interval_us(&v, "partition")?,
            "ttl" | "retention" => out.options.ttl_us = Some(interval_us(&v, "ttl")?),
            "dedup" => {
                out.options.dedup = match v.to_ascii_lowercase().as_str() {
                    "last" | "keep_last" => DedupPolicy::KeepLast,
                    "none" | "all" | "keep_all" | "off" => DedupPolicy::KeepAll,
                    _ => {
                        return Err(QueryError::new(
                            sqlstate::INVALID_PARAMETER_VALUE,
                            format!("invalid value for dedup: \"{v}\""),
                        )
                        .with_hint("Use dedup = 'last' or dedup = 'none'."));
                    }
                }
            }
            "fillfactor" | "autovacuum_enabled" => {}
            _ => {
                return Err(QueryError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("unrecognized parameter \"{k}\""),
                )
                .with_hint("plantdb table options: timestamp, tags, partition, ttl, dedup."));
            }
        }
    }
    Ok(out)
}

/// A column being defined.
struct NewColumn {
    name: String,
    ty: DataType,
    not_null: bool,
    default: Option<String>,
    primary: bool,
}

/// Builds the storage schema from SQL columns and options.
fn schema_for(
    name: &str,
    cols: Vec<NewColumn>,
    mut pk: Vec<String>,
    ts: TsOptions,
    s: &mut Session,
) -> Result<TableSchema> {
    for c in &cols {
        if c.primary {
            pk.push(c.name.clone());
        }
    }
    let time = match &ts.timestamp {
        Some(t) if t != "none" => {
            let c = cols.iter().find(|c| &c.name == t).ok_or_else(|| {
                QueryError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{t}\" named in WITH (timestamp = ...) does not exist"),
                )
            })?;
            if !matches!(c.ty, DataType::Timestamp | DataType::Timestamptz) {
                return Err(QueryError::new(
                    sqlstate::DATATYPE_MISMATCH,
                    format!("time column \"{t}\" must be timestamp or timestamptz"),
                ));
            }
            Some(t.clone())
        }
        // `timestamp = 'none'`: a plain table.
        Some(_) => None,
        // Without the option, the first timestamp column declared NOT NULL (or in the primary
        // key) becomes the time column; a nullable one keeps PostgreSQL's semantics (NULLs allowed)
        // and the table is a plain table.
        None => cols
            .iter()
            .find(|c| {
                matches!(c.ty, DataType::Timestamp | DataType::Timestamptz)
                    && (c.not_null || c.primary || pk.contains(&c.name))
            })
            .map(|c| c.name.clone()),
    };
    for t in &ts.tags {
        let c = cols.iter().find(|c| &c.name == t).ok_or_else(|| {
            QueryError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("tag column \"{t}\" does not exist"),
            )
        })?;
        if !c.ty.is_string() {
            return Err(QueryError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("tag column \"{t}\" must be a text type"),
            ));
        }
    }
    if time.is_none() && !ts.tags.is_empty() {
        return Err(
            QueryError::new(sqlstate::INVALID_TABLE_DEFINITION, "tags need a time column")
                .with_hint("Add a timestamp column."),
        );
    }
    let mut options = ts.options;
    // A primary key over (tags…, time) means "one row per series and time": keep the last write.
    if let Some(t) = &time
        && !pk.is_empty()
    {
        let mut want: Vec<&String> = ts.tags.iter().chain(std::iter::once(t)).collect();
        let mut have: Vec<&String> = pk.iter().collect();
        want.sort();
        have.sort();
        if want == have {
            options.dedup = DedupPolicy::KeepLast;
            s.notice(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "primary key over the series and time: later writes replace earlier ones (dedup = 'last')",
            );
        } else {
            return Err(QueryError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "a primary key on a time-series table must be exactly its tags plus its time column",
            ));
        }
    }
    let columns = cols
        .iter()
        .map(|c| {
            let role = if Some(&c.name) == time.as_ref() {
                ColumnRole::Time
            } else if ts.tags.contains(&c.name) {
                ColumnRole::Tag
            } else {
                ColumnRole::Field
            };
            ColumnDef {
                name: c.name.clone(),
                ptype: physical_of(&c.ty),
                logical: c.ty.display_name(),
                role,
                nullable: !(c.not_null || c.primary || pk.contains(&c.name) || role == ColumnRole::Time),
                default: c.default.clone(),
                fill: None,
            }
        })
        .collect();
    let mut properties = BTreeMap::new();
    if !pk.is_empty() {
        properties.insert("primary_key".to_string(), pk.join(","));
    }
    if options.partition_us == 0 {
        options.partition_us = DAY_US;
    }
    Ok(TableSchema {
        id: 0,
        name: name.to_string(),
        columns,
        options,
        properties,
    })
}

pub(super) fn create_table(
    s: &mut Session,
    ps: &ParsedStatement,
    ct: &ast::CreateTable,
) -> Result<StatementResult> {
    super::roles::check_write(s, "CREATE TABLE")?;
    let name = table_name(&ct.name)?;
    let catalog = s.engine.catalog();
    if catalog.tables.contains_key(&name) || catalog.views.contains_key(&name) {
        if ct.if_not_exists {
            s.notice(
                sqlstate::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists, skipping"),
            );
            return Ok(StatementResult::Command {
                tag: "CREATE TABLE".into(),
            });
        }
        return Err(QueryError::new(
            sqlstate::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        ));
    }
    let ts = ts_options(&ct.table_options)?;
    if let Some(q) = &ct.query {
        return create_table_as(s, ps, &name, q, ts);
    }
    let mut cols = Vec::new();
    for c in &ct.columns {
        let mut nc = NewColumn {
            name: ident(&c.name),
            ty: sql_type(&c.data_type)?,
            not_null: false,
            default: None,
            primary: false,
        };
        for o in &c.options {
            match &o.option {
                ColumnOption::NotNull => nc.not_null = true,
                ColumnOption::Null => nc.not_null = false,
                ColumnOption::Default(e) => nc.default = Some(e.to_string()),
                ColumnOption::PrimaryKey(_) => nc.primary = true,
                ColumnOption::Unique(_) => {
                    return Err(QueryError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "UNIQUE constraints are not supported",
                    )
                    .with_hint("Use a PRIMARY KEY."));
                }
                ColumnOption::Check(_) => return crate::error::unsupported("CHECK constraints"),
                ColumnOption::ForeignKey(_) => return crate::error::unsupported("FOREIGN KEY constraints"),
                ColumnOption::Comment(_) | ColumnOption::Collation(_) => {}
                other => return crate::error::unsupported(format!("column option {other}")),
            }
        }
        if cols.iter().any(|x: &NewColumn| x.name == nc.name) {
            return Err(QueryError::new(
                sqlstate::DUPLICATE_COLUMN,
                format!("column \"{}\" specified more than once", nc.name),
            ));
        }
        cols.push(nc);
    }
    let mut pk = Vec::new();
    for c in &ct.constraints {
        match c {
            TableConstraint::PrimaryKey(p) => {
                for ic in &p.columns {
                    pk.push(match &ic.column.expr {
                        ast::Expr::Identifier(i) => ident(i),
                        other => other.to_string(),
                    });
                }
            }
            TableConstraint::Check(_) => return crate::error::unsupported("CHECK constraints"),
            TableConstraint::ForeignKey(_) => return crate::error::unsupported("FOREIGN KEY constraints"),
            _ => return crate::error::unsupported(format!("constraint {c}")),
        }
    }
    for k in &pk {
        if !cols.iter().any(|c| &c.name == k) {
            return Err(QueryError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{k}\" named in key does not exist"),
            ));
        }
    }
    if cols.is_empty() {
        return crate::error::unsupported("tables without columns");
    }
    let schema = schema_for(&name, cols, pk, ts, s)?;
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    s.engine.storage.create_table(schema)?;
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "CREATE TABLE".into(),
    })
}

fn create_table_as(
    s: &mut Session,
    ps: &ParsedStatement,
    name: &str,
    q: &ast::Query,
    ts: TsOptions,
) -> Result<StatementResult> {
    let eval = s.eval_context();
    let plan = s.plan_query(ps, q, None, &[], &eval)?;
    let cols: Vec<NewColumn> = plan
        .fields()
        .into_iter()
        .map(|f| NewColumn {
            name: f.name,
            ty: if f.ty == DataType::Unknown {
                DataType::Text
            } else {
                f.ty
            },
            not_null: false,
            default: None,
            primary: false,
        })
        .collect();
    let schema = schema_for(name, cols, Vec::new(), ts, s)?;
    {
        let engine = s.engine.clone();
        let _g = engine
            .ddl
            .lock()
            .map_err(|_| crate::error::internal("ddl lock"))?;
        s.engine.storage.create_table(schema)?;
        s.engine.refresh_catalog()?;
    }
    let batches = s.run_plan(&plan, eval, false)?;
    let n = super::dml::append_batches(s, name, batches)?;
    Ok(StatementResult::Command {
        tag: format!("SELECT {n}"),
    })
}

pub(super) fn create_view(
    s: &mut Session,
    ps: &ParsedStatement,
    cv: &ast::CreateView,
) -> Result<StatementResult> {
    super::roles::check_write(s, "CREATE VIEW")?;
    if cv.materialized {
        return crate::error::unsupported("materialized views");
    }
    let name = table_name(&cv.name)?;
    let catalog = s.engine.catalog();
    if catalog.tables.contains_key(&name) {
        if !cv.or_replace {
            return Err(QueryError::new(
                sqlstate::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        return Err(QueryError::new(
            sqlstate::WRONG_OBJECT_TYPE,
            format!("\"{name}\" is not a view"),
        ));
    }
    let existing = catalog.views.get(&name).cloned();
    if existing.is_some() && !cv.or_replace {
        if cv.if_not_exists {
            s.notice(
                sqlstate::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists, skipping"),
            );
            return Ok(StatementResult::Command {
                tag: "CREATE VIEW".into(),
            });
        }
        return Err(QueryError::new(
            sqlstate::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        ));
    }
    // Bind once to validate and to record the output columns.
    let eval = s.eval_context();
    let plan = s.plan_query(ps, &cv.query, None, &[], &eval)?;
    let columns: Vec<String> = cv.columns.iter().map(|c| ident(&c.name)).collect();
    if columns.len() > plan.fields().len() {
        return Err(QueryError::new(
            sqlstate::SYNTAX_ERROR,
            "CREATE VIEW specifies more column names than columns",
        ));
    }
    let fields = plan
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                columns.get(i).cloned().unwrap_or_else(|| f.name.clone()),
                f.ty.oid(),
                f.ty.typmod(),
            )
        })
        .collect();
    let oid = match &existing {
        Some(v) => v.oid,
        None => super::roles::next_oid(s)?,
    };
    let view = ViewInfo {
        name: name.clone(),
        oid,
        sql: cv.query.to_string(),
        columns,
        fields,
        comment: existing.and_then(|v| v.comment.clone()),
    };
    let json = serde_json::to_string(&view).map_err(|e| crate::error::internal(e.to_string()))?;
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    s.engine
        .storage
        .set_meta(&format!("{VIEW_PREFIX}{name}"), Some(json))?;
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "CREATE VIEW".into(),
    })
}

pub(super) fn drop(
    s: &mut Session,
    kind: &ObjectType,
    if_exists: bool,
    names: &[ast::ObjectName],
) -> Result<StatementResult> {
    super::roles::check_write(s, "DROP")?;
    let (tag, is_view) = match kind {
        ObjectType::Table => ("DROP TABLE", false),
        ObjectType::View => ("DROP VIEW", true),
        other => return crate::error::unsupported(format!("DROP {other}")),
    };
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    let catalog = s.engine.catalog();
    for n in names {
        let name = table_name(n)?;
        let exists = if is_view {
            catalog.views.contains_key(&name)
        } else {
            catalog.tables.contains_key(&name)
        };
        if !exists {
            if if_exists {
                let what = if is_view { "view" } else { "table" };
                s.notice(
                    sqlstate::UNDEFINED_TABLE,
                    format!("{what} \"{name}\" does not exist, skipping"),
                );
                continue;
            }
            if !is_view && catalog.views.contains_key(&name) {
                return Err(QueryError::new(
                    sqlstate::WRONG_OBJECT_TYPE,
                    format!("\"{name}\" is not a table"),
                )
                .with_hint("Use DROP VIEW to remove a view."));
            }
            if is_view && catalog.tables.contains_key(&name) {
                return Err(QueryError::new(
                    sqlstate::WRONG_OBJECT_TYPE,
                    format!("\"{name}\" is not a view"),
                )
                .with_hint("Use DROP TABLE to remove a table."));
            }
            let what = if is_view { "view" } else { "table" };
            return Err(QueryError::new(
                sqlstate::UNDEFINED_TABLE,
                format!("{what} \"{name}\" does not exist"),
            ));
        }
        if is_view {
            s.engine.storage.set_meta(&format!("{VIEW_PREFIX}{name}"), None)?;
        } else {
            s.engine.storage.drop_table(&name)?;
        }
    }
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command { tag: tag.into() })
}

/// The stored value of a new column's DEFAULT, which the rows already in the table take (as
/// PostgreSQL evaluates a non-volatile default once, at ALTER TABLE time).
fn fill_of(s: &Session, ty: &DataType, default: Option<&str>) -> Result<Option<Fill>> {
    let Some(text) = default else {
        return Ok(None);
    };
    let parsed = crate::parse::parse(&format!("SELECT {text}"))?;
    let Some(ps) = parsed.into_iter().next() else {
        return Err(crate::error::internal("default expression"));
    };
    let Some(ast::Statement::Query(q)) = &ps.stmt else {
        return Err(crate::error::internal("default expression"));
    };
    let eval = s.eval_context();
    let plan = s.plan_query(&ps, q, None, &[], &eval)?;
    let from = plan
        .fields()
        .first()
        .map(|f| f.ty.clone())
        .unwrap_or(DataType::Text);
    let batches = s.run_plan(&plan, eval.clone(), false)?;
    let v = batches
        .iter()
        .find(|b| !b.is_empty())
        .and_then(|b| b.columns.first().map(|c| c.value(0)))
        .unwrap_or(crate::types::Value::Null);
    let v = crate::types::cast::cast_value(&v, &from, ty, &eval)?;
    let col = crate::exec::convert::to_storage(&Vector::constant(v, ty.clone(), 1), physical_of(ty))?;
    Ok(match col.values.scalar(0) {
        _ if col.is_null(0) => None,
        Scalar::Null => None,
        Scalar::Bool(b) => Some(Fill::Bool(b)),
        Scalar::Int64(i) => Some(Fill::Int64(i)),
        Scalar::Float64(f) => Some(Fill::Float64(f)),
        Scalar::Bytes(b) => Some(Fill::Bytes(b.to_vec())),
    })
}

pub(super) fn alter_table(s: &mut Session, at: &ast::AlterTable) -> Result<StatementResult> {
    super::roles::check_write(s, "ALTER TABLE")?;
    let name = table_name(&at.name)?;
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    let catalog = s.engine.catalog();
    let Some(table) = catalog.tables.get(&name).cloned() else {
        if at.if_exists {
            s.notice(
                sqlstate::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist, skipping"),
            );
            return Ok(StatementResult::Command {
                tag: "ALTER TABLE".into(),
            });
        }
        return Err(QueryError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        ));
    };
    for op in &at.operations {
        match op {
            ast::AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                let cname = ident(&column_def.name);
                if table.column(&cname).is_some() {
                    if *if_not_exists {
                        s.notice(
                            sqlstate::DUPLICATE_COLUMN,
                            format!("column \"{cname}\" of relation \"{name}\" already exists, skipping"),
                        );
                        continue;
                    }
                    return Err(QueryError::new(
                        sqlstate::DUPLICATE_COLUMN,
                        format!("column \"{cname}\" of relation \"{name}\" already exists"),
                    ));
                }
                let ty = sql_type(&column_def.data_type)?;
                let mut not_null = false;
                let mut default = None;
                for o in &column_def.options {
                    match &o.option {
                        ColumnOption::NotNull => not_null = true,
                        ColumnOption::Null => {}
                        ColumnOption::Default(e) => default = Some(e.to_string()),
                        other => {
                            return crate::error::unsupported(format!(
                                "column option {other} in ALTER TABLE"
                            ));
                        }
                    }
                }
                let fill = fill_of(s, &ty, default.as_deref())?;
                if not_null && fill.is_none() && s.engine.storage.snapshot(&name)?.approx_rows() > 0 {
                    return Err(QueryError::new(
                        sqlstate::NOT_NULL_VIOLATION,
                        format!("column \"{cname}\" of relation \"{name}\" contains null values"),
                    ));
                }
                let def = ColumnDef {
                    name: cname,
                    ptype: physical_of(&ty),
                    logical: ty.display_name(),
                    role: ColumnRole::Field,
                    nullable: !not_null,
                    default,
                    fill,
                };
                s.engine.storage.add_column(&name, def)?;
            }
            ast::AlterTableOperation::SetOptionsParens { options }
            | ast::AlterTableOperation::SetTblProperties {
                table_properties: options,
            } => {
                let mut opts = table.schema.options.clone();
                for o in options {
                    let SqlOption::KeyValue { key, value } = o else {
                        return crate::error::unsupported(format!("option {o}"));
                    };
                    let k = object_name(key).join(".");
                    let v = option_text(value);
                    match k.as_str() {
                        "ttl" | "retention" => {
                            opts.ttl_us = if v.eq_ignore_ascii_case("none") {
                                None
                            } else {
                                Some(interval_us(&v, "ttl")?)
                            }
                        }
                        "partition" => opts.partition_us = interval_us(&v, "partition")?,
                        "dedup" => {
                            opts.dedup = if v.eq_ignore_ascii_case("last") {
                                DedupPolicy::KeepLast
                            } else {
                                DedupPolicy::KeepAll
                            }
                        }
                        _ => {
                            return Err(QueryError::new(
                                sqlstate::INVALID_PARAMETER_VALUE,
                                format!("unrecognized parameter \"{k}\""),
                            ));
                        }
                    }
                }
                s.engine.storage.set_options(&name, opts)?;
            }
            other => return crate::error::unsupported(format!("ALTER TABLE {other}")),
        }
    }
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "ALTER TABLE".into(),
    })
}

pub(super) fn comment(
    s: &mut Session,
    kind: &ast::CommentObject,
    name: &ast::ObjectName,
    text: Option<String>,
) -> Result<StatementResult> {
    super::roles::check_write(s, "COMMENT")?;
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    let parts = object_name(name);
    let catalog = s.engine.catalog();
    match kind {
        ast::CommentObject::Table | ast::CommentObject::View => {
            let t = table_name(name)?;
            if let Some(table) = catalog.tables.get(&t) {
                let mut props = table.schema.properties.clone();
                match text {
                    Some(c) => props.insert("comment".into(), c),
                    None => props.remove("comment"),
                };
                s.engine.storage.set_properties(&t, props)?;
            } else if let Some(v) = catalog.views.get(&t) {
                let mut v = (**v).clone();
                v.comment = text;
                let json = serde_json::to_string(&v).map_err(|e| crate::error::internal(e.to_string()))?;
                s.engine
                    .storage
                    .set_meta(&format!("{VIEW_PREFIX}{t}"), Some(json))?;
            } else {
                return Err(QueryError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("relation \"{t}\" does not exist"),
                ));
            }
        }
        ast::CommentObject::Column => {
            let (t, c) = match &parts[..] {
                [t, c] | [_, t, c] => (t.clone(), c.clone()),
                _ => {
                    return Err(QueryError::new(
                        sqlstate::SYNTAX_ERROR,
                        "column name must be qualified",
                    ));
                }
            };
            let table = catalog.tables.get(&t).ok_or_else(|| {
                QueryError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("relation \"{t}\" does not exist"),
                )
            })?;
            if table.column(&c).is_none() {
                return Err(QueryError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{c}\" of relation \"{t}\" does not exist"),
                ));
            }
            let mut props = table.schema.properties.clone();
            match text {
                Some(x) => props.insert(format!("comment.{c}"), x),
                None => props.remove(&format!("comment.{c}")),
            };
            s.engine.storage.set_properties(&t, props)?;
        }
        other => return crate::error::unsupported(format!("COMMENT ON {other}")),
    }
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "COMMENT".into(),
    })
}
