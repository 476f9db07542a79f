//! The ISO 22400-2 time elements and quantities of a finished group, their `bytea` encoding,
//! and the KPI formulas (KPI-DEFINITIONS.md §1.2–1.6):
//!
//! - POT = Σ distinct planned windows; PDOT = Σ planned down times + time in `planned_stop`;
//!   PBT = POT − PDOT;
//! - APT (production), AUST (setup), ADET (unplanned stops, minor stops included), ADOT (idle and
//!   no data); AUPT = APT + AUST; AUBT = AUPT + ADET; so PBT = AUBT + ADOT;
//! - the planned down time of a window is taken out of the times the state series recorded
//!   during it, in this order: idle, no data, setup, unplanned stop (breaks are usually idle or
//!   silent; production is never reduced); the calendar rules: planned down time beyond those
//!   still counts, so PBT = AUBT + ADOT only while the machine did not produce through a planned
//!   break (otherwise availability can exceed 1, as with the plain-SQL formula);
//! - PQ, SQ, RQ: counter increases; GQ = PQ − SQ − RQ (rework is not good, as in VDMA 66412-1
//!   and ISO 22400-2); IT = Σ ICT × ΔPQ (ideal time of the parts made).
//!
//! KPIs (NULL when the denominator is 0 or an input is unknown): availability APT/PBT;
//! effectiveness (performance) IT/APT, which may exceed 1; quality ratio GQ/PQ; OEE =
//! IT·GQ/PQ/PBT = availability × effectiveness × quality ratio (0 when nothing was produced);
//! setup rate AUST/AUPT; technical efficiency APT/(APT + ADET); utilization efficiency
//! APT/AUBT; allocation efficiency AUBT/PBT; NEE (AUPT/PBT) × effectiveness × quality ratio (the
//! ISO 22400-2 ontology's form; VDMA's variant is utilization efficiency × effectiveness ×
//! quality ratio); throughput rate PQ/AOET per hour with AOET = AUBT + ADOT (one work unit);
//! first pass yield GQ/PQ (counters cannot tell re-inspected parts, so it equals the quality
//! ratio); scrap ratio SQ/PQ; rework ratio RQ/PQ. With `microstops=performance`, minor stops
//! count as running time in availability and effectiveness (OEE unchanged).
use plantdb_query::error::Result;
use plantdb_query::types::Value;

use super::mapping::{IDLE, KpiCfg, NCAT, NO_DATA, PLANNED, SETUP, UNPLANNED};
use super::summary::OeeSum;
use crate::common::codec::{Dec, Enc};

const MAGIC: &[u8; 4] = b"OEE1";

/// Elements of one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Elements {
    /// Planned operation time (µs).
    pub pot: i64,
    /// Planned down time given as durations (µs).
    pub pdown: i64,
    /// Time per category after taking out `pdown` (µs).
    pub cat: [i64; NCAT],
    /// Minor stops: count, µs.
    pub micro: (u64, i64),
    /// Breakdowns (longer unplanned stops): count, µs.
    pub long: (u64, i64),
    /// Produced, scrap and rework quantities (None: no counter values).
    pub qty: [Option<i64>; 3],
    /// Counter resets seen (all counters).
    pub resets: u32,
    /// Ideal time of the parts made (µs); NaN when a part was made with an unknown ICT.
    pub ideal: f64,
    /// Minor stops count as running time.
    pub micro_in_performance: bool,
    /// Failure events.
    pub failures: u64,
    /// Failure periods with both ends seen: count, Σ TTR (µs).
    pub repaired: (u64, i64),
    /// Operating time before the last failure (Σ TTF, µs).
    pub up_to_last_failure: i64,
    /// Time in failure states and in preventive-maintenance states (µs).
    pub fail_time: i64,
    /// Preventive maintenance time (µs).
    pub pm_time: i64,
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite() && b.is_finite()).then(|| a / b)
}

impl Elements {
    /// Elements of a finished summary.
    pub fn from_summary(s: &OeeSum, cfg: &KpiCfg) -> Elements {
        let pot = s.windows.iter().map(|w| w.1 - w.0).sum();
        let pdown: i64 = s.windows.iter().map(|w| w.2).sum();
        let mut cat = s.dur;
        let mut rest = pdown;
        for c in [IDLE, NO_DATA, SETUP, UNPLANNED] {
            let d = rest.min(cat[c as usize]);
            cat[c as usize] -= d;
            rest -= d;
        }
        let qty = [0, 1, 2].map(|k| s.counters[k].first.map(|_| s.counters[k].inc));
        Elements {
            pot,
            pdown,
            cat,
            micro: s.micro,
            long: s.long,
            qty,
            resets: s.counters.iter().map(|c| c.resets).sum(),
            ideal: if s.ict_unknown { f64::NAN } else { s.ideal },
            micro_in_performance: cfg.micro_in_performance,
            failures: s.failures,
            repaired: s.repaired,
            up_to_last_failure: s.up_to_last_failure,
            fail_time: s.flag_dur[0],
            pm_time: s.flag_dur[1],
        }
    }

    /// Encodes as `bytea`.
    pub fn to_value(&self) -> Value {
        let mut e = Enc::new(MAGIC);
        e.i64(self.pot).i64(self.pdown);
        for c in self.cat {
            e.i64(c);
        }
        e.i64(self.micro.0 as i64).i64(self.micro.1);
        e.i64(self.long.0 as i64).i64(self.long.1);
        for q in self.qty {
            e.u8(u8::from(q.is_some())).i64(q.unwrap_or(0));
        }
        e.i64(i64::from(self.resets))
            .f64(self.ideal)
            .u8(u8::from(self.micro_in_performance));
        e.i64(self.failures as i64)
            .i64(self.repaired.0 as i64)
            .i64(self.repaired.1)
            .i64(self.up_to_last_failure)
            .i64(self.fail_time)
            .i64(self.pm_time);
        e.finish()
    }

    /// Decodes a `bytea` made by [`Elements::to_value`].
    pub fn decode(b: &[u8]) -> Result<Elements> {
        let mut d = Dec::new(b, MAGIC, "oee_agg")?;
        let mut e = Elements {
            pot: d.i64()?,
            pdown: d.i64()?,
            ..Elements::default()
        };
        for c in e.cat.iter_mut() {
            *c = d.i64()?;
        }
        e.micro = (d.i64()? as u64, d.i64()?);
        e.long = (d.i64()? as u64, d.i64()?);
        for q in e.qty.iter_mut() {
            let some = d.u8()? != 0;
            let v = d.i64()?;
            *q = some.then_some(v);
        }
        e.resets = d.i64()? as u32;
        e.ideal = d.f64()?;
        e.micro_in_performance = d.u8()? != 0;
        e.failures = d.i64()? as u64;
        e.repaired = (d.i64()? as u64, d.i64()?);
        e.up_to_last_failure = d.i64()?;
        e.fail_time = d.i64()?;
        e.pm_time = d.i64()?;
        Ok(e)
    }

    /// PDOT: planned down durations + time in planned-stop states.
    pub fn pdot(&self) -> i64 {
        self.pdown + self.cat[PLANNED as usize]
    }
    /// PBT = POT − PDOT.
    pub fn pbt(&self) -> i64 {
        self.pot - self.pdot()
    }
    /// APT.
    pub fn apt(&self) -> i64 {
        self.cat[0]
    }
    /// AUST.
    pub fn aust(&self) -> i64 {
        self.cat[SETUP as usize]
    }
    /// ADET.
    pub fn adet(&self) -> i64 {
        self.cat[UNPLANNED as usize]
    }
    /// ADOT (idle and no data).
    pub fn adot(&self) -> i64 {
        self.cat[IDLE as usize] + self.cat[NO_DATA as usize]
    }
    /// AUPT = APT + AUST.
    pub fn aupt(&self) -> i64 {
        self.apt() + self.aust()
    }
    /// AUBT = AUPT + ADET.
    pub fn aubt(&self) -> i64 {
        self.aupt() + self.adet()
    }
    /// Running time used by availability and effectiveness.
    pub fn run_time(&self) -> i64 {
        if self.micro_in_performance {
            self.apt() + self.micro.1
        } else {
            self.apt()
        }
    }
    /// PQ.
    pub fn pq(&self) -> Option<i64> {
        self.qty[0]
    }
    /// SQ (0 without a scrap counter).
    pub fn sq(&self) -> i64 {
        self.qty[1].unwrap_or(0)
    }
    /// RQ (0 without a rework counter).
    pub fn rq(&self) -> i64 {
        self.qty[2].unwrap_or(0)
    }
    /// GQ = PQ − SQ − RQ.
    pub fn gq(&self) -> Option<i64> {
        self.pq().map(|p| p - self.sq() - self.rq())
    }

    /// Availability.
    pub fn availability(&self) -> Option<f64> {
        ratio(self.run_time() as f64, self.pbt() as f64)
    }
    /// Effectiveness (performance).
    pub fn effectiveness(&self) -> Option<f64> {
        ratio(self.ideal, self.run_time() as f64)
    }
    /// Quality ratio.
    pub fn quality(&self) -> Option<f64> {
        ratio(self.gq()? as f64, self.pq()? as f64)
    }
    /// Ideal time of the good parts.
    pub fn fully_productive(&self) -> Option<f64> {
        let pq = self.pq()?;
        if pq == 0 {
            return Some(0.0);
        }
        let v = self.ideal * self.gq()? as f64 / pq as f64;
        v.is_finite().then_some(v)
    }
    /// OEE.
    pub fn oee(&self) -> Option<f64> {
        ratio(self.fully_productive()?, self.pbt() as f64)
    }
    /// Setup rate.
    pub fn setup_rate(&self) -> Option<f64> {
        ratio(self.aust() as f64, self.aupt() as f64)
    }
    /// Technical efficiency.
    pub fn technical_efficiency(&self) -> Option<f64> {
        ratio(self.apt() as f64, (self.apt() + self.adet()) as f64)
    }
    /// Utilization efficiency.
    pub fn utilization_efficiency(&self) -> Option<f64> {
        ratio(self.apt() as f64, self.aubt() as f64)
    }
    /// Allocation efficiency.
    pub fn allocation_efficiency(&self) -> Option<f64> {
        ratio(self.aubt() as f64, self.pbt() as f64)
    }
    /// NEE (ontology form).
    pub fn nee(&self) -> Option<f64> {
        let e = ratio(self.ideal, self.apt() as f64)?;
        Some(ratio(self.aupt() as f64, self.pbt() as f64)? * e * self.quality()?)
    }
    /// Throughput rate (units per hour).
    pub fn throughput_rate(&self) -> Option<f64> {
        ratio(self.pq()? as f64 * 3.6e9, (self.aubt() + self.adot()) as f64)
    }
    /// Scrap ratio.
    pub fn scrap_ratio(&self) -> Option<f64> {
        ratio(self.sq() as f64, self.pq()? as f64)
    }
    /// Rework ratio.
    pub fn rework_ratio(&self) -> Option<f64> {
        ratio(self.rq() as f64, self.pq()? as f64)
    }
}
