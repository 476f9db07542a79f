//! The binder: sqlparser AST → logical plan with resolved names, chosen function overloads,
//! inserted casts and typed parameters. Errors carry SQLSTATEs and positions.
mod coerce;
mod expr;
mod from;
mod function;
mod query;
mod select;
mod srf;
mod types;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

pub use coerce::{assign, boolean, coerce};
pub(crate) use expr::ExprCtx;
pub use select::column_name;
pub(crate) use select::rebuild;
pub use types::sql_type;

use crate::catalog::Catalog;
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::Registry;
use crate::plan::{Expr, Field, Plan};
use crate::types::DataType;

/// A column visible to name resolution.
#[derive(Debug, Clone)]
pub struct ScopeColumn {
    /// Table alias.
    pub qualifier: Option<String>,
    /// Name.
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// Hidden from `*` (e.g. the right column of a USING join).
    pub hidden: bool,
}

/// The columns of a FROM clause (or of a subquery's output), in input order.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Columns.
    pub cols: Vec<ScopeColumn>,
}

impl Scope {
    /// A scope over a plan's output, all columns qualified by `qualifier`.
    pub fn of(fields: &[Field], qualifier: Option<&str>) -> Scope {
        Scope {
            cols: fields
                .iter()
                .map(|f| ScopeColumn {
                    qualifier: qualifier.map(str::to_string).or_else(|| f.qualifier.clone()),
                    name: f.name.clone(),
                    ty: f.ty.clone(),
                    hidden: false,
                })
                .collect(),
        }
    }

    /// Looks up `name` (optionally qualified): Ok(None) when absent, error when ambiguous.
    pub fn find(&self, qualifier: Option<&str>, name: &str) -> Result<Option<usize>> {
        let mut found = None;
        for (i, c) in self.cols.iter().enumerate() {
            // Hidden columns (the copies merged by USING) answer only to a qualified name.
            let q_ok = match qualifier {
                Some(q) => c.qualifier.as_deref() == Some(q),
                None => !c.hidden,
            };
            if q_ok && c.name == name {
                if found.is_some() {
                    return Err(QueryError::new(
                        sqlstate::AMBIGUOUS_COLUMN,
                        format!("column reference \"{name}\" is ambiguous"),
                    ));
                }
                found = Some(i);
            }
        }
        Ok(found)
    }

    /// Whether some column carries this qualifier.
    pub fn has_qualifier(&self, q: &str) -> bool {
        self.cols.iter().any(|c| c.qualifier.as_deref() == Some(q))
    }
}

/// A CTE visible by name.
#[derive(Debug, Clone)]
pub(crate) struct CteDef {
    pub plan: Plan,
    pub fields: Vec<Field>,
}

/// Binding state for one statement.
pub struct Binder<'a> {
    /// Catalog snapshot.
    pub catalog: &'a Catalog,
    /// Functions.
    pub registry: &'a Registry,
    /// Evaluation context (for constant folding of literals).
    pub ctx: &'a EvalContext,
    /// Types of `$n` parameters (Unknown until inferred).
    pub params: RefCell<Vec<DataType>>,
    /// Positions (line, column) of relations joined with ASOF.
    pub asof: Vec<(u64, u64)>,
    /// Values of `$n` when executing (then parameters bind as literals).
    pub param_values: Option<Vec<crate::types::Value>>,
    /// Scopes of enclosing queries, innermost last.
    pub(crate) outer: RefCell<Vec<Scope>>,
    /// Whether the query being bound referenced an outer scope (per nesting level).
    pub(crate) correlated: RefCell<Vec<bool>>,
    pub(crate) ctes: RefCell<Vec<HashMap<String, CteDef>>>,
    pub(crate) next_id: Cell<usize>,
    pub(crate) view_depth: Cell<usize>,
    /// Set while binding a branch of a set operation: its untyped literals stay `unknown`, for
    /// the set operation to resolve (`SELECT NULL UNION SELECT 1` is an integer column).
    pub(crate) keep_unknown: Cell<bool>,
    /// Columns of the set-returning calls of the select lists being bound, innermost last.
    pub(crate) srfs: RefCell<Vec<srf::SrfColumns>>,
}

impl<'a> Binder<'a> {
    /// A binder; `params` holds client-declared parameter types (Unknown when not given).
    pub fn new(
        catalog: &'a Catalog,
        registry: &'a Registry,
        ctx: &'a EvalContext,
        params: Vec<DataType>,
    ) -> Binder<'a> {
        Binder {
            catalog,
            registry,
            ctx,
            params: RefCell::new(params),
            asof: Vec::new(),
            param_values: None,
            outer: RefCell::new(Vec::new()),
            correlated: RefCell::new(Vec::new()),
            ctes: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
            view_depth: Cell::new(0),
            keep_unknown: Cell::new(false),
            srfs: RefCell::new(Vec::new()),
        }
    }

    /// Final parameter types (still-unknown ones become text).
    pub fn param_types(&self) -> Vec<DataType> {
        self.params
            .borrow()
            .iter()
            .map(|t| {
                if *t == DataType::Unknown {
                    DataType::Text
                } else {
                    t.clone()
                }
            })
            .collect()
    }

    pub(crate) fn fresh_id(&self) -> usize {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Resolves a column reference against `scope`, then enclosing scopes.
    pub(crate) fn resolve_column(&self, scope: &Scope, qualifier: Option<&str>, name: &str) -> Result<Expr> {
        if let Some(i) = scope.find(qualifier, name)? {
            return Ok(Expr::Column(i, scope.cols[i].ty.clone()));
        }
        let outer = self.outer.borrow();
        for (depth, s) in outer.iter().rev().enumerate() {
            if let Some(i) = s.find(qualifier, name)? {
                let mut c = self.correlated.borrow_mut();
                let n = c.len();
                // Mark every level between here and the scope found as correlated.
                for flag in c.iter_mut().skip(n.saturating_sub(depth + 1)) {
                    *flag = true;
                }
                return Ok(Expr::Outer {
                    depth: depth + 1,
                    index: i,
                    ty: s.cols[i].ty.clone(),
                });
            }
        }
        if let Some(q) = qualifier
            && !scope.has_qualifier(q)
            && !outer.iter().any(|s| s.has_qualifier(q))
        {
            return Err(QueryError::new(
                sqlstate::UNDEFINED_TABLE,
                format!("missing FROM-clause entry for table \"{q}\""),
            ));
        }
        let shown = match qualifier {
            Some(q) => format!("{q}.{name}"),
            None => format!("\"{name}\""),
        };
        Err(QueryError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column {shown} does not exist"),
        ))
    }

    /// Runs `f` with `scope` pushed as an enclosing scope; returns its result and whether the
    /// inner query referenced it (or anything further out).
    pub(crate) fn nested<T>(&self, scope: &Scope, f: impl FnOnce() -> Result<T>) -> Result<(T, bool)> {
        self.outer.borrow_mut().push(scope.clone());
        self.correlated.borrow_mut().push(false);
        let r = f();
        self.outer.borrow_mut().pop();
        let corr = self.correlated.borrow_mut().pop().unwrap_or(false);
        r.map(|v| (v, corr))
    }
}

/// Normalises an identifier: unquoted names fold to lower case.
pub fn ident(i: &sqlparser::ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_ascii_lowercase()
    }
}

/// The parts of an object name, normalised.
pub fn object_name(n: &sqlparser::ast::ObjectName) -> Vec<String> {
    n.0.iter()
        .map(|p| match p {
            sqlparser::ast::ObjectNamePart::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

/// Position (1-based char offset in the statement) of an identifier, if known.
pub fn ident_position(text: &str, i: &sqlparser::ast::Ident) -> Option<u32> {
    let s = i.span.start;
    if s.line == 0 {
        return None;
    }
    Some(crate::parse::char_offset(text, s.line, s.column) as u32 + 1)
}

/// A context binding plain expressions (no aggregates, no window functions).
pub(crate) fn expr_ctx_plain<'s>(scope: &'s Scope, clause: &'static str) -> ExprCtx<'s> {
    ExprCtx::plain(scope, clause)
}

/// Converts a condition to boolean (WHERE and friends).
pub fn boolean_expr(b: &Binder<'_>, e: Expr, clause: &str) -> Result<Expr> {
    boolean(b, e, clause)
}

impl Binder<'_> {
    /// Binds a parsed expression in `cx`.
    pub(crate) fn bind_expr(&self, e: &sqlparser::ast::Expr, cx: &ExprCtx<'_>) -> Result<Expr> {
        self.expr(e, cx)
    }
}
