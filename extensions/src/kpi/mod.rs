//! Equipment KPIs (ISO 22400-2) and OEE from a state series, production counters and an ideal
//! cycle time over planned windows: `oee_agg` and its accessors.
//!
//! - [`mapping`]: states → time categories, options;
//! - [`summary`]: the mergeable run summary (time model, stops, counters, failures);
//! - [`oee_agg`]: the aggregate over rows; [`rollup`]: two-step `oee_partial` → `oee_agg(partial, …)`;
//! - [`elements`]: the time elements and KPI formulas;
//! - [`iso22400`]: accessor functions; [`losses`]: the six big losses.
pub mod elements;
#[cfg(test)]
mod identities;
pub mod iso22400;
pub mod losses;
pub mod mapping;
pub mod oee_agg;
pub mod rollup;
pub mod summary;

use plantdb_query::functions::Registry;

/// Registers the equipment-KPI functions.
pub fn register(r: &mut Registry) {
    oee_agg::register(r);
    rollup::register(r);
    iso22400::register(r);
}
