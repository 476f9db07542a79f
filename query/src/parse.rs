//! Parsing: split a query string into statements, apply the few rewrites sqlparser needs
//! (DuckDB-style `ASOF JOIN`, `TABLE t`), recognise the commands it does not parse (CHECKPOINT,
//! CREATE/ALTER/DROP USER|ROLE), and turn parser errors into 42601 with a position.
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::error::{QueryError, Result, sqlstate};

/// A role definition command.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleSpec {
    /// Role name.
    pub name: String,
    /// PASSWORD 'x' (Some(None) for PASSWORD NULL).
    pub password: Option<Option<String>>,
    /// LOGIN / NOLOGIN.
    pub login: Option<bool>,
    /// SUPERUSER / NOSUPERUSER.
    pub superuser: Option<bool>,
}

/// Commands parsed here rather than by sqlparser.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// CHECKPOINT
    Checkpoint,
    /// VACUUM [FULL | FREEZE | VERBOSE | ANALYZE | (options)] [table, ...]
    Vacuum {
        /// The tables named (all when empty).
        tables: Vec<String>,
    },
    /// CREATE USER / CREATE ROLE
    CreateRole(RoleSpec),
    /// ALTER USER / ALTER ROLE
    AlterRole(RoleSpec),
    /// DROP USER / DROP ROLE
    DropRole {
        /// Names.
        names: Vec<String>,
        /// IF EXISTS.
        if_exists: bool,
    },
}

/// One statement of a query string.
#[derive(Debug, Clone)]
pub struct ParsedStatement {
    /// The statement, unless it is a [`Command`].
    pub stmt: Option<Statement>,
    /// A command parsed here.
    pub command: Option<Command>,
    /// The statement's text (after rewrites).
    pub text: String,
    /// Character offset of the statement in the query string.
    pub offset: usize,
    /// (line, column) of the relation following each `ASOF [LEFT] JOIN`.
    pub asof_joins: Vec<(u64, u64)>,
}

/// Character offset (0-based) of a 1-based (line, column) location in `text`.
pub fn char_offset(text: &str, line: u64, col: u64) -> usize {
    let mut l = 1u64;
    let mut c = 1u64;
    for (i, ch) in text.chars().enumerate() {
        if l == line && c == col {
            return i;
        }
        if ch == '\n' {
            l += 1;
            c = 1;
        } else {
            c += 1;
        }
    }
    text.chars().count()
}

fn syntax_error(msg: &str, text: &str, offset: usize) -> QueryError {
    // sqlparser: "Expected: X, found: Y at Line: L, Column: C"
    let (body, pos) = match msg.rfind(" at Line: ") {
        Some(i) => {
            let loc = &msg[i + 10..];
            let mut it = loc.split(", Column: ");
            let line = it.next().and_then(|l| l.trim().parse().ok()).unwrap_or(1);
            let col = it.next().and_then(|c| c.trim().parse().ok()).unwrap_or(1);
            (&msg[..i], Some(char_offset(text, line, col)))
        }
        None => (msg, None),
    };
    let found = body.rsplit_once("found: ").map(|(_, f)| f.trim());
    let message = match found {
        Some("EOF") => "syntax error at end of input".to_string(),
        Some(tok) => format!("syntax error at or near \"{tok}\""),
        None => format!("syntax error: {}", body.trim_start_matches("sql parser error: ")),
    };
    let position = match (found, pos) {
        (Some("EOF"), _) => Some(offset + text.chars().count() + 1),
        (_, Some(p)) => Some(offset + p + 1),
        _ => None,
    };
    QueryError::new(sqlstate::SYNTAX_ERROR, message).at(position.map(|p| p as u32))
}

fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

fn significant(tokens: &[TokenWithSpan]) -> Vec<&TokenWithSpan> {
    tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect()
}

/// Splits and parses a query string.
pub fn parse(sql: &str) -> Result<Vec<ParsedStatement>> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| {
            let msg = e.to_string();
            let pos = e
                .location
                .line
                .checked_sub(0)
                .map(|_| char_offset(sql, e.location.line, e.location.column) + 1);
            let text = if msg.contains("Unterminated") {
                "unterminated quoted string".to_string()
            } else {
                msg
            };
            QueryError::new(sqlstate::SYNTAX_ERROR, format!("syntax error: {text}")).at(pos.map(|p| p as u32))
        })?;
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=tokens.len() {
        let end = i == tokens.len() || matches!(tokens[i].token, Token::SemiColon);
        if !end {
            continue;
        }
        let stmt_tokens = &tokens[start..i];
        start = i + 1;
        let sig = significant(stmt_tokens);
        if sig.iter().all(|t| matches!(t.token, Token::EOF)) {
            continue;
        }
        let first = sig[0].span.start;
        let from = char_offset(sql, first.line, first.column);
        let last = stmt_tokens
            .iter()
            .rev()
            .find(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF));
        let to = last.map_or(from, |t| char_offset(sql, t.span.end.line, t.span.end.column));
        let text: String = sql.chars().skip(from).take(to.saturating_sub(from)).collect();
        out.push(parse_one(&text, from)?);
    }
    Ok(out)
}

fn parse_one(text: &str, offset: usize) -> Result<ParsedStatement> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .unwrap_or_default();
    let sig = significant(&tokens);
    let words: Vec<String> = sig
        .iter()
        .take(3)
        .map(|t| match &t.token {
            Token::Word(w) => w.value.to_ascii_uppercase(),
            _ => String::new(),
        })
        .collect();
    let base = ParsedStatement {
        stmt: None,
        command: None,
        text: text.to_string(),
        offset,
        asof_joins: Vec::new(),
    };
    match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["CHECKPOINT"] => {
            return Ok(ParsedStatement {
                command: Some(Command::Checkpoint),
                ..base
            });
        }
        ["VACUUM", ..] => {
            return Ok(ParsedStatement {
                command: Some(Command::Vacuum {
                    tables: vacuum_tables(&sig[1..]),
                }),
                ..base
            });
        }
        ["CREATE", "USER" | "ROLE", ..] | ["ALTER", "USER" | "ROLE", ..] | ["DROP", "USER" | "ROLE", ..] => {
            return Ok(ParsedStatement {
                command: Some(parse_role(&sig, text, offset)?),
                ..base
            });
        }
        ["TABLE", ..] => {
            let rest: String = text.trim_start()[5..].to_string();
            return parse_one(&format!("SELECT * FROM {rest}"), offset);
        }
        _ => {}
    }
    // ASOF [LEFT] JOIN: blank out ASOF (keeping every position) and remember the relation.
    let mut text_chars: Vec<char> = text.chars().collect();
    let mut asof = Vec::new();
    for (k, t) in sig.iter().enumerate() {
        if !is_word(&t.token, "ASOF") {
            continue;
        }
        let join_at = match sig.get(k + 1) {
            Some(n) if is_word(&n.token, "JOIN") => k + 1,
            Some(n) if is_word(&n.token, "LEFT") => {
                let mut j = k + 2;
                if sig.get(j).is_some_and(|x| is_word(&x.token, "OUTER")) {
                    j += 1;
                }
                if !sig.get(j).is_some_and(|x| is_word(&x.token, "JOIN")) {
                    continue;
                }
                j
            }
            _ => continue,
        };
        let s = char_offset(text, t.span.start.line, t.span.start.column);
        for c in text_chars.iter_mut().skip(s).take(4) {
            *c = ' ';
        }
        if let Some(rel) = sig[join_at + 1..]
            .iter()
            .find(|x| !matches!(x.token, Token::LParen))
        {
            asof.push((rel.span.start.line, rel.span.start.column));
        }
    }
    let text: String = text_chars.into_iter().collect();
    let mut stmts =
        Parser::parse_sql(&dialect, &text).map_err(|e| syntax_error(&e.to_string(), &text, offset))?;
    if stmts.len() != 1 {
        return Err(QueryError::new(
            sqlstate::SYNTAX_ERROR,
            "syntax error: expected one statement",
        ));
    }
    Ok(ParsedStatement {
        stmt: stmts.pop(),
        asof_joins: asof,
        text,
        ..base
    })
}

/// The table names of a PostgreSQL VACUUM (options and column lists skipped; the last part of a
/// qualified name).
fn vacuum_tables(sig: &[&TokenWithSpan]) -> Vec<String> {
    const OPTIONS: [&str; 5] = ["FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE"];
    let mut tables: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut after_dot = false;
    for t in sig {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            Token::Period => after_dot = true,
            Token::Word(w)
                if tables.is_empty()
                    && w.quote_style.is_none()
                    && OPTIONS.iter().any(|o| w.value.eq_ignore_ascii_case(o)) => {}
            Token::Word(w) => {
                let name = match w.quote_style {
                    Some(_) => w.value.clone(),
                    None => w.value.to_ascii_lowercase(),
                };
                match (after_dot, tables.last_mut()) {
                    (true, Some(last)) => *last = name,
                    _ => tables.push(name),
                }
                after_dot = false;
            }
            _ => {}
        }
    }
    tables
}

fn parse_role(sig: &[&TokenWithSpan], text: &str, offset: usize) -> Result<Command> {
    let verb = match &sig[0].token {
        Token::Word(w) => w.value.to_ascii_uppercase(),
        _ => String::new(),
    };
    let bad = |t: &TokenWithSpan| {
        let p = char_offset(text, t.span.start.line, t.span.start.column);
        QueryError::new(
            sqlstate::SYNTAX_ERROR,
            format!("syntax error at or near \"{}\"", t.token),
        )
        .at(Some((offset + p + 1) as u32))
    };
    let name_of = |t: &TokenWithSpan| match &t.token {
        Token::Word(w) if w.quote_style.is_some() => Ok(w.value.clone()),
        Token::Word(w) => Ok(w.value.to_ascii_lowercase()),
        _ => Err(bad(t)),
    };
    let rest: Vec<&&TokenWithSpan> = sig[2..]
        .iter()
        .filter(|t| !matches!(t.token, Token::EOF))
        .collect();
    if verb == "DROP" {
        let mut if_exists = false;
        let mut i = 0;
        if rest.len() >= 2 && is_word(&rest[0].token, "IF") && is_word(&rest[1].token, "EXISTS") {
            if_exists = true;
            i = 2;
        }
        let mut names = Vec::new();
        for t in &rest[i..] {
            if matches!(t.token, Token::Comma) {
                continue;
            }
            names.push(name_of(t)?);
        }
        return Ok(Command::DropRole { names, if_exists });
    }
    let Some(first) = rest.first() else {
        return Err(QueryError::new(
            sqlstate::SYNTAX_ERROR,
            "syntax error at end of input",
        ));
    };
    let mut spec = RoleSpec {
        name: name_of(first)?,
        ..RoleSpec::default()
    };
    if verb == "CREATE" && sig.get(1).is_some_and(|t| is_word(&t.token, "USER")) {
        spec.login = Some(true);
    }
    let mut i = 1;
    while i < rest.len() {
        let t = rest[i];
        let w = match &t.token {
            Token::Word(w) => w.value.to_ascii_uppercase(),
            _ => return Err(bad(t)),
        };
        match w.as_str() {
            "WITH" | "INHERIT" | "NOINHERIT" | "CREATEDB" | "NOCREATEDB" | "CREATEROLE" | "NOCREATEROLE"
            | "REPLICATION" | "NOREPLICATION" | "BYPASSRLS" | "NOBYPASSRLS" => {}
            "LOGIN" => spec.login = Some(true),
            "NOLOGIN" => spec.login = Some(false),
            "SUPERUSER" => spec.superuser = Some(true),
            "NOSUPERUSER" => spec.superuser = Some(false),
            "ENCRYPTED" | "UNENCRYPTED" => {}
            "PASSWORD" => {
                i += 1;
                let v = rest
                    .get(i)
                    .ok_or_else(|| QueryError::new(sqlstate::SYNTAX_ERROR, "syntax error at end of input"))?;
                spec.password = Some(match &v.token {
                    Token::SingleQuotedString(s) => Some(s.clone()),
                    Token::Word(w) if w.value.eq_ignore_ascii_case("NULL") => None,
                    _ => return Err(bad(v)),
                });
            }
            "CONNECTION" | "VALID" => {
                // CONNECTION LIMIT n / VALID UNTIL 'x': accepted and ignored.
                i += 2;
            }
            _ => return Err(bad(t)),
        }
        i += 1;
    }
    Ok(if verb == "CREATE" {
        Command::CreateRole(spec)
    } else {
        Command::AlterRole(spec)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_and_keeps_offsets() {
        let v = parse("SELECT 1; ; select 'a;b';CHECKPOINT").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v[1].text, "select 'a;b'");
        assert_eq!(v[1].offset, 12);
        assert_eq!(v[2].command, Some(Command::Checkpoint));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("SELECT 1;\nSELEC 2").unwrap_err();
        assert_eq!(e.code, "42601");
        assert_eq!(e.message, "syntax error at or near \"SELEC\"");
        assert_eq!(e.position, Some(11));
        let e = parse("SELECT (1").unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");
    }

    #[test]
    fn asof_joins_are_marked() {
        let v = parse("SELECT * FROM a ASOF JOIN b ON a.k = b.k AND a.ts >= b.ts").unwrap();
        assert!(v[0].stmt.is_some());
        assert_eq!(v[0].asof_joins, vec![(1, 27)]);
    }

    #[test]
    fn role_commands() {
        let v = parse("CREATE USER bi PASSWORD 'secret'").unwrap();
        assert_eq!(
            v[0].command,
            Some(Command::CreateRole(RoleSpec {
                name: "bi".into(),
                password: Some(Some("secret".into())),
                login: Some(true),
                superuser: None
            }))
        );
        let v = parse("DROP ROLE IF EXISTS a, b").unwrap();
        assert_eq!(
            v[0].command,
            Some(Command::DropRole {
                names: vec!["a".into(), "b".into()],
                if_exists: true
            })
        );
    }
}
