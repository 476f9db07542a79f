//! Two-step OEE: `oee_partial` summarises rows without a planned window (per machine and time
//! bucket, fused with the scan), `oee_agg(partial, …)` places the partials in their windows:
//!
//! ```sql
//! oee_partial(ts, state, total_count, scrap_count [, options]) → bytea
//! oee_agg(partial bytea, ideal_cycle_s, window_start, window_end [, planned_down]) → bytea
//! ```
//!
//! The result equals `oee_agg` over the rows of the partials (the summaries concatenate exactly,
//! see [`super::summary`]) when every partial lies inside its row's window or wholly before it:
//! a partial wholly before the window seeds it (its last sample is carried to the window start,
//! as a row before the window does for `oee_agg`), one at or after the window end is ignored,
//! and one straddling an edge is an error (22023: bucket the partials so that window edges fall
//! on bucket boundaries). The rows of a group must share one window; the options are those of
//! the partials (the same for all). Partials of one group must not overlap in time (0A000).
use std::any::Any;

use plantdb_query::error::Result;
use plantdb_query::functions::{Accumulator, AggregateFunction, ArgType, Registry, ReturnType, Signature};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use super::elements::Elements;
use super::mapping::KpiCfg;
use super::oee_agg::PARTIAL_MAGIC;
use super::summary::{OeeSum, Pt};
use crate::common::codec::Dec;
use crate::common::cols::{FloatCol, IntCol};
use crate::common::runs::RunSummary;
use crate::common::{downcast, invalid, unsupported};

const WHAT: &str = "oee_agg";

/// One group: its window (ws, we, planned down, ICT µs), partials, seed.
#[derive(Default, Clone)]
struct Group {
    window: Option<(i64, i64, i64, f64)>,
    parts: Vec<OeeSum>,
    seed: Option<Pt>,
}

/// The accumulator.
#[derive(Default)]
pub struct RollupAcc {
    options: Option<String>,
    cfg: Option<KpiCfg>,
    groups: Vec<Group>,
}

impl RollupAcc {
    fn place(&mut self, g: usize, sum: OeeSum, w: (i64, i64, i64, f64)) -> Result<()> {
        if self.groups.len() <= g {
            self.groups.resize_with(g + 1, Group::default);
        }
        let Some(grp) = self.groups.get_mut(g) else {
            return Ok(());
        };
        match grp.window {
            Some(x) if (x.0, x.1, x.2) != (w.0, w.1, w.2) || x.3.to_bits() != w.3.to_bits() => {
                return Err(invalid(
                    "oee_agg over partial states: the window, planned down time and ideal cycle time must be the same for every row of a group",
                ));
            }
            _ => grp.window = Some(w),
        }
        let (ws, we, pdown, ict) = w;
        if sum.last.t < ws {
            if grp.seed.is_none_or(|s| s.t < sum.last.t) {
                grp.seed = Some(sum.last);
            }
        } else if sum.first.t >= we {
        } else if sum.first.t < ws || sum.last.t >= we {
            return Err(invalid(
                "oee_agg: a partial state straddles an edge of its window; bucket the partials so that window edges fall on bucket boundaries",
            ));
        } else {
            let mut sum = sum;
            sum.rewindow(ict, ws, we, pdown);
            grp.parts.push(sum);
        }
        Ok(())
    }
}

impl Accumulator for RollupAcc {
    fn resize(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.groups.resize_with(groups, Group::default);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        let ict = FloatCol::new(&args[1]);
        let (ws, we) = (IntCol::new(&args[2]), IntCol::new(&args[3]));
        let pdown = args.get(4).map(IntCol::new);
        for (i, &g) in groups.iter().enumerate() {
            let Value::Bytes(b) = args[0].value(i) else {
                continue;
            };
            let (Some(s), Some(e)) = (ws.get(i), we.get(i)) else {
                continue;
            };
            if e <= s {
                return Err(invalid("oee_agg: the window end must be after its start"));
            }
            let ict_us = match ict.get(i) {
                Some(x) if x <= 0.0 || !x.is_finite() => {
                    return Err(invalid(format!(
                        "oee_agg: the ideal cycle time must be a positive number of seconds, not {x}"
                    )));
                }
                Some(x) => x * 1e6,
                None => f64::NAN,
            };
            let pd = pdown.as_ref().and_then(|c| c.get(i)).unwrap_or(0);
            if pd < 0 {
                return Err(invalid("oee_agg: the planned down time must not be negative"));
            }
            let mut d = Dec::new(&b, PARTIAL_MAGIC, "oee_partial")?;
            let opts = String::from_utf8_lossy(d.bytes()?).into_owned();
            match &self.options {
                Some(o) if *o != opts => {
                    return Err(invalid(
                        "oee_agg: the partial states were built with different options",
                    ));
                }
                Some(_) => {}
                None => {
                    self.cfg = Some(KpiCfg::parse((!opts.is_empty()).then_some(opts.as_str()), WHAT)?);
                    self.options = Some(opts);
                }
            }
            let sum = OeeSum::decode(&mut d)?;
            self.place(g as usize, sum, (s, e, pd, ict_us))?;
        }
        Ok(())
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<RollupAcc>(other, WHAT)?;
        if self.options.is_none() {
            self.options = o.options.take();
            self.cfg = o.cfg.take();
        }
        for (k, grp) in std::mem::take(&mut o.groups).into_iter().enumerate() {
            let Some(&to) = map.get(k) else { continue };
            let to = to as usize;
            self.resize(to + 1);
            let Some(dst) = self.groups.get_mut(to) else {
                continue;
            };
            if dst.window.is_none() {
                dst.window = grp.window;
            }
            dst.parts.extend(grp.parts);
            if let Some(s) = grp.seed
                && dst.seed.is_none_or(|x| x.t < s.t)
            {
                dst.seed = Some(s);
            }
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        let (Some(grp), Some(cfg)) = (self.groups.get(group), &self.cfg) else {
            return Ok(Value::Null);
        };
        let Some((ws, we, pdown, ict)) = grp.window else {
            return Ok(Value::Null);
        };
        let mut parts: Vec<&OeeSum> = grp.parts.iter().collect();
        parts.sort_by_key(|p| p.first.t);
        let mut sum: Option<OeeSum> = match grp.seed {
            Some(seed) if parts.first().is_none_or(|p| p.first.t > ws) => Some(OeeSum::start(
                &Pt {
                    t: ws,
                    ws,
                    we,
                    pdown,
                    ict,
                    ..seed
                },
                cfg,
            )),
            _ => None,
        };
        for p in parts {
            match &mut sum {
                None => sum = Some(p.clone()),
                Some(s) if p.first.t < s.last.t => {
                    return Err(unsupported(
                        "oee_agg: partial states of one group overlap in time",
                    ));
                }
                Some(s) => s.append(p, cfg),
            }
        }
        let Some(sum) = sum else { return Ok(Value::Null) };
        Ok(Elements::to_value(&Elements::from_summary(&sum.finish(cfg), cfg)))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers `oee_partial` and the partial-state overload of `oee_agg`.
pub fn register(r: &mut Registry) {
    let e = |t: DataType| ArgType::Exact(t);
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        let args = vec![
            e(t.clone()),
            e(DataType::Text),
            e(DataType::Int8),
            e(DataType::Int8),
            e(DataType::Text),
        ];
        r.register_aggregate(
            AggregateFunction::new(
                "oee_partial",
                Signature::new(args, ReturnType::Exact(DataType::Bytea)).optional(1),
                |spec| {
                    let layout = super::oee_agg::Layout {
                        ts: 0,
                        state: 1,
                        counts: [Some(2), Some(3), None],
                        ict: None,
                        window: (0, 0),
                        pdown: None,
                        options: (spec.arg_types.len() > 4).then_some(4),
                    };
                    Ok(Box::new(super::oee_agg::KpiAcc::partial(layout)?))
                },
            )
            .describe("OEE summary of rows without a planned window (combine with oee_agg(partial, …))"),
        );
        let args = vec![
            e(DataType::Bytea),
            e(DataType::Float8),
            e(t.clone()),
            e(t.clone()),
            e(DataType::Interval),
        ];
        r.register_aggregate(
            AggregateFunction::new(
                "oee_agg",
                Signature::new(args, ReturnType::Exact(DataType::Bytea)).optional(1),
                |_| Ok(Box::new(RollupAcc::default())),
            )
            .describe("ISO 22400-2 time elements from oee_partial states placed in their planned windows"),
        );
    }
}
