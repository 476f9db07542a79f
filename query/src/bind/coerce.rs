//! Making an expression a given type: parameters learn their type, untyped literals are parsed
//! at bind time (so errors point at the literal), everything else gets a cast.
use super::Binder;
use crate::error::{QueryError, Result, sqlstate};
use crate::plan::Expr;
use crate::types::DataType;
use crate::types::cast::{CastKind, cast_kind, cast_value};

/// Converts `e` to `to`, assuming the cast is allowed (overload resolution checked it).
pub fn coerce(b: &Binder<'_>, e: Expr, to: &DataType) -> Result<Expr> {
    let from = e.ty();
    if &from == to {
        return Ok(e);
    }
    match e {
        Expr::Param(n, DataType::Unknown) => {
            if let Some(slot) = b.params.borrow_mut().get_mut(n) {
                *slot = to.clone();
            }
            Ok(Expr::Param(n, to.clone()))
        }
        Expr::Literal(v, ref t) => {
            // Fold literal casts now, except session-dependent ones (timestamptz from text depends on
            // TimeZone; keep those as casts evaluated at run time with the session's zone).
            let session_dependent =
                matches!(to, DataType::Timestamptz | DataType::RegClass | DataType::RegProc)
                    || (matches!(t, DataType::Timestamptz) && !matches!(to, DataType::Timestamptz));
            if session_dependent && !v.is_null() {
                return Ok(Expr::Cast(Box::new(Expr::Literal(v, t.clone())), to.clone()));
            }
            let out = cast_value(&v, t, to, b.ctx)?;
            Ok(Expr::Literal(out, to.clone()))
        }
        Expr::Array(items, DataType::Array(_)) if matches!(to, DataType::Array(_)) => {
            let DataType::Array(elem) = to else {
                match unreachable_array()? {}
            };
            let items = items
                .into_iter()
                .map(|i| coerce(b, i, elem))
                .collect::<Result<Vec<_>>>()?;
            Ok(Expr::Array(items, to.clone()))
        }
        e => Ok(Expr::Cast(Box::new(e), to.clone())),
    }
}

/// Explicit CAST / `::`.
pub fn cast_explicit(b: &Binder<'_>, e: Expr, to: &DataType) -> Result<Expr> {
    let from = e.ty();
    if from != DataType::Unknown && cast_kind(&from, to).is_none() {
        return Err(QueryError::new(
            sqlstate::CANNOT_COERCE,
            format!(
                "cannot cast type {} to {}",
                from.display_name(),
                to.display_name()
            ),
        ));
    }
    // A typmod cast of the same base type must still apply (varchar(3), numeric(5,2)).
    if from == *to {
        return Ok(e);
    }
    coerce(b, e, to)
}

/// Assignment to a column of type `to` (INSERT, UPDATE).
pub fn assign(b: &Binder<'_>, e: Expr, to: &DataType, column: &str) -> Result<Expr> {
    let from = e.ty();
    if from != DataType::Unknown && from.base() != to.base() {
        match cast_kind(&from, to) {
            Some(CastKind::Implicit | CastKind::Assignment) => {}
            _ => {
                return Err(QueryError::new(
                    sqlstate::DATATYPE_MISMATCH,
                    format!(
                        "column \"{column}\" is of type {} but expression is of type {}",
                        to.display_name(),
                        from.display_name()
                    ),
                )
                .with_hint("You will need to rewrite or cast the expression."));
            }
        }
    }
    if let DataType::Varchar(Some(_)) | DataType::Bpchar(Some(_)) = to {
        return Ok(length_checked(coerce(b, e, &DataType::Text)?, to));
    }
    coerce(b, e, to)
}

/// Assignment to varchar(n) / char(n): too long is an error (22001) unless the excess is
/// spaces, where an explicit cast would truncate.
fn length_checked(e: Expr, to: &DataType) -> Expr {
    use crate::functions::{ScalarFunction, Signature, Volatility};
    let target = to.clone();
    let func = ScalarFunction::strict_rows(
        "assign",
        Signature::exact(&[DataType::Text], to.clone()),
        Volatility::Immutable,
        move |ctx, args| match args.first() {
            Some(crate::types::Value::Str(s)) => crate::types::text::parse_value(s, &target, ctx),
            Some(v) => Ok(v.clone()),
            None => Ok(crate::types::Value::Null),
        },
    );
    Expr::Call {
        func: std::sync::Arc::new(func),
        args: vec![e],
        ty: to.clone(),
    }
}

/// Converts a condition (WHERE, HAVING, ON, CASE WHEN) to boolean.
pub fn boolean(b: &Binder<'_>, e: Expr, clause: &str) -> Result<Expr> {
    match e.ty() {
        DataType::Bool => Ok(e),
        DataType::Unknown => coerce(b, e, &DataType::Bool),
        t => Err(QueryError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!(
                "argument of {clause} must be type boolean, not type {}",
                t.display_name()
            ),
        )),
    }
}

fn unreachable_array() -> Result<std::convert::Infallible> {
    Err(crate::error::internal("array coercion to a non-array type"))
}
