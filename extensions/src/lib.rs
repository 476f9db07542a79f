//! plantdb extensions: the domain functions, registered through the query engine's function
//! registry (`plantdb_query::functions::Registry`). Nothing in `plantdb-query` names them.
//!
//! - [`timeseries`]: `time_bucket`, `first`, `last`, …
//! - [`kpi`]: OEE and the ISO 22400-2 equipment KPIs (`oee_agg` and its accessors);
//! - [`reliability`]: MTBF, MTTR, MTTF, failure rate, corrective maintenance ratio;
//! - [`quality`]: capability indices, control limits, run rules;
//! - [`common`]: the mergeable time-ordered run machinery, column readers, state encoding.
pub mod common;
pub mod kpi;
pub mod quality;
pub mod reliability;
pub mod timeseries;

use plantdb_query::functions::Registry;

/// Registers every extension function.
pub fn register(r: &mut Registry) {
    timeseries::register(r);
    quality::register(r);
    kpi::register(r);
    reliability::register(r);
}
