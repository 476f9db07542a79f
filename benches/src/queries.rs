//! The standard query set over the simulated plant, read from the one copy of it in the repo:
//! `benches/compare/queries.py` (copied from the shared workload's `queries.py`, provenance in
//! its header), which `compare.py` runs on every engine. This module gives its texts to
//! `plantbench`, to `tests/demo.rs` and to the differential test against PostgreSQL.
//!
//! Each query has a PostgreSQL-dialect text (`pg`); `d1x_oee_by_shift_extension` is d1 through
//! the OEE extension functions (its `plantdb` variant; its `pg` text is d1's), configured as the
//! plain SQL: the shift window from the calendar, its planned break as planned down time, RUNNING
//! as production; it summarises each machine-hour with `oee_partial` (fused with the scan) and
//! places the hours in their shifts with `oee_agg(partial, …)`, so the 8.64 M telemetry rows are
//! never joined; `tests/demo.rs` checks that both give the same numbers.

/// The query set file.
const SOURCE: &str = include_str!("../compare/queries.py");

/// One benchmark query.
#[derive(Debug, Clone)]
pub struct Query {
    /// Name as in the query set.
    pub name: String,
    /// What plantdb runs: the `plantdb` variant when there is one, else the `pg` text.
    pub sql: String,
}

/// The `pg` texts written out in the file (a query that reuses another's text is left out),
/// by name.
pub fn pg_queries() -> Vec<(String, String)> {
    blocks()
        .filter_map(|(name, block)| Some((name, variant(block, "pg")?)))
        .collect()
}

/// What plantdb runs for every query, in file order.
pub fn queries() -> Vec<Query> {
    blocks()
        .filter_map(|(name, block)| {
            let sql = variant(block, "plantdb").or_else(|| variant(block, "pg"))?;
            Some(Query { name, sql })
        })
        .collect()
}

/// (name, text up to the next query) of each `Q["name"] = dict(...)`.
fn blocks() -> impl Iterator<Item = (String, &'static str)> {
    SOURCE.split("\nQ[\"").skip(1).filter_map(|block| {
        let name = block.split('"').next()?;
        Some((name.to_string(), block))
    })
}

/// Variant `key` of a query block when it is a string literal, `{M8}` replaced by the file's
/// list of eight machines.
fn variant(block: &str, key: &str) -> Option<String> {
    let (_, body) = block
        .split_once(&format!("{key}=f\"\"\""))
        .or_else(|| block.split_once(&format!("{key}=\"\"\"")))?;
    let sql = body.split("\"\"\"").next()?;
    Some(sql.replace("{M8}", m8()))
}

/// The eight machines of q2/q3 (`M8 = "..."` in the file).
fn m8() -> &'static str {
    SOURCE
        .lines()
        .find_map(|l| l.strip_prefix("M8 = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or("")
}
