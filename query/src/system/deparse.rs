//! Column defaults as PostgreSQL prints them back (`pg_get_expr(adbin, adrelid)`,
//! `information_schema.columns.column_default`): constants carry the cast PostgreSQL's
//! deparser adds (`'ok'::character varying`, `'-1'::integer`), other expressions are shown as
//! written.
use sqlparser::ast::{self, Expr, UnaryOperator, Value as V};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::context::EvalContext;
use crate::types::DataType;
use crate::types::text::{format_value, parse_value};

/// The default expression `sql` of a column of type `ty`, as PostgreSQL would print it.
pub(super) fn default_expr(sql: &str, ty: &DataType, ctx: &EvalContext) -> String {
    let Ok(expr) = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
    else {
        return sql.to_string();
    };
    deparse(&expr, ty, ctx).unwrap_or_else(|| sql.to_string())
}

fn deparse(e: &Expr, ty: &DataType, ctx: &EvalContext) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            V::Number(n, _) => Some(number(n)),
            V::SingleQuotedString(s) => Some(string_const(s, ty, ctx)),
            V::Boolean(b) => Some(b.to_string()),
            V::Null => Some(format!("NULL::{}", cast_name(ty))),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                V::Number(n, _) => Some(number(&format!("-{n}"))),
                _ => None,
            },
            _ => None,
        },
        Expr::Nested(inner) => deparse(inner, ty, ctx),
        Expr::Function(f) if is_niladic(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            Some(match name.as_str() {
                "current_date" | "current_timestamp" | "current_time" | "localtime" | "localtimestamp"
                | "current_user" | "session_user" | "current_role" | "user" => name.to_ascii_uppercase(),
                _ if matches!(f.args, ast::FunctionArguments::None) => name.to_ascii_uppercase(),
                _ => format!("{name}()"),
            })
        }
        Expr::Identifier(i) => {
            let n = i.value.to_ascii_lowercase();
            matches!(
                n.as_str(),
                "current_date" | "current_timestamp" | "localtimestamp" | "current_user" | "session_user"
            )
            .then(|| n.to_ascii_uppercase())
        }
        _ => None,
    }
}

fn is_niladic(f: &ast::Function) -> bool {
    match &f.args {
        ast::FunctionArguments::None => true,
        ast::FunctionArguments::List(l) => l.args.is_empty(),
        ast::FunctionArguments::Subquery(_) => false,
    }
}

/// A numeric constant: integers fitting `integer` print bare unless negative, larger ones are
/// `bigint` constants, decimals are `numeric`.
fn number(n: &str) -> String {
    let neg = n.starts_with('-');
    if let Ok(i) = n.parse::<i64>() {
        if i32::try_from(i).is_ok() {
            return if neg {
                format!("'{n}'::integer")
            } else {
                n.to_string()
            };
        }
        return format!("'{n}'::bigint");
    }
    if neg || !n.contains(['.', 'e', 'E']) {
        format!("'{n}'::numeric")
    } else {
        n.to_string()
    }
}

/// A string constant coerced to the column type, printed with that type's output function.
fn string_const(s: &str, ty: &DataType, ctx: &EvalContext) -> String {
    let shown = parse_value(s, ty, ctx)
        .ok()
        .and_then(|v| format_value(&v, ty, ctx))
        .unwrap_or_else(|| s.to_string());
    format!("'{}'::{}", shown.replace('\'', "''"), cast_name(ty))
}

/// The type name PostgreSQL's deparser puts after `::` (type modifiers are not shown).
fn cast_name(ty: &DataType) -> String {
    match ty {
        DataType::Bpchar(_) => "bpchar".into(),
        t => t.base().display_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_print_like_postgresql() {
        let cx = EvalContext::default();
        let d = |sql: &str, ty: DataType| default_expr(sql, &ty, &cx);
        assert_eq!(d("0", DataType::Float8), "0");
        assert_eq!(d("1.5", DataType::Numeric(None)), "1.5");
        assert_eq!(d("'x'", DataType::Text), "'x'::text");
        assert_eq!(d("'ok'", DataType::Varchar(Some(20))), "'ok'::character varying");
        assert_eq!(d("now()", DataType::Timestamp), "now()");
        assert_eq!(d("-1", DataType::Int4), "'-1'::integer");
        assert_eq!(d("10000000000", DataType::Int8), "'10000000000'::bigint");
        assert_eq!(d("true", DataType::Bool), "true");
        assert_eq!(d("CURRENT_DATE", DataType::Date), "CURRENT_DATE");
        assert_eq!(
            d("'2020-01-01'", DataType::Timestamptz),
            "'2020-01-01 00:00:00+00'::timestamp with time zone"
        );
    }
}
