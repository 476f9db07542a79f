//! Tests of the built-in functions against answers obtained from PostgreSQL 15 (see
//! `oracle/gen.py`; the `gen_*.rs` tables are generated from `oracle/*.spec`).
mod harness;
mod manual;
mod robust;

macro_rules! oracle_tests {
    ($($m:ident),* $(,)?) => {
        $(
            mod $m;
        )*
        mod oracle {
            $(
                #[test]
                fn $m() {
                    super::harness::assert_none(super::harness::run_cases(super::$m::CASES));
                    super::harness::assert_none(super::harness::run_agg_cases(super::$m::AGG_CASES));
                }
            )*
        }
    };
}

oracle_tests!(
    gen_arith,
    gen_math,
    gen_temporal,
    gen_datetime,
    gen_aggregate,
    gen_string,
    gen_format,
    gen_numformat
);
