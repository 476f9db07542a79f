//! Rough timings of the hot kernels (run with `--ignored --nocapture`).
use std::time::Instant;

use super::harness::{ctx, registry};
use crate::functions::AggregateSpec;
use crate::types::{DataType, Value};
use crate::vector::Vector;

fn time(label: &str, n: usize, mut f: impl FnMut()) {
    f();
    let t = Instant::now();
    let reps = 5;
    for _ in 0..reps {
        f();
    }
    let ns = t.elapsed().as_nanos() as f64 / (reps * n) as f64;
    println!("{label:40} {ns:6.2} ns/row");
}

#[test]
#[ignore]
fn kernel_timings() {
    let n = 1_000_000;
    let c = ctx();
    let r = registry();
    let ints = Vector::ints(DataType::Int8, (0..n as i64).collect());
    let ints4 = Vector::ints(DataType::Int4, (0..n as i64).map(|x| x % 1000).collect());
    let floats = Vector::floats((0..n).map(|x| x as f64 * 0.5).collect());
    let k = Vector::constant(Value::Int(500), DataType::Int8, n);
    let call = |name: &str, args: &[Vector]| {
        let types: Vec<DataType> = args.iter().map(|a| a.ty.clone()).collect();
        let res = r.resolve_scalar(name, &types).unwrap();
        (res.func.kernel)(&c, args, &res.ret, n).unwrap()
    };
    time("int8 = const", n, || {
        call("=", &[ints.clone(), k.clone()]);
    });
    time("int8 < int8", n, || {
        call("<", &[ints.clone(), ints.clone()]);
    });
    time("int4 + int4", n, || {
        call("+", &[ints4.clone(), ints4.clone()]);
    });
    time("float8 * float8", n, || {
        call("*", &[floats.clone(), floats.clone()]);
    });
    time("float8 > const", n, || {
        call(
            ">",
            &[
                floats.clone(),
                Vector::constant(Value::Float(3.0), DataType::Float8, n),
            ],
        );
    });
    let text = Vector::strings(
        DataType::Text,
        &(0..n).map(|i| format!("s{}", i % 100)).collect::<Vec<_>>(),
    );
    let dict = {
        // 100 distinct values
        let d: Vec<Box<[u8]>> = (0..100).map(|i| Box::from(format!("s{i}").as_bytes())).collect();
        Vector::new(
            DataType::Text,
            crate::vector::VectorData::Text(crate::vector::DictVec {
                dict: std::sync::Arc::new(d),
                codes: (0..n as u32).map(|i| i % 100).collect(),
            }),
            None,
        )
    };
    let kt = Vector::constant(Value::str("s42"), DataType::Text, n);
    time("text(dict of 100) = const", n, || {
        call("=", &[dict.clone(), kt.clone()]);
    });
    time("text(unique) = const", n, || {
        call("=", &[text.clone(), kt.clone()]);
    });
    time("upper(text dict)", n, || {
        call("upper", std::slice::from_ref(&dict));
    });
    let ts = Vector::ints(
        DataType::Timestamptz,
        (0..n as i64).map(|x| x * 1_000_000).collect(),
    );
    let unit = Vector::constant(Value::str("hour"), DataType::Text, n);
    time("date_trunc('hour', tstz)", n, || {
        call("date_trunc", &[unit.clone(), ts.clone()]);
    });
    let agg = |name: &str, t: DataType, v: &Vector, groups: &[u32], ng: usize| {
        let res = r.resolve_aggregate(name, std::slice::from_ref(&t)).unwrap();
        let spec = AggregateSpec {
            arg_types: res.arg_types.clone(),
            direct_args: vec![],
            return_type: res.ret.clone(),
        };
        let mut acc = (res.func.create)(&spec).unwrap();
        acc.resize(ng);
        acc.update(groups, std::slice::from_ref(v)).unwrap();
        acc.value(0).unwrap()
    };
    let g1 = vec![0u32; n];
    let g100: Vec<u32> = (0..n as u32).map(|i| i % 100).collect();
    time("sum(float8) 1 group", n, || {
        agg("sum", DataType::Float8, &floats, &g1, 1);
    });
    time("avg(float8) 100 groups", n, || {
        agg("avg", DataType::Float8, &floats, &g100, 100);
    });
    time("sum(int8) 100 groups", n, || {
        agg("sum", DataType::Int8, &ints, &g100, 100);
    });
    time("stddev(int4) 100 groups", n, || {
        agg("stddev", DataType::Int4, &ints4, &g100, 100);
    });
    time("max(float8) 100 groups", n, || {
        agg("max", DataType::Float8, &floats, &g100, 100);
    });
    time("count(x) 100 groups", n, || {
        agg("count", DataType::Float8, &floats, &g100, 100);
    });
    time("min(text dict) 100 groups", n, || {
        agg("min", DataType::Text, &dict, &g100, 100);
    });
}
