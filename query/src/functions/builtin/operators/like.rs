//! LIKE and ILIKE (`~~ ~~* !~~ !~~*`): `%` matches any sequence, `_` one character, `\` escapes.
//! A constant pattern is compiled once (plain equality, prefix, suffix and substring patterns get
//! dedicated matchers) and tested once per distinct dictionary entry.
use crate::error::{QueryError, Result};
use crate::functions::builtin::kernels::{const_null, is_const, text_map};
use crate::functions::builtin::kernels::{reg_vec, t};
use crate::functions::{Registry, Signature};
use crate::types::{DataType, Value};
use crate::vector::Vector;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Lit(Vec<u8>),
    Any,
    One,
}

/// A compiled LIKE pattern.
#[derive(Debug, Clone)]
pub(crate) enum Like {
    Exact(Vec<u8>),
    Prefix(Vec<u8>),
    Suffix(Vec<u8>),
    Contains(Vec<u8>),
    General(Vec<Tok>),
}

fn escape_err() -> QueryError {
    QueryError::new("22025", "LIKE pattern must not end with escape character")
}

impl Like {
    /// Compiles a pattern; `fold` lowers ASCII letters (ILIKE in the C locale).
    pub(crate) fn compile(p: &[u8], fold: bool) -> Result<Like> {
        let mut toks: Vec<Tok> = Vec::new();
        let mut lit = Vec::new();
        let mut i = 0;
        let flush = |lit: &mut Vec<u8>, toks: &mut Vec<Tok>| {
            if !lit.is_empty() {
                toks.push(Tok::Lit(std::mem::take(lit)));
            }
        };
        while i < p.len() {
            match p[i] {
                b'\\' => {
                    let Some(&c) = p.get(i + 1) else {
                        return Err(escape_err());
                    };
                    // Escaped multi-byte characters: copy the whole character.
                    let w = utf8_width(c);
                    lit.extend_from_slice(&p[i + 1..(i + 1 + w).min(p.len())]);
                    i += 1 + w;
                    continue;
                }
                b'%' => {
                    flush(&mut lit, &mut toks);
                    if toks.last() != Some(&Tok::Any) {
                        toks.push(Tok::Any);
                    }
                }
                b'_' => {
                    flush(&mut lit, &mut toks);
                    toks.push(Tok::One);
                }
                c => lit.push(if fold { c.to_ascii_lowercase() } else { c }),
            }
            i += 1;
        }
        flush(&mut lit, &mut toks);
        if fold {
            for t in &mut toks {
                if let Tok::Lit(l) = t {
                    l.make_ascii_lowercase();
                }
            }
        }
        Ok(match toks.as_slice() {
            [] => Like::Exact(vec![]),
            [Tok::Lit(l)] => Like::Exact(l.clone()),
            [Tok::Lit(l), Tok::Any] => Like::Prefix(l.clone()),
            [Tok::Any, Tok::Lit(l)] => Like::Suffix(l.clone()),
            [Tok::Any, Tok::Lit(l), Tok::Any] => Like::Contains(l.clone()),
            [Tok::Any] => Like::Prefix(vec![]),
            _ => Like::General(toks),
        })
    }

    /// Whether `s` matches.
    pub(crate) fn matches(&self, s: &[u8]) -> bool {
        match self {
            Like::Exact(l) => s == &l[..],
            Like::Prefix(l) => s.starts_with(l),
            Like::Suffix(l) => s.ends_with(l),
            Like::Contains(l) => l.is_empty() || s.windows(l.len()).any(|w| w == &l[..]),
            Like::General(toks) => general(toks, s),
        }
    }
}

fn utf8_width(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Backtracking match of tokens against `s` (only the last `%` needs to be revisited).
fn general(toks: &[Tok], s: &[u8]) -> bool {
    let (mut ti, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if ti < toks.len() {
            match &toks[ti] {
                Tok::Any => {
                    star = Some((ti, si));
                    ti += 1;
                    continue;
                }
                Tok::One if si < s.len() => {
                    si += utf8_width(s[si]);
                    ti += 1;
                    continue;
                }
                Tok::Lit(l) if s[si.min(s.len())..].starts_with(l) => {
                    si += l.len();
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        } else if si >= s.len() {
            return true;
        }
        // Mismatch: let the last % swallow one more character.
        match star {
            Some((st, ss)) if ss < s.len() => {
                let ns = ss + utf8_width(s[ss]);
                star = Some((st, ns));
                ti = st + 1;
                si = ns;
            }
            _ => return false,
        }
    }
}

fn like_kernel(
    fold: bool,
    negate: bool,
) -> impl Fn(&crate::context::EvalContext, &[Vector], &DataType, usize) -> Result<Vector> + Send + Sync + 'static
{
    move |_ctx, args, ret, len| {
        let (s, p) = (&args[0], &args[1]);
        if const_null(s) || const_null(p) {
            return Ok(Vector::nulls(ret.clone(), len));
        }
        if is_const(p) {
            let m = Like::compile(p.bytes_at(0), fold)?;
            return text_map::<bool>(s, ret, |b| {
                let r = if fold {
                    m.matches(&b.to_ascii_lowercase())
                } else {
                    m.matches(b)
                };
                Ok(r != negate)
            });
        }
        let mut cache: Option<(Vec<u8>, Like)> = None;
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            if s.is_null(i) || p.is_null(i) {
                out.push(Value::Null);
                continue;
            }
            let pat = p.bytes_at(i);
            let m = match &cache {
                Some((k, m)) if k == pat => m,
                _ => &cache.insert((pat.to_vec(), Like::compile(pat, fold)?)).1,
            };
            let b = s.bytes_at(i);
            let r = if fold {
                m.matches(&b.to_ascii_lowercase())
            } else {
                m.matches(b)
            };
            out.push(Value::Bool(r != negate));
        }
        Ok(Vector::from_values(ret.clone(), out))
    }
}

/// Registers the LIKE operators.
pub(crate) fn register(r: &mut Registry) {
    for (name, fold, negate) in [
        ("~~", false, false),
        ("~~*", true, false),
        ("!~~", false, true),
        ("!~~*", true, true),
    ] {
        reg_vec(
            r,
            name,
            Signature::exact(&[t::TEXT, t::TEXT], t::BOOL),
            like_kernel(fold, negate),
        );
        reg_vec(
            r,
            name,
            Signature::exact(&[t::BYTEA, t::BYTEA], t::BOOL),
            like_kernel(fold, negate),
        );
    }
}
