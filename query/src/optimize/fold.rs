//! Constant folding: immutable and stable calls over literals are evaluated once at plan time.
use crate::context::EvalContext;
use crate::exec::eval_constant;
use crate::functions::Volatility;
use crate::plan::{Expr, Plan};
use crate::types::Value;

/// Folds the constant parts of an expression.
pub fn fold(e: Expr, ctx: &EvalContext) -> Expr {
    e.transform(&mut |x| {
        let foldable = match &x {
            Expr::Call { func, args, .. } => {
                func.volatility != Volatility::Volatile && args.iter().all(is_literal)
            }
            Expr::Cast(inner, _) => is_literal(inner),
            Expr::Not(inner) | Expr::IsNull(inner, _) => is_literal(inner),
            Expr::And(v) | Expr::Or(v) => v.iter().all(is_literal),
            Expr::Coalesce(v, _) | Expr::Array(v, _) => v.iter().all(is_literal),
            Expr::Case { whens, otherwise, .. } => {
                whens.iter().all(|(a, b)| is_literal(a) && is_literal(b)) && is_literal(otherwise)
            }
            _ => false,
        };
        if !foldable {
            return simplify(x);
        }
        let ty = x.ty();
        match eval_constant(&x, ctx) {
            Ok(v) => Expr::Literal(v, ty),
            // Leave it: the error surfaces at run time only if the row is reached.
            Err(_) => x,
        }
    })
}

fn is_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(..))
}

/// Boolean simplifications with literals (x AND true → x, x OR true → true, ...).
fn simplify(e: Expr) -> Expr {
    match e {
        Expr::And(v) => {
            if v.iter()
                .any(|x| matches!(x, Expr::Literal(Value::Bool(false), _)))
            {
                return Expr::Literal(Value::Bool(false), crate::types::DataType::Bool);
            }
            let rest: Vec<Expr> = v
                .into_iter()
                .filter(|x| !matches!(x, Expr::Literal(Value::Bool(true), _)))
                .collect();
            match rest.len() {
                0 => Expr::Literal(Value::Bool(true), crate::types::DataType::Bool),
                1 => rest
                    .into_iter()
                    .next()
                    .unwrap_or(Expr::Literal(Value::Bool(true), crate::types::DataType::Bool)),
                _ => Expr::And(rest),
            }
        }
        Expr::Or(v) => {
            if v.iter().any(|x| matches!(x, Expr::Literal(Value::Bool(true), _))) {
                return Expr::Literal(Value::Bool(true), crate::types::DataType::Bool);
            }
            let rest: Vec<Expr> = v
                .into_iter()
                .filter(|x| !matches!(x, Expr::Literal(Value::Bool(false), _)))
                .collect();
            match rest.len() {
                0 => Expr::Literal(Value::Bool(false), crate::types::DataType::Bool),
                1 => rest
                    .into_iter()
                    .next()
                    .unwrap_or(Expr::Literal(Value::Bool(false), crate::types::DataType::Bool)),
                _ => Expr::Or(rest),
            }
        }
        e => e,
    }
}

/// Folds every expression of a plan.
pub fn fold_plan(p: Plan, ctx: &EvalContext) -> Plan {
    super::pushdown::map_exprs(p, &mut |e| fold(e, ctx))
}
