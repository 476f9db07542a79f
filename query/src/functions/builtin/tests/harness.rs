//! Evaluates functions through the registry the way the executor does (resolve, cast the
//! arguments, run the kernel) and compares the text output and type OID with PostgreSQL's.
use std::sync::OnceLock;

use crate::context::EvalContext;
use crate::error::{QueryError, Result};
use crate::functions::{AggregateSpec, Registry};
use crate::types::cast::cast_vector;
use crate::types::text::{format_value, parse_value};
use crate::types::{DataType, Value};
use crate::vector::Vector;

/// Expected outcome: text output (None for NULL) and type OID, or SQLSTATE and message.
#[derive(Debug)]
pub(crate) enum Want {
    Ok(Option<&'static str>, u32),
    Err(&'static str, &'static str),
}

/// A scalar call.
#[derive(Debug)]
pub(crate) struct Case {
    pub f: &'static str,
    pub args: &'static [(&'static str, Option<&'static str>)],
    pub want: Want,
    pub code_only: bool,
    pub tz: &'static str,
}

/// An aggregate over rows.
#[derive(Debug)]
pub(crate) struct AggCase {
    pub call: &'static str,
    pub types: &'static [&'static str],
    pub rows: &'static [&'static [Option<&'static str>]],
    pub want: Want,
    pub code_only: bool,
    pub tz: &'static str,
}

pub(crate) fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::with_builtins)
}

pub(crate) fn ctx() -> EvalContext {
    EvalContext {
        now_us: 1_767_607_200_000_000, // 2026-01-05 10:00:00 UTC
        ..EvalContext::default()
    }
}

/// A context in a session time zone.
pub(crate) fn ctx_tz(tz: &str) -> EvalContext {
    EvalContext {
        tz: crate::types::Tz::parse(tz).unwrap_or_else(|| panic!("unknown zone {tz}")),
        ..ctx()
    }
}

pub(crate) fn ty(name: &str) -> DataType {
    if name == "unknown" {
        return DataType::Unknown;
    }
    DataType::parse_name(name).unwrap_or_else(|| panic!("unknown type {name}"))
}

pub(crate) fn val(t: &DataType, lit: Option<&str>, ctx: &EvalContext) -> Value {
    match lit {
        None => Value::Null,
        Some(s) if *t == DataType::Unknown => Value::str(s),
        Some(s) => parse_value(s, t, ctx).unwrap_or_else(|e| panic!("bad literal {s} for {t}: {e}")),
    }
}

/// Result of a call: text output per row and the result type.
pub(crate) type Outcome = Result<(Vec<Option<String>>, DataType)>;

/// How argument vectors are laid out.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Layout {
    /// All constants.
    Const,
    /// All materialised, two rows.
    Columns,
    /// First materialised, others constant.
    FirstColumn,
    /// First constant, others materialised.
    RestColumns,
}

/// Calls scalar `f` with typed values.
pub(crate) fn call(f: &str, args: &[(DataType, Value)], layout: Layout, ctx: &EvalContext) -> Outcome {
    let reg = registry();
    let types: Vec<DataType> = args.iter().map(|a| a.0.clone()).collect();
    let res = reg.resolve_scalar(f, &types)?;
    let len = match layout {
        Layout::Const => 1,
        _ => 2,
    };
    let mut vecs = Vec::new();
    for (i, (t, v)) in args.iter().enumerate() {
        let c = Vector::constant(v.clone(), t.clone(), len);
        let column = match layout {
            Layout::Const => false,
            Layout::Columns => true,
            Layout::FirstColumn => i == 0,
            Layout::RestColumns => i > 0,
        };
        let c = if column { c.materialize() } else { c };
        vecs.push(cast_vector(&c, &res.arg_types[i], ctx)?);
    }
    let out = (res.func.kernel)(ctx, &vecs, &res.ret, len)?;
    assert_eq!(out.len(), len, "{f}: result length");
    let rows = (0..len)
        .map(|i| format_value(&out.value(i), &res.ret, ctx))
        .collect();
    Ok((rows, res.ret))
}

/// Whether two outputs are doubles within 1e-12 relative of each other.
fn close(a: &str, b: &str, rel: f64) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y || (x - y).abs() <= rel * x.abs().max(y.abs()),
        _ => false,
    }
}

fn check(what: &str, got: &Outcome, want: &Want, code_only: bool) -> Option<String> {
    check_tol(what, got, want, code_only, false)
}

fn check_tol(what: &str, got: &Outcome, want: &Want, code_only: bool, tol: bool) -> Option<String> {
    match (got, want) {
        (Ok((rows, t)), Want::Ok(w, oid)) => {
            for r in rows {
                // real results: one single-precision rounding step apart
                let rel = if *oid == 700 { 1e-6 } else { 1e-12 };
                let ok = r.as_deref() == *w
                    || (tol && matches!((r.as_deref(), *w), (Some(a), Some(b)) if close(a, b, rel)));
                if !ok {
                    return Some(format!("{what}: got {r:?} want {w:?}"));
                }
            }
            if t.oid() != *oid {
                return Some(format!("{what}: type {t} ({}) want oid {oid}", t.oid()));
            }
            None
        }
        (Err(e), Want::Err(code, msg)) => {
            if e.code != *code || (!code_only && e.message != *msg) {
                Some(format!(
                    "{what}: error {} {:?} want {code} {msg:?}",
                    e.code, e.message
                ))
            } else {
                None
            }
        }
        (Ok((rows, t)), Want::Err(code, msg)) => {
            Some(format!("{what}: got {rows:?} ({t}) want error {code} {msg:?}"))
        }
        (Err(e), Want::Ok(w, _)) => Some(format!("{what}: error {} {:?}, want {w:?}", e.code, e.message)),
    }
}

fn describe(c: &Case) -> String {
    let a: Vec<String> = c
        .args
        .iter()
        .map(|(t, v)| format!("{}::{t}", v.unwrap_or("NULL")))
        .collect();
    format!("{}({})", c.f, a.join(", "))
}

/// Runs scalar cases in every layout; returns the failures.
pub(crate) fn run_cases(cases: &[Case]) -> Vec<String> {
    let mut fails = Vec::new();
    for c in cases {
        let ctx = ctx_tz(c.tz);
        let args: Vec<(DataType, Value)> = c
            .args
            .iter()
            .map(|(t, v)| {
                let t = ty(t);
                let v = val(&t, *v, &ctx);
                (t, v)
            })
            .collect();
        for layout in [
            Layout::Const,
            Layout::Columns,
            Layout::FirstColumn,
            Layout::RestColumns,
        ] {
            if args.len() < 2 && matches!(layout, Layout::FirstColumn | Layout::RestColumns) {
                continue;
            }
            let got = call(c.f, &args, layout, &ctx);
            if let Some(f) = check(
                &format!("{} [{layout:?}]", describe(c)),
                &got,
                &c.want,
                c.code_only,
            ) {
                fails.push(f);
                break;
            }
        }
    }
    fails
}

/// Splits `name(direct)` into the name and direct-argument literals.
fn split_call(call: &str) -> (String, Vec<String>) {
    if call == "count(*)" {
        return ("count".into(), vec![]);
    }
    match call.find('(') {
        Some(i) => {
            let inner = call[i + 1..].trim_end_matches(')');
            let inner = inner.trim().trim_matches('\'');
            let direct = if inner.is_empty() {
                vec![]
            } else {
                vec![inner.to_string()]
            };
            (call[..i].to_string(), direct)
        }
        None => (call.to_string(), vec![]),
    }
}

/// How rows are fed to the accumulator.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Feed {
    /// One update with all rows.
    Batch,
    /// One update per row.
    RowByRow,
    /// Two accumulators, each with half the rows, merged.
    Merged,
    /// Group 1 receives the rows, group 0 nothing; plus extra rows added then retracted when
    /// the accumulator supports it.
    Groups,
}

/// Runs an aggregate; result as text.
pub(crate) fn run_agg(
    name: &str,
    direct: &[String],
    types: &[DataType],
    rows: &[Vec<Value>],
    feed: Feed,
    ctx: &EvalContext,
) -> Result<(Option<String>, DataType)> {
    let reg = registry();
    let res = reg.resolve_aggregate(name, types)?;
    let direct_args: Vec<Value> = direct
        .iter()
        .zip(&res.func.direct_args)
        .map(|(s, t)| parse_value(s, t, ctx))
        .collect::<Result<_>>()?;
    let spec = AggregateSpec {
        arg_types: res.arg_types.clone(),
        direct_args,
        return_type: res.ret.clone(),
    };
    let columns = |rows: &[Vec<Value>]| -> Result<Vec<Vector>> {
        (0..types.len())
            .map(|k| {
                let v = Vector::from_values(types[k].clone(), rows.iter().map(|r| r[k].clone()).collect());
                cast_vector(&v, &res.arg_types[k], ctx)
            })
            .collect()
    };
    let mut acc = (res.func.create)(&spec)?;
    let group_of_rows = match feed {
        Feed::Groups => 1usize,
        _ => 0,
    };
    acc.resize(group_of_rows + 1);
    match feed {
        Feed::Batch => {
            let cols = columns(rows)?;
            acc.update(&vec![0; rows.len()], &cols)?;
        }
        Feed::RowByRow => {
            for r in rows {
                let cols = columns(std::slice::from_ref(r))?;
                acc.update(&[0], &cols)?;
            }
        }
        Feed::Merged => {
            let half = rows.len() / 2;
            let cols = columns(&rows[..half])?;
            acc.update(&vec![0; half], &cols)?;
            let mut other = (res.func.create)(&spec)?;
            other.resize(1);
            let cols = columns(&rows[half..])?;
            other.update(&vec![0; rows.len() - half], &cols)?;
            acc.merge(other.as_mut(), &[0])?;
        }
        Feed::Groups => {
            // Extra rows (copies of the first rows) first, then the rows, then retract extras.
            let extra: Vec<Vec<Value>> = rows.iter().take(2).cloned().collect();
            let mut retracted = false;
            if !extra.is_empty() {
                let cols = columns(&extra)?;
                acc.update(&vec![1; extra.len()], &cols)?;
            }
            let cols = columns(rows)?;
            acc.update(&vec![1; rows.len()], &cols)?;
            if !extra.is_empty() {
                let cols = columns(&extra)?;
                retracted = acc.retract(&vec![1; extra.len()], &cols)?;
            }
            if !retracted && !extra.is_empty() {
                acc = (res.func.create)(&spec)?;
                acc.resize(2);
                let cols = columns(rows)?;
                acc.update(&vec![1; rows.len()], &cols)?;
            }
        }
    }
    let v = acc.value(group_of_rows)?;
    Ok((format_value(&v, &res.ret, ctx), res.ret))
}

/// Runs aggregate cases in every feeding mode; returns the failures.
pub(crate) fn run_agg_cases(cases: &[AggCase]) -> Vec<String> {
    let mut fails = Vec::new();
    for c in cases {
        let ctx = ctx_tz(c.tz);
        let (name, direct) = split_call(c.call);
        let types: Vec<DataType> = c.types.iter().map(|t| ty(t)).collect();
        let rows: Vec<Vec<Value>> = c
            .rows
            .iter()
            .map(|r| r.iter().zip(&types).map(|(v, t)| val(t, *v, &ctx)).collect())
            .collect();
        let types = if c.call == "count(*)" { vec![] } else { types };
        for feed in [Feed::Batch, Feed::RowByRow, Feed::Merged, Feed::Groups] {
            let got = run_agg(&name, &direct, &types, &rows, feed, &ctx).map(|(v, t)| (vec![v], t));
            let what = format!("{}({}) over {:?} [{feed:?}]", c.call, c.types.join(","), c.rows);
            // Merged partial states and retracted rows round differently from one pass.
            let tol = matches!(feed, Feed::Merged | Feed::Groups);
            if let Some(f) = check_tol(&what, &got, &c.want, c.code_only, tol) {
                fails.push(f);
                break;
            }
        }
    }
    fails
}

/// Fails the test with every failure listed.
pub(crate) fn assert_none(fails: Vec<String>) {
    if !fails.is_empty() {
        let n = fails.len();
        let shown: Vec<String> = fails.into_iter().take(200).collect();
        let e: QueryError = QueryError::new("XX000", format!("{n} failures"));
        panic!("{}:\n{}", e.message, shown.join("\n"));
    }
}
