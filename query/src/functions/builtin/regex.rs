//! Regular expressions (the `regex` crate standing in for PostgreSQL's ARE engine: same syntax
//! for the common cases; `\m \M \y \Y \Z` are translated, back-references in patterns are not
//! supported): the operators `~ ~* !~ !~*`, `regexp_replace`, `regexp_match`, `regexp_matches`,
//! `regexp_split_to_array` / `_to_table`, `regexp_count`, `regexp_instr`, `regexp_like` and
//! `regexp_substr`. Compiled patterns are cached.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use regex::{Regex, RegexBuilder};

use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::kernels::{
    array_value, const_null, int_of, is_const, map_values, qerr, reg_vec, t, text_map, value_str,
};
use crate::functions::{Registry, Signature, TableFunction};
use crate::types::{DataType, Value};
use crate::vector::{Batch, Vector};

/// Parsed regex flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Flags {
    pub global: bool,
    pub icase: bool,
    /// `.` and bracket expressions exclude newline, `^`/`$` match at lines (n/m).
    pub newline: bool,
    /// Partial newline sensitivity (p) / inverse partial (w).
    pub partial: bool,
    pub inverse_partial: bool,
    pub expanded: bool,
    pub literal: bool,
}

/// Parses a PostgreSQL flag string.
pub(crate) fn parse_flags(s: &str, allow_global: bool, func: &str) -> Result<Flags> {
    let mut f = Flags::default();
    for c in s.chars() {
        match c {
            'g' if allow_global => f.global = true,
            'g' => {
                return Err(qerr(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("{func}() does not support the \"global\" option"),
                )
                .with_hint(if func == "regexp_match" {
                    "Use the regexp_matches function instead."
                } else {
                    "Use the regexp_replace function instead."
                }));
            }
            'i' => f.icase = true,
            'c' => f.icase = false,
            'n' | 'm' => {
                f.newline = true;
                f.partial = false;
                f.inverse_partial = false;
            }
            's' => {
                f.newline = false;
                f.partial = false;
                f.inverse_partial = false;
            }
            'p' => {
                f.partial = true;
                f.newline = false;
            }
            'w' => {
                f.inverse_partial = true;
                f.newline = false;
            }
            'x' => f.expanded = true,
            't' => f.expanded = false,
            'q' => f.literal = true,
            'b' | 'e' => {}
            other => {
                return Err(qerr(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("invalid regular expression option: \"{other}\""),
                ));
            }
        }
    }
    Ok(f)
}

/// Rewrites ARE escapes that the regex crate spells differently.
fn translate(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let mut it = p.chars().peekable();
    let mut in_bracket = false;
    while let Some(c) = it.next() {
        if in_bracket {
            out.push(c);
            if c == ']' {
                in_bracket = false;
            } else if c == '[' && it.peek() == Some(&':') {
                // [:class:]
                for d in it.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            continue;
        }
        match c {
            '[' => {
                in_bracket = true;
                out.push(c);
                if it.peek() == Some(&'^') {
                    out.push('^');
                    it.next();
                }
                if it.peek() == Some(&']') {
                    out.push_str("\\]");
                    it.next();
                }
            }
            '\\' => match it.next() {
                Some('m') => out.push_str("\\b{start}"),
                Some('M') => out.push_str("\\b{end}"),
                Some('y') => out.push_str("\\b"),
                Some('Y') => out.push_str("\\B"),
                Some('Z') => out.push_str("\\z"),
                Some(d) => {
                    out.push('\\');
                    out.push(d);
                }
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

fn regex_error(e: &regex::Error) -> QueryError {
    let msg = e.to_string();
    let line = msg
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| l.trim_start().trim_start_matches("error:").trim().to_string())
        .unwrap_or(msg);
    qerr(
        sqlstate::INVALID_REGULAR_EXPRESSION,
        format!("invalid regular expression: {line}"),
    )
}

type Cache = Mutex<HashMap<(String, Flags), Arc<Regex>>>;

fn cache() -> &'static Cache {
    static C: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Compiles (or fetches) a pattern.
pub(crate) fn compile(pattern: &str, flags: Flags) -> Result<Arc<Regex>> {
    let key = (
        pattern.to_string(),
        Flags {
            global: false,
            ..flags
        },
    );
    if let Ok(c) = cache().lock()
        && let Some(r) = c.get(&key)
    {
        return Ok(r.clone());
    }
    let src = if flags.literal {
        regex::escape(pattern)
    } else {
        translate(pattern)
    };
    let re = RegexBuilder::new(&src)
        .case_insensitive(flags.icase)
        .dot_matches_new_line(!(flags.newline || flags.partial))
        .multi_line(flags.newline || flags.inverse_partial)
        .ignore_whitespace(flags.expanded)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| regex_error(&e))?;
    let re = Arc::new(re);
    if let Ok(mut c) = cache().lock() {
        if c.len() > 512 {
            c.clear();
        }
        c.insert(key, re.clone());
    }
    Ok(re)
}

fn char_to_byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn byte_to_char(s: &str, b: usize) -> usize {
    s[..b].chars().count()
}

/// Expands `\1`..`\9`, `\&` and `\\` in a replacement.
fn expand(rep: &str, caps: &regex::Captures<'_>, out: &mut String) {
    let mut it = rep.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.peek().copied() {
            Some(d @ '1'..='9') => {
                it.next();
                let k = d as usize - '0' as usize;
                if let Some(m) = caps.get(k) {
                    out.push_str(m.as_str());
                }
            }
            Some('&') => {
                it.next();
                if let Some(m) = caps.get(0) {
                    out.push_str(m.as_str());
                }
            }
            Some('\\') => {
                it.next();
                out.push('\\');
            }
            _ => out.push('\\'),
        }
    }
}

/// `regexp_replace` from char position `start` (1-based); `n` = which match (0: all).
fn replace(s: &str, re: &Regex, rep: &str, start: usize, n: usize) -> String {
    let from = char_to_byte(s, start.saturating_sub(1));
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..from]);
    let mut last = from;
    let mut count = 0;
    for caps in re.captures_iter(&s[from..]) {
        let Some(m) = caps.get(0) else { continue };
        count += 1;
        if n != 0 && count != n {
            continue;
        }
        out.push_str(&s[last..from + m.start()]);
        expand(rep, &caps, &mut out);
        last = from + m.end();
        if n != 0 {
            break;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Captures of the first match as a text[] (the whole match when there are no groups).
fn match_array(caps: &regex::Captures<'_>) -> Value {
    let items = if caps.len() == 1 {
        vec![caps.get(0).map_or(Value::Null, |m| Value::str(m.as_str()))]
    } else {
        (1..caps.len())
            .map(|k| caps.get(k).map_or(Value::Null, |m| Value::str(m.as_str())))
            .collect()
    };
    array_value(DataType::Text, items)
}

/// Pieces of a split, ignoring zero-length matches at the ends and right after a match.
fn split<'a>(s: &'a str, re: &Regex) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut prev_end = 0;
    for m in re.find_iter(s) {
        if m.start() < s.len() && m.end() > prev_end {
            out.push(&s[prev_end..m.start()]);
            prev_end = m.end();
        }
    }
    out.push(&s[prev_end..]);
    out
}

fn flags_arg(v: Option<&Value>, allow_global: bool, func: &str) -> Result<Flags> {
    match v {
        Some(f) => parse_flags(value_str(f), allow_global, func),
        None => Ok(Flags::default()),
    }
}

fn positive(v: i64, what: &str) -> Result<usize> {
    if v <= 0 {
        return Err(qerr(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"{what}\": {v}"),
        ));
    }
    Ok(v as usize)
}

fn regex_op(
    icase: bool,
    negate: bool,
) -> impl Fn(&crate::context::EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static
{
    move |_ctx, args, ret, len| {
        let (s, p) = (&args[0], &args[1]);
        if const_null(s) || const_null(p) {
            return Ok(Vector::nulls(ret.clone(), len));
        }
        let flags = Flags {
            icase,
            ..Flags::default()
        };
        if is_const(p) {
            let re = compile(p.str_at(0), flags)?;
            return text_map::<bool>(s, ret, |b| {
                Ok(re.is_match(std::str::from_utf8(b).unwrap_or("")) != negate)
            });
        }
        map_values(args, ret, len, |v| {
            let re = compile(value_str(&v[1]), flags)?;
            Ok(Value::Bool(re.is_match(value_str(&v[0])) != negate))
        })
    }
}

fn table(
    name: &str,
    args: &[DataType],
    optional: usize,
    column: (&'static str, DataType),
    rows: fn(&[Value]) -> Result<Vec<Value>>,
) -> TableFunction {
    let col_ty = column.1.clone();
    TableFunction {
        name: name.into(),
        signature: Signature::exact(args, col_ty.clone()).optional(optional),
        columns: Arc::new(move |_| Ok(vec![(column.0.to_string(), column.1.clone())])),
        kernel: Arc::new(move |_ctx, vals, _types| {
            if vals.iter().any(Value::is_null) {
                return Ok(Box::new(std::iter::empty()));
            }
            let out = rows(vals)?;
            let ty = col_ty.clone();
            let chunks: Vec<Vec<Value>> = out.chunks(8192).map(|c| c.to_vec()).collect();
            Ok(Box::new(chunks.into_iter().map(move |c| {
                let n = c.len();
                Ok(Batch::new(vec![Vector::from_values(ty.clone(), c)], n))
            })))
        }),
        description: String::new(),
    }
}

/// Registers the regular expression operators and functions.
pub(crate) fn register(r: &mut Registry) {
    for (name, icase, negate) in [
        ("~", false, false),
        ("~*", true, false),
        ("!~", false, true),
        ("!~*", true, true),
    ] {
        reg_vec(
            r,
            name,
            Signature::exact(&[t::TEXT, t::TEXT], t::BOOL),
            regex_op(icase, negate),
        );
    }
    reg_vec(
        r,
        "regexp_replace",
        Signature::exact(&[t::TEXT, t::TEXT, t::TEXT, t::TEXT], t::TEXT).optional(1),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(3), true, "regexp_replace")?;
                let re = compile(value_str(&v[1]), f)?;
                Ok(Value::str(replace(
                    value_str(&v[0]),
                    &re,
                    value_str(&v[2]),
                    1,
                    if f.global { 0 } else { 1 },
                )))
            })
        },
    );
    reg_vec(
        r,
        "regexp_replace",
        Signature::exact(&[t::TEXT, t::TEXT, t::TEXT, t::I4, t::I4, t::TEXT], t::TEXT).optional(2),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(5), true, "regexp_replace")?;
                let start = positive(int_of(&v[3]), "start")?;
                let n = match v.get(4) {
                    Some(n) => {
                        let n = int_of(n);
                        if n < 0 {
                            return Err(qerr(
                                sqlstate::INVALID_PARAMETER_VALUE,
                                format!("invalid value for parameter \"n\": {n}"),
                            ));
                        }
                        n as usize
                    }
                    None => {
                        if f.global {
                            0
                        } else {
                            1
                        }
                    }
                };
                let re = compile(value_str(&v[1]), f)?;
                let n = if f.global && v.get(4).is_none() { 0 } else { n };
                Ok(Value::str(replace(
                    value_str(&v[0]),
                    &re,
                    value_str(&v[2]),
                    start,
                    n,
                )))
            })
        },
    );
    reg_vec(
        r,
        "regexp_match",
        Signature::exact(&[t::TEXT, t::TEXT, t::TEXT], t::arr(t::TEXT)).optional(1),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(2), false, "regexp_match")?;
                let re = compile(value_str(&v[1]), f)?;
                Ok(re
                    .captures(value_str(&v[0]))
                    .map_or(Value::Null, |c| match_array(&c)))
            })
        },
    );
    reg_vec(
        r,
        "regexp_split_to_array",
        Signature::exact(&[t::TEXT, t::TEXT, t::TEXT], t::arr(t::TEXT)).optional(1),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(2), false, "regexp_split_to_array")?;
                let re = compile(value_str(&v[1]), f)?;
                Ok(array_value(
                    DataType::Text,
                    split(value_str(&v[0]), &re).into_iter().map(Value::str).collect(),
                ))
            })
        },
    );
    reg_vec(
        r,
        "regexp_count",
        Signature::exact(&[t::TEXT, t::TEXT, t::I4, t::TEXT], t::I4).optional(2),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(3), false, "regexp_count")?;
                let start = positive(v.get(2).map_or(1, int_of), "start")?;
                let re = compile(value_str(&v[1]), f)?;
                let s = value_str(&v[0]);
                let from = char_to_byte(s, start - 1);
                Ok(Value::Int(re.find_iter(&s[from..]).count() as i64))
            })
        },
    );
    reg_vec(
        r,
        "regexp_like",
        Signature::exact(&[t::TEXT, t::TEXT, t::TEXT], t::BOOL).optional(1),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(2), false, "regexp_like")?;
                let re = compile(value_str(&v[1]), f)?;
                Ok(Value::Bool(re.is_match(value_str(&v[0]))))
            })
        },
    );
    reg_vec(
        r,
        "regexp_substr",
        Signature::exact(&[t::TEXT, t::TEXT, t::I4, t::I4, t::TEXT, t::I4], t::TEXT).optional(4),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(4), false, "regexp_substr")?;
                let start = positive(v.get(2).map_or(1, int_of), "start")?;
                let n = positive(v.get(3).map_or(1, int_of), "n")?;
                let sub = v.get(5).map_or(0, int_of).max(0) as usize;
                let re = compile(value_str(&v[1]), f)?;
                let s = value_str(&v[0]);
                let from = char_to_byte(s, start - 1);
                Ok(re
                    .captures_iter(&s[from..])
                    .nth(n - 1)
                    .and_then(|c| c.get(sub).map(|m| Value::str(m.as_str())))
                    .unwrap_or(Value::Null))
            })
        },
    );
    reg_vec(
        r,
        "regexp_instr",
        Signature::exact(&[t::TEXT, t::TEXT, t::I4, t::I4, t::I4, t::TEXT, t::I4], t::I4).optional(5),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                let f = flags_arg(v.get(5), false, "regexp_instr")?;
                let start = positive(v.get(2).map_or(1, int_of), "start")?;
                let n = positive(v.get(3).map_or(1, int_of), "n")?;
                let endopt = v.get(4).map_or(0, int_of);
                let sub = v.get(6).map_or(0, int_of).max(0) as usize;
                let re = compile(value_str(&v[1]), f)?;
                let s = value_str(&v[0]);
                let from = char_to_byte(s, start - 1);
                Ok(Value::Int(
                    match re.captures_iter(&s[from..]).nth(n - 1).and_then(|c| c.get(sub)) {
                        None => 0,
                        Some(m) => {
                            let b = if endopt != 0 {
                                from + m.end()
                            } else {
                                from + m.start()
                            };
                            byte_to_char(s, b) as i64 + 1
                        }
                    },
                ))
            })
        },
    );
    r.register_table(table(
        "regexp_matches",
        &[t::TEXT, t::TEXT, t::TEXT],
        1,
        ("regexp_matches", t::arr(t::TEXT)),
        |v| {
            let f = flags_arg(v.get(2), true, "regexp_matches")?;
            let re = compile(value_str(&v[1]), f)?;
            let s = value_str(&v[0]);
            let mut out = Vec::new();
            for c in re.captures_iter(s) {
                out.push(match_array(&c));
                if !f.global {
                    break;
                }
            }
            Ok(out)
        },
    ));
    r.register_table(table(
        "regexp_split_to_table",
        &[t::TEXT, t::TEXT, t::TEXT],
        1,
        ("regexp_split_to_table", t::TEXT),
        |v| {
            let f = flags_arg(v.get(2), false, "regexp_split_to_table")?;
            let re = compile(value_str(&v[1]), f)?;
            Ok(split(value_str(&v[0]), &re).into_iter().map(Value::str).collect())
        },
    ));
}
