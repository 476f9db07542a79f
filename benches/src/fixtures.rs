//! Inputs shared by the criterion micro-benchmarks: one machine's telemetry from the project's
//! generator (the realistic case for every codec), synthetic columns that steer the codec chooser
//! to the codecs the plant data does not reach, and a small loaded database.
use plantdb::plant::{Col, PlantConfig, generate};

/// Values per block in parts (row groups hold at most 8192 rows).
pub const BLOCK: usize = 8192;

/// One machine's telemetry for 24 h at 1 Hz, by column (name, values).
#[derive(Debug, Clone, Default)]
pub struct MachineDay {
    /// Timestamps in µs, 1 s apart.
    pub ts: Vec<i64>,
    /// Float columns at sensor resolution (spindle_rpm, temperature_c, vibration_mm_s, power_kw).
    pub floats: Vec<(&'static str, Vec<f64>)>,
    /// Counter columns (part_count, scrap_count).
    pub ints: Vec<(&'static str, Vec<i64>)>,
    /// The machine state as text.
    pub state: Vec<String>,
}

/// Generates one machine's day (scale 0.01 = one machine).
pub fn machine_day() -> MachineDay {
    let plant = generate(PlantConfig {
        scale: 0.01,
        hours: 24,
        days: 1,
        seed: 7,
    });
    let mut out = MachineDay::default();
    let Some(t) = plant.table("telemetry") else {
        return out;
    };
    for (name, _, col) in &t.columns {
        match col {
            Col::Ts(v) => out.ts = v.clone(),
            Col::F64(v, _) => out.floats.push((name, v.clone())),
            Col::I64(v) => out.ints.push((name, v.clone())),
            Col::Dict(codes, dict) if *name == "state" => {
                out.state = codes.iter().map(|&c| dict[c as usize].clone()).collect();
            }
            Col::Dict(..) => {}
        }
    }
    out
}

/// A small deterministic generator (xorshift64*), so fixtures need no extra crate.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// Seeded generator.
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` uniform integers in `[0, range)`: frame-of-reference bit-packing's case.
pub fn random_small_ints(n: usize, range: u64, seed: u64) -> Vec<i64> {
    let mut r = XorShift::new(seed);
    (0..n).map(|_| (r.next_u64() % range) as i64).collect()
}

/// `n` readings of an increasing counter with irregular steps (an energy meter in Wh): the
/// delta + frame-of-reference case.
pub fn increasing_counter(n: usize, seed: u64) -> Vec<i64> {
    let mut r = XorShift::new(seed);
    let mut x = 1_020_140i64;
    (0..n)
        .map(|_| {
            x += 10 + (r.next_u64() % 40) as i64;
            x
        })
        .collect()
}

/// `n` integers in runs of about `run` equal values: run-length's case.
pub fn runs_of_ints(n: usize, run: usize, seed: u64) -> Vec<i64> {
    let mut r = XorShift::new(seed);
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let x = (r.next_u64() % 1_000_000) as i64;
        let len = 1 + (r.next_u64() as usize % (2 * run));
        v.extend(std::iter::repeat_n(x, len.min(n - v.len())));
    }
    v
}

/// `n` doubles with all 53 bits random: no decimal structure, the raw fallback's case.
pub fn random_doubles(n: usize, seed: u64) -> Vec<f64> {
    let mut r = XorShift::new(seed);
    (0..n).map(|_| r.uniform() * 1e3).collect()
}

/// `n` distinct-ish log lines: too many distinct values for a dictionary, zstd's case.
pub fn log_lines(n: usize, seed: u64) -> Vec<String> {
    let mut r = XorShift::new(seed);
    let words = [
        "spindle", "overload", "coolant", "low", "door", "open", "tool", "change", "axis", "alarm",
    ];
    (0..n)
        .map(|i| {
            let a = words[(r.next_u64() % 10) as usize];
            let b = words[(r.next_u64() % 10) as usize];
            format!(
                "M{:04} {a} {b} code={} seq={i}",
                r.next_u64() % 100,
                r.next_u64() % 1000
            )
        })
        .collect()
}
