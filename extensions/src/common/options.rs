//! Option strings: `key=value` pairs separated by `;` (keys are case-insensitive, whitespace
//! around keys and values is ignored), e.g. `'microstop=5 min; max_gap=10 min; WARMUP=setup'`.
use plantdb_query::error::Result;
use plantdb_query::types::Interval;

/// Parsed options, in the order written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// (lower-case key, value as written).
    pub pairs: Vec<(String, String)>,
}

impl Options {
    /// Parses `text`; errors (22023) on an item without `=` or with an empty key.
    pub fn parse(text: &str, what: &str) -> Result<Options> {
        let mut pairs = Vec::new();
        for item in text.split(';') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let Some((k, v)) = item.split_once('=') else {
                return Err(super::invalid(format!(
                    "{what}: option \"{item}\" is not of the form key=value"
                )));
            };
            let k = k.trim();
            if k.is_empty() {
                return Err(super::invalid(format!(
                    "{what}: option \"{item}\" has an empty key"
                )));
            }
            pairs.push((k.to_ascii_lowercase(), v.trim().to_string()));
        }
        Ok(Options { pairs })
    }
}

/// A non-negative duration option in µs (`5 min`, `00:05:00`, `300 seconds`).
pub fn duration(key: &str, value: &str, what: &str) -> Result<i64> {
    let iv = Interval::parse(value)
        .ok_or_else(|| super::invalid(format!("{what}: {key} must be an interval, not \"{value}\"")))?;
    if iv.months != 0 {
        return Err(super::invalid(format!(
            "{what}: {key} must be a fixed duration (no months)"
        )));
    }
    let us = i64::from(iv.days) * 86_400_000_000 + iv.micros;
    if us < 0 {
        return Err(super::invalid(format!("{what}: {key} must not be negative")));
    }
    Ok(us)
}

/// A boolean option (`true/false/on/off/yes/no/1/0`).
pub fn boolean(key: &str, value: &str, what: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" | "t" => Ok(true),
        "false" | "off" | "no" | "0" | "f" => Ok(false),
        _ => Err(super::invalid(format!(
            "{what}: {key} must be a boolean, not \"{value}\""
        ))),
    }
}

/// A number option.
pub fn number(key: &str, value: &str, what: &str) -> Result<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| super::invalid(format!("{what}: {key} must be a number, not \"{value}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_and_durations() {
        let o = Options::parse(" MicroStop = 5 min ; WARMUP=setup;", "f").expect("ok");
        assert_eq!(
            o.pairs,
            vec![
                ("microstop".into(), "5 min".into()),
                ("warmup".into(), "setup".into())
            ]
        );
        assert_eq!(duration("k", "5 min", "f").expect("ok"), 300_000_000);
        assert_eq!(duration("k", "00:00:30", "f").expect("ok"), 30_000_000);
        assert_eq!(Options::parse("oops", "f").err().map(|e| e.code), Some("22023"));
        assert!(duration("k", "-1 min", "f").is_err());
        assert!(duration("k", "1 month", "f").is_err());
        assert!(boolean("k", "maybe", "f").is_err());
    }
}
