//! plantdb server.
