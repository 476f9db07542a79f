//! plantdb extensions.
