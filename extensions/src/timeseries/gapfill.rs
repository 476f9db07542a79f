//! Gap filling, as TimescaleDB defines it:
//!
//! ```sql
//! time_bucket_gapfill(bucket_width interval, ts [, start, finish]) → timestamp[tz]   (GROUP BY key)
//! locf(value [, max_gap interval [, treat_null_as_missing boolean]]) → same type    (select list)
//! interpolate(value [, max_gap interval]) → same type (smallint … double precision)
//! ```
//!
//! The functions only mark the query: the optimizer (`plantdb_query::optimize::gapfill`) puts a
//! gap-fill node above the aggregate that emits every bucket of `[start, finish)` per group, and
//! the executor (`plantdb_query::exec::gapfill`) computes the fills, seeding them from the last
//! bucket before the range. `time_bucket_gapfill` buckets like `time_bucket` (origin
//! 2000-01-03); `locf` and `interpolate` outside such a query fail with 0A000.
use plantdb_query::error::{QueryError, sqlstate};
use plantdb_query::functions::{ArgType, Registry, ReturnType, ScalarFunction, Signature, Volatility};
use plantdb_query::types::DataType;

fn outside(
    name: &'static str,
) -> impl Fn(
    &plantdb_query::context::EvalContext,
    &[plantdb_query::vector::Vector],
    &DataType,
    usize,
) -> plantdb_query::error::Result<plantdb_query::vector::Vector>
+ Send
+ Sync
+ 'static {
    move |_, _, _, _| {
        Err(QueryError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "{name}() can only be used in the select list of an aggregate query grouped by time_bucket_gapfill()"
            ),
        ))
    }
}

/// Registers `time_bucket_gapfill`, `locf` and `interpolate`.
pub fn register(r: &mut Registry) {
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        let args = [DataType::Interval, t.clone(), t.clone(), t.clone()];
        r.register_scalar(
            ScalarFunction::vectorized(
                "time_bucket_gapfill",
                Signature::exact(&args, t.clone()).optional(2),
                Volatility::Immutable,
                |_, a, ret, n| super::bucket::kernel(&a[..2], ret, n),
            )
            .describe("time_bucket that also emits the buckets without rows between start and finish (GROUP BY key)"),
        );
    }
    r.register_scalar(
        ScalarFunction::vectorized(
            "locf",
            Signature::new(
                vec![
                    ArgType::AnyElement,
                    ArgType::Exact(DataType::Interval),
                    ArgType::Exact(DataType::Bool),
                ],
                ReturnType::Element,
            )
            .optional(2),
            Volatility::Immutable,
            outside("locf"),
        )
        .describe("last value carried forward into buckets without rows (with time_bucket_gapfill)"),
    );
    for t in [
        DataType::Int2,
        DataType::Int4,
        DataType::Int8,
        DataType::Float4,
        DataType::Float8,
    ] {
        r.register_scalar(
            ScalarFunction::vectorized(
                "interpolate",
                Signature::exact(&[t.clone(), DataType::Interval], t).optional(1),
                Volatility::Immutable,
                outside("interpolate"),
            )
            .describe("linear interpolation into buckets without rows (with time_bucket_gapfill)"),
        );
    }
}
