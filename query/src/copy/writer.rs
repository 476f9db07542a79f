//! COPY TO: rows as text or CSV.
use crate::context::EvalContext;
use crate::session::{CopyFormat, CopyOptions};
use crate::types::text::format_value;
use crate::vector::Batch;

fn text_escape(s: &str, delim: u8, out: &mut Vec<u8>) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' if delim == b'\t' => out.extend_from_slice(b"\\t"),
            b if b == delim => {
                out.push(b'\\');
                out.push(b);
            }
            b => out.push(b),
        }
    }
}

fn csv_field(s: &str, o: &CopyOptions, force: bool, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    let needs = force
        || s == o.null
        || b.iter()
            .any(|&c| c == o.delimiter || c == o.quote || c == b'\n' || c == b'\r')
        || s.starts_with("\\.");
    if !needs {
        out.extend_from_slice(b);
        return;
    }
    out.push(o.quote);
    for &c in b {
        if c == o.quote || c == o.escape {
            out.push(o.escape);
        }
        out.push(c);
    }
    out.push(o.quote);
}

/// Formats rows (header line first when asked).
pub fn format_rows(
    batches: &[Batch],
    names: &[String],
    o: &CopyOptions,
    ctx: &EvalContext,
    with_header: bool,
) -> Vec<u8> {
    let mut all = Vec::new();
    for_each_line(batches, names, o, ctx, with_header, |line| {
        all.extend_from_slice(line)
    });
    all
}

/// Formats rows one at a time: `emit` receives the header line (when asked), then each row
/// with its line end. (The wire server sends each in its own CopyData message, as PostgreSQL
/// does; clients such as psycopg rely on it.)
pub fn for_each_line(
    batches: &[Batch],
    names: &[String],
    o: &CopyOptions,
    ctx: &EvalContext,
    with_header: bool,
    mut emit: impl FnMut(&[u8]),
) {
    let mut out = Vec::new();
    let csv = o.format == CopyFormat::Csv;
    if with_header && csv && o.header {
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                out.push(o.delimiter);
            }
            csv_field(n, o, false, &mut out);
        }
        out.push(b'\n');
        emit(&out);
    }
    let force: Vec<bool> = names
        .iter()
        .map(|n| o.force_quote.iter().any(|f| f == n || f == "*"))
        .collect();
    for b in batches {
        for r in 0..b.len() {
            out.clear();
            for (i, c) in b.columns.iter().enumerate() {
                if i > 0 {
                    out.push(o.delimiter);
                }
                match format_value(&c.value(r), &c.ty, ctx) {
                    None => out.extend_from_slice(o.null.as_bytes()),
                    Some(s) if csv => csv_field(&s, o, force.get(i).copied().unwrap_or(false), &mut out),
                    Some(s) => text_escape(&s, o.delimiter, &mut out),
                }
            }
            out.push(b'\n');
            emit(&out);
        }
    }
}
