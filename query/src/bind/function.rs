//! Function calls: scalar, aggregate (DISTINCT, FILTER, ORDER BY, WITHIN GROUP) and window calls.
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

use super::Binder;
use super::coerce::{boolean, coerce};
use super::expr::{ExprCtx, function_name};
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::{
    AggCall, Expr, Frame, FrameBound, FrameUnits, SortKey, SubqueryExpr, SubqueryKind, WindowCall, WindowKind,
};
use crate::types::{DataType, Value};

/// Arguments of a call as written.
struct CallArgs<'a> {
    exprs: Vec<&'a ast::Expr>,
    /// The parameter name of each argument written `name => value` (None when positional).
    names: Vec<Option<String>>,
    star: bool,
    distinct: bool,
    order_by: Vec<&'a ast::OrderByExpr>,
}

fn call_args(f: &ast::Function) -> Result<CallArgs<'_>> {
    let mut out = CallArgs {
        exprs: Vec::new(),
        names: Vec::new(),
        star: false,
        distinct: false,
        order_by: Vec::new(),
    };
    if let FunctionArguments::List(list) = &f.args {
        out.distinct = matches!(list.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct));
        for a in &list.args {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    out.exprs.push(e);
                    out.names.push(None);
                }
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => out.star = true,
                FunctionArg::Named {
                    name,
                    arg: FunctionArgExpr::Expr(e),
                    ..
                } => {
                    out.exprs.push(e);
                    out.names.push(Some(super::ident(name)));
                }
                FunctionArg::ExprNamed {
                    name,
                    arg: FunctionArgExpr::Expr(e),
                    ..
                } => {
                    let ast::Expr::Identifier(id) = name else {
                        return crate::error::unsupported(format!("function argument name {name}"));
                    };
                    out.exprs.push(e);
                    out.names.push(Some(super::ident(id)));
                }
                other => return crate::error::unsupported(format!("function argument {other}")),
            }
        }
        for c in &list.clauses {
            match c {
                ast::FunctionArgumentClause::OrderBy(keys) => out.order_by.extend(keys.iter()),
                other => return crate::error::unsupported(format!("function argument clause {other}")),
            }
        }
    }
    Ok(out)
}

impl Binder<'_> {
    /// Binds a function call.
    pub(crate) fn function(&self, f: &ast::Function, cx: &ExprCtx<'_>) -> Result<Expr> {
        if let Some(cols) = self.srf_columns(f) {
            if let [(_, i, t)] = &cols[..] {
                return Ok(Expr::Column(*i, t.clone()));
            }
            return crate::error::unsupported(
                "a composite set-returning call here (select one field: (f(...)).field)",
            );
        }
        let name = function_name(&f.name);
        if let FunctionArguments::Subquery(q) = &f.args {
            if name == "array" {
                let (plan, correlated) = self.subquery(q, cx.scope)?;
                let elem = plan
                    .fields()
                    .first()
                    .map(|f| f.ty.clone())
                    .unwrap_or(DataType::Text);
                let elem = if elem == DataType::Unknown {
                    DataType::Text
                } else {
                    elem
                };
                return Ok(Expr::Subquery(Box::new(SubqueryExpr {
                    plan,
                    kind: SubqueryKind::Array,
                    correlated,
                    ty: DataType::Array(Box::new(elem)),
                })));
            }
            return crate::error::unsupported(format!("a subquery as the argument of {name}"));
        }
        // CURRENT_TIMESTAMP, CURRENT_USER, ... written without parentheses.
        if matches!(f.args, FunctionArguments::None)
            && let Some(e) = self.keyword_value(&name)?
        {
            return Ok(e);
        }
        let args = call_args(f)?;
        let defaults;
        let args = if args.names.iter().any(Option::is_some) {
            let (exprs, owned) = named_args(&name, &args)?;
            defaults = owned;
            CallArgs {
                exprs: exprs
                    .into_iter()
                    .map(|e| e.map_or_else(|| &defaults[0], |i| args.exprs[i]))
                    .collect(),
                names: Vec::new(),
                star: args.star,
                distinct: args.distinct,
                order_by: args.order_by.clone(),
            }
        } else {
            args
        };
        if f.over.is_some() {
            return self.window_call(&name, f, &args, cx);
        }
        let is_agg = !self.registry.aggregates(&name).is_empty()
            && (self.registry.scalars(&name).is_empty() || args.star);
        if is_agg || !f.within_group.is_empty() {
            return self.aggregate_call(&name, f, &args, cx);
        }
        if args.star {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                format!("{name}(*) specified, but {name} is not an aggregate function"),
            ));
        }
        if args.distinct || f.filter.is_some() {
            return Err(QueryError::new(
                sqlstate::WRONG_OBJECT_TYPE,
                format!("DISTINCT or FILTER specified, but {name} is not an aggregate function"),
            ));
        }
        let bound = args
            .exprs
            .iter()
            .map(|e| self.expr(e, cx))
            .collect::<Result<Vec<_>>>()?;
        match name.as_str() {
            "coalesce" => {
                if bound.is_empty() {
                    return Err(QueryError::new(
                        sqlstate::SYNTAX_ERROR,
                        "syntax error at or near \")\"",
                    ));
                }
                let (items, ty) = self.unify(bound, "COALESCE")?;
                return Ok(Expr::Coalesce(items, ty));
            }
            "greatest" | "least" => {
                let (items, _) = self.unify(bound, &name.to_ascii_uppercase())?;
                return self.call_scalar(&name, items);
            }
            "row" => return crate::error::unsupported("ROW constructors"),
            _ => {}
        }
        if self.registry.scalars(&name).is_empty() {
            if !self.registry.tables(&name).is_empty() {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("set-returning function {name}() is only supported in FROM"),
                )
                .with_hint(format!("Write SELECT ... FROM {name}(...).")));
            }
            let types: Vec<String> = bound.iter().map(|e| e.ty().display_name()).collect();
            return Err(QueryError::new(sqlstate::UNDEFINED_FUNCTION, format!("function {name}({}) does not exist", types.join(", ")))
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."));
        }
        self.call_scalar(&name, bound)
    }

    fn aggregate_call(
        &self,
        name: &str,
        f: &ast::Function,
        args: &CallArgs<'_>,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let Some(aggs) = cx.aggs else {
            return Err(QueryError::new(
                sqlstate::GROUPING_ERROR,
                format!("aggregate functions are not allowed in {}", cx.clause),
            ));
        };
        // Arguments may not contain aggregates themselves.
        let inner = ExprCtx {
            scope: cx.scope,
            aggs: None,
            windows: None,
            named_windows: None,
            clause: "aggregate function calls",
        };
        let ordered_set = !f.within_group.is_empty();
        let (direct, mut agg_args): (Vec<Expr>, Vec<Expr>) = if ordered_set {
            let direct = args
                .exprs
                .iter()
                .map(|e| self.expr(e, &inner))
                .collect::<Result<Vec<_>>>()?;
            let within = f
                .within_group
                .iter()
                .map(|k| self.expr(&k.expr, &inner))
                .collect::<Result<Vec<_>>>()?;
            (direct, within)
        } else {
            (
                Vec::new(),
                args.exprs
                    .iter()
                    .map(|e| self.expr(e, &inner))
                    .collect::<Result<Vec<_>>>()?,
            )
        };
        if args.star && !agg_args.is_empty() {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                "syntax error at or near \"*\"",
            ));
        }
        let types: Vec<DataType> = agg_args.iter().map(Expr::ty).collect();
        let r = self.registry.resolve_aggregate(name, &types).map_err(|e| {
            if e.code == sqlstate::UNDEFINED_FUNCTION && self.registry.aggregates(name).is_empty() {
                QueryError::new(
                    sqlstate::UNDEFINED_FUNCTION,
                    format!("function {name} does not exist"),
                )
            } else {
                e
            }
        })?;
        agg_args = agg_args
            .into_iter()
            .zip(&r.arg_types)
            .map(|(a, t)| coerce(self, a, t))
            .collect::<Result<Vec<_>>>()?;
        let mut direct_values = Vec::new();
        // percentile_cont/percentile_disc(fractions[]) give an array of percentiles.
        let many = r.func.direct_args.len() == 1
            && direct.len() == 1
            && matches!(direct[0].ty(), DataType::Array(_));
        for (i, d) in direct.into_iter().enumerate() {
            let want = r.func.direct_args.get(i).cloned().unwrap_or(DataType::Float8);
            let want = if many {
                DataType::Array(Box::new(want))
            } else {
                want
            };
            let d = coerce(self, d, &want)?;
            let v = crate::exec::eval_constant(&d, self.ctx).map_err(|_| {
                QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "direct arguments of ordered-set aggregates must be constants",
                )
            })?;
            direct_values.push(v);
        }
        let filter = f
            .filter
            .as_ref()
            .map(|e| self.expr(e, &inner).and_then(|x| boolean(self, x, "FILTER")))
            .transpose()?;
        let order_by = args
            .order_by
            .iter()
            .map(|k| self.sort_key(k, &inner))
            .collect::<Result<Vec<_>>>()?;
        let ty = if many {
            DataType::Array(Box::new(r.ret.clone()))
        } else {
            r.ret.clone()
        };
        let call = AggCall {
            func: r.func,
            args: agg_args,
            direct: direct_values,
            ty: ty.clone(),
            distinct: args.distinct,
            filter,
            order_by,
        };
        let mut list = aggs.borrow_mut();
        // An identical call (same overload, arguments, modifiers; nothing volatile) is computed
        // once, as PostgreSQL does: `max(x) - min(x)` next to `max(x)` aggregates x twice, not thrice.
        if let Some(idx) = list.iter().position(|c| same_call(c, &call)) {
            return Ok(Expr::AggRef(idx, ty));
        }
        let idx = list.len();
        list.push(call);
        Ok(Expr::AggRef(idx, ty))
    }

    /// Binds one ORDER BY key in `cx`.
    pub(crate) fn sort_key(&self, k: &ast::OrderByExpr, cx: &ExprCtx<'_>) -> Result<SortKey> {
        let expr = self.expr(&k.expr, cx)?;
        Ok(sort_key_of(expr, k))
    }

    fn window_call(
        &self,
        name: &str,
        f: &ast::Function,
        args: &CallArgs<'_>,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let Some(windows) = cx.windows else {
            return Err(QueryError::new(
                sqlstate::WINDOWING_ERROR,
                format!("window functions are not allowed in {}", cx.clause),
            ));
        };
        let spec = self.window_spec(f.over.as_ref(), cx)?;
        let bound = args
            .exprs
            .iter()
            .map(|e| self.expr(e, cx))
            .collect::<Result<Vec<_>>>()?;
        let types: Vec<DataType> = bound.iter().map(Expr::ty).collect();
        let partition = spec
            .partition_by
            .iter()
            .map(|e| self.expr(e, cx))
            .collect::<Result<Vec<_>>>()?;
        let order = spec
            .order_by
            .iter()
            .map(|k| self.sort_key(k, cx))
            .collect::<Result<Vec<_>>>()?;
        let frame = self.frame(spec.window_frame.as_ref(), &order)?;
        let filter = f
            .filter
            .as_ref()
            .map(|e| self.expr(e, cx).and_then(|x| boolean(self, x, "FILTER")))
            .transpose()?;
        let (kind, arg_types, ty) = if !self.registry.windows(name).is_empty() {
            let r = self.registry.resolve_window(name, &types)?;
            (WindowKind::Function(r.func), r.arg_types, r.ret)
        } else if !self.registry.aggregates(name).is_empty() {
            let r = self.registry.resolve_aggregate(name, &types)?;
            (WindowKind::Aggregate(r.func, Vec::new()), r.arg_types, r.ret)
        } else {
            let code = if self.registry.scalars(name).is_empty() {
                sqlstate::UNDEFINED_FUNCTION
            } else {
                sqlstate::WRONG_OBJECT_TYPE
            };
            return Err(QueryError::new(
                code,
                format!("OVER specified, but {name} is not a window function nor an aggregate function"),
            )
            .with_hint("OVER requires a window function or an aggregate."));
        };
        let args = bound
            .into_iter()
            .zip(&arg_types)
            .map(|(a, t)| coerce(self, a, t))
            .collect::<Result<Vec<_>>>()?;
        let mut list = windows.borrow_mut();
        let idx = list.len();
        list.push(WindowCall {
            kind,
            args,
            partition,
            order,
            frame,
            filter,
            ty: ty.clone(),
        });
        Ok(Expr::WindowRef(idx, ty))
    }

    fn window_spec(&self, over: Option<&ast::WindowType>, cx: &ExprCtx<'_>) -> Result<ast::WindowSpec> {
        let named = |n: &ast::Ident| -> Result<ast::WindowSpec> {
            let key = super::ident(n);
            cx.named_windows
                .and_then(|m| m.get(&key))
                .cloned()
                .ok_or_else(|| {
                    QueryError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("window \"{key}\" does not exist"),
                    )
                })
        };
        match over {
            Some(ast::WindowType::NamedWindow(n)) => named(n),
            Some(ast::WindowType::WindowSpec(s)) => match &s.window_name {
                Some(base) => {
                    let mut b = named(base)?;
                    if !s.order_by.is_empty() {
                        b.order_by = s.order_by.clone();
                    }
                    if s.window_frame.is_some() {
                        b.window_frame = s.window_frame.clone();
                    }
                    Ok(b)
                }
                None => Ok(s.clone()),
            },
            None => Ok(ast::WindowSpec {
                window_name: None,
                partition_by: vec![],
                order_by: vec![],
                window_frame: None,
            }),
        }
    }

    fn frame(&self, f: Option<&ast::WindowFrame>, order: &[SortKey]) -> Result<Frame> {
        let Some(f) = f else { return Ok(Frame::default()) };
        let units = match f.units {
            ast::WindowFrameUnits::Rows => FrameUnits::Rows,
            ast::WindowFrameUnits::Range => FrameUnits::Range,
            ast::WindowFrameUnits::Groups => FrameUnits::Groups,
        };
        let bound = |b: &ast::WindowFrameBound, start: bool| -> Result<FrameBound> {
            let offset = |e: &ast::Expr| -> Result<Value> {
                let x = self.expr(e, &ExprCtx::plain(&super::Scope::default(), "window frame"))?;
                let x = match (units, x.ty()) {
                    (FrameUnits::Range, DataType::Unknown) => coerce(self, x, &DataType::Interval)?,
                    (FrameUnits::Rows | FrameUnits::Groups, _) => coerce(self, x, &DataType::Int8)?,
                    _ => x,
                };
                let v = crate::exec::eval_constant(&x, self.ctx)?;
                if matches!(v, Value::Int(n) if n < 0) || v.is_null() {
                    return Err(QueryError::new(
                        sqlstate::INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                        "frame starting offset must not be negative",
                    ));
                }
                Ok(v)
            };
            Ok(match b {
                ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
                ast::WindowFrameBound::Preceding(None) => {
                    if !start {
                        return Err(QueryError::new(
                            sqlstate::WINDOWING_ERROR,
                            "frame end cannot be UNBOUNDED PRECEDING",
                        ));
                    }
                    FrameBound::UnboundedPreceding
                }
                ast::WindowFrameBound::Following(None) => {
                    if start {
                        return Err(QueryError::new(
                            sqlstate::WINDOWING_ERROR,
                            "frame start cannot be UNBOUNDED FOLLOWING",
                        ));
                    }
                    FrameBound::UnboundedFollowing
                }
                ast::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(offset(e)?),
                ast::WindowFrameBound::Following(Some(e)) => FrameBound::Following(offset(e)?),
            })
        };
        let start = bound(&f.start_bound, true)?;
        let end = match &f.end_bound {
            Some(b) => bound(b, false)?,
            None => FrameBound::CurrentRow,
        };
        check_frame_order(&start, &end)?;
        if units == FrameUnits::Range
            && (matches!(start, FrameBound::Preceding(_) | FrameBound::Following(_))
                || matches!(end, FrameBound::Preceding(_) | FrameBound::Following(_)))
            && order.len() != 1
        {
            return Err(QueryError::new(
                sqlstate::WINDOWING_ERROR,
                "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
            ));
        }
        Ok(Frame { units, start, end })
    }
}

/// A frame may not start after it ends (by the kinds of its bounds, as PostgreSQL checks).
fn check_frame_order(start: &FrameBound, end: &FrameBound) -> Result<()> {
    let msg = match (start, end) {
        (FrameBound::CurrentRow, FrameBound::Preceding(_)) => {
            "frame starting from current row cannot have preceding rows"
        }
        (FrameBound::Following(_), FrameBound::Preceding(_)) => {
            "frame starting from following row cannot have preceding rows"
        }
        (FrameBound::Following(_), FrameBound::CurrentRow) => {
            "frame starting from following row cannot end with current row"
        }
        _ => return Ok(()),
    };
    Err(QueryError::new(sqlstate::WINDOWING_ERROR, msg))
}

/// A sort key with PostgreSQL's NULL placement defaults.
pub(crate) fn sort_key_of(expr: Expr, k: &ast::OrderByExpr) -> SortKey {
    let desc = matches!(k.options.sort, Some(ast::OrderBySort::Desc));
    let nulls_first = k.options.nulls_first.unwrap_or(desc);
    SortKey {
        expr,
        desc,
        nulls_first,
    }
}

/// Whether two aggregate calls always give the same result (so one can stand for both).
fn same_call(a: &AggCall, b: &AggCall) -> bool {
    let stable = |e: &Expr| {
        !e.any(&|x| match x {
            Expr::Call { func, .. } => func.volatility == crate::functions::Volatility::Volatile,
            Expr::Subquery(_) => true,
            _ => false,
        })
    };
    let same_opt = |x: &Option<Expr>, y: &Option<Expr>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => x.same(y) && stable(x),
        _ => false,
    };
    std::sync::Arc::ptr_eq(&a.func, &b.func)
        && a.ty == b.ty
        && a.distinct == b.distinct
        && a.direct == b.direct
        && a.args.len() == b.args.len()
        && a.args.iter().zip(&b.args).all(|(x, y)| x.same(y) && stable(x))
        && same_opt(&a.filter, &b.filter)
        && a.order_by.len() == b.order_by.len()
        && a.order_by
            .iter()
            .zip(&b.order_by)
            .all(|(x, y)| x.desc == y.desc && x.nulls_first == y.nulls_first && x.expr.same(&y.expr))
}

/// Parameter names of the built-ins callable with `name => value`, and which trailing
/// parameters may be left out (their default is 0, NULL for the gap-fill functions).
fn parameter_names(func: &str) -> Option<(&'static [&'static str], usize)> {
    Some(match func {
        "make_interval" => (&["years", "months", "weeks", "days", "hours", "mins", "secs"], 7),
        "make_date" => (&["year", "month", "day"], 0),
        "make_time" => (&["hour", "min", "sec"], 0),
        "make_timestamp" => (&["year", "month", "mday", "hour", "min", "sec"], 0),
        "make_timestamptz" => (&["year", "month", "mday", "hour", "min", "sec", "timezone"], 1),
        // Gap filling (TimescaleDB's names).
        "locf" => (&["value", "max_gap", "treat_null_as_missing"], 2),
        "interpolate" => (&["value", "max_gap"], 1),
        _ => return None,
    })
}

/// Positional arguments from a call with named ones (PostgreSQL's rules: positional first, then
/// named, each parameter once). Each slot is an index into `args.exprs`, or `None` for the
/// default 0 (the returned expression).
fn named_args(func: &str, args: &CallArgs<'_>) -> Result<(Vec<Option<usize>>, Vec<ast::Expr>)> {
    let no_such = || {
        QueryError::new(
            sqlstate::UNDEFINED_FUNCTION,
            format!("function {func} with named arguments does not exist"),
        )
        .with_hint("No function matches the given name and argument types.")
    };
    let Some((params, optional)) = parameter_names(func) else {
        return Err(no_such());
    };
    let mut slots: Vec<Option<usize>> = vec![None; params.len()];
    let mut seen_named = false;
    for (i, n) in args.names.iter().enumerate() {
        let pos = match n {
            None if seen_named => {
                return Err(QueryError::new(
                    sqlstate::SYNTAX_ERROR,
                    "positional argument cannot follow named argument",
                ));
            }
            None => i,
            Some(n) => {
                seen_named = true;
                params.iter().position(|p| p == n).ok_or_else(no_such)?
            }
        };
        let slot = slots.get_mut(pos).ok_or_else(no_such)?;
        if slot.is_some() {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                format!("argument name \"{}\" used more than once", params[pos]),
            ));
        }
        *slot = Some(i);
    }
    // Trailing parameters left out are dropped; a left-out optional one before a given one takes 0.
    let last = slots.iter().rposition(Option::is_some).map_or(0, |p| p + 1);
    let first_optional = params.len() - optional;
    if last < first_optional || slots[..first_optional].iter().any(Option::is_none) {
        return Err(no_such());
    }
    slots.truncate(last);
    // The gap-fill functions read NULL as "not given"; the make_* functions default to 0.
    let default = if matches!(func, "locf" | "interpolate") {
        ast::Value::Null
    } else {
        ast::Value::Number("0".into(), false)
    };
    Ok((slots, vec![ast::Expr::Value(default.into())]))
}
