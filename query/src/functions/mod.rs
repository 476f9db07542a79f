//! The function registry: scalar, aggregate, window and table functions with typed signatures and
//! PostgreSQL-style overload resolution. Operators are scalar functions named by their symbol
//! (`+`, `=`, `||`, ...). Built-ins live in [`builtin`]; `plantdb-extensions` registers the domain
//! functions through the same API, so nothing here names a domain function.
pub mod builtin;
mod resolve;
mod signature;

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

pub use resolve::{Resolved, common_type};
pub use signature::{ArgType, ReturnType, Signature};

use crate::context::EvalContext;
use crate::error::Result;
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Whether a function may be evaluated once at plan time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Volatility {
    /// Same result for the same arguments, always (may be constant-folded).
    Immutable,
    /// Same result within one statement (`now()`, catalog lookups).
    Stable,
    /// May change from call to call (`random()`).
    Volatile,
}

/// Vectorised body of a scalar function: arguments (already cast to the signature's types),
/// the resolved return type and the row count.
pub type ScalarKernel =
    Arc<dyn Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync>;

/// A scalar function overload.
#[derive(Clone)]
pub struct ScalarFunction {
    /// Lower-case name (or operator symbol).
    pub name: String,
    /// Argument and return types.
    pub signature: Signature,
    /// Volatility.
    pub volatility: Volatility,
    /// The body.
    pub kernel: ScalarKernel,
    /// One line for `\df` and the docs.
    pub description: String,
}

impl std::fmt::Debug for ScalarFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:?}", self.name, self.signature)
    }
}

impl ScalarFunction {
    /// A function from a vectorised kernel.
    pub fn vectorized(
        name: &str,
        signature: Signature,
        volatility: Volatility,
        kernel: impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static,
    ) -> ScalarFunction {
        ScalarFunction {
            name: name.to_ascii_lowercase(),
            signature,
            volatility,
            kernel: Arc::new(kernel),
            description: String::new(),
        }
    }

    /// A strict (NULL in → NULL out) function from a row-at-a-time body.
    pub fn strict_rows(
        name: &str,
        signature: Signature,
        volatility: Volatility,
        body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
    ) -> ScalarFunction {
        Self::rows(name, signature, volatility, true, body)
    }

    /// A function from a row-at-a-time body; `strict` skips rows with a NULL argument.
    pub fn rows(
        name: &str,
        signature: Signature,
        volatility: Volatility,
        strict: bool,
        body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
    ) -> ScalarFunction {
        let kernel =
            move |ctx: &EvalContext, args: &[Vector], ret: &DataType, len: usize| -> Result<Vector> {
                // All-constant arguments: evaluate once.
                if !args.is_empty()
                    && args
                        .iter()
                        .all(|a| matches!(a.data, crate::vector::VectorData::Const(_)))
                {
                    let vals: Vec<Value> = args.iter().map(|a| a.value(0)).collect();
                    let v = if strict && vals.iter().any(Value::is_null) {
                        Value::Null
                    } else {
                        body(ctx, &vals)?
                    };
                    return Ok(Vector::constant(v, ret.clone(), len));
                }
                let mut out = Vec::with_capacity(len);
                let mut row = Vec::with_capacity(args.len());
                for i in 0..len {
                    row.clear();
                    row.extend(args.iter().map(|a| a.value(i)));
                    if strict && row.iter().any(Value::is_null) {
                        out.push(Value::Null);
                    } else {
                        out.push(body(ctx, &row)?);
                    }
                }
                Ok(Vector::from_values(ret.clone(), out))
            };
        Self::vectorized(name, signature, volatility, kernel)
    }

    /// Sets the description.
    pub fn describe(mut self, text: &str) -> ScalarFunction {
        self.description = text.into();
        self
    }
}

/// How an aggregate call is set up.
#[derive(Debug, Clone)]
pub struct AggregateSpec {
    /// Types of the aggregated arguments (after casts).
    pub arg_types: Vec<DataType>,
    /// Direct arguments of ordered-set aggregates (`percentile_cont(0.5)`), constants.
    pub direct_args: Vec<Value>,
    /// Resolved return type.
    pub return_type: DataType,
}

/// Statistics of a block for one argument column, as the storage layer keeps them.
pub use plantdb_storage::BlockStats;

/// Per-group state of one aggregate call over many groups.
///
/// Rows arrive with a group id each; states must be mergeable (`merge`) so that partial
/// aggregates computed in parallel, or from block statistics, combine into the same answer.
pub trait Accumulator: Send + Any {
    /// Makes room for `groups` groups (ids `0..groups`).
    fn resize(&mut self, groups: usize);
    /// Adds row `i` of `args` to group `groups[i]`. NULL handling is the function's.
    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()>;
    /// [`Accumulator::update`] when the rows come in runs of one group: `runs[k] = (group,
    /// end)` covers the rows from the previous run's end (0 for the first) to `end`, and
    /// `groups` says the same row by row. Accumulators on the hot path fold a run at a time.
    fn update_runs(&mut self, _runs: &[(u32, u32)], groups: &[u32], args: &[Vector]) -> Result<()> {
        self.update(groups, args)
    }
    /// Adds a whole block from its statistics (`stats[k]` for argument `k`; an empty slice for
    /// `count(*)`, whose row count is `rows`). Returns false when the function cannot use them.
    fn update_from_stats(&mut self, _group: u32, _rows: u64, _stats: &[BlockStats]) -> Result<bool> {
        Ok(false)
    }
    /// Removes rows added earlier (sliding window frames). Returns false when unsupported.
    fn retract(&mut self, _groups: &[u32], _args: &[Vector]) -> Result<bool> {
        Ok(false)
    }
    /// Adds rows `lo..hi` of `args` to group 0 (window frames). Accumulators on the hot path
    /// override this to read the argument slices in place.
    fn add_range(&mut self, args: &[Vector], lo: usize, hi: usize) -> Result<()> {
        let (groups, sub) = range_rows(args, lo, hi);
        self.update(&groups, &sub)
    }
    /// Removes rows `lo..hi` of `args`, added earlier, from group 0. Returns false (state left
    /// unchanged) when the function cannot take them back.
    fn retract_range(&mut self, args: &[Vector], lo: usize, hi: usize) -> Result<bool> {
        let (groups, sub) = range_rows(args, lo, hi);
        self.retract(&groups, &sub)
    }
    /// Merges another accumulator of the same function: its group `g` goes into `map[g]`.
    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()>;
    /// Final value of group `g`.
    fn value(&self, group: usize) -> Result<Value>;
    /// For downcasting in `merge`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// Rows `lo..hi` of `args` as a batch for group 0: the group ids and the argument vectors.
pub fn range_rows(args: &[Vector], lo: usize, hi: usize) -> (Vec<u32>, Vec<Vector>) {
    let idx: Vec<u32> = (lo..hi).map(|i| i as u32).collect();
    (vec![0; idx.len()], args.iter().map(|a| a.take(&idx)).collect())
}

/// Creates accumulators for one aggregate overload.
pub type AccumulatorFactory = Arc<dyn Fn(&AggregateSpec) -> Result<Box<dyn Accumulator>> + Send + Sync>;

/// An aggregate function overload.
#[derive(Clone)]
pub struct AggregateFunction {
    /// Lower-case name.
    pub name: String,
    /// Argument and return types (aggregated arguments only).
    pub signature: Signature,
    /// Types of direct arguments of an ordered-set aggregate (empty otherwise).
    pub direct_args: Vec<DataType>,
    /// Makes the per-call accumulator.
    pub create: AccumulatorFactory,
    /// Description.
    pub description: String,
}

impl std::fmt::Debug for AggregateFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "aggregate {}{:?}", self.name, self.signature)
    }
}

impl AggregateFunction {
    /// An aggregate.
    pub fn new(
        name: &str,
        signature: Signature,
        create: impl Fn(&AggregateSpec) -> Result<Box<dyn Accumulator>> + Send + Sync + 'static,
    ) -> AggregateFunction {
        AggregateFunction {
            name: name.to_ascii_lowercase(),
            signature,
            direct_args: Vec::new(),
            create: Arc::new(create),
            description: String::new(),
        }
    }

    /// Declares direct arguments (ordered-set aggregates).
    pub fn with_direct_args(mut self, types: Vec<DataType>) -> AggregateFunction {
        self.direct_args = types;
        self
    }

    /// Sets the description.
    pub fn describe(mut self, text: &str) -> AggregateFunction {
        self.description = text.into();
        self
    }
}

/// The rows of one window partition, sorted, with their frames.
#[derive(Debug)]
pub struct WindowInput<'a> {
    /// Argument values, one vector per argument, one row per partition row.
    pub args: &'a [Vector],
    /// Peer group number of each row (rows equal under ORDER BY share one), ascending from 0.
    pub peers: &'a [u32],
    /// Frame of each row as `start..end` row indexes (end exclusive; empty when start >= end).
    pub frames: &'a [(usize, usize)],
    /// Resolved return type.
    pub return_type: &'a DataType,
}

/// Body of a window function: one output value per partition row.
pub type WindowKernel = Arc<dyn Fn(&EvalContext, &WindowInput<'_>) -> Result<Vector> + Send + Sync>;

/// A window function overload (aggregates are usable as window functions too).
#[derive(Clone)]
pub struct WindowFunction {
    /// Lower-case name.
    pub name: String,
    /// Argument and return types.
    pub signature: Signature,
    /// The body.
    pub kernel: WindowKernel,
    /// Description.
    pub description: String,
}

impl std::fmt::Debug for WindowFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "window {}{:?}", self.name, self.signature)
    }
}

impl WindowFunction {
    /// A window function.
    pub fn new(
        name: &str,
        signature: Signature,
        kernel: impl Fn(&EvalContext, &WindowInput<'_>) -> Result<Vector> + Send + Sync + 'static,
    ) -> WindowFunction {
        WindowFunction {
            name: name.to_ascii_lowercase(),
            signature,
            kernel: Arc::new(kernel),
            description: String::new(),
        }
    }
}

/// Rows produced by a table function.
pub type BatchIter = Box<dyn Iterator<Item = Result<Batch>> + Send>;

/// Output columns of a table function for given argument types.
pub type TableColumns = Arc<dyn Fn(&[DataType]) -> Result<Vec<(String, DataType)>> + Send + Sync>;

/// Body of a table function: constant arguments → batches of rows.
pub type TableKernel = Arc<dyn Fn(&EvalContext, &[Value], &[DataType]) -> Result<BatchIter> + Send + Sync>;

/// A set-returning function usable in FROM (and in the SELECT list, e.g. `unnest`).
#[derive(Clone)]
pub struct TableFunction {
    /// Lower-case name.
    pub name: String,
    /// Argument types (the return type is ignored: see `columns`).
    pub signature: Signature,
    /// Output columns.
    pub columns: TableColumns,
    /// The body.
    pub kernel: TableKernel,
    /// Description.
    pub description: String,
}

impl std::fmt::Debug for TableFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "table {}{:?}", self.name, self.signature)
    }
}

/// All functions known to an engine.
#[derive(Default, Clone)]
pub struct Registry {
    scalars: HashMap<String, Vec<Arc<ScalarFunction>>>,
    aggregates: HashMap<String, Vec<Arc<AggregateFunction>>>,
    windows: HashMap<String, Vec<Arc<WindowFunction>>>,
    tables: HashMap<String, Vec<Arc<TableFunction>>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("scalars", &self.scalars.len())
            .field("aggregates", &self.aggregates.len())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// A registry holding the built-in functions.
    pub fn with_builtins() -> Registry {
        let mut r = Registry::new();
        builtin::register(&mut r);
        r
    }

    /// Takes every function of `other`, replacing all overloads of the same name here: a
    /// library with its own complete version of a name (the catalog's `format_type`, say)
    /// must not compete with a simpler one in overload resolution.
    pub fn overlay(&mut self, other: Registry) {
        self.scalars.extend(other.scalars);
        self.aggregates.extend(other.aggregates);
        self.windows.extend(other.windows);
        self.tables.extend(other.tables);
    }

    /// Adds a scalar overload.
    pub fn register_scalar(&mut self, f: ScalarFunction) {
        self.scalars.entry(f.name.clone()).or_default().push(Arc::new(f));
    }

    /// Adds an aggregate overload.
    pub fn register_aggregate(&mut self, f: AggregateFunction) {
        self.aggregates
            .entry(f.name.clone())
            .or_default()
            .push(Arc::new(f));
    }

    /// Adds a window function overload.
    pub fn register_window(&mut self, f: WindowFunction) {
        self.windows.entry(f.name.clone()).or_default().push(Arc::new(f));
    }

    /// Adds a table function overload.
    pub fn register_table(&mut self, f: TableFunction) {
        self.tables.entry(f.name.clone()).or_default().push(Arc::new(f));
    }

    /// Scalar overloads of a name.
    pub fn scalars(&self, name: &str) -> &[Arc<ScalarFunction>] {
        self.scalars.get(name).map_or(&[], |v| v)
    }

    /// Aggregate overloads of a name.
    pub fn aggregates(&self, name: &str) -> &[Arc<AggregateFunction>] {
        self.aggregates.get(name).map_or(&[], |v| v)
    }

    /// Window overloads of a name.
    pub fn windows(&self, name: &str) -> &[Arc<WindowFunction>] {
        self.windows.get(name).map_or(&[], |v| v)
    }

    /// Table function overloads of a name.
    pub fn tables(&self, name: &str) -> &[Arc<TableFunction>] {
        self.tables.get(name).map_or(&[], |v| v)
    }

    /// Resolves a scalar call (operators included) by argument types.
    pub fn resolve_scalar(&self, name: &str, args: &[DataType]) -> Result<Resolved<ScalarFunction>> {
        resolve::resolve(name, self.scalars(name), |f| &f.signature, args)
    }

    /// Resolves an aggregate call.
    pub fn resolve_aggregate(&self, name: &str, args: &[DataType]) -> Result<Resolved<AggregateFunction>> {
        resolve::resolve(name, self.aggregates(name), |f| &f.signature, args)
    }

    /// Resolves a window function call.
    pub fn resolve_window(&self, name: &str, args: &[DataType]) -> Result<Resolved<WindowFunction>> {
        resolve::resolve(name, self.windows(name), |f| &f.signature, args)
    }

    /// Resolves a table function call.
    pub fn resolve_table(&self, name: &str, args: &[DataType]) -> Result<Resolved<TableFunction>> {
        resolve::resolve(name, self.tables(name), |f| &f.signature, args)
    }

    /// Whether any function of any kind has this name.
    pub fn exists(&self, name: &str) -> bool {
        self.scalars.contains_key(name)
            || self.aggregates.contains_key(name)
            || self.windows.contains_key(name)
            || self.tables.contains_key(name)
    }

    /// Every function name with its kind ("f", "a", "w", "t"), for the catalog.
    pub fn all(&self) -> Vec<(String, char, Signature, String)> {
        let mut out = Vec::new();
        for v in self.scalars.values().flatten() {
            out.push((v.name.clone(), 'f', v.signature.clone(), v.description.clone()));
        }
        for v in self.aggregates.values().flatten() {
            out.push((v.name.clone(), 'a', v.signature.clone(), v.description.clone()));
        }
        for v in self.windows.values().flatten() {
            out.push((v.name.clone(), 'w', v.signature.clone(), v.description.clone()));
        }
        for v in self.tables.values().flatten() {
            out.push((v.name.clone(), 't', v.signature.clone(), v.description.clone()));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
