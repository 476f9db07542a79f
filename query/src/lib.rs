//! plantdb query.
