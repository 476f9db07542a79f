//! Process capability and performance indices, σ estimates and control-chart limits as plain
//! aggregates: `cp cpk cpu cpl cpm pp ppk ppu ppl cm cmk process_sigma control_limit
//! attribute_limit`.
//!
//! Definitions (NIST/SEMATECH e-Handbook §6.1.6; Minitab; qcc `capability.R`; ISO 22400-2
//! KPIs 19–22; KPI-DEFINITIONS.md §3):
//!
//! - Cp = (USL − LSL)/(6σ_w); Cpu = (USL − μ)/(3σ_w); Cpl = (μ − LSL)/(3σ_w); Cpk = min(Cpu, Cpl)
//!   (the available side when one limit is NULL);
//! - Cpm = (USL − LSL) / (6√(σ_w² + (μ − T)²)), T defaults to the midpoint (qcc);
//! - Pp, Ppu, Ppl, Ppk: the same with the overall σ_o (sample s, no c4);
//! - Cm, Cmk (ISO 22400-2 machine capability): the same as Pp, Ppk on a short-term sample;
//! - μ is the mean of all values (x̿ for equal subgroup sizes); σ_w is estimated as described
//!   in [`super::sigma`] (subgroup key and method arguments).
//!
//! Control limits (`control_limit(value, key, chart, line)`, 3σ; NIST §6.3.2, Montgomery):
//! X̄-R: x̿ ± 3σ/√n with σ = R̄/d2(n); R: R̄, max(0, R̄ − 3d3σ), R̄ + 3d3σ; X̄-S: x̿ ± 3σ/√n with
//! σ = S̄/c4(n); S: S̄, max(0, S̄ − 3σ√(1 − c4²)), S̄ + 3σ√(1 − c4²); I: x̄ ± 3·MR̄/d2(2);
//! MR: MR̄, 0, MR̄ + 3d3(2)·MR̄/d2(2). X̄, R and S limits need equal subgroup sizes.
//! `attribute_limit(defectives, n, chart, line)`: p: p̄ ± 3√(p̄(1 − p̄)/n), np: np̄ ± 3√(np̄(1 − p̄)),
//! LCL floored at 0, with p̄ = ΣD/Σn and equal sample sizes n.
//!
//! NULL values are skipped; an empty group, fewer than two values, or σ = 0 give NULL. Errors
//! (22023): LSL ≥ USL, spec limits or target that change within a group, unknown method,
//! chart or line names, a moving-range estimate without one value per key.
use std::any::Any;

use plantdb_query::error::Result;
use plantdb_query::functions::{Accumulator, AggregateFunction, ArgType, Registry, ReturnType, Signature};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use super::constants::{c4, d2, d3};
use super::sigma::{Method, SpcStats};
use crate::common::cols::{FloatCol, const_text};
use crate::common::{downcast, invalid};

/// What an aggregate returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Index {
    Cp,
    Cpu,
    Cpl,
    Cpk,
    Cpm,
    Pp,
    Ppu,
    Ppl,
    Ppk,
    Sigma,
    Limit,
}

/// Where the arguments are.
#[derive(Debug, Clone, Copy)]
struct Layout {
    spec: bool,
    target: bool,
    key: Option<usize>,
    method: Option<usize>,
    chart: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Default)]
struct Group {
    stats: SpcStats,
    /// (lsl, usl, target) as first seen.
    spec: Option<[Option<f64>; 3]>,
}

struct SpcAcc {
    index: Index,
    layout: Layout,
    fixed_overall: bool,
    method: Option<Method>,
    chart: Option<(String, String)>,
    groups: Vec<Group>,
}

fn name_of(index: Index, overall: bool) -> &'static str {
    match (index, overall) {
        (Index::Cp, false) => "cp",
        (Index::Cpu, false) => "cpu",
        (Index::Cpl, false) => "cpl",
        (Index::Cpk, false) => "cpk",
        (Index::Cpm, _) => "cpm",
        (Index::Cp, true) | (Index::Pp, _) => "pp",
        (Index::Cpu, true) | (Index::Ppu, _) => "ppu",
        (Index::Cpl, true) | (Index::Ppl, _) => "ppl",
        (Index::Cpk, true) | (Index::Ppk, _) => "ppk",
        (Index::Sigma, _) => "process_sigma",
        (Index::Limit, _) => "control_limit",
    }
}

impl SpcAcc {
    fn read_constants(&mut self, args: &[Vector]) -> Result<()> {
        if let Some(m) = self.layout.method
            && let Some(v) = args.get(m)
            && self.method.is_none()
            && let Some(t) = const_text(v, "the sigma method")?
        {
            self.method = Some(Method::parse(&t)?);
        }
        if let Some((c, l)) = self.layout.chart
            && self.chart.is_none()
            && let (Some(cv), Some(lv)) = (args.get(c), args.get(l))
        {
            let chart = const_text(cv, "the chart name")?
                .unwrap_or_default()
                .to_ascii_lowercase();
            let line = const_text(lv, "the line name")?
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !matches!(chart.as_str(), "xbar_r" | "r" | "xbar_s" | "s" | "i" | "mr") {
                return Err(invalid(format!(
                    "unknown chart \"{chart}\" (expected xbar_r, r, xbar_s, s, i or mr)"
                )));
            }
            check_line(&line)?;
            self.chart = Some((chart, line));
        }
        Ok(())
    }

    fn finish(&self, g: &Group) -> Result<Value> {
        let st = &g.stats;
        if st.overall.n == 0.0 {
            return Ok(Value::Null);
        }
        if self.index == Index::Limit {
            let Some((chart, line)) = &self.chart else {
                return Ok(Value::Null);
            };
            return Ok(limit(st, chart, line)?.map_or(Value::Null, Value::Float));
        }
        let method =
            if self.fixed_overall || matches!(self.index, Index::Pp | Index::Ppu | Index::Ppl | Index::Ppk) {
                Method::Overall
            } else {
                self.method.unwrap_or_else(|| st.default_method())
            };
        let Some(sigma) = st.sigma(method)? else {
            return Ok(Value::Null);
        };
        if self.index == Index::Sigma {
            return Ok(Value::Float(sigma));
        }
        if sigma <= 0.0 || !sigma.is_finite() {
            return Ok(Value::Null);
        }
        let [lsl, usl, target] = g.spec.unwrap_or([None, None, None]);
        let mu = st.overall.mean;
        let upper = usl.map(|u| (u - mu) / (3.0 * sigma));
        let lower = lsl.map(|l| (mu - l) / (3.0 * sigma));
        let both = lsl.zip(usl);
        let v = match self.index {
            Index::Cp | Index::Pp => both.map(|(l, u)| (u - l) / (6.0 * sigma)),
            Index::Cpu | Index::Ppu => upper,
            Index::Cpl | Index::Ppl => lower,
            Index::Cpk | Index::Ppk => match (upper, lower) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            Index::Cpm => both.map(|(l, u)| {
                let t = target.unwrap_or((l + u) / 2.0);
                (u - l) / (6.0 * (sigma * sigma + (mu - t) * (mu - t)).sqrt())
            }),
            Index::Sigma | Index::Limit => None,
        };
        Ok(v.map_or(Value::Null, Value::Float))
    }
}

fn check_line(line: &str) -> Result<()> {
    if !matches!(line, "center" | "lcl" | "ucl") {
        return Err(invalid(format!(
            "unknown control line \"{line}\" (expected center, lcl or ucl)"
        )));
    }
    Ok(())
}

fn pick(line: &str, center: f64, lcl: f64, ucl: f64) -> f64 {
    match line {
        "lcl" => lcl,
        "ucl" => ucl,
        _ => center,
    }
}

/// Limits of a variables chart.
fn limit(st: &SpcStats, chart: &str, line: &str) -> Result<Option<f64>> {
    let mean = st.overall.mean;
    Ok(match chart {
        "xbar_r" | "r" => {
            let n = st.common_size(if chart == "r" { "R" } else { "X-bar" })?;
            let (Some(rbar), dd2) = (st.r_bar(), d2(n)?) else {
                return Ok(None);
            };
            let sigma = rbar / dd2;
            if chart == "r" {
                let w = 3.0 * d3(n)? * sigma;
                Some(pick(line, rbar, (rbar - w).max(0.0), rbar + w))
            } else {
                let w = 3.0 * sigma / (n as f64).sqrt();
                Some(pick(line, mean, mean - w, mean + w))
            }
        }
        "xbar_s" | "s" => {
            let n = st.common_size(if chart == "s" { "S" } else { "X-bar" })?;
            let Some(sbar) = st.s_bar() else { return Ok(None) };
            let cc4 = c4(n as f64);
            let sigma = sbar / cc4;
            if chart == "s" {
                let w = 3.0 * sigma * (1.0 - cc4 * cc4).sqrt();
                Some(pick(line, sbar, (sbar - w).max(0.0), sbar + w))
            } else {
                let w = 3.0 * sigma / (n as f64).sqrt();
                Some(pick(line, mean, mean - w, mean + w))
            }
        }
        "i" => {
            let Some(mr) = st.mr_bar()? else { return Ok(None) };
            let w = 3.0 * mr / d2(2)?;
            Some(pick(line, mean, mean - w, mean + w))
        }
        _ => {
            let Some(mr) = st.mr_bar()? else { return Ok(None) };
            let w = 3.0 * d3(2)? * mr / d2(2)?;
            Some(pick(line, mr, (mr - w).max(0.0), mr + w))
        }
    })
}

impl Accumulator for SpcAcc {
    fn resize(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.groups.resize_with(groups, Group::default);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.read_constants(args)?;
        let x = FloatCol::new(&args[0]);
        let spec_cols: Option<[FloatCol<'_>; 3]> = self.layout.spec.then(|| {
            let t = if self.layout.target {
                FloatCol::new(&args[3])
            } else {
                FloatCol::Const(None)
            };
            [FloatCol::new(&args[1]), FloatCol::new(&args[2]), t]
        });
        let key = self.layout.key.and_then(|k| args.get(k));
        let name = name_of(self.index, self.fixed_overall);
        for (i, &g) in groups.iter().enumerate() {
            let Some(v) = x.get(i) else { continue };
            let k = match key {
                Some(kv) if kv.is_null(i) => continue,
                Some(kv) => Some(kv.value(i)),
                None => None,
            };
            let gi = g as usize;
            if gi >= self.groups.len() {
                self.resize(gi + 1);
            }
            let grp = &mut self.groups[gi];
            if let Some(cols) = &spec_cols {
                let s = [cols[0].get(i), cols[1].get(i), cols[2].get(i)];
                match &grp.spec {
                    None => {
                        if let (Some(l), Some(u)) = (s[0], s[1])
                            && l >= u
                        {
                            return Err(invalid(format!(
                                "{name}: the lower specification limit ({l}) must be below the upper one ({u})"
                            )));
                        }
                        grp.spec = Some(s);
                    }
                    Some(old) if *old != s => {
                        return Err(invalid(format!(
                            "{name}: specification limits and target must be the same for every row of a group"
                        )));
                    }
                    Some(_) => {}
                }
            }
            grp.stats.add(v, k);
        }
        Ok(())
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<SpcAcc>(other, "capability")?;
        if self.method.is_none() {
            self.method = o.method;
        }
        if self.chart.is_none() {
            self.chart = o.chart.clone();
        }
        for (k, g) in o.groups.iter().enumerate() {
            let Some(&to) = map.get(k) else { continue };
            self.resize(to as usize + 1);
            let dst = &mut self.groups[to as usize];
            match (&dst.spec, &g.spec) {
                (None, s) => dst.spec = *s,
                (Some(a), Some(b)) if a != b => {
                    return Err(invalid(
                        "specification limits and target must be the same for every row of a group",
                    ));
                }
                _ => {}
            }
            dst.stats.merge(&g.stats);
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        match self.groups.get(group) {
            Some(g) => self.finish(g),
            None => Ok(Value::Null),
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn f8() -> ArgType {
    ArgType::Exact(DataType::Float8)
}

fn text() -> ArgType {
    ArgType::Exact(DataType::Text)
}

/// One aggregate to register.
struct Def {
    name: &'static str,
    index: Index,
    overall: bool,
    args: Vec<ArgType>,
    optional: usize,
    layout: Layout,
    desc: &'static str,
}

fn register_one(r: &mut Registry, d: Def) {
    let Def {
        name,
        index,
        overall,
        args,
        optional,
        layout,
        desc,
    } = d;
    let sig = Signature::new(args, ReturnType::Exact(DataType::Float8)).optional(optional);
    r.register_aggregate(
        AggregateFunction::new(name, sig, move |spec| {
            let n = spec.arg_types.len();
            let layout = Layout {
                key: layout.key.filter(|&k| k < n),
                method: layout.method.filter(|&m| m < n),
                ..layout
            };
            Ok(Box::new(SpcAcc {
                index,
                layout,
                fixed_overall: overall,
                method: None,
                chart: None,
                groups: Vec::new(),
            }))
        })
        .describe(desc),
    );
}

/// Attribute charts: p and np.
struct AttrAcc {
    chart: Option<(String, String)>,
    groups: Vec<(f64, f64, Option<f64>, bool)>, // (Σ defectives, Σ n, n, unequal)
}

impl Accumulator for AttrAcc {
    fn resize(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.groups.resize(groups, (0.0, 0.0, None, false));
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        if self.chart.is_none() {
            let chart = const_text(&args[2], "the chart name")?
                .unwrap_or_default()
                .to_ascii_lowercase();
            let line = const_text(&args[3], "the line name")?
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !matches!(chart.as_str(), "p" | "np") {
                return Err(invalid(format!(
                    "unknown attribute chart \"{chart}\" (expected p or np)"
                )));
            }
            check_line(&line)?;
            self.chart = Some((chart, line));
        }
        let (d, n) = (FloatCol::new(&args[0]), FloatCol::new(&args[1]));
        for (i, &g) in groups.iter().enumerate() {
            let (Some(d), Some(n)) = (d.get(i), n.get(i)) else {
                continue;
            };
            if n <= 0.0 || d < 0.0 || d > n {
                return Err(invalid(format!(
                    "attribute_limit: need 0 <= defectives <= sample size and a positive size, got {d} of {n}"
                )));
            }
            self.resize(g as usize + 1);
            let s = &mut self.groups[g as usize];
            s.0 += d;
            s.1 += n;
            match s.2 {
                None => s.2 = Some(n),
                Some(m) if m != n => s.3 = true,
                _ => {}
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<AttrAcc>(other, "attribute_limit")?;
        if self.chart.is_none() {
            self.chart = o.chart.clone();
        }
        for (k, s) in o.groups.iter().enumerate() {
            let Some(&to) = map.get(k) else { continue };
            self.resize(to as usize + 1);
            let d = &mut self.groups[to as usize];
            d.0 += s.0;
            d.1 += s.1;
            d.3 |= s.3 || (d.2.is_some() && s.2.is_some() && d.2 != s.2);
            d.2 = d.2.or(s.2);
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        let (Some(&(sd, sn, n, unequal)), Some((chart, line))) = (self.groups.get(group), &self.chart) else {
            return Ok(Value::Null);
        };
        let Some(n) = n else { return Ok(Value::Null) };
        if unequal {
            return Err(invalid(
                "attribute_limit: the samples must all have the same size",
            ));
        }
        let p = sd / sn;
        let (c, w) = if chart == "p" {
            (p, 3.0 * (p * (1.0 - p) / n).sqrt())
        } else {
            (n * p, 3.0 * (n * p * (1.0 - p)).sqrt())
        };
        Ok(Value::Float(pick(line, c, (c - w).max(0.0), c + w)))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers the capability aggregates.
pub fn register(r: &mut Registry) {
    let none = Layout {
        spec: true,
        target: false,
        key: Some(3),
        method: Some(4),
        chart: None,
    };
    let within = vec![f8(), f8(), f8(), ArgType::Any, text()];
    for (name, index, desc) in [
        ("cp", Index::Cp, "process capability (USL − LSL)/(6σ within)"),
        ("cpu", Index::Cpu, "upper capability (USL − μ)/(3σ within)"),
        ("cpl", Index::Cpl, "lower capability (μ − LSL)/(3σ within)"),
        ("cpk", Index::Cpk, "critical capability min(Cpu, Cpl)"),
    ] {
        register_one(
            r,
            Def {
                name,
                index,
                overall: false,
                args: within.clone(),
                optional: 2,
                layout: none,
                desc,
            },
        );
    }
    register_one(
        r,
        Def {
            name: "cpm",
            index: Index::Cpm,
            overall: false,
            args: vec![f8(), f8(), f8(), f8(), ArgType::Any, text()],
            optional: 2,
            layout: Layout {
                spec: true,
                target: true,
                key: Some(4),
                method: Some(5),
                chart: None,
            },
            desc: "Taguchi capability (USL − LSL)/(6√(σ² + (μ − T)²))",
        },
    );
    let overall = Layout {
        spec: true,
        target: false,
        key: None,
        method: None,
        chart: None,
    };
    for (name, index, desc) in [
        ("pp", Index::Pp, "process performance (USL − LSL)/(6s)"),
        ("ppu", Index::Ppu, "upper performance (USL − mean)/(3s)"),
        ("ppl", Index::Ppl, "lower performance (mean − LSL)/(3s)"),
        ("ppk", Index::Ppk, "performance min(Ppu, Ppl)"),
        ("cm", Index::Cp, "ISO 22400 machine capability (USL − LSL)/(6s)"),
        (
            "cmk",
            Index::Cpk,
            "ISO 22400 critical machine capability min(USL − mean, mean − LSL)/(3s)",
        ),
    ] {
        register_one(
            r,
            Def {
                name,
                index,
                overall: true,
                args: vec![f8(), f8(), f8()],
                optional: 0,
                layout: overall,
                desc,
            },
        );
    }
    register_one(
        r,
        Def {
            name: "process_sigma",
            index: Index::Sigma,
            overall: false,
            args: vec![f8(), ArgType::Any, text()],
            optional: 2,
            layout: Layout {
                spec: false,
                target: false,
                key: Some(1),
                method: Some(2),
                chart: None,
            },
            desc: "estimated process standard deviation (overall, rbar, sbar, pooled or mr)",
        },
    );
    register_one(
        r,
        Def {
            name: "control_limit",
            index: Index::Limit,
            overall: false,
            args: vec![f8(), ArgType::Any, text(), text()],
            optional: 0,
            layout: Layout {
                spec: false,
                target: false,
                key: Some(1),
                method: None,
                chart: Some((2, 3)),
            },
            desc: "control chart centre line or 3-sigma limit (xbar_r, r, xbar_s, s, i, mr)",
        },
    );
    r.register_aggregate(
        AggregateFunction::new(
            "attribute_limit",
            Signature::new(
                vec![f8(), f8(), text(), text()],
                ReturnType::Exact(DataType::Float8),
            ),
            |_| {
                Ok(Box::new(AttrAcc {
                    chart: None,
                    groups: Vec::new(),
                }))
            },
        )
        .describe("p or np chart centre line or 3-sigma limit"),
    );
}
