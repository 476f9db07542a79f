//! String functions (C locale: case mapping and word boundaries are ASCII-only, as in a
//! PostgreSQL database created with `--locale=C`). Functions of one text argument, or of one
//! text argument and constants, are evaluated once per distinct dictionary entry.
use std::sync::Arc;

use crate::context::EvalContext;
use crate::error::{QueryError, Result, sqlstate};
use crate::functions::builtin::kernels::{
    array_of, array_value, const_null, elem_type, int_of, is_const, map_values, qerr, reg_vec, t, text_map,
    text_map_text, to_text, value_bytes, value_str,
};
use crate::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility};
use crate::types::{DataType, Value};
use crate::vector::Vector;

// ---------------------------------------------------------------------------------------------
// Kernel shapes

/// Text → text with further arguments: per dictionary entry when the others are constant.
fn text_with(
    args: &[Vector],
    ret: &DataType,
    len: usize,
    f: impl Fn(&str, &[Value]) -> Result<String>,
) -> Result<Vector> {
    if args.iter().any(const_null) {
        return Ok(Vector::nulls(ret.clone(), len));
    }
    if args[1..].iter().all(is_const) {
        let rest: Vec<Value> = args[1..].iter().map(|a| a.value(0)).collect();
        return text_map_text(&args[0], ret, |b| {
            Ok(f(std::str::from_utf8(b).unwrap_or(""), &rest)?.into_bytes())
        });
    }
    map_values(args, ret, len, |v| Ok(Value::str(f(value_str(&v[0]), &v[1..])?)))
}

/// Text → integer with further arguments.
fn text_int_with(
    args: &[Vector],
    ret: &DataType,
    len: usize,
    f: impl Fn(&[u8], &[Value]) -> Result<i64>,
) -> Result<Vector> {
    if args.iter().any(const_null) {
        return Ok(Vector::nulls(ret.clone(), len));
    }
    if args[1..].iter().all(is_const) {
        let rest: Vec<Value> = args[1..].iter().map(|a| a.value(0)).collect();
        return text_map::<i64>(&args[0], ret, |b| f(b, &rest));
    }
    map_values(args, ret, len, |v| {
        Ok(Value::Int(f(value_bytes(&v[0]), &v[1..])?))
    })
}

/// Text → bool with further arguments.
fn text_bool_with(
    args: &[Vector],
    ret: &DataType,
    len: usize,
    f: impl Fn(&str, &[Value]) -> Result<bool>,
) -> Result<Vector> {
    if args.iter().any(const_null) {
        return Ok(Vector::nulls(ret.clone(), len));
    }
    if args[1..].iter().all(is_const) {
        let rest: Vec<Value> = args[1..].iter().map(|a| a.value(0)).collect();
        return text_map::<bool>(&args[0], ret, |b| f(std::str::from_utf8(b).unwrap_or(""), &rest));
    }
    map_values(args, ret, len, |v| Ok(Value::Bool(f(value_str(&v[0]), &v[1..])?)))
}

fn reg_text(
    r: &mut Registry,
    name: &str,
    args: &[DataType],
    f: impl Fn(&str, &[Value]) -> Result<String> + Send + Sync + 'static,
) {
    reg_vec(
        r,
        name,
        Signature::exact(args, t::TEXT),
        move |_c, a, ret, len| text_with(a, ret, len, &f),
    );
}

fn reg_text_int(
    r: &mut Registry,
    name: &str,
    args: &[DataType],
    f: impl Fn(&[u8], &[Value]) -> Result<i64> + Send + Sync + 'static,
) {
    reg_vec(r, name, Signature::exact(args, t::I4), move |_c, a, ret, len| {
        text_int_with(a, ret, len, &f)
    });
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// 1-based `substr` with PostgreSQL's handling of start ≤ 0.
pub(crate) fn substr(s: &str, start: i64, count: Option<i64>) -> Result<String> {
    if let Some(c) = count
        && c < 0
    {
        return Err(qerr("22011", "negative substring length not allowed"));
    }
    let end = match count {
        Some(c) => start.saturating_add(c),
        None => i64::MAX,
    };
    let from = start.max(1);
    if end <= from {
        return Ok(String::new());
    }
    Ok(s.chars()
        .skip((from - 1) as usize)
        .take(end.saturating_sub(from).min(i64::from(u32::MAX)) as usize)
        .collect())
}

fn bytes_substr(b: &[u8], start: i64, count: Option<i64>) -> Result<Vec<u8>> {
    if let Some(c) = count
        && c < 0
    {
        return Err(qerr("22011", "negative substring length not allowed"));
    }
    let end = match count {
        Some(c) => start.saturating_add(c),
        None => i64::MAX,
    };
    let from = start.max(1);
    if end <= from {
        return Ok(Vec::new());
    }
    let lo = ((from - 1) as usize).min(b.len());
    let hi = (end.saturating_sub(1)).min(b.len() as i64).max(lo as i64) as usize;
    Ok(b[lo..hi].to_vec())
}

fn strpos(s: &str, sub: &str) -> i64 {
    match s.find(sub) {
        Some(i) => s[..i].chars().count() as i64 + 1,
        None => 0,
    }
}

fn split_part(s: &str, delim: &str, n: i64) -> Result<String> {
    if n == 0 {
        return Err(qerr(
            sqlstate::INVALID_PARAMETER_VALUE,
            "field position must not be zero",
        ));
    }
    if s.is_empty() {
        return Ok(String::new());
    }
    let parts: Vec<&str> = if delim.is_empty() {
        vec![s]
    } else {
        s.split(delim).collect()
    };
    let idx = if n > 0 {
        (n - 1) as usize
    } else {
        let k = n.unsigned_abs() as usize;
        if k > parts.len() {
            return Ok(String::new());
        }
        parts.len() - k
    };
    Ok(parts.get(idx).map_or(String::new(), |p| p.to_string()))
}

fn trim(s: &str, set: &str, left: bool, right: bool) -> String {
    let set: Vec<char> = set.chars().collect();
    let mut out = s;
    if left {
        out = out.trim_start_matches(|c| set.contains(&c));
    }
    if right {
        out = out.trim_end_matches(|c| set.contains(&c));
    }
    out.to_string()
}

/// lpad/rpad. As in PostgreSQL, a result that could need more than 1 GB (4 bytes per
/// character) is 54000 even when the string is shorter.
fn pad(s: &str, len: i64, fill: &str, left: bool) -> Result<String> {
    if len <= 0 {
        return Ok(String::new());
    }
    let cs = chars(s);
    let f = chars(fill);
    let len = if f.is_empty() {
        (cs.len() as i64).min(len)
    } else {
        len
    };
    if len * 4 + 4 > 0x3fff_ffff {
        return Err(qerr(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "requested length too large",
        ));
    }
    let len = len as usize;
    if cs.len() >= len {
        return Ok(cs[..len].iter().collect());
    }
    let padding: String = f.iter().cycle().take(len - cs.len()).collect();
    Ok(if left {
        padding + s
    } else {
        s.to_string() + &padding
    })
}

fn left_n(s: &str, n: i64) -> String {
    let cs = chars(s);
    let k = if n >= 0 {
        (n as usize).min(cs.len())
    } else {
        cs.len().saturating_sub(n.unsigned_abs() as usize)
    };
    cs[..k].iter().collect()
}

fn right_n(s: &str, n: i64) -> String {
    let cs = chars(s);
    let k = if n >= 0 {
        (n as usize).min(cs.len())
    } else {
        cs.len().saturating_sub(n.unsigned_abs() as usize)
    };
    cs[cs.len() - k..].iter().collect()
}

fn initcap(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut was_alnum = false;
    for &b in s.as_bytes() {
        let c = if was_alnum {
            b.to_ascii_lowercase()
        } else {
            b.to_ascii_uppercase()
        };
        was_alnum = c.is_ascii_alphanumeric();
        out.push(c);
    }
    String::from_utf8(out).unwrap_or_default()
}

fn translate(s: &str, from: &str, to: &str) -> String {
    let f = chars(from);
    let t = chars(to);
    s.chars()
        .filter_map(|c| match f.iter().position(|x| *x == c) {
            Some(i) => t.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

fn chr(n: i64) -> Result<String> {
    if n < 0 {
        return Err(qerr(
            sqlstate::INVALID_PARAMETER_VALUE,
            "character number must be positive",
        ));
    }
    if n == 0 {
        return Err(qerr("54000", "null character not permitted"));
    }
    if !(0..=0x10FFFF).contains(&n) {
        return Err(qerr(
            "54000",
            format!("requested character too large for encoding: {n}"),
        ));
    }
    match char::from_u32(n as u32) {
        Some(c) => Ok(c.to_string()),
        None => Err(qerr(
            "54000",
            format!("requested character not valid for encoding: {n}"),
        )),
    }
}

/// PostgreSQL's keywords other than unreserved ones: `quote_ident` quotes them.
const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// `quote_ident`.
pub(crate) fn quote_ident(s: &str) -> String {
    let safe = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !KEYWORDS.contains(&s);
    if safe {
        return s.to_string();
    }
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `quote_literal`.
pub(crate) fn quote_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    if s.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

// ---------------------------------------------------------------------------------------------
// format()

fn format_err(msg: &str) -> QueryError {
    qerr(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// `format(fmt, args...)`; `args` are the already-converted texts (None = NULL).
fn format_fn(fmt: &str, args: &[Option<String>]) -> Result<String> {
    let cs: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0usize;
    let num = |cs: &[char], i: &mut usize| -> Option<usize> {
        let start = *i;
        while *i < cs.len() && cs[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            None
        } else {
            cs[start..*i].iter().collect::<String>().parse().ok()
        }
    };
    while i < cs.len() {
        let c = cs[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if i >= cs.len() {
            return Err(format_err("unterminated format() type specifier"));
        }
        if cs[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        // [argpos$][flags][width][type]
        let mut argpos: Option<usize> = None;
        let save = i;
        if let Some(n) = num(&cs, &mut i) {
            if i < cs.len() && cs[i] == '$' {
                if n == 0 {
                    return Err(format_err(
                        "format specifies argument 0, but arguments are numbered from 1",
                    ));
                }
                argpos = Some(n);
                i += 1;
            } else {
                i = save;
            }
        }
        let mut left = false;
        while i < cs.len() && cs[i] == '-' {
            left = true;
            i += 1;
        }
        let mut width: Option<i64> = None;
        if i < cs.len() && cs[i] == '*' {
            i += 1;
            let save2 = i;
            let wpos = match num(&cs, &mut i) {
                Some(n) if i < cs.len() && cs[i] == '$' => {
                    i += 1;
                    Some(n)
                }
                _ => {
                    i = save2;
                    None
                }
            };
            let idx = match wpos {
                Some(n) => n - 1,
                None => {
                    let k = next_arg;
                    next_arg += 1;
                    k
                }
            };
            let w = args
                .get(idx)
                .ok_or_else(|| format_err("too few arguments for format()"))?;
            let w: i64 = match w {
                None => 0,
                Some(s) => s.trim().parse().map_err(|_| format_err("invalid width"))?,
            };
            if w < 0 {
                left = true;
            }
            width = Some(w.abs());
            if wpos.is_some() && argpos.is_none() {
                next_arg = idx + 1;
            }
        } else if let Some(n) = num(&cs, &mut i) {
            width = Some(n as i64);
        }
        if width.is_some_and(|w| w > (1 << 28)) {
            return Err(qerr(sqlstate::PROGRAM_LIMIT_EXCEEDED, "field width is too large"));
        }
        if i >= cs.len() {
            return Err(format_err("unterminated format() type specifier"));
        }
        let ty = cs[i];
        i += 1;
        if !matches!(ty, 's' | 'I' | 'L') {
            return Err(
                format_err(&format!("unrecognized format() type specifier \"{ty}\""))
                    .with_hint("For a single \"%\" use \"%%\"."),
            );
        }
        let idx = match argpos {
            Some(n) => n - 1,
            None => next_arg,
        };
        next_arg = idx + 1;
        let arg = args
            .get(idx)
            .ok_or_else(|| format_err("too few arguments for format()"))?;
        let text = match (ty, arg) {
            ('s', None) => String::new(),
            ('s', Some(s)) => s.clone(),
            ('I', None) => {
                return Err(qerr(
                    sqlstate::NULL_VALUE_NOT_ALLOWED,
                    "null values cannot be formatted as an SQL identifier",
                ));
            }
            ('I', Some(s)) => quote_ident(s),
            (_, None) => "NULL".to_string(),
            (_, Some(s)) => quote_literal(s),
        };
        match width {
            Some(w) if (text.chars().count() as i64) < w => {
                let padding = " ".repeat(w as usize - text.chars().count());
                if left {
                    out.push_str(&text);
                    out.push_str(&padding);
                } else {
                    out.push_str(&padding);
                    out.push_str(&text);
                }
            }
            _ => out.push_str(&text),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// encode / decode, md5

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(b: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for chunk in b.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        if line >= 76 {
            out.push('\n');
            line = 0;
        }
        for k in 0..4 {
            if k <= n {
                out.push(B64[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        line += 4;
    }
    out
}

fn base64_decode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf: u32 = 0;
    let mut bits = 0;
    let mut pad = 0;
    let mut n = 0usize;
    for c in s.chars() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == '=' {
            pad += 1;
            n += 1;
            continue;
        }
        if pad > 0 {
            return Err(
                qerr(sqlstate::INVALID_PARAMETER_VALUE, "invalid base64 end sequence")
                    .with_hint("Input data is missing padding, is truncated, or is otherwise corrupted."),
            );
        }
        let v = B64.iter().position(|&x| x as char == c).ok_or_else(|| {
            qerr(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("invalid symbol \"{c}\" found while decoding base64 sequence"),
            )
        })?;
        buf = (buf << 6) | v as u32;
        bits += 6;
        n += 1;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    if !n.is_multiple_of(4) || pad > 2 {
        return Err(
            qerr(sqlstate::INVALID_PARAMETER_VALUE, "invalid base64 end sequence")
                .with_hint("Input data is missing padding, is truncated, or is otherwise corrupted."),
        );
    }
    Ok(out)
}

fn hex_decode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let b: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let val = |c: u8| -> Result<u8> {
        (c as char).to_digit(16).map(|d| d as u8).ok_or_else(|| {
            qerr(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("invalid hexadecimal digit: \"{}\"", c as char),
            )
        })
    };
    let mut i = 0;
    while i < b.len() {
        let hi = val(b[i])?;
        let Some(&lo) = b.get(i + 1) else {
            return Err(qerr(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid hexadecimal data: odd number of digits",
            ));
        };
        out.push(hi * 16 + val(lo)?);
        i += 2;
    }
    Ok(out)
}

fn escape_encode(b: &[u8]) -> String {
    let mut out = String::new();
    for &c in b {
        if c == b'\\' {
            out.push_str("\\\\");
        } else if c == 0 || c >= 0x80 {
            out.push_str(&format!("\\{c:03o}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

fn escape_decode(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
            && b[i + 1] <= b'3'
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            return Err(qerr(
                sqlstate::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type bytea",
            ));
        }
    }
    Ok(out)
}

fn bad_encoding(name: &str) -> QueryError {
    qerr(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("unrecognized encoding: \"{name}\""),
    )
}

fn encode(b: &[u8], fmt: &str) -> Result<String> {
    Ok(match fmt.to_ascii_lowercase().as_str() {
        "hex" => b.iter().map(|x| format!("{x:02x}")).collect(),
        "base64" => base64_encode(b),
        "escape" => escape_encode(b),
        _ => return Err(bad_encoding(fmt)),
    })
}

fn decode(s: &str, fmt: &str) -> Result<Vec<u8>> {
    match fmt.to_ascii_lowercase().as_str() {
        "hex" => hex_decode(s),
        "base64" => base64_decode(s),
        "escape" => escape_decode(s),
        _ => Err(bad_encoding(fmt)),
    }
}

/// MD5 digest (RFC 1321) as lowercase hex.
pub(crate) fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15,
        21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let (mut a0, mut b0, mut c0, mut d0) = (0x6745_2301u32, 0xefcd_ab89u32, 0x98ba_dcfeu32, 0x1032_5476u32);
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .map(|x| format!("{x:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Arrays of text

fn string_to_array(s: &str, delim: Option<&str>, null: Option<&str>) -> Value {
    let items: Vec<&str> = if s.is_empty() {
        vec![]
    } else {
        match delim {
            None => s.char_indices().map(|(i, c)| &s[i..i + c.len_utf8()]).collect(),
            Some("") => vec![s],
            Some(d) => s.split(d).collect(),
        }
    };
    array_value(
        DataType::Text,
        items
            .into_iter()
            .map(|x| {
                if Some(x) == null {
                    Value::Null
                } else {
                    Value::str(x)
                }
            })
            .collect(),
    )
}

fn array_to_string(ctx: &EvalContext, arr: &Value, ty: &DataType, delim: &str, null: Option<&str>) -> String {
    let Some(a) = array_of(arr) else {
        return String::new();
    };
    let et = elem_type(ty);
    let mut parts: Vec<String> = Vec::new();
    for it in &a.items {
        match to_text(it, &et, ctx) {
            Some(s) => parts.push(s),
            None => {
                if let Some(n) = null {
                    parts.push(n.to_string());
                }
            }
        }
    }
    parts.join(delim)
}

/// Texts of variadic arguments of row `i` (None for NULL).
fn texts_of(ctx: &EvalContext, args: &[Vector], i: usize) -> Vec<Option<String>> {
    args.iter().map(|a| to_text(&a.value(i), &a.ty, ctx)).collect()
}

/// Registers the string functions.
pub(crate) fn register(r: &mut Registry) {
    reg_vec(
        r,
        "lower",
        Signature::exact(&[t::TEXT], t::TEXT),
        |_c, a, ret, _| text_map_text(&a[0], ret, |b| Ok(b.to_ascii_lowercase())),
    );
    reg_vec(
        r,
        "upper",
        Signature::exact(&[t::TEXT], t::TEXT),
        |_c, a, ret, _| text_map_text(&a[0], ret, |b| Ok(b.to_ascii_uppercase())),
    );
    reg_text(r, "initcap", &[t::TEXT], |s, _| Ok(initcap(s)));
    for name in ["length", "char_length", "character_length"] {
        reg_text_int(r, name, &[t::TEXT], |b, _| {
            Ok(std::str::from_utf8(b).map_or(b.len(), |s| s.chars().count()) as i64)
        });
        reg_text_int(r, name, &[DataType::Bpchar(None)], |b, _| {
            let s = std::str::from_utf8(b).unwrap_or("").trim_end_matches(' ');
            Ok(s.chars().count() as i64)
        });
    }
    reg_text_int(r, "length", &[t::BYTEA], |b, _| Ok(b.len() as i64));
    reg_text_int(r, "octet_length", &[t::TEXT], |b, _| Ok(b.len() as i64));
    reg_text_int(r, "octet_length", &[t::BYTEA], |b, _| Ok(b.len() as i64));
    reg_text_int(r, "bit_length", &[t::TEXT], |b, _| Ok(b.len() as i64 * 8));
    reg_text_int(r, "bit_length", &[t::BYTEA], |b, _| Ok(b.len() as i64 * 8));

    for name in ["substr", "substring"] {
        reg_text(r, name, &[t::TEXT, t::I4], |s, v| substr(s, int_of(&v[0]), None));
        reg_text(r, name, &[t::TEXT, t::I4, t::I4], |s, v| {
            substr(s, int_of(&v[0]), Some(int_of(&v[1])))
        });
        reg_vec(
            r,
            name,
            Signature::exact(&[t::BYTEA, t::I4], t::BYTEA),
            |_c, a, ret, len| {
                map_values(a, ret, len, |v| {
                    Ok(Value::Bytes(Arc::from(bytes_substr(
                        value_bytes(&v[0]),
                        int_of(&v[1]),
                        None,
                    )?)))
                })
            },
        );
        reg_vec(
            r,
            name,
            Signature::exact(&[t::BYTEA, t::I4, t::I4], t::BYTEA),
            |_c, a, ret, len| {
                map_values(a, ret, len, |v| {
                    Ok(Value::Bytes(Arc::from(bytes_substr(
                        value_bytes(&v[0]),
                        int_of(&v[1]),
                        Some(int_of(&v[2])),
                    )?)))
                })
            },
        );
    }
    reg_text_int(r, "strpos", &[t::TEXT, t::TEXT], |b, v| {
        Ok(strpos(std::str::from_utf8(b).unwrap_or(""), value_str(&v[0])))
    });
    reg_text(r, "replace", &[t::TEXT, t::TEXT, t::TEXT], |s, v| {
        let from = value_str(&v[0]);
        Ok(if from.is_empty() {
            s.to_string()
        } else {
            s.replace(from, value_str(&v[1]))
        })
    });
    reg_text(r, "split_part", &[t::TEXT, t::TEXT, t::I4], |s, v| {
        split_part(s, value_str(&v[0]), int_of(&v[1]))
    });
    for (name, l, rt) in [
        ("btrim", true, true),
        ("ltrim", true, false),
        ("rtrim", false, true),
    ] {
        reg_text(r, name, &[t::TEXT], move |s, _| Ok(trim(s, " ", l, rt)));
        reg_text(r, name, &[t::TEXT, t::TEXT], move |s, v| {
            Ok(trim(s, value_str(&v[0]), l, rt))
        });
    }
    for (name, left) in [("lpad", true), ("rpad", false)] {
        reg_text(r, name, &[t::TEXT, t::I4], move |s, v| {
            pad(s, int_of(&v[0]), " ", left)
        });
        reg_text(r, name, &[t::TEXT, t::I4, t::TEXT], move |s, v| {
            pad(s, int_of(&v[0]), value_str(&v[1]), left)
        });
    }
    reg_text(r, "left", &[t::TEXT, t::I4], |s, v| Ok(left_n(s, int_of(&v[0]))));
    reg_text(r, "right", &[t::TEXT, t::I4], |s, v| {
        Ok(right_n(s, int_of(&v[0])))
    });
    reg_text(r, "repeat", &[t::TEXT, t::I4], |s, v| {
        let n = int_of(&v[0]);
        if n <= 0 {
            return Ok(String::new());
        }
        if (s.len() as i64).saturating_mul(n) + 4 > 0x3fff_ffff {
            return Err(qerr("54000", "requested length too large"));
        }
        Ok(s.repeat(n as usize))
    });
    reg_text(r, "reverse", &[t::TEXT], |s, _| Ok(s.chars().rev().collect()));
    reg_text(r, "translate", &[t::TEXT, t::TEXT, t::TEXT], |s, v| {
        Ok(translate(s, value_str(&v[0]), value_str(&v[1])))
    });
    reg_text_int(r, "ascii", &[t::TEXT], |b, _| {
        Ok(std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.chars().next())
            .map_or(0, |c| i64::from(u32::from(c))))
    });
    reg_vec(
        r,
        "chr",
        Signature::exact(&[t::I4], t::TEXT),
        |_c, a, ret, len| map_values(a, ret, len, |v| Ok(Value::str(chr(int_of(&v[0]))?))),
    );
    reg_vec(
        r,
        "md5",
        Signature::exact(&[t::TEXT], t::TEXT),
        |_c, a, ret, _| text_map_text(&a[0], ret, |b| Ok(md5_hex(b).into_bytes())),
    );
    reg_vec(
        r,
        "md5",
        Signature::exact(&[t::BYTEA], t::TEXT),
        |_c, a, ret, _| text_map_text(&a[0], ret, |b| Ok(md5_hex(b).into_bytes())),
    );
    for name in ["starts_with", "^@"] {
        reg_vec(
            r,
            name,
            Signature::exact(&[t::TEXT, t::TEXT], t::BOOL),
            |_c, a, ret, len| text_bool_with(a, ret, len, |s, v| Ok(s.starts_with(value_str(&v[0])))),
        );
    }
    reg_vec(
        r,
        "to_hex",
        Signature::exact(&[t::I4], t::TEXT),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                Ok(Value::str(format!("{:x}", int_of(&v[0]) as i32)))
            })
        },
    );
    reg_vec(
        r,
        "to_hex",
        Signature::exact(&[t::I8], t::TEXT),
        |_c, a, ret, len| map_values(a, ret, len, |v| Ok(Value::str(format!("{:x}", int_of(&v[0]))))),
    );
    reg_text(r, "quote_ident", &[t::TEXT], |s, _| Ok(quote_ident(s)));
    r.register_scalar(ScalarFunction::vectorized(
        "quote_literal",
        Signature::new(vec![ArgType::AnyElement], ReturnType::Exact(t::TEXT)),
        Volatility::Stable,
        |ctx, a, ret, len| {
            let ty = a[0].ty.clone();
            map_values(a, ret, len, |v| {
                Ok(Value::str(quote_literal(
                    &to_text(&v[0], &ty, ctx).unwrap_or_default(),
                )))
            })
        },
    ));
    r.register_scalar(ScalarFunction::vectorized(
        "quote_nullable",
        Signature::new(vec![ArgType::AnyElement], ReturnType::Exact(t::TEXT)),
        Volatility::Stable,
        |ctx, a, ret, len| {
            let ty = a[0].ty.clone();
            Ok(Vector::from_values(
                ret.clone(),
                (0..len)
                    .map(|i| {
                        Value::str(match to_text(&a[0].value(i), &ty, ctx) {
                            None => "NULL".to_string(),
                            Some(s) => quote_literal(&s),
                        })
                    })
                    .collect(),
            ))
        },
    ));
    // concat, concat_ws, format
    r.register_scalar(ScalarFunction::vectorized(
        "concat",
        Signature::new(vec![ArgType::Any], ReturnType::Exact(t::TEXT)).variadic(ArgType::Any),
        Volatility::Stable,
        |ctx, a, ret, len| {
            let out = (0..len)
                .map(|i| Value::str(texts_of(ctx, a, i).into_iter().flatten().collect::<String>()))
                .collect();
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));
    r.register_scalar(ScalarFunction::vectorized(
        "concat_ws",
        Signature::new(vec![ArgType::Exact(t::TEXT)], ReturnType::Exact(t::TEXT)).variadic(ArgType::Any),
        Volatility::Stable,
        |ctx, a, ret, len| {
            let out = (0..len)
                .map(|i| {
                    if a[0].is_null(i) {
                        return Value::Null;
                    }
                    let sep = a[0].str_at(i).to_string();
                    Value::str(
                        texts_of(ctx, &a[1..], i)
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(&sep),
                    )
                })
                .collect();
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));
    r.register_scalar(ScalarFunction::vectorized(
        "format",
        Signature::new(vec![ArgType::Exact(t::TEXT)], ReturnType::Exact(t::TEXT)).variadic(ArgType::Any),
        Volatility::Stable,
        |ctx, a, ret, len| {
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                if a[0].is_null(i) {
                    out.push(Value::Null);
                    continue;
                }
                out.push(Value::str(format_fn(a[0].str_at(i), &texts_of(ctx, &a[1..], i))?));
            }
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));

    // string_to_array, array_to_string
    r.register_scalar(ScalarFunction::vectorized(
        "string_to_array",
        Signature::exact(&[t::TEXT, t::TEXT, t::TEXT], t::arr(t::TEXT)).optional(1),
        Volatility::Immutable,
        |_c, a, ret, len| {
            let out = (0..len)
                .map(|i| {
                    if a[0].is_null(i) {
                        return Value::Null;
                    }
                    let delim = (!a[1].is_null(i)).then(|| a[1].str_at(i));
                    let null = a.get(2).and_then(|n| (!n.is_null(i)).then(|| n.str_at(i)));
                    string_to_array(a[0].str_at(i), delim, null)
                })
                .collect();
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));
    r.register_scalar(ScalarFunction::vectorized(
        "array_to_string",
        Signature::new(
            vec![
                ArgType::AnyArray,
                ArgType::Exact(t::TEXT),
                ArgType::Exact(t::TEXT),
            ],
            ReturnType::Exact(t::TEXT),
        )
        .optional(1),
        Volatility::Stable,
        |ctx, a, ret, len| {
            let ty = a[0].ty.clone();
            let out = (0..len)
                .map(|i| {
                    if a[0].is_null(i) || a[1].is_null(i) {
                        return Value::Null;
                    }
                    let null = a
                        .get(2)
                        .and_then(|n| (!n.is_null(i)).then(|| n.str_at(i).to_string()));
                    Value::str(array_to_string(
                        ctx,
                        &a[0].value(i),
                        &ty,
                        a[1].str_at(i),
                        null.as_deref(),
                    ))
                })
                .collect();
            Ok(Vector::from_values(ret.clone(), out))
        },
    ));

    // encode / decode
    reg_vec(
        r,
        "encode",
        Signature::exact(&[t::BYTEA, t::TEXT], t::TEXT),
        |_c, a, ret, len| {
            if is_const(&a[1]) && !const_null(&a[1]) {
                let fmt = a[1].str_at(0).to_string();
                return text_map_text(&a[0], ret, |b| Ok(encode(b, &fmt)?.into_bytes()));
            }
            map_values(a, ret, len, |v| {
                Ok(Value::str(encode(value_bytes(&v[0]), value_str(&v[1]))?))
            })
        },
    );
    reg_vec(
        r,
        "decode",
        Signature::exact(&[t::TEXT, t::TEXT], t::BYTEA),
        |_c, a, ret, len| {
            map_values(a, ret, len, |v| {
                Ok(Value::Bytes(Arc::from(decode(
                    value_str(&v[0]),
                    value_str(&v[1]),
                )?)))
            })
        },
    );
}
