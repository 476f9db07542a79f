//! Session settings (GUCs): defaults, validation of SET, and which ones are reported to clients
//! through ParameterStatus.
use std::collections::BTreeMap;

use crate::error::{QueryError, Result, sqlstate};
use crate::types::Tz;

/// The frozen server version reported to clients.
pub const SERVER_VERSION: &str = "15.0";
/// server_version_num.
pub const SERVER_VERSION_NUM: &str = "150000";

/// Settings reported with ParameterStatus at startup and whenever they change.
pub const REPORTED: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
];

/// Default settings (keys lower case).
pub fn defaults() -> BTreeMap<String, String> {
    let d: &[(&str, &str)] = &[
        ("application_name", ""),
        ("bytea_output", "hex"),
        ("client_encoding", "UTF8"),
        ("client_min_messages", "notice"),
        ("datestyle", "ISO, MDY"),
        ("default_table_access_method", "heap"),
        ("default_transaction_isolation", "read committed"),
        ("default_transaction_read_only", "off"),
        ("extra_float_digits", "1"),
        ("idle_in_transaction_session_timeout", "0"),
        ("idle_session_timeout", "0"),
        ("in_hot_standby", "off"),
        ("integer_datetimes", "on"),
        ("intervalstyle", "postgres"),
        ("is_superuser", "on"),
        ("lc_collate", "C"),
        ("lc_ctype", "C"),
        ("lc_messages", "C"),
        ("lc_monetary", "C"),
        ("lc_numeric", "C"),
        ("lc_time", "C"),
        ("lock_timeout", "0"),
        ("max_connections", "100"),
        ("max_parallel_workers_per_gather", "2"),
        ("max_identifier_length", "63"),
        ("search_path", "\"$user\", public"),
        ("server_encoding", "UTF8"),
        ("server_version", SERVER_VERSION),
        ("server_version_num", SERVER_VERSION_NUM),
        ("session_authorization", "plantdb"),
        ("standard_conforming_strings", "on"),
        ("statement_timeout", "0"),
        ("synchronous_commit", "on"),
        ("timezone", "UTC"),
        ("transaction_isolation", "read committed"),
        ("transaction_read_only", "off"),
        ("work_mem", "4GB"),
        ("plantdb.durability", "sync"),
        ("plantdb.scan_aggregate", "on"),
    ];
    d.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The canonical (display) spelling of a setting name.
pub fn display_name(lower: &str) -> String {
    REPORTED
        .iter()
        .find(|r| r.eq_ignore_ascii_case(lower))
        .map_or_else(|| lower.to_string(), |r| r.to_string())
}

/// Settings that cannot be changed by SET.
fn read_only(name: &str) -> bool {
    matches!(
        name,
        "server_version"
            | "server_version_num"
            | "server_encoding"
            | "integer_datetimes"
            | "lc_collate"
            | "lc_ctype"
            | "max_identifier_length"
            | "max_connections"
            | "in_hot_standby"
            | "is_superuser"
            | "plantdb.durability"
    )
}

/// Parses a duration setting (ms by default; units ms, s, min, h, d) into milliseconds.
pub fn parse_ms(v: &str) -> Option<u64> {
    let t = v.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let n: f64 = t[..split].parse().ok()?;
    let mult = match t[split..].trim() {
        "" | "ms" => 1.0,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        "us" => 0.001,
        _ => return None,
    };
    Some((n * mult) as u64)
}

/// Parses a memory setting (kB by default; units B, kB, MB, GB, TB) into bytes.
pub fn parse_bytes(v: &str) -> Option<u64> {
    let t = v.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..split].parse().ok()?;
    let mult: u64 = match t[split..].trim().to_ascii_lowercase().as_str() {
        "" | "kb" => 1 << 10,
        "b" => 1,
        "mb" => 1 << 20,
        "gb" => 1 << 30,
        "tb" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn invalid(name: &str, value: &str) -> QueryError {
    QueryError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

/// Validates and normalises `SET name = value`. Returns (lower-case name, stored value).
pub fn validate(name: &str, value: &str, known: &BTreeMap<String, String>) -> Result<(String, String)> {
    let n = name.to_ascii_lowercase();
    let n = match n.as_str() {
        "time zone" | "time_zone" => "timezone".to_string(),
        "names" => "client_encoding".to_string(),
        _ => n,
    };
    if read_only(&n) {
        return Err(QueryError::new(
            sqlstate::CANT_CHANGE_RUNTIME_PARAM,
            format!("parameter \"{n}\" cannot be changed"),
        ));
    }
    let v = value.to_string();
    let out = match n.as_str() {
        "timezone" => {
            if v.eq_ignore_ascii_case("local") || v.eq_ignore_ascii_case("default") {
                "UTC".to_string()
            } else {
                Tz::parse(&v).ok_or_else(|| invalid("TimeZone", &v))?;
                v
            }
        }
        "client_encoding" => match v.to_ascii_uppercase().replace(['-', '_'], "").as_str() {
            "UTF8" | "UNICODE" => "UTF8".to_string(),
            _ => {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("conversion to client encoding \"{v}\" is not supported"),
                )
                .with_hint("plantdb speaks UTF8 only."));
            }
        },
        "datestyle" => {
            let up = v.to_ascii_uppercase();
            const WORDS: [&str; 10] = [
                "ISO", "SQL", "POSTGRES", "GERMAN", "MDY", "DMY", "YMD", "US", "EURO", "EUROPEAN",
            ];
            if up.split([',', ' ']).any(|w| !w.is_empty() && !WORDS.contains(&w)) {
                return Err(invalid("DateStyle", &v));
            }
            if !(up.contains("ISO") || up.trim() == "MDY" || up.trim() == "DMY" || up.trim() == "YMD") {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("DateStyle \"{v}\" is not supported"),
                )
                .with_hint("plantdb formats dates in ISO style."));
            }
            let order = if up.contains("DMY") {
                "DMY"
            } else if up.contains("YMD") {
                "YMD"
            } else {
                "MDY"
            };
            format!("ISO, {order}")
        }
        "intervalstyle" => {
            if !v.eq_ignore_ascii_case("postgres") {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("IntervalStyle \"{v}\" is not supported"),
                ));
            }
            "postgres".into()
        }
        "extra_float_digits" => {
            let d: i32 = v.trim().parse().map_err(|_| invalid(&n, &v))?;
            if !(-15..=3).contains(&d) {
                return Err(QueryError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("{d} is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)"),
                ));
            }
            d.to_string()
        }
        "statement_timeout"
        | "idle_session_timeout"
        | "lock_timeout"
        | "idle_in_transaction_session_timeout" => parse_ms(&v).ok_or_else(|| invalid(&n, &v))?.to_string(),
        "work_mem" => {
            parse_bytes(&v).ok_or_else(|| invalid(&n, &v))?;
            v
        }
        "max_parallel_workers_per_gather" => match v.trim().parse::<u32>() {
            Ok(k) if k <= 1024 => k.to_string(),
            _ => {
                return Err(QueryError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("{v} is outside the valid range for parameter \"{n}\" (0 .. 1024)"),
                ));
            }
        },
        "standard_conforming_strings" => {
            if !matches!(v.to_ascii_lowercase().as_str(), "on" | "true" | "1") {
                return Err(QueryError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "standard_conforming_strings must stay on",
                ));
            }
            "on".into()
        }
        "transaction_isolation" | "default_transaction_isolation" => v.to_ascii_lowercase(),
        _ if known.contains_key(&n) || n.contains('.') => v,
        _ => {
            // Parameters clients commonly set, accepted and stored.
            const ACCEPTED: &[&str] = &[
                "geqo",
                "jit",
                "enable_seqscan",
                "enable_indexscan",
                "random_page_cost",
                "row_security",
                "check_function_bodies",
                "xmloption",
                "vacuum_cost_delay",
                "maintenance_work_mem",
                "temp_buffers",
                "effective_cache_size",
                "constraint_exclusion",
                "default_with_oids",
                "escape_string_warning",
                "quote_all_identifiers",
                "default_tablespace",
                "temp_tablespaces",
                "timezone_abbreviations",
                "password_encryption",
                "trace_sort",
                "session_replication_role",
                "cursor_tuple_fraction",
                "array_nulls",
                "backslash_quote",
                "sql_inheritance",
                "log_statement",
                "log_min_duration_statement",
            ];
            if !ACCEPTED.contains(&n.as_str()) {
                return Err(QueryError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("unrecognized configuration parameter \"{n}\""),
                ));
            }
            v
        }
    };
    Ok((n, out))
}
