//! The accumulator behind the time-ordered toolkit aggregates: per group, a mergeable run
//! summary of the rows inside an optional range `[range_start, range_end)`, plus the latest row
//! before the range (the *seed*, carried in to the range start) and the earliest row at or after
//! its end (the *next* row, for linear interpolation at the range end). Without a range every
//! row is inside. The range arguments must be the same for every row of a group (they usually
//! are the bucket bounds from a calendar or `generate_series` join).
//!
//! A function supplies the row reader ([`Reader`]) and the final value from the summary and the
//! edges ([`Finish`]). Rows with a NULL time or value are skipped.
use std::any::Any;

use plantdb_query::error::Result;
use plantdb_query::functions::Accumulator;
use plantdb_query::types::Value;
use plantdb_query::vector::Vector;

use crate::common::cols::IntCol;
use crate::common::runs::{GroupRuns, RunSummary};
use crate::common::{downcast, invalid};

/// The rows of one group as the finishing function sees them.
#[derive(Debug)]
pub struct Edges<'a, S: RunSummary> {
    /// Summary of the rows inside the range (None: none).
    pub sum: Option<&'a S>,
    /// Latest row before the range.
    pub before: Option<S::Point>,
    /// Earliest row at or after the range end.
    pub after: Option<S::Point>,
    /// The range, when given.
    pub range: Option<(i64, i64)>,
}

/// Reads the point of row `i` (None: skip the row) from the argument vectors.
pub type Reader<S> =
    fn(&[Vector], usize, &<S as RunSummary>::Cfg) -> Result<Option<<S as RunSummary>::Point>>;
/// Per-call setup: options from constant arguments → configuration.
pub type Setup<S> = fn(&[Vector]) -> Result<<S as RunSummary>::Cfg>;
/// The final value of a group.
pub type Finish<S> = fn(&Edges<'_, S>, &<S as RunSummary>::Cfg) -> Result<Value>;

#[derive(Clone, Copy)]
struct Edge<P> {
    before: Option<P>,
    after: Option<P>,
    range: Option<(i64, i64)>,
}

impl<P> Default for Edge<P> {
    fn default() -> Self {
        Edge {
            before: None,
            after: None,
            range: None,
        }
    }
}

/// The accumulator.
pub struct RangedAcc<S: RunSummary> {
    what: &'static str,
    range_args: Option<(usize, usize)>,
    setup: Setup<S>,
    read: Reader<S>,
    finish: Finish<S>,
    cfg: Option<S::Cfg>,
    runs: GroupRuns<S>,
    edges: Vec<Edge<S::Point>>,
}

impl<S: RunSummary> RangedAcc<S> {
    /// A new accumulator; `range_args` are the argument positions of the range bounds.
    pub fn new(
        what: &'static str,
        range_args: Option<(usize, usize)>,
        setup: Setup<S>,
        read: Reader<S>,
        finish: Finish<S>,
    ) -> RangedAcc<S> {
        RangedAcc {
            what,
            range_args,
            setup,
            read,
            finish,
            cfg: None,
            runs: GroupRuns::default(),
            edges: Vec::new(),
        }
    }

    fn edge(&mut self, g: usize) -> &mut Edge<S::Point> {
        if self.edges.len() <= g {
            self.edges.resize_with(g + 1, Edge::default);
        }
        &mut self.edges[g]
    }

    fn set_range(&mut self, g: usize, r: (i64, i64)) -> Result<()> {
        let what = self.what;
        let e = self.edge(g);
        match e.range {
            Some(old) if old != r => Err(invalid(format!(
                "{what}: the range must be the same for every row of a group"
            ))),
            _ => {
                e.range = Some(r);
                Ok(())
            }
        }
    }

    fn keep_before(&mut self, g: usize, p: S::Point) {
        let e = self.edge(g);
        let key = |q: &S::Point| (S::time(q), S::tiebreak(q));
        if e.before.as_ref().is_none_or(|b| key(b) < key(&p)) {
            e.before = Some(p);
        }
    }

    fn keep_after(&mut self, g: usize, p: S::Point) {
        let e = self.edge(g);
        let key = |q: &S::Point| (S::time(q), S::tiebreak(q));
        if e.after.as_ref().is_none_or(|b| key(b) > key(&p)) {
            e.after = Some(p);
        }
    }
}

impl<S: RunSummary> Accumulator for RangedAcc<S> {
    fn resize(&mut self, groups: usize) {
        self.runs.resize(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        if self.cfg.is_none() {
            self.cfg = Some((self.setup)(args)?);
        }
        let Some(cfg) = self.cfg.take() else { return Ok(()) };
        let result = (|| {
            let range = self
                .range_args
                .map(|(a, b)| (IntCol::new(&args[a]), IntCol::new(&args[b])));
            let epoch = self.runs.begin();
            for (i, &g) in groups.iter().enumerate() {
                let Some(p) = (self.read)(args, i, &cfg)? else {
                    continue;
                };
                let g = g as usize;
                let t = S::time(&p);
                if let Some((rs, re)) = &range {
                    let (Some(s), Some(e)) = (rs.get(i), re.get(i)) else {
                        continue;
                    };
                    if e <= s {
                        return Err(invalid(format!(
                            "{}: the range end must be after its start",
                            self.what
                        )));
                    }
                    self.set_range(g, (s, e))?;
                    if t < s {
                        self.keep_before(g, p);
                        continue;
                    }
                    if t >= e {
                        self.keep_after(g, p);
                        continue;
                    }
                }
                self.runs.push(g, &p, epoch, &cfg);
            }
            Ok(())
        })();
        self.cfg = Some(cfg);
        result
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<RangedAcc<S>>(other, self.what)?;
        if self.cfg.is_none() {
            self.cfg = o.cfg.take();
        }
        self.runs.merge(&mut o.runs, map);
        for (k, e) in std::mem::take(&mut o.edges).into_iter().enumerate() {
            let Some(&to) = map.get(k) else { continue };
            let to = to as usize;
            if let Some(r) = e.range {
                self.set_range(to, r)?;
            }
            if let Some(p) = e.before {
                self.keep_before(to, p);
            }
            if let Some(p) = e.after {
                self.keep_after(to, p);
            }
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        let Some(cfg) = &self.cfg else {
            return Ok(Value::Null);
        };
        let sum = self.runs.finish(group, cfg, self.what)?;
        let e = self.edges.get(group).copied().unwrap_or_default();
        (self.finish)(
            &Edges {
                sum: sum.as_ref(),
                before: e.before,
                after: e.after,
                range: e.range,
            },
            cfg,
        )
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// How one toolkit aggregate reads and finishes.
pub struct Def<S: RunSummary> {
    /// Name.
    pub name: &'static str,
    /// Argument types after the timestamp (the range bounds are added by [`register`]).
    pub args: Vec<plantdb_query::types::DataType>,
    /// Result type.
    pub ret: plantdb_query::types::DataType,
    /// Description.
    pub desc: &'static str,
    /// Setup.
    pub setup: Setup<S>,
    /// Row reader.
    pub read: Reader<S>,
    /// Finish.
    pub finish: Finish<S>,
}

/// Registers `name(ts, args…)` and `name(ts, args…, range_start, range_end)` for timestamp and
/// timestamptz.
pub fn register<S: RunSummary>(r: &mut plantdb_query::functions::Registry, d: &Def<S>) {
    use plantdb_query::functions::{AggregateFunction, ArgType, ReturnType, Signature};
    use plantdb_query::types::DataType;
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        for ranged in [false, true] {
            let mut args = vec![ArgType::Exact(t.clone())];
            args.extend(d.args.iter().cloned().map(ArgType::Exact));
            if ranged {
                args.push(ArgType::Exact(t.clone()));
                args.push(ArgType::Exact(t.clone()));
            }
            let n = args.len();
            let (name, setup, read, finish) = (d.name, d.setup, d.read, d.finish);
            r.register_aggregate(
                AggregateFunction::new(
                    d.name,
                    Signature::new(args, ReturnType::Exact(d.ret.clone())),
                    move |_| {
                        let range = ranged.then_some((n - 2, n - 1));
                        Ok(Box::new(RangedAcc::<S>::new(name, range, setup, read, finish)))
                    },
                )
                .describe(d.desc),
            );
        }
    }
}

/// No configuration.
pub fn no_setup(_: &[Vector]) -> Result<()> {
    Ok(())
}

/// The constant text argument `i` (None when NULL).
pub fn const_text_arg(args: &[Vector], i: usize, what: &str) -> Result<Option<String>> {
    match args.get(i) {
        Some(v) => crate::common::cols::const_text(v, what),
        None => Ok(None),
    }
}

/// The constant interval argument `i` in µs (None when NULL).
pub fn const_interval_arg(args: &[Vector], i: usize) -> Option<i64> {
    let v = args.get(i)?;
    (0..v.len()).find_map(|k| IntCol::new(v).get(k))
}
