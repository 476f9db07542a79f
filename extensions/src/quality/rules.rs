//! Run rules for control charts as window functions:
//! `spc_rule(value, center, sigma [, ruleset])` → the lowest rule number the row violates (NULL
//! when none), and `spc_rules(value, center, sigma [, ruleset])` → every violated rule, as text
//! (`'1,5'`; NULL when none). Rows are taken in the window's ORDER BY within each partition.
//!
//! Rule sets (KPI-DEFINITIONS.md §3.5). `nelson` (default; Nelson 1984 = Minitab tests 1–8):
//! 1 one point beyond 3σ; 2 nine in a row on one side; 3 six in a row all increasing or all
//! decreasing; 4 fourteen in a row alternating up and down; 5 two of three beyond 2σ on one side;
//! 6 four of five beyond 1σ on one side; 7 fifteen in a row within 1σ; 8 eight in a row beyond
//! 1σ (either side). `western_electric` (qcc `rules.R`): 1 beyond 3σ; 2 two of three beyond 2σ on
//! one side; 3 four of five beyond 1σ on one side; 4 eight in a row on one side.
//!
//! Conventions: z = (value − center)/sigma, with `center` and `sigma` taken per row (variable
//! limits are allowed); the flag goes on the point that completes the pattern; for the
//! "k of k + 1" rules that point must itself be beyond the zone (as qcc does); a point exactly on
//! the centre line or on a zone boundary is on neither side and not beyond; trends compare raw
//! values, and equal neighbours break a trend or an alternation. Rows with a NULL value, center
//! or sigma (or sigma ≤ 0) get NULL and are left out of every pattern.
use plantdb_query::error::Result;
use plantdb_query::functions::{ArgType, Registry, ReturnType, Signature, WindowFunction, WindowInput};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use crate::common::cols::{FloatCol, const_text};
use crate::common::invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleSet {
    Nelson,
    WesternElectric,
}

fn ruleset(w: &WindowInput<'_>) -> Result<RuleSet> {
    let Some(v) = w.args.get(3) else {
        return Ok(RuleSet::Nelson);
    };
    match const_text(v, "the rule set")?
        .map(|s| s.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("nelson") | Some("minitab") => Ok(RuleSet::Nelson),
        Some("western_electric") | Some("we") | Some("weco") => Ok(RuleSet::WesternElectric),
        Some(other) => Err(invalid(format!(
            "unknown rule set \"{other}\" (expected nelson or western_electric)"
        ))),
    }
}

/// Whether the last `k` items satisfy `f`.
fn last_k(v: &[f64], k: usize, f: impl Fn(f64) -> bool) -> bool {
    v.len() >= k && v[v.len() - k..].iter().all(|&x| f(x))
}

/// Whether at least `m` of the last `k` items satisfy `f`, the last one included.
fn m_of_k(v: &[f64], m: usize, k: usize, f: impl Fn(f64) -> bool) -> bool {
    let Some(&last) = v.last() else { return false };
    f(last) && v.len() >= m && v[v.len().saturating_sub(k)..].iter().filter(|&&x| f(x)).count() >= m
}

/// Rules violated at the last point of `z` (scores) and `x` (values), ascending.
fn violations(set: RuleSet, z: &[f64], x: &[f64]) -> Vec<u8> {
    let mut out = Vec::new();
    let beyond = |t: f64| move |s: f64| s > t;
    let below = |t: f64| move |s: f64| s < -t;
    let two_of_three = m_of_k(z, 2, 3, beyond(2.0)) || m_of_k(z, 2, 3, below(2.0));
    let four_of_five = m_of_k(z, 4, 5, beyond(1.0)) || m_of_k(z, 4, 5, below(1.0));
    let one_side = |k| last_k(z, k, |s| s > 0.0) || last_k(z, k, |s| s < 0.0);
    if z.last().is_some_and(|s| s.abs() > 3.0) {
        out.push(1);
    }
    match set {
        RuleSet::WesternElectric => {
            if two_of_three {
                out.push(2);
            }
            if four_of_five {
                out.push(3);
            }
            if one_side(8) {
                out.push(4);
            }
        }
        RuleSet::Nelson => {
            if one_side(9) {
                out.push(2);
            }
            if x.len() >= 6 {
                let d: Vec<f64> = x[x.len() - 6..].windows(2).map(|p| p[1] - p[0]).collect();
                if d.iter().all(|&v| v > 0.0) || d.iter().all(|&v| v < 0.0) {
                    out.push(3);
                }
            }
            if x.len() >= 14 {
                let d: Vec<f64> = x[x.len() - 14..].windows(2).map(|p| p[1] - p[0]).collect();
                let alternating =
                    d.iter().all(|&v| v != 0.0) && d.windows(2).all(|p| (p[0] > 0.0) != (p[1] > 0.0));
                if alternating {
                    out.push(4);
                }
            }
            if two_of_three {
                out.push(5);
            }
            if four_of_five {
                out.push(6);
            }
            if last_k(z, 15, |s| s.abs() < 1.0) {
                out.push(7);
            }
            if last_k(z, 8, |s| s.abs() > 1.0) {
                out.push(8);
            }
        }
    }
    out
}

/// Violations of every row (None for skipped rows).
fn evaluate(w: &WindowInput<'_>) -> Result<Vec<Option<Vec<u8>>>> {
    let set = ruleset(w)?;
    let n = w.peers.len();
    let (x, c, s) = (
        FloatCol::new(&w.args[0]),
        FloatCol::new(&w.args[1]),
        FloatCol::new(&w.args[2]),
    );
    let mut zs = Vec::with_capacity(n);
    let mut xs = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (Some(v), Some(cc), Some(sd)) = (x.get(i), c.get(i), s.get(i)) else {
            out.push(None);
            continue;
        };
        if sd <= 0.0 || !sd.is_finite() {
            out.push(None);
            continue;
        }
        zs.push((v - cc) / sd);
        xs.push(v);
        // Patterns look back at most 15 points.
        let from = zs.len().saturating_sub(16);
        out.push(Some(violations(set, &zs[from..], &xs[from..])));
    }
    Ok(out)
}

/// Registers `spc_rule` and `spc_rules`.
pub fn register(r: &mut Registry) {
    let f8 = || ArgType::Exact(DataType::Float8);
    let args = vec![f8(), f8(), f8(), ArgType::Exact(DataType::Text)];
    let mut lowest = WindowFunction::new(
        "spc_rule",
        Signature::new(args.clone(), ReturnType::Exact(DataType::Int4)).optional(1),
        |_, w| {
            let vals = evaluate(w)?
                .into_iter()
                .map(|v| match v.and_then(|r| r.first().copied()) {
                    Some(k) => Value::Int(i64::from(k)),
                    None => Value::Null,
                })
                .collect();
            Ok(Vector::from_values(DataType::Int4, vals))
        },
    );
    lowest.description = "lowest Nelson / Western Electric rule violated at this point".into();
    r.register_window(lowest);
    let mut all = WindowFunction::new(
        "spc_rules",
        Signature::new(args, ReturnType::Exact(DataType::Text)).optional(1),
        |_, w| {
            let vals = evaluate(w)?
                .into_iter()
                .map(|v| match v {
                    Some(r) if !r.is_empty() => {
                        let s: Vec<String> = r.iter().map(u8::to_string).collect();
                        Value::str(s.join(","))
                    }
                    _ => Value::Null,
                })
                .collect();
            Ok(Vector::from_values(DataType::Text, vals))
        },
    );
    all.description = "every Nelson / Western Electric rule violated at this point".into();
    r.register_window(all);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(set: RuleSet, z: &[f64]) -> Vec<Vec<u8>> {
        (1..=z.len())
            .map(|k| {
                let from = k.saturating_sub(16);
                violations(set, &z[from..k], &z[from..k])
            })
            .collect()
    }

    #[test]
    fn hand_built_sequences() {
        // Rule 1 at the 3.5 point only (3.0 exactly is not beyond); 3.0 and 3.5 are also two of
        // three beyond 2σ (rule 5).
        let r = run(RuleSet::Nelson, &[0.5, 3.0, -0.5, 3.5]);
        assert_eq!(r[1], Vec::<u8>::new());
        assert_eq!(r[3], vec![1, 5]);
        // Two of three beyond 2σ on one side: flagged at the second point beyond, not at the
        // point in between; the other side does not count.
        let r = run(RuleSet::Nelson, &[2.5, 0.0, 2.1, -2.5]);
        assert_eq!(
            (r[1].clone(), r[2].clone(), r[3].clone()),
            (vec![], vec![5], vec![])
        );
        let r = run(RuleSet::WesternElectric, &[2.5, 0.0, 2.1]);
        assert_eq!(r[2], vec![2]);
        // Nine on one side: the ninth point (points on the centre line break the run).
        let mut z = vec![0.1, 0.0];
        z.extend(std::iter::repeat_n(0.2, 9));
        let r = run(RuleSet::Nelson, &z);
        assert!(r[9].is_empty() && r[10].contains(&2));
        // Eight on one side is WE rule 4.
        assert!(run(RuleSet::WesternElectric, &[0.3; 8])[7].contains(&4));
        assert!(!run(RuleSet::WesternElectric, &[0.3; 7])[6].contains(&4));
        // Six increasing (five rises) → rule 3 at the sixth; a tie breaks it.
        let r = run(RuleSet::Nelson, &[-0.9, -0.5, -0.1, 0.2, 0.4, 0.6]);
        assert_eq!(r[5], vec![3]);
        let r = run(RuleSet::Nelson, &[-0.9, -0.5, -0.5, 0.2, 0.4, 0.6]);
        assert!(r[5].is_empty());
        // Fourteen alternating → rule 4 at the fourteenth.
        let alt: Vec<f64> = (0..14).map(|k| if k % 2 == 0 { 0.5 } else { -0.5 }).collect();
        let r = run(RuleSet::Nelson, &alt);
        assert!(r[12].is_empty() && r[13] == vec![4]);
        // Four of five beyond 1σ on one side → rule 6 (rule 5 needs 2σ).
        let r = run(RuleSet::Nelson, &[1.5, 1.2, 0.0, 1.1, 1.3]);
        assert_eq!(r[4], vec![6]);
        // Fifteen within 1σ → rule 7 (ties avoid the alternation of rule 4).
        let hug: Vec<f64> = (0..15).map(|k| if k % 3 == 0 { 0.2 } else { -0.2 }).collect();
        let r = run(RuleSet::Nelson, &hug);
        assert!(r[13].is_empty() && r[14] == vec![7]);
        // Eight beyond 1σ on both sides → rule 8.
        let out: Vec<f64> = (0..8).map(|k| if k % 4 < 2 { 1.5 } else { -1.5 }).collect();
        let r = run(RuleSet::Nelson, &out);
        assert!(r[6].is_empty() && r[7] == vec![8]);
    }
}
