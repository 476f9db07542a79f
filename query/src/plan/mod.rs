//! Logical plans: trees of relational operators over bound expressions. The binder builds them,
//! the optimizer rewrites them, the executor runs them.
mod explain;
mod expr;
mod gapfill;

use std::sync::Arc;

pub use expr::{Expr, SubqueryExpr, SubqueryKind};
pub use gapfill::{FillCall, FillKind, GapFillSpec, Lookup};

use crate::catalog::TableInfo;
use crate::functions::{AggregateFunction, TableFunction, WindowFunction};
use crate::types::{DataType, Value};

/// An output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Column name.
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// Table alias it can be qualified with.
    pub qualifier: Option<String>,
    /// OID of the table it comes from (0 if computed), for RowDescription.
    pub table_oid: u32,
    /// Attribute number in that table (0 if computed).
    pub column: i16,
}

impl Field {
    /// A computed column.
    pub fn new(name: impl Into<String>, ty: DataType) -> Field {
        Field {
            name: name.into(),
            ty,
            qualifier: None,
            table_oid: 0,
            column: 0,
        }
    }
}

/// One ORDER BY key.
#[derive(Debug, Clone)]
pub struct SortKey {
    /// Sort expression.
    pub expr: Expr,
    /// Descending.
    pub desc: bool,
    /// NULLs first (default: last for ASC, first for DESC).
    pub nulls_first: bool,
}

/// An aggregate call in an Aggregate node.
#[derive(Debug, Clone)]
pub struct AggCall {
    /// The overload.
    pub func: Arc<AggregateFunction>,
    /// Aggregated arguments (cast).
    pub args: Vec<Expr>,
    /// Direct arguments (ordered-set aggregates), constants.
    pub direct: Vec<Value>,
    /// Result type.
    pub ty: DataType,
    /// DISTINCT.
    pub distinct: bool,
    /// FILTER (WHERE ...).
    pub filter: Option<Expr>,
    /// ORDER BY inside the call (string_agg, array_agg; WITHIN GROUP is the argument itself).
    pub order_by: Vec<SortKey>,
}

/// Frame units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnits {
    /// ROWS
    Rows,
    /// RANGE
    Range,
    /// GROUPS
    Groups,
}

/// A frame bound.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    /// UNBOUNDED PRECEDING
    UnboundedPreceding,
    /// n PRECEDING (a number, or an interval for RANGE over time)
    Preceding(Value),
    /// CURRENT ROW
    CurrentRow,
    /// n FOLLOWING
    Following(Value),
    /// UNBOUNDED FOLLOWING
    UnboundedFollowing,
}

/// A window frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Units.
    pub units: FrameUnits,
    /// Start.
    pub start: FrameBound,
    /// End.
    pub end: FrameBound,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            units: FrameUnits::Range,
            start: FrameBound::UnboundedPreceding,
            end: FrameBound::CurrentRow,
        }
    }
}

/// What a window call computes.
#[derive(Debug, Clone)]
pub enum WindowKind {
    /// An aggregate over the frame.
    Aggregate(Arc<AggregateFunction>, Vec<Value>),
    /// A window function.
    Function(Arc<WindowFunction>),
}

/// A window function call.
#[derive(Debug, Clone)]
pub struct WindowCall {
    /// The function.
    pub kind: WindowKind,
    /// Arguments.
    pub args: Vec<Expr>,
    /// PARTITION BY.
    pub partition: Vec<Expr>,
    /// ORDER BY.
    pub order: Vec<SortKey>,
    /// Frame.
    pub frame: Frame,
    /// FILTER (aggregates only).
    pub filter: Option<Expr>,
    /// Result type.
    pub ty: DataType,
}

/// Join kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// INNER
    Inner,
    /// LEFT OUTER
    Left,
    /// RIGHT OUTER
    Right,
    /// FULL OUTER
    Full,
    /// Left rows with a match (EXISTS / IN); output = left columns.
    Semi,
    /// Left rows without a match (NOT EXISTS); output = left columns.
    Anti,
}

/// Set operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOpKind {
    /// UNION
    Union,
    /// INTERSECT
    Intersect,
    /// EXCEPT
    Except,
}

/// A time-series scan with its pushed-down restrictions.
#[derive(Debug, Clone)]
pub struct ScanPlan {
    /// The table.
    pub table: Arc<TableInfo>,
    /// Schema columns produced, in order.
    pub columns: Vec<usize>,
    /// Output fields.
    pub fields: Vec<Field>,
    /// Remaining conjuncts, over the output columns.
    pub filter: Vec<Expr>,
    /// Inclusive time bounds derived from the filter.
    pub time: (i64, i64),
    /// Tag restrictions: (tag column, allowed values); all must hold.
    pub tags: Vec<(usize, Vec<Option<String>>)>,
    /// Block-skipping ranges on field columns: (schema column, min, max) as doubles, inclusive.
    pub ranges: Vec<(usize, f64, f64)>,
    /// Notes for EXPLAIN about decisions taken.
    pub notes: Vec<String>,
    /// `Some((k, w))`: only pieces `k`, `k + w`, `k + 2w`, … (worker `k` of `w` in a parallel
    /// aggregate); set by the executor, never by the planner.
    pub slice: Option<(usize, usize)>,
}

/// A logical plan node.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Rows of a stored table.
    Scan(Box<ScanPlan>),
    /// A pg_catalog / information_schema relation.
    SystemTable {
        /// Relation name (e.g. "pg_class").
        name: String,
        /// Columns.
        fields: Vec<Field>,
    },
    /// Literal rows.
    Values {
        /// Rows of expressions.
        rows: Vec<Vec<Expr>>,
        /// Columns.
        fields: Vec<Field>,
    },
    /// One row without columns (SELECT without FROM).
    OneRow,
    /// No rows.
    Empty {
        /// Columns.
        fields: Vec<Field>,
    },
    /// WHERE / HAVING.
    Filter {
        /// Input.
        input: Box<Plan>,
        /// Predicate.
        predicate: Expr,
    },
    /// Computed columns.
    Project {
        /// Input.
        input: Box<Plan>,
        /// One expression per output column.
        exprs: Vec<Expr>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// GROUP BY / aggregates. Output: group keys, then aggregates.
    Aggregate {
        /// Input.
        input: Box<Plan>,
        /// Group keys.
        group: Vec<Expr>,
        /// Aggregate calls.
        aggs: Vec<AggCall>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// Window functions. Output: input columns, then one per call.
    Window {
        /// Input.
        input: Box<Plan>,
        /// Calls.
        calls: Vec<WindowCall>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// ORDER BY.
    Sort {
        /// Input.
        input: Box<Plan>,
        /// Keys.
        keys: Vec<SortKey>,
    },
    /// ORDER BY … LIMIT k (offset included in k).
    TopN {
        /// Input.
        input: Box<Plan>,
        /// Keys.
        keys: Vec<SortKey>,
        /// Rows kept (limit + offset).
        n: usize,
    },
    /// LIMIT / OFFSET.
    Limit {
        /// Input.
        input: Box<Plan>,
        /// LIMIT.
        limit: Option<u64>,
        /// OFFSET.
        offset: u64,
    },
    /// SELECT DISTINCT.
    Distinct {
        /// Input.
        input: Box<Plan>,
    },
    /// DISTINCT ON: first row of each key group, in input order.
    DistinctOn {
        /// Input (sorted by the keys, then the rest of ORDER BY).
        input: Box<Plan>,
        /// Keys.
        keys: Vec<Expr>,
    },
    /// A join. Output: left columns then right columns (left only for semi/anti).
    Join {
        /// Left input.
        left: Box<Plan>,
        /// Right input.
        right: Box<Plan>,
        /// Kind.
        kind: JoinKind,
        /// Condition over left ++ right columns (None: cross join).
        on: Option<Expr>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// ASOF join: for each left row the right row with the same keys and the latest time not after
    /// (or before, when `strict`) the left time.
    AsofJoin {
        /// Left input.
        left: Box<Plan>,
        /// Right input.
        right: Box<Plan>,
        /// Equality keys (left side).
        left_keys: Vec<Expr>,
        /// Equality keys (right side, over right columns).
        right_keys: Vec<Expr>,
        /// Left time.
        left_time: Expr,
        /// Right time (over right columns).
        right_time: Expr,
        /// `>` instead of `>=`.
        strict: bool,
        /// Keep unmatched left rows (with NULLs).
        outer: bool,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// LATERAL: the right plan runs once per left row (it references left columns as Outer depth 1).
    Lateral {
        /// Left input.
        left: Box<Plan>,
        /// Correlated right side.
        right: Box<Plan>,
        /// Keep unmatched left rows.
        outer: bool,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// UNION / INTERSECT / EXCEPT.
    SetOp {
        /// Kind.
        kind: SetOpKind,
        /// ALL.
        all: bool,
        /// Left.
        left: Box<Plan>,
        /// Right.
        right: Box<Plan>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// A set-returning function in FROM.
    TableFunction {
        /// The overload.
        func: Arc<TableFunction>,
        /// Arguments (evaluated once; may reference outer rows under LATERAL).
        args: Vec<Expr>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// WITH RECURSIVE: anchor, then the recursive part repeatedly over the last iteration's rows.
    RecursiveCte {
        /// Non-recursive part.
        anchor: Box<Plan>,
        /// Recursive part (reads WorkTable `id`).
        recursive: Box<Plan>,
        /// UNION ALL (true) or UNION.
        all: bool,
        /// Id of the work table.
        id: usize,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// Rows of the current iteration of a recursive CTE.
    WorkTable {
        /// Id.
        id: usize,
        /// Columns.
        fields: Vec<Field>,
    },
    /// An aggregate fused with the scan below it (optimizer output): whole row groups are
    /// answered from block statistics where possible, the rest is decoded; parallel over pieces.
    ScanAggregate {
        /// The scan (its columns are the aggregate's input columns).
        scan: Box<ScanPlan>,
        /// Group keys over the scan's columns.
        group: Vec<Expr>,
        /// Aggregate calls over the scan's columns.
        aggs: Vec<AggCall>,
        /// Output columns (group keys, then aggregates).
        fields: Vec<Field>,
        /// Only the groups of the k largest (`true`) or smallest time buckets are wanted (the
        /// single group key is a monotone bucket of time); others may come out incomplete.
        topk: Option<(usize, bool)>,
    },
    /// Gap filling above an aggregate (optimizer output, see [`GapFillSpec`]). Output: the input
    /// columns, then one column per fill call.
    GapFill {
        /// The aggregate (possibly under HAVING).
        input: Box<Plan>,
        /// What to fill.
        spec: Arc<GapFillSpec>,
        /// Output columns.
        fields: Vec<Field>,
    },
    /// Last row per series, from the last-value cache (optimizer output).
    LastPoint {
        /// The table.
        table: Arc<TableInfo>,
        /// Schema columns produced.
        columns: Vec<usize>,
        /// Output fields.
        fields: Vec<Field>,
    },
}

impl Plan {
    /// Output columns.
    pub fn fields(&self) -> Vec<Field> {
        match self {
            Plan::Scan(s) => s.fields.clone(),
            Plan::SystemTable { fields, .. }
            | Plan::Values { fields, .. }
            | Plan::Empty { fields }
            | Plan::Project { fields, .. }
            | Plan::Aggregate { fields, .. }
            | Plan::Window { fields, .. }
            | Plan::Join { fields, .. }
            | Plan::AsofJoin { fields, .. }
            | Plan::Lateral { fields, .. }
            | Plan::SetOp { fields, .. }
            | Plan::TableFunction { fields, .. }
            | Plan::RecursiveCte { fields, .. }
            | Plan::WorkTable { fields, .. }
            | Plan::LastPoint { fields, .. }
            | Plan::GapFill { fields, .. }
            | Plan::ScanAggregate { fields, .. } => fields.clone(),
            Plan::OneRow => Vec::new(),
            Plan::Filter { input, .. }
            | Plan::Sort { input, .. }
            | Plan::TopN { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Distinct { input }
            | Plan::DistinctOn { input, .. } => input.fields(),
        }
    }

    /// Output column types.
    pub fn types(&self) -> Vec<DataType> {
        self.fields().into_iter().map(|f| f.ty).collect()
    }

    /// Direct inputs.
    pub fn inputs(&self) -> Vec<&Plan> {
        match self {
            Plan::Filter { input, .. }
            | Plan::Project { input, .. }
            | Plan::Aggregate { input, .. }
            | Plan::Window { input, .. }
            | Plan::Sort { input, .. }
            | Plan::TopN { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Distinct { input }
            | Plan::GapFill { input, .. }
            | Plan::DistinctOn { input, .. } => vec![input],
            Plan::Join { left, right, .. }
            | Plan::AsofJoin { left, right, .. }
            | Plan::Lateral { left, right, .. }
            | Plan::SetOp { left, right, .. } => vec![left, right],
            Plan::RecursiveCte {
                anchor, recursive, ..
            } => vec![anchor, recursive],
            _ => vec![],
        }
    }

    /// Whether the plan (or an expression in it) references rows of enclosing queries.
    pub fn is_correlated(&self) -> bool {
        fn expr_outer(e: &Expr, depth: usize) -> bool {
            e.any(&|x| match x {
                Expr::Outer { depth: d, .. } => *d >= depth,
                Expr::Subquery(s) => s.correlated && plan_outer(&s.plan, depth + 1),
                _ => false,
            })
        }
        fn plan_outer(p: &Plan, depth: usize) -> bool {
            let own = match p {
                Plan::Filter { predicate, .. } => expr_outer(predicate, depth),
                Plan::Project { exprs, .. } => exprs.iter().any(|e| expr_outer(e, depth)),
                Plan::Scan(s) => s.filter.iter().any(|e| expr_outer(e, depth)),
                Plan::Values { rows, .. } => rows.iter().flatten().any(|e| expr_outer(e, depth)),
                Plan::Aggregate { group, aggs, .. } => {
                    group.iter().any(|e| expr_outer(e, depth))
                        || aggs
                            .iter()
                            .any(|a| a.args.iter().chain(a.filter.iter()).any(|e| expr_outer(e, depth)))
                }
                Plan::Join { on: Some(on), .. } => expr_outer(on, depth),
                Plan::Sort { keys, .. } | Plan::TopN { keys, .. } => {
                    keys.iter().any(|k| expr_outer(&k.expr, depth))
                }
                Plan::TableFunction { args, .. } => args.iter().any(|e| expr_outer(e, depth)),
                Plan::Window { calls, .. } => {
                    calls.iter().any(|c| c.args.iter().any(|e| expr_outer(e, depth)))
                }
                _ => false,
            };
            own || match p {
                // The right side of LATERAL sees the left row at depth 1: deeper refs escape.
                Plan::Lateral { left, right, .. } => plan_outer(left, depth) || plan_outer(right, depth + 1),
                _ => p.inputs().iter().any(|i| plan_outer(i, depth)),
            }
        }
        plan_outer(self, 1)
    }
}
