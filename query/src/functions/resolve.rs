//! Overload resolution, after PostgreSQL's rules in simplified form: an exact match wins; else the
//! candidate needing the fewest implicit casts, then the one casting to preferred types; an
//! unknown-typed literal matches anything; ties are "not unique".
use std::sync::Arc;

use super::signature::{ArgType, Signature};
use crate::error::{QueryError, Result, sqlstate};
use crate::types::DataType;
use crate::types::cast::{CastKind, cast_kind};

/// A chosen overload: the function, the type each argument must be cast to, and the return type.
#[derive(Debug, Clone)]
pub struct Resolved<F> {
    /// The overload.
    pub func: Arc<F>,
    /// Target type per argument.
    pub arg_types: Vec<DataType>,
    /// Return type.
    pub ret: DataType,
}

/// Common type of several types under implicit casts (UNION, CASE, COALESCE, anyelement).
pub fn common_type(types: &[DataType]) -> Option<DataType> {
    let known: Vec<&DataType> = types.iter().filter(|t| **t != DataType::Unknown).collect();
    let Some(first) = known.first() else {
        return Some(DataType::Text);
    };
    let mut best = (*first).clone();
    for t in &known[1..] {
        if t.base() == best.base() {
            if *t != &best {
                best = best.base();
            }
            continue;
        }
        let to_t = cast_kind(&best, t) == Some(CastKind::Implicit);
        let to_best = cast_kind(t, &best) == Some(CastKind::Implicit);
        best = match (to_t, to_best) {
            (true, false) => (*t).clone(),
            (false, true) => best,
            (true, true) => {
                if t.is_preferred() {
                    (*t).clone()
                } else {
                    best
                }
            }
            (false, false) => return None,
        };
    }
    Some(best)
}

/// A matching overload: cost, function, target types, element binding.
type Candidate<F> = (u32, Arc<F>, Vec<DataType>, Option<DataType>);

fn cost(from: &DataType, to: &DataType) -> Option<u32> {
    if from == to || from.base() == to.base() {
        return Some(0);
    }
    if *from == DataType::Unknown {
        // Unknown literals prefer string parameters, as in PostgreSQL.
        return Some(if to.is_string() { 1 } else { 2 });
    }
    match cast_kind(from, to)? {
        CastKind::Implicit => Some(if to.is_preferred() { 3 } else { 4 }),
        _ => None,
    }
}

fn expand(sig: &Signature, n: usize) -> Option<Vec<ArgType>> {
    let fixed = sig.args.len();
    if n < fixed - sig.optional.min(fixed) {
        return None;
    }
    if n <= fixed {
        return Some(sig.args[..n].to_vec());
    }
    let v = sig.variadic.as_ref()?;
    let mut out = sig.args.clone();
    out.extend(std::iter::repeat_n(v.clone(), n - fixed));
    Some(out)
}

fn try_match(sig: &Signature, actual: &[DataType]) -> Option<(u32, Vec<DataType>, Option<DataType>)> {
    let params = expand(sig, actual.len())?;
    // Bind anyelement from the actual types of AnyElement args and AnyArray elements.
    let mut elems: Vec<DataType> = Vec::new();
    for (p, a) in params.iter().zip(actual) {
        match p {
            ArgType::AnyElement => elems.push(a.clone()),
            ArgType::AnyArray => match a {
                DataType::Array(e) => elems.push((**e).clone()),
                DataType::Unknown => {}
                _ => return None,
            },
            _ => {}
        }
    }
    let element = if elems.is_empty() {
        None
    } else {
        Some(common_type(&elems)?)
    };
    let mut total = 0;
    let mut targets = Vec::with_capacity(actual.len());
    for (p, a) in params.iter().zip(actual) {
        let target = match p {
            ArgType::Exact(t) => t.clone(),
            ArgType::AnyElement => element.clone().unwrap_or(DataType::Text),
            ArgType::AnyArray => DataType::Array(Box::new(element.clone().unwrap_or(DataType::Text))),
            ArgType::Any => {
                targets.push(if *a == DataType::Unknown {
                    DataType::Text
                } else {
                    a.clone()
                });
                continue;
            }
        };
        total += cost(a, &target)?;
        targets.push(target);
    }
    Some((total, targets, element))
}

/// Picks the overload of `name` for `actual` argument types.
pub fn resolve<F>(
    name: &str,
    candidates: &[Arc<F>],
    sig_of: impl Fn(&F) -> &Signature,
    actual: &[DataType],
) -> Result<Resolved<F>> {
    let mut best: Vec<Candidate<F>> = Vec::new();
    for c in candidates {
        if let Some((cost, targets, element)) = try_match(sig_of(c), actual) {
            match best.first() {
                Some(b) if cost > b.0 => continue,
                Some(b) if cost < b.0 => best.clear(),
                _ => {}
            }
            best.push((cost, c.clone(), targets, element));
        }
    }
    let args = actual
        .iter()
        .map(|t| t.display_name())
        .collect::<Vec<_>>()
        .join(", ");
    if best.is_empty() {
        let what = if name.chars().all(|c| !c.is_alphanumeric() && c != '_') {
            "operator"
        } else {
            "function"
        };
        let shown = if what == "operator" {
            format!("{what} does not exist: {}", op_display(name, actual))
        } else {
            format!("function {name}({args}) does not exist")
        };
        return Err(QueryError::new(sqlstate::UNDEFINED_FUNCTION, shown).with_hint(format!(
            "No {what} matches the given name and argument types. You might need to add explicit type casts."
        )));
    }
    if best.len() > 1 {
        // Prefer candidates whose every target is an exact match for non-unknown args.
        let unknown_only = |t: &Vec<DataType>| {
            t.iter()
                .zip(actual)
                .all(|(t, a)| t == a || *a == DataType::Unknown)
        };
        let exact: Vec<_> = best.iter().filter(|b| unknown_only(&b.2)).cloned().collect();
        // PostgreSQL: when all known arguments share one type, assume the unknown ones have it.
        let known: Vec<&DataType> = actual.iter().filter(|t| **t != DataType::Unknown).collect();
        let same_as_known: Vec<_> = match known.first() {
            Some(k) if known.len() < actual.len() && known.iter().all(|t| t == k) => best
                .iter()
                .filter(|b| b.2.iter().all(|t| t.base() == k.base()))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        if exact.len() == 1 {
            best = exact;
        } else if same_as_known.len() == 1 {
            best = same_as_known;
        } else {
            // With only unknown arguments, prefer an all-text overload.
            let texty: Vec<_> = best
                .iter()
                .filter(|b| b.2.iter().all(|t| *t == DataType::Text))
                .cloned()
                .collect();
            // Else prefer the overload taking preferred types where the arguments are unknown.
            let preferred: Vec<_> = best
                .iter()
                .filter(|b| {
                    b.2.iter()
                        .zip(actual)
                        .all(|(t, a)| *a != DataType::Unknown || t.is_preferred())
                })
                .cloned()
                .collect();
            if texty.len() == 1 {
                best = texty;
            } else if preferred.len() == 1 {
                best = preferred;
            } else {
                return Err(QueryError::new(
                    sqlstate::AMBIGUOUS_FUNCTION,
                    format!("function {name}({args}) is not unique"),
                )
                .with_hint(
                    "Could not choose a best candidate function. You might need to add explicit type casts.",
                ));
            }
        }
    }
    let (_, func, targets, element) = best.swap_remove(0);
    let ret = sig_of(&func).return_type(&targets, element.as_ref())?;
    Ok(Resolved {
        func,
        arg_types: targets,
        ret,
    })
}

fn op_display(op: &str, actual: &[DataType]) -> String {
    match actual {
        [a] => format!("{op} {}", a.display_name()),
        [a, b] => format!("{} {op} {}", a.display_name(), b.display_name()),
        _ => op.to_string(),
    }
}
