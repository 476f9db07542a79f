//! `oee_agg(...)`: the equipment-KPI aggregate. It folds a state series with its production
//! counters into the ISO 22400-2 time elements and quantities of each group and returns them as
//! a `bytea` state that the accessor functions ([`super::iso22400`]) read:
//!
//! ```sql
//! oee_agg(ts, state, total_count, scrap_count, ideal_cycle_s, window_start, window_end
//!         [, planned_down interval [, options text]])
//! oee_agg(ts, state, total_count, scrap_count, rework_count, ideal_cycle_s,
//!         window_start, window_end, planned_down, options)
//! ```
//!
//! Each row carries its planned window (`[window_start, window_end)`: a shift from a calendar
//! join, a shift piece between breaks, or constants) and the planned down time of that window
//! (breaks not marked in the state series); POT is the sum of the distinct windows, PDOT adds
//! the planned down times and the time in `planned_stop` states.
//!
//! **Carry-in.** A row *before* its window start is not counted; it seeds the window: the
//! latest such row stands for the machine's state and counter values at the window start (last
//! observation carried forward), unless a row falls exactly on the start. So a calendar join with
//! a look-back (`ON t.ts >= s.start_ts - interval '1 hour' AND t.ts < s.end_ts`) carries a stop
//! across a shift boundary, and a window without any row of its own is covered by its seed.
//! Seeds apply to groups holding one window (the usual GROUP BY shift, machine); a group over
//! several windows ignores them. Rows at or after their window end and rows with a NULL time or
//! window are ignored; NULL counters are skipped (the next value is
//! compared with the last non-NULL one). Errors (22023): an ideal cycle time ≤ 0, a window end
//! not after its start, a negative planned down time, an unknown state or option.
//!
//! The time model, stop periods, counters and merging are described in [`super::summary`]; the
//! state→category mapping and options in [`super::mapping`]. Rows are read straight from the
//! typed vectors (dictionary codes of the state column are classified once per dictionary).
use std::any::Any;

use plantdb_query::error::Result;
use plantdb_query::functions::{Accumulator, AggregateFunction, ArgType, Registry, ReturnType, Signature};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::{Vector, VectorData};

use super::elements::Elements;
use super::mapping::{KpiCfg, NO_DATA};
use super::summary::{FAIL, NO_WINDOW, NULL_COUNT, OeeSum, PM, Pt};
use crate::common::codec::Enc;

/// Kind of the `oee_partial` state.
pub const PARTIAL_MAGIC: &[u8; 4] = b"OEEP";
use crate::common::cols::{FloatCol, IntCol, TextCol, const_text};
use crate::common::runs::{GroupRuns, RunSummary};
use crate::common::{downcast, invalid};

/// Argument positions.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// ts
    pub ts: usize,
    /// state
    pub state: usize,
    /// total, scrap, rework counters (None: absent)
    pub counts: [Option<usize>; 3],
    /// ideal cycle time (seconds)
    pub ict: Option<usize>,
    /// window start and end
    pub window: (usize, usize),
    /// planned down time
    pub pdown: Option<usize>,
    /// options text
    pub options: Option<usize>,
}

/// The accumulator shared by `oee_agg` and the reliability aggregates.
pub struct KpiAcc {
    layout: Layout,
    what: &'static str,
    /// Options text as given (parsed into `cfg`).
    options: Option<Option<String>>,
    cfg: KpiCfg,
    runs: GroupRuns<OeeSum>,
    /// Per group: the latest row before its window start, per window.
    seeds: Vec<Vec<Pt>>,
    /// Finish: state → value.
    out: fn(&Elements) -> Value,
    /// `oee_partial`: no window arguments (every row in [`NO_WINDOW`]); the value is the
    /// unfinished summary for `oee_agg(partial, …)`.
    partial: bool,
}

impl KpiAcc {
    /// A new accumulator.
    pub fn new(layout: Layout, what: &'static str, out: fn(&Elements) -> Value) -> Result<KpiAcc> {
        Ok(KpiAcc {
            layout,
            what,
            options: None,
            cfg: KpiCfg::parse(None, what)?,
            runs: GroupRuns::default(),
            seeds: Vec::new(),
            out,
            partial: false,
        })
    }

    /// The accumulator of `oee_partial`.
    pub fn partial(layout: Layout) -> Result<KpiAcc> {
        let mut a = KpiAcc::new(layout, "oee_partial", Elements::to_value)?;
        a.partial = true;
        Ok(a)
    }

    /// Keeps `p` (before its window) when it is the latest seed of its window in group `g`.
    fn seed(&mut self, g: usize, p: Pt) {
        if self.seeds.len() <= g {
            self.seeds.resize_with(g + 1, Vec::new);
        }
        let Some(list) = self.seeds.get_mut(g) else { return };
        let key = |q: &Pt| (q.t, OeeSum::tiebreak(q));
        match list.iter_mut().find(|q| (q.ws, q.we) == (p.ws, p.we)) {
            Some(q) if key(q) >= key(&p) => {}
            Some(q) => *q = p,
            None => list.push(p),
        }
    }

    /// The summary of group `g` with its seed moved to the window start.
    fn summary(&self, g: usize) -> Result<Option<OeeSum>> {
        let sum = self.runs.finish(g, &self.cfg, self.what)?;
        let seeds = self.seeds.get(g).map_or(&[][..], |v| &v[..]);
        let window = match &sum {
            Some(s) if s.windows.len() == 1 => s.windows.first().map(|w| (w.0, w.1)),
            Some(_) => None,
            None if seeds.len() == 1 => seeds.first().map(|q| (q.ws, q.we)),
            None => None,
        };
        let Some(w) = window else { return Ok(sum) };
        let Some(seed) = seeds.iter().find(|q| (q.ws, q.we) == w) else {
            return Ok(sum);
        };
        let at_start = Pt { t: seed.ws, ..*seed };
        Ok(match sum {
            Some(s) if s.first.t <= seed.ws => Some(s),
            Some(s) => {
                let mut head = OeeSum::start(&at_start, &self.cfg);
                head.append(&s, &self.cfg);
                Some(head)
            }
            None => Some(OeeSum::start(&at_start, &self.cfg)),
        })
    }

    fn read_options(&mut self, args: &[Vector]) -> Result<()> {
        let text = match self.layout.options.and_then(|i| args.get(i)) {
            Some(v) => const_text(v, "the options")?,
            None => None,
        };
        match &self.options {
            Some(old) if *old == text => {}
            Some(_) => {
                return Err(invalid(format!(
                    "{}: the options must be the same for every row",
                    self.what
                )));
            }
            None => {
                self.cfg = KpiCfg::parse(text.as_deref(), self.what)?;
                self.options = Some(text);
            }
        }
        Ok(())
    }
}

/// Whether pushing `h` between `a` (the last point of its run) and `p` leaves the summary
/// unchanged: same category, flags, window and ICT throughout, no hold capped by `max_gap`
/// (`p − a ≤ max_gap`), and each counter NULL in all three or non-decreasing through them. Then
/// `a → p` attributes the same time, counter increases and ideal time as `a → h → p`.
#[inline]
fn redundant(a: &Pt, h: &Pt, p: &Pt, cfg: &KpiCfg) -> bool {
    let same = |x: &Pt, y: &Pt| {
        x.cat == y.cat
            && x.flags == y.flags
            && x.ws == y.ws
            && x.we == y.we
            && x.pdown == y.pdown
            && x.ict.to_bits() == y.ict.to_bits()
    };
    same(a, h)
        && same(h, p)
        && a.t <= h.t
        && h.t <= p.t
        && p.t.checked_sub(a.t).is_some_and(|d| d <= cfg.max_gap)
        && (0..3).all(|k| {
            let (x, y, z) = (a.cnt[k], h.cnt[k], p.cnt[k]);
            (x == NULL_COUNT && y == NULL_COUNT && z == NULL_COUNT)
                || (x != NULL_COUNT && y != NULL_COUNT && z != NULL_COUNT && x <= y && y <= z)
        })
}

/// The columns of an update when every row's point comes from plain arrays: times and counters
/// without NULLs, and no per-row window, ideal cycle time or planned down time. Steady stretches
/// are then found by comparing neighbouring rows in place, without building their points.
struct Plain<'a> {
    ts: &'a [i64],
    counts: [Option<&'a [i64]>; 3],
}

impl<'a> Plain<'a> {
    fn of(ts: &IntCol<'a>, counts: &[Option<IntCol<'a>>; 3], no_extras: bool) -> Option<Plain<'a>> {
        let plain = |c: &IntCol<'a>| match c {
            IntCol::Slice(x, None) => Some(*x),
            IntCol::Slice(x, Some(valid)) if valid.iter().all(|&v| v) => Some(*x),
            _ => None,
        };
        if !no_extras {
            return None;
        }
        let mut out = [None, None, None];
        for (o, c) in out.iter_mut().zip(counts) {
            if let Some(c) = c {
                *o = Some(plain(c)?);
            }
        }
        Some(Plain {
            ts: plain(ts)?,
            counts: out,
        })
    }

    /// The end of the stretch of rows from `start` that `redundant` would fold into the held
    /// point (row `start - 1`, of group `g`, after an anchor at `anchor_t`): same group and
    /// state code as the row before, time not going back and within `max_gap` of the anchor,
    /// counters not decreasing. Rows before the held one were folded the same way, so the
    /// anchor's category and counters already satisfy `redundant`'s conditions.
    fn stretch<T: PartialEq>(
        &self,
        groups: &[u32],
        codes: &[T],
        start: usize,
        g: usize,
        anchor_t: i64,
        max_gap: i64,
    ) -> usize {
        // `t - anchor_t <= max_gap` without overflow: when the sum overflows, every time passes.
        let limit = anchor_t.checked_add(max_gap).unwrap_or(i64::MAX);
        let Ok(g) = u32::try_from(g) else { return start };
        // An absent counter is checked as the times are: that condition holds anyway.
        let [c0, c1, c2] = self.counts.map(|c| c.unwrap_or(self.ts));
        let n = [
            groups.len(),
            codes.len(),
            self.ts.len(),
            c0.len(),
            c1.len(),
            c2.len(),
        ]
        .into_iter()
        .fold(usize::MAX, usize::min);
        if start == 0 || start >= n {
            return start;
        }
        let (gs, cs, ts, c0, c1, c2) = (
            &groups[..n],
            &codes[..n],
            &self.ts[..n],
            &c0[..n],
            &c1[..n],
            &c2[..n],
        );
        let ok = |j: usize| {
            (gs[j] == g)
                & (cs[j] == cs[j - 1])
                & (ts[j - 1] <= ts[j])
                & (ts[j] <= limit)
                & (c0[j - 1] <= c0[j])
                & (c1[j - 1] <= c1[j])
                & (c2[j - 1] <= c2[j])
        };
        let mut j = start;
        while j < n && ok(j) {
            j += 1;
        }
        j
    }

    /// Row `i`'s point, as the general path builds it for such columns.
    fn point(&self, i: usize, code: u8) -> Pt {
        let (cat, flags) = split_code(code);
        let count = |k: usize| {
            self.counts[k]
                .and_then(|c| c.get(i).copied())
                .unwrap_or(NULL_COUNT)
        };
        Pt {
            t: self.ts.get(i).copied().unwrap_or(0),
            cat,
            flags,
            cnt: [count(0), count(1), count(2)],
            ict: f64::NAN,
            ws: NO_WINDOW.0,
            we: NO_WINDOW.1,
            pdown: 0,
        }
    }
}

/// (category, flags) of a state code from [`state_code`]; 0xff (NULL state) has no data.
fn split_code(code: u8) -> (u8, u8) {
    if code == NULL_STATE {
        (NO_DATA, 0)
    } else {
        (code & 0x0f, code >> 4)
    }
}

/// The state code of a NULL state.
const NULL_STATE: u8 = 0xff;

/// A state's category with its failure and preventive flags in the high bits.
fn state_code(cfg: &KpiCfg, s: &[u8]) -> Result<u8> {
    let c = cfg.classify(s)?;
    let mut flags = 0u8;
    if cfg.is_failure(s, c) {
        flags |= FAIL;
    }
    if cfg.is_preventive(s) {
        flags |= PM;
    }
    Ok(c | (flags << 4))
}

/// The state code of each row ([`NULL_STATE`] for NULL). A dictionary-coded column without NULLs is
/// classified lazily, once per dictionary entry a row asks for, and steady stretches compare
/// its raw codes; anything else is classified up front.
enum Classes<'a> {
    Lazy {
        codes: &'a [u32],
        dict: &'a [Box<[u8]>],
        /// Per dictionary entry: its state code, or `UNCLASSIFIED`.
        table: Vec<u16>,
    },
    All(Vec<u8>),
}

const UNCLASSIFIED: u16 = u16::MAX;

impl<'a> Classes<'a> {
    fn new(v: &'a Vector, n: usize, f: impl FnMut(&[u8]) -> Result<u8>) -> Result<Classes<'a>> {
        match (&v.data, &v.validity) {
            (VectorData::Text(d), None) if d.codes.len() >= n && d.dict.len() <= 4096 => Ok(Classes::Lazy {
                codes: &d.codes,
                dict: &d.dict,
                table: vec![UNCLASSIFIED; d.dict.len()],
            }),
            _ => TextCol::new(v).classify(n, NULL_STATE, f).map(Classes::All),
        }
    }

    /// Row `i`'s state code.
    fn at(&mut self, i: usize, f: impl FnOnce(&[u8]) -> Result<u8>) -> Result<u8> {
        match self {
            Classes::All(c) => Ok(c.get(i).copied().unwrap_or(NULL_STATE)),
            Classes::Lazy { codes, dict, table } => {
                let c = codes.get(i).map_or(0, |&c| c as usize);
                match table.get(c) {
                    Some(&k) if k != UNCLASSIFIED => Ok(k as u8),
                    Some(_) => {
                        let k = f(dict.get(c).map_or(&b""[..], |b| &b[..]))?;
                        table[c] = u16::from(k);
                        Ok(k)
                    }
                    None => Ok(NULL_STATE),
                }
            }
        }
    }
}

/// Records a push of `t` to group `g` in this call; false once the group's pushes went back in
/// time (its last run may then end elsewhere, in `pending`).
fn in_order(last_t: &mut Vec<Option<(i64, bool)>>, g: usize, t: i64) -> bool {
    if last_t.len() <= g {
        last_t.resize(g + 1, None);
    }
    match last_t.get_mut(g) {
        Some(Some(x)) => {
            x.1 &= t >= x.0;
            x.0 = t;
            x.1
        }
        Some(slot) => {
            *slot = Some((t, true));
            true
        }
        None => false,
    }
}

/// Reads an interval / duration argument as µs.
fn pdown_col(v: &Vector) -> IntCol<'_> {
    IntCol::new(v)
}

impl Accumulator for KpiAcc {
    fn resize(&mut self, groups: usize) {
        self.runs.resize(groups);
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.read_options(args)?;
        let l = self.layout;
        let n = groups.len();
        let ts = IntCol::new(&args[l.ts]);
        let cfg = &self.cfg;
        // Category and flags per row, classified once per dictionary entry (see `Classes`).
        let mut classes = Classes::new(&args[l.state], n, |s| state_code(cfg, s))?;
        let count = |k: usize| l.counts[k].map(|i| IntCol::new(&args[i]));
        let counts = [count(0), count(1), count(2)];
        let ict = l.ict.map(|i| FloatCol::new(&args[i]));
        let window =
            (!self.partial).then(|| (IntCol::new(&args[l.window.0]), IntCol::new(&args[l.window.1])));
        let pdown = l.pdown.map(|i| pdown_col(&args[i]));
        let epoch = self.runs.begin();
        let mut seeds = Vec::new();
        // The point not pushed yet, the last point pushed (when it ends its group's run of
        // this call), and per group whether its pushes of this call were in time order.
        let mut held: Option<(usize, Pt)> = None;
        let mut anchor: Option<(usize, Pt)> = None;
        let mut last_t: Vec<Option<(i64, bool)>> = Vec::new();
        let plain = Plain::of(&ts, &counts, window.is_none() && ict.is_none() && pdown.is_none());
        // The last row went to the held point through `redundant` (see `Plain::stretch`).
        let mut steady = false;
        let mut i = 0;
        while i < n {
            let row = i;
            i += 1;
            if let (true, Some(plain), Some((hg, _)), Some((ag, a))) = (steady, &plain, held, anchor)
                && hg == ag
            {
                let end = match &classes {
                    Classes::Lazy { codes, .. } => plain.stretch(groups, codes, row, hg, a.t, cfg.max_gap),
                    Classes::All(codes) => plain.stretch(groups, codes, row, hg, a.t, cfg.max_gap),
                };
                if end > row {
                    let code = classes.at(end - 1, |s| state_code(cfg, s))?;
                    held = Some((hg, plain.point(end - 1, code)));
                    i = end;
                    continue;
                }
            }
            steady = false;
            let (i, g) = (row, groups[row]);
            let Some(t) = ts.get(i) else { continue };
            let (s, e) = match &window {
                Some((ws, we)) => match (ws.get(i), we.get(i)) {
                    (Some(s), Some(e)) => (s, e),
                    _ => continue,
                },
                None => NO_WINDOW,
            };
            if e <= s {
                return Err(invalid(format!(
                    "{}: the window end must be after its start",
                    self.what
                )));
            }
            if t >= e {
                continue;
            }
            let code = classes.at(i, |s| state_code(cfg, s))?;
            let (cat, flags) = split_code(code);
            let ict_s = match &ict {
                Some(c) => match c.get(i) {
                    Some(x) if x <= 0.0 || !x.is_finite() => {
                        return Err(invalid(format!(
                            "{}: the ideal cycle time must be a positive number of seconds, not {x}",
                            self.what
                        )));
                    }
                    Some(x) => x * 1e6,
                    None => f64::NAN,
                },
                None => f64::NAN,
            };
            let pd = match &pdown {
                Some(c) => {
                    let d = c.get(i).unwrap_or(0);
                    if d < 0 {
                        return Err(invalid(format!(
                            "{}: the planned down time must not be negative",
                            self.what
                        )));
                    }
                    d
                }
                None => 0,
            };
            let cnt = [
                counts[0].as_ref().and_then(|c| c.get(i)).unwrap_or(NULL_COUNT),
                counts[1].as_ref().and_then(|c| c.get(i)).unwrap_or(NULL_COUNT),
                counts[2].as_ref().and_then(|c| c.get(i)).unwrap_or(NULL_COUNT),
            ];
            let p = Pt {
                t,
                cat,
                flags,
                cnt,
                ict: ict_s,
                ws: s,
                we: e,
                pdown: pd,
            };
            if t < s {
                seeds.push((g as usize, p));
                continue;
            }
            // Steady stretches: a held point between the last pushed point and this one is
            // dropped when pushing it changes nothing (see `redundant`).
            let g = g as usize;
            match held {
                Some((hg, h))
                    if hg == g && anchor.is_some_and(|(ag, a)| ag == g && redundant(&a, &h, &p, cfg)) =>
                {
                    held = Some((g, p));
                    steady = true;
                }
                Some((hg, h)) => {
                    self.runs.push(hg, &h, epoch, cfg);
                    anchor = in_order(&mut last_t, hg, h.t).then_some((hg, h));
                    held = Some((g, p));
                }
                None => held = Some((g, p)),
            }
        }
        if let Some((hg, h)) = held {
            self.runs.push(hg, &h, epoch, cfg);
        }
        for (g, p) in seeds {
            self.seed(g, p);
        }
        Ok(())
    }

    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = downcast::<KpiAcc>(other, self.what)?;
        if self.options.is_none() {
            self.options = o.options.clone();
            self.cfg = o.cfg.clone();
        }
        self.runs.merge(&mut o.runs, map);
        for (k, list) in std::mem::take(&mut o.seeds).into_iter().enumerate() {
            if let Some(&to) = map.get(k) {
                for p in list {
                    self.seed(to as usize, p);
                }
            }
        }
        Ok(())
    }

    fn value(&self, group: usize) -> Result<Value> {
        if self.partial {
            let Some(sum) = self.runs.finish(group, &self.cfg, self.what)? else {
                return Ok(Value::Null);
            };
            let mut enc = Enc::new(PARTIAL_MAGIC);
            enc.bytes(self.options.clone().flatten().unwrap_or_default().as_bytes());
            sum.encode(&mut enc);
            return Ok(enc.finish());
        }
        let Some(sum) = self.summary(group)? else {
            return Ok(Value::Null);
        };
        let e = Elements::from_summary(&sum.finish(&self.cfg), &self.cfg);
        Ok((self.out)(&e))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn ts_types() -> [DataType; 2] {
    [DataType::Timestamp, DataType::Timestamptz]
}

/// Registers `oee_agg`.
pub fn register(r: &mut Registry) {
    let e = |t: DataType| ArgType::Exact(t);
    for t in ts_types() {
        // (ts, state, total, scrap, ict, ws, we [, pdown [, options]])
        let args = vec![
            e(t.clone()),
            e(DataType::Text),
            e(DataType::Int8),
            e(DataType::Int8),
            e(DataType::Float8),
            e(t.clone()),
            e(t.clone()),
            e(DataType::Interval),
            e(DataType::Text),
        ];
        r.register_aggregate(
            AggregateFunction::new(
                "oee_agg",
                Signature::new(args, ReturnType::Exact(DataType::Bytea)).optional(2),
                |spec| {
                    let n = spec.arg_types.len();
                    let layout = Layout {
                        ts: 0,
                        state: 1,
                        counts: [Some(2), Some(3), None],
                        ict: Some(4),
                        window: (5, 6),
                        pdown: (n > 7).then_some(7),
                        options: (n > 8).then_some(8),
                    };
                    Ok(Box::new(KpiAcc::new(layout, "oee_agg", Elements::to_value)?))
                },
            )
            .describe("ISO 22400-2 time elements and quantities of a state series (read with availability(), oee(), …)"),
        );
        // (ts, state, total, scrap, rework, ict, ws, we, pdown, options)
        let args = vec![
            e(t.clone()),
            e(DataType::Text),
            e(DataType::Int8),
            e(DataType::Int8),
            e(DataType::Int8),
            e(DataType::Float8),
            e(t.clone()),
            e(t.clone()),
            e(DataType::Interval),
            e(DataType::Text),
        ];
        r.register_aggregate(
            AggregateFunction::new(
                "oee_agg",
                Signature::new(args, ReturnType::Exact(DataType::Bytea)),
                |_| {
                    let layout = Layout {
                        ts: 0,
                        state: 1,
                        counts: [Some(2), Some(3), Some(4)],
                        ict: Some(5),
                        window: (6, 7),
                        pdown: Some(8),
                        options: Some(9),
                    };
                    Ok(Box::new(KpiAcc::new(layout, "oee_agg", Elements::to_value)?))
                },
            )
            .describe("ISO 22400-2 time elements and quantities with a rework counter"),
        );
    }
}
