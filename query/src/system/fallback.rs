//! General-purpose functions that client catalog queries use (strings, regular expressions,
//! arrays, session information, a few aggregates, `row_number`, `unnest`, `generate_series`,
//! `generate_subscripts`), registered only under names the registry does not have yet.
//!
//! They belong to the built-in library; these simple versions exist so that the catalog works
//! before (and without depending on) the full implementations. A name the built-ins define
//! is skipped as a whole, so the two never compete in overload resolution.
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

use super::functions::{one_batch, quote_ident};
use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::{
    Accumulator, AggregateFunction, ArgType, Registry, ReturnType, ScalarFunction, Signature, TableFunction,
    Volatility, WindowFunction,
};
use crate::types::text::format_value;
use crate::types::{ArrayValue, DataType, Value};
use crate::vector::Vector;

/// Registers functions under names the registry does not have yet. Scalars (operators
/// included) are checked by name and number of arguments: `~` is both bitwise NOT (one
/// argument, a built-in) and the regular-expression match (two).
struct Fallbacks<'a> {
    r: &'a mut Registry,
    existing: HashSet<String>,
    scalar_arities: HashSet<(String, usize)>,
}

impl Fallbacks<'_> {
    fn absent(&self, name: &str) -> bool {
        !self.existing.contains(name)
    }
    fn scalar(&mut self, f: ScalarFunction) {
        if !self
            .scalar_arities
            .contains(&(f.name.clone(), f.signature.args.len()))
        {
            self.r.register_scalar(f);
        }
    }
    fn aggregate(&mut self, f: AggregateFunction) {
        if self.absent(&f.name) {
            self.r.register_aggregate(f);
        }
    }
    fn window(&mut self, f: WindowFunction) {
        if self.absent(&f.name) {
            self.r.register_window(f);
        }
    }
    fn table(&mut self, f: TableFunction) {
        if self.absent(&f.name) {
            self.r.register_table(f);
        }
    }
}

fn exact(args: &[DataType], ret: DataType) -> Signature {
    Signature::exact(args, ret)
}

fn strict(
    name: &str,
    sig: Signature,
    body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
) -> ScalarFunction {
    ScalarFunction::strict_rows(name, sig, Volatility::Stable, body)
}

fn lax(
    name: &str,
    sig: Signature,
    body: impl Fn(&EvalContext, &[Value]) -> Result<Value> + Send + Sync + 'static,
) -> ScalarFunction {
    ScalarFunction::rows(name, sig, Volatility::Stable, false, body)
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn array_of(v: &Value) -> Option<&ArrayValue> {
    match v {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

fn int4(i: i64) -> Value {
    Value::Int(i)
}

/// Registers the fallbacks missing from `r`.
pub(super) fn register(r: &mut Registry) {
    let all = r.all();
    let existing = all.iter().map(|f| f.0.clone()).collect();
    let scalar_arities = all
        .iter()
        .filter(|f| f.1 == 'f')
        .flat_map(|f| {
            let (max, min) = (f.2.args.len(), f.2.args.len().saturating_sub(f.2.optional));
            (min..=max).map(move |n| (f.0.clone(), n))
        })
        .collect();
    let mut f = Fallbacks {
        r,
        existing,
        scalar_arities,
    };
    session(&mut f);
    strings(&mut f);
    regex_ops(&mut f);
    arrays(&mut f);
    aggregates(&mut f);
    sets(&mut f);
}

fn session(f: &mut Fallbacks<'_>) {
    use DataType::*;
    f.scalar(strict("version", exact(&[], Text), |_, _| {
        Ok(Value::str(format!(
            "PostgreSQL {} (plantdb {}) on {}-{}, compiled by rustc, 64-bit",
            crate::session::settings::SERVER_VERSION,
            env!("CARGO_PKG_VERSION"),
            std::env::consts::ARCH,
            std::env::consts::OS
        )))
    }));
    f.scalar(ScalarFunction::strict_rows(
        "now",
        exact(&[], Timestamptz),
        Volatility::Stable,
        |ctx, _| Ok(Value::Int(ctx.now_us)),
    ));
    f.scalar(strict("current_database", exact(&[], Name), |ctx, _| {
        Ok(Value::str(&ctx.database))
    }));
    f.scalar(strict("current_schema", exact(&[], Name), |_, _| {
        Ok(Value::str("public"))
    }));
    f.scalar(strict(
        "current_schemas",
        exact(&[Bool], Array(Box::new(Name))),
        |_, a| {
            let names: &[&str] = if a[0].as_bool() == Some(true) {
                &["pg_catalog", "public"]
            } else {
                &["public"]
            };
            Ok(super::rowset::array(
                Name,
                1,
                names.iter().map(Value::str).collect(),
            ))
        },
    ));
    for name in ["current_user", "session_user", "current_role", "user"] {
        f.scalar(strict(name, exact(&[], Name), |ctx, _| Ok(Value::str(&ctx.user))));
    }
    let setting = |ctx: &EvalContext, a: &[Value]| {
        let name = str_of(&a[0]);
        let missing_ok = a.get(1).and_then(Value::as_bool).unwrap_or(false);
        let preset = super::defs::setting_def(name).map(|d| d.boot_val);
        match ctx.setting(name).or(preset) {
            Some(v) => Ok(Value::str(v)),
            None if missing_ok => Ok(Value::Null),
            None => Err(QueryError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("unrecognized configuration parameter \"{name}\""),
            )),
        }
    };
    f.scalar(strict("current_setting", exact(&[Text], Text), setting));
    f.scalar(strict("current_setting", exact(&[Text, Bool], Text), setting));
    f.scalar(strict("set_config", exact(&[Text, Text, Bool], Text), |_, a| {
        Ok(a[1].clone())
    }));
    f.scalar(strict("pg_backend_pid", exact(&[], Int4), |ctx, _| {
        Ok(int4(i64::from(ctx.backend_pid)))
    }));
    f.scalar(strict("pg_size_pretty", exact(&[Int8], Text), |_, a| {
        Ok(Value::str(size_pretty(a[0].as_int().unwrap_or(0))))
    }));
}

/// PostgreSQL's `pg_size_pretty`: bytes, then kB, MB, GB, TB (rounded half up at 10 × unit).
fn size_pretty(mut n: i64) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB"];
    let mut u = 0;
    if n.abs() < 10 * 1024 {
        return format!("{n} bytes");
    }
    while u + 1 < units.len() {
        let half = (n.abs() + 512) / 1024 * n.signum();
        if half.abs() < 10 * 1024 || u + 2 == units.len() {
            return format!("{half} {}", units[u + 1]);
        }
        n /= 1024;
        u += 1;
    }
    format!("{n} {}", units[u])
}

fn strings(f: &mut Fallbacks<'_>) {
    use DataType::*;
    f.scalar(strict("replace", exact(&[Text, Text, Text], Text), |_, a| {
        let from = str_of(&a[1]);
        Ok(if from.is_empty() {
            a[0].clone()
        } else {
            Value::str(str_of(&a[0]).replace(from, str_of(&a[2])))
        })
    }));
    f.scalar(strict("lower", exact(&[Text], Text), |_, a| {
        Ok(Value::str(str_of(&a[0]).to_lowercase()))
    }));
    f.scalar(strict("upper", exact(&[Text], Text), |_, a| {
        Ok(Value::str(str_of(&a[0]).to_uppercase()))
    }));
    f.scalar(strict("length", exact(&[Text], Int4), |_, a| {
        Ok(int4(str_of(&a[0]).chars().count() as i64))
    }));
    f.scalar(strict("quote_ident", exact(&[Text], Text), |_, a| {
        Ok(Value::str(quote_ident(str_of(&a[0]))))
    }));
    f.scalar(strict("quote_literal", exact(&[Text], Text), |_, a| {
        Ok(Value::str(format!("'{}'", str_of(&a[0]).replace('\'', "''"))))
    }));
    let substr = |_: &EvalContext, a: &[Value]| {
        let chars: Vec<char> = str_of(&a[0]).chars().collect();
        let start = a[1].as_int().unwrap_or(1);
        let end = match a.get(2).and_then(Value::as_int) {
            Some(l) if l < 0 => {
                return Err(QueryError::new("22011", "negative substring length not allowed"));
            }
            Some(l) => start.saturating_add(l),
            None => i64::MAX,
        };
        let from = (start.max(1) - 1) as usize;
        let to = ((end.max(1) - 1) as usize).min(chars.len());
        Ok(Value::str(if from >= to {
            String::new()
        } else {
            chars[from..to].iter().collect()
        }))
    };
    f.scalar(strict("substr", exact(&[Text, Int4], Text), substr));
    f.scalar(strict("substr", exact(&[Text, Int4, Int4], Text), substr));
    for (name, left, right) in [
        ("btrim", true, true),
        ("ltrim", true, false),
        ("rtrim", false, true),
    ] {
        let trim = move |_: &EvalContext, a: &[Value]| {
            let set: Vec<char> = a.get(1).map_or(vec![' '], |v| str_of(v).chars().collect());
            let mut s = str_of(&a[0]);
            if left {
                s = s.trim_start_matches(|c| set.contains(&c));
            }
            if right {
                s = s.trim_end_matches(|c| set.contains(&c));
            }
            Ok(Value::str(s))
        };
        f.scalar(strict(name, exact(&[Text], Text), trim));
        f.scalar(strict(name, exact(&[Text, Text], Text), trim));
    }
    f.scalar(strict("strpos", exact(&[Text, Text], Int4), |_, a| {
        let h = str_of(&a[0]);
        Ok(int4(
            h.find(str_of(&a[1]))
                .map_or(0, |i| h[..i].chars().count() as i64 + 1),
        ))
    }));
    f.scalar(strict("||", exact(&[Text, Text], Text), |_, a| {
        Ok(Value::str(format!("{}{}", str_of(&a[0]), str_of(&a[1]))))
    }));
    // array_cat: a NULL operand counts as an empty array.
    f.scalar(lax(
        "||",
        Signature::new(vec![ArgType::AnyArray, ArgType::AnyArray], ReturnType::SameAs(0)),
        |_, a| match (array_of(&a[0]), array_of(&a[1])) {
            (Some(x), Some(y)) => {
                let mut items = x.items.clone();
                items.extend(y.items.iter().cloned());
                Ok(super::rowset::array(x.elem.clone(), x.lower, items))
            }
            (Some(_), None) => Ok(a[0].clone()),
            (None, _) => Ok(a[1].clone()),
        },
    ));
    // text || anynonarray and anynonarray || text, for the common non-text types.
    let others = [
        Int2,
        Int4,
        Int8,
        Oid,
        Float4,
        Float8,
        Numeric(None),
        Bool,
        Date,
        Time,
        Timestamp,
        Timestamptz,
        Interval,
        Uuid,
        Jsonb,
    ];
    let pairs = others
        .iter()
        .flat_map(|t| [vec![Text, t.clone()], vec![t.clone(), Text]]);
    for args in pairs {
        f.scalar(ScalarFunction::vectorized(
            "||",
            exact(&args, Text),
            Volatility::Stable,
            |ctx, args, _, n| {
                let out = (0..n)
                    .map(|i| {
                        let parts: Option<Vec<String>> = args
                            .iter()
                            .map(|a| format_value(&a.value(i), &a.ty, ctx))
                            .collect();
                        parts.map_or(Value::Null, |p| Value::str(p.concat()))
                    })
                    .collect();
                Ok(Vector::from_values(Text, out))
            },
        ));
    }
    f.scalar(lax(
        "nullif",
        Signature::new(
            vec![ArgType::AnyElement, ArgType::AnyElement],
            ReturnType::Element,
        ),
        |_, a| {
            Ok(
                if !a[0].is_null() && !a[1].is_null() && a[0].total_cmp(&a[1]).is_eq() {
                    Value::Null
                } else {
                    a[0].clone()
                },
            )
        },
    ));
    f.scalar(lax(
        "json_build_object",
        Signature::new(Vec::new(), ReturnType::Exact(Json)).variadic(ArgType::Any),
        |_, a| {
            let mut parts = Vec::new();
            for kv in a.chunks(2) {
                let key = kv.first().map(json_scalar).unwrap_or_default();
                let val = kv.get(1).map_or_else(|| "null".into(), json_scalar);
                parts.push(format!("{key} : {val}"));
            }
            Ok(Value::str(format!("{{{}}}", parts.join(", "))))
        },
    ));
    f.scalar(lax(
        "format",
        Signature::new(vec![ArgType::Exact(Text)], ReturnType::Exact(Text)).variadic(ArgType::Any),
        format_fn,
    ));
    f.scalar(strict(
        "parse_ident",
        exact(&[Text], Array(Box::new(Text))),
        |_, a| {
            let parts: Vec<Value> = str_of(&a[0])
                .split('.')
                .map(|p| {
                    let p = p.trim();
                    Value::str(match p.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                        Some(q) => q.replace("\"\"", "\""),
                        None => p.to_lowercase(),
                    })
                })
                .collect();
            Ok(super::rowset::array(Text, 1, parts))
        },
    ));
}

fn json_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Numeric(d) => d.to_string(),
        Value::Str(s) => serde_json::Value::String(s.to_string()).to_string(),
        other => serde_json::Value::String(format!("{other:?}")).to_string(),
    }
}

/// `format(fmt, args...)` with `%s`, `%I`, `%L` and `%%`.
fn format_fn(_: &EvalContext, a: &[Value]) -> Result<Value> {
    let Some(fmt) = a.first().and_then(Value::as_str) else {
        return Ok(Value::Null);
    };
    let mut out = String::new();
    let mut args = a.iter().skip(1);
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let spec = chars.next().unwrap_or('%');
        let text = |v: Option<&Value>| match v {
            Some(Value::Str(s)) => Some(s.to_string()),
            Some(Value::Null) | None => None,
            Some(Value::Int(i)) => Some(i.to_string()),
            Some(other) => Some(json_scalar(other)),
        };
        match spec {
            '%' => out.push('%'),
            's' => out.push_str(&text(args.next()).unwrap_or_default()),
            'I' => out.push_str(&quote_ident(&text(args.next()).unwrap_or_default())),
            'L' => match text(args.next()) {
                Some(t) => out.push_str(&format!("'{}'", t.replace('\'', "''"))),
                None => out.push_str("NULL"),
            },
            other => {
                return Err(QueryError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("unrecognized format() type specifier \"{other}\""),
                ));
            }
        }
    }
    Ok(Value::str(out))
}

/// Compiled regular expressions, by (pattern, case-insensitive).
fn regex(pattern: &str, insensitive: bool) -> Result<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<(String, bool), Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (pattern.to_string(), insensitive);
    if let Ok(c) = cache.lock()
        && let Some(r) = c.get(&key)
    {
        return Ok(r.clone());
    }
    let re = regex::RegexBuilder::new(pattern)
        .case_insensitive(insensitive)
        .build()
        .map_err(|e| {
            QueryError::new(
                sqlstate::INVALID_REGULAR_EXPRESSION,
                format!("invalid regular expression: {e}"),
            )
        })?;
    if let Ok(mut c) = cache.lock() {
        if c.len() > 256 {
            c.clear();
        }
        c.insert(key, re.clone());
    }
    Ok(re)
}

/// A LIKE pattern as a regular expression (`\` escapes the next character).
fn like_regex(pattern: &str) -> String {
    let mut out = String::from("(?s)^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push_str(&regex::escape(&n.to_string()));
                }
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out.push('$');
    out
}

fn regex_ops(f: &mut Fallbacks<'_>) {
    use DataType::*;
    for (op, like, insensitive, negate) in [
        ("~", false, false, false),
        ("~*", false, true, false),
        ("!~", false, false, true),
        ("!~*", false, true, true),
        ("~~", true, false, false),
        ("~~*", true, true, false),
        ("!~~", true, false, true),
        ("!~~*", true, true, true),
    ] {
        f.scalar(strict(op, exact(&[Text, Text], Bool), move |_, a| {
            let p = str_of(&a[1]);
            let re = if like {
                regex(&like_regex(p), insensitive)?
            } else {
                regex(p, insensitive)?
            };
            Ok(Value::Bool(re.is_match(str_of(&a[0])) != negate))
        }));
    }
}

fn arrays(f: &mut Fallbacks<'_>) {
    use DataType::*;
    let any_arr = |rest: &[DataType], ret: DataType| {
        let mut args = vec![ArgType::AnyArray];
        args.extend(rest.iter().cloned().map(ArgType::Exact));
        Signature::new(args, ReturnType::Exact(ret))
    };
    let join = |ctx: &EvalContext, a: &[Value]| {
        let Some(arr) = array_of(&a[0]) else {
            return Ok(Value::Null);
        };
        let sep = str_of(&a[1]);
        let null = a.get(2).and_then(Value::as_str);
        let parts: Vec<String> = arr
            .items
            .iter()
            .filter_map(|v| match format_value(v, &arr.elem, ctx) {
                Some(s) => Some(s),
                None => null.map(str::to_string),
            })
            .collect();
        Ok(Value::str(parts.join(sep)))
    };
    f.scalar(strict("array_to_string", any_arr(&[Text], Text), join));
    f.scalar(lax(
        "array_to_string",
        any_arr(&[Text, Text], Text),
        move |ctx, a| {
            if a[0].is_null() || a[1].is_null() {
                return Ok(Value::Null);
            }
            join(ctx, a)
        },
    ));
    let bound = |upper: bool| {
        move |_: &EvalContext, a: &[Value]| {
            let Some(arr) = array_of(&a[0]) else {
                return Ok(Value::Null);
            };
            if a[1].as_int() != Some(1) || arr.items.is_empty() {
                return Ok(Value::Null);
            }
            let lower = i64::from(arr.lower);
            Ok(int4(if upper {
                lower + arr.items.len() as i64 - 1
            } else {
                lower
            }))
        }
    };
    f.scalar(strict("array_upper", any_arr(&[Int4], Int4), bound(true)));
    f.scalar(strict("array_lower", any_arr(&[Int4], Int4), bound(false)));
    f.scalar(strict("array_length", any_arr(&[Int4], Int4), |_, a| {
        Ok(match array_of(&a[0]) {
            Some(arr) if a[1].as_int() == Some(1) && !arr.items.is_empty() => int4(arr.items.len() as i64),
            _ => Value::Null,
        })
    }));
    f.scalar(strict("cardinality", any_arr(&[], Int4), |_, a| {
        Ok(int4(array_of(&a[0]).map_or(0, |x| x.items.len() as i64)))
    }));
    f.scalar(strict(
        "string_to_array",
        exact(&[Text, Text], Array(Box::new(Text))),
        |_, a| {
            let s = str_of(&a[0]);
            let sep = str_of(&a[1]);
            let items: Vec<Value> = if s.is_empty() {
                Vec::new()
            } else if sep.is_empty() {
                vec![Value::str(s)]
            } else {
                s.split(sep).map(Value::str).collect()
            };
            Ok(super::rowset::array(Text, 1, items))
        },
    ));
}

/// A per-group state folded row by row.
struct Fold<S> {
    states: Vec<S>,
    step: fn(&mut S, &[Value]),
    merge: fn(&mut S, S),
    finish: fn(&S, &DataType) -> Value,
    ret: DataType,
}

impl<S: Default + Clone + Send + 'static> Accumulator for Fold<S> {
    fn resize(&mut self, groups: usize) {
        if self.states.len() < groups {
            self.states.resize(groups, S::default());
        }
    }
    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        let mut row = Vec::with_capacity(args.len());
        for (i, &g) in groups.iter().enumerate() {
            row.clear();
            row.extend(args.iter().map(|a| a.value(i)));
            if let Some(s) = self.states.get_mut(g as usize) {
                (self.step)(s, &row);
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let Some(o) = other.as_any_mut().downcast_mut::<Fold<S>>() else {
            return Err(crate::error::internal("aggregate merge of different kinds"));
        };
        for (g, s) in std::mem::take(&mut o.states).into_iter().enumerate() {
            let target = map.get(g).copied().unwrap_or(0) as usize;
            self.resize(target + 1);
            if let Some(t) = self.states.get_mut(target) {
                (self.merge)(t, s);
            }
        }
        Ok(())
    }
    fn value(&self, group: usize) -> Result<Value> {
        Ok(self
            .states
            .get(group)
            .map_or(Value::Null, |s| (self.finish)(s, &self.ret)))
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn fold<S: Default + Clone + Send + 'static>(
    name: &str,
    sig: Signature,
    step: fn(&mut S, &[Value]),
    merge: fn(&mut S, S),
    finish: fn(&S, &DataType) -> Value,
) -> AggregateFunction {
    AggregateFunction::new(name, sig, move |spec| {
        Ok(Box::new(Fold::<S> {
            states: Vec::new(),
            step,
            merge,
            finish,
            ret: spec.return_type.clone(),
        }) as Box<dyn Accumulator>)
    })
}

/// Keeps the smaller (or larger) non-NULL value.
fn keep(s: &mut Option<Value>, v: &Value, want: std::cmp::Ordering) {
    if v.is_null() {
        return;
    }
    match s {
        Some(cur) if v.total_cmp(cur) != want => {}
        _ => *s = Some(v.clone()),
    }
}

fn aggregates(f: &mut Fallbacks<'_>) {
    use DataType::*;
    use std::cmp::Ordering::{Greater, Less};
    f.aggregate(fold::<i64>(
        "count",
        exact(&[], Int8),
        |s, _| *s += 1,
        |s, o| *s += o,
        |s, _| Value::Int(*s),
    ));
    f.aggregate(fold::<i64>(
        "count",
        Signature::new(vec![ArgType::Any], ReturnType::Exact(Int8)),
        |s, a| *s += i64::from(!a[0].is_null()),
        |s, o| *s += o,
        |s, _| Value::Int(*s),
    ));
    let elem = |name: &str, want: std::cmp::Ordering| {
        let step: fn(&mut Option<Value>, &[Value]) = if want == Less {
            |s, a| keep(s, &a[0], Less)
        } else {
            |s, a| keep(s, &a[0], Greater)
        };
        let merge: fn(&mut Option<Value>, Option<Value>) = if want == Less {
            |s, o| keep(s, &o.unwrap_or(Value::Null), Less)
        } else {
            |s, o| keep(s, &o.unwrap_or(Value::Null), Greater)
        };
        fold::<Option<Value>>(
            name,
            Signature::new(vec![ArgType::AnyElement], ReturnType::Element),
            step,
            merge,
            |s, _| s.clone().unwrap_or(Value::Null),
        )
    };
    f.aggregate(elem("min", Less));
    f.aggregate(elem("max", Greater));
    f.aggregate(fold::<Option<bool>>(
        "bool_and",
        exact(&[Bool], Bool),
        |s, a| {
            if let Some(v) = a[0].as_bool() {
                *s = Some(s.unwrap_or(true) && v);
            }
        },
        |s, o| {
            if let Some(v) = o {
                *s = Some(s.unwrap_or(true) && v);
            }
        },
        |s, _| s.map_or(Value::Null, Value::Bool),
    ));
    f.aggregate(fold::<Option<bool>>(
        "bool_or",
        exact(&[Bool], Bool),
        |s, a| {
            if let Some(v) = a[0].as_bool() {
                *s = Some(s.unwrap_or(false) || v);
            }
        },
        |s, o| {
            if let Some(v) = o {
                *s = Some(s.unwrap_or(false) || v);
            }
        },
        |s, _| s.map_or(Value::Null, Value::Bool),
    ));
    f.aggregate(fold::<Option<String>>(
        "string_agg",
        exact(&[Text, Text], Text),
        |s, a| {
            let Some(v) = a[0].as_str() else { return };
            match s {
                Some(acc) => {
                    acc.push_str(a[1].as_str().unwrap_or(""));
                    acc.push_str(v);
                }
                None => *s = Some(v.to_string()),
            }
        },
        |s, o| {
            if let Some(o) = o {
                match s {
                    Some(acc) => acc.push_str(&o),
                    None => *s = Some(o),
                }
            }
        },
        |s, _| s.as_deref().map_or(Value::Null, Value::str),
    ));
    f.aggregate(fold::<Option<Vec<Value>>>(
        "array_agg",
        Signature::new(vec![ArgType::AnyElement], ReturnType::ArrayOfElement),
        |s, a| s.get_or_insert_with(Vec::new).push(a[0].clone()),
        |s, o| {
            if let Some(o) = o {
                s.get_or_insert_with(Vec::new).extend(o);
            }
        },
        |s, ret| match s {
            None => Value::Null,
            Some(items) => {
                let elem = match ret {
                    Array(e) => (**e).clone(),
                    t => t.clone(),
                };
                super::rowset::array(elem, 1, items.clone())
            }
        },
    ));
    f.window(WindowFunction::new("row_number", exact(&[], Int8), |_, input| {
        let n = input.peers.len();
        Ok(Vector::ints(Int8, (1..=n as i64).collect()))
    }));
}

fn elem_of(types: &[DataType]) -> DataType {
    match types.first() {
        Some(DataType::Array(e)) => (**e).clone(),
        _ => DataType::Text,
    }
}

fn sets(f: &mut Fallbacks<'_>) {
    use DataType::*;
    f.table(TableFunction {
        name: "unnest".into(),
        signature: Signature::new(vec![ArgType::AnyArray], ReturnType::Element),
        columns: Arc::new(|types| Ok(vec![("unnest".to_string(), elem_of(types))])),
        kernel: Arc::new(|_, args, types| {
            let items = args
                .first()
                .and_then(array_of)
                .map(|a| a.items.clone())
                .unwrap_or_default();
            Ok(one_batch(vec![(elem_of(types), items)]))
        }),
        description: "expand an array to a set of rows".into(),
    });
    f.table(TableFunction {
        name: "generate_subscripts".into(),
        signature: Signature::new(
            vec![ArgType::AnyArray, ArgType::Exact(Int4)],
            ReturnType::Exact(Int4),
        ),
        columns: Arc::new(|_| Ok(vec![("generate_subscripts".to_string(), Int4)])),
        kernel: Arc::new(|_, args, _| {
            let subs = match (
                args.first().and_then(array_of),
                args.get(1).and_then(Value::as_int),
            ) {
                (Some(a), Some(1)) => {
                    let lo = i64::from(a.lower);
                    (lo..lo + a.items.len() as i64).map(Value::Int).collect()
                }
                _ => Vec::new(),
            };
            Ok(one_batch(vec![(Int4, subs)]))
        }),
        description: "subscripts of an array dimension".into(),
    });
    for ty in [Int4, Int8] {
        for with_step in [false, true] {
            let mut args = vec![ty.clone(), ty.clone()];
            if with_step {
                args.push(ty.clone());
            }
            let out = ty.clone();
            f.table(TableFunction {
                name: "generate_series".into(),
                signature: exact(&args, ty.clone()),
                columns: Arc::new(move |_| Ok(vec![("generate_series".to_string(), out.clone())])),
                kernel: Arc::new(|_, args, types| {
                    let (Some(start), Some(stop)) = (args[0].as_int(), args[1].as_int()) else {
                        return Ok(one_batch(Vec::new()));
                    };
                    let step = args.get(2).and_then(Value::as_int).unwrap_or(1);
                    if step == 0 {
                        return Err(QueryError::new(
                            sqlstate::INVALID_PARAMETER_VALUE,
                            "step size cannot equal zero",
                        ));
                    }
                    let mut vals = Vec::new();
                    let mut i = start;
                    while (step > 0 && i <= stop) || (step < 0 && i >= stop) {
                        vals.push(Value::Int(i));
                        if vals.len() > 10_000_000 {
                            break;
                        }
                        let Some(n) = i.checked_add(step) else { break };
                        i = n;
                    }
                    let ty = types.first().cloned().unwrap_or(DataType::Int4);
                    Ok(one_batch(vec![(ty, vals)]))
                }),
                description: "a series of integers".into(),
            });
        }
    }
}
