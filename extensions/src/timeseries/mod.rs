//! Time-series toolkit: bucketing, gap filling (`time_bucket_gapfill`, `locf`, `interpolate`), first/last, time-weighted averages and integrals, counters
//! with resets, state durations and transitions, liveness and completeness, approximate
//! percentiles, LTTB downsampling. Order-dependent aggregates summarise time-ordered runs
//! ([`crate::common::runs`]) and take an optional range whose edges they handle exactly
//! ([`ranged`]).
mod bucket;
mod counter;
mod first_last;
mod gapfill;
mod liveness;
mod lttb;
mod periods;
pub mod ranged;
mod sketch;
mod state;
pub mod time_weight;

use plantdb_query::functions::Registry;

/// Registers the time-series functions.
pub fn register(r: &mut Registry) {
    bucket::register(r);
    first_last::register(r);
    gapfill::register(r);
    time_weight::register(r);
    counter::register(r);
    state::register(r);
    periods::register(r);
    liveness::register(r);
    sketch::register(r);
    lttb::register(r);
}
