//! State shared by the operators of one statement.
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use plantdb_storage::{Engine, TableSnapshot};

use crate::catalog::Catalog;
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::Registry;
use crate::types::Value;
use crate::vector::Batch;

/// Subquery results by (subquery address, outer values).
pub type SubqueryCache = HashMap<(usize, Vec<Value>), Arc<super::Drained>>;

/// Per-statement shared state.
pub struct Shared {
    /// Session evaluation context.
    pub eval: EvalContext,
    /// Storage.
    pub engine: Engine,
    /// Catalog snapshot.
    pub catalog: Arc<Catalog>,
    /// Functions.
    pub registry: Arc<Registry>,
    /// One snapshot per table for the whole statement.
    snapshots: Mutex<HashMap<String, Arc<TableSnapshot>>>,
    /// Current rows of recursive CTE work tables.
    pub work_tables: Mutex<HashMap<usize, Arc<Vec<Batch>>>>,
    /// Results of subqueries: by (subquery address, outer values).
    pub subquery_cache: Mutex<SubqueryCache>,
    /// Bytes held by materialising operators.
    memory: AtomicUsize,
    /// Memory limit per statement.
    pub memory_limit: usize,
    /// Per-operator statistics for EXPLAIN ANALYZE: (label, rows, µs).
    pub profile: Mutex<Vec<(String, u64, u64)>>,
}

impl Shared {
    /// New shared state.
    pub fn new(
        eval: EvalContext,
        engine: Engine,
        catalog: Arc<Catalog>,
        registry: Arc<Registry>,
        memory_limit: usize,
    ) -> Shared {
        Shared {
            eval,
            engine,
            catalog,
            registry,
            snapshots: Mutex::new(HashMap::new()),
            work_tables: Mutex::new(HashMap::new()),
            subquery_cache: Mutex::new(HashMap::new()),
            memory: AtomicUsize::new(0),
            memory_limit,
            profile: Mutex::new(Vec::new()),
        }
    }

    /// The statement's snapshot of a table.
    pub fn snapshot(&self, table: &str) -> Result<Arc<TableSnapshot>> {
        let mut m = self
            .snapshots
            .lock()
            .map_err(|_| crate::error::internal("snapshot lock"))?;
        if let Some(s) = m.get(table) {
            return Ok(s.clone());
        }
        let s = Arc::new(self.engine.snapshot(table)?);
        m.insert(table.to_string(), s.clone());
        Ok(s)
    }

    /// Accounts `bytes` more memory; fails with 53200 past the limit.
    pub fn reserve(&self, bytes: usize) -> Result<()> {
        let now = self.memory.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if now > self.memory_limit {
            return Err(QueryError::new(sqlstate::OUT_OF_MEMORY, "out of memory")
                .with_detail(format!(
                    "The statement needs more than its limit of {} MB.",
                    self.memory_limit >> 20
                ))
                .with_hint("Raise work_mem (SET work_mem = '4GB') or restrict the query."));
        }
        Ok(())
    }

    /// Accounts `bytes` and returns a grant that gives them back when dropped.
    pub fn grant(self: &Arc<Self>, bytes: usize) -> Result<Grant> {
        self.reserve(bytes)?;
        Ok(Grant {
            shared: Some(self.clone()),
            bytes,
        })
    }

    /// Returns accounted memory.
    pub fn release(&self, bytes: usize) {
        self.memory
            .fetch_sub(bytes.min(self.memory.load(Ordering::Relaxed)), Ordering::Relaxed);
    }
}

/// Memory accounted to a statement for as long as the grant lives (RAII: dropping the
/// materialised rows' grant returns the bytes, so per-row subplans do not leak the budget).
#[derive(Default)]
pub struct Grant {
    shared: Option<Arc<Shared>>,
    bytes: usize,
}

impl Grant {
    /// Adds another grant's bytes to this one.
    pub fn absorb(&mut self, mut other: Grant) {
        if self.shared.is_none() {
            self.shared = other.shared.take();
        }
        self.bytes += std::mem::take(&mut other.bytes);
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        if let Some(s) = &self.shared {
            s.release(self.bytes);
        }
    }
}

/// Execution context: shared state plus the stack of outer rows (correlated subqueries, LATERAL).
#[derive(Clone)]
pub struct ExecCtx {
    /// Evaluation context.
    pub eval: Arc<EvalContext>,
    /// Shared statement state (absent when folding constants at bind time).
    pub shared: Option<Arc<Shared>>,
    /// Outer rows, innermost last.
    pub outer: Vec<Arc<Vec<Value>>>,
}

impl ExecCtx {
    /// A context without outer rows.
    pub fn new(shared: Arc<Shared>) -> ExecCtx {
        ExecCtx {
            eval: Arc::new(shared.eval.clone()),
            shared: Some(shared),
            outer: Vec::new(),
        }
    }

    /// A context for evaluating constants (no tables, no subqueries).
    pub fn constant(eval: &EvalContext) -> ExecCtx {
        ExecCtx {
            eval: Arc::new(eval.clone()),
            shared: None,
            outer: Vec::new(),
        }
    }

    /// The evaluation context.
    pub fn eval(&self) -> &EvalContext {
        &self.eval
    }

    /// The shared statement state.
    pub fn shared(&self) -> Result<&Arc<Shared>> {
        self.shared.as_ref().ok_or_else(|| {
            QueryError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot use a subquery or table here",
            )
        })
    }

    /// A child context with one more outer row.
    pub fn with_outer(&self, row: Vec<Value>) -> ExecCtx {
        let mut outer = self.outer.clone();
        outer.push(Arc::new(row));
        ExecCtx {
            eval: self.eval.clone(),
            shared: self.shared.clone(),
            outer,
        }
    }

    /// Value of an outer reference.
    pub fn outer_value(&self, depth: usize, index: usize) -> Value {
        self.outer
            .len()
            .checked_sub(depth)
            .and_then(|i| self.outer.get(i))
            .and_then(|r| r.get(index).cloned())
            .unwrap_or(Value::Null)
    }
}

/// Approximate heap size of a batch.
pub fn batch_bytes(b: &Batch) -> usize {
    b.columns
        .iter()
        .map(|c| match &c.data {
            crate::vector::VectorData::Bool(v) => v.len(),
            crate::vector::VectorData::Int(v) => v.len() * 8,
            crate::vector::VectorData::Float(v) => v.len() * 8,
            crate::vector::VectorData::Text(d) => {
                d.codes.len() * 4 + d.dict.iter().map(|x| x.len() + 16).sum::<usize>().min(1 << 30)
            }
            crate::vector::VectorData::Values(v) => v.len() * 32,
            crate::vector::VectorData::Const(_) => 32,
        })
        .sum::<usize>()
        + 64
}
