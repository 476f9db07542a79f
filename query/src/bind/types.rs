//! SQL type names as sqlparser spells them → [`DataType`].
use crate::error::{QueryError, Result, sqlstate};
use crate::types::DataType;

/// Converts a parsed type name.
pub fn sql_type(dt: &sqlparser::ast::DataType) -> Result<DataType> {
    let raw = dt.to_string();
    let mut s = raw.trim().to_ascii_lowercase();
    if let Some(inner) = s.strip_suffix(" array") {
        s = format!("{inner}[]");
    }
    // timestamp(3), time(0): precision is accepted and ignored (microseconds are kept).
    for base in ["timestamp", "time"] {
        if let Some(rest) = s.strip_prefix(&format!("{base}("))
            && let Some(close) = rest.find(')')
        {
            s = format!("{base}{}", &rest[close + 1..]);
        }
    }
    let s = s
        .replace(" with time zone", "tz")
        .replace("timetz", "time")
        .replace("time without time zone", "time");
    let s = match s.as_str() {
        "int2vector" => "_int2".to_string(),
        "oidvector" => "_oid".to_string(),
        "timestamptz" | "timestamp tz" => "timestamptz".to_string(),
        "integer unsigned" | "int unsigned" => "int8".to_string(),
        _ => s,
    };
    DataType::parse_name(&s).ok_or_else(|| {
        QueryError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("type \"{}\" does not exist", raw.to_ascii_lowercase()),
        )
    })
}
