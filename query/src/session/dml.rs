//! INSERT, DELETE, TRUNCATE and COPY.
use std::collections::HashSet;
use std::sync::Arc;

use plantdb_storage::WriteBatch;
use sqlparser::ast;

use super::copy_in::CopyIn;
use super::{CopyFormat, CopyOptions, Session, StatementResult};
use crate::bind::{Binder, Scope, ident, object_name};
use crate::catalog::TableInfo;
use crate::copy::{CopyReader, ReaderColumn, format_rows};
use crate::error::{QueryError, Result, sqlstate};
use crate::exec::convert::to_storage;
use crate::exec::{ExecCtx, eval_expr};
use crate::parse::ParsedStatement;
use crate::plan::{Expr, Field, Plan};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

fn table_of(s: &Session, n: &ast::ObjectName) -> Result<Arc<TableInfo>> {
    let parts = object_name(n);
    let name = parts.last().cloned().unwrap_or_default();
    if parts.len() > 1 && parts[0] != "public" {
        return Err(QueryError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", parts.join(".")),
        ));
    }
    let catalog = s.engine.catalog();
    if let Some(t) = catalog.tables.get(&name) {
        return Ok(t.clone());
    }
    if catalog.views.contains_key(&name) {
        return Err(QueryError::new(
            sqlstate::WRONG_OBJECT_TYPE,
            format!("cannot change view \"{name}\""),
        )
        .with_detail("Views are read-only in plantdb."));
    }
    Err(QueryError::new(
        sqlstate::UNDEFINED_TABLE,
        format!("relation \"{name}\" does not exist"),
    ))
}

/// The DEFAULT expression of a column (NULL when none), bound as a constant-ish expression.
fn default_expr(b: &Binder<'_>, t: &TableInfo, c: usize) -> Result<Expr> {
    let col = &t.columns[c];
    let Some(text) = &col.default else {
        return Ok(Expr::null(col.ty.clone()));
    };
    let parsed = crate::parse::parse(&format!("SELECT {text}"))?;
    let Some(ast::Statement::Query(q)) = parsed.into_iter().next().and_then(|p| p.stmt) else {
        return Err(crate::error::internal("default expression"));
    };
    let ast::SetExpr::Select(sel) = &*q.body else {
        return Err(crate::error::internal("default expression"));
    };
    let Some(ast::SelectItem::UnnamedExpr(e)) = sel.projection.first() else {
        return Err(crate::error::internal("default expression"));
    };
    let scope = Scope::default();
    let cx = crate::bind::expr_ctx_plain(&scope, "DEFAULT");
    let x = b.bind_expr(e, &cx)?;
    crate::bind::assign(b, x, &col.ty, &col.name)
}

fn is_default(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// A bound INSERT: the table, a plan producing every table column, optional RETURNING.
struct BoundInsert {
    table: Arc<TableInfo>,
    plan: Plan,
    returning: Option<(Vec<Expr>, Vec<Field>)>,
    param_types: Vec<DataType>,
}

fn bind_insert(
    s: &Session,
    ps: &ParsedStatement,
    ins: &ast::Insert,
    params: Option<&[Value]>,
    param_types: &[DataType],
    eval: &crate::context::EvalContext,
) -> Result<BoundInsert> {
    let ast::TableObject::TableName(name) = &ins.table else {
        return crate::error::unsupported("INSERT into a function");
    };
    let table = table_of(s, name)?;
    if ins.on.is_some() {
        return crate::error::unsupported("INSERT ... ON CONFLICT");
    }
    let targets: Vec<usize> = if ins.columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        let mut v = Vec::new();
        for c in &ins.columns {
            let n = object_name(c).pop().unwrap_or_default();
            let i = table.column(&n).ok_or_else(|| {
                QueryError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{n}\" of relation \"{}\" does not exist", table.name),
                )
            })?;
            if v.contains(&i) {
                return Err(QueryError::new(
                    sqlstate::DUPLICATE_COLUMN,
                    format!("column \"{n}\" specified more than once"),
                ));
            }
            v.push(i);
        }
        v
    };
    let catalog = s.engine.catalog();
    let mut b = Binder::new(&catalog, &s.engine.registry, eval, param_types.to_vec());
    b.asof = ps.asof_joins.clone();
    b.param_values = params.map(|p| p.to_vec());
    let Some(source) = &ins.source else {
        return crate::error::unsupported("INSERT without VALUES or SELECT");
    };
    let ncols = table.columns.len();
    // Every table column: from the source, its DEFAULT, or NULL.
    let plan = if let ast::SetExpr::Values(values) = &*source.body
        && source.order_by.is_none()
        && source.limit_clause.is_none()
    {
        let scope = Scope::default();
        let cx = crate::bind::expr_ctx_plain(&scope, "VALUES");
        let mut rows = Vec::with_capacity(values.rows.len());
        for r in &values.rows {
            if r.content.len() > targets.len() {
                return Err(QueryError::new(
                    sqlstate::SYNTAX_ERROR,
                    "INSERT has more expressions than target columns",
                ));
            }
            if r.content.len() < targets.len() {
                return Err(QueryError::new(
                    sqlstate::SYNTAX_ERROR,
                    "INSERT has more target columns than expressions",
                ));
            }
            let mut row: Vec<Option<Expr>> = vec![None; ncols];
            for (e, &c) in r.content.iter().zip(&targets) {
                let col = &table.columns[c];
                row[c] = Some(if is_default(e) {
                    default_expr(&b, &table, c)?
                } else {
                    crate::bind::assign(&b, b.bind_expr(e, &cx)?, &col.ty, &col.name)?
                });
            }
            let full = row.into_iter().enumerate().map(|(c, e)| match e {
                Some(e) => Ok(e),
                None => default_expr(&b, &table, c),
            });
            rows.push(full.collect::<Result<Vec<_>>>()?);
        }
        let fields = table
            .columns
            .iter()
            .map(|c| Field::new(c.name.clone(), c.ty.clone()))
            .collect();
        Plan::Values { rows, fields }
    } else {
        let q = b.query(source)?;
        let qf = q.fields();
        if qf.len() != targets.len() {
            let msg = if qf.len() > targets.len() {
                "INSERT has more expressions than target columns"
            } else {
                "INSERT has more target columns than expressions"
            };
            return Err(QueryError::new(sqlstate::SYNTAX_ERROR, msg));
        }
        let mut exprs = Vec::with_capacity(ncols);
        for c in 0..ncols {
            let col = &table.columns[c];
            exprs.push(match targets.iter().position(|&t| t == c) {
                Some(k) => crate::bind::assign(&b, Expr::Column(k, qf[k].ty.clone()), &col.ty, &col.name)?,
                None => default_expr(&b, &table, c)?,
            });
        }
        let fields = table
            .columns
            .iter()
            .map(|c| Field::new(c.name.clone(), c.ty.clone()))
            .collect();
        Plan::Project {
            input: Box::new(q),
            exprs,
            fields,
        }
    };
    let returning = match &ins.returning {
        Some(items) => Some(bind_returning(&b, &table, items)?),
        None => None,
    };
    Ok(BoundInsert {
        table,
        plan,
        returning,
        param_types: b.param_types(),
    })
}

/// Parameter types and RETURNING columns of an INSERT.
pub(super) fn describe_insert(
    s: &Session,
    ps: &ParsedStatement,
    ins: &ast::Insert,
    param_types: &[DataType],
) -> Result<(Vec<DataType>, Vec<Field>)> {
    let eval = s.eval_context();
    let b = bind_insert(s, ps, ins, None, param_types, &eval)?;
    Ok((b.param_types, b.returning.map(|r| r.1).unwrap_or_default()))
}

pub(super) fn insert(
    s: &mut Session,
    ps: &ParsedStatement,
    ins: &ast::Insert,
    params: Option<&[Value]>,
    param_types: &[DataType],
) -> Result<StatementResult> {
    let eval = s.eval_context();
    let bound = bind_insert(s, ps, ins, params, param_types, &eval)?;
    super::roles::check_write(s, &format!("table {}", bound.table.name))?;
    let plan = crate::optimize::optimize(bound.plan, &eval)?;
    let batches = s.run_plan(&plan, eval.clone(), false)?;
    let n = append_batches(s, &bound.table.name, batches.clone())?;
    match bound.returning {
        None => Ok(StatementResult::Command {
            tag: format!("INSERT 0 {n}"),
        }),
        Some((exprs, fields)) => {
            let cx = ExecCtx::new(s.shared(eval));
            let mut out = Vec::new();
            for bt in &batches {
                let cols = exprs
                    .iter()
                    .map(|e| eval_expr(e, bt, &cx))
                    .collect::<Result<Vec<_>>>()?;
                out.push(Batch::new(cols, bt.len()));
            }
            Ok(StatementResult::Rows {
                fields,
                batches: out,
                tag: format!("INSERT 0 {n}"),
            })
        }
    }
}

fn bind_returning(
    b: &Binder<'_>,
    table: &TableInfo,
    items: &[ast::SelectItem],
) -> Result<(Vec<Expr>, Vec<Field>)> {
    let fields: Vec<Field> = table
        .columns
        .iter()
        .map(|c| Field::new(c.name.clone(), c.ty.clone()))
        .collect();
    let scope = Scope::of(&fields, Some(&table.name));
    let cx = crate::bind::expr_ctx_plain(&scope, "RETURNING");
    let mut exprs = Vec::new();
    let mut out = Vec::new();
    for it in items {
        match it {
            ast::SelectItem::Wildcard(_) => {
                for (i, f) in fields.iter().enumerate() {
                    exprs.push(Expr::Column(i, f.ty.clone()));
                    out.push(f.clone());
                }
            }
            ast::SelectItem::UnnamedExpr(e) => {
                let x = b.bind_expr(e, &cx)?;
                out.push(Field::new(
                    crate::bind::column_name(e).unwrap_or_else(|| "?column?".into()),
                    x.ty(),
                ));
                exprs.push(x);
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => {
                let x = b.bind_expr(expr, &cx)?;
                out.push(Field::new(ident(alias), x.ty()));
                exprs.push(x);
            }
            other => return crate::error::unsupported(format!("RETURNING {other}")),
        }
    }
    Ok((exprs, out))
}

/// Appends full-width batches (one column per table column) to a table; checks primary keys of
/// dimension tables. Returns the row count.
pub(crate) fn append_batches(s: &Session, table: &str, batches: Vec<Batch>) -> Result<u64> {
    let catalog = s.engine.catalog();
    let info = catalog.tables.get(table).cloned().ok_or_else(|| {
        QueryError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        )
    })?;
    if !info.primary_key.is_empty() && info.time_column.is_none() {
        check_primary_key(s, &info, &batches)?;
    }
    let mut n = 0u64;
    for b in batches {
        if b.is_empty() {
            continue;
        }
        let wb = to_write_batch(&info, &b)?;
        n += s.engine.storage.append(table, &wb)? as u64;
    }
    Ok(n)
}

pub(super) fn to_write_batch(info: &TableInfo, b: &Batch) -> Result<WriteBatch> {
    let mut cols = Vec::with_capacity(info.columns.len());
    for (c, v) in info.columns.iter().zip(&b.columns) {
        if !c.nullable && !v.no_nulls() {
            return Err(QueryError::new(
                sqlstate::NOT_NULL_VIOLATION,
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    c.name, info.name
                ),
            ));
        }
        cols.push(to_storage(v, c.ptype)?);
    }
    Ok(WriteBatch::new(cols))
}

fn check_primary_key(s: &Session, info: &TableInfo, batches: &[Batch]) -> Result<()> {
    let pk = &info.primary_key;
    let mut seen: HashSet<Vec<Value>> = HashSet::new();
    let key_of = |b: &Batch, r: usize| -> Vec<Value> { pk.iter().map(|&c| b.columns[c].value(r)).collect() };
    // Existing keys.
    let snap = s.engine.storage.snapshot(&info.name)?;
    for p in snap.pieces(&plantdb_storage::ScanSpec::default())? {
        let d = snap.read(&p, pk, i64::MIN, i64::MAX)?;
        for r in 0..d.ts.len() {
            let k: Vec<Value> = d
                .columns
                .iter()
                .zip(pk)
                .map(|(c, &ci)| crate::exec::convert::scalar_value(&c.scalar(r), &info.columns[ci].ty))
                .collect();
            seen.insert(k);
        }
    }
    let name = format!("{}_pkey", info.name);
    for b in batches {
        for r in 0..b.len() {
            let k = key_of(b, r);
            if !seen.insert(k.clone()) {
                let cols: Vec<&str> = pk.iter().map(|&c| info.columns[c].name.as_str()).collect();
                let vals: Vec<String> = k
                    .iter()
                    .zip(pk)
                    .map(|(v, &c)| {
                        crate::types::text::format_value(v, &info.columns[c].ty, &s.eval_context())
                            .unwrap_or_else(|| "null".into())
                    })
                    .collect();
                return Err(QueryError::new(
                    sqlstate::UNIQUE_VIOLATION,
                    format!("duplicate key value violates unique constraint \"{name}\""),
                )
                .with_detail(format!(
                    "Key ({})=({}) already exists.",
                    cols.join(", "),
                    vals.join(", ")
                )));
            }
        }
    }
    Ok(())
}

pub(super) fn delete(
    s: &mut Session,
    ps: &ParsedStatement,
    del: &ast::Delete,
    params: Option<&[Value]>,
    param_types: &[DataType],
) -> Result<StatementResult> {
    if del.using.is_some() || del.returning.is_some() || del.limit.is_some() {
        return crate::error::unsupported("DELETE with USING, RETURNING or LIMIT");
    }
    let from = match &del.from {
        ast::FromTable::WithFromKeyword(v) | ast::FromTable::WithoutKeyword(v) => v,
    };
    let [twj] = &from[..] else {
        return crate::error::unsupported("DELETE from several tables");
    };
    let ast::TableFactor::Table { name, alias, .. } = &twj.relation else {
        return crate::error::unsupported("DELETE from this relation");
    };
    let table = table_of(s, name)?;
    super::roles::check_write(s, &format!("table {}", table.name))?;
    let eval = s.eval_context();
    let catalog = s.engine.catalog();
    let mut b = Binder::new(&catalog, &s.engine.registry, &eval, param_types.to_vec());
    b.asof = ps.asof_joins.clone();
    b.param_values = params.map(|p| p.to_vec());
    let q = alias
        .as_ref()
        .map(|a| ident(&a.name))
        .unwrap_or_else(|| table.name.clone());
    let fields: Vec<Field> = table
        .columns
        .iter()
        .map(|c| Field::new(c.name.clone(), c.ty.clone()))
        .collect();
    let scope = Scope::of(&fields, Some(&q));
    let predicate = match &del.selection {
        Some(w) => {
            let cx = crate::bind::expr_ctx_plain(&scope, "WHERE");
            Some(crate::bind::boolean_expr(&b, b.bind_expr(w, &cx)?, "WHERE")?)
        }
        None => None,
    };
    let scan = crate::plan::ScanPlan {
        table: table.clone(),
        columns: (0..table.columns.len()).collect(),
        fields: fields.clone(),
        filter: predicate.map(|p| p.conjuncts()).unwrap_or_default(),
        time: (i64::MIN, i64::MAX),
        tags: Vec::new(),
        ranges: Vec::new(),
        notes: Vec::new(),
        slice: None,
    };
    let restricted = crate::optimize::restrict_for_delete(Plan::Scan(Box::new(scan)), &eval);
    let Plan::Scan(scan) = restricted else {
        return Err(crate::error::internal("delete plan"));
    };
    if scan.time.0 > scan.time.1 {
        return Ok(StatementResult::Command {
            tag: "DELETE 0".into(),
        });
    }
    let snap = s.engine.storage.snapshot(&table.name)?;
    let series = crate::exec::series_filter(&snap, &scan);
    let shared = s.shared(eval);
    let cx = ExecCtx::new(shared);
    let conj = scan.filter.clone();
    let types: Vec<DataType> = table.columns.iter().map(|c| c.ty.clone()).collect();
    let failed: std::sync::Mutex<Option<QueryError>> = std::sync::Mutex::new(None);
    let filter = |_: &plantdb_storage::TableSnapshot,
                  d: &plantdb_storage::PieceData|
     -> plantdb_storage::Result<Vec<bool>> {
        let n = d.ts.len();
        if conj.is_empty() {
            return Ok(vec![true; n]);
        }
        let eval_rows = || -> Result<Vec<bool>> {
            let cols = d
                .columns
                .iter()
                .zip(&types)
                .map(|(c, t)| crate::exec::convert::to_vector(c.clone(), t))
                .collect::<Result<Vec<Vector>>>()?;
            let batch = Batch::new(cols, n);
            let mut mask = vec![true; n];
            for c in &conj {
                let m = eval_expr(c, &batch, &cx)?.truth_mask();
                for (x, y) in mask.iter_mut().zip(m) {
                    *x = *x && y;
                }
            }
            Ok(mask)
        };
        eval_rows().map_err(|e| {
            let msg = format!("{}: {}", e.code, e.message);
            if let Ok(mut f) = failed.lock() {
                f.get_or_insert(e);
            }
            plantdb_storage::Error::InvalidBatch(msg)
        })
    };
    let use_filter = !conj.is_empty();
    let n = s.engine.storage.delete(
        &table.name,
        scan.time.0,
        scan.time.1,
        series.as_ref(),
        if use_filter { Some(&filter) } else { None },
    );
    // An error of the predicate (division by zero, a bad cast) keeps its SQLSTATE.
    let n = match (n, failed.into_inner()) {
        (Err(_), Ok(Some(e))) => return Err(e),
        (n, _) => n?,
    };
    Ok(StatementResult::Command {
        tag: format!("DELETE {n}"),
    })
}

pub(super) fn truncate(s: &mut Session, t: &ast::Truncate) -> Result<StatementResult> {
    for target in &t.table_names {
        let table = table_of(s, &target.name)?;
        super::roles::check_write(s, &format!("table {}", table.name))?;
        s.engine.storage.truncate(&table.name)?;
    }
    Ok(StatementResult::Command {
        tag: "TRUNCATE TABLE".into(),
    })
}

fn copy_options(options: &[ast::CopyOption], legacy: &[ast::CopyLegacyOption]) -> Result<CopyOptions> {
    let mut o = CopyOptions::default();
    let mut delimiter = None;
    let mut null = None;
    let (mut quote, mut escape): (Option<char>, Option<char>) = (None, None);
    let set_format = |o: &mut CopyOptions, f: &str| -> Result<()> {
        o.format = match f.to_ascii_lowercase().as_str() {
            "csv" => CopyFormat::Csv,
            "text" => CopyFormat::Text,
            "binary" => CopyFormat::Binary,
            other => {
                return Err(QueryError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("COPY format \"{other}\" not recognized"),
                ));
            }
        };
        Ok(())
    };
    let names = |v: &[ast::Ident]| v.iter().map(ident).collect::<Vec<_>>();
    for opt in options {
        match opt {
            ast::CopyOption::Format(f) => set_format(&mut o, &f.value)?,
            ast::CopyOption::Delimiter(c) => delimiter = Some(*c),
            ast::CopyOption::Null(n) => null = Some(n.clone()),
            ast::CopyOption::Header(h) => o.header = *h,
            ast::CopyOption::Quote(c) => quote = Some(*c),
            ast::CopyOption::Escape(c) => escape = Some(*c),
            ast::CopyOption::ForceQuote(v) => o.force_quote = names(v),
            ast::CopyOption::ForceNotNull(v) => o.force_not_null = names(v),
            ast::CopyOption::ForceNull(v) => o.force_null = names(v),
            ast::CopyOption::Freeze(_) => {}
            other => return crate::error::unsupported(format!("COPY option {other}")),
        }
    }
    for opt in legacy {
        match opt {
            ast::CopyLegacyOption::Binary => o.format = CopyFormat::Binary,
            ast::CopyLegacyOption::Delimiter(c) => delimiter = Some(*c),
            ast::CopyLegacyOption::Null(n) => null = Some(n.clone()),
            ast::CopyLegacyOption::Header => o.header = true,
            ast::CopyLegacyOption::Csv(csv) => {
                o.format = CopyFormat::Csv;
                for c in csv {
                    match c {
                        ast::CopyLegacyCsvOption::Header => o.header = true,
                        ast::CopyLegacyCsvOption::Quote(q) => quote = Some(*q),
                        ast::CopyLegacyCsvOption::Escape(e) => escape = Some(*e),
                        ast::CopyLegacyCsvOption::ForceQuote(v) => o.force_quote = names(v),
                        ast::CopyLegacyCsvOption::ForceNotNull(v) => o.force_not_null = names(v),
                    }
                }
            }
            other => return crate::error::unsupported(format!("COPY option {other}")),
        }
    }
    let csv = o.format == CopyFormat::Csv;
    let only_csv = [
        ("quote", quote.is_some()),
        ("escape", escape.is_some()),
        ("force quote", !o.force_quote.is_empty()),
        ("force not null", !o.force_not_null.is_empty()),
        ("force null", !o.force_null.is_empty()),
    ];
    if !csv && let Some((what, _)) = only_csv.iter().find(|x| x.1) {
        return Err(QueryError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("COPY {what} available only in CSV mode"),
        ));
    }
    if o.format == CopyFormat::Binary {
        let given = [
            ("DELIMITER", delimiter.is_some()),
            ("NULL", null.is_some()),
            ("HEADER", o.header),
        ];
        if let Some((what, _)) = given.iter().find(|g| g.1) {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                format!("cannot specify {what} in BINARY mode"),
            ));
        }
    }
    if o.format == CopyFormat::Text && o.header {
        return Err(QueryError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "cannot specify HEADER in TEXT mode",
        )
        .with_hint("Use FORMAT csv."));
    }
    o.delimiter = one_byte("delimiter", delimiter.unwrap_or(if csv { ',' } else { '\t' }))?;
    o.null = null.unwrap_or_else(|| if csv { String::new() } else { "\\N".into() });
    if csv {
        o.quote = one_byte("quote", quote.unwrap_or('"'))?;
        // ESCAPE defaults to QUOTE when not given.
        o.escape = match escape {
            Some(e) => one_byte("escape", e)?,
            None => o.quote,
        };
    }
    let invalid = |m: &str| Err(QueryError::new(sqlstate::INVALID_PARAMETER_VALUE, m));
    if matches!(o.delimiter, b'\n' | b'\r') {
        return invalid("COPY delimiter cannot be newline or carriage return");
    }
    if o.null.contains(['\n', '\r']) {
        return invalid("COPY null representation cannot use newline or carriage return");
    }
    if o.format == CopyFormat::Text
        && (o.delimiter == b'\\'
            || o.delimiter == b'.'
            || o.delimiter.is_ascii_lowercase()
            || o.delimiter.is_ascii_digit())
    {
        return invalid(&format!("COPY delimiter cannot be \"{}\"", o.delimiter as char));
    }
    if csv && o.delimiter == o.quote {
        return invalid("COPY delimiter and quote must be different");
    }
    if o.format != CopyFormat::Binary && o.null.as_bytes().contains(&o.delimiter) {
        return Err(QueryError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "COPY delimiter must not appear in the NULL specification",
        ));
    }
    if csv && o.null.as_bytes().contains(&o.quote) {
        return Err(QueryError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "CSV quote character must not appear in the NULL specification",
        ));
    }
    Ok(o)
}

/// A COPY option that must be one ASCII character (the parsers work on bytes).
fn one_byte(what: &str, c: char) -> Result<u8> {
    if c.is_ascii() {
        Ok(c as u8)
    } else {
        Err(QueryError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("COPY {what} must be a single one-byte character"),
        ))
    }
}

pub(super) fn copy(
    s: &mut Session,
    source: &ast::CopySource,
    to: bool,
    target: &ast::CopyTarget,
    options: &[ast::CopyOption],
    legacy: &[ast::CopyLegacyOption],
) -> Result<StatementResult> {
    let o = copy_options(options, legacy)?;
    if to {
        let (plan, fields) = match source {
            ast::CopySource::Table { table_name, columns } => {
                let parts = object_name(table_name);
                let name = parts.last().cloned().unwrap_or_default();
                let cols = if columns.is_empty() {
                    "*".to_string()
                } else {
                    columns
                        .iter()
                        .map(|c| format!("\"{}\"", ident(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let sql = format!("SELECT {cols} FROM \"{name}\"");
                let ps = crate::parse::parse(&sql)?
                    .pop()
                    .ok_or_else(|| crate::error::internal("copy query"))?;
                let Some(ast::Statement::Query(q)) = &ps.stmt else {
                    return Err(crate::error::internal("copy query"));
                };
                let eval = s.eval_context();
                let plan = s.plan_query(&ps, q, None, &[], &eval)?;
                let f = plan.fields();
                (plan, f)
            }
            ast::CopySource::Query(q) => {
                let ps = ParsedStatement {
                    stmt: None,
                    command: None,
                    text: String::new(),
                    offset: 0,
                    asof_joins: Vec::new(),
                };
                let eval = s.eval_context();
                let plan = s.plan_query(&ps, q, None, &[], &eval)?;
                let f = plan.fields();
                (plan, f)
            }
        };
        let eval = s.eval_context();
        let batches = s.run_plan(&plan, eval.clone(), false)?;
        return match target {
            ast::CopyTarget::Stdout => Ok(StatementResult::CopyOut {
                options: o,
                fields,
                batches,
            }),
            ast::CopyTarget::File { .. } if o.format == CopyFormat::Binary => {
                crate::error::unsupported("COPY TO a file in binary format")
            }
            ast::CopyTarget::File { filename } => {
                super::roles::check_superuser(s, "COPY to a file")?;
                let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
                let bytes = format_rows(&batches, &names, &o, &eval, true);
                std::fs::write(filename, bytes).map_err(|e| {
                    QueryError::new(
                        sqlstate::IO_ERROR,
                        format!("could not write file \"{filename}\": {e}"),
                    )
                })?;
                let n: usize = batches.iter().map(|b| b.len()).sum();
                Ok(StatementResult::Command {
                    tag: format!("COPY {n}"),
                })
            }
            _ => crate::error::unsupported("COPY TO PROGRAM"),
        };
    }
    let ast::CopySource::Table { table_name, columns } = source else {
        return Err(QueryError::new(sqlstate::SYNTAX_ERROR, "COPY FROM needs a table"));
    };
    let table = table_of(s, table_name)?;
    super::roles::check_write(s, &format!("table {}", table.name))?;
    let targets: Vec<usize> = if columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        columns
            .iter()
            .map(|c| {
                let n = ident(c);
                table.column(&n).ok_or_else(|| {
                    QueryError::new(
                        sqlstate::UNDEFINED_COLUMN,
                        format!("column \"{n}\" of relation \"{}\" does not exist", table.name),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    for n in o.force_null.iter().chain(&o.force_not_null) {
        if !targets.iter().any(|&t| &table.columns[t].name == n) {
            return Err(QueryError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!("FORCE_NULL column \"{n}\" not referenced by COPY"),
            ));
        }
    }
    // Constant defaults for columns not in the list.
    let eval = s.eval_context();
    let catalog = s.engine.catalog();
    let b = Binder::new(&catalog, &s.engine.registry, &eval, Vec::new());
    let mut defaults = vec![None; table.columns.len()];
    for (c, d) in defaults.iter_mut().enumerate() {
        if !targets.contains(&c) && table.columns[c].default.is_some() {
            let e = crate::optimize::fold_expr(default_expr(&b, &table, c)?, &eval);
            match e {
                Expr::Literal(v, _) => *d = Some(v),
                _ => {
                    return crate::error::unsupported(
                        "COPY into a table whose omitted columns have non-constant defaults",
                    );
                }
            }
        }
    }
    let reader_cols: Vec<ReaderColumn> = targets
        .iter()
        .map(|&t| {
            let c = &table.columns[t];
            ReaderColumn {
                name: c.name.clone(),
                ty: c.ty.clone(),
                force_null: o.force_null.contains(&c.name),
                force_not_null: o.force_not_null.contains(&c.name),
            }
        })
        .collect();
    let format = o.format;
    if format == CopyFormat::Binary && !matches!(target, ast::CopyTarget::Stdin) {
        return crate::error::unsupported("COPY FROM a file in binary format");
    }
    let reader = CopyReader::new(&table.name, reader_cols, o, eval);
    let load = s.engine.storage.bulk_load(&table.name)?;
    let copy_in = CopyIn::new(reader, format, load, table.clone(), targets, defaults);
    match target {
        ast::CopyTarget::Stdin => Ok(StatementResult::CopyIn(Box::new(copy_in))),
        ast::CopyTarget::File { filename } => {
            super::roles::check_superuser(s, "COPY from a file")?;
            let data = std::fs::read(filename).map_err(|e| {
                QueryError::new(
                    sqlstate::IO_ERROR,
                    format!("could not open file \"{filename}\" for reading: {e}"),
                )
            })?;
            let mut c = copy_in;
            for chunk in data.chunks(1 << 20) {
                c.data(chunk)?;
            }
            let n = c.finish()?;
            Ok(StatementResult::Command {
                tag: format!("COPY {n}"),
            })
        }
        _ => crate::error::unsupported("COPY FROM PROGRAM"),
    }
}
