//! Utility statements: SET/SHOW/RESET, transactions, PREPARE/EXECUTE/DEALLOCATE, EXPLAIN,
//! CHECKPOINT, VACUUM, and statement descriptions for the extended protocol.
use sqlparser::ast::{self, Statement as S};

use super::settings::{self, display_name};
use super::{Prepared, Session, StatementResult, TxStatus};
use crate::bind::{Binder, ident, object_name};
use crate::error::{QueryError, Result, sqlstate};
use crate::parse::{Command, ParsedStatement};
use crate::plan::Field;
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

fn text_rows(columns: &[&str], rows: Vec<Vec<String>>, tag: &str) -> StatementResult {
    let fields: Vec<Field> = columns.iter().map(|c| Field::new(*c, DataType::Text)).collect();
    let n = rows.len();
    let cols = (0..columns.len())
        .map(|k| {
            Vector::strings(
                DataType::Text,
                &rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>(),
            )
        })
        .collect();
    let tag = if tag.is_empty() {
        format!("SELECT {n}")
    } else {
        tag.to_string()
    };
    StatementResult::Rows {
        fields,
        batches: vec![Batch::new(cols, n)],
        tag,
    }
}

fn setting_value(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s)
            | ast::Value::DoubleQuotedString(s)
            | ast::Value::EscapedStringLiteral(s) => s.clone(),
            ast::Value::Number(n, _) => n.clone(),
            ast::Value::Boolean(b) => if *b { "on" } else { "off" }.into(),
            other => other.to_string(),
        },
        ast::Expr::Identifier(i) => i.value.clone(),
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => format!("-{}", setting_value(expr)),
        other => other.to_string().trim_matches('\'').to_string(),
    }
}

/// `SET TIME ZONE -5`: a number is hours east of UTC (ISO), stored in PostgreSQL's POSIX form
/// `<-05>+05`; a string is a zone name or a POSIX offset.
fn time_zone_value(e: &ast::Expr) -> String {
    let v = setting_value(e);
    let numeric = match e {
        ast::Expr::Value(v) => matches!(v.value, ast::Value::Number(..)),
        ast::Expr::UnaryOp { expr, .. } => {
            matches!(&**expr, ast::Expr::Value(v) if matches!(v.value, ast::Value::Number(..)))
        }
        _ => false,
    };
    match v.parse::<f64>() {
        Ok(hours) if numeric && hours.abs() < 24.0 => {
            crate::types::Tz::posix_name((hours * 3600.0).round() as i32)
        }
        _ => v,
    }
}

pub(super) fn command(s: &mut Session, c: &Command) -> Result<StatementResult> {
    match c {
        Command::Checkpoint => {
            super::roles::check_write(s, "CHECKPOINT")?;
            s.engine.storage.checkpoint()?;
            Ok(StatementResult::Command {
                tag: "CHECKPOINT".into(),
            })
        }
        Command::Vacuum { tables } => {
            super::roles::check_write(s, "VACUUM")?;
            let catalog = s.engine.catalog();
            if let Some(t) = tables.iter().find(|t| !catalog.tables.contains_key(*t)) {
                return Err(QueryError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("relation \"{t}\" does not exist"),
                ));
            }
            s.engine.storage.vacuum()?;
            Ok(StatementResult::Command { tag: "VACUUM".into() })
        }
        Command::CreateRole(spec) => super::roles::create_role(s, spec),
        Command::AlterRole(spec) => super::roles::alter_role(s, spec),
        Command::DropRole { names, if_exists } => super::roles::drop_roles(s, names, *if_exists),
    }
}

fn set(s: &mut Session, name: &str, value: &str) -> Result<StatementResult> {
    let (n, v) = settings::validate(name, value, &s.settings)?;
    s.set_setting(&n, v);
    Ok(StatementResult::Command { tag: "SET".into() })
}

fn show(s: &Session, name: &str) -> Result<StatementResult> {
    let n = name.to_ascii_lowercase();
    let n = match n.as_str() {
        "time zone" => "timezone".to_string(),
        "transaction isolation level" => "transaction_isolation".to_string(),
        "session authorization" => "session_authorization".to_string(),
        other => other.to_string(),
    };
    if n == "all" {
        let rows = s
            .settings
            .iter()
            .map(|(k, v)| vec![display_name(k), v.clone(), String::new()])
            .collect();
        return Ok(text_rows(&["name", "setting", "description"], rows, "SHOW"));
    }
    let v = s.settings.get(&n).cloned().ok_or_else(|| {
        QueryError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("unrecognized configuration parameter \"{n}\""),
        )
    })?;
    let v = match n.as_str() {
        "statement_timeout"
        | "idle_session_timeout"
        | "lock_timeout"
        | "idle_in_transaction_session_timeout" => {
            if v == "0" {
                "0".to_string()
            } else {
                format!("{v}ms")
            }
        }
        _ => v,
    };
    Ok(text_rows(&[&display_name(&n)], vec![vec![v]], "SHOW"))
}

pub(super) fn utility(s: &mut Session, stmt: &S, _params: Option<&[Value]>) -> Result<StatementResult> {
    match stmt {
        S::Set(set_stmt) => match set_stmt {
            ast::Set::SingleAssignment { variable, values, .. } => {
                let name = object_name(variable).join(".");
                let value = values.iter().map(setting_value).collect::<Vec<_>>().join(", ");
                if value.eq_ignore_ascii_case("default") {
                    return reset(s, Some(&name));
                }
                set(s, &name, &value)
            }
            ast::Set::SetTimeZone { value, .. } => set(s, "timezone", &time_zone_value(value)),
            ast::Set::SetNames { charset_name, .. } => set(s, "client_encoding", &charset_name.to_string()),
            ast::Set::SetTransaction { modes, .. } => {
                for m in modes {
                    if let ast::TransactionMode::IsolationLevel(l) = m {
                        s.set_setting("transaction_isolation", l.to_string().to_ascii_lowercase());
                    }
                }
                Ok(StatementResult::Command { tag: "SET".into() })
            }
            other => crate::error::unsupported(format!("{other}")),
        },
        S::ShowVariable { variable } => {
            let name = show_name(variable);
            show(s, &name)
        }
        S::Reset(r) => match &r.reset {
            ast::Reset::ALL => reset(s, None),
            ast::Reset::ConfigurationParameter(n) => reset(s, Some(&object_name(n).join("."))),
            ast::Reset::SessionAuthorization => Ok(StatementResult::Command { tag: "RESET".into() }),
        },
        S::Discard { .. } => {
            reset(s, None)?;
            s.prepared.clear();
            Ok(StatementResult::Command {
                tag: "DISCARD ALL".into(),
            })
        }
        S::StartTransaction { begin, .. } => {
            if s.tx != TxStatus::Idle {
                s.notice(
                    sqlstate::ACTIVE_SQL_TRANSACTION,
                    "there is already a transaction in progress",
                );
            } else {
                s.tx = TxStatus::Block;
            }
            Ok(StatementResult::Command {
                tag: if *begin { "BEGIN" } else { "START TRANSACTION" }.into(),
            })
        }
        S::Commit { .. } => {
            let tag = if s.tx == TxStatus::Failed {
                "ROLLBACK"
            } else {
                "COMMIT"
            };
            if s.tx == TxStatus::Idle {
                s.notice(
                    sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                    "there is no transaction in progress",
                );
            }
            s.tx = TxStatus::Idle;
            Ok(StatementResult::Command { tag: tag.into() })
        }
        S::Rollback { savepoint, .. } => {
            if savepoint.is_some() {
                if s.tx == TxStatus::Idle {
                    return Err(QueryError::new(
                        sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                        "ROLLBACK TO SAVEPOINT can only be used in transaction blocks",
                    ));
                }
                s.tx = TxStatus::Block;
                return Ok(StatementResult::Command {
                    tag: "ROLLBACK".into(),
                });
            }
            if s.tx == TxStatus::Idle {
                s.notice(
                    sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                    "there is no transaction in progress",
                );
            }
            s.tx = TxStatus::Idle;
            Ok(StatementResult::Command {
                tag: "ROLLBACK".into(),
            })
        }
        S::Savepoint { .. } => {
            if s.tx == TxStatus::Idle {
                return Err(QueryError::new(
                    sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                    "SAVEPOINT can only be used in transaction blocks",
                ));
            }
            Ok(StatementResult::Command {
                tag: "SAVEPOINT".into(),
            })
        }
        S::ReleaseSavepoint { .. } => Ok(StatementResult::Command {
            tag: "RELEASE".into(),
        }),
        S::Vacuum(v) => {
            super::roles::check_write(s, "VACUUM")?;
            if let Some(t) = &v.table_name {
                let name = object_name(t).pop().unwrap_or_default();
                if !s.engine.catalog().tables.contains_key(&name) {
                    return Err(QueryError::new(
                        sqlstate::UNDEFINED_TABLE,
                        format!("relation \"{name}\" does not exist"),
                    ));
                }
            }
            s.engine.storage.vacuum()?;
            Ok(StatementResult::Command { tag: "VACUUM".into() })
        }
        S::Analyze(_) => Ok(StatementResult::Command {
            tag: "ANALYZE".into(),
        }),
        S::Prepare {
            name,
            data_types,
            statement,
        } => {
            let types = data_types
                .iter()
                .map(crate::bind::sql_type)
                .collect::<Result<Vec<_>>>()?;
            let p = s.prepare(&statement.to_string(), &types)?;
            let key = ident(name);
            if s.prepared.contains_key(&key) {
                return Err(QueryError::new(
                    sqlstate::DUPLICATE_OBJECT,
                    format!("prepared statement \"{key}\" already exists"),
                ));
            }
            s.prepared.insert(key, std::sync::Arc::new(p));
            Ok(StatementResult::Command {
                tag: "PREPARE".into(),
            })
        }
        S::Execute {
            name: Some(name),
            parameters,
            ..
        } => {
            let key = object_name(name).join(".");
            let p = s.prepared.get(&key).cloned().ok_or_else(|| {
                QueryError::new(
                    sqlstate::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{key}\" does not exist"),
                )
            })?;
            let eval = s.eval_context();
            let catalog = s.engine.catalog();
            let b = Binder::new(&catalog, &s.engine.registry, &eval, Vec::new());
            let scope = crate::bind::Scope::default();
            let cx = crate::bind::expr_ctx_plain(&scope, "EXECUTE");
            let mut vals = Vec::new();
            for (e, t) in parameters.iter().zip(&p.param_types) {
                let x = crate::bind::assign(&b, b.bind_expr(e, &cx)?, t, "parameter")?;
                vals.push(crate::exec::eval_constant(&x, &eval)?);
            }
            s.execute_prepared(&p, &vals)
        }
        S::Deallocate { name, .. } => {
            let key = ident(name);
            if key.eq_ignore_ascii_case("all") {
                s.prepared.clear();
            } else if s.prepared.remove(&key).is_none() {
                return Err(QueryError::new(
                    sqlstate::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{key}\" does not exist"),
                ));
            }
            Ok(StatementResult::Command {
                tag: "DEALLOCATE".into(),
            })
        }
        S::CreateSchema {
            if_not_exists,
            schema_name,
            ..
        } => {
            let n = schema_name.to_string().to_ascii_lowercase();
            if *if_not_exists && n == "public" {
                s.notice(
                    sqlstate::DUPLICATE_OBJECT,
                    "schema \"public\" already exists, skipping",
                );
                return Ok(StatementResult::Command {
                    tag: "CREATE SCHEMA".into(),
                });
            }
            crate::error::unsupported("schemas other than public")
        }
        S::LISTEN { .. } => Ok(StatementResult::Command { tag: "LISTEN".into() }),
        S::UNLISTEN { .. } => Ok(StatementResult::Command {
            tag: "UNLISTEN".into(),
        }),
        other => {
            let kw = other
                .to_string()
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            crate::error::unsupported(kw.to_ascii_uppercase())
        }
    }
}

fn reset(s: &mut Session, name: Option<&str>) -> Result<StatementResult> {
    let defaults = settings::defaults();
    match name {
        None => {
            let keep = ["session_authorization", "is_superuser", "plantdb.durability"];
            let names: Vec<String> = defaults
                .keys()
                .filter(|k| !keep.contains(&k.as_str()))
                .cloned()
                .collect();
            for k in names {
                if let Some(v) = defaults.get(&k) {
                    s.set_setting(&k, v.clone());
                }
            }
            let custom: Vec<String> = s
                .settings
                .keys()
                .filter(|k| !defaults.contains_key(*k))
                .cloned()
                .collect();
            for k in custom {
                s.settings.remove(&k);
            }
        }
        Some(n) => {
            let n = n.to_ascii_lowercase();
            let n = if n == "time zone" {
                "timezone".to_string()
            } else {
                n
            };
            match defaults.get(&n) {
                Some(v) => s.set_setting(&n, v.clone()),
                None => {
                    s.settings.remove(&n);
                }
            }
        }
    }
    Ok(StatementResult::Command { tag: "RESET".into() })
}

pub(super) fn explain(
    s: &mut Session,
    ps: &ParsedStatement,
    stmt: &S,
    analyze: bool,
    params: Option<&[Value]>,
    param_types: &[DataType],
) -> Result<StatementResult> {
    let S::Query(q) = stmt else {
        return crate::error::unsupported("EXPLAIN of statements other than queries");
    };
    let eval = s.eval_context();
    let started = std::time::Instant::now();
    let plan = s.plan_query(ps, q, params, param_types, &eval)?;
    let planning = started.elapsed();
    let mut lines = plan.explain();
    if analyze {
        let t = std::time::Instant::now();
        let shared = s.shared(eval);
        let cx = crate::exec::ExecCtx::new(shared.clone());
        let mut op = crate::exec::build_profiled(&plan, &cx, true)?;
        let rows = crate::exec::drain(&mut *op, &cx)?;
        let total = t.elapsed();
        let prof = shared
            .profile
            .lock()
            .map_err(|_| crate::error::internal("profile"))?
            .clone();
        for (line, (_, n, us)) in lines.iter_mut().zip(prof.iter()) {
            line.push_str(&format!(" (actual rows={n} time={:.3} ms)", *us as f64 / 1000.0));
        }
        let n: usize = rows.iter().map(|b| b.len()).sum();
        lines.push(format!(
            "Planning Time: {:.3} ms",
            planning.as_secs_f64() * 1000.0
        ));
        lines.push(format!(
            "Execution Time: {:.3} ms ({n} rows)",
            total.as_secs_f64() * 1000.0
        ));
    }
    Ok(text_rows(
        &["QUERY PLAN"],
        lines.into_iter().map(|l| vec![l]).collect(),
        "EXPLAIN",
    ))
}

/// Parameter types and result columns of a statement, without running it.
pub(super) fn describe(
    s: &mut Session,
    ps: &ParsedStatement,
    param_types: &[DataType],
) -> Result<(Vec<DataType>, Vec<Field>)> {
    let Some(stmt) = &ps.stmt else {
        return Ok((param_types.to_vec(), Vec::new()));
    };
    let eval = s.eval_context();
    match stmt {
        S::Query(q) => {
            let catalog = s.engine.catalog();
            let mut b = Binder::new(&catalog, &s.engine.registry, &eval, param_types.to_vec());
            b.asof = ps.asof_joins.clone();
            let plan = b.query(q)?;
            Ok((b.param_types(), plan.fields()))
        }
        S::Insert(ins) => super::dml::describe_insert(s, ps, ins, param_types),
        S::Delete(_) => {
            // Parameters in DELETE default to text unless declared.
            let n = count_params(&ps.text);
            let mut t = param_types.to_vec();
            t.resize(n.max(t.len()), DataType::Unknown);
            Ok((
                t.into_iter()
                    .map(|x| if x == DataType::Unknown { DataType::Text } else { x })
                    .collect(),
                Vec::new(),
            ))
        }
        S::ShowVariable { variable } => {
            let name = show_name(variable);
            let cols = if name.eq_ignore_ascii_case("all") {
                vec!["name", "setting", "description"]
            } else {
                vec![]
            };
            let fields = if cols.is_empty() {
                let n = match name.to_ascii_lowercase().as_str() {
                    "time zone" => "timezone".to_string(),
                    "transaction isolation level" => "transaction_isolation".to_string(),
                    other => other.to_string(),
                };
                vec![Field::new(display_name(&n), DataType::Text)]
            } else {
                cols.iter().map(|c| Field::new(*c, DataType::Text)).collect()
            };
            Ok((param_types.to_vec(), fields))
        }
        S::Explain { .. } => Ok((
            param_types.to_vec(),
            vec![Field::new("QUERY PLAN", DataType::Text)],
        )),
        _ => Ok((param_types.to_vec(), Vec::new())),
    }
}

/// Highest `$n` in a statement's text (outside quotes).
fn count_params(text: &str) -> usize {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let tokens = sqlparser::tokenizer::Tokenizer::new(&dialect, text)
        .tokenize()
        .unwrap_or_default();
    tokens
        .iter()
        .filter_map(|t| match t {
            sqlparser::tokenizer::Token::Placeholder(p) => p.trim_start_matches('$').parse::<usize>().ok(),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

impl Session {
    /// Stores a protocol-level or SQL-level prepared statement under `name`.
    pub fn store_prepared(&mut self, name: &str, p: Prepared) {
        self.prepared.insert(name.to_string(), std::sync::Arc::new(p));
    }

    /// A stored prepared statement.
    pub fn get_prepared(&self, name: &str) -> Option<std::sync::Arc<Prepared>> {
        self.prepared.get(name).cloned()
    }

    /// Removes a stored prepared statement.
    pub fn close_prepared(&mut self, name: &str) {
        self.prepared.remove(name);
    }
}

/// The setting a SHOW names: multi-word names (TIME ZONE, TRANSACTION ISOLATION LEVEL, ...) keep
/// their spaces; otherwise the parts form a dotted name (`SHOW plantdb.scan_aggregate`).
fn show_name(parts: &[ast::Ident]) -> String {
    let words: Vec<String> = parts.iter().map(|i| i.value.clone()).collect();
    let spaced = words.join(" ");
    let multi = [
        "time zone",
        "transaction isolation level",
        "session authorization",
    ];
    if words.len() == 1 || multi.contains(&spaced.to_ascii_lowercase().as_str()) {
        spaced
    } else {
        words.join(".")
    }
}
