//! Set-returning functions in the select list (PostgreSQL's ProjectSet).
//!
//! `SELECT a, unnest(x), generate_subscripts(x, 1) FROM t` runs the set-returning calls of the
//! select list once per input row, in lockstep like `ROWS FROM (...)`: the row repeats as many
//! times as the longest result, shorter results are padded with NULLs, and a row whose calls
//! all return nothing disappears. The binder computes the calls' arguments as extra columns of
//! the FROM plan, joins it laterally with one table function that zips the calls, and binds the
//! calls in the select list as references to that function's columns.
//!
//! A call returning several columns (`information_schema._pg_expandarray(a)` returns `x` and
//! `n`) is a composite: `(f(a)).n` selects a field, and `f(a) AS k` as a select item yields one
//! column per field, named `k.x`, `k.n`, which `(q.k).x` finds again one query level up.
use std::collections::HashMap;
use std::sync::Arc;

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments, SelectItem};

use super::expr::{ExprCtx, function_name};
use super::{Binder, Scope, ScopeColumn};
use crate::error::Result;
use crate::functions::{BatchIter, Signature, TableFunction};
use crate::plan::{Expr, Field, Plan};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Output columns of the set-returning calls of one select list, by the call's SQL text:
/// (field name, column index in the select's scope, type).
pub(crate) type SrfColumns = HashMap<String, Vec<(String, usize, DataType)>>;

/// One set-returning call being zipped.
struct Call {
    func: Arc<TableFunction>,
    arg_types: Vec<DataType>,
    columns: Vec<(String, DataType)>,
}

impl Binder<'_> {
    /// Whether `name` is only a set-returning function (not a scalar or aggregate too).
    fn is_srf(&self, name: &str) -> bool {
        !self.registry.tables(name).is_empty()
            && self.registry.scalars(name).is_empty()
            && self.registry.aggregates(name).is_empty()
    }

    fn collect_srfs<'e>(&self, e: &'e ast::Expr, out: &mut Vec<&'e ast::Function>) {
        use ast::Expr as A;
        match e {
            A::Function(f) => {
                if f.over.is_none() && self.is_srf(&function_name(&f.name)) {
                    out.push(f);
                    return;
                }
                if let FunctionArguments::List(l) = &f.args {
                    for a in &l.args {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) = a {
                            self.collect_srfs(x, out);
                        }
                    }
                }
            }
            A::Nested(x)
            | A::UnaryOp { expr: x, .. }
            | A::Cast { expr: x, .. }
            | A::IsNull(x)
            | A::IsNotNull(x)
            | A::Collate { expr: x, .. } => self.collect_srfs(x, out),
            A::BinaryOp { left, right, .. } => {
                self.collect_srfs(left, out);
                self.collect_srfs(right, out);
            }
            A::CompoundFieldAccess { root, .. } => self.collect_srfs(root, out),
            _ => {}
        }
    }

    /// Joins `plan` with the set-returning calls of the select list, if any; returns the new
    /// plan, its scope (the calls' columns hidden) and where each call's columns are.
    pub(crate) fn project_set(
        &self,
        s: &ast::Select,
        plan: Plan,
        scope: Scope,
    ) -> Result<(Plan, Scope, SrfColumns)> {
        let mut found: Vec<&ast::Function> = Vec::new();
        for item in &s.projection {
            if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                self.collect_srfs(e, &mut found);
            }
        }
        let mut keys: Vec<String> = Vec::new();
        let mut calls_ast: Vec<&ast::Function> = Vec::new();
        for f in found {
            let k = f.to_string();
            if !keys.contains(&k) {
                keys.push(k);
                calls_ast.push(f);
            }
        }
        if calls_ast.is_empty() {
            return Ok((plan, scope, HashMap::new()));
        }
        let cx = ExprCtx::plain(&scope, "set-returning function arguments");
        let mut args: Vec<Expr> = Vec::new();
        let mut calls: Vec<Call> = Vec::new();
        for f in &calls_ast {
            let name = function_name(&f.name);
            let mut bound = Vec::new();
            if let FunctionArguments::List(l) = &f.args {
                for a in &l.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) = a {
                        bound.push(self.expr(x, &cx)?);
                    }
                }
            }
            let types: Vec<DataType> = bound.iter().map(Expr::ty).collect();
            let r = self.registry.resolve_table(&name, &types)?;
            for (a, t) in bound.into_iter().zip(&r.arg_types) {
                args.push(super::coerce(self, a, t)?);
            }
            let columns = (r.func.columns)(&r.arg_types)?;
            calls.push(Call {
                func: r.func,
                arg_types: r.arg_types,
                columns,
            });
        }
        // The arguments become columns of the left side, so that they are computed (subqueries
        // included) in the FROM row's own context; the zipped function reads them as outer values.
        let mut fields = plan.fields();
        let nleft = fields.len();
        let mut exprs: Vec<Expr> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| Expr::Column(i, f.ty.clone()))
            .collect();
        for (j, a) in args.iter().enumerate() {
            fields.push(Field::new(format!("?srfarg{j}?"), a.ty()));
            exprs.push(a.clone());
        }
        let left = Plan::Project {
            input: Box::new(plan),
            exprs,
            fields: fields.clone(),
        };
        let outer_args: Vec<Expr> = args
            .iter()
            .enumerate()
            .map(|(j, a)| Expr::Outer {
                depth: 1,
                index: nleft + j,
                ty: a.ty(),
            })
            .collect();
        let zip = zip_calls(&calls);
        let right_fields: Vec<Field> = calls
            .iter()
            .flat_map(|c| c.columns.iter())
            .map(|(n, t)| Field::new(n.clone(), t.clone()))
            .collect();
        let mut all = fields.clone();
        all.extend(right_fields.iter().cloned());
        let plan = Plan::Lateral {
            left: Box::new(left),
            right: Box::new(Plan::TableFunction {
                func: Arc::new(zip),
                args: outer_args,
                fields: right_fields.clone(),
            }),
            outer: false,
            fields: all,
        };
        let mut scope = scope;
        let hidden = |name: String, ty: DataType| ScopeColumn {
            qualifier: None,
            name,
            ty,
            hidden: true,
        };
        for f in &fields[nleft..] {
            scope.cols.push(hidden(f.name.clone(), f.ty.clone()));
        }
        let mut map = SrfColumns::new();
        for (key, call) in keys.into_iter().zip(&calls) {
            let mut cols = Vec::new();
            for (n, t) in &call.columns {
                cols.push((n.clone(), scope.cols.len(), t.clone()));
                scope.cols.push(hidden(format!("?{n}?"), t.clone()));
            }
            map.insert(key, cols);
        }
        Ok((plan, scope, map))
    }

    /// The columns of a set-returning call bound by the innermost select list, if it is one.
    pub(crate) fn srf_columns(&self, f: &ast::Function) -> Option<Vec<(String, usize, DataType)>> {
        self.srfs
            .borrow()
            .last()
            .and_then(|m| m.get(&f.to_string()).cloned())
    }
}

/// One table function running `calls` in lockstep over their concatenated arguments.
fn zip_calls(calls: &[Call]) -> TableFunction {
    let parts: Vec<(Arc<TableFunction>, Vec<DataType>, Vec<DataType>)> = calls
        .iter()
        .map(|c| {
            (
                c.func.clone(),
                c.arg_types.clone(),
                c.columns.iter().map(|(_, t)| t.clone()).collect(),
            )
        })
        .collect();
    let columns: Vec<(String, DataType)> = calls.iter().flat_map(|c| c.columns.iter().cloned()).collect();
    let arg_types: Vec<DataType> = calls.iter().flat_map(|c| c.arg_types.iter().cloned()).collect();
    TableFunction {
        name: "rows from".into(),
        signature: Signature::exact(&arg_types, DataType::Record),
        columns: Arc::new(move |_| Ok(columns.clone())),
        kernel: Arc::new(move |ctx, args, _| {
            let mut results: Vec<Vec<Vec<Value>>> = Vec::new();
            let mut start = 0;
            for (func, types, out) in &parts {
                let vals = args.get(start..start + types.len()).unwrap_or(&[]);
                start += types.len();
                let mut cols: Vec<Vec<Value>> = vec![Vec::new(); out.len()];
                for b in (func.kernel)(ctx, vals, types)? {
                    let b = b?;
                    for (c, v) in cols.iter_mut().zip(&b.columns) {
                        c.extend((0..b.len()).map(|i| v.value(i)));
                    }
                }
                results.push(cols);
            }
            let n = results
                .iter()
                .filter_map(|cols| cols.first().map(Vec::len))
                .max()
                .unwrap_or(0);
            if n == 0 {
                return Ok(Box::new(std::iter::empty()) as BatchIter);
            }
            let mut vectors = Vec::new();
            for ((_, _, out), cols) in parts.iter().zip(results) {
                for (t, mut c) in out.iter().zip(cols) {
                    c.resize(n, Value::Null);
                    vectors.push(Vector::from_values(t.clone(), c));
                }
            }
            Ok(Box::new(std::iter::once(Ok(Batch::new(vectors, n)))) as BatchIter)
        }),
        description: "set-returning calls of a select list".into(),
    }
}
