//! Window functions: ranking (`row_number`, `rank`, `dense_rank`, `percent_rank`, `cume_dist`,
//! `ntile`), offsets over the partition (`lag`, `lead`) and values of the frame (`first_value`,
//! `last_value`, `nth_value`).
use crate::context::EvalContext;
use crate::error::Result;
use crate::functions::builtin::kernels::{int_of, qerr, t};
use crate::functions::{ArgType, Registry, ReturnType, Signature, WindowFunction, WindowInput};
use crate::types::{DataType, Value};
use crate::vector::Vector;

/// Index of the first row of each row's peer group.
fn group_starts(peers: &[u32]) -> Vec<usize> {
    let mut out = Vec::with_capacity(peers.len());
    let mut start = 0;
    for i in 0..peers.len() {
        if i > 0 && peers[i] != peers[i - 1] {
            start = i;
        }
        out.push(start);
    }
    out
}

/// Index one past the last row of each row's peer group.
fn group_ends(peers: &[u32]) -> Vec<usize> {
    let n = peers.len();
    let mut out = vec![n; n];
    let mut end = n;
    for i in (0..n).rev() {
        if i + 1 < n && peers[i] != peers[i + 1] {
            end = i + 1;
        }
        out[i] = end;
    }
    out
}

fn ints(ty: &DataType, v: Vec<i64>) -> Vector {
    Vector::ints(ty.clone(), v)
}

fn reg(
    r: &mut Registry,
    name: &str,
    sig: Signature,
    f: impl Fn(&EvalContext, &WindowInput<'_>) -> Result<Vector> + Send + Sync + 'static,
) {
    r.register_window(WindowFunction::new(name, sig, f));
}

fn lag_lead(w: &WindowInput<'_>, forward: bool) -> Result<Vector> {
    let n = w.peers.len();
    let vals = &w.args[0];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let off = match w.args.get(1) {
            Some(o) if o.is_null(i) => {
                out.push(Value::Null);
                continue;
            }
            Some(o) => int_of(&o.value(i)),
            None => 1,
        };
        let target = if forward { i as i64 + off } else { i as i64 - off };
        if (0..n as i64).contains(&target) {
            out.push(vals.value(target as usize));
        } else {
            out.push(w.args.get(2).map_or(Value::Null, |d| d.value(i)));
        }
    }
    Ok(Vector::from_values(w.return_type.clone(), out))
}

/// Registers the window functions.
pub(crate) fn register(r: &mut Registry) {
    reg(r, "row_number", Signature::exact(&[], t::I8), |_c, w| {
        Ok(ints(w.return_type, (1..=w.peers.len() as i64).collect()))
    });
    reg(r, "rank", Signature::exact(&[], t::I8), |_c, w| {
        Ok(ints(
            w.return_type,
            group_starts(w.peers).into_iter().map(|s| s as i64 + 1).collect(),
        ))
    });
    reg(r, "dense_rank", Signature::exact(&[], t::I8), |_c, w| {
        let mut out = Vec::with_capacity(w.peers.len());
        let mut rank = 0i64;
        for i in 0..w.peers.len() {
            if i == 0 || w.peers[i] != w.peers[i - 1] {
                rank += 1;
            }
            out.push(rank);
        }
        Ok(ints(w.return_type, out))
    });
    reg(r, "percent_rank", Signature::exact(&[], t::F8), |_c, w| {
        let n = w.peers.len();
        let out = group_starts(w.peers)
            .into_iter()
            .map(|s| if n <= 1 { 0.0 } else { s as f64 / (n - 1) as f64 })
            .collect();
        Ok(Vector::floats(out))
    });
    reg(r, "cume_dist", Signature::exact(&[], t::F8), |_c, w| {
        let n = w.peers.len();
        let out = group_ends(w.peers)
            .into_iter()
            .map(|e| e as f64 / n as f64)
            .collect();
        Ok(Vector::floats(out))
    });
    reg(r, "ntile", Signature::exact(&[t::I4], t::I4), |_c, w| {
        let n = w.peers.len();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let b = w.args[0].value(i);
            if b.is_null() {
                out.push(Value::Null);
                continue;
            }
            let buckets = int_of(&b);
            if buckets <= 0 {
                return Err(qerr("22014", "argument of ntile must be greater than zero"));
            }
            let buckets = buckets as usize;
            let per = n / buckets;
            let extra = n % buckets;
            // The first `extra` buckets have one more row.
            let big = extra * (per + 1);
            let bucket = if i < big {
                i / (per + 1)
            } else {
                extra + (i - big).checked_div(per).unwrap_or(i - big)
            };
            out.push(Value::Int(bucket as i64 + 1));
        }
        Ok(Vector::from_values(w.return_type.clone(), out))
    });
    for (name, forward) in [("lag", false), ("lead", true)] {
        reg(
            r,
            name,
            Signature::new(
                vec![ArgType::AnyElement, ArgType::Exact(t::I4), ArgType::AnyElement],
                ReturnType::Element,
            )
            .optional(2),
            move |_c, w| lag_lead(w, forward),
        );
    }
    reg(
        r,
        "first_value",
        Signature::new(vec![ArgType::AnyElement], ReturnType::Element),
        |_c, w| {
            let out = w
                .frames
                .iter()
                .map(|&(s, e)| if s < e { w.args[0].value(s) } else { Value::Null })
                .collect();
            Ok(Vector::from_values(w.return_type.clone(), out))
        },
    );
    reg(
        r,
        "last_value",
        Signature::new(vec![ArgType::AnyElement], ReturnType::Element),
        |_c, w| {
            let out = w
                .frames
                .iter()
                .map(|&(s, e)| {
                    if s < e {
                        w.args[0].value(e - 1)
                    } else {
                        Value::Null
                    }
                })
                .collect();
            Ok(Vector::from_values(w.return_type.clone(), out))
        },
    );
    reg(
        r,
        "nth_value",
        Signature::new(
            vec![ArgType::AnyElement, ArgType::Exact(t::I4)],
            ReturnType::Element,
        ),
        |_c, w| {
            let mut out = Vec::with_capacity(w.frames.len());
            for (i, &(s, e)) in w.frames.iter().enumerate() {
                let nv = w.args[1].value(i);
                if nv.is_null() {
                    out.push(Value::Null);
                    continue;
                }
                let k = int_of(&nv);
                if k <= 0 {
                    return Err(qerr("22016", "argument of nth_value must be greater than zero"));
                }
                let idx = s + (k as usize - 1);
                out.push(if idx < e {
                    w.args[0].value(idx)
                } else {
                    Value::Null
                });
            }
            Ok(Vector::from_values(w.return_type.clone(), out))
        },
    );
}
