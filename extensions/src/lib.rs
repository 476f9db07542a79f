//! plantdb extensions: the domain functions, registered through the query engine's function
//! registry (`plantdb_query::functions::Registry`). Nothing in `plantdb-query` names them.
//!
//! - [`timeseries`]: `time_bucket`, `first`, `last`, …
pub mod timeseries;

use plantdb_query::functions::Registry;

/// Registers every extension function.
pub fn register(r: &mut Registry) {
    timeseries::register(r);
}
