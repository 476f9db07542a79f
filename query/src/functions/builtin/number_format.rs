//! `to_char` for numbers with the common template patterns: `9 0 . D , G S MI PL SG EEEE RN V L
//! TH FM` and quoted text, laid out as PostgreSQL does (a sign slot before the digits, `#` on
//! overflow, FM trimming).
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::kernels::{qerr, t, value_str};
use crate::functions::{Registry, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Decimal, Value};

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Digit { zero: bool },
    Point,
    Group,
    S,
    Mi,
    Pl,
    Sg,
    Th(bool),
    L,
    Eeee,
    Rn(bool),
    V,
    Lit(String),
}

struct Format {
    items: Vec<Item>,
    fm: bool,
    pre: usize,
    post: usize,
    /// Index (among the integer digits) of the first `0`.
    zero_start: Option<usize>,
    has_point: bool,
    eeee: bool,
    rn: Option<bool>,
    mult: u32,
    explicit_sign: bool,
}

fn parse(f: &str) -> Result<Format> {
    let cs: Vec<char> = f.chars().collect();
    let mut items = Vec::new();
    let mut fm = false;
    let mut i = 0;
    let starts = |i: usize, s: &str| {
        let n = s.chars().count();
        i + n <= cs.len() && cs[i..i + n].iter().collect::<String>().eq_ignore_ascii_case(s)
    };
    while i < cs.len() {
        let c = cs[i];
        if c == '"' {
            let (lit, next) = super::datetime_format::quoted(&cs, i);
            items.push(Item::Lit(lit));
            i = next;
            continue;
        }
        let (item, n) = if starts(i, "FM") {
            fm = true;
            i += 2;
            continue;
        } else if starts(i, "EEEE") {
            (Item::Eeee, 4)
        } else if starts(i, "MI") {
            (Item::Mi, 2)
        } else if starts(i, "PL") {
            (Item::Pl, 2)
        } else if starts(i, "SG") {
            (Item::Sg, 2)
        } else if starts(i, "RN") {
            (Item::Rn(c == 'r'), 2)
        } else if starts(i, "TH") {
            (Item::Th(c == 'T'), 2)
        } else {
            match c {
                '9' => (Item::Digit { zero: false }, 1),
                '0' => (Item::Digit { zero: true }, 1),
                '.' | 'D' | 'd' => (Item::Point, 1),
                ',' | 'G' | 'g' => (Item::Group, 1),
                'S' | 's' => (Item::S, 1),
                'L' | 'l' => (Item::L, 1),
                'V' | 'v' => (Item::V, 1),
                other => (Item::Lit(other.to_string()), 1),
            }
        };
        items.push(item);
        i += n;
    }
    let mut pre = 0;
    let mut post = 0;
    let mut mult = 0;
    let mut zero_start = None;
    let mut has_point = false;
    let mut after_v = false;
    for it in &items {
        match it {
            Item::Digit { zero } => {
                if after_v {
                    mult += 1;
                    pre += 1;
                } else if has_point {
                    post += 1;
                } else {
                    if *zero && zero_start.is_none() {
                        zero_start = Some(pre);
                    }
                    pre += 1;
                }
            }
            Item::Point => has_point = true,
            Item::V => after_v = true,
            _ => {}
        }
    }
    let eeee = items.contains(&Item::Eeee);
    if eeee && fm {
        return Err(qerr(
            sqlstate::SYNTAX_ERROR,
            "\"EEEE\" is incompatible with other formats",
        )
        .with_detail("\"EEEE\" may only be used together with digit and decimal point patterns."));
    }
    let rn = items.iter().find_map(|x| match x {
        Item::Rn(lower) => Some(*lower),
        _ => None,
    });
    let explicit_sign = items.iter().any(|x| matches!(x, Item::S | Item::Mi | Item::Sg));
    Ok(Format {
        items,
        fm,
        pre,
        post,
        zero_start,
        has_point,
        eeee,
        rn,
        mult,
        explicit_sign,
    })
}

/// A number reduced to what the layout needs.
struct Num {
    neg: bool,
    /// Integer digits without leading zeros ("" for zero).
    int: String,
    /// Exactly `post` fraction digits.
    frac: String,
    /// Not representable (NaN).
    nan: bool,
    zero: bool,
}

fn split_fixed(s: &str) -> (String, String) {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let i = i.trim_start_matches('0').to_string();
    (i, f.to_string())
}

fn from_decimal(d: Decimal, post: usize, mult: u32) -> Result<Num> {
    let d = if mult > 0 {
        crate::functions::builtin::kernels::dec_mul(d, Decimal::new(10i128.pow(mult.min(30)), 0))?
    } else {
        d
    };
    let r = d
        .round(post as i32)
        .map_err(crate::functions::builtin::kernels::dec_err)?;
    let s = r.abs().to_string();
    let (int, frac) = split_fixed(&s);
    Ok(Num {
        neg: r.signum() < 0,
        zero: r.signum() == 0,
        int,
        frac: format!("{frac:0<post$}"),
        nan: false,
    })
}

fn from_f64(x: f64, post: usize, mult: u32) -> Num {
    let x = x * 10f64.powi(mult as i32);
    if !x.is_finite() {
        return Num {
            neg: false,
            int: String::new(),
            frac: String::new(),
            nan: true,
            zero: false,
        };
    }
    let s = format!("{:.*}", post, x.abs());
    let (int, frac) = split_fixed(&s);
    Num {
        neg: x.is_sign_negative(),
        zero: x == 0.0,
        int,
        frac,
        nan: false,
    }
}

fn ordinal(n: &str, upper: bool) -> &'static str {
    let v: u64 = n.parse().unwrap_or(0);
    let m = v % 100;
    let s = if (11..=13).contains(&m) {
        "th"
    } else {
        match m % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    if !upper {
        return s;
    }
    match s {
        "st" => "ST",
        "nd" => "ND",
        "rd" => "RD",
        _ => "TH",
    }
}

fn roman(mut n: i64) -> Option<String> {
    if !(1..=3999).contains(&n) {
        return None;
    }
    let table = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in table {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    Some(out)
}

fn render(f: &Format, n: &Num, int_value: Option<i64>) -> String {
    if let Some(lower) = f.rn {
        let r = int_value.and_then(roman);
        let s = r.unwrap_or_else(|| "#".repeat(15));
        let s = if lower { s.to_ascii_lowercase() } else { s };
        return if f.fm { s } else { format!("{s:>15}") };
    }
    let overflow = n.nan || n.int.len() > f.pre;
    let sign_char = |neg: bool| if neg { '-' } else { '+' };
    let mut out = String::new();
    let mut started = false; // a digit or the point has been written
    let mut pidx = 0usize;
    let mut fidx = 0usize;
    let offset = f.pre.saturating_sub(n.int.len());
    // A leading S sits right before the digits like the implicit sign, but shows '+'.
    let first_digit = f
        .items
        .iter()
        .position(|x| matches!(x, Item::Digit { .. } | Item::Point));
    let lead_s = f
        .items
        .iter()
        .position(|x| *x == Item::S)
        .is_some_and(|p| first_digit.is_none_or(|d| p < d));
    let implicit = (!f.explicit_sign || lead_s) && !f.eeee;
    let emit_sign = |out: &mut String, started: &mut bool| {
        if !*started {
            *started = true;
            if implicit {
                if n.neg {
                    out.push('-');
                } else if lead_s {
                    out.push('+');
                } else if !f.fm {
                    out.push(' ');
                }
            }
        }
    };
    let mut seen_point = false;
    for it in &f.items {
        match it {
            Item::Digit { .. } if !seen_point => {
                let k = pidx;
                pidx += 1;
                if overflow {
                    emit_sign(&mut out, &mut started);
                    out.push('#');
                    continue;
                }
                let ch = if k >= offset && !n.int.is_empty() {
                    n.int.as_bytes()[k - offset] as char
                } else if f.zero_start.is_some_and(|z| k >= z)
                    || (n.int.is_empty()
                        && k + 1 == f.pre
                        && (!f.has_point || f.post == 0 || (f.fm && n.zero)))
                {
                    '0'
                } else {
                    if !f.fm {
                        out.push(' ');
                    }
                    continue;
                };
                emit_sign(&mut out, &mut started);
                out.push(ch);
            }
            Item::Digit { .. } => {
                let ch = if overflow {
                    '#'
                } else {
                    n.frac.as_bytes().get(fidx).map_or('0', |b| *b as char)
                };
                fidx += 1;
                out.push(ch);
            }
            Item::Point => {
                seen_point = true;
                if f.post == 0 {
                    continue;
                }
                emit_sign(&mut out, &mut started);
                out.push('.');
            }
            Item::Group => {
                if started && pidx > 0 {
                    out.push(',');
                } else if !f.fm {
                    out.push(' ');
                }
            }
            Item::S if lead_s => {}
            Item::S => out.push(sign_char(n.neg)),
            Item::Sg => out.push(sign_char(n.neg)),
            Item::Mi => out.push(if n.neg { '-' } else { ' ' }),
            Item::Pl => out.push(if n.neg { ' ' } else { '+' }),
            Item::L => {
                if !f.fm {
                    out.push(' ');
                }
            }
            Item::Th(upper) => {
                if !overflow {
                    out.push_str(ordinal(if n.int.is_empty() { "0" } else { &n.int }, *upper));
                }
            }
            Item::Lit(l) => out.push_str(l),
            Item::V | Item::Eeee | Item::Rn(_) => {}
        }
    }
    if f.fm && f.post > 0 && !overflow {
        // Trailing zeros of the fraction are dropped where the template has 9s.
        let zero_tail = f
            .items
            .iter()
            .skip_while(|x| **x != Item::Point)
            .filter(|x| matches!(x, Item::Digit { .. }))
            .collect::<Vec<_>>();
        let mut removable = 0;
        for (d, c) in zero_tail.iter().rev().zip(n.frac.chars().rev()) {
            if matches!(d, Item::Digit { zero: false }) && c == '0' {
                removable += 1;
            } else {
                break;
            }
        }
        if let Some(p) = out.rfind('.') {
            let frac_end = p + 1 + f.post;
            if frac_end <= out.len() {
                let tail = out[frac_end..].to_string();
                out.truncate(frac_end - removable);
                out.push_str(&tail);
            }
        }
    }
    out
}

fn eeee(f: &Format, x: f64) -> String {
    if !x.is_finite() {
        return format!(" {}", "#".repeat(f.post + 6));
    }
    let s = format!("{:.*e}", f.post, x.abs());
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let sign = if x < 0.0 { '-' } else { ' ' };
    format!("{sign}{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

fn to_char_num(v: &Value, ty: &DataType, fmt: &str) -> Result<String> {
    let f = parse(fmt)?;
    let as_f64 = v.as_f64().unwrap_or(f64::NAN);
    if f.eeee {
        return Ok(eeee(&f, as_f64));
    }
    let n = match (v, ty) {
        (Value::Float(x), _) => from_f64(*x, f.post, f.mult),
        (Value::Int(i), _) => from_decimal(Decimal::from_i64(*i), f.post, f.mult)?,
        (Value::Numeric(d), _) => from_decimal(*d, f.post, f.mult)?,
        _ => {
            return Err(QueryError::new(
                sqlstate::DATATYPE_MISMATCH,
                "cannot format value",
            ));
        }
    };
    let int_value = match v {
        Value::Numeric(d) => d.round(0).ok().and_then(|r| r.to_i64()),
        Value::Int(i) => Some(*i),
        _ => Some(as_f64.round() as i64),
    };
    Ok(render(&f, &n, int_value))
}

/// Registers `to_char` for numbers.
pub(crate) fn register(r: &mut Registry) {
    for ty in [t::I4, t::I8, t::F4, t::F8, t::NUM] {
        let tt = ty.clone();
        r.register_scalar(ScalarFunction::strict_rows(
            "to_char",
            Signature::exact(&[ty, t::TEXT], t::TEXT),
            Volatility::Stable,
            move |_c, v| Ok(Value::str(to_char_num(&v[0], &tt, value_str(&v[1]))?)),
        ));
    }
}
