//! The run summary behind the equipment KPIs: time per category, stop periods, counter
//! increases and ideal production time of a time-ordered run of samples.
//!
//! **Time.** Each row carries its planned window `[ws, we)` (a shift, or a shift piece between
//! breaks, from a calendar join) and a planned-down duration for that window. A sample holds its
//! category until the next sample of the same window, at most `max_gap`; the remainder of a
//! longer gap is `no_data`. The last sample of a window holds until the window end (as InfluxDB's
//! `oee` does), the time from a window's start to its first sample is `no_data` (the aggregate
//! carries a row from before the window in by placing it at the window start, see
//! [`super::oee_agg`]). Windows of one group must not overlap.
//!
//! **Stops.** A stop period is a maximal sequence of `unplanned_stop` samples in one window
//! without a gap longer than `max_gap`; it lasts from its first sample to the end of the last
//! sample's hold. Periods shorter than `microstop` are minor stops, the others breakdowns. A
//! period cut by a window edge is measured inside the window.
//!
//! **Counters.** Increases between consecutive non-NULL values of a counter (total, scrap,
//! rework); a decrease is a reset to zero (the new value is the increase) or, with a modulus,
//! a wrap-around (`v + modulus − previous`). Counters are not carried across groups: the first
//! value of a group is its baseline. The ideal production time is Σ ICT × Δtotal with the ICT of
//! the later sample (the ICT valid when the parts were made).
//!
//! **Failures** (reliability). A failure event is a step from a non-failure sample to a failure
//! sample (a group that starts in a failure did not see it start: not an event). A failure
//! period lasts, in wall-clock time, from its first failure sample to the next non-failure
//! sample (its time to restoration, TTR); a period still open at the end has no TTR. Operating
//! time is production + setup time (ISO 22400-2 TBF "includes setup and production time");
//! Σ TTF is the operating time before the last failure event.
//!
//! **Merging.** `append` joins two runs exactly as if the second run's points had been pushed:
//! the interval between the runs, counter steps across them and a stop period running across the
//! boundary are all accounted for (see `leading`/`open` below). Property tests compare random
//! splits with a direct sequential computation.
use super::mapping::{KpiCfg, NCAT, NO_DATA, UNPLANNED};
use plantdb_query::error::Result;

use crate::common::codec::{Dec, Enc};
use crate::common::runs::RunSummary;

/// Counter NULL marker.
pub const NULL_COUNT: i64 = i64::MIN;
/// Flag: the sample's state is a failure.
pub const FAIL: u8 = 1;
/// Flag: the sample's state is preventive maintenance.
pub const PM: u8 = 2;

/// One sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pt {
    /// Time (µs).
    pub t: i64,
    /// Category code.
    pub cat: u8,
    /// Flags: [`FAIL`] (a failure state), [`PM`] (preventive maintenance state).
    pub flags: u8,
    /// Total, scrap and rework counters (`NULL_COUNT` for NULL).
    pub cnt: [i64; 3],
    /// Ideal cycle time in µs (NaN for NULL).
    pub ict: f64,
    /// Window start.
    pub ws: i64,
    /// Window end.
    pub we: i64,
    /// Planned down time of the window (µs).
    pub pdown: i64,
}

/// A counter's increases over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counter {
    /// First non-NULL value.
    pub first: Option<i64>,
    /// Last non-NULL value.
    pub last: Option<i64>,
    /// Sum of increases.
    pub inc: i64,
    /// Number of decreases (resets or wraps).
    pub resets: u32,
}

impl Counter {
    /// Steps to value `v`; returns the increase.
    #[inline]
    fn step(&mut self, v: i64, modulus: Option<i64>) -> i64 {
        let d = match self.last {
            None => {
                self.first = Some(v);
                0
            }
            Some(prev) if v >= prev => v - prev,
            Some(prev) => {
                self.resets += 1;
                match modulus {
                    Some(m) => v.saturating_add(m).saturating_sub(prev).max(0),
                    None => v.max(0),
                }
            }
        };
        self.inc = self.inc.saturating_add(d);
        self.last = Some(v);
        d
    }
}

/// Summary of a time-ordered run of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct OeeSum {
    /// First sample.
    pub first: Pt,
    /// Last sample.
    pub last: Pt,
    /// Time per category over closed intervals (µs).
    pub dur: [i64; NCAT],
    /// Time in failure states and in preventive-maintenance states (µs).
    pub flag_dur: [i64; 2],
    /// Total, scrap, rework.
    pub counters: [Counter; 3],
    /// ICT of the sample holding the first non-NULL total.
    first_ict: f64,
    /// Σ ICT × Δtotal (µs).
    pub ideal: f64,
    /// Some parts were made with a NULL ICT.
    pub ict_unknown: bool,
    /// Distinct windows (start, end, planned down), sorted.
    pub windows: Vec<(i64, i64, i64)>,
    /// End of the stop period that starts at the first sample (first.cat == UNPLANNED), once
    /// known; None while the whole run is one stop period.
    leading: Option<i64>,
    /// Start of the stop period holding the last sample (last.cat == UNPLANNED).
    open: Option<i64>,
    /// Closed minor stops: count, µs.
    pub micro: (u64, i64),
    /// Closed breakdowns: count, µs.
    pub long: (u64, i64),
    /// Failure events.
    pub failures: u64,
    /// Failure periods with both ends seen: count, Σ TTR (µs).
    pub repaired: (u64, i64),
    /// Operating time before the last failure event (Σ TTF, µs).
    pub up_to_last_failure: i64,
    /// End of the failure period holding the first sample (first is a failure), once known.
    fail_leading: Option<i64>,
    /// Start of the failure period holding the last sample (last is a failure).
    fail_open: Option<i64>,
}

fn is_fail(p: &Pt) -> bool {
    p.flags & FAIL != 0
}

impl OeeSum {
    fn add_window(&mut self, w: (i64, i64, i64)) {
        if self.windows.last() == Some(&w) {
            return;
        }
        if let Err(pos) = self.windows.binary_search(&w) {
            self.windows.insert(pos, w);
        }
    }

    /// Attributes the interval from `prev` to `next`; returns where `prev`'s hold ends.
    #[inline]
    fn interval(&mut self, prev: &Pt, next: &Pt, cfg: &KpiCfg) -> i64 {
        let cap = prev.t.saturating_add(cfg.max_gap);
        let end = if next.ws == prev.ws {
            let end = next.t.min(cap);
            self.dur[NO_DATA as usize] += next.t - end;
            end
        } else {
            let end = prev.we.min(cap).max(prev.t);
            self.dur[NO_DATA as usize] += (prev.we - end).max(0);
            self.dur[NO_DATA as usize] += (next.t - next.ws.max(prev.we)).max(0);
            end
        };
        self.dur[prev.cat as usize] += end - prev.t;
        if prev.flags != 0 {
            self.hold_flags(prev, end);
        }
        end
    }

    fn hold_flags(&mut self, prev: &Pt, end: i64) {
        if prev.flags & FAIL != 0 {
            self.flag_dur[0] += end - prev.t;
        }
        if prev.flags & PM != 0 {
            self.flag_dur[1] += end - prev.t;
        }
    }

    /// Counter steps from the previous values to `p`'s.
    #[inline]
    fn count(&mut self, p: &Pt, cfg: &KpiCfg) {
        for (k, c) in self.counters.iter_mut().enumerate() {
            let v = p.cnt[k];
            if v == NULL_COUNT {
                continue;
            }
            let was_empty = c.last.is_none();
            let d = c.step(v, cfg.modulus);
            if k == 0 {
                if was_empty {
                    self.first_ict = p.ict;
                } else if d > 0 {
                    if p.ict.is_nan() {
                        self.ict_unknown = true;
                    } else {
                        self.ideal += p.ict * d as f64;
                    }
                }
            }
        }
    }

    fn classify(&mut self, len: i64, cfg: &KpiCfg) {
        if len < cfg.microstop {
            self.micro.0 += 1;
            self.micro.1 += len;
        } else {
            self.long.0 += 1;
            self.long.1 += len;
        }
    }

    /// Closes the stop period that started at `start` at `end` (the leading one is only
    /// remembered: an earlier run may extend it).
    fn close(&mut self, start: i64, end: i64, cfg: &KpiCfg) {
        if self.first.cat == UNPLANNED && self.leading.is_none() {
            self.leading = Some(end);
        } else {
            self.classify(end - start, cfg);
        }
    }

    /// Closes the failure period holding the previous sample at `end` (restoration).
    fn restore(&mut self, end: i64) {
        if is_fail(&self.first) && self.fail_leading.is_none() {
            self.fail_leading = Some(end);
        } else if let Some(s) = self.fail_open {
            self.repaired.0 += 1;
            self.repaired.1 += end - s;
        }
        self.fail_open = None;
    }

    fn up(&self) -> i64 {
        self.dur[0] + self.dur[1]
    }

    fn continues(a: &Pt, b: &Pt, cfg: &KpiCfg) -> bool {
        a.cat == UNPLANNED && b.cat == UNPLANNED && a.ws == b.ws && b.t - a.t <= cfg.max_gap
    }

    /// The elements of a finished group: the last sample holds until its window end, stop
    /// periods cut by the edges are closed there.
    pub fn finish(&self, cfg: &KpiCfg) -> OeeSum {
        let mut s = self.clone();
        let last = s.last;
        let hend = last.we.min(last.t.saturating_add(cfg.max_gap)).max(last.t);
        s.dur[last.cat as usize] += hend - last.t;
        s.dur[NO_DATA as usize] += (last.we - hend).max(0);
        s.dur[NO_DATA as usize] += (s.first.t - s.first.ws).max(0);
        if last.flags != 0 {
            s.hold_flags(&last, hend);
        }
        if last.cat == UNPLANNED {
            let start = s.open.unwrap_or(last.t);
            s.close(start, hend, cfg);
            s.open = None;
        }
        if s.first.cat == UNPLANNED
            && let Some(e) = s.leading
        {
            let start = s.first.t;
            s.classify(e - start, cfg);
        }
        s
    }
}

/// Window placeholder of partial summaries (`oee_partial`): one window for every sample.
pub const NO_WINDOW: (i64, i64) = (i64::MIN / 4, i64::MAX / 4);

fn put_pt(e: &mut Enc, p: &Pt) {
    e.i64(p.t).u8(p.cat).u8(p.flags);
    for c in p.cnt {
        e.i64(c);
    }
    e.f64(p.ict).i64(p.ws).i64(p.we).i64(p.pdown);
}

fn get_pt(d: &mut Dec<'_>) -> Result<Pt> {
    Ok(Pt {
        t: d.i64()?,
        cat: d.u8()?,
        flags: d.u8()?,
        cnt: [d.i64()?, d.i64()?, d.i64()?],
        ict: d.f64()?,
        ws: d.i64()?,
        we: d.i64()?,
        pdown: d.i64()?,
    })
}

fn put_opt(e: &mut Enc, v: Option<i64>) {
    match v {
        Some(x) => e.u8(1).i64(x),
        None => e.u8(0).i64(0),
    };
}

fn get_opt(d: &mut Dec<'_>) -> Result<Option<i64>> {
    let (f, v) = (d.u8()?, d.i64()?);
    Ok((f != 0).then_some(v))
}

impl OeeSum {
    /// Writes an unfinished summary of one window (partial states of `oee_partial`).
    pub fn encode(&self, e: &mut Enc) {
        put_pt(e, &self.first);
        put_pt(e, &self.last);
        for d in self.dur {
            e.i64(d);
        }
        e.i64(self.flag_dur[0]).i64(self.flag_dur[1]);
        for c in &self.counters {
            put_opt(e, c.first);
            put_opt(e, c.last);
            e.i64(c.inc).i64(i64::from(c.resets));
        }
        e.f64(self.first_ict)
            .f64(self.ideal)
            .u8(u8::from(self.ict_unknown));
        put_opt(e, self.leading);
        put_opt(e, self.open);
        e.i64(self.micro.0 as i64).i64(self.micro.1);
        e.i64(self.long.0 as i64).i64(self.long.1);
        e.i64(self.failures as i64);
        e.i64(self.repaired.0 as i64).i64(self.repaired.1);
        e.i64(self.up_to_last_failure);
        put_opt(e, self.fail_leading);
        put_opt(e, self.fail_open);
    }

    /// Reads what [`OeeSum::encode`] wrote.
    pub fn decode(d: &mut Dec<'_>) -> Result<OeeSum> {
        let first = get_pt(d)?;
        let last = get_pt(d)?;
        let mut dur = [0; NCAT];
        for x in dur.iter_mut() {
            *x = d.i64()?;
        }
        let flag_dur = [d.i64()?, d.i64()?];
        let mut counters = [Counter::default(); 3];
        for c in counters.iter_mut() {
            c.first = get_opt(d)?;
            c.last = get_opt(d)?;
            c.inc = d.i64()?;
            c.resets = u32::try_from(d.i64()?).unwrap_or(u32::MAX);
        }
        let (first_ict, ideal, ict_unknown) = (d.f64()?, d.f64()?, d.u8()? != 0);
        let (leading, open) = (get_opt(d)?, get_opt(d)?);
        let micro = (d.i64()? as u64, d.i64()?);
        let long = (d.i64()? as u64, d.i64()?);
        let failures = d.i64()? as u64;
        let repaired = (d.i64()? as u64, d.i64()?);
        let up_to_last_failure = d.i64()?;
        let (fail_leading, fail_open) = (get_opt(d)?, get_opt(d)?);
        Ok(OeeSum {
            first,
            last,
            dur,
            flag_dur,
            counters,
            first_ict,
            ideal,
            ict_unknown,
            windows: vec![(first.ws, first.we, first.pdown)],
            leading,
            open,
            micro,
            long,
            failures,
            repaired,
            up_to_last_failure,
            fail_leading,
            fail_open,
        })
    }

    /// Places a partial summary (built with [`NO_WINDOW`] and no ideal cycle time) in its planned
    /// window with the ideal cycle time `ict_us` (NaN: unknown): the same summary as if its
    /// samples had carried them. Every sample of the partial shares one window, so the times
    /// between them are unchanged; the ideal time is ICT × the increases inside the partial.
    pub fn rewindow(&mut self, ict_us: f64, ws: i64, we: i64, pdown: i64) {
        for p in [&mut self.first, &mut self.last] {
            p.ws = ws;
            p.we = we;
            p.pdown = pdown;
            p.ict = ict_us;
        }
        self.windows = vec![(ws, we, pdown)];
        self.first_ict = ict_us;
        let inc = self.counters[0].inc;
        if ict_us.is_nan() {
            self.ideal = 0.0;
            self.ict_unknown = inc > 0;
        } else {
            self.ideal = ict_us * inc as f64;
            self.ict_unknown = false;
        }
    }
}

impl RunSummary for OeeSum {
    type Point = Pt;
    type Cfg = KpiCfg;

    fn time(p: &Pt) -> i64 {
        p.t
    }

    fn tiebreak(p: &Pt) -> u64 {
        (u64::from(p.cat) << 56) ^ (p.cnt[0] as u64)
    }

    fn start(p: &Pt, cfg: &KpiCfg) -> OeeSum {
        let mut s = OeeSum {
            first: *p,
            last: *p,
            dur: [0; NCAT],
            flag_dur: [0; 2],
            counters: [Counter::default(); 3],
            first_ict: f64::NAN,
            ideal: 0.0,
            ict_unknown: false,
            windows: vec![(p.ws, p.we, p.pdown)],
            leading: None,
            open: (p.cat == UNPLANNED).then_some(p.t),
            micro: (0, 0),
            long: (0, 0),
            failures: 0,
            repaired: (0, 0),
            up_to_last_failure: 0,
            fail_leading: None,
            fail_open: is_fail(p).then_some(p.t),
        };
        s.count(p, cfg);
        s
    }

    #[inline]
    fn push(&mut self, p: &Pt, cfg: &KpiCfg) {
        let prev = self.last;
        let hend = self.interval(&prev, p, cfg);
        self.count(p, cfg);
        if prev.cat == UNPLANNED || p.cat == UNPLANNED {
            let cont = Self::continues(&prev, p, cfg);
            if prev.cat == UNPLANNED && !cont {
                let start = self.open.unwrap_or(prev.t);
                self.close(start, hend, cfg);
                self.open = None;
            }
            if p.cat == UNPLANNED && !cont {
                self.open = Some(p.t);
            }
        }
        if (prev.flags | p.flags) & FAIL != 0 {
            match (is_fail(&prev), is_fail(p)) {
                (false, true) => {
                    self.failures += 1;
                    self.up_to_last_failure = self.up();
                    self.fail_open = Some(p.t);
                }
                (true, false) => self.restore(p.t),
                _ => {}
            }
        }
        if p.ws != prev.ws {
            self.add_window((p.ws, p.we, p.pdown));
        }
        self.last = *p;
    }

    fn append(&mut self, b: &OeeSum, cfg: &KpiCfg) {
        let prev = self.last;
        let p = b.first;
        let hend = self.interval(&prev, &p, cfg);
        let a_up = self.up();
        // Counters across the boundary, then b's own increases.
        for k in 0..3 {
            let bc = b.counters[k];
            let a = &mut self.counters[k];
            match (a.last, bc.first) {
                (Some(_), Some(v)) => {
                    let d = a.step(v, cfg.modulus);
                    if k == 0 && d > 0 {
                        if b.first_ict.is_nan() {
                            self.ict_unknown = true;
                        } else {
                            self.ideal += b.first_ict * d as f64;
                        }
                    }
                }
                (None, Some(_)) => {
                    a.first = bc.first;
                    if k == 0 {
                        self.first_ict = b.first_ict;
                    }
                }
                _ => {}
            }
            let a = &mut self.counters[k];
            a.inc = a.inc.saturating_add(bc.inc);
            a.resets += bc.resets;
            a.last = bc.last.or(a.last);
        }
        self.ideal += b.ideal;
        self.ict_unknown |= b.ict_unknown;
        for (d, x) in self.dur.iter_mut().zip(&b.dur) {
            *d += x;
        }
        self.flag_dur[0] += b.flag_dur[0];
        self.flag_dur[1] += b.flag_dur[1];
        self.micro = (self.micro.0 + b.micro.0, self.micro.1 + b.micro.1);
        self.long = (self.long.0 + b.long.0, self.long.1 + b.long.1);
        // Stop periods across the boundary.
        let cont = Self::continues(&prev, &p, cfg);
        let b_one_period = p.cat == UNPLANNED && b.leading.is_none();
        if prev.cat == UNPLANNED {
            let start = self.open.unwrap_or(prev.t);
            if !cont {
                self.close(start, hend, cfg);
                self.open = None;
            } else if let Some(e) = b.leading {
                self.close(start, e, cfg);
                self.open = None;
            }
        }
        if p.cat == UNPLANNED && !cont {
            match b.leading {
                Some(e) => self.classify(e - p.t, cfg),
                None => self.open = Some(p.t),
            }
        }
        if b.last.cat == UNPLANNED && !b_one_period {
            self.open = b.open;
        }
        // Failure periods across the boundary.
        let b_one_failure = is_fail(&p) && b.fail_leading.is_none();
        match (is_fail(&prev), is_fail(&p)) {
            (true, true) => {
                if let Some(e) = b.fail_leading {
                    self.restore(e);
                }
            }
            (true, false) => self.restore(p.t),
            (false, true) => {
                self.failures += 1;
                self.up_to_last_failure = a_up;
                match b.fail_leading {
                    Some(e) => {
                        self.repaired.0 += 1;
                        self.repaired.1 += e - p.t;
                    }
                    None => self.fail_open = Some(p.t),
                }
            }
            (false, false) => {}
        }
        if b.failures > 0 {
            self.failures += b.failures;
            self.up_to_last_failure = a_up + b.up_to_last_failure;
        }
        self.repaired = (self.repaired.0 + b.repaired.0, self.repaired.1 + b.repaired.1);
        if is_fail(&b.last) && !b_one_failure {
            self.fail_open = b.fail_open;
        }
        for w in &b.windows {
            self.add_window(*w);
        }
        self.last = b.last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::runs::GroupRuns;
    use crate::common::runs::tests::Rng;

    /// The elements computed directly, sample by sample, from the definitions in the module
    /// documentation (no runs, no merging).
    #[derive(Debug, PartialEq)]
    struct Direct {
        dur: [i64; NCAT],
        flag_dur: [i64; 2],
        micro: (u64, i64),
        long: (u64, i64),
        inc: [i64; 3],
        resets: [u32; 3],
        ideal: f64,
        failures: u64,
        repaired: (u64, i64),
        up_to_last_failure: i64,
        windows: Vec<(i64, i64, i64)>,
    }

    fn direct(p: &[Pt], cfg: &KpiCfg) -> Direct {
        let n = p.len();
        let hold_end = |i: usize| -> i64 {
            let cap = p[i].t.saturating_add(cfg.max_gap);
            match p.get(i + 1) {
                Some(q) if q.ws == p[i].ws => q.t.min(cap),
                _ => p[i].we.min(cap).max(p[i].t),
            }
        };
        let mut d = Direct {
            dur: [0; NCAT],
            flag_dur: [0; 2],
            micro: (0, 0),
            long: (0, 0),
            inc: [0; 3],
            resets: [0; 3],
            ideal: 0.0,
            failures: 0,
            repaired: (0, 0),
            up_to_last_failure: 0,
            windows: Vec::new(),
        };
        d.dur[NO_DATA as usize] += p[0].t - p[0].ws;
        let mut up_before = vec![0i64; n + 1];
        for i in 0..n {
            let e = hold_end(i);
            d.dur[p[i].cat as usize] += e - p[i].t;
            if p[i].flags & FAIL != 0 {
                d.flag_dur[0] += e - p[i].t;
            }
            if p[i].flags & PM != 0 {
                d.flag_dur[1] += e - p[i].t;
            }
            d.dur[NO_DATA as usize] += match p.get(i + 1) {
                Some(q) if q.ws == p[i].ws => q.t - e,
                Some(q) => (p[i].we - e) + (q.t - q.ws.max(p[i].we)).max(0),
                None => p[i].we - e,
            };
            up_before[i + 1] = up_before[i] + if p[i].cat <= 1 { e - p[i].t } else { 0 };
            if !d.windows.contains(&(p[i].ws, p[i].we, p[i].pdown)) {
                d.windows.push((p[i].ws, p[i].we, p[i].pdown));
            }
        }
        d.windows.sort_unstable();
        let mut i = 0;
        while i < n {
            if p[i].cat != UNPLANNED {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < n && OeeSum::continues(&p[j], &p[j + 1], cfg) {
                j += 1;
            }
            let len = hold_end(j) - p[i].t;
            if len < cfg.microstop {
                d.micro = (d.micro.0 + 1, d.micro.1 + len);
            } else {
                d.long = (d.long.0 + 1, d.long.1 + len);
            }
            i = j + 1;
        }
        for k in 0..3 {
            let mut prev: Option<i64> = None;
            for q in p {
                let v = q.cnt[k];
                if v == NULL_COUNT {
                    continue;
                }
                if let Some(pr) = prev {
                    let inc = if v >= pr {
                        v - pr
                    } else {
                        d.resets[k] += 1;
                        cfg.modulus.map_or(v, |m| v + m - pr)
                    };
                    d.inc[k] += inc;
                    if k == 0 && inc > 0 {
                        d.ideal += q.ict * inc as f64;
                    }
                }
                prev = Some(v);
            }
        }
        let fail = |i: usize| p[i].flags & FAIL != 0;
        for s in 1..n {
            if !fail(s - 1) && fail(s) {
                d.failures += 1;
                d.up_to_last_failure = up_before[s];
                if let Some(e) = (s + 1..n).find(|&e| !fail(e)) {
                    d.repaired = (d.repaired.0 + 1, d.repaired.1 + p[e].t - p[s].t);
                }
            }
        }
        d
    }

    fn from_sum(s: &OeeSum) -> Direct {
        Direct {
            dur: s.dur,
            flag_dur: s.flag_dur,
            micro: s.micro,
            long: s.long,
            inc: [0, 1, 2].map(|k| s.counters[k].inc),
            resets: [0, 1, 2].map(|k| s.counters[k].resets),
            ideal: s.ideal,
            failures: s.failures,
            repaired: s.repaired,
            up_to_last_failure: s.up_to_last_failure,
            windows: s.windows.clone(),
        }
    }

    fn points(rng: &mut Rng) -> Vec<Pt> {
        // Up to three windows with gaps between them.
        let windows = [(0i64, 200i64, 10i64), (200, 330, 0), (400, 520, 25)];
        let nw = 1 + rng.below(3);
        let mut pts = Vec::new();
        let mut cnt = [100i64, 5, 0];
        for &(ws, we, pd) in &windows[..nw] {
            let mut t = ws + rng.below(6) as i64;
            while t < we {
                let cat = rng.below(6) as u8;
                let fail = if rng.below(5) == 0 {
                    cat != UNPLANNED
                } else {
                    cat == UNPLANNED
                };
                let flags = u8::from(fail) | if cat == 4 && rng.below(2) == 0 { PM } else { 0 };
                let mut c = [NULL_COUNT; 3];
                for (k, v) in cnt.iter_mut().enumerate() {
                    match rng.below(12) {
                        0 => continue,
                        1 => *v = rng.below(3) as i64, // reset
                        _ => *v += rng.below(4) as i64,
                    }
                    c[k] = *v;
                }
                let ict = 1.5 + rng.below(3) as f64;
                pts.push(Pt {
                    t,
                    cat,
                    flags,
                    cnt: c,
                    ict,
                    ws,
                    we,
                    pdown: pd,
                });
                t += 1 + rng.below(12) as i64;
            }
        }
        pts
    }

    fn cfg(rng: &mut Rng) -> KpiCfg {
        let mut c = KpiCfg::parse(None, "test").expect("cfg");
        c.max_gap = [i64::MAX, 7, 15][rng.below(3)];
        c.microstop = [5, 30][rng.below(2)];
        c.modulus = [None, Some(1000)][rng.below(2)];
        c
    }

    fn summarise(p: &[Pt], cfg: &KpiCfg) -> OeeSum {
        let mut s = OeeSum::start(&p[0], cfg);
        for q in &p[1..] {
            s.push(q, cfg);
        }
        s
    }

    #[test]
    fn any_split_equals_the_direct_computation() {
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        for case in 0..400 {
            let p = points(&mut rng);
            let cfg = cfg(&mut rng);
            let want = direct(&p, &cfg);
            // One run.
            let one = summarise(&p, &cfg).finish(&cfg);
            assert_eq!(from_sum(&one), want, "case {case}: one run");
            // Random split into runs, appended in order.
            let mut cuts: Vec<usize> = (0..rng.below(6))
                .map(|_| 1 + rng.below(p.len().max(2) - 1))
                .collect();
            cuts.push(0);
            cuts.push(p.len());
            cuts.sort_unstable();
            cuts.dedup();
            let mut acc: Option<OeeSum> = None;
            for w in cuts.windows(2) {
                if w[0] == w[1] {
                    continue;
                }
                let s = summarise(&p[w[0]..w[1]], &cfg);
                match &mut acc {
                    None => acc = Some(s),
                    Some(a) => a.append(&s, &cfg),
                }
            }
            let split = acc.expect("runs").finish(&cfg);
            assert_eq!(from_sum(&split), want, "case {case}: split {cuts:?}");
        }
    }

    #[test]
    fn shuffled_rows_and_workers_equal_the_direct_computation() {
        let mut rng = Rng(77);
        for case in 0..200 {
            let p = points(&mut rng);
            let cfg = cfg(&mut rng);
            let want = direct(&p, &cfg);
            let mut rows = p.clone();
            rng.shuffle(&mut rows);
            let mut accs: Vec<GroupRuns<OeeSum>> = (0..3).map(|_| GroupRuns::default()).collect();
            for chunk in rows.chunks(1 + rng.below(40)) {
                let a = rng.below(3);
                let e = accs[a].begin();
                for q in chunk {
                    accs[a].push(0, q, e, &cfg);
                }
            }
            rng.shuffle(&mut accs);
            let mut main = accs.pop().expect("acc");
            for mut o in accs {
                main.merge(&mut o, &[0]);
            }
            let s = main.finish(0, &cfg, "test").expect("finish").expect("some");
            assert_eq!(from_sum(&s.finish(&cfg)), want, "case {case}");
        }
    }
}
