//! Replays the catalog and data queries real PostgreSQL clients send (captured from psql 15,
//! pgjdbc, psqlODBC, pgcli, SQLAlchemy, psycopg, asyncpg, node-postgres, lib/pq, pgx and
//! tokio-postgres; see tests/fixtures/client_queries/PROVENANCE.md) against plantdb, and compares
//! the rows with PostgreSQL 15's answers recorded in tests/fixtures/client_queries/expected/
//! (by gen_expected.py) wherever the answer does not depend on PostgreSQL's own system objects.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plantdb::query::context::EvalContext;
use plantdb::query::types::text::format_value;
use plantdb::{Connection, Database};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/client_queries")
}

/// A fixture query with its header directives.
struct Fixture {
    name: String,
    sql: String,
    targets: Vec<String>,
    params: Vec<String>,
    compare: bool,
    ignore: Vec<String>,
    matching: Option<(String, String)>,
    sort: bool,
    setup: Vec<String>,
    teardown: Vec<String>,
    known_gap: Option<String>,
}

fn parse_fixture(name: &str, text: &str) -> Fixture {
    let mut f = Fixture {
        name: name.to_string(),
        sql: String::new(),
        targets: vec!["metrics".into()],
        params: Vec::new(),
        compare: false,
        ignore: Vec::new(),
        matching: None,
        sort: false,
        setup: Vec::new(),
        teardown: Vec::new(),
        known_gap: None,
    };
    let mut body = Vec::new();
    let mut in_header = true;
    for line in text.lines() {
        let directive = line.strip_prefix("-- ").and_then(|l| l.split_once(':'));
        match directive {
            Some((key, value)) if in_header => {
                let v = value.trim();
                match key {
                    "targets" => f.targets = v.split_whitespace().map(String::from).collect(),
                    "params" => f.params = v.split(" | ").map(String::from).collect(),
                    "compare" => f.compare = v != "none",
                    "ignore" => f.ignore = v.split(',').map(|c| c.trim().to_string()).collect(),
                    "sort" => f.sort = v == "yes",
                    "rows-matching" => {
                        f.matching = v.split_once('=').map(|(c, x)| (c.to_string(), x.to_string()))
                    }
                    "setup" => f.setup.push(v.to_string()),
                    "teardown" => f.teardown.push(v.to_string()),
                    "known-gap" => f.known_gap = Some(v.to_string()),
                    _ => {}
                }
            }
            _ => {
                in_header = false;
                body.push(line);
            }
        }
    }
    f.sql = body.join("\n");
    f
}

fn load(dir: &Path) -> Vec<Fixture> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("queries dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| parse_fixture(n, &std::fs::read_to_string(dir.join(n)).expect("read fixture")))
        .collect()
}

/// The fixture schema with the plantdb-only parts uncommented.
fn plantdb_schema() -> String {
    let text = std::fs::read_to_string(fixtures().join("schema.sql")).expect("schema");
    text.replace("/*plantdb:", "").replace("*/", "")
}

fn open() -> (Database, Connection, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "plantdb-catalog-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let db = Database::open(&dir).expect("open");
    let mut conn = db.connect();
    conn.execute(&plantdb_schema()).expect("schema loads");
    (db, conn, dir)
}

/// The statement for one target relation: placeholders and parameters substituted.
fn instantiate(f: &Fixture, target: &str, oid: u32) -> String {
    let mut sql = f
        .sql
        .replace("{{oid}}", &oid.to_string())
        .replace("{{rel}}", target);
    for (i, p) in f.params.iter().enumerate().rev() {
        sql = sql.replace(&format!("${}", i + 1), p);
    }
    sql
}

/// Escapes a value as COPY's text format does (NULL is `\N`).
fn escape(v: Option<String>) -> String {
    match v {
        None => "\\N".into(),
        Some(s) => s
            .replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r"),
    }
}

/// Result rows as tab-separated lines, the column names first, in the session's text format.
fn render(rows: &plantdb::Rows, cx: &EvalContext) -> Vec<String> {
    let mut out = vec![rows.columns.join("\t")];
    for r in &rows.rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&rows.types)
            .map(|(v, t)| escape(format_value(v, t, cx)))
            .collect();
        out.push(cells.join("\t"));
    }
    out
}

/// Keeps the rows asked for, drops ignored columns (by name or 1-based position) and sorts
/// when asked.
fn normalize(lines: &[String], f: &Fixture) -> Vec<String> {
    let Some(header) = lines.first() else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split('\t').collect();
    let keep: Vec<usize> = (0..names.len())
        .filter(|&i| {
            !f.ignore
                .iter()
                .any(|g| g.eq_ignore_ascii_case(names[i]) || *g == (i + 1).to_string())
        })
        .collect();
    let pick = |l: &String| {
        let cells: Vec<&str> = l.split('\t').collect();
        keep.iter()
            .map(|&i| cells.get(i).copied().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\t")
    };
    let wanted = |l: &&String| match &f.matching {
        Some((col, value)) => names
            .iter()
            .position(|n| n == col)
            .is_some_and(|i| l.split('\t').nth(i) == Some(value.as_str())),
        None => true,
    };
    let mut body: Vec<String> = lines[1..].iter().filter(wanted).map(pick).collect();
    if f.sort {
        body.sort();
    }
    let mut out = vec![pick(header)];
    out.extend(body);
    out
}

/// Runs the fixtures of `queries` against a fresh database holding the fixture schema.
fn run_fixtures(queries: &Path) {
    let (db, mut conn, dir) = open();
    let mut failures = String::new();
    let mut gaps = Vec::new();
    let (mut ran, mut compared) = (0, 0);
    for f in load(queries) {
        for target in &f.targets {
            let oid = conn
                .query(&format!("SELECT '{target}'::regclass::oid"))
                .ok()
                .and_then(|r| r.rows.first().and_then(|row| row[0].as_int()))
                .unwrap_or(0) as u32;
            for s in &f.setup {
                let _ = conn.execute(s);
            }
            let sql = instantiate(&f, target, oid);
            ran += 1;
            let result = conn.query(&sql);
            for s in &f.teardown {
                let _ = conn.execute(s);
            }
            let rows = match result {
                Ok(r) => r,
                Err(e) => {
                    match &f.known_gap {
                        Some(why) => gaps.push(format!("{} [{target}]: {why}", f.name)),
                        None => {
                            let _ = writeln!(failures, "{} [{target}]: {} ({})", f.name, e.message, e.code);
                        }
                    }
                    continue;
                }
            };
            if !f.compare {
                continue;
            }
            let stem = f.name.trim_end_matches(".sql");
            let path = fixtures().join("expected").join(format!("{stem}.{target}.tsv"));
            let Ok(want) = std::fs::read_to_string(&path) else {
                let _ = writeln!(
                    failures,
                    "{} [{target}]: no expected output {}",
                    f.name,
                    path.display()
                );
                continue;
            };
            compared += 1;
            let want: Vec<String> = want.lines().map(String::from).collect();
            let got = render(&rows, &conn.session().eval_context());
            let (w, g) = (normalize(&want, &f), normalize(&got, &f));
            if w != g {
                let _ = writeln!(failures, "{} [{target}]: rows differ from PostgreSQL", f.name);
                let _ = writeln!(failures, "    columns: {}", g.first().map_or("", String::as_str));
                for l in w.iter().filter(|l| !g.contains(l)) {
                    let _ = writeln!(failures, "  - {l}");
                }
                for l in g.iter().filter(|l| !w.contains(l)) {
                    let _ = writeln!(failures, "  + {l}");
                }
            }
        }
    }
    db.close().ok();
    std::fs::remove_dir_all(&dir).ok();
    eprintln!("{ran} statements run, {compared} compared with PostgreSQL 15");
    for g in &gaps {
        eprintln!("known gap: {g}");
    }
    assert!(failures.is_empty(), "\n{failures}");
}

#[test]
fn client_queries_run_and_match_postgresql() {
    run_fixtures(&fixtures().join("queries"));
}

/// The queries psql 15 sends for `\d`, `\d+`, `\dt`, `\dv`, `\di`, `\dn`, `\l`, `\du`, `\dT`, `\dp`, `\df` and
/// `\x` (recorded with `psql -E` by tests/fixtures/psql/gen_psql.py), run through the embedded API.
#[test]
fn psql_meta_commands_match_postgresql() {
    run_fixtures(&fixtures().join("../psql/queries"));
}

/// The rows of the system relations and the catalog functions for the fixture schema
/// (tests/fixtures/catalog, written for plantdb).
#[test]
fn catalog_contents_match_postgresql() {
    run_fixtures(&fixtures().join("../catalog/queries"));
}

/// Metadata queries of DBeaver, Metabase, Grafana, Npgsql, asyncpg, tokio-postgres, Power BI and
/// pgAdmin (tests/fixtures/tools).
#[test]
fn tool_queries_run_and_match_postgresql() {
    run_fixtures(&fixtures().join("../tools/queries"));
}

/// The catalog relations follow DDL at once, through the cache of generated rows.
#[test]
fn catalog_follows_ddl() {
    let (db, mut conn, dir) = open();
    let count = |conn: &mut Connection, sql: &str| -> i64 {
        conn.query(sql)
            .ok()
            .and_then(|r| r.rows.first().and_then(|row| row[0].as_int()))
            .unwrap_or(-1)
    };
    let cols = "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                WHERE c.relname = 'ddl_t' AND a.attnum > 0";
    let comments = "SELECT count(*) FROM pg_description WHERE objoid = 'ddl_t'::regclass";
    assert_eq!(count(&mut conn, cols), 0);
    conn.execute("CREATE TABLE ddl_t (a integer, b text)")
        .expect("create");
    assert_eq!(count(&mut conn, cols), 2);
    assert_eq!(count(&mut conn, comments), 0);
    conn.execute("COMMENT ON COLUMN ddl_t.b IS 'bee'")
        .expect("comment");
    assert_eq!(count(&mut conn, comments), 1);
    conn.execute("ALTER TABLE ddl_t ADD COLUMN c double precision")
        .expect("alter");
    assert_eq!(count(&mut conn, cols), 3);
    conn.execute("DROP TABLE ddl_t").expect("drop");
    assert_eq!(count(&mut conn, cols), 0);
    db.close().ok();
    std::fs::remove_dir_all(&dir).ok();
}
