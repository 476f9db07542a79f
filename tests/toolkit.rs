//! The time-series toolkit against PostgreSQL 15 window-function formulations of the same
//! quantities on the same data (`tests/data/toolkit`: `series.sql`, `pg_oracle.sql` and the
//! recorded `pg_answers.txt`, see its README), plus hand-computed cases.
mod common;

use std::collections::HashMap;

use common::{TempDb, assert_close, data};

fn load() -> TempDb {
    let mut db = TempDb::new("toolkit");
    let sql = std::fs::read_to_string(data("toolkit/series.sql")).expect("series.sql");
    db.exec(&sql);
    db
}

fn pg_answers() -> HashMap<(String, String), Option<f64>> {
    let text = std::fs::read_to_string(data("toolkit/pg_answers.txt")).expect("pg_answers.txt");
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].parse::<f64>().ok())
        })
        .collect()
}

#[test]
fn per_bucket_against_postgresql() {
    let mut db = load();
    let pg = pg_answers();
    let rows = db.rows(
        "SELECT b.s::text,
           time_weighted_average(x.ts, x.kw, 'locf', b.s, b.e),
           time_weighted_integral(x.ts, x.kw, 'locf', interval '1 hour', b.s, b.e),
           time_weighted_average(x.ts, x.kw, 'linear', b.s, b.e),
           counter_increase(x.ts, x.kwh, b.s, b.e),
           counter_resets(x.ts, x.kwh, b.s, b.e),
           extract(epoch FROM time_in_state(x.ts, x.state, 'RUNNING', b.s, b.e)),
           state_transitions(x.ts, x.state, b.s, b.e),
           extract(epoch FROM uptime(x.ts, interval '60 s', b.s, b.e))
         FROM (SELECT g AS s, g + interval '1 hour' AS e
               FROM generate_series('2026-01-05 09:00'::timestamp, '2026-01-05 13:00', interval '1 hour') g) b
         JOIN s x ON x.ts >= b.s - interval '1 hour' AND x.ts < b.e + interval '1 hour'
         GROUP BY b.s, b.e ORDER BY b.s",
    );
    assert_eq!(rows.len(), 5);
    let names = [
        "twa_locf",
        "integral_locf_kwh",
        "twa_linear",
        "counter_increase",
        "counter_resets",
        "running_s",
        "transitions",
        "uptime_s",
    ];
    for r in &rows {
        let bucket = r[0].as_str().unwrap_or("").to_string();
        for (k, name) in names.iter().enumerate() {
            let want = pg
                .get(&(name.to_string(), bucket.clone()))
                .copied()
                .flatten()
                .unwrap_or(f64::NAN);
            let got = r[k + 1].as_f64().unwrap_or(f64::NAN);
            assert_close(&format!("{name} at {bucket}"), got, want, 1e-9);
        }
    }
}

#[test]
fn whole_series_without_range() {
    // Without a range: the domain runs from the first to the last sample.
    let mut db = TempDb::new("toolkit-hand");
    db.exec("CREATE TABLE p (ts timestamp, v float8, c float8, st text)");
    // 0 s: 10, 10 s: 20, 30 s: 0, 40 s: 5 (counter 100, 130, 5 (reset), 25).
    db.exec(
        "INSERT INTO p VALUES ('2026-01-05 00:00:00', 10, 100, 'A'), ('2026-01-05 00:00:10', 20, 130, 'B'),
                              ('2026-01-05 00:00:30', 0, 5, 'B'), ('2026-01-05 00:00:40', 5, 25, 'A')",
    );
    // LOCF: (10·10 + 20·20 + 0·10) / 40 = 12.5; linear: (150 + 200 + 25) / 40 = 9.375.
    assert_close(
        "locf",
        db.f64("SELECT time_weighted_average(ts, v, 'locf') FROM p"),
        12.5,
        1e-12,
    );
    assert_close(
        "linear",
        db.f64("SELECT time_weighted_average(ts, v, 'linear') FROM p"),
        9.375,
        1e-12,
    );
    // Integral in value·minutes: 500 / 60.
    assert_close(
        "integral",
        db.f64("SELECT time_weighted_integral(ts, v, 'locf', interval '1 minute') FROM p"),
        500.0 / 60.0,
        1e-12,
    );
    // Counter: +30, reset → +5, +20 = 55; delta 25 − 100 = −75; rate 55 / 40 s.
    assert_close(
        "increase",
        db.f64("SELECT counter_increase(ts, c) FROM p"),
        55.0,
        1e-12,
    );
    assert_close(
        "delta",
        db.f64("SELECT counter_delta(ts, c) FROM p"),
        -75.0,
        1e-12,
    );
    assert_close(
        "rate",
        db.f64("SELECT counter_rate(ts, c) FROM p"),
        55.0 / 40.0,
        1e-12,
    );
    assert_close("resets", db.f64("SELECT counter_resets(ts, c) FROM p"), 1.0, 0.0);
    // State B from 10 s to 40 s; transitions A→B, B→A.
    assert_close(
        "time in B",
        db.f64("SELECT extract(epoch FROM time_in_state(ts, st, 'B')) FROM p"),
        30.0,
        1e-12,
    );
    assert_close(
        "transitions",
        db.f64("SELECT state_transitions(ts, st) FROM p"),
        2.0,
        0.0,
    );
    // Liveness at 15 s expected: live 10 + 15 + 10 = 35 of 40 s, one gap (10 → 30 s),
    // completeness 4 / (40/15 + 1), mean interval 40/3 s.
    assert_close(
        "uptime",
        db.f64("SELECT extract(epoch FROM uptime(ts, interval '15 s')) FROM p"),
        35.0,
        1e-12,
    );
    assert_close(
        "downtime",
        db.f64("SELECT extract(epoch FROM downtime(ts, interval '15 s')) FROM p"),
        5.0,
        1e-12,
    );
    assert_close(
        "gaps",
        db.f64("SELECT gap_count(ts, interval '15 s') FROM p"),
        1.0,
        0.0,
    );
    assert_close(
        "completeness",
        db.f64("SELECT completeness(ts, interval '15 s') FROM p"),
        4.0 / (40.0 / 15.0 + 1.0),
        1e-12,
    );
    assert_close(
        "sampling interval",
        db.f64("SELECT extract(epoch FROM sampling_interval(ts)) FROM p"),
        13.333333,
        1e-6,
    );
    // Completeness over an explicit range of 2 minutes at 15 s: 4 of 8 expected samples.
    assert_close(
        "completeness in range",
        db.f64("SELECT completeness(ts, interval '15 s', '2026-01-05 00:00'::timestamp, '2026-01-05 00:02'::timestamp) FROM p"),
        0.5,
        1e-12,
    );
    // Empty input: NULL; bad arguments: 22023.
    assert!(db.rows("SELECT time_weighted_average(ts, v, 'locf') FROM p WHERE false")[0][0].is_null());
    assert_eq!(
        db.error("SELECT time_weighted_average(ts, v, 'cubic') FROM p"),
        "22023"
    );
    assert_eq!(db.error("SELECT uptime(ts, interval '0 s') FROM p"), "22023");
    assert_eq!(db.error("SELECT approx_percentile(v, 1.5) FROM p"), "22023");
    assert_eq!(
        db.error("SELECT counter_increase(ts, c, '2026-01-05 01:00'::timestamp, '2026-01-05 00:00'::timestamp) FROM p"),
        "22023"
    );
}

#[test]
fn approx_percentile_and_lttb() {
    let mut db = load();
    // Within 1 % of the sorted value at rank round(p·(n − 1)).
    let sorted: Vec<f64> = db
        .rows("SELECT kw FROM s ORDER BY kw")
        .iter()
        .filter_map(|r| r[0].as_f64())
        .collect();
    for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
        let exact = sorted[(p * (sorted.len() - 1) as f64).round() as usize];
        let approx = db.f64(&format!("SELECT approx_percentile(kw, {p}) FROM s"));
        assert!(
            (approx - exact).abs() <= 0.01 * exact.abs() * 1.0001,
            "p {p}: {approx} vs {exact}"
        );
    }
    // LTTB keeps exactly n rows, including the first and the last.
    let rows = db.rows(
        "SELECT count(*), min(ts)::text, max(ts)::text FROM
           (SELECT ts, lttb(ts, kw, 20) OVER (ORDER BY ts) AS keep FROM s) x WHERE keep",
    );
    assert_eq!(rows[0][0].as_f64(), Some(20.0));
    assert_eq!(rows[0][1].as_str(), Some("2026-01-05 09:30:00"));
    assert_eq!(
        db.error("SELECT lttb(ts, kw, 1) OVER (ORDER BY ts) FROM s"),
        "22023"
    );
}
