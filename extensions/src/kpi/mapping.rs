//! Machine states → ISO 22400-2 time categories, and the options of the equipment-KPI
//! aggregates.
//!
//! Categories and their ISO 22400-2 time elements (KPI-DEFINITIONS.md §1.2):
//!
//! | category | element | default state names (case-insensitive) |
//! |---|---|---|
//! | `production` | APT, actual production time | RUNNING, RUN, PRODUCING, PRODUCTION, EXECUTE, EXECUTING |
//! | `setup` | AUST, actual unit setup time | SETUP, CHANGEOVER, ADJUSTMENT |
//! | `unplanned_stop` | ADET, actual unit delay time | DOWN, FAULT, FAILURE, BREAKDOWN, ERROR, ALARM, STOPPED |
//! | `idle` | ADOT, actual unit down time | IDLE, WAITING, STARVED, BLOCKED, NO_ORDER |
//! | `planned_stop` | PDOT, planned down time | PLANNED_STOP, PLANNED_DOWN, MAINTENANCE, BREAK, PAUSE |
//!
//! The category names themselves map to themselves, so a mapping table can be joined in and its
//! category column passed as the state. A NULL state, and time not covered by any sample, is
//! `no_data` (counted in ADOT). A state outside the mapping is an error (22023) naming it.
//!
//! Options (`key=value; …`, see [`crate::common::options`]):
//! - `STATE=category`: maps a state (adds to or overrides the defaults);
//! - `defaults=false`: start from an empty mapping (only the category names map);
//! - `microstop=<interval>` (default `5 min`): unplanned stops shorter than this are minor stops;
//! - `microstops=availability|performance` (default `availability`, as ISO 22400-2 counts them
//!   in ADET): where minor stops are charged; OEE is the same either way;
//! - `max_gap=<interval>` (default: none): a sample holds its state at most this long; the rest of
//!   a longer gap is `no_data`;
//! - `counter_modulus=<integer>` (default: none): a decrease of a counter is a wrap-around at
//!   this modulus rather than a reset to zero;
//! - `failure=<state>[|<state>…]` (reliability functions): which states are failures (default:
//!   every `unplanned_stop` state);
//! - `preventive=<state>[|<state>…]` (reliability functions): preventive-maintenance states
//!   (default `MAINTENANCE|PREVENTIVE_MAINTENANCE|PM`).
use plantdb_query::error::Result;

use crate::common::invalid;
use crate::common::options::{Options, boolean, duration};

/// Category codes.
pub const PRODUCTION: u8 = 0;
/// AUST.
pub const SETUP: u8 = 1;
/// ADET.
pub const UNPLANNED: u8 = 2;
/// ADOT.
pub const IDLE: u8 = 3;
/// PDOT (state).
pub const PLANNED: u8 = 4;
/// No sample / NULL state.
pub const NO_DATA: u8 = 5;
/// Number of categories.
pub const NCAT: usize = 6;

/// Category names by code.
pub const NAMES: [&str; NCAT] = [
    "production",
    "setup",
    "unplanned_stop",
    "idle",
    "planned_stop",
    "no_data",
];

const DEFAULTS: &[(&str, u8)] = &[
    ("RUNNING", PRODUCTION),
    ("RUN", PRODUCTION),
    ("PRODUCING", PRODUCTION),
    ("PRODUCTION", PRODUCTION),
    ("EXECUTE", PRODUCTION),
    ("EXECUTING", PRODUCTION),
    ("SETUP", SETUP),
    ("CHANGEOVER", SETUP),
    ("ADJUSTMENT", SETUP),
    ("DOWN", UNPLANNED),
    ("FAULT", UNPLANNED),
    ("FAILURE", UNPLANNED),
    ("BREAKDOWN", UNPLANNED),
    ("ERROR", UNPLANNED),
    ("ALARM", UNPLANNED),
    ("STOPPED", UNPLANNED),
    ("UNPLANNED_STOP", UNPLANNED),
    ("IDLE", IDLE),
    ("WAITING", IDLE),
    ("STARVED", IDLE),
    ("BLOCKED", IDLE),
    ("NO_ORDER", IDLE),
    ("PLANNED_STOP", PLANNED),
    ("PLANNED_DOWN", PLANNED),
    ("MAINTENANCE", PLANNED),
    ("BREAK", PLANNED),
    ("PAUSE", PLANNED),
    ("NO_DATA", NO_DATA),
];

/// The category of a name.
pub fn category(name: &str) -> Option<u8> {
    NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .map(|p| p as u8)
}

/// Configuration of the equipment-KPI aggregates.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiCfg {
    /// (upper-case state, category).
    map: Vec<(Vec<u8>, u8)>,
    /// Minor-stop threshold (µs).
    pub microstop: i64,
    /// Charge minor stops to performance instead of availability.
    pub micro_in_performance: bool,
    /// Longest time a sample holds (µs).
    pub max_gap: i64,
    /// Counter wrap-around modulus.
    pub modulus: Option<i64>,
    /// Failure states (upper case); empty: every unplanned-stop state.
    pub failures: Vec<Vec<u8>>,
    /// Preventive-maintenance states (upper case).
    pub preventive: Vec<Vec<u8>>,
    /// The function, for messages.
    pub what: &'static str,
}

impl KpiCfg {
    /// Parses options (None: defaults).
    pub fn parse(text: Option<&str>, what: &'static str) -> Result<KpiCfg> {
        let mut cfg = KpiCfg {
            map: DEFAULTS
                .iter()
                .map(|(s, c)| (s.as_bytes().to_vec(), *c))
                .collect(),
            microstop: 300_000_000,
            micro_in_performance: false,
            max_gap: i64::MAX,
            modulus: None,
            failures: Vec::new(),
            preventive: ["MAINTENANCE", "PREVENTIVE_MAINTENANCE", "PM"]
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            what,
        };
        let Some(text) = text else { return Ok(cfg) };
        let opts = Options::parse(text, what)?;
        let mut extra = Vec::new();
        for (k, v) in &opts.pairs {
            match k.as_str() {
                "defaults" => {
                    if !boolean(k, v, what)? {
                        cfg.map
                            .retain(|(s, c)| NAMES[*c as usize].as_bytes().eq_ignore_ascii_case(s));
                    }
                }
                "microstop" => cfg.microstop = duration(k, v, what)?,
                "microstops" => {
                    cfg.micro_in_performance = match v.to_ascii_lowercase().as_str() {
                        "availability" => false,
                        "performance" => true,
                        _ => {
                            return Err(invalid(format!(
                                "{what}: microstops must be availability or performance, not \"{v}\""
                            )));
                        }
                    }
                }
                "max_gap" => {
                    cfg.max_gap = duration(k, v, what)?;
                    if cfg.max_gap == 0 {
                        return Err(invalid(format!("{what}: max_gap must be positive")));
                    }
                }
                "counter_modulus" => {
                    let m: i64 = v.parse().map_err(|_| {
                        invalid(format!("{what}: counter_modulus must be an integer, not \"{v}\""))
                    })?;
                    if m <= 0 {
                        return Err(invalid(format!("{what}: counter_modulus must be positive")));
                    }
                    cfg.modulus = Some(m);
                }
                "failure" => cfg.failures = state_list(v),
                "preventive" => cfg.preventive = state_list(v),
                _ => {
                    let c = category(v).ok_or_else(|| {
                        invalid(format!(
                            "{what}: unknown option \"{k}\" or category \"{v}\" (categories: {})",
                            NAMES.join(", ")
                        ))
                    })?;
                    extra.push((k.to_ascii_uppercase().into_bytes(), c));
                }
            }
        }
        for (s, c) in extra {
            cfg.map.retain(|(x, _)| *x != s);
            cfg.map.push((s, c));
        }
        Ok(cfg)
    }

    /// Category of a state value (case-insensitive).
    pub fn classify(&self, state: &[u8]) -> Result<u8> {
        for (s, c) in &self.map {
            if s.eq_ignore_ascii_case(state) {
                return Ok(*c);
            }
        }
        Err(invalid(format!(
            "{}: state \"{}\" has no category; map it with the options argument, e.g. '{}=idle' \
             (categories: {})",
            self.what,
            String::from_utf8_lossy(state),
            String::from_utf8_lossy(state),
            NAMES.join(", ")
        )))
    }

    /// Whether a state is preventive maintenance (reliability).
    pub fn is_preventive(&self, state: &[u8]) -> bool {
        self.preventive.iter().any(|f| f.eq_ignore_ascii_case(state))
    }

    /// Whether a state is a failure (reliability).
    pub fn is_failure(&self, state: &[u8], category: u8) -> bool {
        if self.failures.is_empty() {
            category == UNPLANNED
        } else {
            self.failures.iter().any(|f| f.eq_ignore_ascii_case(state))
        }
    }
}

fn state_list(v: &str) -> Vec<Vec<u8>> {
    v.split('|')
        .map(|s| s.trim().to_ascii_uppercase().into_bytes())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapping_and_overrides() {
        let c = KpiCfg::parse(None, "t").expect("defaults");
        assert_eq!(c.classify(b"running").expect("ok"), PRODUCTION);
        assert_eq!(c.classify(b"unplanned_stop").expect("ok"), UNPLANNED);
        assert_eq!(c.classify(b"FOO").err().map(|e| e.code), Some("22023"));
        let c = KpiCfg::parse(
            Some("FOO=setup; IDLE=planned_stop; microstop=2 min; max_gap=10 min"),
            "t",
        )
        .expect("options");
        assert_eq!(c.classify(b"foo").expect("ok"), SETUP);
        assert_eq!(c.classify(b"idle").expect("ok"), PLANNED);
        assert_eq!((c.microstop, c.max_gap), (120_000_000, 600_000_000));
        let c = KpiCfg::parse(Some("defaults=false"), "t").expect("empty");
        assert!(c.classify(b"RUNNING").is_err());
        assert_eq!(c.classify(b"production").expect("ok"), PRODUCTION);
        assert!(KpiCfg::parse(Some("FOO=bar"), "t").is_err());
        assert!(KpiCfg::parse(Some("microstops=speed"), "t").is_err());
        assert!(KpiCfg::parse(Some("counter_modulus=-5"), "t").is_err());
    }
}
