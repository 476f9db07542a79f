//! Sessions: what a connection (or an embedded handle) executes statements through.
//!
//! `Session::execute` runs a query string (several statements allowed); `prepare` +
//! `execute_prepared` serve the extended protocol. Each statement commits on its own (there are
//! no multi-statement transactions); BEGIN/COMMIT/ROLLBACK are accepted for client
//! compatibility and track the transaction status clients expect, including the failed state.
mod copy_in;
mod ddl;
mod dml;
mod roles;
pub mod settings;
mod utility;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use plantdb_storage::Engine;

pub use copy_in::CopyIn;
pub use roles::{scram_verifier, verify_scram_proof_material};

use crate::bind::Binder;
use crate::catalog::{Catalog, CatalogNames};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::exec::{ExecCtx, Shared, build_profiled, drain};
use crate::functions::Registry;
use crate::parse::{ParsedStatement, parse};
use crate::plan::{Field, Plan};
use crate::types::{DataType, Tz, Value};
use crate::vector::Batch;

/// COPY data formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    /// Tab-separated text.
    Text,
    /// CSV.
    Csv,
    /// Binary (PGCOPY).
    Binary,
}

/// COPY options.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyOptions {
    /// Format.
    pub format: CopyFormat,
    /// Field delimiter.
    pub delimiter: u8,
    /// NULL marker.
    pub null: String,
    /// CSV header line.
    pub header: bool,
    /// CSV quote.
    pub quote: u8,
    /// CSV escape.
    pub escape: u8,
    /// CSV: quote these columns always (COPY TO).
    pub force_quote: Vec<String>,
    /// CSV: match quoted NULL markers as NULL in these columns (COPY FROM).
    pub force_null: Vec<String>,
    /// CSV: never NULL in these columns (COPY FROM).
    pub force_not_null: Vec<String>,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            format: CopyFormat::Text,
            delimiter: b'\t',
            null: "\\N".into(),
            header: false,
            quote: b'"',
            escape: b'"',
            force_quote: Vec::new(),
            force_null: Vec::new(),
            force_not_null: Vec::new(),
        }
    }
}

/// What a statement produced.
#[derive(Debug)]
pub enum StatementResult {
    /// Rows (SELECT, SHOW, EXPLAIN, RETURNING).
    Rows {
        /// Columns.
        fields: Vec<Field>,
        /// Rows.
        batches: Vec<Batch>,
        /// Command tag ("SELECT 3").
        tag: String,
    },
    /// A command without rows.
    Command {
        /// Command tag ("INSERT 0 5", "CREATE TABLE", ...).
        tag: String,
    },
    /// COPY … FROM STDIN: the caller streams data into the loader.
    CopyIn(Box<CopyIn>),
    /// COPY … TO STDOUT: rows to encode in the given format.
    CopyOut {
        /// Options.
        options: CopyOptions,
        /// Columns.
        fields: Vec<Field>,
        /// Rows.
        batches: Vec<Batch>,
    },
    /// An empty query string.
    Empty,
}

/// Transaction status as reported in ReadyForQuery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    /// Not in a transaction block ('I').
    Idle,
    /// In a transaction block ('T').
    Block,
    /// In a failed transaction block ('E').
    Failed,
}

/// A parsed and described statement.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Source text.
    pub sql: String,
    /// The statement (None for an empty string).
    pub stmt: Option<ParsedStatement>,
    /// Parameter types (declared or inferred).
    pub param_types: Vec<DataType>,
    /// Result columns (empty when the statement returns no rows).
    pub fields: Vec<Field>,
}

/// Engine-wide configuration.
#[derive(Debug, Clone)]
pub struct QueryConfig {
    /// Default memory limit per statement.
    pub memory_limit: usize,
    /// Durability level name (for SHOW plantdb.durability).
    pub durability: String,
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig {
            memory_limit: 4 << 30,
            durability: "sync".into(),
        }
    }
}

/// The SQL engine over one database: storage, functions, catalog.
pub struct QueryEngine {
    /// Storage.
    pub storage: Engine,
    /// Functions.
    pub registry: Arc<Registry>,
    catalog: RwLock<Arc<Catalog>>,
    next_pid: AtomicI32,
    /// Serialises DDL (catalog updates).
    pub(crate) ddl: Mutex<()>,
    /// Configuration.
    pub config: QueryConfig,
}

impl std::fmt::Debug for QueryEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryEngine")
            .field("storage", &self.storage)
            .finish()
    }
}

impl QueryEngine {
    /// An engine over `storage` with the functions of `registry`.
    pub fn new(storage: Engine, registry: Registry, config: QueryConfig) -> Result<Arc<QueryEngine>> {
        let mut catalog = Catalog::load(&storage)?;
        catalog.functions = function_names(&registry);
        let e = Arc::new(QueryEngine {
            storage,
            registry: Arc::new(registry),
            catalog: RwLock::new(Arc::new(catalog)),
            next_pid: AtomicI32::new(1000),
            ddl: Mutex::new(()),
            config,
        });
        roles::ensure_superuser(&e)?;
        Ok(e)
    }

    /// The current catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Reloads the catalog after DDL.
    pub fn refresh_catalog(&self) -> Result<()> {
        let mut c = Catalog::load(&self.storage)?;
        c.functions = function_names(&self.registry);
        if let Ok(mut g) = self.catalog.write() {
            *g = Arc::new(c);
        }
        Ok(())
    }

    /// A new session for `user` (who must exist).
    pub fn session(self: &Arc<Self>, user: &str) -> Session {
        let pid = self.next_pid.fetch_add(1, Ordering::SeqCst);
        let mut settings = settings::defaults();
        settings.insert("session_authorization".into(), user.to_string());
        settings.insert("plantdb.durability".into(), self.config.durability.clone());
        let role = self.catalog().roles.get(user).cloned();
        let superuser = role.as_ref().is_none_or(|r| r.superuser);
        settings.insert("is_superuser".into(), if superuser { "on" } else { "off" }.into());
        Session {
            engine: self.clone(),
            user: user.to_string(),
            settings,
            cancel: Arc::new(AtomicBool::new(false)),
            prepared: HashMap::new(),
            tx: TxStatus::Idle,
            pid,
            changed: Vec::new(),
            notices: Vec::new(),
        }
    }
}

fn function_names(r: &Registry) -> Arc<Vec<crate::system::ProcInfo>> {
    Arc::new(crate::system::proc_infos(r))
}

/// One client's state.
pub struct Session {
    /// The engine.
    pub engine: Arc<QueryEngine>,
    /// Authenticated user.
    pub user: String,
    /// Settings (lower-case keys).
    pub settings: BTreeMap<String, String>,
    /// Set to cancel the running statement.
    pub cancel: Arc<AtomicBool>,
    prepared: HashMap<String, Arc<Prepared>>,
    tx: TxStatus,
    /// Backend process id as clients see it.
    pub pid: i32,
    changed: Vec<(String, String)>,
    notices: Vec<QueryError>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("pid", &self.pid)
            .finish()
    }
}

impl Session {
    /// Transaction status for ReadyForQuery.
    pub fn tx_status(&self) -> TxStatus {
        self.tx
    }

    /// Setting changes to report (ParameterStatus), drained.
    pub fn take_changed_settings(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.changed)
    }

    /// Notices and warnings to send, drained.
    pub fn take_notices(&mut self) -> Vec<QueryError> {
        std::mem::take(&mut self.notices)
    }

    /// Settings reported at startup.
    pub fn reported_settings(&self) -> Vec<(String, String)> {
        settings::REPORTED
            .iter()
            .map(|name| {
                (
                    name.to_string(),
                    self.settings
                        .get(&name.to_ascii_lowercase())
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    /// A setting's value.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings.get(&name.to_ascii_lowercase()).map(|s| s.as_str())
    }

    /// statement_timeout in milliseconds (0 = none).
    pub fn statement_timeout_ms(&self) -> u64 {
        self.setting("statement_timeout")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// idle_session_timeout in milliseconds (0 = none).
    pub fn idle_session_timeout_ms(&self) -> u64 {
        self.setting("idle_session_timeout")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub(crate) fn notice(&mut self, code: &'static str, message: impl Into<String>) {
        self.notices.push(QueryError::new(code, message));
    }

    /// Sets a setting and queues its ParameterStatus when reported.
    pub(crate) fn set_setting(&mut self, name: &str, value: String) {
        let reported = settings::REPORTED.iter().find(|r| r.eq_ignore_ascii_case(name));
        if let Some(r) = reported
            && self.settings.get(name) != Some(&value)
        {
            self.changed.push((r.to_string(), value.clone()));
        }
        self.settings.insert(name.to_string(), value);
    }

    /// The evaluation context for a statement starting now.
    pub fn eval_context(&self) -> EvalContext {
        let tz = self.setting("timezone").and_then(Tz::parse).unwrap_or(Tz::Utc);
        let names = CatalogNames {
            catalog: self.engine.catalog(),
            system: crate::system::relation_oids(),
            storage: Some(self.engine.storage.clone()),
        };
        EvalContext {
            tz,
            now_us: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as i64),
            user: self.user.clone(),
            database: "plantdb".into(),
            settings: Arc::new(self.settings.clone()),
            catalog: Arc::new(names),
            cancel: self.cancel.clone(),
            backend_pid: self.pid,
        }
    }

    fn memory_limit(&self) -> usize {
        self.setting("work_mem")
            .and_then(settings::parse_bytes)
            .map_or(self.engine.config.memory_limit, |b| b as usize)
    }

    pub(crate) fn shared(&self, eval: EvalContext) -> Arc<Shared> {
        Arc::new(Shared::new(
            eval,
            self.engine.storage.clone(),
            self.engine.catalog(),
            self.engine.registry.clone(),
            self.memory_limit(),
        ))
    }

    /// Runs a query string; results of the statements run (stopping at the first error).
    pub fn execute(&mut self, sql: &str) -> Vec<Result<StatementResult>> {
        let stmts = match parse(sql) {
            Ok(s) => s,
            Err(e) => {
                self.fail_tx();
                return vec![Err(e)];
            }
        };
        if stmts.is_empty() {
            return vec![Ok(StatementResult::Empty)];
        }
        let mut out = Vec::with_capacity(stmts.len());
        for s in &stmts {
            let r = self.run(s, None, &[]).map_err(|e| e.at(None));
            let failed = r.is_err();
            out.push(r.map_err(|mut e| {
                if let Some(p) = e.position.as_mut() {
                    *p = (*p).max(1);
                }
                e
            }));
            if failed {
                break;
            }
        }
        out
    }

    /// Executes a statement on behalf of the simple or extended protocol.
    pub(crate) fn run(
        &mut self,
        ps: &ParsedStatement,
        params: Option<&[Value]>,
        param_types: &[DataType],
    ) -> Result<StatementResult> {
        self.cancel.store(false, Ordering::SeqCst);
        let Some(stmt) = &ps.stmt else {
            let cmd = ps
                .command
                .clone()
                .ok_or_else(|| crate::error::internal("empty statement"))?;
            return self.guard_tx(|s| utility::command(s, &cmd));
        };
        use sqlparser::ast::Statement as S;
        if self.tx == TxStatus::Failed && !matches!(stmt, S::Rollback { .. } | S::Commit { .. }) {
            return Err(QueryError::new(
                sqlstate::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        let offset = ps.offset;
        let r = self.guard_tx(|s| s.dispatch(ps, stmt, params, param_types));
        r.map_err(|mut e| {
            if let Some(p) = e.position.as_mut() {
                *p += offset as u32;
            }
            e
        })
    }

    fn fail_tx(&mut self) {
        if self.tx == TxStatus::Block {
            self.tx = TxStatus::Failed;
        }
    }

    /// Marks the transaction block failed after an error outside statement execution (a
    /// Parse, Bind or Describe message of the extended protocol), as PostgreSQL does for every
    /// ERROR.
    pub fn fail_transaction(&mut self) {
        self.fail_tx();
    }

    /// 25P02 when the transaction block has failed and `ps` does not end it: Parse, Bind and
    /// Execute of SQL statements other than COMMIT and ROLLBACK are refused until then (as in
    /// [`Session::run`], session commands outside the SQL grammar are not).
    pub fn check_not_failed(&self, ps: &ParsedStatement) -> Result<()> {
        use sqlparser::ast::Statement as S;
        let refused = ps
            .stmt
            .as_ref()
            .is_some_and(|s| !matches!(s, S::Rollback { .. } | S::Commit { .. }));
        if self.tx == TxStatus::Failed && refused {
            return Err(QueryError::new(
                sqlstate::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        Ok(())
    }

    fn guard_tx(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<StatementResult>,
    ) -> Result<StatementResult> {
        let r = f(self);
        if r.is_err() {
            self.fail_tx();
        }
        r
    }

    fn dispatch(
        &mut self,
        ps: &ParsedStatement,
        stmt: &sqlparser::ast::Statement,
        params: Option<&[Value]>,
        param_types: &[DataType],
    ) -> Result<StatementResult> {
        use sqlparser::ast::Statement as S;
        match stmt {
            S::Query(q) => {
                let eval = self.eval_context();
                let plan = self.plan_query(ps, q, params, param_types, &eval)?;
                let fields = plan.fields();
                let batches = self.run_plan(&plan, eval, false)?;
                let n: usize = batches.iter().map(|b| b.len()).sum();
                Ok(StatementResult::Rows {
                    fields,
                    batches,
                    tag: format!("SELECT {n}"),
                })
            }
            S::Insert(ins) => dml::insert(self, ps, ins, params, param_types),
            S::Delete(del) => dml::delete(self, ps, del, params, param_types),
            S::Update(_) => Err(
                QueryError::new(sqlstate::FEATURE_NOT_SUPPORTED, "UPDATE is not supported")
                    .with_hint("Time-series rows are immutable; DELETE the rows and INSERT them again."),
            ),
            S::Truncate(t) => dml::truncate(self, t),
            S::Copy {
                source,
                to,
                target,
                options,
                legacy_options,
                ..
            } => dml::copy(self, source, *to, target, options, legacy_options),
            S::CreateTable(ct) => ddl::create_table(self, ps, ct),
            S::CreateView(cv) => ddl::create_view(self, ps, cv),
            S::Drop {
                object_type,
                if_exists,
                names,
                ..
            } => ddl::drop(self, object_type, *if_exists, names),
            S::AlterTable(at) => ddl::alter_table(self, at),
            S::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => ddl::comment(self, object_type, object_name, comment.clone()),
            S::Explain {
                analyze, statement, ..
            } => utility::explain(self, ps, statement, *analyze, params, param_types),
            S::Grant(g) => roles::grant(self, g, true),
            S::Revoke(r) => roles::revoke(self, r),
            S::CreateRole(_) => Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                "CREATE ROLE could not be parsed",
            )),
            _ => utility::utility(self, stmt, params),
        }
    }

    /// Binds and optimizes a query.
    pub(crate) fn plan_query(
        &self,
        ps: &ParsedStatement,
        q: &sqlparser::ast::Query,
        params: Option<&[Value]>,
        param_types: &[DataType],
        eval: &EvalContext,
    ) -> Result<Plan> {
        let catalog = self.engine.catalog();
        let mut b = Binder::new(&catalog, &self.engine.registry, eval, param_types.to_vec());
        b.asof = ps.asof_joins.clone();
        b.param_values = params.map(|p| p.to_vec());
        let plan = b.query(q)?;
        roles::check_read(self, &plan)?;
        crate::optimize::optimize(plan, eval)
    }

    /// Executes a plan to completion.
    pub(crate) fn run_plan(&self, plan: &Plan, eval: EvalContext, profile: bool) -> Result<Vec<Batch>> {
        let shared = self.shared(eval);
        let cx = ExecCtx::new(shared);
        let mut op = build_profiled(plan, &cx, profile)?;
        drain(&mut *op, &cx).map(|d| d.batches)
    }

    /// Parses and describes a statement for the extended protocol. `param_types` holds the
    /// client's types (Unknown where unspecified).
    pub fn prepare(&mut self, sql: &str, param_types: &[DataType]) -> Result<Prepared> {
        let mut stmts = parse(sql)?;
        if stmts.len() > 1 {
            return Err(QueryError::new(
                sqlstate::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        if let Some(ps) = stmts.first() {
            self.check_not_failed(ps)?;
        }
        let Some(ps) = stmts.pop() else {
            return Ok(Prepared {
                sql: sql.into(),
                stmt: None,
                param_types: param_types.to_vec(),
                fields: Vec::new(),
            });
        };
        let (types, fields) = utility::describe(self, &ps, param_types)?;
        Ok(Prepared {
            sql: sql.into(),
            stmt: Some(ps),
            param_types: types,
            fields,
        })
    }

    /// Executes a prepared statement with parameter values.
    pub fn execute_prepared(&mut self, p: &Prepared, params: &[Value]) -> Result<StatementResult> {
        let Some(ps) = &p.stmt else {
            return Ok(StatementResult::Empty);
        };
        if params.len() != p.param_types.len() {
            return Err(QueryError::new(
                sqlstate::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {} parameters, but prepared statement requires {}",
                    params.len(),
                    p.param_types.len()
                ),
            ));
        }
        self.run(ps, Some(params), &p.param_types)
    }
}
