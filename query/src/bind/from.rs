//! FROM clauses: tables, views, CTEs, system relations, subqueries, table functions and joins
//! (inner/outer/cross, USING, NATURAL, LATERAL, ASOF).
use std::sync::Arc;

use sqlparser::ast::{self, JoinConstraint, JoinOperator, TableFactor};

use super::coerce::boolean;
use super::expr::ExprCtx;
use super::{Binder, Scope, ScopeColumn, ident, object_name};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{Expr, Field, JoinKind, Plan, ScanPlan};
use crate::types::DataType;

impl Binder<'_> {
    /// Binds a FROM list (comma-separated items are cross joins; later items may be LATERAL).
    pub(crate) fn bind_from(&self, from: &[ast::TableWithJoins]) -> Result<(Plan, Scope)> {
        let mut acc: Option<(Plan, Scope)> = None;
        for twj in from {
            let (plan, scope) = self.table_with_joins(twj, acc.as_ref().map(|a| &a.1))?;
            acc = Some(match acc {
                None => (plan, scope),
                Some((lp, ls)) => self.combine(lp, ls, plan, scope, JoinKind::Inner, None)?,
            });
        }
        Ok(acc.unwrap_or((Plan::OneRow, Scope::default())))
    }

    /// Joins two bound inputs; a right side correlated with the left becomes LATERAL.
    fn combine(
        &self,
        lp: Plan,
        ls: Scope,
        rp: Plan,
        rs: Scope,
        kind: JoinKind,
        on: Option<Expr>,
    ) -> Result<(Plan, Scope)> {
        let mut scope = ls.clone();
        scope.cols.extend(rs.cols.iter().cloned());
        let mut fields = lp.fields();
        fields.extend(rp.fields());
        if let Plan::Lateral { right, .. } = rp {
            return Ok((
                Plan::Lateral {
                    left: Box::new(lp),
                    right,
                    outer: false,
                    fields,
                },
                scope,
            ));
        }
        Ok((
            Plan::Join {
                left: Box::new(lp),
                right: Box::new(rp),
                kind,
                on,
                fields,
            },
            scope,
        ))
    }

    fn table_with_joins(
        &self,
        twj: &ast::TableWithJoins,
        lateral_scope: Option<&Scope>,
    ) -> Result<(Plan, Scope)> {
        let (mut plan, mut scope) = self.factor_maybe_lateral(&twj.relation, lateral_scope, None)?;
        if matches!(plan, Plan::Lateral { .. }) && !twj.joins.is_empty() {
            return crate::error::unsupported("joins after a LATERAL item in a FROM list; use JOIN LATERAL");
        }
        for j in &twj.joins {
            let is_asof = self.is_asof(&j.relation);
            let (kind, constraint) = match &j.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinKind::Inner, Some(c)),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, Some(c)),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinKind::Right, Some(c)),
                JoinOperator::FullOuter(c) => (JoinKind::Full, Some(c)),
                JoinOperator::CrossJoin(_) => (JoinKind::Inner, None),
                other => return crate::error::unsupported(format!("join type {other:?}")),
            };
            // A LATERAL right side comes back as a Lateral marker holding only the right plan.
            let (rplan, rscope) = self.factor_maybe_lateral(&j.relation, Some(&scope), Some(kind))?;
            let mut all = scope.clone();
            all.cols.extend(rscope.cols.iter().cloned());
            let mut merged = Vec::new();
            let on = match constraint {
                None | Some(JoinConstraint::None) => None,
                Some(JoinConstraint::On(e)) => {
                    let x = self.expr(e, &ExprCtx::plain(&all, "JOIN conditions"))?;
                    Some(boolean(self, x, "JOIN/ON")?)
                }
                Some(JoinConstraint::Using(cols)) => {
                    let names: Vec<String> = cols
                        .iter()
                        .map(|c| object_name(c).pop().unwrap_or_default())
                        .collect();
                    Some(self.using(&scope, &rscope, &names, &mut merged)?)
                }
                Some(JoinConstraint::Natural) => {
                    let names: Vec<String> = rscope
                        .cols
                        .iter()
                        .filter(|c| !c.hidden && scope.cols.iter().any(|l| !l.hidden && l.name == c.name))
                        .map(|c| c.name.clone())
                        .collect();
                    if names.is_empty() {
                        None
                    } else {
                        Some(self.using(&scope, &rscope, &names, &mut merged)?)
                    }
                }
                Some(other) => return crate::error::unsupported(format!("join constraint {other:?}")),
            };
            let mut fields = plan.fields();
            fields.extend(rplan.fields());
            plan = if is_asof {
                self.asof_plan(plan, rplan, &scope, on, kind, fields)?
            } else if let Plan::Lateral { right, .. } = rplan {
                let nleft = scope.cols.len();
                let right = match on {
                    Some(cond) => Box::new(Plan::Filter {
                        input: right,
                        predicate: lateralize(cond, nleft),
                    }),
                    None => right,
                };
                match kind {
                    JoinKind::Inner | JoinKind::Left => Plan::Lateral {
                        left: Box::new(plan),
                        right,
                        outer: kind == JoinKind::Left,
                        fields,
                    },
                    _ => {
                        return Err(QueryError::new(
                            sqlstate::SYNTAX_ERROR,
                            "the combining JOIN type must be INNER or LEFT for a LATERAL reference",
                        ));
                    }
                }
            } else {
                if constraint.is_some()
                    && on.is_none()
                    && !matches!(constraint, Some(JoinConstraint::None | JoinConstraint::Natural))
                {
                    return Err(QueryError::new(
                        sqlstate::SYNTAX_ERROR,
                        "JOIN requires a condition",
                    ));
                }
                Plan::Join {
                    left: Box::new(plan),
                    right: Box::new(rplan),
                    kind,
                    on,
                    fields,
                }
            };
            scope = all;
            if !merged.is_empty() && !is_asof {
                (plan, scope) = self.merge_using(plan, scope, kind, &merged)?;
            }
        }
        Ok((plan, scope))
    }

    /// Puts the merged columns of USING / NATURAL first: the left value (inner and left joins),
    /// the right value (right joins) or their COALESCE (full joins), in the common type. The
    /// joined tables' copies stay reachable only by qualified name.
    fn merge_using(
        &self,
        plan: Plan,
        mut scope: Scope,
        kind: JoinKind,
        pairs: &[(usize, usize)],
    ) -> Result<(Plan, Scope)> {
        let mut exprs = Vec::new();
        let mut fields = Vec::new();
        let mut cols = Vec::new();
        for &(l, r) in pairs {
            let col = |i: usize| Expr::Column(i, scope.cols[i].ty.clone());
            let (mut both, ty) = self.unify(vec![col(l), col(r)], "JOIN/USING")?;
            let rx = both.pop().unwrap_or(Expr::null(ty.clone()));
            let lx = both.pop().unwrap_or(Expr::null(ty.clone()));
            exprs.push(match kind {
                JoinKind::Right => rx,
                JoinKind::Full => Expr::Coalesce(vec![lx, rx], ty.clone()),
                _ => lx,
            });
            let name = scope.cols[l].name.clone();
            fields.push(Field::new(name.clone(), ty.clone()));
            cols.push(ScopeColumn {
                qualifier: None,
                name,
                ty,
                hidden: false,
            });
        }
        for &(l, r) in pairs {
            scope.cols[l].hidden = true;
            scope.cols[r].hidden = true;
        }
        let input_fields = plan.fields();
        exprs.extend(
            input_fields
                .iter()
                .enumerate()
                .map(|(i, f)| Expr::Column(i, f.ty.clone())),
        );
        fields.extend(input_fields);
        cols.extend(scope.cols);
        let plan = Plan::Project {
            input: Box::new(plan),
            exprs,
            fields,
        };
        Ok((plan, Scope { cols }))
    }

    /// Whether the relation follows an `ASOF` keyword.
    fn is_asof(&self, tf: &TableFactor) -> bool {
        let pos = match tf {
            TableFactor::Table { name, .. } => name.0.first().and_then(|p| match p {
                ast::ObjectNamePart::Identifier(i) => Some((i.span.start.line, i.span.start.column)),
                _ => None,
            }),
            TableFactor::Derived { subquery, .. } => match &*subquery.body {
                ast::SetExpr::Select(s) => Some((
                    s.select_token.0.span.start.line,
                    s.select_token.0.span.start.column,
                )),
                _ => None,
            },
            _ => None,
        };
        pos.is_some_and(|p| self.asof.contains(&p))
    }

    /// The condition of USING (names); `merged` gets the (left, right) column pairs.
    fn using(
        &self,
        left: &Scope,
        right: &Scope,
        names: &[String],
        merged: &mut Vec<(usize, usize)>,
    ) -> Result<Expr> {
        let mut conds = Vec::new();
        let nleft = left.cols.len();
        for n in names {
            let l = left.find(None, n)?.ok_or_else(|| {
                QueryError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{n}\" specified in USING clause does not exist in left table"),
                )
            })?;
            let r = right.find(None, n)?.ok_or_else(|| {
                QueryError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{n}\" specified in USING clause does not exist in right table"),
                )
            })?;
            let (a, b, eq) = self.equality(
                Expr::Column(l, left.cols[l].ty.clone()),
                Expr::Column(nleft + r, right.cols[r].ty.clone()),
            )?;
            conds.push(Expr::Call {
                func: eq,
                args: vec![a, b],
                ty: DataType::Bool,
            });
            merged.push((l, nleft + r));
        }
        Ok(Expr::and_all(conds).unwrap_or(Expr::Literal(crate::types::Value::Bool(true), DataType::Bool)))
    }

    fn asof_plan(
        &self,
        left: Plan,
        right: Plan,
        lscope: &Scope,
        on: Option<Expr>,
        kind: JoinKind,
        fields: Vec<Field>,
    ) -> Result<Plan> {
        let nleft = lscope.cols.len();
        let bad = || {
            QueryError::new(
                sqlstate::SYNTAX_ERROR,
                "ASOF JOIN needs ON with equalities and one inequality between the two times (a.ts >= b.ts)",
            )
        };
        let on = on.ok_or_else(bad)?;
        let (mut lk, mut rk, mut time) = (Vec::new(), Vec::new(), None);
        let side = |e: &Expr| -> Option<bool> {
            let mut cols = Vec::new();
            e.columns(&mut cols);
            if cols.is_empty() {
                None
            } else if cols.iter().all(|&c| c < nleft) {
                Some(true)
            } else if cols.iter().all(|&c| c >= nleft) {
                Some(false)
            } else {
                None
            }
        };
        let shift = |e: Expr| {
            e.transform(&mut |x| match x {
                Expr::Column(i, t) => Expr::Column(i - nleft, t),
                x => x,
            })
        };
        let (mut right_only, mut left_only) = (Vec::new(), Vec::new());
        for c in on.conjuncts() {
            // Conditions on one side only restrict that side's rows before the match (a
            // left-only condition of a LEFT join would instead decide the match: not allowed).
            match side(&c) {
                Some(false) => {
                    right_only.push(shift(c));
                    continue;
                }
                Some(true) if kind != JoinKind::Left => {
                    left_only.push(c);
                    continue;
                }
                _ => {}
            }
            let Expr::Call { func, args, .. } = &c else {
                return Err(bad());
            };
            let [a, b] = &args[..] else { return Err(bad()) };
            let (la, lb) = (side(a), side(b));
            match (func.name.as_str(), la, lb) {
                ("=", Some(true), Some(false)) => {
                    lk.push(a.clone());
                    rk.push(shift(b.clone()));
                }
                ("=", Some(false), Some(true)) => {
                    lk.push(b.clone());
                    rk.push(shift(a.clone()));
                }
                (">=" | ">", Some(true), Some(false)) if time.is_none() => {
                    time = Some((a.clone(), shift(b.clone()), func.name == ">"))
                }
                ("<=" | "<", Some(false), Some(true)) if time.is_none() => {
                    time = Some((b.clone(), shift(a.clone()), func.name == "<"))
                }
                _ => return Err(bad()),
            }
        }
        let (left_time, right_time, strict) = time.ok_or_else(bad)?;
        let right = match Expr::and_all(right_only) {
            Some(predicate) => Plan::Filter {
                input: Box::new(right),
                predicate,
            },
            None => right,
        };
        let left = match Expr::and_all(left_only) {
            Some(predicate) => Plan::Filter {
                input: Box::new(left),
                predicate,
            },
            None => left,
        };
        Ok(Plan::AsofJoin {
            left: Box::new(left),
            right: Box::new(right),
            left_keys: lk,
            right_keys: rk,
            left_time,
            right_time,
            strict,
            outer: kind == JoinKind::Left,
            fields,
        })
    }

    /// Binds a table factor; when it references `lateral_scope` it comes back as `Plan::Lateral`
    /// holding just the right side (the caller builds the node).
    fn factor_maybe_lateral(
        &self,
        tf: &TableFactor,
        lateral_scope: Option<&Scope>,
        _kind: Option<JoinKind>,
    ) -> Result<(Plan, Scope)> {
        let can_be_lateral = matches!(
            tf,
            TableFactor::Derived { lateral: true, .. }
                | TableFactor::Function { .. }
                | TableFactor::UNNEST { .. }
        ) || matches!(tf, TableFactor::Table { args: Some(_), .. });
        match (lateral_scope, can_be_lateral) {
            (Some(ls), true) => {
                let ((plan, scope), correlated) = self.nested(ls, || self.table_factor(tf))?;
                if correlated {
                    let fields = plan.fields();
                    return Ok((
                        Plan::Lateral {
                            left: Box::new(Plan::OneRow),
                            right: Box::new(plan),
                            outer: false,
                            fields,
                        },
                        scope,
                    ));
                }
                Ok((plan, scope))
            }
            _ => self.table_factor(tf),
        }
    }

    fn table_factor(&self, tf: &TableFactor) -> Result<(Plan, Scope)> {
        match tf {
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } => {
                let fname = object_name(name).pop().unwrap_or_default();
                let exprs: Vec<&ast::Expr> = args
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
                        _ => None,
                    })
                    .collect();
                self.table_function(&fname, &exprs, alias.as_ref(), *with_ordinality)
            }
            TableFactor::Table { name, alias, .. } => self.named_relation(name, alias.as_ref()),
            TableFactor::Derived { subquery, alias, .. } => {
                let plan = self.query(subquery)?;
                let q = alias.as_ref().map(|a| ident(&a.name));
                let fields = rename(plan.fields(), alias.as_ref())?;
                let plan = relabel(plan, &fields);
                Ok((plan, Scope::of(&fields, q.as_deref())))
            }
            TableFactor::Function {
                name, args, alias, ..
            } => {
                let fname = object_name(name).pop().unwrap_or_default();
                let exprs: Vec<&ast::Expr> = args
                    .iter()
                    .filter_map(|a| match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
                        _ => None,
                    })
                    .collect();
                self.table_function(&fname, &exprs, alias.as_ref(), false)
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_ordinality,
                ..
            } => {
                let exprs: Vec<&ast::Expr> = array_exprs.iter().collect();
                self.table_function("unnest", &exprs, alias.as_ref(), *with_ordinality)
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let (plan, scope) = self.table_with_joins(table_with_joins, None)?;
                match alias {
                    None => Ok((plan, scope)),
                    Some(a) => {
                        let fields = rename(plan.fields(), Some(a))?;
                        let q = ident(&a.name);
                        Ok((relabel(plan, &fields), Scope::of(&fields, Some(&q))))
                    }
                }
            }
            other => crate::error::unsupported(format!("FROM item {other}")),
        }
    }

    fn table_function(
        &self,
        name: &str,
        args: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
    ) -> Result<(Plan, Scope)> {
        let empty = Scope::default();
        let cx = ExprCtx::plain(&empty, "functions in FROM");
        let bound = args
            .iter()
            .map(|e| self.expr(e, &cx))
            .collect::<Result<Vec<_>>>()?;
        let types: Vec<DataType> = bound.iter().map(Expr::ty).collect();
        if self.registry.tables(name).is_empty() {
            // A scalar function in FROM yields one row with one column.
            if !self.registry.scalars(name).is_empty() {
                let e = self.call_scalar(name, bound)?;
                let col = alias.map_or(name.to_string(), |a| ident(&a.name));
                let fields = rename(vec![Field::new(col, e.ty())], alias)?;
                let plan = Plan::Project {
                    input: Box::new(Plan::OneRow),
                    exprs: vec![e],
                    fields: fields.clone(),
                };
                let q = alias.map(|a| ident(&a.name)).unwrap_or_else(|| name.to_string());
                return Ok((plan, Scope::of(&fields, Some(&q))));
            }
            return Err(QueryError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!("function {name}() does not exist"),
            ));
        }
        let r = self.registry.resolve_table(name, &types)?;
        let bound = bound
            .into_iter()
            .zip(&r.arg_types)
            .map(|(a, t)| super::coerce(self, a, t))
            .collect::<Result<Vec<_>>>()?;
        let func = if ordinality {
            Arc::new(with_ordinality(&r.func))
        } else {
            r.func
        };
        let cols = (func.columns)(&r.arg_types)?;
        let mut fields: Vec<Field> = cols.into_iter().map(|(n, t)| Field::new(n, t)).collect();
        // A single-column function takes the alias as its column name, as in PostgreSQL.
        if fields.len() == 1
            && let Some(a) = alias
            && a.columns.is_empty()
        {
            fields[0].name = ident(&a.name);
        }
        let fields = rename(fields, alias)?;
        let q = alias.map(|a| ident(&a.name)).unwrap_or_else(|| name.to_string());
        let plan = Plan::TableFunction {
            func,
            args: bound,
            fields: fields.clone(),
        };
        Ok((plan, Scope::of(&fields, Some(&q))))
    }

    fn named_relation(
        &self,
        name: &ast::ObjectName,
        alias: Option<&ast::TableAlias>,
    ) -> Result<(Plan, Scope)> {
        let parts = object_name(name);
        let (schema, rel) = match &parts[..] {
            [r] => (None, r.clone()),
            [s, r] => (Some(s.clone()), r.clone()),
            [_, s, r] => (Some(s.clone()), r.clone()),
            _ => {
                return Err(QueryError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("improper relation name {name}"),
                ));
            }
        };
        let qualifier = alias.map(|a| ident(&a.name)).unwrap_or_else(|| rel.clone());
        // CTEs shadow tables.
        if schema.is_none() {
            let cte = self.ctes.borrow().iter().rev().find_map(|m| m.get(&rel).cloned());
            if let Some(c) = cte {
                let fields = rename(c.fields.clone(), alias)?;
                return Ok((relabel(c.plan, &fields), Scope::of(&fields, Some(&qualifier))));
            }
        }
        let user_schema = matches!(schema.as_deref(), None | Some("public"));
        if user_schema {
            if let Some(t) = self.catalog.table(&rel) {
                let fields: Vec<Field> = t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Field {
                        name: c.name.clone(),
                        ty: c.ty.clone(),
                        qualifier: Some(qualifier.clone()),
                        table_oid: t.oid,
                        column: i as i16 + 1,
                    })
                    .collect();
                let fields = rename(fields, alias)?;
                let scan = ScanPlan {
                    table: t.clone(),
                    columns: (0..t.columns.len()).collect(),
                    fields: fields.clone(),
                    filter: Vec::new(),
                    time: (i64::MIN, i64::MAX),
                    tags: Vec::new(),
                    ranges: Vec::new(),
                    notes: Vec::new(),
                    slice: None,
                };
                return Ok((Plan::Scan(Box::new(scan)), Scope::of(&fields, Some(&qualifier))));
            }
            if let Some(v) = self.catalog.views.get(&rel) {
                return self.view(v, alias, &qualifier);
            }
        }
        if matches!(
            schema.as_deref(),
            None | Some("pg_catalog") | Some("information_schema")
        ) && let Some(cols) = crate::system::columns(schema.as_deref(), &rel)
        {
            let fields: Vec<Field> = cols.into_iter().map(|(n, t)| Field::new(n, t)).collect();
            let fields = rename(fields, alias)?;
            let key = match schema.as_deref() {
                Some("information_schema") => format!("information_schema.{rel}"),
                _ => crate::system::canonical(&rel),
            };
            return Ok((
                Plan::SystemTable {
                    name: key,
                    fields: fields.clone(),
                },
                Scope::of(&fields, Some(&qualifier)),
            ));
        }
        let shown = match &schema {
            Some(s) => format!("{s}.{rel}"),
            None => rel,
        };
        Err(QueryError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{shown}\" does not exist"),
        ))
    }

    fn view(
        &self,
        v: &crate::catalog::ViewInfo,
        alias: Option<&ast::TableAlias>,
        qualifier: &str,
    ) -> Result<(Plan, Scope)> {
        if self.view_depth.get() > 32 {
            return Err(QueryError::new(
                sqlstate::INVALID_RECURSION,
                format!("infinite recursion detected in rules for relation \"{}\"", v.name),
            ));
        }
        let parsed = crate::parse::parse(&v.sql)?;
        let Some(sqlparser::ast::Statement::Query(q)) = parsed.into_iter().next().and_then(|p| p.stmt) else {
            return Err(crate::error::internal(format!(
                "view {} does not hold a query",
                v.name
            )));
        };
        self.view_depth.set(self.view_depth.get() + 1);
        // A view sees no outer scopes or CTEs of the query that uses it.
        let saved_outer = std::mem::take(&mut *self.outer.borrow_mut());
        let saved_ctes = std::mem::take(&mut *self.ctes.borrow_mut());
        let r = self.query(&q);
        *self.outer.borrow_mut() = saved_outer;
        *self.ctes.borrow_mut() = saved_ctes;
        self.view_depth.set(self.view_depth.get() - 1);
        let plan = r?;
        let mut fields = plan.fields();
        for (f, n) in fields.iter_mut().zip(&v.columns) {
            f.name = n.clone();
        }
        for f in fields.iter_mut() {
            f.table_oid = 0;
        }
        let fields = rename(fields, alias)?;
        Ok((relabel(plan, &fields), Scope::of(&fields, Some(qualifier))))
    }
}

/// `f(...) WITH ORDINALITY`: the function's rows numbered from 1 in an extra bigint column.
fn with_ordinality(inner: &Arc<crate::functions::TableFunction>) -> crate::functions::TableFunction {
    let cols = inner.columns.clone();
    let kernel = inner.kernel.clone();
    crate::functions::TableFunction {
        name: inner.name.clone(),
        signature: inner.signature.clone(),
        columns: Arc::new(move |types| {
            let mut c = cols(types)?;
            c.push(("ordinality".to_string(), DataType::Int8));
            Ok(c)
        }),
        kernel: Arc::new(move |ctx, args, types| {
            let mut next = 1i64;
            let rows = kernel(ctx, args, types)?.map(move |b| {
                b.map(|mut b| {
                    let n = b.len();
                    b.columns.push(crate::vector::Vector::ints(
                        DataType::Int8,
                        (next..next + n as i64).collect(),
                    ));
                    next += n as i64;
                    b
                })
            });
            Ok(Box::new(rows) as crate::functions::BatchIter)
        }),
        description: inner.description.clone(),
    }
}

/// Applies `alias (a, b, ...)` column names.
pub(crate) fn rename(mut fields: Vec<Field>, alias: Option<&ast::TableAlias>) -> Result<Vec<Field>> {
    if let Some(a) = alias {
        if a.columns.len() > fields.len() {
            return Err(QueryError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!(
                    "table \"{}\" has {} columns available but {} columns specified",
                    ident(&a.name),
                    fields.len(),
                    a.columns.len()
                ),
            ));
        }
        for (f, c) in fields.iter_mut().zip(&a.columns) {
            f.name = ident(&c.name);
        }
        let q = ident(&a.name);
        for f in fields.iter_mut() {
            f.qualifier = Some(q.clone());
        }
    }
    Ok(fields)
}

/// Gives a plan new output names (wrapping it in a projection when needed).
pub(crate) fn relabel(plan: Plan, fields: &[Field]) -> Plan {
    let old = plan.fields();
    if old.iter().map(|f| &f.name).eq(fields.iter().map(|f| &f.name)) {
        return match plan {
            Plan::Scan(mut s) => {
                s.fields = fields.to_vec();
                Plan::Scan(s)
            }
            p => p,
        };
    }
    let exprs = old
        .iter()
        .enumerate()
        .map(|(i, f)| Expr::Column(i, f.ty.clone()))
        .collect();
    Plan::Project {
        input: Box::new(plan),
        exprs,
        fields: fields.to_vec(),
    }
}

/// Rewrites an ON condition bound over left ++ right columns into one over the right side of a
/// LATERAL join (left columns become outer references).
fn lateralize(e: Expr, nleft: usize) -> Expr {
    e.transform(&mut |x| match x {
        Expr::Column(i, t) if i < nleft => Expr::Outer {
            depth: 1,
            index: i,
            ty: t,
        },
        Expr::Column(i, t) => Expr::Column(i - nleft, t),
        Expr::Outer { depth, index, ty } => Expr::Outer {
            depth: depth + 1,
            index,
            ty,
        },
        x => x,
    })
}

/// Columns of a scope (for `*`).
pub(crate) fn visible(scope: &Scope) -> impl Iterator<Item = (usize, &ScopeColumn)> {
    scope.cols.iter().enumerate().filter(|(_, c)| !c.hidden)
}
