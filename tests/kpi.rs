//! Equipment KPIs and reliability through SQL, against independent truth:
//!
//! - the Vorne "Calculating OEE Worksheet" (KPI-DEFINITIONS.md §2.5a): A 88.81 %, P 86.11 %,
//!   Q 97.80 %, OEE 74.79 % (exactly 18 848 / 60 / 420);
//! - InfluxDB Flux's `experimental/oee` unit test `apq_test.flux` (§2.5b): availability 0.375,
//!   performance 0.6666…, quality 0.98333…, OEE 0.245833…;
//! - a timeline computed by hand, minute by minute (comments below), over two shifts: a breakdown
//!   across the shift boundary, a break as idle time and one as a state, a micro-stop, a gap
//!   longer than `max_gap`, a counter reset, setup, and a stop cut by the shift end.
mod common;

use common::{TempDb, assert_close};

const TOL: f64 = 1e-12;

fn kpis(db: &mut TempDb, from: &str, agg: &str) -> Vec<f64> {
    let sql = format!(
        "SELECT availability(a), performance(a), quality_ratio(a), oee(a) FROM (SELECT {agg} AS a FROM {from}) x"
    );
    let rows = db.rows(&sql);
    rows[0].iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()
}

#[test]
fn vorne_worksheet() {
    // Shift 08:00–16:00 (480 min); breaks 15 + 30 + 15 min recorded as BREAK (planned stop);
    // 47 min of unplanned downtime; ideal rate 60 ppm (ICT 1 s); 19 271 parts, 423 rejects.
    let mut db = TempDb::new("kpi-vorne");
    db.exec("CREATE TABLE ev (ts timestamp, state text, parts bigint, scrap bigint)");
    db.exec(
        "INSERT INTO ev VALUES
         ('2026-01-05 08:00', 'RUNNING', 0, 0),
         ('2026-01-05 09:30', 'BREAK', 4000, 80),
         ('2026-01-05 09:45', 'RUNNING', 4000, 80),
         ('2026-01-05 11:20', 'DOWN', 9000, 200),
         ('2026-01-05 12:07', 'RUNNING', 9000, 200),
         ('2026-01-05 12:30', 'BREAK', 10200, 230),
         ('2026-01-05 13:00', 'RUNNING', 10200, 230),
         ('2026-01-05 14:30', 'BREAK', 15000, 330),
         ('2026-01-05 14:45', 'RUNNING', 15000, 330),
         ('2026-01-05 15:59:59', 'RUNNING', 19271, 423)",
    );
    let w = "'2026-01-05 08:00'::timestamp, '2026-01-05 16:00'::timestamp";
    let k = kpis(
        &mut db,
        "ev",
        &format!("oee_agg(ts, state, parts, scrap, 1.0::float8, {w})"),
    );
    // Run time 90 + 95 + 23 + 90 + 75 = 373 min of 420 planned.
    assert_close("availability", k[0], 373.0 / 420.0, TOL);
    assert_close("performance", k[1], 19271.0 / (373.0 * 60.0), TOL);
    assert_close("quality", k[2], 18848.0 / 19271.0, TOL);
    assert_close("oee", k[3], 18848.0 / 60.0 / 420.0, TOL);
    // The published, rounded figures.
    let pct = |x: f64| (x * 10000.0).round() / 100.0;
    assert_eq!(
        [pct(k[0]), pct(k[1]), pct(k[2]), pct(k[3])],
        [88.81, 86.11, 97.8, 74.79]
    );
    // Same worksheet with the breaks as idle time and 60 min of planned down time given.
    db.exec("CREATE TABLE ev2 AS SELECT ts, CASE WHEN state = 'BREAK' THEN 'IDLE' ELSE state END AS state, parts, scrap FROM ev");
    let k2 = kpis(
        &mut db,
        "ev2",
        &format!("oee_agg(ts, state, parts, scrap, 1.0::float8, {w}, interval '60 minutes')"),
    );
    for (a, b) in k.iter().zip(&k2) {
        assert_close("planned down as a duration", *a, *b, TOL);
    }
}

#[test]
fn flux_apq_test() {
    // apq_test.flux: range [00:00, 04:00), plannedTime 8 h, idealCycleTime 30 s; the last state
    // holds until the range stop, marked here by a sample without state at 04:00.
    let mut db = TempDb::new("kpi-flux");
    db.exec("CREATE TABLE f (ts timestamptz, state text, part_count bigint, bad_count bigint)");
    db.exec(
        "INSERT INTO f VALUES
         ('2021-03-22 00:00Z', 'running', 1200, 10),
         ('2021-03-22 01:00Z', 'running', 1300, 11),
         ('2021-03-22 02:00Z', 'stopped', 1400, 11),
         ('2021-03-22 03:00Z', 'running', 1400, 11),
         ('2021-03-22 03:30Z', 'running', 1440, 14),
         ('2021-03-22 04:00Z', NULL, NULL, NULL)",
    );
    let k = kpis(
        &mut db,
        "f",
        "oee_agg(ts, state, part_count, bad_count, 30.0::float8, '2021-03-22 00:00Z'::timestamptz, '2021-03-22 08:00Z'::timestamptz)",
    );
    assert_close("availability", k[0], 0.375, TOL);
    assert_close("performance", k[1], 0.6666666666666666, TOL);
    assert_close("quality", k[2], 0.9833333333333333, TOL);
    assert_close("oee", k[3], 0.24583333333333332, TOL);
    let run = db.rows(
        "SELECT oee_time(oee_agg(ts, state, part_count, bad_count, 30.0::float8, '2021-03-22 00:00Z'::timestamptz, '2021-03-22 08:00Z'::timestamptz), 'apt')::text FROM f",
    );
    assert_eq!(run[0][0].as_str(), Some("03:00:00"));
}

/// The two-shift timeline of the module documentation. Running periods longer than an hour
/// have heartbeat samples (`max_gap` is 60 min); the only longer silence is 11:00–12:30.
fn timeline(name: &str) -> TempDb {
    let mut db = TempDb::new(name);
    db.exec("CREATE TABLE shifts (shift_id text, start_ts timestamp, end_ts timestamp, break_min bigint)");
    // Shift A marks its break only in the calendar (the machine reports IDLE); shift B's
    // machine reports BREAK, so the calendar gives no planned down time for it.
    db.exec(
        "INSERT INTO shifts VALUES ('A', '2026-01-05 06:00', '2026-01-05 14:00', 30),
                                   ('B', '2026-01-05 14:00', '2026-01-05 22:00', 0)",
    );
    db.exec(
        "CREATE TABLE ev (ts timestamp, machine_id text, state text, parts bigint, scrap bigint)
         WITH (timestamp = 'ts', tags = 'machine_id')",
    );
    db.exec(
        "INSERT INTO ev VALUES
         ('2026-01-05 06:00', 'M1', 'RUNNING', 100, 0),
         ('2026-01-05 07:00', 'M1', 'DOWN', 160, 1),
         ('2026-01-05 07:02', 'M1', 'RUNNING', 160, 1),
         ('2026-01-05 08:00', 'M1', 'RUNNING', 218, 1),
         ('2026-01-05 09:00', 'M1', 'IDLE', 278, 2),
         ('2026-01-05 09:30', 'M1', 'RUNNING', 278, 2),
         ('2026-01-05 10:15', 'M1', 'RUNNING', 323, 2),
         ('2026-01-05 11:00', 'M1', 'RUNNING', 368, 2),
         ('2026-01-05 12:30', 'M1', 'RUNNING', 428, 3),
         ('2026-01-05 13:30', 'M1', 'DOWN', 488, 3),
         ('2026-01-05 14:20', 'M1', 'RUNNING', 488, 3),
         ('2026-01-05 15:10', 'M1', 'RUNNING', 538, 3),
         ('2026-01-05 15:59', 'M1', 'RUNNING', 587, 3),
         ('2026-01-05 16:00', 'M1', 'RUNNING', 1, 3),
         ('2026-01-05 17:00', 'M1', 'SETUP', 61, 4),
         ('2026-01-05 17:20', 'M1', 'RUNNING', 61, 4),
         ('2026-01-05 18:00', 'M1', 'BREAK', 101, 4),
         ('2026-01-05 18:30', 'M1', 'RUNNING', 101, 4),
         ('2026-01-05 19:30', 'M1', 'RUNNING', 161, 4),
         ('2026-01-05 20:30', 'M1', 'RUNNING', 221, 4),
         ('2026-01-05 21:30', 'M1', 'RUNNING', 281, 4),
         ('2026-01-05 21:57', 'M1', 'DOWN', 308, 4)",
    );
    db
}

const PER_SHIFT: &str = "FROM ev t JOIN shifts s
      ON t.ts >= s.start_ts - interval '8 hours' AND t.ts < s.end_ts
    GROUP BY s.shift_id ORDER BY s.shift_id";

fn agg(options: &str) -> String {
    format!(
        "oee_agg(t.ts, t.state, t.parts, t.scrap, 48.0::float8, s.start_ts, s.end_ts,
                 s.break_min * interval '1 minute', '{options}')"
    )
}

#[test]
fn hand_computed_shifts() {
    // Shift A, 06:00–14:00 (minutes): RUN 60, DOWN 2 (micro-stop), RUN 118, IDLE 30 (the
    // break), RUN 90, RUN 60 then no data 30 (the 11:00 sample holds max_gap = 60 min), RUN 60,
    // DOWN 30 (to the shift end). APT 388; the 30 min of planned down time come out of idle:
    // PBT 450, ADET 32, ADOT 30 (no data), AUBT 420. Parts 488 − 100 = 388 at 48 s: ideal time
    // 310.4 min; scrap 3.
    // Shift B, 14:00–22:00: the 13:30 DOWN row carries in: DOWN 20, RUN 99 + 1 + 60, SETUP 20,
    // RUN 40, BREAK 30 (planned stop), RUN 207, DOWN 3 (cut by the shift end: a micro-stop).
    // APT 407, AUST 20, ADET 23, PDOT 30, PBT 450. Parts: 99 + 1 after the reset + 60 + 40 + 207
    // = 407 (ideal 325.6 min); scrap 1.
    let mut db = timeline("kpi-shifts");
    let sql = format!(
        "SELECT s.shift_id, {SHIFT_FIGURES} FROM (SELECT s.shift_id, {} AS a {PER_SHIFT}) s ORDER BY 1",
        agg("max_gap=60 min")
    );
    check_shift_figures(&db.rows(&sql));
}

#[test]
fn hand_computed_shifts_through_hourly_partials() {
    // The same timeline with a sample every minute through two running stretches (counters
    // rising as a heartbeat reports them, which changes no figure), summarised per hour by
    // oee_partial and placed in the shifts by oee_agg: the figures of `hand_computed_shifts`.
    let mut db = timeline("kpi-partials");
    let mut beats = Vec::new();
    for m in 3..60 {
        beats.push(format!(
            "('2026-01-05 07:{m:02}', 'M1', 'RUNNING', {}, 1)",
            158 + m
        ));
    }
    for m in 31..90 {
        let (h, mm) = (18 + m / 60, m % 60);
        beats.push(format!(
            "('2026-01-05 {h}:{mm:02}', 'M1', 'RUNNING', {}, 4)",
            71 + m
        ));
    }
    db.exec(&format!("INSERT INTO ev VALUES {}", beats.join(", ")));
    let sql = format!(
        "SELECT s.shift_id, {SHIFT_FIGURES}
         FROM (SELECT s.shift_id, oee_agg(p.part, 48.0::float8, s.start_ts, s.end_ts,
                                          s.break_min * interval '1 minute') AS a
               FROM (SELECT time_bucket('1 hour', ts) AS hour,
                            oee_partial(ts, state, parts, scrap, 'max_gap=60 min') AS part
                     FROM ev GROUP BY 1) p
               JOIN shifts s ON p.hour >= s.start_ts - interval '8 hours' AND p.hour < s.end_ts
               GROUP BY s.shift_id) s ORDER BY 1"
    );
    check_shift_figures(&db.rows(&sql));
}

/// The KPIs `check_shift_figures` expects, of an OEE state `a`.
const SHIFT_FIGURES: &str = "availability(a), performance(a), quality_ratio(a), oee(a),
    setup_rate(a), technical_efficiency(a), utilization_efficiency(a),
    allocation_efficiency(a), scrap_ratio(a), oee_count(a, 'pq'), oee_count(a, 'resets'),
    oee_count(a, 'minor_stops'), oee_count(a, 'breakdowns'),
    extract(epoch FROM oee_time(a, 'pbt')) / 60, extract(epoch FROM oee_time(a, 'adot')) / 60";

/// Shifts A and B of the timeline, worked out by hand (see `hand_computed_shifts`).
fn check_shift_figures(rows: &[Vec<plantdb::Value>]) {
    let f = |r: usize, c: usize| rows[r][c].as_f64().unwrap_or(f64::NAN);
    let want_a = [
        388.0 / 450.0,
        310.4 / 388.0,
        385.0 / 388.0,
        310.4 * 385.0 / 388.0 / 450.0,
        0.0,
        388.0 / 420.0,
        388.0 / 420.0,
        420.0 / 450.0,
        3.0 / 388.0,
        388.0,
        0.0,
        1.0,
        1.0,
        450.0,
        30.0,
    ];
    let want_b = [
        407.0 / 450.0,
        325.6 / 407.0,
        406.0 / 407.0,
        325.6 * 406.0 / 407.0 / 450.0,
        20.0 / 427.0,
        407.0 / 430.0,
        407.0 / 450.0,
        1.0,
        1.0 / 407.0,
        407.0,
        1.0,
        1.0,
        1.0,
        450.0,
        0.0,
    ];
    for (r, want) in [want_a, want_b].iter().enumerate() {
        for (c, w) in want.iter().enumerate() {
            assert_close(&format!("shift {r} column {}", c + 1), f(r, c + 1), *w, 1e-9);
        }
    }
}

#[test]
fn micro_stops_moved_to_performance_leave_oee_unchanged() {
    let mut db = timeline("kpi-micro");
    let q = |o: &str| {
        format!(
            "SELECT availability(a), performance(a), oee(a) FROM (SELECT s.shift_id, {} AS a {PER_SHIFT}) x",
            agg(o)
        )
    };
    let base = db.rows(&q("max_gap=60 min"));
    let perf = db.rows(&q("max_gap=60 min; microstops=performance"));
    let f = |rows: &Vec<Vec<plantdb::Value>>, r: usize, c: usize| rows[r][c].as_f64().unwrap_or(f64::NAN);
    // Shift A: the 2 min micro-stop counts as run time: A = 390/450, P = 310.4/390.
    assert_close("A availability", f(&perf, 0, 0), 390.0 / 450.0, 1e-12);
    assert_close("A performance", f(&perf, 0, 1), 310.4 / 390.0, 1e-12);
    for r in 0..2 {
        assert_close("oee unchanged", f(&perf, r, 2), f(&base, r, 2), 1e-12);
    }
}

#[test]
fn reliability_on_the_hand_timeline() {
    // Failures are DOWN periods; the 11:00–12:30 silence is 30 min of no data (max_gap). Shift A: failure events at 07:00 and 13:30; operating time
    // (production + setup) 388 min; the 07:00 stop was restored at 07:02 (TTR 2 min), the 13:30
    // one is still open at the shift end (no TTR). MTBF 194 min, MTTR 2 min, MTTF 388/2 min.
    // Shift B: it starts inside the 13:30 failure (not its event: censored), one failure at
    // 21:57 (open); operating time 407 + 20 = 427 min: MTBF 427 min, no completed repair.
    let mut db = timeline("kpi-rel");
    let rows = db.rows(&format!(
        "SELECT s.shift_id,
                extract(epoch FROM mtbf(t.ts, t.state, s.start_ts, s.end_ts, 'max_gap=60 min')) / 60,
                extract(epoch FROM mttr(t.ts, t.state, s.start_ts, s.end_ts, 'max_gap=60 min')) / 60,
                extract(epoch FROM mttf(t.ts, t.state, s.start_ts, s.end_ts, 'max_gap=60 min')) / 60,
                failure_count(t.ts, t.state, s.start_ts, s.end_ts, 'max_gap=60 min'),
                failure_rate(t.ts, t.state, s.start_ts, s.end_ts, 'max_gap=60 min')
         {PER_SHIFT}"
    ));
    let f = |r: usize, c: usize| rows[r][c].as_f64().unwrap_or(f64::NAN);
    assert_close("A mtbf", f(0, 1), 194.0, 1e-9);
    assert_close("A mttr", f(0, 2), 2.0, 1e-9);
    assert_close("A mttf", f(0, 3), 194.0, 1e-9);
    assert_close("A failures", f(0, 4), 2.0, 0.0);
    assert_close("A rate per hour", f(0, 5), 2.0 / (388.0 / 60.0), 1e-12);
    assert_close("B mtbf", f(1, 1), 427.0, 1e-9);
    assert!(
        rows[1][2].is_null(),
        "B has no completed repair: {:?}",
        rows[1][2]
    );
    assert_close("B failures", f(1, 4), 1.0, 0.0);
    // Corrective maintenance ratio: A has 32 min of failure and no preventive maintenance;
    // with BREAK declared preventive in B: 23 / (23 + 30).
    let cmr = db.rows(&format!(
        "SELECT s.shift_id, corrective_maintenance_ratio(t.ts, t.state, s.start_ts, s.end_ts, 'preventive=BREAK') {PER_SHIFT}"
    ));
    assert_close("A cmr", cmr[0][1].as_f64().unwrap_or(f64::NAN), 1.0, 1e-12);
    assert_close(
        "B cmr",
        cmr[1][1].as_f64().unwrap_or(f64::NAN),
        23.0 / 53.0,
        1e-12,
    );
}

#[test]
fn six_big_losses_add_up_to_planned_busy_time() {
    let mut db = timeline("kpi-losses");
    // Shift A (minutes): breakdowns 30, setup 0, minor stops 2, idling 0, no data 30,
    // reduced speed 388 − 310.4, defects 310.4 × 3/388; with the fully productive time
    // 310.4 × 385/388 they add up to PBT 450.
    let rows = db.rows(&format!(
        "SELECT l.loss, extract(epoch FROM l.lost_time) / 60
         FROM (SELECT s.shift_id, {} AS a {PER_SHIFT}) x, oee_losses(x.a) l WHERE x.shift_id = 'A'",
        agg("max_gap=60 min")
    ));
    let get = |name: &str| {
        rows.iter()
            .find(|r| r[0].as_str() == Some(name))
            .and_then(|r| r[1].as_f64())
            .unwrap_or(f64::NAN)
    };
    assert_close("breakdowns", get("breakdowns"), 30.0, 1e-6);
    assert_close("minor", get("minor_stops"), 2.0, 1e-6);
    assert_close("no data", get("no_data"), 30.0, 1e-6);
    assert_close("speed", get("reduced_speed"), 388.0 - 310.4, 1e-6);
    assert_close("defects", get("process_defects"), 310.4 * 3.0 / 388.0, 1e-6);
    let total: f64 = rows.iter().filter_map(|r| r[1].as_f64()).sum();
    assert_close(
        "sum + fully productive",
        total + 310.4 * 385.0 / 388.0,
        450.0,
        1e-6,
    );
}

#[test]
fn bad_arguments_give_22023() {
    let mut db = timeline("kpi-errors");
    let w = "'2026-01-05 06:00'::timestamp, '2026-01-05 14:00'::timestamp";
    for sql in [
        format!("SELECT oee_agg(ts, state, parts, scrap, -1.0::float8, {w}) FROM ev"),
        format!("SELECT oee_agg(ts, state, parts, scrap, 1.0::float8, {w}, interval '-5 min') FROM ev"),
        format!("SELECT oee_agg(ts, state, parts, scrap, 1.0::float8, {w}, interval '0 min', 'FOO=bar') FROM ev"),
        format!("SELECT oee_agg(ts, state, parts, scrap, 1.0::float8, {w}, interval '0 min', 'defaults=false') FROM ev"),
        "SELECT oee_agg(ts, state, parts, scrap, 1.0::float8, '2026-01-05 14:00'::timestamp, '2026-01-05 06:00'::timestamp) FROM ev".to_string(),
        "SELECT oee_time(oee_agg(ts, state, parts, scrap, 1.0::float8, ts, ts + interval '1 h'), 'xyz') FROM ev".to_string(),
        "SELECT availability('\\x0102'::bytea)".to_string(),
    ] {
        assert_eq!(db.error(&sql), "22023", "{sql}");
    }
    // Unknown state names the state.
    db.exec("INSERT INTO ev VALUES ('2026-01-05 07:30', 'M1', 'WARMUP', 160, 1)");
    let e = db.conn.query(&format!(
        "SELECT oee(oee_agg(ts, state, parts, scrap, 1.0::float8, {w})) FROM ev"
    ));
    let e = e
        .err()
        .map(|e| (e.code.to_string(), e.message))
        .unwrap_or_default();
    assert_eq!(e.0, "22023");
    assert!(e.1.contains("WARMUP"), "{}", e.1);
    // Mapped through the options, it works.
    let v = db.f64(&format!(
        "SELECT oee(oee_agg(ts, state, parts, scrap, 1.0::float8, {w}, interval '0 min', 'WARMUP=setup')) FROM ev"
    ));
    assert!(v.is_finite());
    // No rows: NULL.
    let rows = db.rows(&format!(
        "SELECT oee(oee_agg(ts, state, parts, scrap, 1.0::float8, {w})) FROM ev WHERE false"
    ));
    assert!(rows[0][0].is_null());
}
