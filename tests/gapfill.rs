//! Gap filling against a PostgreSQL 15 formulation of the same query on the same data
//! (`tests/data/gapfill`: `series.sql`, `pg_oracle.sql` — generate_series × devices, LEFT JOIN
//! of the per-bucket aggregates, LATERAL last/next non-empty bucket — and the recorded
//! `pg_answers.txt`, see its README). Hand-computed cases are in `tests/sql/gapfill.slt`.
mod common;

use common::{TempDb, assert_close, data};

const QUERY: &str = "SELECT dev, time_bucket_gapfill('5 minutes', ts)::text AS b, avg(v),
    locf(avg(v)), locf(avg(v), interval '20 minutes'), locf(avg(v), NULL, true),
    interpolate(avg(v)), interpolate(avg(v), interval '30 minutes'), interpolate(max(n))
  FROM g WHERE ts >= '2026-01-05 10:00' AND ts < '2026-01-05 12:00'
  GROUP BY dev, time_bucket_gapfill('5 minutes', ts) ORDER BY 1, 2";

fn check(table_options: &str) {
    let mut db = TempDb::new("gapfill");
    let sql = std::fs::read_to_string(data("gapfill/series.sql")).expect("series.sql");
    db.exec(&sql.replace(
        "CREATE TABLE g (ts timestamp, dev text, v float8, n int8)",
        &format!("CREATE TABLE g (ts timestamp, dev text, v float8, n int8) {table_options}"),
    ));
    let want = std::fs::read_to_string(data("gapfill/pg_answers.txt")).expect("pg_answers.txt");
    let want: Vec<Vec<&str>> = want
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').collect())
        .collect();
    let got = db.rows(QUERY);
    assert_eq!(got.len(), want.len(), "rows");
    assert_eq!(want.len(), 72, "3 devices × 24 buckets");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g[0].as_str(), Some(w[0]), "device");
        assert_eq!(g[1].as_str(), Some(w[1]), "bucket");
        for k in 2..9 {
            let what = format!("{} {} column {k}", w[0], w[1]);
            let (x, s) = (g[k].as_f64(), w[k]);
            assert_eq!(x.is_none(), s.is_empty(), "{what}: got {x:?}, want {s:?}");
            if let Some(x) = x {
                let y: f64 = s.parse().expect("number");
                assert_close(&what, x, y, 1e-12);
            }
        }
    }
}

#[test]
fn matches_postgresql_formulation_plain_table() {
    check("");
}

#[test]
fn matches_postgresql_formulation_time_series_table() {
    check("WITH (timestamp = 'ts', tags = 'dev')");
}
