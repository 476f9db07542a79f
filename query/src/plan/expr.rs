//! Bound expressions: names resolved to input column indexes, types known, functions chosen.
use std::sync::Arc;

use super::Plan;
use crate::functions::ScalarFunction;
use crate::types::{DataType, Value};

/// A bound scalar expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// Column `index` of the input batch.
    Column(usize, DataType),
    /// Column `index` of the row of the query `depth` levels out (correlated subqueries, LATERAL).
    Outer {
        /// 1 = the immediately enclosing query.
        depth: usize,
        /// Column index in that query's input row.
        index: usize,
        /// Type.
        ty: DataType,
    },
    /// A constant.
    Literal(Value, DataType),
    /// `$n` (0-based index), replaced by a literal before execution.
    Param(usize, DataType),
    /// A scalar function or operator.
    Call {
        /// The overload.
        func: Arc<ScalarFunction>,
        /// Arguments, already cast to the overload's types.
        args: Vec<Expr>,
        /// Result type.
        ty: DataType,
    },
    /// A cast.
    Cast(Box<Expr>, DataType),
    /// Conjunction (three-valued).
    And(Vec<Expr>),
    /// Disjunction (three-valued).
    Or(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// `IS NULL` (or `IS NOT NULL` when negated).
    IsNull(Box<Expr>, bool),
    /// `IS [NOT] TRUE/FALSE/UNKNOWN`: `Some(b)` tests for b, `None` for unknown.
    IsBool(Box<Expr>, Option<bool>, bool),
    /// `IS [NOT] DISTINCT FROM` with the equality operator to use.
    Distinct {
        /// Left side.
        left: Box<Expr>,
        /// Right side.
        right: Box<Expr>,
        /// `=` for the common type.
        eq: Arc<ScalarFunction>,
        /// IS NOT DISTINCT FROM.
        negated: bool,
    },
    /// Searched CASE.
    Case {
        /// (condition, result) pairs.
        whens: Vec<(Expr, Expr)>,
        /// ELSE result (NULL literal when absent).
        otherwise: Box<Expr>,
        /// Result type.
        ty: DataType,
    },
    /// COALESCE.
    Coalesce(Vec<Expr>, DataType),
    /// `x [NOT] IN (a, b, ...)`.
    InList {
        /// Tested value.
        expr: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
        /// NOT IN.
        negated: bool,
        /// `=` for the common type.
        eq: Arc<ScalarFunction>,
    },
    /// `x op ANY(array)` / `x op ALL(array)`.
    Quantified {
        /// Left operand.
        left: Box<Expr>,
        /// Array operand.
        array: Box<Expr>,
        /// Comparison.
        op: Arc<ScalarFunction>,
        /// ALL instead of ANY.
        all: bool,
    },
    /// A subquery used as a value.
    Subquery(Box<SubqueryExpr>),
    /// `ARRAY[...]`.
    Array(Vec<Expr>, DataType),
    /// `a[i]`.
    Subscript(Box<Expr>, Box<Expr>, DataType),
    /// Placeholder for aggregate call `i` while binding.
    AggRef(usize, DataType),
    /// Placeholder for window call `i` while binding.
    WindowRef(usize, DataType),
}

/// How a subquery is used.
#[derive(Debug, Clone)]
pub enum SubqueryKind {
    /// `(SELECT x)`: one value (error if more than one row).
    Scalar,
    /// `[NOT] EXISTS (...)`.
    Exists(bool),
    /// `x [NOT] IN (SELECT ...)`.
    In {
        /// Tested value (bound in the outer query).
        expr: Expr,
        /// NOT IN.
        negated: bool,
        /// `=` for the common type.
        eq: Arc<ScalarFunction>,
    },
    /// `x op ANY|ALL (SELECT ...)`.
    Quantified {
        /// Left operand.
        expr: Expr,
        /// Comparison.
        op: Arc<ScalarFunction>,
        /// ALL.
        all: bool,
    },
    /// `ARRAY(SELECT ...)`.
    Array,
}

/// A bound subquery expression.
#[derive(Debug, Clone)]
pub struct SubqueryExpr {
    /// The subquery.
    pub plan: Plan,
    /// How it is used.
    pub kind: SubqueryKind,
    /// Whether it references outer columns (then it runs per outer row, memoised by those values).
    pub correlated: bool,
    /// Result type.
    pub ty: DataType,
}

impl Expr {
    /// The result type.
    pub fn ty(&self) -> DataType {
        match self {
            Expr::Column(_, t) | Expr::Literal(_, t) | Expr::Param(_, t) | Expr::Cast(_, t) => t.clone(),
            Expr::Outer { ty, .. } | Expr::Call { ty, .. } | Expr::Case { ty, .. } => ty.clone(),
            Expr::Coalesce(_, t) | Expr::Array(_, t) | Expr::Subscript(_, _, t) => t.clone(),
            Expr::AggRef(_, t) | Expr::WindowRef(_, t) => t.clone(),
            Expr::Subquery(s) => s.ty.clone(),
            _ => DataType::Bool,
        }
    }

    /// A NULL of a type.
    pub fn null(ty: DataType) -> Expr {
        Expr::Literal(Value::Null, ty)
    }

    /// Children, for generic walks.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Call { args, .. }
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::Coalesce(args, _)
            | Expr::Array(args, _) => args.iter().collect(),
            Expr::Cast(e, _) | Expr::Not(e) | Expr::IsNull(e, _) | Expr::IsBool(e, _, _) => vec![e],
            Expr::Distinct { left, right, .. } => vec![left, right],
            Expr::Case { whens, otherwise, .. } => {
                let mut v: Vec<&Expr> = whens.iter().flat_map(|(a, b)| [a, b]).collect();
                v.push(otherwise);
                v
            }
            Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::Quantified { left, array, .. } => vec![left, array],
            Expr::Subscript(a, b, _) => vec![a, b],
            Expr::Subquery(s) => match &s.kind {
                SubqueryKind::In { expr, .. } | SubqueryKind::Quantified { expr, .. } => vec![expr],
                _ => vec![],
            },
            _ => vec![],
        }
    }

    /// Rewrites every node bottom-up with `f`.
    pub fn transform(self, f: &mut dyn FnMut(Expr) -> Expr) -> Expr {
        let e = match self {
            Expr::Call { func, args, ty } => Expr::Call {
                func,
                args: args.into_iter().map(|a| a.transform(f)).collect(),
                ty,
            },
            Expr::Cast(e, t) => Expr::Cast(Box::new(e.transform(f)), t),
            Expr::And(v) => Expr::And(v.into_iter().map(|a| a.transform(f)).collect()),
            Expr::Or(v) => Expr::Or(v.into_iter().map(|a| a.transform(f)).collect()),
            Expr::Not(e) => Expr::Not(Box::new(e.transform(f))),
            Expr::IsNull(e, n) => Expr::IsNull(Box::new(e.transform(f)), n),
            Expr::IsBool(e, b, n) => Expr::IsBool(Box::new(e.transform(f)), b, n),
            Expr::Distinct {
                left,
                right,
                eq,
                negated,
            } => Expr::Distinct {
                left: Box::new(left.transform(f)),
                right: Box::new(right.transform(f)),
                eq,
                negated,
            },
            Expr::Case { whens, otherwise, ty } => Expr::Case {
                whens: whens
                    .into_iter()
                    .map(|(a, b)| (a.transform(f), b.transform(f)))
                    .collect(),
                otherwise: Box::new(otherwise.transform(f)),
                ty,
            },
            Expr::Coalesce(v, t) => Expr::Coalesce(v.into_iter().map(|a| a.transform(f)).collect(), t),
            Expr::InList {
                expr,
                list,
                negated,
                eq,
            } => Expr::InList {
                expr: Box::new(expr.transform(f)),
                list: list.into_iter().map(|a| a.transform(f)).collect(),
                negated,
                eq,
            },
            Expr::Quantified { left, array, op, all } => Expr::Quantified {
                left: Box::new(left.transform(f)),
                array: Box::new(array.transform(f)),
                op,
                all,
            },
            Expr::Array(v, t) => Expr::Array(v.into_iter().map(|a| a.transform(f)).collect(), t),
            Expr::Subscript(a, b, t) => {
                Expr::Subscript(Box::new(a.transform(f)), Box::new(b.transform(f)), t)
            }
            Expr::Subquery(mut s) => {
                s.kind = match s.kind {
                    SubqueryKind::In { expr, negated, eq } => SubqueryKind::In {
                        expr: expr.transform(f),
                        negated,
                        eq,
                    },
                    SubqueryKind::Quantified { expr, op, all } => SubqueryKind::Quantified {
                        expr: expr.transform(f),
                        op,
                        all,
                    },
                    k => k,
                };
                Expr::Subquery(s)
            }
            e => e,
        };
        f(e)
    }

    /// Whether any node satisfies `p`.
    pub fn any(&self, p: &dyn Fn(&Expr) -> bool) -> bool {
        p(self) || self.children().into_iter().any(|c| c.any(p))
    }

    /// Input columns referenced.
    pub fn columns(&self, out: &mut Vec<usize>) {
        if let Expr::Column(i, _) = self {
            out.push(*i);
        }
        for c in self.children() {
            c.columns(out);
        }
    }

    /// Whether the expression is a constant (no columns, params, subqueries or volatile calls).
    pub fn is_constant(&self) -> bool {
        !self.any(&|e| match e {
            Expr::Column(..)
            | Expr::Outer { .. }
            | Expr::Param(..)
            | Expr::Subquery(_)
            | Expr::AggRef(..)
            | Expr::WindowRef(..) => true,
            Expr::Call { func, .. } => func.volatility == crate::functions::Volatility::Volatile,
            _ => false,
        })
    }

    /// Structural equality (used to match GROUP BY expressions).
    pub fn same(&self, other: &Expr) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }

    /// Splits a conjunction into its conjuncts.
    pub fn conjuncts(self) -> Vec<Expr> {
        match self {
            Expr::And(v) => v.into_iter().flat_map(Expr::conjuncts).collect(),
            e => vec![e],
        }
    }

    /// Joins conjuncts (None when empty).
    pub fn and_all(mut v: Vec<Expr>) -> Option<Expr> {
        match v.len() {
            0 => None,
            1 => v.pop(),
            _ => Some(Expr::And(v)),
        }
    }
}
