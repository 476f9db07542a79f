//! One SELECT block: FROM, WHERE, GROUP BY, HAVING, windows, projection, DISTINCT [ON],
//! ORDER BY (output names, ordinals, or input expressions), LIMIT.
use std::cell::RefCell;
use std::collections::HashMap;

use sqlparser::ast::{self, SelectItem};

use super::coerce::boolean;
use super::expr::ExprCtx;
use super::from::visible;
use super::function::sort_key_of;
use super::{Binder, Scope, ident, object_name};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{AggCall, Expr, Field, Plan, SortKey, WindowCall};
use crate::types::DataType;

/// LIMIT / OFFSET, already evaluated.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bounds {
    pub limit: Option<u64>,
    pub offset: u64,
}

/// PostgreSQL's choice of an output column name (FigureColname).
pub fn column_name(e: &ast::Expr) -> Option<String> {
    use ast::Expr as A;
    match e {
        A::Identifier(i) => Some(ident(i)),
        A::CompoundIdentifier(v) => v.last().map(ident),
        A::Function(f) => object_name(&f.name).pop(),
        // A cast is named after its operand when that is a strong name, else after its type.
        A::Cast { expr, data_type, .. } => strong_name(expr)
            .or_else(|| super::sql_type(data_type).ok().map(|t| t.typname().to_string()))
            .or_else(|| column_name(expr)),
        A::Nested(x) => column_name(x),
        // A CASE is named after its ELSE branch when that names a column, function or cast.
        A::Case { else_result, .. } => Some(
            else_result
                .as_deref()
                .and_then(strong_name)
                .unwrap_or_else(|| "case".into()),
        ),
        A::Array(_) => Some("array".into()),
        A::Exists { .. } => Some("exists".into()),
        A::Extract { .. } => Some("extract".into()),
        A::Substring { .. } => Some("substring".into()),
        A::Position { .. } => Some("position".into()),
        A::Trim { .. } => Some("btrim".into()),
        A::Ceil { .. } => Some("ceil".into()),
        A::Floor { .. } => Some("floor".into()),
        A::TypedString(ts) => super::sql_type(&ts.data_type)
            .ok()
            .map(|t| t.typname().to_string()),
        A::Interval(_) => Some("interval".into()),
        // (x).field is named after the field.
        A::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(ast::AccessExpr::Dot(ast::Expr::Identifier(i))) => Some(ident(i)),
            _ => column_name(root),
        },
        A::AtTimeZone { .. } => Some("timezone".into()),
        A::Subquery(q) => match &*q.body {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(SelectItem::ExprWithAlias { alias, .. }) => Some(ident(alias)),
                Some(SelectItem::UnnamedExpr(e)) => column_name(e),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The output name of an expression that PostgreSQL's FigureColname treats as a strong choice
/// (a column reference, function call or cast of one).
fn strong_name(e: &ast::Expr) -> Option<String> {
    use ast::Expr as A;
    match e {
        A::Identifier(_) | A::CompoundIdentifier(_) | A::Function(_) => column_name(e),
        A::Cast { expr, .. } | A::Nested(expr) => strong_name(expr),
        A::CompoundFieldAccess { .. } => column_name(e),
        A::Case { else_result, .. } => else_result.as_deref().and_then(strong_name),
        _ => None,
    }
}

impl Binder<'_> {
    pub(crate) fn select(
        &self,
        s: &ast::Select,
        order_by: &[ast::OrderByExpr],
        bounds: Bounds,
    ) -> Result<Plan> {
        if s.into.is_some() {
            return crate::error::unsupported("SELECT INTO");
        }
        let keep_unknown = self.keep_unknown.replace(false);
        let (mut plan, scope) = self.bind_from(&s.from)?;
        if let Some(w) = &s.selection {
            let pred = self.expr(w, &ExprCtx::plain(&scope, "WHERE"))?;
            let pred = boolean(self, pred, "WHERE")?;
            plan = Plan::Filter {
                input: Box::new(plan),
                predicate: pred,
            };
        }
        // Set-returning calls of the select list run before grouping only when there is none.
        let plain =
            matches!(&s.group_by, ast::GroupByExpr::Expressions(g, _) if g.is_empty()) && s.having.is_none();
        let (mut plan, scope, srfs) = if plain {
            self.project_set(s, plan, scope)?
        } else {
            (plan, scope, HashMap::new())
        };
        let named: HashMap<String, ast::WindowSpec> = s
            .named_window
            .iter()
            .filter_map(|ast::NamedWindowDefinition(n, w)| match w {
                ast::NamedWindowExpr::WindowSpec(spec) => Some((ident(n), spec.clone())),
                ast::NamedWindowExpr::NamedWindow(_) => None,
            })
            .collect();
        let aggs: RefCell<Vec<AggCall>> = RefCell::new(Vec::new());
        let windows: RefCell<Vec<WindowCall>> = RefCell::new(Vec::new());
        let cx = ExprCtx {
            scope: &scope,
            aggs: Some(&aggs),
            windows: Some(&windows),
            named_windows: Some(&named),
            clause: "SELECT",
        };

        // Select list.
        self.srfs.borrow_mut().push(srfs);
        let mut items: Vec<(Expr, String)> = Vec::new();
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    let name = match item {
                        SelectItem::ExprWithAlias { alias, .. } => ident(alias),
                        _ => column_name(e).unwrap_or_else(|| "?column?".into()),
                    };
                    // A composite set-returning call yields one column per field.
                    let composite = match e {
                        ast::Expr::Function(f) => self.srf_columns(f).filter(|c| c.len() > 1),
                        _ => None,
                    };
                    match composite {
                        Some(cols) => {
                            for (field, i, t) in cols {
                                items.push((Expr::Column(i, t), format!("{name}.{field}")));
                            }
                        }
                        None => items.push((self.expr(e, &cx)?, name)),
                    }
                }
                SelectItem::Wildcard(_) => {
                    if scope.cols.is_empty() {
                        return Err(QueryError::new(
                            sqlstate::SYNTAX_ERROR,
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    for (i, c) in visible(&scope) {
                        items.push((Expr::Column(i, c.ty.clone()), c.name.clone()));
                    }
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    let q = match kind {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(n) => {
                            object_name(n).pop().unwrap_or_default()
                        }
                        ast::SelectItemQualifiedWildcardKind::Expr(e) => e.to_string(),
                    };
                    if !scope.has_qualifier(&q) {
                        return Err(QueryError::new(
                            sqlstate::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{q}\""),
                        ));
                    }
                    for (i, c) in scope.cols.iter().enumerate() {
                        if c.qualifier.as_deref() == Some(q.as_str()) {
                            items.push((Expr::Column(i, c.ty.clone()), c.name.clone()));
                        }
                    }
                }
                other => return crate::error::unsupported(format!("select item {other}")),
            }
        }
        self.srfs.borrow_mut().pop();

        // GROUP BY: ordinals and output aliases are allowed (input columns win over aliases).
        let mut group: Vec<Expr> = Vec::new();
        if let ast::GroupByExpr::Expressions(exprs, mods) = &s.group_by {
            if !mods.is_empty() {
                return crate::error::unsupported("GROUP BY modifiers");
            }
            let gcx = ExprCtx {
                scope: &scope,
                aggs: None,
                windows: None,
                named_windows: None,
                clause: "GROUP BY",
            };
            for g in exprs {
                group.push(self.output_ref(g, &items, &scope, &gcx, "GROUP BY")?);
            }
        } else if let ast::GroupByExpr::All(_) = &s.group_by {
            return crate::error::unsupported("GROUP BY ALL");
        }
        let having = match &s.having {
            Some(h) => {
                let hcx = ExprCtx {
                    scope: &scope,
                    aggs: Some(&aggs),
                    windows: None,
                    named_windows: None,
                    clause: "HAVING",
                };
                Some(boolean(self, self.expr(h, &hcx)?, "HAVING")?)
            }
            None => None,
        };
        // ORDER BY: output name or ordinal first, else an input expression (hidden column).
        let mut keys: Vec<(SortKey, Option<usize>)> = Vec::new();
        for k in order_by {
            let target = self.order_target(&k.expr, &items)?;
            match target {
                Some(i) => keys.push((sort_key_of(items[i].0.clone(), k), Some(i))),
                None => keys.push((self.sort_key(k, &cx)?, None)),
            }
        }
        let distinct_on: Option<Vec<Expr>> = match &s.distinct {
            Some(ast::Distinct::On(exprs)) => {
                let mut v = Vec::new();
                for e in exprs {
                    v.push(match self.order_target(e, &items)? {
                        Some(i) => items[i].0.clone(),
                        None => self.expr(e, &cx)?,
                    });
                }
                Some(v)
            }
            _ => None,
        };

        // Aggregation.
        let aggs = aggs.into_inner();
        let grouped = !aggs.is_empty() || !group.is_empty() || having.is_some();
        if grouped {
            let mut fields: Vec<Field> = group
                .iter()
                .enumerate()
                .map(|(i, g)| Field::new(format!("group{i}"), g.ty()))
                .collect();
            fields.extend(
                aggs.iter()
                    .enumerate()
                    .map(|(i, a)| Field::new(format!("agg{i}"), a.ty.clone())),
            );
            let ngroup = group.len();
            let map = |e: Expr| post_agg(e, &group, ngroup, &scope);
            for it in items.iter_mut() {
                it.0 = map(std::mem::replace(&mut it.0, Expr::null(DataType::Unknown)))?;
            }
            for k in keys.iter_mut() {
                k.0.expr = map(std::mem::replace(&mut k.0.expr, Expr::null(DataType::Unknown)))?;
            }
            let having = having.map(map).transpose()?;
            let mut calls = windows.borrow_mut();
            for w in calls.iter_mut() {
                for a in w.args.iter_mut().chain(w.partition.iter_mut()) {
                    *a = map(std::mem::replace(a, Expr::null(DataType::Unknown)))?;
                }
                for k in w.order.iter_mut() {
                    k.expr = map(std::mem::replace(&mut k.expr, Expr::null(DataType::Unknown)))?;
                }
            }
            drop(calls);
            let distinct_on_mapped = distinct_on
                .clone()
                .map(|v| v.into_iter().map(map).collect::<Result<Vec<_>>>())
                .transpose()?;
            plan = Plan::Aggregate {
                input: Box::new(plan),
                group,
                aggs,
                fields,
            };
            if let Some(h) = having {
                plan = Plan::Filter {
                    input: Box::new(plan),
                    predicate: h,
                };
            }
            self.keep_unknown.set(keep_unknown);
            return self.finish_select(
                plan,
                items,
                keys,
                windows.into_inner(),
                distinct_on_mapped,
                s,
                bounds,
            );
        }
        self.keep_unknown.set(keep_unknown);
        self.finish_select(plan, items, keys, windows.into_inner(), distinct_on, s, bounds)
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_select(
        &self,
        mut plan: Plan,
        mut items: Vec<(Expr, String)>,
        mut keys: Vec<(SortKey, Option<usize>)>,
        windows: Vec<WindowCall>,
        distinct_on: Option<Vec<Expr>>,
        s: &ast::Select,
        bounds: Bounds,
    ) -> Result<Plan> {
        let keep_unknown = self.keep_unknown.replace(false);
        // Window functions, computed after grouping.
        if !windows.is_empty() {
            let base = plan.fields().len();
            let mut fields = plan.fields();
            fields.extend(
                windows
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Field::new(format!("window{i}"), w.ty.clone())),
            );
            let map = |e: Expr| {
                e.transform(&mut |x| match x {
                    Expr::WindowRef(i, t) => Expr::Column(base + i, t),
                    x => x,
                })
            };
            for it in items.iter_mut() {
                it.0 = map(std::mem::replace(&mut it.0, Expr::null(DataType::Unknown)));
            }
            for k in keys.iter_mut() {
                k.0.expr = map(std::mem::replace(&mut k.0.expr, Expr::null(DataType::Unknown)));
            }
            plan = Plan::Window {
                input: Box::new(plan),
                calls: windows,
                fields,
            };
        }
        let in_fields = plan.fields();
        // Projection: select items, then sort keys that are not select items (hidden).
        let visible_n = items.len();
        let mut exprs: Vec<Expr> = items.iter().map(|i| i.0.clone()).collect();
        let mut fields: Vec<Field> = items
            .iter()
            .map(|(e, n)| {
                let mut f = Field::new(
                    n.clone(),
                    if e.ty() == DataType::Unknown && !keep_unknown {
                        DataType::Text
                    } else {
                        e.ty()
                    },
                );
                if let Expr::Column(i, _) = e
                    && let Some(src) = in_fields.get(*i)
                {
                    f.table_oid = src.table_oid;
                    f.column = src.column;
                }
                f
            })
            .collect();
        // Unknown-typed outputs (bare string literals) become text, except in a set operation.
        for e in exprs.iter_mut() {
            if e.ty() == DataType::Unknown && !keep_unknown {
                *e = super::coerce(
                    self,
                    std::mem::replace(e, Expr::null(DataType::Unknown)),
                    &DataType::Text,
                )?;
            }
        }
        let is_distinct = matches!(s.distinct, Some(ast::Distinct::Distinct));
        let mut sort: Vec<SortKey> = Vec::new();
        for (k, target) in keys {
            let idx = match target {
                Some(i) => i,
                None => match exprs[..visible_n].iter().position(|e| e.same(&k.expr)) {
                    Some(i) => i,
                    None => {
                        if is_distinct {
                            return Err(QueryError::new(
                                sqlstate::INVALID_COLUMN_REFERENCE,
                                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                            ));
                        }
                        exprs.push(k.expr.clone());
                        fields.push(Field::new("?sort?", k.expr.ty()));
                        exprs.len() - 1
                    }
                },
            };
            sort.push(SortKey {
                expr: Expr::Column(idx, fields[idx].ty.clone()),
                desc: k.desc,
                nulls_first: k.nulls_first,
            });
        }
        let mut on_cols = Vec::new();
        if let Some(on) = &distinct_on {
            for e in on {
                let idx = match exprs.iter().position(|x| x.same(e)) {
                    Some(i) => i,
                    None => {
                        exprs.push(e.clone());
                        fields.push(Field::new("?distinct?", e.ty()));
                        exprs.len() - 1
                    }
                };
                on_cols.push(Expr::Column(idx, fields[idx].ty.clone()));
            }
        }
        plan = Plan::Project {
            input: Box::new(plan),
            exprs,
            fields: fields.clone(),
        };
        if is_distinct {
            plan = Plan::Distinct {
                input: Box::new(plan),
            };
        }
        if !on_cols.is_empty() {
            // The leading ORDER BY keys must match DISTINCT ON; sort by them, then the rest.
            for (i, k) in sort.iter().enumerate().take(on_cols.len()) {
                if !on_cols.iter().any(|c| c.same(&k.expr)) || i >= on_cols.len() {
                    return Err(QueryError::new(
                        sqlstate::INVALID_COLUMN_REFERENCE,
                        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                    ));
                }
            }
            let mut full: Vec<SortKey> = sort.clone();
            for c in &on_cols {
                if !full.iter().any(|k| k.expr.same(c)) {
                    full.push(SortKey {
                        expr: c.clone(),
                        desc: false,
                        nulls_first: false,
                    });
                }
            }
            plan = Plan::Sort {
                input: Box::new(plan),
                keys: full,
            };
            plan = Plan::DistinctOn {
                input: Box::new(plan),
                keys: on_cols,
            };
        } else if !sort.is_empty() {
            plan = Plan::Sort {
                input: Box::new(plan),
                keys: sort,
            };
        }
        if bounds.limit.is_some() || bounds.offset > 0 {
            plan = Plan::Limit {
                input: Box::new(plan),
                limit: bounds.limit,
                offset: bounds.offset,
            };
        }
        if fields.len() > visible_n {
            let exprs = fields[..visible_n]
                .iter()
                .enumerate()
                .map(|(i, f)| Expr::Column(i, f.ty.clone()))
                .collect();
            plan = Plan::Project {
                input: Box::new(plan),
                exprs,
                fields: fields[..visible_n].to_vec(),
            };
        }
        Ok(plan)
    }

    /// An ORDER BY / DISTINCT ON item naming an output column by ordinal or name.
    fn order_target(&self, e: &ast::Expr, items: &[(Expr, String)]) -> Result<Option<usize>> {
        match e {
            ast::Expr::Value(v) => {
                if let ast::Value::Number(n, _) = &v.value {
                    let i: usize = n.parse().unwrap_or(0);
                    if i == 0 || i > items.len() {
                        return Err(QueryError::new(
                            sqlstate::INVALID_COLUMN_REFERENCE,
                            format!("ORDER BY position {n} is not in select list"),
                        ));
                    }
                    return Ok(Some(i - 1));
                }
                Ok(None)
            }
            ast::Expr::Identifier(i) => {
                let n = ident(i);
                let hits: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| it.1 == n)
                    .map(|(k, _)| k)
                    .collect();
                match hits.len() {
                    0 => Ok(None),
                    1 => Ok(Some(hits[0])),
                    _ => {
                        // Same expression under one name twice is fine.
                        if hits.iter().all(|&h| items[h].0.same(&items[hits[0]].0)) {
                            Ok(Some(hits[0]))
                        } else {
                            Err(QueryError::new(
                                sqlstate::AMBIGUOUS_COLUMN,
                                format!("ORDER BY \"{n}\" is ambiguous"),
                            ))
                        }
                    }
                }
            }
            _ => Ok(None),
        }
    }

    /// A GROUP BY item: ordinal, input expression, or output alias.
    fn output_ref(
        &self,
        e: &ast::Expr,
        items: &[(Expr, String)],
        scope: &Scope,
        cx: &ExprCtx<'_>,
        clause: &str,
    ) -> Result<Expr> {
        if let ast::Expr::Value(v) = e
            && let ast::Value::Number(n, _) = &v.value
        {
            let i: usize = n.parse().unwrap_or(0);
            if i == 0 || i > items.len() {
                return Err(QueryError::new(
                    sqlstate::INVALID_COLUMN_REFERENCE,
                    format!("{clause} position {n} is not in select list"),
                ));
            }
            return Ok(items[i - 1].0.clone());
        }
        if let ast::Expr::Identifier(i) = e {
            let n = ident(i);
            if scope.find(None, &n)?.is_none()
                && let Some(it) = items.iter().find(|it| it.1 == n)
            {
                return Ok(it.0.clone());
            }
        }
        self.expr(e, cx)
    }
}

/// Rewrites an expression bound over the FROM scope to one over the Aggregate output.
fn post_agg(e: Expr, group: &[Expr], ngroup: usize, scope: &Scope) -> Result<Expr> {
    // Replace whole group expressions first (top-down), then check what is left.
    fn walk(e: Expr, group: &[Expr], ngroup: usize, err: &mut Option<QueryError>, scope: &Scope) -> Expr {
        if let Some(i) = group.iter().position(|g| g.same(&e)) {
            return Expr::Column(i, e.ty());
        }
        match e {
            Expr::AggRef(i, t) => Expr::Column(ngroup + i, t),
            Expr::Column(i, t) => {
                if err.is_none() {
                    let c = scope.cols.get(i);
                    let name = match c {
                        Some(c) => match &c.qualifier {
                            Some(q) => format!("{q}.{}", c.name),
                            None => c.name.clone(),
                        },
                        None => format!("#{i}"),
                    };
                    *err = Some(QueryError::new(
                        sqlstate::GROUPING_ERROR,
                        format!(
                            "column \"{name}\" must appear in the GROUP BY clause or be used in an aggregate function"
                        ),
                    ));
                }
                Expr::Column(i, t)
            }
            Expr::Subquery(mut sq) if sq.correlated => {
                let plan = std::mem::replace(&mut sq.plan, Plan::OneRow);
                sq.plan = regroup_outer(plan, 1, group, err, scope);
                rebuild(Expr::Subquery(sq), &mut |c| walk(c, group, ngroup, err, scope))
            }
            other => rebuild(other, &mut |c| walk(c, group, ngroup, err, scope)),
        }
    }
    let mut err = None;
    let out = walk(e, group, ngroup, &mut err, scope);
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// A correlated subquery evaluated after GROUP BY sees the grouped row: its references to the
/// outer query's input columns (at nesting `depth`) become references to the group keys.
fn regroup_outer(
    plan: Plan,
    depth: usize,
    group: &[Expr],
    err: &mut Option<QueryError>,
    scope: &Scope,
) -> Plan {
    crate::optimize::map_exprs(plan, &mut |e| {
        e.transform(&mut |x| match x {
            Expr::Outer { depth: d, index, ty } if d == depth => {
                let key = group
                    .iter()
                    .position(|g| matches!(g, Expr::Column(j, _) if *j == index));
                if key.is_none() && err.is_none() {
                    let name = scope.cols.get(index).map_or("?", |c| c.name.as_str());
                    *err = Some(QueryError::new(
                        sqlstate::GROUPING_ERROR,
                        format!("subquery uses ungrouped column \"{name}\" from outer query"),
                    ));
                }
                Expr::Outer {
                    depth: d,
                    index: key.unwrap_or(index),
                    ty,
                }
            }
            Expr::Subquery(mut sq) if sq.correlated => {
                let plan = std::mem::replace(&mut sq.plan, Plan::OneRow);
                sq.plan = regroup_outer(plan, depth + 1, group, err, scope);
                Expr::Subquery(sq)
            }
            x => x,
        })
    })
}

/// Applies `f` to the direct children of `e` (top-down rewriting helper).
pub(crate) fn rebuild(e: Expr, f: &mut dyn FnMut(Expr) -> Expr) -> Expr {
    match e {
        Expr::Call { func, args, ty } => Expr::Call {
            func,
            args: args.into_iter().map(&mut *f).collect(),
            ty,
        },
        Expr::Cast(x, t) => Expr::Cast(Box::new(f(*x)), t),
        Expr::And(v) => Expr::And(v.into_iter().map(&mut *f).collect()),
        Expr::Or(v) => Expr::Or(v.into_iter().map(&mut *f).collect()),
        Expr::Not(x) => Expr::Not(Box::new(f(*x))),
        Expr::IsNull(x, n) => Expr::IsNull(Box::new(f(*x)), n),
        Expr::IsBool(x, b, n) => Expr::IsBool(Box::new(f(*x)), b, n),
        Expr::Distinct {
            left,
            right,
            eq,
            negated,
        } => Expr::Distinct {
            left: Box::new(f(*left)),
            right: Box::new(f(*right)),
            eq,
            negated,
        },
        Expr::Case { whens, otherwise, ty } => Expr::Case {
            whens: whens.into_iter().map(|(a, b)| (f(a), f(b))).collect(),
            otherwise: Box::new(f(*otherwise)),
            ty,
        },
        Expr::Coalesce(v, t) => Expr::Coalesce(v.into_iter().map(&mut *f).collect(), t),
        Expr::InList {
            expr,
            list,
            negated,
            eq,
        } => Expr::InList {
            expr: Box::new(f(*expr)),
            list: list.into_iter().map(&mut *f).collect(),
            negated,
            eq,
        },
        Expr::Quantified { left, array, op, all } => Expr::Quantified {
            left: Box::new(f(*left)),
            array: Box::new(f(*array)),
            op,
            all,
        },
        Expr::Array(v, t) => Expr::Array(v.into_iter().map(&mut *f).collect(), t),
        Expr::Subscript(a, b, t) => Expr::Subscript(Box::new(f(*a)), Box::new(f(*b)), t),
        Expr::Subquery(mut s) => {
            s.kind = match s.kind {
                crate::plan::SubqueryKind::In { expr, negated, eq } => crate::plan::SubqueryKind::In {
                    expr: f(expr),
                    negated,
                    eq,
                },
                crate::plan::SubqueryKind::Quantified { expr, op, all } => {
                    crate::plan::SubqueryKind::Quantified {
                        expr: f(expr),
                        op,
                        all,
                    }
                }
                k => k,
            };
            Expr::Subquery(s)
        }
        other => other,
    }
}
