//! System information functions that need nothing but the evaluation context: version, current
//! database/user/schema, settings, type names, privilege checks (always granted), sleeping and
//! descriptions (none yet).
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::context::EvalContext;
use crate::error::{Result, sqlstate};
use crate::functions::builtin::kernels::{array_value, f64_of, int_of, qerr, value_str};
use crate::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Value};
use crate::vector::Vector;

/// The version string clients see.
pub const VERSION: &str = "PostgreSQL 15.0 (plantdb 0.1.0) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit";

static TXID: AtomicI64 = AtomicI64::new(1000);

fn constant(
    r: &mut Registry,
    name: &str,
    ret: DataType,
    vol: Volatility,
    f: impl Fn(&EvalContext) -> Value + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::vectorized(
        name,
        Signature::exact(&[], ret),
        vol,
        move |ctx, _a, ret, len| Ok(Vector::constant(f(ctx), ret.clone(), len)),
    ));
}

fn rows(
    r: &mut Registry,
    name: &str,
    sig: Signature,
    vol: Volatility,
    strict: bool,
    f: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
) {
    r.register_scalar(ScalarFunction::rows(name, sig, vol, strict, f));
}

/// `format_type(oid, typmod)`.
pub(crate) fn format_type(oid: i64, typmod: Option<i64>) -> String {
    let Some(t) = u32::try_from(oid).ok().and_then(DataType::from_oid) else {
        return "???".into();
    };
    let tm = typmod.unwrap_or(-1);
    match (&t, tm) {
        (DataType::Numeric(_), m) if m >= 4 => {
            let m = m - 4;
            format!("numeric({},{})", (m >> 16) & 0xffff, m & 0xffff)
        }
        (DataType::Varchar(_), m) if m >= 4 => format!("character varying({})", m - 4),
        (DataType::Bpchar(_), m) if m >= 4 => format!("character({})", m - 4),
        (DataType::Bpchar(_), _) if typmod.is_some() => "character".into(),
        (DataType::Array(e), m)
            if m >= 4
                && matches!(
                    **e,
                    DataType::Varchar(_) | DataType::Numeric(_) | DataType::Bpchar(_)
                ) =>
        {
            format!("{}[]", format_type(i64::from(e.oid()), Some(m)))
        }
        (DataType::Time, m) if m >= 0 => format!("time({m}) without time zone"),
        (DataType::Timestamp, m) if m >= 0 => format!("timestamp({m}) without time zone"),
        (DataType::Timestamptz, m) if m >= 0 => format!("timestamp({m}) with time zone"),
        _ => t.display_name(),
    }
}

/// Registers the system information functions.
pub(crate) fn register(r: &mut Registry) {
    use Volatility::{Stable, Volatile};
    constant(r, "version", DataType::Text, Stable, |_| Value::str(VERSION));
    constant(r, "current_database", DataType::Name, Stable, |c| {
        Value::str(&c.database)
    });
    constant(r, "current_catalog", DataType::Name, Stable, |c| {
        Value::str(&c.database)
    });
    constant(r, "current_user", DataType::Name, Stable, |c| Value::str(&c.user));
    constant(r, "current_role", DataType::Name, Stable, |c| Value::str(&c.user));
    constant(r, "session_user", DataType::Name, Stable, |c| Value::str(&c.user));
    constant(r, "user", DataType::Name, Stable, |c| Value::str(&c.user));
    constant(r, "current_schema", DataType::Name, Stable, |_| {
        Value::str("public")
    });
    constant(r, "pg_backend_pid", DataType::Int4, Stable, |c| {
        Value::Int(i64::from(c.backend_pid))
    });
    constant(r, "pg_is_in_recovery", DataType::Bool, Volatile, |_| {
        Value::Bool(false)
    });
    constant(r, "pg_client_encoding", DataType::Name, Stable, |_| {
        Value::str("UTF8")
    });
    constant(r, "getdatabaseencoding", DataType::Name, Stable, |_| {
        Value::str("UTF8")
    });
    constant(r, "inet_server_addr", DataType::Text, Stable, |_| Value::Null);
    constant(r, "inet_client_addr", DataType::Text, Stable, |_| Value::Null);
    constant(r, "inet_server_port", DataType::Int4, Stable, |_| Value::Null);
    constant(r, "inet_client_port", DataType::Int4, Stable, |_| Value::Null);
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    constant(
        r,
        "pg_postmaster_start_time",
        DataType::Timestamptz,
        Stable,
        move |_| Value::Int(started),
    );
    constant(r, "pg_conf_load_time", DataType::Timestamptz, Stable, move |_| {
        Value::Int(started)
    });
    r.register_scalar(ScalarFunction::vectorized(
        "txid_current",
        Signature::exact(&[], DataType::Int8),
        Volatile,
        |_c, _a, ret, len| {
            let v = TXID.fetch_add(1, Ordering::Relaxed);
            Ok(Vector::constant(Value::Int(v), ret.clone(), len))
        },
    ));
    rows(
        r,
        "current_schemas",
        Signature::exact(&[DataType::Bool], DataType::Array(Box::new(DataType::Name))),
        Stable,
        true,
        |_c, v| {
            let mut items = Vec::new();
            if v[0].as_bool().unwrap_or(false) {
                items.push(Value::str("pg_catalog"));
            }
            items.push(Value::str("public"));
            Ok(array_value(DataType::Name, items))
        },
    );
    rows(
        r,
        "current_setting",
        Signature::exact(&[DataType::Text, DataType::Bool], DataType::Text).optional(1),
        Stable,
        true,
        |c, v| {
            let name = value_str(&v[0]);
            match c.setting(name).or_else(|| crate::system::setting_default(name)) {
                Some(s) => Ok(Value::str(s)),
                None if v.get(1).and_then(Value::as_bool).unwrap_or(false) => Ok(Value::Null),
                None => Err(qerr(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("unrecognized configuration parameter \"{name}\""),
                )),
            }
        },
    );
    r.register_scalar(ScalarFunction::vectorized(
        "pg_typeof",
        Signature::new(vec![ArgType::Any], ReturnType::Exact(DataType::RegType)),
        Stable,
        |_c, a, ret, len| {
            Ok(Vector::constant(
                Value::Int(i64::from(a[0].ty.oid())),
                ret.clone(),
                len,
            ))
        },
    ));
    rows(
        r,
        "format_type",
        Signature::exact(&[DataType::Oid, DataType::Int4], DataType::Text),
        Stable,
        false,
        |_c, v| {
            if v[0].is_null() {
                return Ok(Value::Null);
            }
            let tm = (!v[1].is_null()).then(|| int_of(&v[1]));
            Ok(Value::str(format_type(int_of(&v[0]), tm)))
        },
    );
    rows(
        r,
        "pg_encoding_to_char",
        Signature::exact(&[DataType::Int4], DataType::Name),
        Stable,
        true,
        |_c, v| {
            Ok(Value::str(match int_of(&v[0]) {
                0 => "SQL_ASCII",
                6 => "UTF8",
                8 => "LATIN1",
                _ => "",
            }))
        },
    );
    rows(
        r,
        "pg_char_to_encoding",
        Signature::exact(&[DataType::Name], DataType::Int4),
        Stable,
        true,
        |_c, v| {
            Ok(Value::Int(match value_str(&v[0]).to_ascii_uppercase().as_str() {
                "SQL_ASCII" => 0,
                "UTF8" | "UTF-8" => 6,
                "LATIN1" => 8,
                _ => -1,
            }))
        },
    );
    rows(
        r,
        "to_regtype",
        Signature::exact(&[DataType::Text], DataType::RegType),
        Stable,
        true,
        |_c, v| {
            Ok(
                DataType::parse_name(value_str(&v[0]))
                    .map_or(Value::Null, |t| Value::Int(i64::from(t.oid()))),
            )
        },
    );
    rows(
        r,
        "to_regclass",
        Signature::exact(&[DataType::Text], DataType::RegClass),
        Stable,
        true,
        |c, v| {
            let name = value_str(&v[0]).trim();
            let name = name.trim_matches('"');
            Ok(c.catalog
                .relation_oid(name)
                .map_or(Value::Null, |o| Value::Int(i64::from(o))))
        },
    );
    rows(
        r,
        "to_regnamespace",
        Signature::exact(&[DataType::Text], DataType::RegNamespace),
        Stable,
        true,
        |c, v| {
            Ok(c.catalog
                .namespace_oid(value_str(&v[0]).trim())
                .map_or(Value::Null, |o| Value::Int(i64::from(o))))
        },
    );
    rows(
        r,
        "to_regproc",
        Signature::exact(&[DataType::Text], DataType::RegProc),
        Stable,
        true,
        |c, v| {
            Ok(c.catalog
                .proc_oid(value_str(&v[0]).trim())
                .map_or(Value::Null, |o| Value::Int(i64::from(o))))
        },
    );
    rows(
        r,
        "pg_get_userbyid",
        Signature::exact(&[DataType::Oid], DataType::Name),
        Stable,
        true,
        |c, v| {
            let oid = int_of(&v[0]);
            Ok(Value::str(if oid == 10 {
                c.user.clone()
            } else {
                format!("unknown (OID={oid})")
            }))
        },
    );
    for name in [
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_column_privilege",
        "has_function_privilege",
        "has_sequence_privilege",
        "has_any_column_privilege",
        "has_type_privilege",
        "has_language_privilege",
        "has_tablespace_privilege",
        "has_foreign_data_wrapper_privilege",
        "has_server_privilege",
        "pg_has_role",
    ] {
        rows(
            r,
            name,
            Signature::new(
                vec![ArgType::Any, ArgType::Any, ArgType::Any, ArgType::Any],
                ReturnType::Exact(DataType::Bool),
            )
            .optional(2),
            Stable,
            true,
            |_c, _v| Ok(Value::Bool(true)),
        );
    }
    for name in [
        "pg_table_is_visible",
        "pg_type_is_visible",
        "pg_function_is_visible",
    ] {
        rows(
            r,
            name,
            Signature::exact(&[DataType::Oid], DataType::Bool),
            Stable,
            true,
            |_c, _v| Ok(Value::Bool(true)),
        );
    }
    r.register_scalar(ScalarFunction::strict_rows(
        "pg_sleep",
        Signature::exact(&[DataType::Float8], DataType::Void),
        Volatile,
        |c, v| {
            let secs = f64_of(&v[0]);
            if secs > 0.0 && secs.is_finite() {
                let end = std::time::Instant::now() + Duration::from_secs_f64(secs.min(1e9));
                loop {
                    c.check_cancel()?;
                    let now = std::time::Instant::now();
                    if now >= end {
                        break;
                    }
                    std::thread::sleep((end - now).min(Duration::from_millis(10)));
                }
            }
            Ok(Value::Null)
        },
    ));
    rows(
        r,
        "obj_description",
        Signature::exact(&[DataType::Oid, DataType::Name], DataType::Text).optional(1),
        Stable,
        true,
        |_c, _v| Ok(Value::Null),
    );
    rows(
        r,
        "col_description",
        Signature::exact(&[DataType::Oid, DataType::Int4], DataType::Text),
        Stable,
        true,
        |_c, _v| Ok(Value::Null),
    );
    rows(
        r,
        "shobj_description",
        Signature::exact(&[DataType::Oid, DataType::Name], DataType::Text),
        Stable,
        true,
        |_c, _v| Ok(Value::Null),
    );
    rows(
        r,
        "pg_get_expr",
        Signature::exact(&[DataType::Text, DataType::Oid, DataType::Bool], DataType::Text).optional(1),
        Stable,
        true,
        |_c, v| Ok(v[0].clone()),
    );
}
