//! plantdb benchmarks.
