//! Quality: process capability (Cp, Cpk, Pp, Ppk, Cpm, Cm, Cmk), σ estimators, control-chart
//! limits and run rules.
pub mod capability;
pub mod constants;
pub mod rules;
pub mod sigma;

use plantdb_query::functions::Registry;

/// Registers the quality functions.
pub fn register(r: &mut Registry) {
    capability::register(r);
    rules::register(r);
}
