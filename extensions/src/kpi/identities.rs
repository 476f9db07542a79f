//! The KPI identities of KPI-DEFINITIONS.md §1.6 and §2.2 as property tests over random state
//! series: availability = allocation efficiency × utilization efficiency; OEE = availability ×
//! effectiveness × quality ratio = ideal time of good parts / PBT; PBT = AUBT + ADOT;
//! technical efficiency = 1 ⇔ ADET = 0; quality + scrap + rework ratio = 1; ratios that must lie
//! in [0, 1] do; moving minor stops from availability to performance leaves OEE unchanged.
use proptest::prelude::*;

use super::elements::Elements;
use super::mapping::{KpiCfg, NCAT, UNPLANNED};
use super::summary::{FAIL, OeeSum, PM, Pt};
use crate::common::runs::RunSummary;

const MIN: i64 = 60_000_000;

/// (gap to next sample in minutes, category, total step, scrap step, rework step).
fn samples() -> impl Strategy<Value = Vec<(i64, u8, i64, i64, i64)>> {
    prop::collection::vec((1i64..40, 0u8..NCAT as u8, 0i64..50, 0i64..3, 0i64..3), 1..60)
}

fn elements(raw: &[(i64, u8, i64, i64, i64)], pdown_min: i64, options: &str) -> Elements {
    let cfg = KpiCfg::parse(Some(options), "test").unwrap_or_else(|e| unreachable!("{e:?}"));
    let (ws, we) = (0, 480 * MIN);
    let mut t = 5 * MIN;
    let mut cnt = [0i64; 3];
    let mut pts = Vec::new();
    for &(gap, cat, dp, ds, dr) in raw {
        if t >= we {
            break;
        }
        cnt[0] += dp + ds + dr;
        cnt[1] += ds;
        cnt[2] += dr;
        let flags = if cat == UNPLANNED {
            FAIL
        } else if cat == 4 {
            PM
        } else {
            0
        };
        pts.push(Pt {
            t,
            cat,
            flags,
            cnt,
            ict: 30e6,
            ws,
            we,
            pdown: pdown_min * MIN,
        });
        t += gap * MIN;
    }
    let mut s = OeeSum::start(&pts[0], &cfg);
    for p in &pts[1..] {
        s.push(p, &cfg);
    }
    Elements::from_summary(&s.finish(&cfg), &cfg)
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #[test]
    fn kpi_identities(raw in samples(), pdown in 0i64..60) {
        let e = elements(&raw, pdown, "max_gap=30 min; microstop=10 min");
        // Planned down time the recorded non-production time could not absorb.
        let rest = e.pot - e.cat.iter().sum::<i64>() - e.pdown;
        prop_assert!(rest <= 0);
        let unabsorbed = -rest;
        prop_assert_eq!(e.pbt() + unabsorbed, e.aubt() + e.adot());
        prop_assume!(unabsorbed == 0);
        prop_assert_eq!(e.pq(), Some(e.gq().unwrap_or(0) + e.sq() + e.rq()));
        if let (Some(a), Some(al), Some(u)) = (e.availability(), e.allocation_efficiency(), e.utilization_efficiency()) {
            prop_assert!(near(a, al * u), "A {} = {} × {}", a, al, u);
        }
        if let (Some(a), Some(p), Some(q), Some(o)) = (e.availability(), e.effectiveness(), e.quality(), e.oee()) {
            prop_assert!(near(o, a * p * q), "OEE {} vs {}", o, a * p * q);
            let good = e.gq().unwrap_or(0) as f64;
            prop_assert!(near(o, 30e6 * good / e.pbt() as f64));
        }
        if let Some(te) = e.technical_efficiency() {
            prop_assert_eq!(te == 1.0, e.adet() == 0);
        }
        if let (Some(q), Some(s), Some(r)) = (e.quality(), e.scrap_ratio(), e.rework_ratio()) {
            prop_assert!(near(q + s + r, 1.0));
        }
        for x in [e.availability(), e.quality(), e.technical_efficiency(), e.utilization_efficiency(),
                  e.allocation_efficiency(), e.setup_rate()].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&x), "{} out of [0, 1]", x);
        }
        let cmt = e.fail_time + e.pm_time;
        if cmt > 0 {
            let r = e.fail_time as f64 / cmt as f64;
            prop_assert!((0.0..=1.0).contains(&r));
        }
    }

    #[test]
    fn minor_stops_move_between_factors_without_changing_oee(raw in samples(), pdown in 0i64..60) {
        let a = elements(&raw, pdown, "max_gap=30 min; microstop=10 min");
        let p = elements(&raw, pdown, "max_gap=30 min; microstop=10 min; microstops=performance");
        match (a.oee(), p.oee()) {
            (Some(x), Some(y)) => prop_assert!(near(x, y), "{} vs {}", x, y),
            (x, y) => prop_assert_eq!(x, y),
        }
        if a.micro.1 > 0 && a.apt() > 0 && a.pbt() > 0 {
            prop_assert!(p.availability() > a.availability());
        }
    }
}
