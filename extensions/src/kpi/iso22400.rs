//! Accessors of an `oee_agg` state: the ISO 22400-2 KPIs as `float8`
//! (`availability`, `performance`/`effectiveness`, `quality_ratio`, `oee`, `setup_rate`,
//! `technical_efficiency`, `utilization_efficiency`, `allocation_efficiency`, `nee`,
//! `throughput_rate`, `first_pass_yield`, `scrap_ratio`, `rework_ratio`), the time elements as
//! `interval` (`oee_time(state, element)`), the quantities as `bigint`
//! (`oee_count(state, quantity)`), and the six big losses (`oee_loss(state, loss)` and the
//! table function `oee_losses(state)`). Formulas: [`super::elements`]; losses: [`super::losses`].
//! A NULL state gives NULL; a `bytea` that is not an `oee_agg` state gives 22023.
use plantdb_query::error::Result;
use plantdb_query::functions::{Registry, ScalarFunction, Signature, Volatility};
use plantdb_query::types::{DataType, Interval, Value};

use super::elements::Elements;
use crate::common::invalid;

fn decode(v: &Value) -> Result<Elements> {
    match v {
        Value::Bytes(b) => Elements::decode(b),
        _ => Err(invalid("argument is not an oee_agg value")),
    }
}

fn float(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite()).map_or(Value::Null, Value::Float)
}

/// An interval of µs.
pub fn interval(us: i64) -> Value {
    Value::Interval(Interval::from_micros(us))
}

/// Time element by name (µs).
pub fn time_element(e: &Elements, name: &str) -> Result<Option<i64>> {
    use super::mapping::{IDLE, NO_DATA};
    Ok(Some(match name.to_ascii_lowercase().as_str() {
        "pot" => e.pot,
        "pdot" => e.pdot(),
        "pbt" => e.pbt(),
        "apt" => e.apt(),
        "aust" | "asut" => e.aust(),
        "adet" => e.adet(),
        "adot" => e.adot(),
        "aupt" => e.aupt(),
        "aubt" => e.aubt(),
        "idle" => e.cat[IDLE as usize],
        "no_data" => e.cat[NO_DATA as usize],
        "minor_stops" => e.micro.1,
        "breakdowns" => e.long.1,
        "ideal" => {
            if e.ideal.is_nan() {
                return Ok(None);
            }
            e.ideal.round() as i64
        }
        "fully_productive" => match e.fully_productive() {
            Some(v) => v.round() as i64,
            None => return Ok(None),
        },
        other => {
            return Err(invalid(format!(
                "unknown time element \"{other}\" (expected pot, pdot, pbt, apt, aust, adet, adot, aupt, aubt, \
                 idle, no_data, minor_stops, breakdowns, ideal or fully_productive)"
            )));
        }
    }))
}

fn count(e: &Elements, name: &str) -> Result<Option<i64>> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "pq" | "produced" => e.pq(),
        "gq" | "good" => e.gq(),
        "sq" | "scrap" => e.qty[1],
        "rq" | "rework" => e.qty[2],
        "resets" => Some(i64::from(e.resets)),
        "minor_stops" => Some(e.micro.0 as i64),
        "breakdowns" => Some(e.long.0 as i64),
        other => {
            return Err(invalid(format!(
                "unknown quantity \"{other}\" (expected pq, gq, sq, rq, resets, minor_stops or breakdowns)"
            )));
        }
    })
}

fn kpi(name: &'static str, desc: &'static str, f: fn(&Elements) -> Option<f64>) -> ScalarFunction {
    ScalarFunction::strict_rows(
        name,
        Signature::exact(&[DataType::Bytea], DataType::Float8),
        Volatility::Immutable,
        move |_, a| Ok(float(f(&decode(&a[0])?))),
    )
    .describe(desc)
}

/// Registers the accessors.
pub fn register(r: &mut Registry) {
    type Kpi = fn(&Elements) -> Option<f64>;
    let list: [(&'static str, &'static str, Kpi); 14] = [
        (
            "availability",
            "ISO 22400-2 availability APT/PBT",
            Elements::availability,
        ),
        (
            "performance",
            "ISO 22400-2 effectiveness (ideal time of parts)/APT",
            Elements::effectiveness,
        ),
        (
            "effectiveness",
            "ISO 22400-2 effectiveness (ideal time of parts)/APT",
            Elements::effectiveness,
        ),
        (
            "quality_ratio",
            "ISO 22400-2 quality ratio GQ/PQ",
            Elements::quality,
        ),
        (
            "oee",
            "OEE = availability × effectiveness × quality ratio",
            Elements::oee,
        ),
        (
            "setup_rate",
            "ISO 22400-2 setup rate AUST/AUPT",
            Elements::setup_rate,
        ),
        (
            "technical_efficiency",
            "ISO 22400-2 technical efficiency APT/(APT + ADET)",
            Elements::technical_efficiency,
        ),
        (
            "utilization_efficiency",
            "ISO 22400-2 utilization efficiency APT/AUBT",
            Elements::utilization_efficiency,
        ),
        (
            "allocation_efficiency",
            "ISO 22400-2 allocation efficiency AUBT/PBT",
            Elements::allocation_efficiency,
        ),
        (
            "nee",
            "ISO 22400-2 NEE (AUPT/PBT) × effectiveness × quality ratio",
            Elements::nee,
        ),
        (
            "throughput_rate",
            "ISO 22400-2 throughput rate PQ per hour of AUBT + ADOT",
            Elements::throughput_rate,
        ),
        ("first_pass_yield", "first pass yield GQ/PQ", Elements::quality),
        (
            "scrap_ratio",
            "ISO 22400-2 scrap ratio SQ/PQ",
            Elements::scrap_ratio,
        ),
        (
            "rework_ratio",
            "ISO 22400-2 rework ratio RQ/PQ",
            Elements::rework_ratio,
        ),
    ];
    for (name, desc, f) in list {
        r.register_scalar(kpi(name, desc, f));
    }
    r.register_scalar(
        ScalarFunction::strict_rows(
            "oee_time",
            Signature::exact(&[DataType::Bytea, DataType::Text], DataType::Interval),
            Volatility::Immutable,
            |_, a| {
                let e = decode(&a[0])?;
                Ok(time_element(&e, a[1].as_str().unwrap_or(""))?.map_or(Value::Null, interval))
            },
        )
        .describe("an ISO 22400-2 time element (POT, PBT, APT, …) of an oee_agg state"),
    );
    r.register_scalar(
        ScalarFunction::strict_rows(
            "oee_count",
            Signature::exact(&[DataType::Bytea, DataType::Text], DataType::Int8),
            Volatility::Immutable,
            |_, a| {
                let e = decode(&a[0])?;
                Ok(count(&e, a[1].as_str().unwrap_or(""))?.map_or(Value::Null, Value::Int))
            },
        )
        .describe("a quantity (PQ, GQ, SQ, RQ, …) of an oee_agg state"),
    );
    super::losses::register(r);
}
