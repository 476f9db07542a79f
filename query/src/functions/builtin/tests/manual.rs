//! Hand-written tests (expected values from PostgreSQL 15) for what the generated tables do not
//! cover: overload resolution, window functions, set-returning functions, block statistics and
//! dictionary-coded text kernels.
use std::sync::Arc;

use super::harness::{ctx, ctx_tz, registry};
use crate::functions::WindowInput;
use crate::types::text::format_value;
use crate::types::{DataType, Value};
use crate::vector::{DictVec, Vector, VectorData};
use plantdb_storage::{BlockStats, Scalar, StatSum};

fn ty(s: &str) -> DataType {
    super::harness::ty(s)
}

#[test]
fn resolver_picks_postgres_overloads() {
    let r = registry();
    let res = |name: &str, args: &[&str]| {
        let types: Vec<DataType> = args.iter().map(|a| ty(a)).collect();
        r.resolve_scalar(name, &types).unwrap()
    };
    assert_eq!(res("+", &["int4", "int8"]).ret, DataType::Int8);
    assert_eq!(res("+", &["int2", "int2"]).ret, DataType::Int2);
    assert_eq!(res("+", &["int4", "float4"]).ret, DataType::Float8);
    assert_eq!(res("+", &["int4", "numeric"]).ret, DataType::Numeric(None));
    assert_eq!(res("+", &["unknown", "int4"]).ret, DataType::Int4);
    let eq = res("=", &["float8", "numeric"]);
    assert_eq!(eq.arg_types, vec![DataType::Float8, DataType::Float8]);
    let eq = res("=", &["unknown", "date"]);
    assert_eq!(eq.arg_types, vec![DataType::Date, DataType::Date]);
    let eq = res("=", &["int4", "int8"]);
    assert_eq!(eq.arg_types, vec![DataType::Int8, DataType::Int8]);
    assert_eq!(res("||", &["text", "int4"]).ret, DataType::Text);
    assert_eq!(res("||", &["int4[]", "int8"]).ret, ty("int8[]"));
    assert_eq!(res("-", &["timestamptz", "timestamptz"]).ret, DataType::Interval);
    assert_eq!(res("+", &["date", "interval"]).ret, DataType::Timestamp);
    assert_eq!(res("-", &["timestamp", "date"]).ret, DataType::Interval);
    assert_eq!(res("round", &["int4"]).ret, DataType::Float8);
    assert_eq!(res("round", &["unknown"]).ret, DataType::Float8);
    assert_eq!(
        res("date_trunc", &["unknown", "timestamptz"]).ret,
        DataType::Timestamptz
    );
    assert_eq!(res("greatest", &["int4", "numeric"]).ret, DataType::Numeric(None));
    assert_eq!(res("array_append", &["int4[]", "int8"]).ret, ty("int8[]"));
    let e = r
        .resolve_scalar("=", &[DataType::Int4, DataType::Text])
        .unwrap_err();
    assert_eq!(e.code, "42883");
    let e = r
        .resolve_scalar("||", &[DataType::Int4, DataType::Int4])
        .unwrap_err();
    assert_eq!(e.code, "42883");
    assert_eq!(
        r.resolve_aggregate("sum", &[DataType::Int4]).unwrap().ret,
        DataType::Int8
    );
    assert_eq!(
        r.resolve_aggregate("avg", &[DataType::Int8]).unwrap().ret,
        DataType::Numeric(None)
    );
    assert_eq!(r.resolve_aggregate("count", &[]).unwrap().ret, DataType::Int8);
    assert_eq!(
        r.resolve_aggregate("array_agg", &[DataType::Text]).unwrap().ret,
        ty("text[]")
    );
}

fn show(v: &Vector, t: &DataType) -> Vec<String> {
    let c = ctx();
    (0..v.len())
        .map(|i| format_value(&v.value(i), t, &c).unwrap_or_else(|| "NULL".into()))
        .collect()
}

/// Runs a window function over `x` ordered ascending with the default frame.
fn window(name: &str, extra: &[Vector], xs: &[i64]) -> Vec<String> {
    let n = xs.len();
    let mut peers = Vec::with_capacity(n);
    let mut g = 0u32;
    for i in 0..n {
        if i > 0 && xs[i] != xs[i - 1] {
            g += 1;
        }
        peers.push(g);
    }
    // RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW: up to the end of the peer group.
    let frames: Vec<(usize, usize)> = (0..n)
        .map(|i| {
            let mut e = i + 1;
            while e < n && peers[e] == peers[i] {
                e += 1;
            }
            (0, e)
        })
        .collect();
    let mut args = vec![Vector::ints(DataType::Int4, xs.to_vec())];
    args.extend(extra.iter().cloned());
    let types: Vec<DataType> = args.iter().map(|a| a.ty.clone()).collect();
    let uses_x = !matches!(
        name,
        "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" | "ntile"
    );
    let (args, types) = if uses_x {
        (args, types)
    } else {
        (args[1..].to_vec(), types[1..].to_vec())
    };
    let res = registry().resolve_window(name, &types).unwrap();
    let input = WindowInput {
        args: &args,
        peers: &peers,
        frames: &frames,
        return_type: &res.ret,
    };
    let out = (res.func.kernel)(&ctx(), &input).unwrap();
    show(&out, &res.ret)
}

fn consts(v: Value, t: DataType, n: usize) -> Vector {
    Vector::constant(v, t, n)
}

#[test]
fn window_functions_match_postgres() {
    // select x, row_number() over w, ... from (values (1),(1),(2),(3),(3),(3),(4)) t(x)
    // window w as (order by x)
    let xs = [1, 1, 2, 3, 3, 3, 4];
    let n = xs.len();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        window("row_number", &[], &xs),
        s(&["1", "2", "3", "4", "5", "6", "7"])
    );
    assert_eq!(window("rank", &[], &xs), s(&["1", "1", "3", "4", "4", "4", "7"]));
    assert_eq!(
        window("dense_rank", &[], &xs),
        s(&["1", "1", "2", "3", "3", "3", "4"])
    );
    assert_eq!(
        window("percent_rank", &[], &xs),
        s(&["0", "0", "0.3333333333333333", "0.5", "0.5", "0.5", "1"])
    );
    assert_eq!(
        window("cume_dist", &[], &xs),
        s(&[
            "0.2857142857142857",
            "0.2857142857142857",
            "0.42857142857142855",
            "0.8571428571428571",
            "0.8571428571428571",
            "0.8571428571428571",
            "1"
        ])
    );
    let three = consts(Value::Int(3), DataType::Int4, n);
    assert_eq!(
        window("ntile", &[three], &xs),
        s(&["1", "1", "1", "2", "2", "3", "3"])
    );
    assert_eq!(
        window("lag", &[], &xs),
        s(&["NULL", "1", "1", "2", "3", "3", "3"])
    );
    let two = consts(Value::Int(2), DataType::Int4, n);
    let minus1 = consts(Value::Int(-1), DataType::Int4, n);
    assert_eq!(
        window("lead", &[two.clone(), minus1.clone()], &xs),
        s(&["2", "3", "3", "3", "4", "-1", "-1"])
    );
    assert_eq!(
        window("lag", std::slice::from_ref(&minus1), &xs),
        s(&["1", "2", "3", "3", "3", "4", "NULL"])
    );
    assert_eq!(
        window("first_value", &[], &xs),
        s(&["1", "1", "1", "1", "1", "1", "1"])
    );
    assert_eq!(
        window("last_value", &[], &xs),
        s(&["1", "1", "2", "3", "3", "3", "4"])
    );
    assert_eq!(
        window("nth_value", &[two], &xs),
        s(&["1", "1", "1", "1", "1", "1", "1"])
    );
    // ntile(4) and ntile(10) over 1..10
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(
        window("ntile", &[consts(Value::Int(4), DataType::Int4, 10)], &ten),
        s(&["1", "1", "1", "2", "2", "2", "3", "3", "4", "4"])
    );
    assert_eq!(
        window("ntile", &[consts(Value::Int(10), DataType::Int4, 10)], &ten),
        s(&["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])
    );
}

fn series(
    name: &str,
    args: &[(&str, &str)],
    c: &crate::context::EvalContext,
) -> crate::error::Result<Vec<String>> {
    let types: Vec<DataType> = args.iter().map(|a| ty(a.0)).collect();
    let res = registry().resolve_table(name, &types)?;
    let vals: Vec<Value> = args
        .iter()
        .zip(&res.arg_types)
        .map(|((t0, v), t)| {
            let v = super::harness::val(&ty(t0), Some(v), c);
            crate::types::cast::cast_value(&v, &ty(t0), t, c)
        })
        .collect::<crate::error::Result<_>>()?;
    let cols = (res.func.columns)(&res.arg_types)?;
    let mut out = Vec::new();
    for b in (res.func.kernel)(c, &vals, &res.arg_types)? {
        let b = b?;
        assert!(b.len() <= 8192);
        for i in 0..b.len() {
            out.push(format_value(&b.columns[0].value(i), &cols[0].1, c).unwrap_or_else(|| "NULL".into()));
        }
    }
    Ok(out)
}

#[test]
fn set_returning_functions_match_postgres() {
    let c = ctx();
    assert_eq!(
        series("generate_series", &[("int4", "1"), ("int4", "3")], &c).unwrap(),
        ["1", "2", "3"]
    );
    assert_eq!(
        series(
            "generate_series",
            &[("int4", "5"), ("int4", "1"), ("int4", "-2")],
            &c
        )
        .unwrap(),
        ["5", "3", "1"]
    );
    assert_eq!(
        series(
            "generate_series",
            &[("int4", "2147483646"), ("int4", "2147483647")],
            &c
        )
        .unwrap(),
        ["2147483646", "2147483647"]
    );
    assert_eq!(
        series(
            "generate_series",
            &[("numeric", "1.5"), ("numeric", "3"), ("numeric", "0.5")],
            &c
        )
        .unwrap(),
        ["1.5", "2.0", "2.5", "3.0"]
    );
    assert_eq!(
        series(
            "generate_series",
            &[
                ("timestamp", "2026-01-31"),
                ("timestamp", "2026-05-01"),
                ("interval", "1 month")
            ],
            &c
        )
        .unwrap(),
        [
            "2026-01-31 00:00:00",
            "2026-02-28 00:00:00",
            "2026-03-28 00:00:00",
            "2026-04-28 00:00:00"
        ]
    );
    let e = series(
        "generate_series",
        &[("int4", "1"), ("int4", "3"), ("int4", "0")],
        &c,
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22023", "step size cannot equal zero")
    );
    let e = series(
        "generate_series",
        &[
            ("timestamp", "2026-01-31"),
            ("timestamp", "2026-05-01"),
            ("interval", "0 days"),
        ],
        &c,
    )
    .unwrap_err();
    assert_eq!(e.code, "22023");
    assert_eq!(
        series("generate_series", &[("int4", "1"), ("int4", "20000")], &c)
            .unwrap()
            .len(),
        20000
    );
    let berlin = ctx_tz("Europe/Berlin");
    assert_eq!(
        series(
            "generate_series",
            &[
                ("timestamptz", "2026-03-28 02:30+01"),
                ("timestamptz", "2026-03-31 00:00+02"),
                ("interval", "1 day")
            ],
            &berlin
        )
        .unwrap(),
        [
            "2026-03-28 02:30:00+01",
            "2026-03-29 03:30:00+02",
            "2026-03-30 03:30:00+02"
        ]
    );
    assert_eq!(
        series(
            "generate_series",
            &[
                ("timestamptz", "2026-03-29 00:00+01"),
                ("timestamptz", "2026-03-29 04:00+02"),
                ("interval", "1 hour")
            ],
            &berlin
        )
        .unwrap(),
        [
            "2026-03-29 00:00:00+01",
            "2026-03-29 01:00:00+01",
            "2026-03-29 03:00:00+02",
            "2026-03-29 04:00:00+02"
        ]
    );
    assert_eq!(
        series("unnest", &[("text[]", "{a,NULL,\"b c\"}")], &c).unwrap(),
        ["a", "NULL", "b c"]
    );
    assert_eq!(
        series(
            "generate_subscripts",
            &[("text[]", "[3:5]={a,b,c}"), ("int4", "1"), ("bool", "true")],
            &c
        )
        .unwrap(),
        ["5", "4", "3"]
    );
    assert_eq!(
        series(
            "regexp_matches",
            &[("text", "a1b22c333"), ("text", "[0-9]+"), ("text", "g")],
            &c
        )
        .unwrap(),
        ["{1}", "{22}", "{333}"]
    );
    assert_eq!(
        series(
            "regexp_split_to_table",
            &[("text", "a, b,c"), ("text", ",\\s*")],
            &c
        )
        .unwrap(),
        ["a", "b", "c"]
    );
}

fn stats(
    count: u64,
    nulls: u64,
    min: Scalar,
    max: Scalar,
    sum: Option<StatSum>,
    m2: Option<f64>,
) -> BlockStats {
    BlockStats {
        count,
        null_count: nulls,
        min,
        max,
        sum,
        m2,
        first: Scalar::Null,
        last: Scalar::Null,
        min_ts: 0,
        max_ts: 0,
    }
}

/// Aggregate over one batch plus one block given by its statistics.
fn agg_with_stats(name: &str, t: DataType, rows: Vec<Value>, st: &BlockStats) -> String {
    let res = registry()
        .resolve_aggregate(name, std::slice::from_ref(&t))
        .unwrap();
    let spec = crate::functions::AggregateSpec {
        arg_types: res.arg_types.clone(),
        direct_args: vec![],
        return_type: res.ret.clone(),
    };
    let mut acc = (res.func.create)(&spec).unwrap();
    acc.resize(1);
    let n = rows.len();
    acc.update(&vec![0; n], &[Vector::from_values(t, rows)]).unwrap();
    assert!(
        acc.update_from_stats(0, st.count, std::slice::from_ref(st))
            .unwrap(),
        "{name}"
    );
    format_value(&acc.value(0).unwrap(), &res.ret, &ctx()).unwrap_or_else(|| "NULL".into())
}

#[test]
fn aggregates_use_block_statistics() {
    // Block: 10, 20, NULL, 30 (count 4, 1 NULL); batch: 5, 7.
    let block = stats(
        4,
        1,
        Scalar::Int64(10),
        Scalar::Int64(30),
        Some(StatSum::Int(60)),
        Some(200.0),
    );
    let rows = || vec![Value::Int(5), Value::Int(7)];
    // select count(x), sum(x), avg(x), min(x), max(x) from (values (5),(7),(10),(20),(null),(30)) t(x)
    assert_eq!(agg_with_stats("count", DataType::Int4, rows(), &block), "5");
    assert_eq!(agg_with_stats("sum", DataType::Int4, rows(), &block), "72");
    assert_eq!(
        agg_with_stats("avg", DataType::Int4, rows(), &block),
        "14.4000000000000000"
    );
    assert_eq!(agg_with_stats("min", DataType::Int4, rows(), &block), "5");
    assert_eq!(agg_with_stats("max", DataType::Int4, rows(), &block), "30");
    // Doubles: block 1.5, 2.5, 3.5 (sum 7.5, M2 2); batch 4.5.
    let fblock = stats(
        3,
        0,
        Scalar::Float64(1.5),
        Scalar::Float64(3.5),
        Some(StatSum::Float(7.5)),
        Some(2.0),
    );
    // select sum(x), avg(x), var_samp(x), stddev_pop(x) from (values (4.5),(1.5),(2.5),(3.5)) t(x)
    let frows = || vec![Value::Float(4.5)];
    assert_eq!(agg_with_stats("sum", DataType::Float8, frows(), &fblock), "12");
    assert_eq!(agg_with_stats("avg", DataType::Float8, frows(), &fblock), "3");
    assert_eq!(
        agg_with_stats("var_samp", DataType::Float8, frows(), &fblock),
        "1.6666666666666667"
    );
    assert_eq!(
        agg_with_stats("stddev_pop", DataType::Float8, frows(), &fblock),
        "1.118033988749895"
    );
    assert_eq!(agg_with_stats("max", DataType::Float8, frows(), &fblock), "4.5");
    // count(*) over the block's rows.
    let res = registry().resolve_aggregate("count", &[]).unwrap();
    let spec = crate::functions::AggregateSpec {
        arg_types: vec![],
        direct_args: vec![],
        return_type: res.ret.clone(),
    };
    let mut acc = (res.func.create)(&spec).unwrap();
    acc.resize(1);
    assert!(acc.update_from_stats(0, 4, &[]).unwrap());
    assert_eq!(acc.value(0).unwrap(), Value::Int(4));
    // bool_and / bool_or from the count of trues.
    let bblock = stats(
        3,
        0,
        Scalar::Bool(false),
        Scalar::Bool(true),
        Some(StatSum::Int(2)),
        None,
    );
    assert_eq!(
        agg_with_stats("bool_and", DataType::Bool, vec![Value::Bool(true)], &bblock),
        "f"
    );
    assert_eq!(
        agg_with_stats("bool_or", DataType::Bool, vec![Value::Bool(false)], &bblock),
        "t"
    );
}

#[test]
fn text_kernels_work_on_dictionaries_and_constants() {
    // Dictionary with an unreferenced entry that would fail if evaluated, and a NULL row.
    let dict: Vec<Box<[u8]>> = vec![
        Box::from(&b"Abc"[..]),
        Box::from(&b"xYz"[..]),
        Box::from(&b"unused"[..]),
    ];
    let v = Vector::new(
        DataType::Text,
        VectorData::Text(DictVec {
            dict: Arc::new(dict),
            codes: vec![0, 1, 0, 1],
        }),
        Some(vec![true, true, false, true]),
    );
    let c = ctx();
    let call = |name: &str, args: Vec<Vector>| {
        let types: Vec<DataType> = args.iter().map(|a| a.ty.clone()).collect();
        let res = registry().resolve_scalar(name, &types).unwrap();
        let out = (res.func.kernel)(&c, &args, &res.ret, 4).unwrap();
        show(&out, &res.ret)
    };
    assert_eq!(call("upper", vec![v.clone()]), ["ABC", "XYZ", "NULL", "XYZ"]);
    assert_eq!(call("length", vec![v.clone()]), ["3", "3", "NULL", "3"]);
    let k = |s: &str| Vector::constant(Value::str(s), DataType::Text, 4);
    assert_eq!(call("=", vec![v.clone(), k("xYz")]), ["f", "t", "NULL", "t"]);
    assert_eq!(call("<", vec![k("B"), v.clone()]), ["f", "t", "NULL", "t"]);
    assert_eq!(call("~~", vec![v.clone(), k("%Y%")]), ["f", "t", "NULL", "t"]);
    assert_eq!(call("~*", vec![v.clone(), k("^a")]), ["t", "f", "NULL", "f"]);
    assert_eq!(
        call("||", vec![v.clone(), k("!")]),
        ["Abc!", "xYz!", "NULL", "xYz!"]
    );
    assert_eq!(
        call(
            "substr",
            vec![v.clone(), Vector::constant(Value::Int(2), DataType::Int4, 4)]
        ),
        ["bc", "Yz", "NULL", "Yz"]
    );
    // Integer kernels with NULLs must not trip over the garbage in NULL rows.
    let a = Vector::new(
        DataType::Int4,
        VectorData::Int(vec![1, 0, 3]),
        Some(vec![true, false, true]),
    );
    let b = Vector::new(
        DataType::Int4,
        VectorData::Int(vec![1, 0, 0]),
        Some(vec![true, false, false]),
    );
    let res = registry()
        .resolve_scalar("/", &[DataType::Int4, DataType::Int4])
        .unwrap();
    let out = (res.func.kernel)(&c, &[a, b], &res.ret, 3).unwrap();
    assert_eq!(show(&out, &res.ret), ["1", "NULL", "NULL"]);
}

#[test]
fn system_functions() {
    let c = ctx();
    let call = |name: &str, args: Vec<Vector>| {
        let types: Vec<DataType> = args.iter().map(|a| a.ty.clone()).collect();
        let res = registry().resolve_scalar(name, &types).unwrap();
        let out = (res.func.kernel)(&c, &args, &res.ret, 1);
        out.map(|o| show(&o, &res.ret))
    };
    let text = |s: &str| Vector::constant(Value::str(s), DataType::Text, 1);
    assert_eq!(
        call("version", vec![]).unwrap(),
        ["PostgreSQL 15.0 (plantdb 0.1.0) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit"]
    );
    assert_eq!(call("current_database", vec![]).unwrap(), ["plantdb"]);
    assert_eq!(call("current_schema", vec![]).unwrap(), ["public"]);
    assert_eq!(
        call(
            "pg_get_userbyid",
            vec![Vector::constant(Value::Int(10), DataType::Oid, 1)]
        )
        .unwrap(),
        ["plantdb"]
    );
    assert_eq!(
        call(
            "pg_get_userbyid",
            vec![Vector::constant(Value::Int(42), DataType::Oid, 1)]
        )
        .unwrap(),
        ["unknown (OID=42)"]
    );
    let e = call("current_setting", vec![text("nope")]).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("42704", "unrecognized configuration parameter \"nope\"")
    );
    assert_eq!(
        call("has_table_privilege", vec![text("t"), text("select")]).unwrap(),
        ["t"]
    );
    assert_eq!(call("pg_backend_pid", vec![]).unwrap(), ["1"]);
    assert_eq!(
        call(
            "pg_sleep",
            vec![Vector::constant(Value::Float(0.01), DataType::Float8, 1)]
        )
        .unwrap(),
        ["NULL"]
    );
    // A cancelled statement stops sleeping.
    let cancelled = ctx();
    cancelled.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let res = registry()
        .resolve_scalar("pg_sleep", &[DataType::Float8])
        .unwrap();
    let e = (res.func.kernel)(
        &cancelled,
        &[Vector::constant(Value::Float(10.0), DataType::Float8, 1)],
        &res.ret,
        1,
    )
    .unwrap_err();
    assert_eq!(e.code, "57014");
    let a = call("txid_current", vec![]).unwrap();
    let b = call("txid_current", vec![]).unwrap();
    assert_ne!(a, b);
}
