//! What expression evaluation may consult: the session's time zone and clock, the user, settings,
//! and name lookups in the catalog (for regclass and the catalog functions).
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::Catalog;
use crate::error::{QueryError, Result, sqlstate};
use crate::types::{DataType, Tz};

/// Name ↔ OID lookups that casts and catalog functions need.
pub trait CatalogLookup: Send + Sync {
    /// OID of a relation by (possibly schema-qualified) name.
    fn relation_oid(&self, name: &str) -> Option<u32>;
    /// Name of a relation (as `regclass` prints it).
    fn relation_name(&self, oid: u32) -> Option<String>;
    /// OID of a function by name.
    fn proc_oid(&self, name: &str) -> Option<u32>;
    /// Name of a function.
    fn proc_name(&self, oid: u32) -> Option<String>;
    /// OID of a namespace.
    fn namespace_oid(&self, name: &str) -> Option<u32>;
    /// Name of a namespace.
    fn namespace_name(&self, oid: u32) -> Option<String>;
    /// OID of a type by name (as `regtype` reads it).
    fn type_oid(&self, name: &str) -> Option<u32> {
        DataType::parse_name(name).map(|t| t.oid())
    }
    /// Name of a type (as `regtype` prints it).
    fn type_name(&self, oid: u32) -> Option<String> {
        DataType::from_oid(oid).map(|t| t.display_name())
    }
    /// The whole catalog, for the catalog functions (`pg_get_indexdef`, `obj_description`, ...).
    fn catalog(&self) -> Option<Arc<Catalog>> {
        None
    }
    /// Approximate (rows, bytes) stored for a table.
    fn table_size(&self, _oid: u32) -> Option<(u64, u64)> {
        None
    }
}

/// A lookup that knows nothing (tests, constant folding without a catalog).
#[derive(Debug, Default)]
pub struct NoCatalog;

impl CatalogLookup for NoCatalog {
    fn relation_oid(&self, _: &str) -> Option<u32> {
        None
    }
    fn relation_name(&self, _: u32) -> Option<String> {
        None
    }
    fn proc_oid(&self, _: &str) -> Option<u32> {
        None
    }
    fn proc_name(&self, _: u32) -> Option<String> {
        None
    }
    fn namespace_oid(&self, name: &str) -> Option<u32> {
        match name {
            "pg_catalog" => Some(11),
            "public" => Some(2200),
            "information_schema" => Some(13000),
            _ => None,
        }
    }
    fn namespace_name(&self, oid: u32) -> Option<String> {
        match oid {
            11 => Some("pg_catalog".into()),
            2200 => Some("public".into()),
            13000 => Some("information_schema".into()),
            _ => None,
        }
    }
}

/// Context of one statement's evaluation.
#[derive(Clone)]
pub struct EvalContext {
    /// Session time zone.
    pub tz: Tz,
    /// Statement start (µs since the Unix epoch): `now()`.
    pub now_us: i64,
    /// Current user.
    pub user: String,
    /// Database name.
    pub database: String,
    /// Session settings (lower-case names).
    pub settings: Arc<BTreeMap<String, String>>,
    /// Catalog lookups.
    pub catalog: Arc<dyn CatalogLookup>,
    /// Set to cancel the statement.
    pub cancel: Arc<AtomicBool>,
    /// Backend process id as clients see it.
    pub backend_pid: i32,
}

impl std::fmt::Debug for EvalContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvalContext")
            .field("tz", &self.tz)
            .field("now_us", &self.now_us)
            .finish()
    }
}

impl Default for EvalContext {
    fn default() -> Self {
        EvalContext {
            tz: Tz::Utc,
            now_us: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as i64),
            user: "plantdb".into(),
            database: "plantdb".into(),
            settings: Arc::new(BTreeMap::new()),
            catalog: Arc::new(NoCatalog),
            cancel: Arc::new(AtomicBool::new(false)),
            backend_pid: 1,
        }
    }
}

impl EvalContext {
    /// A setting's value.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings.get(&name.to_ascii_lowercase()).map(|s| s.as_str())
    }

    /// extra_float_digits (default 1: shortest round-trip output).
    pub fn extra_float_digits(&self) -> i32 {
        self.setting("extra_float_digits")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(1)
    }

    /// Fails with 57014 once the statement has been cancelled.
    pub fn check_cancel(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(QueryError::new(
                sqlstate::QUERY_CANCELED,
                "canceling statement due to user request",
            ));
        }
        Ok(())
    }
}
