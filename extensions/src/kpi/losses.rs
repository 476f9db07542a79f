//! The six big losses (Nakajima / TPM; KPI-DEFINITIONS.md §2.1–2.2) of an `oee_agg` state, as
//! lost time: `oee_loss(state, loss)` → interval, and `oee_losses(state)` → one row per loss
//! `(loss, big_loss, oee_factor, lost_time, share_of_pbt)`.
//!
//! | loss | big loss | factor | time |
//! |---|---|---|---|
//! | `breakdowns` | 1 | availability | unplanned stops of at least `microstop` |
//! | `setup_adjustments` | 2 | availability | AUST |
//! | `minor_stops` | 3 | availability (or performance with `microstops=performance`) | unplanned stops shorter than `microstop` |
//! | `idling` | 3 | availability | idle time (ADOT without no-data) |
//! | `no_data` | — | availability | time without samples |
//! | `reduced_speed` | 4 | performance | APT − ideal time of all parts |
//! | `process_defects` | 5 | quality | ideal time of scrap and rework parts |
//! | `reduced_yield` | 6 | quality | start-up rejects: counters cannot separate them, 0 |
//!
//! The losses and the fully productive time (ideal time of good parts) add up to PBT. Reduced
//! speed is negative when parts were made faster than the ideal cycle time.
use std::sync::Arc;

use plantdb_query::error::Result;
use plantdb_query::functions::{Registry, ScalarFunction, Signature, TableFunction, Volatility};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::{Batch, Vector};

use super::elements::Elements;
use super::iso22400::interval;
use super::mapping::{IDLE, NO_DATA};
use crate::common::invalid;

/// (name, big loss number, factor, µs) of every loss; None when unknown.
pub fn losses(e: &Elements) -> Vec<(&'static str, Option<i64>, &'static str, Option<f64>)> {
    let ideal = (!e.ideal.is_nan()).then_some(e.ideal);
    let fp = e.fully_productive();
    vec![
        ("breakdowns", Some(1), "availability", Some(e.long.1 as f64)),
        (
            "setup_adjustments",
            Some(2),
            "availability",
            Some(e.aust() as f64),
        ),
        (
            "minor_stops",
            Some(3),
            if e.micro_in_performance {
                "performance"
            } else {
                "availability"
            },
            Some(e.micro.1 as f64),
        ),
        (
            "idling",
            Some(3),
            "availability",
            Some(e.cat[IDLE as usize] as f64),
        ),
        (
            "no_data",
            None,
            "availability",
            Some(e.cat[NO_DATA as usize] as f64),
        ),
        (
            "reduced_speed",
            Some(4),
            "performance",
            ideal.map(|i| e.apt() as f64 - i),
        ),
        (
            "process_defects",
            Some(5),
            "quality",
            ideal.zip(fp).map(|(i, f)| i - f),
        ),
        ("reduced_yield", Some(6), "quality", Some(0.0)),
    ]
}

fn decode(v: &Value) -> Result<Elements> {
    match v {
        Value::Bytes(b) => Elements::decode(b),
        _ => Err(invalid("argument is not an oee_agg value")),
    }
}

/// Registers `oee_loss` and `oee_losses`.
pub fn register(r: &mut Registry) {
    r.register_scalar(
        ScalarFunction::strict_rows(
            "oee_loss",
            Signature::exact(&[DataType::Bytea, DataType::Text], DataType::Interval),
            Volatility::Immutable,
            |_, a| {
                let e = decode(&a[0])?;
                let name = a[1].as_str().unwrap_or("").to_ascii_lowercase();
                let all = losses(&e);
                let Some(l) = all.iter().find(|l| l.0 == name) else {
                    let names: Vec<&str> = all.iter().map(|l| l.0).collect();
                    return Err(invalid(format!(
                        "unknown loss \"{name}\" (expected {})",
                        names.join(", ")
                    )));
                };
                Ok(l.3.map_or(Value::Null, |us| interval(us.round() as i64)))
            },
        )
        .describe("lost time of one of the six big losses of an oee_agg state"),
    );
    let columns = vec![
        ("loss".to_string(), DataType::Text),
        ("big_loss".to_string(), DataType::Int4),
        ("oee_factor".to_string(), DataType::Text),
        ("lost_time".to_string(), DataType::Interval),
        ("share_of_pbt".to_string(), DataType::Float8),
    ];
    r.register_table(TableFunction {
        name: "oee_losses".into(),
        signature: Signature::exact(&[DataType::Bytea], DataType::Record),
        columns: Arc::new(move |_| Ok(columns.clone())),
        kernel: Arc::new(|_, args, _| {
            let rows = match args.first() {
                Some(Value::Null) | None => Vec::new(),
                Some(v) => {
                    let e = decode(v)?;
                    let pbt = e.pbt() as f64;
                    losses(&e)
                        .into_iter()
                        .map(|(n, k, f, us)| {
                            vec![
                                Value::str(n),
                                k.map_or(Value::Null, Value::Int),
                                Value::str(f),
                                us.map_or(Value::Null, |x| interval(x.round() as i64)),
                                match us {
                                    Some(x) if pbt > 0.0 => Value::Float(x / pbt),
                                    _ => Value::Null,
                                },
                            ]
                        })
                        .collect()
                }
            };
            let n = rows.len();
            let types = [
                DataType::Text,
                DataType::Int4,
                DataType::Text,
                DataType::Interval,
                DataType::Float8,
            ];
            let cols = types
                .iter()
                .enumerate()
                .map(|(k, t)| Vector::from_values(t.clone(), rows.iter().map(|r| r[k].clone()).collect()))
                .collect();
            let batch = Batch::new(cols, n);
            Ok(Box::new(std::iter::once(Ok(batch))))
        }),
        description: "the six big losses of an oee_agg state, one row each".into(),
    });
}
