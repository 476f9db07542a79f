//! Whole queries: WITH [RECURSIVE], set operations, VALUES, ORDER BY and LIMIT over them.
use std::collections::HashMap;

use sqlparser::ast::{self, SetExpr, SetOperator, SetQuantifier};

use super::expr::ExprCtx;
use super::from::rename;
use super::select::Bounds;
use super::{Binder, CteDef, Scope, coerce, ident};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{Expr, Field, Plan, SetOpKind};
use crate::types::{DataType, Value};

impl Binder<'_> {
    /// Binds a query.
    pub fn query(&self, q: &ast::Query) -> Result<Plan> {
        if q.fetch.is_some() && q.limit_clause.is_some() {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                "cannot use both LIMIT and FETCH",
            ));
        }
        let pushed = q.with.is_some();
        if let Some(with) = &q.with {
            self.ctes.borrow_mut().push(HashMap::new());
            if let Err(e) = self.bind_ctes(with) {
                self.ctes.borrow_mut().pop();
                return Err(e);
            }
        }
        let r = self.query_body(q);
        if pushed {
            self.ctes.borrow_mut().pop();
        }
        r
    }

    fn bounds(&self, q: &ast::Query) -> Result<Bounds> {
        let cx_scope = Scope::default();
        let cx = ExprCtx::plain(&cx_scope, "LIMIT");
        let eval = |e: &ast::Expr, what: &str| -> Result<Option<u64>> {
            let x = self.expr(e, &cx)?;
            let x = coerce(self, x, &DataType::Int8)?;
            let code = if what == "LIMIT" {
                sqlstate::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE
            } else {
                sqlstate::INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE
            };
            match crate::exec::eval_constant(&x, self.ctx)? {
                Value::Null => Ok(None),
                Value::Int(n) if n >= 0 => Ok(Some(n as u64)),
                _ => Err(QueryError::new(code, format!("{what} must not be negative"))),
            }
        };
        let mut b = Bounds::default();
        match &q.limit_clause {
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return crate::error::unsupported("LIMIT BY");
                }
                if let Some(l) = limit {
                    b.limit = eval(l, "LIMIT")?;
                }
                if let Some(o) = offset {
                    b.offset = eval(&o.value, "OFFSET")?.unwrap_or(0);
                }
            }
            Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => {
                b.limit = eval(limit, "LIMIT")?;
                b.offset = eval(offset, "OFFSET")?.unwrap_or(0);
            }
            None => {}
        }
        if let Some(f) = &q.fetch {
            if f.percent || f.with_ties {
                return crate::error::unsupported("FETCH ... PERCENT / WITH TIES");
            }
            b.limit = match &f.quantity {
                Some(e) => eval(e, "FETCH")?,
                None => Some(1),
            };
        }
        Ok(b)
    }

    fn query_body(&self, q: &ast::Query) -> Result<Plan> {
        let bounds = self.bounds(q)?;
        let order: Vec<ast::OrderByExpr> = match &q.order_by {
            Some(ob) => match &ob.kind {
                ast::OrderByKind::Expressions(v) => v.clone(),
                ast::OrderByKind::All(_) => return crate::error::unsupported("ORDER BY ALL"),
            },
            None => Vec::new(),
        };
        if let SetExpr::Select(s) = &*q.body {
            return self.select(s, &order, bounds);
        }
        let mut plan = self.set_expr(&q.body)?;
        let fields = plan.fields();
        if !order.is_empty() {
            let scope = Scope::of(&fields, None);
            let cx = ExprCtx::plain(&scope, "ORDER BY");
            let mut keys = Vec::new();
            for k in &order {
                let e = match &k.expr {
                    ast::Expr::Value(v) if matches!(v.value, ast::Value::Number(..)) => {
                        let ast::Value::Number(n, _) = &v.value else {
                            match unreachable_number()? {}
                        };
                        let i: usize = n.parse().unwrap_or(0);
                        if i == 0 || i > fields.len() {
                            return Err(QueryError::new(
                                sqlstate::INVALID_COLUMN_REFERENCE,
                                format!("ORDER BY position {n} is not in select list"),
                            ));
                        }
                        Expr::Column(i - 1, fields[i - 1].ty.clone())
                    }
                    other => self.expr(other, &cx)?,
                };
                keys.push(super::function::sort_key_of(e, k));
            }
            plan = Plan::Sort {
                input: Box::new(plan),
                keys,
            };
        }
        if bounds.limit.is_some() || bounds.offset > 0 {
            plan = Plan::Limit {
                input: Box::new(plan),
                limit: bounds.limit,
                offset: bounds.offset,
            };
        }
        Ok(plan)
    }

    /// Binds a set expression (SELECT, VALUES, UNION/INTERSECT/EXCEPT, parenthesised query).
    pub(crate) fn set_expr(&self, e: &SetExpr) -> Result<Plan> {
        match e {
            SetExpr::Select(s) => self.select(s, &[], Bounds::default()),
            SetExpr::Query(q) => self.query(q),
            SetExpr::Values(v) => self.values(v),
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => {
                let l = self.set_branch(left)?;
                let r = self.set_branch(right)?;
                let kind = match op {
                    SetOperator::Union => SetOpKind::Union,
                    SetOperator::Intersect => SetOpKind::Intersect,
                    SetOperator::Except | SetOperator::Minus => SetOpKind::Except,
                };
                let all = match set_quantifier {
                    SetQuantifier::All => true,
                    SetQuantifier::Distinct | SetQuantifier::None => false,
                    _ => return crate::error::unsupported("BY NAME set operations"),
                };
                self.set_op(kind, all, l, r)
            }
            other => crate::error::unsupported(format!("{other}")),
        }
    }

    /// A branch of a set operation: a plain SELECT keeps its untyped literals (VALUES resolves
    /// its own types first, as in PostgreSQL).
    fn set_branch(&self, e: &SetExpr) -> Result<Plan> {
        let keep = matches!(e, SetExpr::Select(_));
        let prev = self.keep_unknown.replace(keep);
        let r = self.set_expr(e);
        self.keep_unknown.set(prev);
        r
    }

    /// Unifies the column types of two inputs and builds the set operation.
    pub(crate) fn set_op(&self, kind: SetOpKind, all: bool, l: Plan, r: Plan) -> Result<Plan> {
        let (lf, rf) = (l.fields(), r.fields());
        let name = match kind {
            SetOpKind::Union => "UNION",
            SetOpKind::Intersect => "INTERSECT",
            SetOpKind::Except => "EXCEPT",
        };
        if lf.len() != rf.len() {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                format!("each {name} query must have the same number of columns"),
            ));
        }
        let mut types = Vec::new();
        for (a, b) in lf.iter().zip(&rf) {
            let t = crate::functions::common_type(&[a.ty.clone(), b.ty.clone()]).ok_or_else(|| {
                QueryError::new(
                    sqlstate::DATATYPE_MISMATCH,
                    format!("{name} types {} and {} cannot be matched", a.ty, b.ty),
                )
            })?;
            types.push(if t == DataType::Unknown { DataType::Text } else { t });
        }
        let l = self.cast_columns(l, &types)?;
        let r = self.cast_columns(r, &types)?;
        let fields: Vec<Field> = lf
            .iter()
            .zip(&types)
            .map(|(f, t)| Field::new(f.name.clone(), t.clone()))
            .collect();
        Ok(Plan::SetOp {
            kind,
            all,
            left: Box::new(l),
            right: Box::new(r),
            fields,
        })
    }

    /// Projects a plan's columns to the given types (no-op when they match).
    pub(crate) fn cast_columns(&self, p: Plan, types: &[DataType]) -> Result<Plan> {
        let fields = p.fields();
        if fields.iter().zip(types).all(|(f, t)| f.ty == *t) {
            return Ok(p);
        }
        let mut exprs = Vec::new();
        let mut out = Vec::new();
        for (i, (f, t)) in fields.iter().zip(types).enumerate() {
            exprs.push(coerce(self, Expr::Column(i, f.ty.clone()), t)?);
            let mut nf = f.clone();
            nf.ty = t.clone();
            out.push(nf);
        }
        Ok(Plan::Project {
            input: Box::new(p),
            exprs,
            fields: out,
        })
    }

    fn values(&self, v: &ast::Values) -> Result<Plan> {
        self.keep_unknown.set(false);
        let scope = Scope::default();
        let cx = ExprCtx::plain(&scope, "VALUES");
        let mut rows: Vec<Vec<Expr>> = Vec::new();
        for r in &v.rows {
            let row = r
                .content
                .iter()
                .map(|e| self.expr(e, &cx))
                .collect::<Result<Vec<_>>>()?;
            if let Some(first) = rows.first()
                && first.len() != row.len()
            {
                return Err(QueryError::new(
                    sqlstate::SYNTAX_ERROR,
                    "VALUES lists must all be the same length",
                ));
            }
            rows.push(row);
        }
        let ncols = rows.first().map_or(0, |r| r.len());
        let mut types = Vec::with_capacity(ncols);
        for c in 0..ncols {
            let col: Vec<DataType> = rows.iter().map(|r| r[c].ty()).collect();
            let t = crate::functions::common_type(&col).ok_or_else(|| {
                QueryError::new(sqlstate::DATATYPE_MISMATCH, "VALUES types cannot be matched")
            })?;
            types.push(if t == DataType::Unknown { DataType::Text } else { t });
        }
        let rows = rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .zip(&types)
                    .map(|(e, t)| coerce(self, e, t))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        let fields = types
            .iter()
            .enumerate()
            .map(|(i, t)| Field::new(format!("column{}", i + 1), t.clone()))
            .collect();
        Ok(Plan::Values { rows, fields })
    }

    fn bind_ctes(&self, with: &ast::With) -> Result<()> {
        for cte in &with.cte_tables {
            let name = ident(&cte.alias.name);
            let defined = self.ctes.borrow().last().is_some_and(|f| f.contains_key(&name));
            if defined {
                return Err(QueryError::new(
                    sqlstate::DUPLICATE_ALIAS,
                    format!("WITH query name \"{name}\" specified more than once"),
                ));
            }
            let plan = if with.recursive && references(&cte.query, &name) {
                self.recursive_cte(&name, cte)?
            } else {
                self.query(&cte.query)?
            };
            let fields = rename(plan.fields(), Some(&cte.alias))?;
            let plan = super::from::relabel(plan, &fields);
            if let Some(frame) = self.ctes.borrow_mut().last_mut() {
                frame.insert(name, CteDef { plan, fields });
            }
        }
        Ok(())
    }

    fn recursive_cte(&self, name: &str, cte: &ast::Cte) -> Result<Plan> {
        let SetExpr::SetOperation {
            left,
            op: SetOperator::Union,
            set_quantifier,
            right,
        } = &*cte.query.body
        else {
            return Err(QueryError::new(
                sqlstate::INVALID_RECURSION,
                format!(
                    "recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"
                ),
            ));
        };
        // (The test is textual: only flag it when the other term does not recurse.)
        if references(left, name) && !references(right, name) {
            return Err(QueryError::new(
                sqlstate::INVALID_RECURSION,
                format!(
                    "recursive reference to query \"{name}\" must not appear within its non-recursive term"
                ),
            ));
        }
        let anchor = self.set_expr(left)?;
        let mut fields = rename(anchor.fields(), Some(&cte.alias))?;
        for f in fields.iter_mut() {
            if f.ty == DataType::Unknown {
                f.ty = DataType::Text;
            }
        }
        let types: Vec<DataType> = fields.iter().map(|f| f.ty.clone()).collect();
        let anchor = self.cast_columns(anchor, &types)?;
        let id = self.fresh_id();
        let work = Plan::WorkTable {
            id,
            fields: fields.clone(),
        };
        if let Some(frame) = self.ctes.borrow_mut().last_mut() {
            frame.insert(
                name.to_string(),
                CteDef {
                    plan: work,
                    fields: fields.clone(),
                },
            );
        }
        let recursive = self.set_expr(right)?;
        if recursive.fields().len() != fields.len() {
            return Err(QueryError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("recursive query \"{name}\" column count mismatch"),
            ));
        }
        let recursive = self.cast_columns(recursive, &types)?;
        let all = matches!(set_quantifier, SetQuantifier::All);
        Ok(Plan::RecursiveCte {
            anchor: Box::new(anchor),
            recursive: Box::new(recursive),
            all,
            id,
            fields,
        })
    }
}

fn unreachable_number() -> Result<std::convert::Infallible> {
    Err(crate::error::internal("number literal expected"))
}

/// Whether a query mentions a relation called `name` (to detect recursive CTEs).
fn references(q: &impl std::fmt::Display, name: &str) -> bool {
    let text = q.to_string().to_ascii_lowercase();
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == name)
}
