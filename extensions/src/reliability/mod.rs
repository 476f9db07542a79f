//! Reliability KPIs from a state series (ISO 22400-2 KPIs 31–34; IEC 60050-192;
//! KPI-DEFINITIONS.md §4): `mtbf`, `mttr`, `mttf`, `failure_rate`, `failure_count`,
//! `corrective_maintenance_ratio`, `inherent_availability`, all aggregates over
//! `(ts, state, window_start, window_end [, options])`.
//!
//! Definitions (the time model is that of the OEE functions, [`crate::kpi::summary`]):
//!
//! - a **failure** is a state listed by the `failure=` option (default: every state in the
//!   `unplanned_stop` category); a failure event (FE) is a step from a non-failure sample to a
//!   failure sample;
//! - **operating time** is production + setup time (ISO 22400-2: TBF "includes setup time and
//!   production time … but no delay times");
//! - MTBF = operating time / FE (so failure rate = FE / operating hours = 1/MTBF, the HPP
//!   estimate); MTTF = Σ TTF / FE, where Σ TTF is the operating time before the last failure
//!   (the operating time after the last restoration is censored and left out);
//! - MTTR = Σ TTR / number of failures whose end was seen, where TTR is the wall-clock time from
//!   the first failure sample to the next non-failure sample (time to restoration, including
//!   waiting and logistics);
//! - corrective maintenance ratio = CMT / (CMT + PMT) with CMT the time in failure states and
//!   PMT the time in preventive-maintenance states (`preventive=` option);
//! - inherent availability = MTBF / (MTBF + MTTR).
//!
//! **Censoring at the window edges.** A group that starts inside a failure did not see it begin:
//! it is not a failure event (it belongs to the window where it started) and has no TTR, but its
//! time counts in CMT. A failure still open at the end is a failure event without a TTR. An
//! up-interval open at the end counts as operating time but ends in no failure. With FE = 0,
//! MTBF, MTTF and the failure rate are NULL (no division by zero); with no completed repair,
//! MTTR is NULL. Summable rollups need the sums, not the means: `failure_count` and the
//! operating time (`oee_time(oee_agg(...), 'aupt')`) add up across windows.
//!
//! **Event tables.** Failure records `(start_ts, end_ts)` become a state series with
//! `SELECT start_ts AS ts, 'DOWN' AS state … UNION ALL SELECT end_ts, 'RUNNING' …` (merge
//! overlapping records first).
use plantdb_query::functions::{AggregateFunction, ArgType, Registry, ReturnType, Signature};
use plantdb_query::types::{DataType, Value};

use crate::kpi::elements::Elements;
use crate::kpi::iso22400::interval;
use crate::kpi::oee_agg::{KpiAcc, Layout};

fn mean(sum: i64, n: u64) -> Value {
    if n == 0 {
        Value::Null
    } else {
        interval((sum as f64 / n as f64).round() as i64)
    }
}

fn up(e: &Elements) -> i64 {
    e.aupt()
}

fn mtbf(e: &Elements) -> Value {
    mean(up(e), e.failures)
}

fn mttf(e: &Elements) -> Value {
    mean(e.up_to_last_failure, e.failures)
}

fn mttr(e: &Elements) -> Value {
    mean(e.repaired.1, e.repaired.0)
}

fn failure_rate(e: &Elements) -> Value {
    if e.failures == 0 || up(e) <= 0 {
        return Value::Null;
    }
    Value::Float(e.failures as f64 / (up(e) as f64 / 3.6e9))
}

fn failure_count(e: &Elements) -> Value {
    Value::Int(e.failures as i64)
}

fn cmr(e: &Elements) -> Value {
    let total = e.fail_time + e.pm_time;
    if total <= 0 {
        return Value::Null;
    }
    Value::Float(e.fail_time as f64 / total as f64)
}

fn inherent(e: &Elements) -> Value {
    if e.failures == 0 || e.repaired.0 == 0 {
        return Value::Null;
    }
    let b = up(e) as f64 / e.failures as f64;
    let r = e.repaired.1 as f64 / e.repaired.0 as f64;
    if b + r <= 0.0 {
        return Value::Null;
    }
    Value::Float(b / (b + r))
}

/// Registers the reliability aggregates.
pub fn register(r: &mut Registry) {
    type Out = fn(&Elements) -> Value;
    let defs: [(&'static str, DataType, Out, &'static str); 7] = [
        (
            "mtbf",
            DataType::Interval,
            mtbf,
            "mean operating time between failures",
        ),
        ("mttf", DataType::Interval, mttf, "mean operating time to failure"),
        ("mttr", DataType::Interval, mttr, "mean time to restoration"),
        (
            "failure_rate",
            DataType::Float8,
            failure_rate,
            "failures per operating hour",
        ),
        (
            "failure_count",
            DataType::Int8,
            failure_count,
            "number of failure events",
        ),
        (
            "corrective_maintenance_ratio",
            DataType::Float8,
            cmr,
            "corrective / (corrective + preventive) maintenance time",
        ),
        (
            "inherent_availability",
            DataType::Float8,
            inherent,
            "MTBF / (MTBF + MTTR)",
        ),
    ];
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        for (name, ret, out, desc) in defs.iter().cloned() {
            let args = vec![
                ArgType::Exact(t.clone()),
                ArgType::Exact(DataType::Text),
                ArgType::Exact(t.clone()),
                ArgType::Exact(t.clone()),
                ArgType::Exact(DataType::Text),
            ];
            r.register_aggregate(
                AggregateFunction::new(
                    name,
                    Signature::new(args, ReturnType::Exact(ret)).optional(1),
                    move |spec| {
                        let layout = Layout {
                            ts: 0,
                            state: 1,
                            counts: [None; 3],
                            ict: None,
                            window: (2, 3),
                            pdown: None,
                            options: (spec.arg_types.len() > 4).then_some(4),
                        };
                        Ok(Box::new(KpiAcc::new(layout, name, out)?))
                    },
                )
                .describe(desc),
            );
        }
    }
}
