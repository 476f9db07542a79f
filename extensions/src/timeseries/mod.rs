//! Time-series toolkit.
mod bucket;
mod first_last;

use plantdb_query::functions::Registry;

/// Registers the time-series functions.
pub fn register(r: &mut Registry) {
    bucket::register(r);
    first_last::register(r);
}
