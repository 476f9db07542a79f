//! psql-like output for `plantdb sql`: aligned tables, command tags, errors.
use std::io::{Read, Write};

use plantdb_query::context::EvalContext;
use plantdb_query::error::QueryError;
use plantdb_query::plan::Field;
use plantdb_query::session::{Session, StatementResult};
use plantdb_query::types::DataType;
use plantdb_query::types::text::format_value;
use plantdb_query::vector::Batch;

/// An aligned table in psql's default format, with the row-count footer.
pub fn format_table(fields: &[Field], batches: &[Batch], ctx: &EvalContext) -> String {
    let right: Vec<bool> = fields
        .iter()
        .map(|f| f.ty.is_numeric() || f.ty == DataType::Oid)
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for b in batches {
        for i in 0..b.len() {
            rows.push(
                fields
                    .iter()
                    .enumerate()
                    .map(|(c, f)| {
                        b.column(c)
                            .ok()
                            .and_then(|v| format_value(&v.value(i), &f.ty, ctx))
                            .unwrap_or_default()
                    })
                    .collect(),
            );
        }
    }
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = fields.iter().map(|f| width(&f.name)).collect();
    for r in &rows {
        for (c, v) in r.iter().enumerate() {
            let w = v.lines().map(width).max().unwrap_or(0);
            widths[c] = widths[c].max(w);
        }
    }
    let mut out = String::new();
    let n = fields.len();
    let mut header = String::new();
    for (c, f) in fields.iter().enumerate() {
        let pad = widths[c] - width(&f.name);
        let left = pad / 2;
        header.push(' ');
        header.push_str(&" ".repeat(left));
        header.push_str(&f.name);
        header.push_str(&" ".repeat(pad - left));
        header.push(' ');
        if c + 1 < n {
            header.push('|');
        }
    }
    out.push_str(&header);
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    out.push_str(&rule.join("+"));
    out.push('\n');
    for r in &rows {
        let mut line = String::new();
        for (c, v) in r.iter().enumerate() {
            let v = v.replace('\n', "\\n");
            let pad = widths[c].saturating_sub(width(&v));
            line.push(' ');
            if right[c] {
                line.push_str(&" ".repeat(pad));
                line.push_str(&v);
            } else {
                line.push_str(&v);
                if c + 1 < n {
                    line.push_str(&" ".repeat(pad));
                }
            }
            if c + 1 < n {
                line.push_str(" |");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let k = rows.len();
    out.push_str(&format!("({k} {})\n", if k == 1 { "row" } else { "rows" }));
    out
}

/// An error as psql prints it.
pub fn format_error(e: &QueryError) -> String {
    let mut s = format!("ERROR:  {}\n", e.message);
    if let Some(d) = &e.detail {
        s.push_str(&format!("DETAIL:  {d}\n"));
    }
    if let Some(h) = &e.hint {
        s.push_str(&format!("HINT:  {h}\n"));
    }
    s
}

/// Runs `sql` and prints results like `psql -c`. COPY FROM STDIN reads `input`; COPY TO
/// STDOUT writes the data. Returns false after an error (printed to `err`).
pub fn run_sql(
    session: &mut Session,
    sql: &str,
    mut input: impl Read,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<bool> {
    let results = session.execute(sql);
    for n in session.take_notices() {
        writeln!(err, "NOTICE:  {}", n.message)?;
    }
    let ctx = session.eval_context();
    for r in results {
        match r {
            Err(e) => {
                write!(err, "{}", format_error(&e))?;
                return Ok(false);
            }
            Ok(StatementResult::Rows { fields, batches, .. }) => {
                writeln!(out, "{}", format_table(&fields, &batches, &ctx))?;
            }
            Ok(StatementResult::Command { tag }) => writeln!(out, "{tag}")?,
            Ok(StatementResult::Empty) => {}
            Ok(StatementResult::CopyOut { options, .. })
                if options.format == plantdb_query::session::CopyFormat::Binary =>
            {
                writeln!(
                    err,
                    "ERROR:  COPY TO STDOUT in binary format is not supported here"
                )?;
                return Ok(false);
            }
            Ok(StatementResult::CopyOut {
                options,
                fields,
                batches,
            }) => {
                let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
                out.write_all(&plantdb_query::copy::format_rows(
                    &batches, &names, &options, &ctx, true,
                ))?;
            }
            Ok(StatementResult::CopyIn(mut c)) => {
                let mut buf = vec![0u8; 1 << 20];
                let r = loop {
                    let n = input.read(&mut buf)?;
                    if n == 0 {
                        break c.finish();
                    }
                    if let Err(e) = c.data(&buf[..n]) {
                        break Err(e);
                    }
                };
                match r {
                    Ok(n) => writeln!(out, "COPY {n}")?,
                    Err(e) => {
                        write!(err, "{}", format_error(&e))?;
                        return Ok(false);
                    }
                }
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plantdb_query::vector::Vector;

    #[test]
    fn table_like_psql() {
        let fields = vec![
            Field::new("id", DataType::Int4),
            Field::new("name", DataType::Text),
        ];
        let b = Batch::new(
            vec![
                Vector::ints(DataType::Int4, vec![1, 22]),
                Vector::strings(DataType::Text, &["alice", "b"]),
            ],
            2,
        );
        let s = format_table(&fields, &[b], &EvalContext::default());
        assert_eq!(s, " id | name  \n----+-------\n  1 | alice\n 22 | b\n(2 rows)\n");
    }
}
