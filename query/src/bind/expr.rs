//! Expressions: sqlparser `Expr` → bound [`Expr`].
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use sqlparser::ast::{self, BinaryOperator as B, UnaryOperator as U, Value as V};

use super::coerce::{boolean, cast_explicit, coerce};
use super::{Binder, Scope, ident, object_name, sql_type};
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::common_type;
use crate::plan::{AggCall, Expr, SubqueryExpr, SubqueryKind, WindowCall};
use crate::types::{ArrayValue, DataType, Decimal, Interval, Value};

/// Where an expression is being bound.
pub(crate) struct ExprCtx<'s> {
    /// Columns in scope.
    pub scope: &'s Scope,
    /// Aggregate calls found (None: aggregates are not allowed here).
    pub aggs: Option<&'s RefCell<Vec<AggCall>>>,
    /// Window calls found (None: not allowed).
    pub windows: Option<&'s RefCell<Vec<WindowCall>>>,
    /// WINDOW clause definitions.
    pub named_windows: Option<&'s HashMap<String, ast::WindowSpec>>,
    /// Clause name for error messages.
    pub clause: &'static str,
}

impl<'s> ExprCtx<'s> {
    /// A context that allows neither aggregates nor window functions.
    pub fn plain(scope: &'s Scope, clause: &'static str) -> ExprCtx<'s> {
        ExprCtx {
            scope,
            aggs: None,
            windows: None,
            named_windows: None,
            clause,
        }
    }
}

fn number_literal(s: &str) -> Result<Expr> {
    if !s.contains(['.', 'e', 'E']) {
        if let Ok(v) = s.parse::<i32>() {
            return Ok(Expr::Literal(Value::Int(i64::from(v)), DataType::Int4));
        }
        if let Ok(v) = s.parse::<i64>() {
            return Ok(Expr::Literal(Value::Int(v), DataType::Int8));
        }
    }
    match Decimal::parse(s) {
        Ok(d) => Ok(Expr::Literal(Value::Numeric(d), DataType::Numeric(None))),
        // Beyond numeric's 38 digits (1e100): a double precision literal rather than an error.
        Err(_) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Expr::Literal(Value::Float(f), DataType::Float8)),
            _ => Err(QueryError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                format!("numeric literal \"{s}\" is out of range"),
            )),
        },
    }
}

/// The symbol of a binary operator, as registered in the function registry.
fn op_symbol(op: &B) -> Option<String> {
    Some(
        match op {
            B::Plus => "+",
            B::Minus => "-",
            B::Multiply => "*",
            B::Divide => "/",
            B::Modulo => "%",
            B::StringConcat => "||",
            B::Gt => ">",
            B::Lt => "<",
            B::GtEq => ">=",
            B::LtEq => "<=",
            B::Eq => "=",
            B::NotEq => "<>",
            B::BitwiseOr => "|",
            B::BitwiseAnd => "&",
            B::PGBitwiseXor => "#",
            B::PGBitwiseShiftLeft => "<<",
            B::PGBitwiseShiftRight => ">>",
            B::PGExp => "^",
            B::PGRegexMatch => "~",
            B::PGRegexIMatch => "~*",
            B::PGRegexNotMatch => "!~",
            B::PGRegexNotIMatch => "!~*",
            B::PGLikeMatch => "~~",
            B::PGILikeMatch => "~~*",
            B::PGNotLikeMatch => "!~~",
            B::PGNotILikeMatch => "!~~*",
            B::AtArrow => "@>",
            B::ArrowAt => "<@",
            B::PGOverlap => "&&",
            B::PGStartsWith => "^@",
            B::PGCustomBinaryOperator(parts) => return parts.last().cloned(),
            B::Custom(s) => return Some(s.clone()),
            _ => return None,
        }
        .to_string(),
    )
}

impl Binder<'_> {
    /// Binds an operator call, resolving its overload and casting the operands.
    pub(crate) fn operator(&self, op: &str, args: Vec<Expr>) -> Result<Expr> {
        let types: Vec<DataType> = args.iter().map(Expr::ty).collect();
        let r = self.registry.resolve_scalar(op, &types)?;
        let args = args
            .into_iter()
            .zip(&r.arg_types)
            .map(|(a, t)| coerce(self, a, t))
            .collect::<Result<Vec<_>>>()?;
        Ok(Expr::Call {
            func: r.func,
            args,
            ty: r.ret,
        })
    }

    /// The `=` operator for two values of a common type, and the operands cast to it.
    pub(crate) fn equality(
        &self,
        l: Expr,
        r: Expr,
    ) -> Result<(Expr, Expr, Arc<crate::functions::ScalarFunction>)> {
        match self.operator("=", vec![l, r])? {
            Expr::Call { func, mut args, .. } if args.len() == 2 => {
                let r = args.pop().unwrap_or(Expr::null(DataType::Unknown));
                let l = args.pop().unwrap_or(Expr::null(DataType::Unknown));
                Ok((l, r, func))
            }
            _ => Err(crate::error::internal("equality did not bind to a call")),
        }
    }

    /// Binds a list of expressions to their common type.
    pub(crate) fn unify(&self, exprs: Vec<Expr>, what: &str) -> Result<(Vec<Expr>, DataType)> {
        let types: Vec<DataType> = exprs.iter().map(Expr::ty).collect();
        let t = common_type(&types).ok_or_else(|| {
            let names: Vec<String> = types
                .iter()
                .filter(|t| **t != DataType::Unknown)
                .map(|t| t.display_name())
                .collect();
            QueryError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("{what} types {} cannot be matched", names.join(" and ")),
            )
        })?;
        let t = if t == DataType::Unknown { DataType::Text } else { t };
        let out = exprs
            .into_iter()
            .map(|e| coerce(self, e, &t))
            .collect::<Result<Vec<_>>>()?;
        Ok((out, t))
    }

    /// Binds an expression.
    pub(crate) fn expr(&self, e: &ast::Expr, cx: &ExprCtx<'_>) -> Result<Expr> {
        use ast::Expr as A;
        Ok(match e {
            A::Identifier(i) => {
                let name = ident(i);
                match self.resolve_column(cx.scope, None, &name) {
                    Ok(c) => c,
                    Err(err) if i.quote_style.is_none() => match self.keyword_value(&name)? {
                        Some(v) => v,
                        None => return Err(err),
                    },
                    Err(err) => return Err(err),
                }
            }
            A::CompoundIdentifier(parts) => {
                let names: Vec<String> = parts.iter().map(ident).collect();
                match &names[..] {
                    [q, c] => self.resolve_column(cx.scope, Some(q), c)?,
                    [_, q, c] | [_, _, q, c] => self.resolve_column(cx.scope, Some(q), c)?,
                    _ => {
                        return Err(QueryError::new(
                            sqlstate::SYNTAX_ERROR,
                            format!("improper qualified name: {e}"),
                        ));
                    }
                }
            }
            A::Value(v) => self.value(&v.value)?,
            A::TypedString(ts) => {
                let t = sql_type(&ts.data_type)?;
                let s = match &ts.value.value {
                    V::SingleQuotedString(s) | V::EscapedStringLiteral(s) | V::DoubleQuotedString(s) => {
                        s.clone()
                    }
                    other => other.to_string(),
                };
                cast_explicit(self, Expr::Literal(Value::str(s), DataType::Unknown), &t)?
            }
            A::Interval(iv) => self.interval(iv, cx)?,
            A::Nested(inner) => self.expr(inner, cx)?,
            A::Collate { expr, .. } => self.expr(expr, cx)?,
            A::BinaryOp { left, op, right } => self.binary(left, op, right, cx)?,
            A::UnaryOp { op, expr } => self.unary(op, expr, cx)?,
            A::Cast { expr, data_type, .. } => {
                let t = sql_type(data_type)?;
                let inner = self.expr(expr, cx)?;
                cast_explicit(self, inner, &t)?
            }
            A::IsNull(x) => Expr::IsNull(Box::new(self.expr(x, cx)?), false),
            A::IsNotNull(x) => Expr::IsNull(Box::new(self.expr(x, cx)?), true),
            A::IsTrue(x) => Expr::IsBool(
                Box::new(boolean(self, self.expr(x, cx)?, "IS TRUE")?),
                Some(true),
                false,
            ),
            A::IsNotTrue(x) => Expr::IsBool(
                Box::new(boolean(self, self.expr(x, cx)?, "IS NOT TRUE")?),
                Some(true),
                true,
            ),
            A::IsFalse(x) => Expr::IsBool(
                Box::new(boolean(self, self.expr(x, cx)?, "IS FALSE")?),
                Some(false),
                false,
            ),
            A::IsNotFalse(x) => Expr::IsBool(
                Box::new(boolean(self, self.expr(x, cx)?, "IS NOT FALSE")?),
                Some(false),
                true,
            ),
            A::IsUnknown(x) => Expr::IsBool(
                Box::new(boolean(self, self.expr(x, cx)?, "IS UNKNOWN")?),
                None,
                false,
            ),
            A::IsNotUnknown(x) => Expr::IsBool(
                Box::new(boolean(self, self.expr(x, cx)?, "IS NOT UNKNOWN")?),
                None,
                true,
            ),
            A::IsDistinctFrom(a, b) | A::IsNotDistinctFrom(a, b) => {
                let (l, r, eq) = self.equality(self.expr(a, cx)?, self.expr(b, cx)?)?;
                Expr::Distinct {
                    left: Box::new(l),
                    right: Box::new(r),
                    eq,
                    negated: matches!(e, A::IsNotDistinctFrom(..)),
                }
            }
            A::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let x = self.expr(expr, cx)?;
                let lo = self.operator(">=", vec![x.clone(), self.expr(low, cx)?])?;
                let hi = self.operator("<=", vec![x, self.expr(high, cx)?])?;
                let both = Expr::And(vec![lo, hi]);
                if *negated { Expr::Not(Box::new(both)) } else { both }
            }
            A::In {
                expr,
                target,
                negated,
                ..
            } => self.in_expr(expr, target, *negated, cx)?,
            A::Like {
                negated,
                expr,
                pattern,
                escape_char,
                any,
                ..
            } => self.like(expr, pattern, escape_char.as_deref(), *negated, false, *any, cx)?,
            A::ILike {
                negated,
                expr,
                pattern,
                escape_char,
                any,
                ..
            } => self.like(expr, pattern, escape_char.as_deref(), *negated, true, *any, cx)?,
            A::SimilarTo { .. } => return crate::error::unsupported("SIMILAR TO"),
            A::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => self.quantified(left, compare_op, right, false, cx)?,
            A::AllOp {
                left,
                compare_op,
                right,
            } => self.quantified(left, compare_op, right, true, cx)?,
            A::AtTimeZone { timestamp, time_zone } => {
                let ts = self.expr(timestamp, cx)?;
                let tz = self.expr(time_zone, cx)?;
                self.call_scalar("timezone", vec![tz, ts])?
            }
            A::Extract { field, expr, .. } => {
                let f = Expr::Literal(Value::str(field.to_string().to_ascii_lowercase()), DataType::Text);
                let x = self.expr(expr, cx)?;
                self.call_scalar("extract", vec![f, x])?
            }
            A::Ceil { expr, .. } => self.call_scalar("ceil", vec![self.expr(expr, cx)?])?,
            A::Floor { expr, .. } => self.call_scalar("floor", vec![self.expr(expr, cx)?])?,
            A::Position { expr, r#in } => {
                let needle = self.expr(expr, cx)?;
                let hay = self.expr(r#in, cx)?;
                self.call_scalar("strpos", vec![hay, needle])?
            }
            A::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(expr, cx)?];
                args.push(match substring_from {
                    Some(f) => self.expr(f, cx)?,
                    None => Expr::Literal(Value::Int(1), DataType::Int4),
                });
                if let Some(f) = substring_for {
                    args.push(self.expr(f, cx)?);
                }
                self.call_scalar("substr", args)?
            }
            A::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                let mut args = vec![self.expr(expr, cx)?];
                if let Some(w) = trim_what {
                    args.push(self.expr(w, cx)?);
                } else if let Some(cs) = trim_characters.as_ref().and_then(|v| v.first()) {
                    args.push(self.expr(cs, cx)?);
                }
                self.call_scalar(name, args)?
            }
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(operand.as_deref(), conditions, else_result.as_deref(), cx)?,
            A::Function(f) => self.function(f, cx)?,
            A::Exists { subquery, negated } => {
                let (plan, correlated) = self.subquery(subquery, cx.scope)?;
                Expr::Subquery(Box::new(SubqueryExpr {
                    plan,
                    kind: SubqueryKind::Exists(*negated),
                    correlated,
                    ty: DataType::Bool,
                }))
            }
            A::Subquery(q) => {
                let (plan, correlated) = self.subquery(q, cx.scope)?;
                let fields = plan.fields();
                if fields.len() != 1 {
                    return Err(QueryError::new(
                        sqlstate::SYNTAX_ERROR,
                        "subquery must return only one column",
                    ));
                }
                let ty = fields[0].ty.clone();
                let ty = if ty == DataType::Unknown {
                    DataType::Text
                } else {
                    ty
                };
                Expr::Subquery(Box::new(SubqueryExpr {
                    plan,
                    kind: SubqueryKind::Scalar,
                    correlated,
                    ty,
                }))
            }
            A::Array(arr) => {
                let items = arr
                    .elem
                    .iter()
                    .map(|x| self.expr(x, cx))
                    .collect::<Result<Vec<_>>>()?;
                if items.is_empty() {
                    return Ok(Expr::Literal(
                        Value::Array(Arc::new(ArrayValue {
                            elem: DataType::Text,
                            lower: 1,
                            items: vec![],
                        })),
                        DataType::Array(Box::new(DataType::Text)),
                    ));
                }
                let (items, t) = self.unify(items, "ARRAY")?;
                if let DataType::Array(_) = t {
                    return crate::error::unsupported("multidimensional arrays");
                }
                let t = DataType::Array(Box::new(t));
                Expr::Array(items, t)
            }
            A::CompoundFieldAccess { root, access_chain } => {
                let (mut base, skip) = self.field_access_root(root, access_chain, cx)?;
                for a in &access_chain[skip..] {
                    match a {
                        ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => {
                            let DataType::Array(elem) = base.ty() else {
                                return Err(QueryError::new(
                                    sqlstate::DATATYPE_MISMATCH,
                                    format!(
                                        "cannot subscript type {} because it does not support subscripting",
                                        base.ty()
                                    ),
                                ));
                            };
                            let i = coerce(self, self.expr(index, cx)?, &DataType::Int4)?;
                            base = Expr::Subscript(Box::new(base), Box::new(i), *elem);
                        }
                        ast::AccessExpr::Subscript(ast::Subscript::Slice {
                            lower_bound,
                            upper_bound,
                            stride: None,
                        }) => {
                            let ty = base.ty();
                            let DataType::Array(_) = ty else {
                                return Err(QueryError::new(
                                    sqlstate::DATATYPE_MISMATCH,
                                    format!(
                                        "cannot subscript type {ty} because it does not support subscripting"
                                    ),
                                ));
                            };
                            let bound = |b: &Option<ast::Expr>| -> Result<Expr> {
                                match b {
                                    Some(x) => coerce(self, self.expr(x, cx)?, &DataType::Int4),
                                    None => Ok(Expr::null(DataType::Int4)),
                                }
                            };
                            let (lo, hi) = (bound(lower_bound)?, bound(upper_bound)?);
                            base = array_slice(base, lo, hi, lower_bound.is_none(), upper_bound.is_none());
                        }
                        ast::AccessExpr::Dot(ast::Expr::Identifier(i)) => {
                            // (composite).field: only the `*.name` form of a table reference.
                            let name = ident(i);
                            if let Expr::Column(..) | Expr::Outer { .. } = base {
                                return Err(QueryError::new(
                                    sqlstate::UNDEFINED_COLUMN,
                                    format!("column \"{name}\" not found in data type"),
                                ));
                            }
                            return crate::error::unsupported("field selection from a composite value");
                        }
                        _ => return crate::error::unsupported(format!("access expression {a}")),
                    }
                }
                base
            }
            A::Tuple(_) => return crate::error::unsupported("row constructors here"),
            A::Named { expr, .. } => self.expr(expr, cx)?,
            A::Prefixed { value, .. } => self.expr(value, cx)?,
            other => return crate::error::unsupported(format!("expression {other}")),
        })
    }

    /// The base of `root.a.b[i]...`: leading `.name` accesses of a column reference are part of
    /// its name (`con.confkey[1]`), `(f(x)).field` selects a field of a composite set-returning
    /// call, and `(q.k).field` a field of a composite select item `f(x) AS k` of subquery `q`.
    /// Returns the bound base and how many accesses it consumed.
    fn field_access_root(
        &self,
        root: &ast::Expr,
        chain: &[ast::AccessExpr],
        cx: &ExprCtx<'_>,
    ) -> Result<(Expr, usize)> {
        let mut inner = root;
        while let ast::Expr::Nested(x) = inner {
            inner = x;
        }
        let field = match chain.first() {
            Some(ast::AccessExpr::Dot(ast::Expr::Identifier(i))) => Some(ident(i)),
            _ => None,
        };
        if let (ast::Expr::Function(f), Some(field)) = (inner, &field)
            && let Some(cols) = self.srf_columns(f)
        {
            return match cols.into_iter().find(|(n, _, _)| n == field) {
                Some((_, i, t)) => Ok((Expr::Column(i, t), 1)),
                None => Err(QueryError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{field}\" not found in data type record"),
                )),
            };
        }
        let parts: Option<Vec<ast::Ident>> = match inner {
            ast::Expr::Identifier(i) => Some(vec![i.clone()]),
            ast::Expr::CompoundIdentifier(v) => Some(v.clone()),
            _ => None,
        };
        if let (Some(parts), Some(field)) = (parts, &field) {
            // (q.k).field where k is an expanded composite column `k.field`.
            let names: Vec<String> = parts.iter().map(ident).collect();
            if let Some((last, quals)) = names.split_last() {
                let composite = format!("{last}.{field}");
                if let Ok(e) = self.resolve_column(cx.scope, quals.last().map(String::as_str), &composite) {
                    return Ok((e, 1));
                }
            }
            // t.col[...] parsed as t, then .col.
            if std::ptr::eq(inner, root) {
                let mut idents = parts;
                let mut used = 0;
                for a in chain {
                    match a {
                        ast::AccessExpr::Dot(ast::Expr::Identifier(i)) => {
                            idents.push(i.clone());
                            used += 1;
                        }
                        _ => break,
                    }
                }
                if let Ok(e) = self.expr(&ast::Expr::CompoundIdentifier(idents), cx) {
                    return Ok((e, used));
                }
            }
        }
        Ok((self.expr(root, cx)?, 0))
    }

    /// CURRENT_USER, CURRENT_TIMESTAMP, ... written without parentheses.
    pub(crate) fn keyword_value(&self, name: &str) -> Result<Option<Expr>> {
        let f = match name {
            "current_user" | "user" | "current_role" => "current_user",
            "session_user" => "session_user",
            "current_schema" => "current_schema",
            "current_catalog" => "current_database",
            "current_timestamp" => "now",
            "current_date" => "current_date",
            "localtimestamp" => "localtimestamp",
            "current_time" | "localtime" => "localtime",
            _ => return Ok(None),
        };
        self.call_scalar(f, vec![]).map(Some)
    }

    /// Calls a scalar function by name.
    pub(crate) fn call_scalar(&self, name: &str, args: Vec<Expr>) -> Result<Expr> {
        let types: Vec<DataType> = args.iter().map(Expr::ty).collect();
        let r = self.registry.resolve_scalar(name, &types)?;
        let args = args
            .into_iter()
            .zip(&r.arg_types)
            .map(|(a, t)| coerce(self, a, t))
            .collect::<Result<Vec<_>>>()?;
        Ok(Expr::Call {
            func: r.func,
            args,
            ty: r.ret,
        })
    }

    pub(crate) fn value(&self, v: &V) -> Result<Expr> {
        Ok(match v {
            V::Number(s, _) => number_literal(s)?,
            V::SingleQuotedString(s)
            | V::EscapedStringLiteral(s)
            | V::UnicodeStringLiteral(s)
            | V::NationalStringLiteral(s)
            | V::TripleSingleQuotedString(s) => Expr::Literal(Value::str(s), DataType::Unknown),
            V::DollarQuotedString(d) => Expr::Literal(Value::str(&d.value), DataType::Unknown),
            V::HexStringLiteral(s) => Expr::Literal(Value::str(format!("\\x{s}")), DataType::Unknown),
            V::Boolean(b) => Expr::Literal(Value::Bool(*b), DataType::Bool),
            V::Null => Expr::Literal(Value::Null, DataType::Unknown),
            V::Placeholder(p) => {
                let n: usize = p.trim_start_matches('$').parse().map_err(|_| {
                    QueryError::new(sqlstate::SYNTAX_ERROR, format!("syntax error at or near \"{p}\""))
                })?;
                if n == 0 {
                    return Err(QueryError::new(
                        sqlstate::UNDEFINED_PARAMETER,
                        format!("there is no parameter ${n}"),
                    ));
                }
                let mut params = self.params.borrow_mut();
                if params.len() < n {
                    params.resize(n, DataType::Unknown);
                }
                let ty = params[n - 1].clone();
                match &self.param_values {
                    // Executing: the value binds as a literal of the parameter's type (an
                    // unknown-typed text value behaves like an untyped literal).
                    Some(vals) => match vals.get(n - 1) {
                        Some(v) => Expr::Literal(v.clone(), ty),
                        None => {
                            return Err(QueryError::new(
                                sqlstate::UNDEFINED_PARAMETER,
                                format!("there is no parameter ${n}"),
                            ));
                        }
                    },
                    None => Expr::Param(n - 1, ty),
                }
            }
            other => return crate::error::unsupported(format!("literal {other}")),
        })
    }

    fn interval(&self, iv: &ast::Interval, cx: &ExprCtx<'_>) -> Result<Expr> {
        let v = self.expr(&iv.value, cx)?;
        let Expr::Literal(Value::Str(s), _) = &v else {
            return cast_explicit(self, v, &DataType::Interval);
        };
        let text = match &iv.leading_field {
            Some(f) if !s.trim().contains(' ') => format!("{s} {}", f.to_string().to_ascii_lowercase()),
            _ => s.to_string(),
        };
        let parsed = Interval::parse(&text).ok_or_else(|| {
            QueryError::new(
                sqlstate::INVALID_DATETIME_FORMAT,
                format!("invalid input syntax for type interval: \"{s}\""),
            )
        })?;
        Ok(Expr::Literal(Value::Interval(parsed), DataType::Interval))
    }

    fn binary(&self, left: &ast::Expr, op: &B, right: &ast::Expr, cx: &ExprCtx<'_>) -> Result<Expr> {
        match op {
            B::And | B::Or => {
                let l = boolean(
                    self,
                    self.expr(left, cx)?,
                    if *op == B::And { "AND" } else { "OR" },
                )?;
                let r = boolean(
                    self,
                    self.expr(right, cx)?,
                    if *op == B::And { "AND" } else { "OR" },
                )?;
                let mut parts = Vec::new();
                for x in [l, r] {
                    match (op, x) {
                        (B::And, Expr::And(v)) => parts.extend(v),
                        (B::Or, Expr::Or(v)) => parts.extend(v),
                        (_, x) => parts.push(x),
                    }
                }
                Ok(if *op == B::And {
                    Expr::And(parts)
                } else {
                    Expr::Or(parts)
                })
            }
            _ => {
                let sym = op_symbol(op).ok_or_else(|| {
                    QueryError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!("operator {op} is not supported"),
                    )
                })?;
                if let (Some(l), Some(r)) = (row_items(left), row_items(right)) {
                    return self.row_compare(&sym, l, r, cx);
                }
                let l = self.expr(left, cx)?;
                let r = self.expr(right, cx)?;
                self.operator(&sym, vec![l, r])
            }
        }
    }

    /// `(a, b) op (c, d)`: pairwise for = and <>, lexicographic for the orderings (NULL when a
    /// NULL pair decides, as in PostgreSQL).
    fn row_compare(&self, sym: &str, l: &[ast::Expr], r: &[ast::Expr], cx: &ExprCtx<'_>) -> Result<Expr> {
        if l.len() != r.len() {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                "unequal number of entries in row expressions",
            ));
        }
        let mut pairs = Vec::new();
        for (a, b) in l.iter().zip(r) {
            pairs.push((self.expr(a, cx)?, self.expr(b, cx)?));
        }
        let op = |o: &str, (a, b): &(Expr, Expr)| self.operator(o, vec![a.clone(), b.clone()]);
        match sym {
            "=" => Ok(Expr::And(
                pairs.iter().map(|p| op("=", p)).collect::<Result<_>>()?,
            )),
            "<>" => Ok(Expr::Or(
                pairs.iter().map(|p| op("<>", p)).collect::<Result<_>>()?,
            )),
            "<" | "<=" | ">" | ">=" => {
                let strict = &sym[..1];
                // a1 < b1 OR (a1 = b1 AND (a2 < b2 OR (a2 = b2 AND ... an op bn)))
                let mut acc: Option<Expr> = None;
                for (i, p) in pairs.iter().enumerate().rev() {
                    acc = Some(match acc {
                        None => op(if i + 1 == pairs.len() { sym } else { strict }, p)?,
                        Some(rest) => Expr::Or(vec![op(strict, p)?, Expr::And(vec![op("=", p)?, rest])]),
                    });
                }
                acc.ok_or_else(|| QueryError::new(sqlstate::SYNTAX_ERROR, "empty row expression"))
            }
            _ => crate::error::unsupported(format!("operator {sym} on row expressions")),
        }
    }

    fn unary(&self, op: &U, x: &ast::Expr, cx: &ExprCtx<'_>) -> Result<Expr> {
        // Fold -<number> so that -2147483648 is an int4 literal, as in PostgreSQL; nested signs
        // fold too (-(-2147483648) is the bigint 2147483648).
        if *op == U::Minus
            && let Some((s, negative)) = signed_number(x, true)
        {
            return number_literal(&if negative { format!("-{s}") } else { s.to_string() });
        }
        let e = self.expr(x, cx)?;
        match op {
            U::Not => Ok(Expr::Not(Box::new(boolean(self, e, "NOT")?))),
            U::Plus => Ok(e),
            U::Minus => self.operator("-", vec![e]),
            U::PGAbs => self.call_scalar("abs", vec![e]),
            U::PGSquareRoot => self.call_scalar("sqrt", vec![e]),
            U::PGCubeRoot => self.call_scalar("cbrt", vec![e]),
            U::BitwiseNot => self.operator("~", vec![e]),
            other => crate::error::unsupported(format!("operator {other}")),
        }
    }

    fn in_expr(
        &self,
        expr: &ast::Expr,
        target: &ast::InTarget,
        negated: bool,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        match (row_items(expr), target) {
            (Some(row), ast::InTarget::List(list)) => return self.row_in_list(row, list, negated, cx),
            (Some(row), ast::InTarget::Subquery(q)) => return self.row_in_subquery(row, q, negated, cx),
            _ => {}
        }
        let x = self.expr(expr, cx)?;
        match target {
            ast::InTarget::List(list) => {
                let mut all = vec![x];
                for i in list {
                    all.push(self.expr(i, cx)?);
                }
                let (mut all, t) = self.unify(all, "IN")?;
                let x = all.remove(0);
                let (_, _, eq) = self.equality(Expr::null(t.clone()), Expr::null(t))?;
                Ok(Expr::InList {
                    expr: Box::new(x),
                    list: all,
                    negated,
                    eq,
                })
            }
            ast::InTarget::Subquery(q) => {
                let (plan, correlated) = self.subquery(q, cx.scope)?;
                let fields = plan.fields();
                if fields.len() != 1 {
                    return Err(QueryError::new(
                        sqlstate::SYNTAX_ERROR,
                        "subquery has too many columns",
                    ));
                }
                let (l, r, eq) = self.equality(x, Expr::Column(0, fields[0].ty.clone()))?;
                let plan = cast_single_column(plan, r);
                Ok(Expr::Subquery(Box::new(SubqueryExpr {
                    plan,
                    kind: SubqueryKind::In { expr: l, negated, eq },
                    correlated,
                    ty: DataType::Bool,
                })))
            }
            _ => crate::error::unsupported("this form of IN"),
        }
    }

    /// `(a, b) [NOT] IN ((1, 2), (3, 4))`: the disjunction of row equalities.
    fn row_in_list(
        &self,
        row: &[ast::Expr],
        list: &[ast::Expr],
        negated: bool,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let mut alts = Vec::new();
        for item in list {
            let items = row_items(item).ok_or_else(|| {
                QueryError::new(
                    sqlstate::SYNTAX_ERROR,
                    "IN list items must be row expressions here",
                )
            })?;
            alts.push(self.row_compare("=", row, items, cx)?);
        }
        let any = Expr::Or(alts);
        Ok(if negated { Expr::Not(Box::new(any)) } else { any })
    }

    /// `(a, b) [NOT] IN (SELECT x, y ...)`, bound as
    /// `CASE WHEN EXISTS (… WHERE x = a AND y = b) THEN true
    ///       WHEN EXISTS (… WHERE (x = a AND y = b) IS NULL) THEN NULL ELSE false END`.
    fn row_in_subquery(
        &self,
        row: &[ast::Expr],
        q: &ast::Query,
        negated: bool,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let names: Vec<String> = (1..=row.len()).map(|i| format!("__in_{i}")).collect();
        let conds: Vec<String> = names
            .iter()
            .zip(row)
            .map(|(n, x)| format!("__in.{n} = ({x})"))
            .collect();
        let from = format!("FROM ({q}) AS __in({})", names.join(", "));
        let cond = conds.join(" AND ");
        let text = format!(
            "CASE WHEN EXISTS (SELECT 1 {from} WHERE {cond}) THEN true \
             WHEN EXISTS (SELECT 1 {from} WHERE ({cond}) IS NULL) THEN NULL ELSE false END"
        );
        let ast = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(&text)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| crate::error::internal(format!("row IN rewrite: {e}")))?;
        let width = self.subquery(q, cx.scope)?.0.fields().len();
        if width != row.len() {
            let msg = if width > row.len() {
                "subquery has too many columns"
            } else {
                "subquery has too few columns"
            };
            return Err(QueryError::new(sqlstate::SYNTAX_ERROR, msg));
        }
        let x = self.expr(&ast, cx)?;
        Ok(if negated { Expr::Not(Box::new(x)) } else { x })
    }

    #[allow(clippy::too_many_arguments)]
    fn like(
        &self,
        expr: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        negated: bool,
        insensitive: bool,
        any: bool,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let op = match (negated, insensitive) {
            (false, false) => "~~",
            (false, true) => "~~*",
            (true, false) => "!~~",
            (true, true) => "!~~*",
        };
        let x = self.expr(expr, cx)?;
        if any {
            // x LIKE ANY (array or subquery): the quantified form of the LIKE operator.
            if escape.is_some() {
                return crate::error::unsupported("LIKE ANY with ESCAPE");
            }
            return self.quantified_bound(x, op, pattern, false, cx);
        }
        let mut p = self.expr(pattern, cx)?;
        if let Some(esc) = escape {
            let esc = self.expr(esc, cx)?;
            // Constant patterns and escapes may be expressions ('pg/_' || '%').
            let constant = |e: &Expr| match e {
                Expr::Literal(Value::Str(s), _) => Some(s.to_string()),
                e => crate::exec::eval_constant(e, self.ctx)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string)),
            };
            let (Some(e), Some(pat)) = (constant(&esc), constant(&p)) else {
                return crate::error::unsupported("a non-constant LIKE ESCAPE");
            };
            p = Expr::Literal(Value::str(rewrite_escape(&pat, &e)?), DataType::Text);
        }
        self.operator(op, vec![x, p])
    }

    fn quantified(
        &self,
        left: &ast::Expr,
        op: &B,
        right: &ast::Expr,
        all: bool,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let sym = op_symbol(op)
            .ok_or_else(|| QueryError::new(sqlstate::FEATURE_NOT_SUPPORTED, "operator in ANY/ALL"))?;
        let l = self.expr(left, cx)?;
        self.quantified_bound(l, &sym, right, all, cx)
    }

    /// `l sym ANY/ALL (right)` with `l` bound: a subquery or an array on the right.
    fn quantified_bound(
        &self,
        l: Expr,
        sym: &str,
        right: &ast::Expr,
        all: bool,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let sym = sym.to_string();
        let inner = match right {
            ast::Expr::Nested(i) => &**i,
            other => other,
        };
        if let ast::Expr::Subquery(q) = inner {
            let (plan, correlated) = self.subquery(q, cx.scope)?;
            let fty = plan
                .fields()
                .first()
                .map(|f| f.ty.clone())
                .unwrap_or(DataType::Text);
            let Expr::Call { func, mut args, .. } = self.operator(&sym, vec![l, Expr::Column(0, fty)])?
            else {
                return Err(crate::error::internal("comparison did not bind to a call"));
            };
            let r = args.pop().unwrap_or(Expr::null(DataType::Unknown));
            let l = args.pop().unwrap_or(Expr::null(DataType::Unknown));
            let plan = cast_single_column(plan, r);
            return Ok(Expr::Subquery(Box::new(SubqueryExpr {
                plan,
                kind: SubqueryKind::Quantified {
                    expr: l,
                    op: func,
                    all,
                },
                correlated,
                ty: DataType::Bool,
            })));
        }
        let arr = self.expr(right, cx)?;
        let arr = match arr.ty() {
            DataType::Array(_) => arr,
            DataType::Unknown => {
                let elem = if l.ty() == DataType::Unknown {
                    DataType::Text
                } else {
                    l.ty()
                };
                coerce(self, arr, &DataType::Array(Box::new(elem)))?
            }
            t => {
                return Err(QueryError::new(
                    sqlstate::DATATYPE_MISMATCH,
                    format!(
                        "op ANY/ALL (array) requires array on right side, not {}",
                        t.display_name()
                    ),
                ));
            }
        };
        let DataType::Array(elem) = arr.ty() else {
            return Err(crate::error::internal("array type"));
        };
        let Expr::Call { func, mut args, .. } = self.operator(&sym, vec![l, Expr::null(*elem.clone())])?
        else {
            return Err(crate::error::internal("comparison did not bind to a call"));
        };
        let rt = args.pop().map(|a| a.ty()).unwrap_or(DataType::Text);
        let l = args.pop().unwrap_or(Expr::null(DataType::Unknown));
        let arr = coerce(self, arr, &DataType::Array(Box::new(rt)))?;
        Ok(Expr::Quantified {
            left: Box::new(l),
            array: Box::new(arr),
            op: func,
            all,
        })
    }

    fn case(
        &self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
        cx: &ExprCtx<'_>,
    ) -> Result<Expr> {
        let op = operand.map(|o| self.expr(o, cx)).transpose()?;
        let mut conds = Vec::new();
        let mut results = Vec::new();
        for w in conditions {
            let c = self.expr(&w.condition, cx)?;
            let c = match &op {
                Some(o) => self.operator("=", vec![o.clone(), c])?,
                None => boolean(self, c, "CASE")?,
            };
            conds.push(c);
            results.push(self.expr(&w.result, cx)?);
        }
        results.push(match else_result {
            Some(e) => self.expr(e, cx)?,
            None => Expr::null(DataType::Unknown),
        });
        let (mut results, ty) = self.unify(results, "CASE")?;
        let otherwise = results.pop().unwrap_or(Expr::null(ty.clone()));
        Ok(Expr::Case {
            whens: conds.into_iter().zip(results).collect(),
            otherwise: Box::new(otherwise),
            ty,
        })
    }

    /// Binds a subquery in expression position, with `scope` visible as its outer scope.
    pub(crate) fn subquery(&self, q: &ast::Query, scope: &Scope) -> Result<(crate::plan::Plan, bool)> {
        self.nested(scope, || self.query(q))
    }
}

/// Makes the single output column of a subquery plan the type `target` (a cast of column 0).
fn cast_single_column(plan: crate::plan::Plan, target: Expr) -> crate::plan::Plan {
    match target {
        Expr::Column(0, _) => plan,
        e => {
            let mut fields = plan.fields();
            if let Some(f) = fields.first_mut() {
                f.ty = e.ty();
            }
            crate::plan::Plan::Project {
                input: Box::new(plan),
                exprs: vec![e],
                fields,
            }
        }
    }
}

/// Rewrites a LIKE pattern with a custom escape character to the default backslash escape.
fn rewrite_escape(pat: &str, esc: &str) -> Result<String> {
    let mut chars = esc.chars();
    let e = match (chars.next(), chars.next()) {
        (None, _) => None,
        (Some(c), None) => Some(c),
        _ => {
            return Err(
                QueryError::new(sqlstate::INVALID_PARAMETER_VALUE, "invalid escape string")
                    .with_hint("Escape string must be empty or one character."),
            );
        }
    };
    let mut out = String::new();
    let mut it = pat.chars();
    while let Some(c) = it.next() {
        if Some(c) == e {
            if let Some(n) = it.next() {
                out.push('\\');
                out.push(n);
            }
        } else if c == '\\' {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Splits a qualified function name into (schema, name).
pub(crate) fn function_name(n: &ast::ObjectName) -> String {
    let parts = object_name(n);
    parts.last().cloned().unwrap_or_default()
}

/// The items of a row constructor `(a, b)`.
fn row_items(e: &ast::Expr) -> Option<&[ast::Expr]> {
    match e {
        ast::Expr::Tuple(items) => Some(items),
        ast::Expr::Nested(inner) => row_items(inner),
        _ => None,
    }
}

/// A number literal under unary minus signs and parentheses: its text, and whether it is
/// negative (`negative` is the parity so far).
fn signed_number(e: &ast::Expr, negative: bool) -> Option<(&str, bool)> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            V::Number(s, _) => Some((s.as_str(), negative)),
            _ => None,
        },
        ast::Expr::Nested(inner) => signed_number(inner, negative),
        ast::Expr::UnaryOp { op: U::Minus, expr } => signed_number(expr, !negative),
        _ => None,
    }
}

/// `arr[lo:hi]` (an omitted bound is the array's own): the elements whose subscripts lie in the
/// range, renumbered from 1; NULL when a given bound is NULL.
fn array_slice(arr: Expr, lo: Expr, hi: Expr, open_lo: bool, open_hi: bool) -> Expr {
    use crate::functions::{ScalarFunction, Signature, Volatility};
    let ty = arr.ty();
    let sig = Signature::exact(&[ty.clone(), DataType::Int4, DataType::Int4], ty.clone());
    let func = ScalarFunction::rows(
        "array slice",
        sig,
        Volatility::Immutable,
        false,
        move |_, args| {
            let [Value::Array(a), l, h] = args else {
                return Ok(Value::Null);
            };
            let first = i64::from(a.lower);
            let last = first + a.items.len() as i64 - 1;
            let pick = |v: &Value, open: bool, own: i64| match (v, open) {
                (_, true) => Some(own),
                (Value::Int(x), false) => Some(*x),
                _ => None,
            };
            let (Some(l), Some(h)) = (pick(l, open_lo, first), pick(h, open_hi, last)) else {
                return Ok(Value::Null);
            };
            let (from, to) = (l.max(first), h.min(last));
            let items = if from > to {
                Vec::new()
            } else {
                a.items[(from - first) as usize..=(to - first) as usize].to_vec()
            };
            Ok(Value::Array(Arc::new(ArrayValue {
                elem: a.elem.clone(),
                lower: 1,
                items,
            })))
        },
    );
    Expr::Call {
        func: Arc::new(func),
        args: vec![arr, lo, hi],
        ty,
    }
}
