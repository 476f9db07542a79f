//! pg_catalog relations about the server: namespaces, the database, roles, settings,
//! tablespaces, the session's activity and time zones.
use super::Ctx;
use super::model::{DATABASE_OID, SUPERUSER_OID};
use super::pg15;
use super::rowset::{RowSet, b, ch, int, oid, s, texts};
use crate::catalog::{Catalog, INFORMATION_SCHEMA_NAMESPACE, PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE};
use crate::error::Result;
use crate::session::settings;
use crate::types::{Interval, Tz, Value};

/// UTF8 in PostgreSQL's encoding numbering.
pub(super) const UTF8_ENCODING: i64 = 6;
/// `pg_toast` (empty: plantdb has no TOAST tables).
pub(super) const PG_TOAST_NAMESPACE: u32 = 99;
/// pg_default tablespace.
pub(super) const DEFAULT_TABLESPACE: u32 = 1663;

/// The namespaces: (OID, name).
pub(super) const NAMESPACES: [(u32, &str); 4] = [
    (PG_TOAST_NAMESPACE, "pg_toast"),
    (PG_CATALOG_NAMESPACE, "pg_catalog"),
    (PUBLIC_NAMESPACE, "public"),
    (INFORMATION_SCHEMA_NAMESPACE, "information_schema"),
];

/// Name of the role with this OID.
pub(super) fn role_name(catalog: &Catalog, oid: u32) -> Option<String> {
    catalog
        .roles
        .values()
        .find(|r| r.oid == oid)
        .map(|r| r.name.clone())
}

pub(super) fn pg_namespace(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let owner = role_name(cx.catalog, SUPERUSER_OID).unwrap_or_else(|| "plantdb".into());
    // As PostgreSQL: the owner may create and use, everyone may use (pg_toast: no grants).
    let acl = texts(&[format!("{owner}=UC/{owner}"), format!("=U/{owner}")]);
    for (o, name) in NAMESPACES {
        out.row()
            .set("oid", oid(o))
            .set("nspname", s(name))
            .set("nspowner", oid(SUPERUSER_OID))
            .set(
                "nspacl",
                if o == PG_TOAST_NAMESPACE {
                    Value::Null
                } else {
                    acl.clone()
                },
            );
    }
    Ok(())
}

pub(super) fn pg_database(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    out.row()
        .set("oid", oid(DATABASE_OID))
        .set("datname", s(&cx.eval.database))
        .set("datdba", oid(SUPERUSER_OID))
        .set("encoding", int(UTF8_ENCODING))
        .set("datlocprovider", ch('c'))
        .set("datistemplate", b(false))
        .set("datallowconn", b(true))
        .set("datconnlimit", int(-1))
        .set("datfrozenxid", oid(0))
        .set("datminmxid", oid(1))
        .set("dattablespace", oid(DEFAULT_TABLESPACE))
        .set("datcollate", s("C"))
        .set("datctype", s("C"));
    Ok(())
}

/// pg_roles and pg_authid (the latter without password material).
pub(super) fn pg_roles(out: &mut RowSet, cx: &Ctx<'_>, authid: bool) -> Result<()> {
    for r in cx.catalog.roles.values() {
        let mut row = out.row();
        row.set("oid", oid(r.oid))
            .set("rolname", s(&r.name))
            .set("rolsuper", b(r.superuser))
            .set("rolinherit", b(true))
            .set("rolcreaterole", b(r.superuser))
            .set("rolcreatedb", b(r.superuser))
            .set("rolcanlogin", b(r.login))
            .set("rolreplication", b(r.superuser))
            .set("rolconnlimit", int(-1))
            .set("rolbypassrls", b(r.superuser));
        if !authid {
            row.set("rolpassword", s("********"));
        }
    }
    Ok(())
}

/// pg_user and pg_shadow: roles that may log in.
pub(super) fn pg_user(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for r in cx.catalog.roles.values().filter(|r| r.login) {
        out.row()
            .set("usename", s(&r.name))
            .set("usesysid", oid(r.oid))
            .set("usecreatedb", b(r.superuser))
            .set("usesuper", b(r.superuser))
            .set("userepl", b(r.superuser))
            .set("usebypassrls", b(r.superuser))
            .set("passwd", s("********"));
    }
    Ok(())
}

pub(super) fn pg_tablespace(out: &mut RowSet) -> Result<()> {
    for (o, name) in [(DEFAULT_TABLESPACE, "pg_default"), (1664, "pg_global")] {
        out.row()
            .set("oid", oid(o))
            .set("spcname", s(name))
            .set("spcowner", oid(SUPERUSER_OID));
    }
    Ok(())
}

/// A setting's value in the unit pg_settings reports it in.
fn in_unit(value: &str, unit: &str) -> String {
    let scaled = match unit {
        "kB" | "8kB" | "MB" => settings::parse_bytes(value).map(|bytes| {
            let per = match unit {
                "kB" => 1u64 << 10,
                "8kB" => 8 << 10,
                _ => 1 << 20,
            };
            bytes / per
        }),
        "ms" | "s" | "min" => settings::parse_ms(value).map(|ms| match unit {
            "ms" => ms,
            "s" => ms / 1000,
            _ => ms / 60_000,
        }),
        _ => None,
    };
    scaled.map_or_else(|| value.to_string(), |n| n.to_string())
}

pub(super) fn pg_settings(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let defaults = settings::defaults();
    let session = &cx.eval.settings;
    let opt = |v: &str| if v.is_empty() { Value::Null } else { s(v) };
    for d in pg15::SETTINGS {
        let key = d.name.to_ascii_lowercase();
        let current = session
            .get(&key)
            .or_else(|| defaults.get(&key))
            .map(String::as_str);
        let reset = defaults.get(&key).map_or(d.boot_val, String::as_str);
        let value = in_unit(current.unwrap_or(d.boot_val), d.unit);
        let source = match current {
            Some(v) if Some(v) != defaults.get(&key).map(String::as_str) => "session",
            _ if defaults.contains_key(&key) && d.boot_val != reset => "configuration file",
            _ => "default",
        };
        let enums: Vec<&str> = d.enumvals.split(',').filter(|e| !e.is_empty()).collect();
        out.row()
            .set("name", s(d.name))
            .set("setting", s(&value))
            .set("unit", opt(d.unit))
            .set("category", s(d.category))
            .set("short_desc", s(d.short_desc))
            .set("extra_desc", opt(d.extra_desc))
            .set("context", s(d.context))
            .set("vartype", s(d.vartype))
            .set("source", s(source))
            .set("min_val", opt(d.min_val))
            .set("max_val", opt(d.max_val))
            .set(
                "enumvals",
                if enums.is_empty() {
                    Value::Null
                } else {
                    texts(&enums)
                },
            )
            .set("boot_val", s(d.boot_val))
            .set("reset_val", s(&in_unit(reset, d.unit)))
            .set("pending_restart", b(false));
    }
    for (name, value) in session.iter().filter(|(k, _)| k.contains('.')) {
        out.row()
            .set("name", s(name))
            .set("setting", s(value))
            .set("category", s("Customized Options"))
            .set("short_desc", s("plantdb setting"))
            .set("context", s("user"))
            .set("vartype", s("string"))
            .set("source", s("default"))
            .set("boot_val", s(value))
            .set("reset_val", s(value))
            .set("pending_restart", b(false));
    }
    Ok(())
}

pub(super) fn pg_stat_activity(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let user = cx.catalog.roles.get(&cx.eval.user);
    let now = Value::Int(cx.eval.now_us);
    out.row()
        .set("datid", oid(DATABASE_OID))
        .set("datname", s(&cx.eval.database))
        .set("pid", int(i64::from(cx.eval.backend_pid)))
        .set("usesysid", user.map_or(Value::Null, |r| oid(r.oid)))
        .set("usename", s(&cx.eval.user))
        .set(
            "application_name",
            s(cx.eval.setting("application_name").unwrap_or("")),
        )
        .set("backend_start", now.clone())
        .set("xact_start", now.clone())
        .set("query_start", now.clone())
        .set("state_change", now)
        .set("state", s("active"))
        .set("backend_type", s("client backend"));
    Ok(())
}

pub(super) fn pg_stat_database(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    let mut r = out.row();
    r.set("datid", oid(DATABASE_OID))
        .set("datname", s(&cx.eval.database))
        .set("numbackends", int(1));
    for c in [
        "xact_commit",
        "xact_rollback",
        "blks_read",
        "blks_hit",
        "tup_returned",
        "tup_fetched",
        "tup_inserted",
        "tup_updated",
        "tup_deleted",
        "conflicts",
        "temp_files",
        "temp_bytes",
        "deadlocks",
        "checksum_failures",
        "sessions",
        "sessions_abandoned",
        "sessions_fatal",
        "sessions_killed",
    ] {
        r.set(c, int(0));
    }
    Ok(())
}

/// A few common zones with their current offsets.
pub(super) fn pg_timezone_names(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    const ZONES: &[&str] = &[
        "UTC",
        "Etc/UTC",
        "GMT",
        "Europe/London",
        "Europe/Berlin",
        "Europe/Paris",
        "Europe/Moscow",
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Sao_Paulo",
        "Asia/Kolkata",
        "Asia/Shanghai",
        "Asia/Tokyo",
        "Australia/Sydney",
    ];
    for z in ZONES {
        let Some(tz) = Tz::parse(z) else { continue };
        let off = tz.offset_at(cx.eval.now_us);
        let std = tz.offset_at(cx.eval.now_us - 182 * 86_400_000_000);
        let abbrev = if off == 0 {
            "UTC".to_string()
        } else {
            let h = off / 3600;
            let m = (off.abs() % 3600) / 60;
            if m == 0 {
                format!("{h:+03}")
            } else {
                format!("{h:+03}{m:02}")
            }
        };
        out.row()
            .set("name", s(z))
            .set("abbrev", s(&abbrev))
            .set(
                "utc_offset",
                Value::Interval(Interval::from_micros(i64::from(off) * 1_000_000)),
            )
            .set("is_dst", b(off > std));
    }
    Ok(())
}
