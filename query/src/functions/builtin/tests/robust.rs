//! Every scalar overload, window and table function called with awkward arguments (NULLs,
//! extremes, empty and odd strings, infinities) must return a value or an error, never panic.
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::harness::{ctx, registry};
use crate::functions::ArgType;
use crate::types::text::parse_value;
use crate::types::{DataType, Value};
use crate::vector::Vector;

fn samples(t: &DataType) -> Vec<Value> {
    let c = ctx();
    let lits: &[&str] = match t {
        DataType::Int2 => &["0", "-1", "32767", "-32768", "7"],
        DataType::Int4 => &["0", "-1", "2147483647", "-2147483648", "3", "100000"],
        DataType::Int8 => &["0", "-1", "9223372036854775807", "-9223372036854775808", "12"],
        DataType::Float4 | DataType::Float8 => {
            &["0", "-0", "1.5", "-2.5", "NaN", "Infinity", "-Infinity", "1e300"]
        }
        DataType::Numeric(_) => &[
            "0",
            "-1.5",
            "12345678901234567890.123456789",
            "0.000000001",
            "99999999999999999999",
        ],
        DataType::Bool => &["true", "false"],
        DataType::Date => &[
            "2026-01-05",
            "infinity",
            "-infinity",
            "0001-01-01 BC",
            "5874897-12-31",
        ],
        DataType::Time => &["00:00", "23:59:59.999999", "24:00"],
        DataType::Timestamp | DataType::Timestamptz => &[
            "2026-01-05 10:00",
            "infinity",
            "-infinity",
            "4713-01-01 00:00 BC",
            "294000-01-01",
        ],
        DataType::Interval => &["1 day", "-1 mon", "0", "178000000 years", "-00:00:00.000001"],
        DataType::Bytea => &["\\x", "\\x00ff", "abc"],
        DataType::Array(_) => &["{}", "{1,NULL,3}", "{2147483647}"],
        DataType::Oid | DataType::RegClass | DataType::RegType => &["0", "23", "4294967295"],
        _ => &[
            "",
            "abc",
            "é日本",
            "%_\\",
            "(",
            "[[:alpha:]]",
            "999.99",
            "YYYY-MM-DD HH24:MI:SS",
            "-1",
            "FMRN",
        ],
    };
    let mut out: Vec<Value> = lits.iter().filter_map(|s| parse_value(s, t, &c).ok()).collect();
    out.push(Value::Null);
    out
}

fn concrete(a: &ArgType) -> DataType {
    match a {
        ArgType::Exact(t) => t.clone(),
        ArgType::AnyElement => DataType::Int4,
        ArgType::AnyArray => DataType::Array(Box::new(DataType::Int4)),
        ArgType::Any => DataType::Text,
    }
}

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn no_function_panics() {
    let reg = registry();
    let c = ctx();
    let mut rng = Lcg(42);
    let mut failures = Vec::new();
    let mut slow = Vec::new();
    let mut names: Vec<String> = reg.all().into_iter().map(|x| x.0).collect();
    names.sort();
    names.dedup();
    for name in names {
        if name == "pg_sleep" {
            continue;
        }
        for f in reg.scalars(&name) {
            let sig = &f.signature;
            let fixed: Vec<DataType> = sig.args.iter().map(concrete).collect();
            let mut arities = vec![fixed.len()];
            if sig.optional > 0 {
                arities.push(fixed.len() - sig.optional);
            }
            for arity in arities {
                let mut types: Vec<DataType> = fixed[..arity].to_vec();
                if let Some(v) = &sig.variadic {
                    types.push(concrete(v));
                }
                let pools: Vec<Vec<Value>> = types.iter().map(samples).collect();
                for _ in 0..40 {
                    let args: Vec<Vector> = types
                        .iter()
                        .zip(&pools)
                        .map(|(t, p)| {
                            // Mix constant and column layouts.
                            let vals: Vec<Value> = (0..3).map(|_| p[rng.next(p.len())].clone()).collect();
                            if rng.next(2) == 0 {
                                Vector::constant(vals[0].clone(), t.clone(), 3)
                            } else {
                                Vector::from_values(t.clone(), vals)
                            }
                        })
                        .collect();
                    let ret = sig
                        .return_type(&types, Some(&DataType::Int4))
                        .unwrap_or(DataType::Text);
                    let started = std::time::Instant::now();
                    let r = catch_unwind(AssertUnwindSafe(|| (f.kernel)(&c, &args, &ret, 3)));
                    if started.elapsed() > std::time::Duration::from_millis(200) {
                        slow.push(format!(
                            "{name}{types:?} took {:?}: {:?}",
                            started.elapsed(),
                            args.iter().map(|a| a.to_values()).collect::<Vec<_>>()
                        ));
                    }
                    match r {
                        Err(_) => failures.push(format!(
                            "{name}{types:?}: {:?}",
                            args.iter().map(|a| a.to_values()).collect::<Vec<_>>()
                        )),
                        Ok(Ok(v)) if v.len() != 3 => {
                            failures.push(format!("{name}{types:?}: length {}", v.len()))
                        }
                        _ => {}
                    }
                }
            }
        }
        for t in reg.tables(&name) {
            let types: Vec<DataType> = t.signature.args.iter().map(concrete).collect();
            let pools: Vec<Vec<Value>> = types.iter().map(samples).collect();
            for _ in 0..40 {
                let vals: Vec<Value> = pools.iter().map(|p| p[rng.next(p.len())].clone()).collect();
                let r = catch_unwind(AssertUnwindSafe(|| {
                    if let Ok(it) = (t.kernel)(&c, &vals, &types) {
                        // Only the first batches: some series are huge.
                        for b in it.take(2) {
                            let _ = b;
                        }
                    }
                }));
                if r.is_err() {
                    failures.push(format!("table {name}{vals:?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} panics:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(slow.is_empty(), "{} slow calls:\n{}", slow.len(), slow.join("\n"));
}
