//! The SQL view of what is stored: tables with SQL types and stable OIDs, views, roles.
//! Rebuilt from the storage engine after every DDL statement and shared by all sessions.
use std::collections::BTreeMap;
use std::sync::Arc;

use plantdb_storage::{ColumnRole, Engine, PhysicalType, TableSchema};
use serde::{Deserialize, Serialize};

use crate::context::CatalogLookup;
use crate::error::Result;
use crate::types::DataType;

/// First OID given to user objects (as in PostgreSQL).
pub const FIRST_USER_OID: u32 = 16384;
/// OID of the `public` namespace.
pub const PUBLIC_NAMESPACE: u32 = 2200;
/// OID of `pg_catalog`.
pub const PG_CATALOG_NAMESPACE: u32 = 11;
/// OID of `information_schema`.
pub const INFORMATION_SCHEMA_NAMESPACE: u32 = 13000;
/// OID of the first function of the registry (`pg_proc`): each overload in `Catalog::functions`
/// order has the next one.
pub const FIRST_FUNCTION_OID: u32 = 20000;

/// A column as SQL sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInfo {
    /// Name.
    pub name: String,
    /// SQL type.
    pub ty: DataType,
    /// NULL allowed.
    pub nullable: bool,
    /// DEFAULT expression (SQL text).
    pub default: Option<String>,
    /// Role in the store.
    pub role: ColumnRole,
    /// Physical type in the store.
    pub ptype: PhysicalType,
}

/// A stored table.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// Name.
    pub name: String,
    /// OID (16384 + 4 × storage id; +1 row type, +2 primary key index).
    pub oid: u32,
    /// Columns.
    pub columns: Vec<ColumnInfo>,
    /// Time column.
    pub time_column: Option<usize>,
    /// Tag columns.
    pub tags: Vec<usize>,
    /// Primary key columns.
    pub primary_key: Vec<usize>,
    /// COMMENT ON TABLE.
    pub comment: Option<String>,
    /// Column comments.
    pub column_comments: BTreeMap<usize, String>,
    /// The storage schema.
    pub schema: Arc<TableSchema>,
}

impl TableInfo {
    /// Builds the SQL view of a storage schema.
    pub fn from_schema(schema: Arc<TableSchema>) -> TableInfo {
        let columns: Vec<ColumnInfo> = schema
            .columns
            .iter()
            .map(|c| ColumnInfo {
                name: c.name.clone(),
                ty: DataType::parse_name(&c.logical).unwrap_or(DataType::Text),
                nullable: c.nullable,
                default: c.default.clone(),
                role: c.role,
                ptype: c.ptype,
            })
            .collect();
        let props = &schema.properties;
        let primary_key = props
            .get("primary_key")
            .map(|pk| {
                pk.split(',')
                    .filter_map(|n| columns.iter().position(|c| c.name == n))
                    .collect()
            })
            .unwrap_or_default();
        let column_comments = columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| props.get(&format!("comment.{}", c.name)).map(|t| (i, t.clone())))
            .collect();
        TableInfo {
            name: schema.name.clone(),
            oid: table_oid(schema.id),
            time_column: schema.time_column(),
            tags: schema.tag_columns(),
            primary_key,
            comment: props.get("comment").cloned(),
            column_comments,
            columns,
            schema,
        }
    }

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// OID of the table with storage id `id`.
pub fn table_oid(id: u64) -> u32 {
    FIRST_USER_OID + (id as u32).saturating_mul(4)
}

/// A view: its defining query as SQL text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewInfo {
    /// Name.
    pub name: String,
    /// OID.
    pub oid: u32,
    /// SELECT text.
    pub sql: String,
    /// Column names given in CREATE VIEW v (a, b).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Output columns (name, type OID, typmod) captured at creation.
    #[serde(default)]
    pub fields: Vec<(String, u32, i32)>,
    /// Comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A role (user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleInfo {
    /// Name.
    pub name: String,
    /// OID.
    pub oid: u32,
    /// Superuser.
    pub superuser: bool,
    /// May log in.
    pub login: bool,
    /// SCRAM-SHA-256 verifier (never the password).
    pub scram: Option<String>,
    /// May write (INSERT, DDL, COPY FROM); false for read-only roles.
    pub can_write: bool,
    /// Tables with SELECT granted ("*" for all).
    #[serde(default)]
    pub select: Vec<String>,
}

/// Metadata key prefix of views.
pub const VIEW_PREFIX: &str = "view:";
/// Metadata key prefix of roles.
pub const ROLE_PREFIX: &str = "role:";
/// Metadata key of the OID counter.
pub const OID_COUNTER: &str = "oid_counter";

/// Everything SQL can name, at one moment.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Tables by name.
    pub tables: BTreeMap<String, Arc<TableInfo>>,
    /// Views by name.
    pub views: BTreeMap<String, Arc<ViewInfo>>,
    /// Roles by name.
    pub roles: BTreeMap<String, Arc<RoleInfo>>,
    /// Functions, one per overload in `Registry::all` order (OID `FIRST_FUNCTION_OID` + index).
    pub functions: Arc<Vec<crate::system::ProcInfo>>,
}

impl Catalog {
    /// Loads the catalog from the store.
    pub fn load(engine: &Engine) -> Result<Catalog> {
        let mut c = Catalog::default();
        for s in engine.schemas()? {
            let t = TableInfo::from_schema(s);
            c.tables.insert(t.name.clone(), Arc::new(t));
        }
        for (_, v) in engine.meta_with_prefix(VIEW_PREFIX)? {
            if let Ok(view) = serde_json::from_str::<ViewInfo>(&v) {
                c.views.insert(view.name.clone(), Arc::new(view));
            }
        }
        for (_, v) in engine.meta_with_prefix(ROLE_PREFIX)? {
            if let Ok(role) = serde_json::from_str::<RoleInfo>(&v) {
                c.roles.insert(role.name.clone(), Arc::new(role));
            }
        }
        Ok(c)
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Arc<TableInfo>> {
        self.tables.get(name)
    }

    /// A table by OID.
    pub fn table_by_oid(&self, oid: u32) -> Option<&Arc<TableInfo>> {
        self.tables.values().find(|t| t.oid == oid)
    }
}

/// Name lookups over a catalog (for regclass and friends).
#[derive(Debug)]
pub struct CatalogNames {
    /// The catalog.
    pub catalog: Arc<Catalog>,
    /// System relations: (name, oid).
    pub system: Vec<(String, u32)>,
    /// The store, for table sizes (None in tests).
    pub storage: Option<Engine>,
}

fn strip_schema(name: &str) -> &str {
    let n = name.trim();
    for p in ["public.", "pg_catalog.", "information_schema."] {
        if let Some(r) = n.strip_prefix(p) {
            return r;
        }
    }
    n
}

impl CatalogLookup for CatalogNames {
    fn relation_oid(&self, name: &str) -> Option<u32> {
        let raw = strip_schema(name);
        let n = if raw.starts_with('"') {
            raw.trim_matches('"').to_string()
        } else {
            raw.to_ascii_lowercase()
        };
        self.catalog
            .tables
            .get(&n)
            .map(|t| t.oid)
            .or_else(|| self.catalog.views.get(&n).map(|v| v.oid))
            .or_else(|| self.system.iter().find(|(s, _)| *s == n).map(|(_, o)| *o))
    }
    fn relation_name(&self, oid: u32) -> Option<String> {
        if let Some(t) = self.catalog.table_by_oid(oid) {
            return Some(t.name.clone());
        }
        if let Some(v) = self.catalog.views.values().find(|v| v.oid == oid) {
            return Some(v.name.clone());
        }
        self.system
            .iter()
            .find(|(_, o)| *o == oid)
            .map(|(n, _)| n.clone())
    }
    fn proc_oid(&self, name: &str) -> Option<u32> {
        let n = strip_schema(name).to_ascii_lowercase();
        self.catalog
            .functions
            .iter()
            .position(|f| f.name == n)
            .map(|i| FIRST_FUNCTION_OID + i as u32)
            .or_else(|| crate::system::builtin_proc_oid(&n))
    }
    fn proc_name(&self, oid: u32) -> Option<String> {
        oid.checked_sub(FIRST_FUNCTION_OID)
            .and_then(|i| self.catalog.functions.get(i as usize))
            .map(|f| f.name.clone())
            .or_else(|| crate::system::builtin_proc_name(oid))
    }
    fn type_oid(&self, name: &str) -> Option<u32> {
        crate::system::type_oid(&self.catalog, name)
    }
    fn type_name(&self, oid: u32) -> Option<String> {
        crate::system::type_name(&self.catalog, oid)
    }
    fn catalog(&self) -> Option<Arc<Catalog>> {
        Some(self.catalog.clone())
    }
    fn table_size(&self, oid: u32) -> Option<(u64, u64)> {
        let t = self.catalog.table_by_oid(oid)?;
        let snap = self.storage.as_ref()?.snapshot(&t.name).ok()?;
        let bytes = snap.parts.iter().map(|p| p.meta.bytes).sum();
        Some((snap.approx_rows(), bytes))
    }
    fn namespace_oid(&self, name: &str) -> Option<u32> {
        crate::context::NoCatalog.namespace_oid(name)
    }
    fn namespace_name(&self, oid: u32) -> Option<String> {
        crate::context::NoCatalog.namespace_name(oid)
    }
}
