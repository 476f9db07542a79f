//! Capability indices, σ estimates, control limits and run rules against published values:
//! qcc's pistonrings and orangejuice results (qcc 3.0 vignette, quoted in
//! tests/data/PROVENANCE.md), the NIST StRD certified standard deviations, and small examples
//! whose limits follow from closed forms (d2(2) = 2/√π, d3(2) = √(2 − 4/π)).
mod common;

use common::{TempDb, assert_close, assert_rel, data};

fn rings() -> TempDb {
    let mut t = TempDb::new("rings");
    t.exec("CREATE TABLE rings (diameter float8, sample int, trial bool)");
    let text = std::fs::read_to_string(data("spc/pistonrings.txt")).expect("pistonrings");
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3).then(|| format!("({}, {}, {})", f[0], f[1], f[2].to_lowercase()))
        })
        .collect();
    assert_eq!(rows.len(), 200);
    t.exec(&format!("INSERT INTO rings VALUES {}", rows.join(", ")));
    t
}

fn phase1(t: &mut TempDb, expr: &str) -> f64 {
    t.f64(&format!("SELECT {expr} FROM rings WHERE trial"))
}

#[test]
fn pistonrings_control_limits_match_qcc() {
    let mut t = rings();
    // X̄-R chart: centre 74.001176, limits 73.98805 / 74.0143 (qcc prints 7 digits; its d2 table
    // value 2.326 moves the limits by 4e-7).
    assert_close(
        "xbar centre",
        phase1(&mut t, "control_limit(diameter, sample, 'xbar_r', 'center')"),
        74.001176,
        1e-9,
    );
    assert_close(
        "xbar lcl",
        phase1(&mut t, "control_limit(diameter, sample, 'xbar_r', 'lcl')"),
        73.98805,
        1e-7,
    );
    assert_close(
        "xbar ucl",
        phase1(&mut t, "control_limit(diameter, sample, 'xbar_r', 'ucl')"),
        74.0143,
        1e-7,
    );
    // R chart: 0 / 0.04812533 around R̄ = 0.02276.
    assert_close(
        "r centre",
        phase1(&mut t, "control_limit(diameter, sample, 'r', 'center')"),
        0.02276,
        1e-12,
    );
    assert_close(
        "r lcl",
        phase1(&mut t, "control_limit(diameter, sample, 'r', 'lcl')"),
        0.0,
        1e-12,
    );
    assert_rel(
        "r ucl",
        phase1(&mut t, "control_limit(diameter, sample, 'r', 'ucl')"),
        0.04812533,
        5e-5,
    );
    // S chart: S̄ = 0.009240037, 0 / 0.01930242; X̄-S limits use σ = S̄/c4 = 0.009829977.
    assert_rel(
        "s centre",
        phase1(&mut t, "control_limit(diameter, sample, 's', 'center')"),
        0.009240037,
        1e-7,
    );
    assert_close(
        "s lcl",
        phase1(&mut t, "control_limit(diameter, sample, 's', 'lcl')"),
        0.0,
        1e-12,
    );
    assert_rel(
        "s ucl",
        phase1(&mut t, "control_limit(diameter, sample, 's', 'ucl')"),
        0.01930242,
        1e-6,
    );
    let w = 3.0 * 0.009829977 / 5f64.sqrt();
    assert_close(
        "xbar_s ucl",
        phase1(&mut t, "control_limit(diameter, sample, 'xbar_s', 'ucl')"),
        74.001176 + w,
        1e-8,
    );
    // σ estimates: R̄/d2 (qcc 0.009785039 with d2 = 2.326), S̄/c4, pooled/c4(101), overall s.
    assert_rel(
        "rbar",
        phase1(&mut t, "process_sigma(diameter, sample, 'rbar')"),
        0.009785039,
        5e-5,
    );
    assert_rel(
        "default",
        phase1(&mut t, "process_sigma(diameter, sample)"),
        0.009785039,
        5e-5,
    );
    assert_rel(
        "sbar",
        phase1(&mut t, "process_sigma(diameter, sample, 'sbar')"),
        0.009829977,
        1e-6,
    );
    assert_rel(
        "pooled",
        phase1(&mut t, "process_sigma(diameter, sample, 'pooled')"),
        0.009887547,
        1e-6,
    );
    assert_rel(
        "overall",
        phase1(&mut t, "process_sigma(diameter)"),
        0.010069968,
        1e-6,
    );
}

#[test]
fn pistonrings_capability_matches_qcc() {
    let mut t = rings();
    // LSL 73.95, USL 74.05, target 74: Cp 1.703281, Cpk 1.663219 (unrounded), Cpl 1.74, Cpu 1.66,
    // Cpm 1.69 (qcc, σ = R̄/d2 with d2 = 2.326: relative differences up to 3e-5).
    let spec = "73.95, 74.05, sample";
    assert_rel(
        "cp",
        phase1(&mut t, &format!("cp(diameter, {spec})")),
        1.703281,
        5e-5,
    );
    assert_rel(
        "cpk",
        phase1(&mut t, &format!("cpk(diameter, {spec})")),
        1.663219,
        5e-5,
    );
    assert_close(
        "cpl",
        phase1(&mut t, &format!("cpl(diameter, {spec})")),
        1.74,
        0.005,
    );
    assert_close(
        "cpu",
        phase1(&mut t, &format!("cpu(diameter, {spec})")),
        1.66,
        0.005,
    );
    assert_close(
        "cpm",
        phase1(&mut t, "cpm(diameter, 73.95, 74.05, 74, sample)"),
        1.69,
        0.005,
    );
    assert_close(
        "cpm 74.02",
        phase1(&mut t, "cpm(diameter, 73.95, 74.05, 74.02, sample)"),
        0.786,
        0.0005,
    );
    // Narrow limits 73.99–74.01: Cp 0.341, Cpl 0.381, Cpu 0.301, Cpk 0.301, Cpm 0.338.
    let narrow = "73.99, 74.01, sample";
    assert_close(
        "cp narrow",
        phase1(&mut t, &format!("cp(diameter, {narrow})")),
        0.341,
        0.0005,
    );
    assert_close(
        "cpl narrow",
        phase1(&mut t, &format!("cpl(diameter, {narrow})")),
        0.381,
        0.0005,
    );
    assert_close(
        "cpk narrow",
        phase1(&mut t, &format!("cpk(diameter, {narrow})")),
        0.301,
        0.0005,
    );
    assert_close(
        "cpm narrow",
        phase1(&mut t, "cpm(diameter, 73.99, 74.01, 74, sample)"),
        0.338,
        0.0005,
    );
    // Overall s = 0.010069968 → Pp 1.6551, Ppk 1.6162 (KPI-DEFINITIONS.md §3.6); Cm/Cmk are the
    // same formulas on a machine-study sample.
    assert_close(
        "pp",
        phase1(&mut t, "pp(diameter, 73.95, 74.05)"),
        1.6551,
        0.00005,
    );
    assert_close(
        "ppk",
        phase1(&mut t, "ppk(diameter, 73.95, 74.05)"),
        1.6162,
        0.00005,
    );
    assert_close(
        "cm",
        phase1(&mut t, "cm(diameter, 73.95, 74.05)"),
        1.6551,
        0.00005,
    );
    assert_close(
        "cmk",
        phase1(&mut t, "cmk(diameter, 73.95, 74.05)"),
        1.6162,
        0.00005,
    );
    // One-sided: only USL → Cpk = Cpu.
    assert_close(
        "cpk one-sided",
        phase1(&mut t, "cpk(diameter, NULL, 74.05, sample)"),
        1.66,
        0.005,
    );
    // Errors: LSL ≥ USL, unknown method, moving range on subgroups.
    assert_eq!(
        t.error("SELECT cp(diameter, 74.05, 73.95, sample) FROM rings"),
        "22023"
    );
    assert_eq!(
        t.error("SELECT cp(diameter, 73.95, 74.05, sample, 'median') FROM rings"),
        "22023"
    );
    assert_eq!(
        t.error("SELECT cp(diameter, 73.95, 74.05, sample, 'mr') FROM rings"),
        "22023"
    );
    assert_eq!(
        t.error("SELECT control_limit(diameter, sample, 'xbar', 'ucl') FROM rings"),
        "22023"
    );
    // Empty input → NULL.
    assert!(
        phase1(
            &mut t,
            "cp(diameter, 73.95, 74.05, sample) FILTER (WHERE sample < 0)"
        )
        .is_nan()
    );
}

#[test]
fn orangejuice_p_and_np_charts_match_qcc() {
    let mut t = TempDb::new("oj");
    t.exec("CREATE TABLE oj (sample int, d int, size int, trial bool)");
    let text = std::fs::read_to_string(data("spc/orangejuice.txt")).expect("orangejuice");
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 4).then(|| format!("({}, {}, {}, {})", f[0], f[1], f[2], f[3].to_lowercase()))
        })
        .collect();
    t.exec(&format!("INSERT INTO oj VALUES {}", rows.join(", ")));
    let q = |t: &mut TempDb, chart: &str, line: &str, extra: &str| {
        t.f64(&format!(
            "SELECT attribute_limit(d, size, '{chart}', '{line}') FROM oj WHERE trial {extra}"
        ))
    };
    assert_rel("p centre", q(&mut t, "p", "center", ""), 0.2313333, 2e-7);
    assert_rel("p lcl", q(&mut t, "p", "lcl", ""), 0.05242755, 2e-7);
    assert_rel("p ucl", q(&mut t, "p", "ucl", ""), 0.4102391, 2e-7);
    assert_rel("np centre", q(&mut t, "np", "center", ""), 11.56667, 5e-7);
    assert_rel("np lcl", q(&mut t, "np", "lcl", ""), 2.621377, 5e-7);
    assert_rel("np ucl", q(&mut t, "np", "ucl", ""), 20.51196, 5e-7);
    let ex = "AND sample NOT IN (15, 23)";
    assert_rel("p centre ex", q(&mut t, "p", "center", ex), 0.215, 1e-12);
    assert_rel("p lcl ex", q(&mut t, "p", "lcl", ex), 0.04070284, 2e-7);
    assert_rel("p ucl ex", q(&mut t, "p", "ucl", ex), 0.3892972, 2e-7);
}

/// Certified mean and s of a NIST StRD univariate file, and its data.
fn strd(name: &str) -> (f64, f64, Vec<String>) {
    let text = std::fs::read_to_string(data(&format!("nist-strd/{name}.dat"))).expect("strd file");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let cert = |label: &str| -> f64 {
        lines
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse().ok())
            .expect("certified value")
    };
    let (mean, s) = (cert("Sample Mean"), cert("Sample Standard Deviation"));
    // "Data            : lines 61 to N" in the header.
    let last: usize = lines
        .iter()
        .find(|l| l.trim_start().starts_with("Data"))
        .and_then(|l| l.split(" to ").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("data range");
    let values = lines[60..last]
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    (mean, s, values)
}

#[test]
fn nist_strd_standard_deviations_give_exact_performance_indices() {
    let mut t = TempDb::new("strd");
    // (dataset, minimum log relative error of s) as suggested in KPI-DEFINITIONS.md §5.3.
    for (k, (name, lre)) in [
        ("Lew", 12.0),
        ("Lottery", 12.0),
        ("Mavro", 11.0),
        ("Michelso", 11.0),
        ("NumAcc1", 12.0),
        ("NumAcc2", 10.0),
        ("NumAcc3", 8.0),
        ("NumAcc4", 7.0),
        ("PiDigits", 12.0),
    ]
    .into_iter()
    .enumerate()
    {
        let (mean, s, values) = strd(name);
        let table = format!("strd{k}");
        t.exec(&format!("CREATE TABLE {table} (i int, y float8)"));
        let rows: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("({i}, {v})"))
            .collect();
        t.exec(&format!("INSERT INTO {table} VALUES {}", rows.join(", ")));
        let got = t.f64(&format!("SELECT process_sigma(y) FROM {table}"));
        let err = -((got - s).abs() / s).log10();
        assert!(
            err >= lre,
            "{name}: s = {got}, certified {s}, LRE {err:.1} < {lre}"
        );
        // Pp with limits mean ± 1 is 2/(6s).
        let pp = t.f64(&format!("SELECT pp(y, {mean} - 1, {mean} + 1) FROM {table}"));
        assert_rel(name, pp, 2.0 / (6.0 * s), 10f64.powf(-lre + 0.5));
    }
}

#[test]
fn individuals_and_moving_range_limits_from_closed_forms() {
    let mut t = TempDb::new("imr");
    t.exec("CREATE TABLE x (ts timestamp, v float8)");
    t.exec(
        "INSERT INTO x VALUES ('2026-01-05 10:00', 1), ('2026-01-05 10:03', 2), ('2026-01-05 10:01', 3), \
         ('2026-01-05 10:04', 4), ('2026-01-05 10:02', 5)",
    );
    // In time order: 1, 3, 5, 2, 4 → moving ranges 2, 2, 3, 2 → MR̄ = 2.25; mean 3.
    let d2 = 2.0 / std::f64::consts::PI.sqrt();
    let d3 = (2.0 - 4.0 / std::f64::consts::PI).sqrt();
    let sigma = 2.25 / d2;
    assert_close("sigma", t.f64("SELECT process_sigma(v, ts) FROM x"), sigma, 1e-12);
    assert_close(
        "i ucl",
        t.f64("SELECT control_limit(v, ts, 'i', 'ucl') FROM x"),
        3.0 + 3.0 * sigma,
        1e-12,
    );
    assert_close(
        "i lcl",
        t.f64("SELECT control_limit(v, ts, 'i', 'lcl') FROM x"),
        3.0 - 3.0 * sigma,
        1e-12,
    );
    assert_close(
        "mr centre",
        t.f64("SELECT control_limit(v, ts, 'mr', 'center') FROM x"),
        2.25,
        1e-12,
    );
    assert_close(
        "mr ucl",
        t.f64("SELECT control_limit(v, ts, 'mr', 'ucl') FROM x"),
        2.25 + 3.0 * d3 * sigma,
        1e-12,
    );
    // Cp of individuals uses the moving-range σ by default.
    assert_close(
        "cp",
        t.f64("SELECT cp(v, 0, 6, ts) FROM x"),
        6.0 / (6.0 * sigma),
        1e-12,
    );
}

#[test]
fn run_rules_flag_the_completing_point() {
    let mut t = TempDb::new("rules");
    t.exec("CREATE TABLE p (k int, v float8)");
    // centre 10, σ 1: points 1–3 quiet, 4 beyond 3σ, 5–6 two of three beyond 2σ (low side),
    // 7–15 nine above the centre.
    t.exec(
        "INSERT INTO p VALUES (1, 10.2), (2, 9.5), (3, 10.1), (4, 13.5), (5, 7.5), (6, 9.0), (7, 7.8), \
         (8, 10.3), (9, 10.5), (10, 10.2), (11, 10.4), (12, 10.1), (13, 10.6), (14, 10.2), (15, 10.3), (16, 10.4)",
    );
    let rows = t.rows(
        "SELECT k, spc_rule(v, 10, 1) OVER (ORDER BY k), spc_rules(v, 10, 1) OVER (ORDER BY k), \
         spc_rule(v, 10, 1, 'western_electric') OVER (ORDER BY k) FROM p ORDER BY k",
    );
    type Flag = (i64, Option<i64>, Option<String>, Option<i64>);
    let got: Vec<Flag> = rows
        .iter()
        .map(|r| {
            (
                r[0].as_int().unwrap_or(0),
                r[1].as_int(),
                r[2].as_str().map(String::from),
                r[3].as_int(),
            )
        })
        .collect();
    let flagged: Vec<_> = got.iter().filter(|g| g.1.is_some() || g.3.is_some()).collect();
    assert_eq!(
        flagged,
        vec![
            &(4, Some(1), Some("1".into()), Some(1)),
            &(7, Some(5), Some("5".into()), Some(2)),
            &(15, None, None, Some(4)),
            &(16, Some(2), Some("2".into()), Some(4)),
        ]
    );
}
