//! The demo plant (embedded API): every example of `docs/functions.md` runs against it and
//! prints exactly what the document shows; OEE per machine and shift through the extension
//! functions equals the plain-SQL `d1_oee_by_shift` of the shared query set.
//!
//! `PLANTDB_BLESS=1 cargo test --release --test demo` rewrites the outputs in the document
//! (review the diff: the examples' outputs are documentation, the values are checked against
//! independent truth by the other test files).
mod common;

#[path = "../benches/src/queries.rs"]
#[allow(
    dead_code,
    reason = "the benchmark's query set, only the d1 pair is used here"
)]
mod queries;

use common::{TempDb, close};
use plantdb::{DemoConfig, load_demo};

fn demo(name: &str) -> TempDb {
    let mut db = TempDb::new(name);
    let start = std::time::Instant::now();
    let rows = load_demo(&mut db.conn, DemoConfig::default()).expect("load demo");
    eprintln!(
        "demo plant: {rows} rows in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    db
}

fn run(db: &mut TempDb, sql: &str) -> String {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let ok =
        plantdb_server::psql::run_sql(db.conn.session(), sql, &b""[..], &mut out, &mut err).expect("print");
    let mut s = String::from_utf8_lossy(&out).into_owned();
    s.push_str(&String::from_utf8_lossy(&err));
    assert!(ok || s.contains("ERROR"), "{sql}");
    s
}

/// (start of the sql block's text, sql, start and end of the following text block's body).
fn examples(doc: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(a) = doc[pos..].find("```sql\n") {
        let sql_start = pos + a + 7;
        let Some(b) = doc[sql_start..].find("```\n") else {
            break;
        };
        let sql = doc[sql_start..sql_start + b].to_string();
        let after = sql_start + b + 4;
        let rest = &doc[after..];
        let skip = rest.len() - rest.trim_start_matches('\n').len();
        if rest[skip..].starts_with("```text\n") {
            let body = after + skip + 8;
            let Some(e) = doc[body..].find("```\n") else { break };
            out.push((sql, body, body + e));
            pos = body + e + 4;
        } else {
            out.push((sql, after, after));
            pos = after;
        }
    }
    out
}

#[test]
fn docs_examples_print_what_the_document_shows() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/functions.md");
    let doc = std::fs::read_to_string(path).expect("docs/functions.md");
    let mut db = demo("docs");
    let bless = std::env::var_os("PLANTDB_BLESS").is_some();
    let mut new = String::new();
    let mut last = 0;
    let mut failures = Vec::new();
    let list = examples(&doc);
    assert!(list.len() >= 20, "only {} examples", list.len());
    for (sql, start, end) in list {
        let got = run(&mut db, &sql);
        if doc[start..end] != got {
            failures.push(format!(
                "{sql}\n--- documented:\n{}--- printed:\n{got}",
                &doc[start..end]
            ));
        }
        new.push_str(&doc[last..start]);
        new.push_str(&got);
        last = end;
    }
    new.push_str(&doc[last..]);
    if bless {
        std::fs::write(path, new).expect("write docs");
    } else {
        assert!(
            failures.is_empty(),
            "{} examples differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[test]
fn oee_by_shift_through_the_extension_equals_the_plain_sql() {
    let mut db = demo("d1");
    let all = queries::queries();
    let find = |n: &str| {
        all.iter()
            .find(|q| q.name == n)
            .map(|q| q.sql.as_str())
            .expect("query")
    };
    let plain = db.rows(find("d1_oee_by_shift"));
    let ext = db.rows(find("d1x_oee_by_shift_extension"));
    assert_eq!(plain.len(), 15, "3 shifts × 5 machines");
    assert_eq!(plain.len(), ext.len());
    for (p, e) in plain.iter().zip(&ext) {
        assert_eq!(p[0], e[0]);
        assert_eq!(p[1], e[1]);
        for k in 2..5 {
            let (a, b) = (p[k].as_f64(), e[k].as_f64());
            match (a, b) {
                (Some(a), Some(b)) => assert!(close(b, a, 1e-12), "{p:?} vs {e:?}"),
                _ => assert_eq!(p[k].is_null(), e[k].is_null(), "{p:?} vs {e:?}"),
            }
        }
    }
}
