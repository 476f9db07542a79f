//! Generating the plant's tables.
use std::io::Write;
use std::path::Path;

use super::Rng;

/// 2026-01-05 00:00:00 UTC (a Monday) in µs.
pub const T0_US: i64 = 1_767_571_200_000_000;
const SEC: i64 = 1_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct PlantConfig {
    /// Machines = 100 × scale.
    pub scale: f64,
    /// Hours of 1 Hz telemetry.
    pub hours: u32,
    /// Days of energy data.
    pub days: u32,
    /// Seed.
    pub seed: u64,
}

impl Default for PlantConfig {
    fn default() -> Self {
        PlantConfig {
            scale: 1.0,
            hours: 24,
            days: 365,
            seed: 7,
        }
    }
}

/// A column of generated values.
#[derive(Debug, Clone)]
pub enum Col {
    /// Timestamps in µs.
    Ts(Vec<i64>),
    /// Strings by code into a dictionary.
    Dict(Vec<u32>, Vec<String>),
    /// Doubles printed with a number of decimals.
    F64(Vec<f64>, usize),
    /// Integers.
    I64(Vec<i64>),
}

impl Col {
    fn len(&self) -> usize {
        match self {
            Col::Ts(v) | Col::I64(v) => v.len(),
            Col::Dict(v, _) => v.len(),
            Col::F64(v, _) => v.len(),
        }
    }

    fn write(&self, i: usize, out: &mut Vec<u8>) {
        match self {
            Col::Ts(v) => out.extend_from_slice(fmt_ts(v[i]).as_bytes()),
            Col::Dict(c, d) => out.extend_from_slice(d[c[i] as usize].as_bytes()),
            Col::F64(v, dec) => {
                let _ = write!(out, "{:.*}", *dec, v[i]);
            }
            Col::I64(v) => {
                let _ = write!(out, "{}", v[i]);
            }
        }
    }
}

/// One table: name, columns (name, SQL type, values).
#[derive(Debug, Clone)]
pub struct Table {
    /// Name.
    pub name: &'static str,
    /// Columns.
    pub columns: Vec<(&'static str, &'static str, Col)>,
    /// Tag column for `WITH (timestamp = 'ts', tags = ...)`, when a time-series table.
    pub tag: Option<&'static str>,
    /// Partition width for time-series tables whose data spans months (a year of 15-minute
    /// readings in day partitions would make parts of a few hundred rows).
    pub partition: Option<&'static str>,
}

impl Table {
    /// Row count.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.2.len())
    }

    /// CREATE TABLE statement (with time-series options when `ts_options`).
    pub fn ddl(&self, ts_options: bool) -> String {
        let cols: Vec<String> = self.columns.iter().map(|(n, t, _)| format!("{n} {t}")).collect();
        let mut s = format!("CREATE TABLE {} ({})", self.name, cols.join(", "));
        if ts_options && let Some(tag) = self.tag {
            match self.partition {
                Some(p) => s.push_str(&format!(
                    " WITH (timestamp = 'ts', tags = '{tag}', partition = '{p}')"
                )),
                None => s.push_str(&format!(" WITH (timestamp = 'ts', tags = '{tag}')")),
            }
        }
        s
    }

    /// Writes the table as CSV with a header.
    pub fn write_csv(&self, path: &Path) -> std::io::Result<()> {
        let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        let header: Vec<&str> = self.columns.iter().map(|c| c.0).collect();
        writeln!(f, "{}", header.join(","))?;
        let mut line = Vec::with_capacity(256);
        for i in 0..self.rows() {
            line.clear();
            for (k, c) in self.columns.iter().enumerate() {
                if k > 0 {
                    line.push(b',');
                }
                c.2.write(i, &mut line);
            }
            line.push(b'\n');
            f.write_all(&line)?;
        }
        f.flush()
    }

    /// The rows as CSV text (no header), for COPY.
    pub fn csv_chunks(&self, rows_per_chunk: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
        (0..self.rows()).step_by(rows_per_chunk.max(1)).map(move |start| {
            let mut out = Vec::with_capacity(rows_per_chunk * 64);
            for i in start..(start + rows_per_chunk).min(self.rows()) {
                for (k, c) in self.columns.iter().enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    c.2.write(i, &mut out);
                }
                out.push(b'\n');
            }
            out
        })
    }
}

/// `YYYY-MM-DD HH:MM:SS`.
pub fn fmt_ts(us: i64) -> String {
    plantdb_query::types::format_timestamp(us)
}

/// The whole plant.
#[derive(Debug, Clone)]
pub struct Plant {
    /// Tables in load order (dimensions first).
    pub tables: Vec<Table>,
}

impl Plant {
    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Writes every table as `<dir>/<name>.csv`.
    pub fn write_csv(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for t in &self.tables {
            t.write_csv(&dir.join(format!("{}.csv", t.name)))?;
        }
        Ok(())
    }
}

fn dict(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (x * f).round() / f
}

const STATES: [&str; 4] = ["RUNNING", "IDLE", "SETUP", "DOWN"];

/// State timeline (codes per second) and degradation windows before DOWN.
fn machine_states(rng: &mut Rng, n: usize) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut codes = vec![0u8; n];
    let mut degr = Vec::new();
    let mean = [40.0 * 60.0, 5.0 * 60.0, 20.0 * 60.0, 12.0 * 60.0];
    let (mut t, mut state) = (0usize, 0u8);
    while t < n {
        let d = (rng.exponential(mean[state as usize]) as usize).max(30);
        let end = (t + d).min(n);
        codes[t..end].iter_mut().for_each(|c| *c = state);
        t += d;
        if state == 0 {
            let r = rng.uniform();
            let next = if r < 0.80 {
                1
            } else if r < 0.93 {
                2
            } else {
                3
            };
            if next == 3 {
                let back = rng.range(600, 1800) as usize;
                degr.push((t.saturating_sub(back), t));
            }
            state = next;
        } else {
            state = 0;
        }
    }
    (codes, degr)
}

struct MachineData {
    codes: Vec<u8>,
    rpm: Vec<f64>,
    temp: Vec<f64>,
    vib: Vec<f64>,
    power: Vec<f64>,
    parts: Vec<i64>,
    scrap: Vec<i64>,
}

fn machine(
    rng: &mut Rng,
    m: usize,
    n: usize,
    ideal: f64,
    spikes: usize,
    meas: &mut Vec<(i64, u32, f64)>,
) -> MachineData {
    let (codes, degr) = machine_states(rng, n);
    let running: Vec<bool> = codes.iter().map(|&c| c == 0).collect();
    let rpm: Vec<f64> = running
        .iter()
        .map(|&r| {
            if r {
                (12000.0 + rng.gauss(0.0, 40.0)).round()
            } else {
                0.0
            }
        })
        .collect();
    let mut temp = vec![0.0; n];
    let mut cur = 30.0;
    let alpha = 1.0 / 900.0;
    let mut s = 0;
    while s < n {
        let mut e = s + 1;
        while e < n && codes[e] == codes[s] {
            e += 1;
        }
        let tgt = if running[s] { 65.0 } else { 28.0 };
        for k in 0..e - s {
            temp[s + k] = tgt + (cur - tgt) * (-alpha * (k as f64 + 1.0)).exp();
        }
        cur = temp[e - 1];
        s = e;
    }
    for t in temp.iter_mut() {
        *t = round(*t + rng.gauss(0.0, 0.15), 1);
    }
    let mut vib: Vec<f64> = running
        .iter()
        .map(|&r| {
            if r {
                2.5 + rng.gauss(0.0, 0.25)
            } else {
                0.3 + rng.gauss(0.0, 0.05).abs()
            }
        })
        .collect();
    for &(s, e) in &degr {
        let e = e.min(n);
        if e < s + 2 {
            continue;
        }
        let len = (e - s) as f64;
        for (k, i) in (s..e).enumerate() {
            let ramp = (k as f64 / (len - 1.0)).powi(2);
            if running[i] {
                vib[i] += 4.0 * ramp;
            }
        }
    }
    for _ in 0..spikes {
        let p = rng.range(0, n as i64) as usize;
        vib[p] += 12.0;
    }
    for v in vib.iter_mut() {
        *v = round(*v, 2);
    }
    let power: Vec<f64> = (0..n)
        .map(|i| {
            let p = if running[i] {
                2.0 + 0.0011 * rpm[i] + rng.gauss(0.0, 0.3)
            } else if codes[i] == 2 {
                3.5 + rng.gauss(0.0, 0.05)
            } else {
                1.8 + rng.gauss(0.0, 0.05)
            };
            round(p, 2)
        })
        .collect();
    let cyc = ideal * (1.0 + 0.15 * rng.uniform());
    let scrap_p = 0.01 + if m.is_multiple_of(5) { 0.03 } else { 0.0 };
    let (mut parts, mut scrap) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut run_s, mut last_parts, mut sc) = (0u64, 0i64, 0i64);
    let shift = [0.0, 0.004, -0.006, 0.0][(m / 4) % 4];
    let sd = [0.002, 0.003, 0.0025, 0.0045][(m / 4) % 4];
    for (i, &is_running) in running.iter().enumerate() {
        if is_running {
            run_s += 1;
        }
        let pc = (run_s as f64 / cyc).floor() as i64;
        let new_part = pc > last_parts;
        last_parts = pc;
        if new_part && rng.uniform() < scrap_p {
            sc += 1;
        }
        if new_part && m.is_multiple_of(4) {
            meas.push((i as i64, m as u32, round(10.0 + shift + rng.gauss(0.0, sd), 4)));
        }
        parts.push(pc);
        scrap.push(sc);
    }
    MachineData {
        codes,
        rpm,
        temp,
        vib,
        power,
        parts,
        scrap,
    }
}

/// Generates the plant.
pub fn generate(cfg: PlantConfig) -> Plant {
    let mut rng = Rng::new(cfg.seed);
    let n_m = ((100.0 * cfg.scale) as usize).max(1);
    let n_sec = cfg.hours as usize * 3600;
    let n_sites = (n_m / 50).max(1);
    let mids: Vec<String> = (0..n_m).map(|i| format!("M{i:04}")).collect();
    let ideal_of = |i: usize| [30.0, 24.0, 18.0, 6.0][i % 4];
    let mut tables = Vec::new();

    tables.push(Table {
        name: "machines",
        columns: vec![
            (
                "machine_id",
                "text",
                Col::Dict((0..n_m as u32).collect(), mids.clone()),
            ),
            (
                "line_id",
                "text",
                Col::Dict(
                    (0..n_m).map(|i| (i / 10) as u32).collect(),
                    (0..n_m.div_ceil(10)).map(|l| format!("L{l:03}")).collect(),
                ),
            ),
            (
                "site_id",
                "text",
                Col::Dict(
                    (0..n_m).map(|i| (i / 50) as u32).collect(),
                    (0..n_m.div_ceil(50)).map(|s| format!("S{s:02}")).collect(),
                ),
            ),
            (
                "model",
                "text",
                Col::Dict(
                    (0..n_m).map(|i| (i % 4) as u32).collect(),
                    dict(&["CNC-5AX", "CNC-3AX", "LATHE", "PRESS"]),
                ),
            ),
            (
                "ideal_cycle_s",
                "float8",
                Col::F64((0..n_m).map(ideal_of).collect(), 1),
            ),
        ],
        tag: None,
        partition: None,
    });

    // Telemetry, generated per machine, emitted time-major (all machines per second).
    let mut meas: Vec<(i64, u32, f64)> = Vec::new();
    let spikes = (cfg.hours as usize / 8).max(1);
    let per: Vec<MachineData> = (0..n_m)
        .map(|m| machine(&mut rng, m, n_sec, ideal_of(m), spikes, &mut meas))
        .collect();
    let total = n_m * n_sec;
    let mut ts = Vec::with_capacity(total);
    let mut mcol = Vec::with_capacity(total);
    let mut st = Vec::with_capacity(total);
    let (mut rpm, mut temp, mut vib, mut pw) = (
        Vec::with_capacity(total),
        Vec::with_capacity(total),
        Vec::with_capacity(total),
        Vec::with_capacity(total),
    );
    let (mut pc, mut sc) = (Vec::with_capacity(total), Vec::with_capacity(total));
    for s in 0..n_sec {
        for (m, d) in per.iter().enumerate() {
            ts.push(T0_US + s as i64 * SEC);
            mcol.push(m as u32);
            st.push(u32::from(d.codes[s]));
            rpm.push(d.rpm[s]);
            temp.push(d.temp[s]);
            vib.push(d.vib[s]);
            pw.push(d.power[s]);
            pc.push(d.parts[s]);
            sc.push(d.scrap[s]);
        }
    }
    drop(per);
    tables.push(Table {
        name: "telemetry",
        columns: vec![
            ("ts", "timestamp", Col::Ts(ts)),
            ("machine_id", "text", Col::Dict(mcol, mids.clone())),
            ("state", "text", Col::Dict(st, dict(&STATES))),
            ("spindle_rpm", "float8", Col::F64(rpm, 0)),
            ("temperature_c", "float8", Col::F64(temp, 1)),
            ("vibration_mm_s", "float8", Col::F64(vib, 2)),
            ("power_kw", "float8", Col::F64(pw, 2)),
            ("part_count", "bigint", Col::I64(pc)),
            ("scrap_count", "bigint", Col::I64(sc)),
        ],
        tag: Some("machine_id"),
        partition: None,
    });

    meas.sort_by_key(|m| m.0);
    tables.push(Table {
        name: "measurements",
        columns: vec![
            (
                "ts",
                "timestamp",
                Col::Ts(meas.iter().map(|m| T0_US + m.0 * SEC).collect()),
            ),
            (
                "machine_id",
                "text",
                Col::Dict(meas.iter().map(|m| m.1).collect(), mids.clone()),
            ),
            (
                "feature",
                "text",
                Col::Dict(vec![0; meas.len()], dict(&["diameter_mm"])),
            ),
            ("value", "float8", Col::F64(meas.iter().map(|m| m.2).collect(), 4)),
        ],
        tag: Some("machine_id"),
        partition: None,
    });
    tables.push(Table {
        name: "specs",
        columns: vec![
            ("feature", "text", Col::Dict(vec![0], dict(&["diameter_mm"]))),
            ("lsl", "float8", Col::F64(vec![9.985], 3)),
            ("target", "float8", Col::F64(vec![10.0], 1)),
            ("usl", "float8", Col::F64(vec![10.015], 3)),
        ],
        tag: None,
        partition: None,
    });

    // Energy: hourly weather and production per site, 15-minute meters over `days`.
    let n_h = cfg.days as usize * 24;
    let site_ids: Vec<String> = (0..n_sites).map(|i| format!("S{i:02}")).collect();
    let (mut w_ts, mut w_site, mut w_val, mut p_units) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut site_load: Vec<Vec<f64>> = Vec::new();
    for s in 0..n_sites {
        let mut load = Vec::with_capacity(n_h);
        for h in 0..n_h {
            let doy = h as f64 / 24.0;
            let outdoor = round(
                12.0 - 10.0 * (2.0 * std::f64::consts::PI * (doy - 15.0) / 365.0).cos()
                    - 4.0 * (2.0 * std::f64::consts::PI * ((h % 24) as f64 - 15.0) / 24.0).cos()
                    + rng.gauss(0.0, 1.5),
                1,
            );
            let weekday = (h / 24) % 7 < 5;
            let shift_on = (6..22).contains(&(h % 24));
            let units = if weekday && shift_on {
                rng.poisson(120.0)
            } else if weekday {
                rng.poisson(15.0)
            } else {
                0
            };
            let mut kw = 180.0
                + 0.9 * units as f64
                + 6.0 * (outdoor - 18.0).max(0.0)
                + 4.0 * (12.0 - outdoor).max(0.0)
                + rng.gauss(0.0, 8.0);
            if s == 0 && h >= 300 * 24 {
                kw -= 0.12 * 180.0;
            }
            load.push(kw);
            w_ts.push(T0_US + h as i64 * 3600 * SEC);
            w_site.push(s as u32);
            w_val.push(outdoor);
            p_units.push(units);
        }
        site_load.push(load);
    }
    tables.push(Table {
        name: "weather",
        columns: vec![
            ("ts", "timestamp", Col::Ts(w_ts.clone())),
            ("site_id", "text", Col::Dict(w_site.clone(), site_ids.clone())),
            ("outdoor_c", "float8", Col::F64(w_val, 1)),
        ],
        tag: Some("site_id"),
        partition: Some("30 days"),
    });
    tables.push(Table {
        name: "production",
        columns: vec![
            ("ts", "timestamp", Col::Ts(w_ts)),
            ("site_id", "text", Col::Dict(w_site, site_ids.clone())),
            ("units", "bigint", Col::I64(p_units)),
        ],
        tag: Some("site_id"),
        partition: Some("30 days"),
    });
    let n_meters = n_sites * 5;
    let nq = n_h * 4;
    let mut per_meter: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    for k in 0..n_meters {
        let s = k % n_sites;
        let share = [0.4, 0.25, 0.15, 0.12, 0.08][(k / n_sites) % 5];
        let kw: Vec<f64> = (0..nq)
            .map(|q| site_load[s][q / 4] * share * (1.0 + rng.gauss(0.0, 0.03)))
            .collect();
        let mut kwh = Vec::with_capacity(nq);
        let mut acc = 1000.0 * (k as f64 + 1.0);
        for &x in &kw {
            acc += x * 0.25;
            kwh.push(acc);
        }
        if nq > 0 {
            let reset_at = (rng.range(n_h as i64, (3 * n_h) as i64) as usize).clamp(1, nq - 1);
            let base = kwh[reset_at - 1];
            for v in kwh[reset_at..].iter_mut() {
                *v -= base;
            }
        }
        per_meter.push((
            kwh.into_iter().map(|v| round(v, 2)).collect(),
            kw.into_iter().map(|v| round(v, 2)).collect(),
        ));
    }
    let (mut m_ts, mut m_id, mut m_site, mut m_kwh, mut m_kw) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for q in 0..nq {
        for (k, (kwh, kw)) in per_meter.iter().enumerate() {
            m_ts.push(T0_US + q as i64 * 900 * SEC);
            m_id.push(k as u32);
            m_site.push((k % n_sites) as u32);
            m_kwh.push(kwh[q]);
            m_kw.push(kw[q]);
        }
    }
    tables.push(Table {
        name: "meters",
        columns: vec![
            ("ts", "timestamp", Col::Ts(m_ts)),
            (
                "meter_id",
                "text",
                Col::Dict(m_id, (0..n_meters).map(|k| format!("E{k:03}")).collect()),
            ),
            ("site_id", "text", Col::Dict(m_site, site_ids)),
            ("kwh_total", "float8", Col::F64(m_kwh, 2)),
            ("kw", "float8", Col::F64(m_kw, 2)),
        ],
        tag: Some("meter_id"),
        partition: Some("30 days"),
    });

    // Shifts: 3 × 8 h with a 30-minute planned break.
    let n_sh = (cfg.hours as usize / 8).max(1);
    tables.push(Table {
        name: "shifts",
        columns: vec![
            (
                "shift_id",
                "text",
                Col::Dict(
                    (0..n_sh as u32).collect(),
                    (0..n_sh).map(|i| format!("SH{i:04}")).collect(),
                ),
            ),
            (
                "start_ts",
                "timestamp",
                Col::Ts((0..n_sh).map(|i| T0_US + i as i64 * 8 * 3600 * SEC).collect()),
            ),
            (
                "end_ts",
                "timestamp",
                Col::Ts(
                    (0..n_sh)
                        .map(|i| T0_US + (i as i64 + 1) * 8 * 3600 * SEC)
                        .collect(),
                ),
            ),
            ("planned_break_min", "bigint", Col::I64(vec![30; n_sh])),
        ],
        tag: None,
        partition: None,
    });

    // Orders and their operations (routing over machines), planned vs actual.
    let n_o = 20 * n_m;
    let mut rel: Vec<i64> = (0..n_o).map(|_| rng.range(0, n_sec.max(1) as i64)).collect();
    rel.sort_unstable();
    let qty: Vec<i64> = (0..n_o).map(|_| rng.range(10, 200)).collect();
    let mut m_free = vec![0i64; n_m];
    let mut due = Vec::with_capacity(n_o);
    let mut ops: Vec<(u32, i64, u32, i64, [i64; 4])> = Vec::new();
    for (i, &r) in rel.iter().enumerate() {
        let mut ready = r;
        let n_ops = rng.range(2, 5);
        for sq in 0..n_ops {
            let m = rng.range(0, n_m as i64) as usize;
            let dur = rng.range(10, 120);
            let ps = ready.max(m_free[m]);
            let pe = ps + dur * 60;
            m_free[m] = pe;
            let delay = (rng.gauss(5.0, 15.0).max(0.0) * 60.0) as i64;
            let stretch = rng.gauss(1.05, 0.1).max(0.7);
            let a_s = ps + delay;
            let a_e = a_s + (dur as f64 * 60.0 * stretch) as i64;
            ops.push((i as u32, sq + 1, m as u32, dur, [ps, pe, a_s, a_e]));
            ready = pe;
        }
        due.push(ready + rng.range(-2, 8) * 3600);
    }
    let products: Vec<u32> = (0..n_o).map(|_| rng.range(0, 5) as u32).collect();
    let order_ids: Vec<String> = (0..n_o).map(|i| format!("WO{i:06}")).collect();
    let at = |v: &[i64]| v.iter().map(|s| T0_US + s * SEC).collect::<Vec<_>>();
    tables.push(Table {
        name: "orders",
        columns: vec![
            (
                "order_id",
                "text",
                Col::Dict((0..n_o as u32).collect(), order_ids.clone()),
            ),
            (
                "product",
                "text",
                Col::Dict(products, dict(&["P-A", "P-B", "P-C", "P-D", "P-E"])),
            ),
            ("qty", "bigint", Col::I64(qty)),
            ("release_ts", "timestamp", Col::Ts(at(&rel))),
            ("due_ts", "timestamp", Col::Ts(at(&due))),
        ],
        tag: None,
        partition: None,
    });
    let col = |k: usize| Col::Ts(ops.iter().map(|o| T0_US + o.4[k] * SEC).collect());
    tables.push(Table {
        name: "operations",
        columns: vec![
            (
                "order_id",
                "text",
                Col::Dict(ops.iter().map(|o| o.0).collect(), order_ids),
            ),
            ("seq", "bigint", Col::I64(ops.iter().map(|o| o.1).collect())),
            (
                "machine_id",
                "text",
                Col::Dict(ops.iter().map(|o| o.2).collect(), mids),
            ),
            (
                "duration_min",
                "bigint",
                Col::I64(ops.iter().map(|o| o.3).collect()),
            ),
            ("planned_start", "timestamp", col(0)),
            ("planned_end", "timestamp", col(1)),
            ("actual_start", "timestamp", col(2)),
            ("actual_end", "timestamp", col(3)),
        ],
        tag: None,
        partition: None,
    });
    // Load order as in the shared benchmark: dimensions first, telemetry last.
    let order = [
        "machines",
        "specs",
        "shifts",
        "orders",
        "operations",
        "production",
        "weather",
        "measurements",
        "meters",
        "telemetry",
    ];
    tables.sort_by_key(|t| order.iter().position(|o| *o == t.name).unwrap_or(99));
    Plant { tables }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_plant_has_the_expected_shape() {
        let p = generate(PlantConfig {
            scale: 0.05,
            hours: 8,
            days: 2,
            seed: 1,
        });
        let t = p.table("telemetry").unwrap();
        assert_eq!(t.rows(), 5 * 8 * 3600);
        assert_eq!(p.table("machines").unwrap().rows(), 5);
        assert_eq!(p.table("shifts").unwrap().rows(), 1);
        assert_eq!(p.table("meters").unwrap().rows(), 5 * 2 * 96);
        // deterministic
        let q = generate(PlantConfig {
            scale: 0.05,
            hours: 8,
            days: 2,
            seed: 1,
        });
        assert_eq!(
            format!("{:?}", p.table("measurements").unwrap().columns[3].2),
            format!("{:?}", q.table("measurements").unwrap().columns[3].2)
        );
    }
}
