//! Arithmetic operators on numbers: `+ - * / %` and unary `- +` for int2/int4/int8 (overflow and
//! division checks, truncating division), float4/float8 (float4 results rounded to single
//! precision, PostgreSQL's overflow/underflow checks) and numeric (exact, PostgreSQL's scale
//! rules); `^`, `@`, `|/`, `||/` and the integer bit operators `& | # ~ << >>`.
use crate::context::EvalContext;
use crate::error::Result;
use crate::functions::builtin::kernels::{
    Phys, Src, and_validity, check_int, const_null, dec_err, dec_of, div_zero, float_overflow,
    float_underflow, int_range_err, map_values, map1, map2, reg_vec, t,
};
use crate::functions::builtin::math::{dpow, numeric_power};
use crate::functions::{Registry, Signature};
use crate::types::{DataType, Value};
use crate::vector::Vector;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Op {
    fn sym(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Mod => "%",
        }
    }
}

/// Wider of two integer types.
fn wider(a: &DataType, b: &DataType) -> DataType {
    let rank = |t: &DataType| match t {
        DataType::Int2 => 0,
        DataType::Int4 => 1,
        _ => 2,
    };
    if rank(a) >= rank(b) { a.clone() } else { b.clone() }
}

/// Element-wise over two columns without per-row error handling; `None` when some valid row
/// needs checking (the caller then runs the checked loop, which reports the first error in row
/// order).
fn fast2<T: Phys, O: Phys>(
    a: &Vector,
    b: &Vector,
    ret: &DataType,
    f: impl Fn(T, T) -> O,
    bad: impl Fn(T, T, O) -> bool,
) -> Option<Vector> {
    if const_null(a) || const_null(b) {
        return Some(Vector::nulls(ret.clone(), a.len().max(b.len())));
    }
    let (sa, sb) = (T::src(a), T::src(b));
    let (x, y) = match (&sa, &sb) {
        (Src::Col(x), Src::Col(y)) => (x, y),
        _ => return None,
    };
    let out: Vec<O> = x.iter().zip(y.iter()).map(|(p, q)| f(*p, *q)).collect();
    let valid = and_validity(&[a, b]);
    let any_bad = match &valid {
        None => x
            .iter()
            .zip(y.iter())
            .zip(&out)
            .any(|((p, q), r)| bad(*p, *q, *r)),
        Some(v) => x
            .iter()
            .zip(y.iter())
            .zip(&out)
            .zip(v)
            .any(|(((p, q), r), ok)| *ok && bad(*p, *q, *r)),
    };
    if any_bad {
        return None;
    }
    Some(O::vector(ret.clone(), out, valid))
}

fn int_range(ty: &DataType) -> (i64, i64) {
    match ty {
        DataType::Int2 => (i64::from(i16::MIN), i64::from(i16::MAX)),
        DataType::Int4 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    }
}

fn int_kernel(op: Op) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> {
    move |_ctx, args, ret, _len| {
        let (a, b) = (&args[0], &args[1]);
        let (lo, hi) = int_range(ret);
        let fast = match op {
            Op::Add => fast2::<i64, i64>(
                a,
                b,
                ret,
                |x, y| x.wrapping_add(y),
                |x, y, r| (r < lo || r > hi) || ((x >= 0) == (y >= 0) && (r >= 0) != (x >= 0)),
            ),
            Op::Sub => fast2::<i64, i64>(
                a,
                b,
                ret,
                |x, y| x.wrapping_sub(y),
                |x, y, r| (r < lo || r > hi) || ((x >= 0) != (y >= 0) && (r >= 0) != (x >= 0)),
            ),
            _ => None,
        };
        if let Some(v) = fast {
            return Ok(v);
        }
        let rt = ret.clone();
        let r = &rt;
        match op {
            Op::Add => map2::<i64, i64, i64>(a, b, ret, |x, y| {
                check_int(x.checked_add(y).ok_or_else(|| int_range_err(r))?, r)
            }),
            Op::Sub => map2::<i64, i64, i64>(a, b, ret, |x, y| {
                check_int(x.checked_sub(y).ok_or_else(|| int_range_err(r))?, r)
            }),
            Op::Mul => map2::<i64, i64, i64>(a, b, ret, |x, y| {
                check_int(x.checked_mul(y).ok_or_else(|| int_range_err(r))?, r)
            }),
            Op::Div => map2::<i64, i64, i64>(a, b, ret, |x, y| {
                if y == 0 {
                    return Err(div_zero());
                }
                check_int(x.checked_div(y).ok_or_else(|| int_range_err(r))?, r)
            }),
            Op::Mod => map2::<i64, i64, i64>(a, b, ret, |x, y| {
                if y == 0 {
                    return Err(div_zero());
                }
                if y == -1 {
                    return Ok(0);
                }
                Ok(x % y)
            }),
        }
    }
}

/// float4 arithmetic: computed in double precision (exact for one operation) and rounded.
fn f4(x: f64) -> f64 {
    f64::from(x as f32)
}

/// One float operation with PostgreSQL's checks; `single` rounds to float4.
pub(crate) fn float_op(op: u8, x: f64, y: f64, single: bool) -> Result<f64> {
    let round = |v: f64| if single { f4(v) } else { v };
    match op {
        b'+' | b'-' => {
            let r = round(if op == b'+' { x + y } else { x - y });
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err(float_overflow());
            }
            Ok(r)
        }
        b'*' => {
            let r = round(x * y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err(float_overflow());
            }
            if r == 0.0 && x != 0.0 && y != 0.0 {
                return Err(float_underflow());
            }
            Ok(r)
        }
        _ => {
            if y == 0.0 && !x.is_nan() {
                return Err(div_zero());
            }
            let r = round(x / y);
            if r.is_infinite() && x.is_finite() {
                return Err(float_overflow());
            }
            if r == 0.0 && x != 0.0 && y.is_finite() {
                return Err(float_underflow());
            }
            Ok(r)
        }
    }
}

fn float_kernel(op: Op) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> {
    move |_ctx, args, ret, _len| {
        let single = *ret == DataType::Float4;
        let c = op.sym().as_bytes()[0];
        if !single {
            let fast = match op {
                Op::Add => fast2::<f64, f64>(
                    &args[0],
                    &args[1],
                    ret,
                    |x, y| x + y,
                    |x, y, r| r.is_infinite() && x.is_finite() && y.is_finite(),
                ),
                Op::Sub => fast2::<f64, f64>(
                    &args[0],
                    &args[1],
                    ret,
                    |x, y| x - y,
                    |x, y, r| r.is_infinite() && x.is_finite() && y.is_finite(),
                ),
                Op::Mul => fast2::<f64, f64>(
                    &args[0],
                    &args[1],
                    ret,
                    |x, y| x * y,
                    |x, y, r| {
                        (r.is_infinite() && x.is_finite() && y.is_finite())
                            || (r == 0.0 && x != 0.0 && y != 0.0)
                    },
                ),
                Op::Div => fast2::<f64, f64>(
                    &args[0],
                    &args[1],
                    ret,
                    |x, y| x / y,
                    |x, y, r| {
                        (y == 0.0 && !x.is_nan())
                            || (r.is_infinite() && x.is_finite())
                            || (r == 0.0 && x != 0.0 && y.is_finite())
                    },
                ),
                Op::Mod => None,
            };
            if let Some(v) = fast {
                return Ok(v);
            }
        }
        if single {
            map2::<f64, f64, f64>(&args[0], &args[1], ret, |x, y| float_op(c, x, y, true))
        } else {
            match op {
                Op::Add => map2::<f64, f64, f64>(&args[0], &args[1], ret, |x, y| {
                    let r = x + y;
                    if r.is_infinite() && x.is_finite() && y.is_finite() {
                        return Err(float_overflow());
                    }
                    Ok(r)
                }),
                Op::Sub => map2::<f64, f64, f64>(&args[0], &args[1], ret, |x, y| {
                    let r = x - y;
                    if r.is_infinite() && x.is_finite() && y.is_finite() {
                        return Err(float_overflow());
                    }
                    Ok(r)
                }),
                _ => map2::<f64, f64, f64>(&args[0], &args[1], ret, |x, y| float_op(c, x, y, false)),
            }
        }
    }
}

fn numeric_kernel(op: Op) -> impl Fn(&EvalContext, &[Vector], &DataType, usize) -> Result<Vector> {
    move |_ctx, args, ret, len| {
        map_values(args, ret, len, |v| {
            let (x, y) = (dec_of(&v[0]), dec_of(&v[1]));
            let r = match op {
                Op::Add => x.checked_add(y),
                Op::Sub => x.checked_sub(y),
                Op::Mul => return Ok(Value::Numeric(crate::functions::builtin::kernels::dec_mul(x, y)?)),
                Op::Div => x.checked_div(y),
                Op::Mod => x.checked_rem(y),
            };
            Ok(Value::Numeric(r.map_err(dec_err)?))
        })
    }
}

/// Registers the arithmetic operators.
pub(crate) fn register(r: &mut Registry) {
    let ints = [t::I2, t::I4, t::I8];
    for op in [Op::Add, Op::Sub, Op::Mul, Op::Div] {
        for a in &ints {
            for b in &ints {
                let ret = wider(a, b);
                reg_vec(
                    r,
                    op.sym(),
                    Signature::exact(&[a.clone(), b.clone()], ret),
                    int_kernel(op),
                );
            }
        }
        for (a, b, ret) in [
            (t::F4, t::F4, t::F4),
            (t::F4, t::F8, t::F8),
            (t::F8, t::F4, t::F8),
            (t::F8, t::F8, t::F8),
        ] {
            reg_vec(r, op.sym(), Signature::exact(&[a, b], ret), float_kernel(op));
        }
        reg_vec(
            r,
            op.sym(),
            Signature::exact(&[t::NUM, t::NUM], t::NUM),
            numeric_kernel(op),
        );
    }
    for a in &ints {
        reg_vec(
            r,
            "%",
            Signature::exact(&[a.clone(), a.clone()], a.clone()),
            int_kernel(Op::Mod),
        );
    }
    reg_vec(
        r,
        "%",
        Signature::exact(&[t::NUM, t::NUM], t::NUM),
        numeric_kernel(Op::Mod),
    );

    // Prefix operators.
    for a in &ints {
        reg_vec(
            r,
            "-",
            Signature::exact(std::slice::from_ref(a), a.clone()),
            |_c, args, ret, _| {
                let rt = ret.clone();
                map1::<i64, i64>(&args[0], ret, move |x| {
                    check_int(x.checked_neg().ok_or_else(|| int_range_err(&rt))?, &rt)
                })
            },
        );
        reg_vec(
            r,
            "+",
            Signature::exact(std::slice::from_ref(a), a.clone()),
            |_c, args, _ret, _| Ok(args[0].clone()),
        );
        reg_vec(
            r,
            "@",
            Signature::exact(std::slice::from_ref(a), a.clone()),
            |_c, args, ret, _| {
                let rt = ret.clone();
                map1::<i64, i64>(&args[0], ret, move |x| {
                    check_int(x.checked_abs().ok_or_else(|| int_range_err(&rt))?, &rt)
                })
            },
        );
        reg_vec(
            r,
            "~",
            Signature::exact(std::slice::from_ref(a), a.clone()),
            |_c, args, ret, _| map1::<i64, i64>(&args[0], ret, |x| Ok(!x)),
        );
        for (sym, which) in [("&", 0u8), ("|", 1), ("#", 2)] {
            reg_vec(
                r,
                sym,
                Signature::exact(&[a.clone(), a.clone()], a.clone()),
                move |_c, args, ret, _| {
                    map2::<i64, i64, i64>(&args[0], &args[1], ret, |x, y| {
                        Ok(match which {
                            0 => x & y,
                            1 => x | y,
                            _ => x ^ y,
                        })
                    })
                },
            );
        }
        for (sym, left) in [("<<", true), (">>", false)] {
            reg_vec(
                r,
                sym,
                Signature::exact(&[a.clone(), t::I4], a.clone()),
                move |_c, args, ret, _| {
                    let bits: u32 = match ret {
                        DataType::Int2 => 16,
                        DataType::Int4 => 32,
                        _ => 64,
                    };
                    map2::<i64, i64, i64>(&args[0], &args[1], ret, move |x, y| {
                        // C semantics on x86: the shift count is taken modulo the (promoted) width.
                        let m = if bits == 64 { 64 } else { 32 };
                        let s = y.rem_euclid(m) as u32;
                        Ok(match (bits, left) {
                            (16, true) => i64::from((x as i32).wrapping_shl(s) as i16),
                            (16, false) => i64::from(((x as i32) >> s) as i16),
                            (32, true) => i64::from((x as i32).wrapping_shl(s)),
                            (32, false) => i64::from((x as i32) >> s),
                            (_, true) => x.wrapping_shl(s),
                            _ => x >> s,
                        })
                    })
                },
            );
        }
    }
    for f in [t::F4, t::F8] {
        reg_vec(
            r,
            "-",
            Signature::exact(std::slice::from_ref(&f), f.clone()),
            |_c, args, ret, _| map1::<f64, f64>(&args[0], ret, |x| Ok(-x)),
        );
        reg_vec(
            r,
            "+",
            Signature::exact(std::slice::from_ref(&f), f.clone()),
            |_c, args, _ret, _| Ok(args[0].clone()),
        );
        reg_vec(
            r,
            "@",
            Signature::exact(std::slice::from_ref(&f), f.clone()),
            |_c, args, ret, _| map1::<f64, f64>(&args[0], ret, |x| Ok(x.abs())),
        );
    }
    reg_vec(
        r,
        "-",
        Signature::exact(&[t::NUM], t::NUM),
        |_c, args, ret, len| map_values(args, ret, len, |v| Ok(Value::Numeric(dec_of(&v[0]).negate()))),
    );
    reg_vec(
        r,
        "+",
        Signature::exact(&[t::NUM], t::NUM),
        |_c, args, _ret, _| Ok(args[0].clone()),
    );
    reg_vec(
        r,
        "@",
        Signature::exact(&[t::NUM], t::NUM),
        |_c, args, ret, len| map_values(args, ret, len, |v| Ok(Value::Numeric(dec_of(&v[0]).abs()))),
    );
    reg_vec(
        r,
        "^",
        Signature::exact(&[t::F8, t::F8], t::F8),
        |_c, args, ret, _| map2::<f64, f64, f64>(&args[0], &args[1], ret, dpow),
    );
    reg_vec(
        r,
        "^",
        Signature::exact(&[t::NUM, t::NUM], t::NUM),
        |_c, args, ret, len| {
            map_values(args, ret, len, |v| {
                Ok(Value::Numeric(numeric_power(dec_of(&v[0]), dec_of(&v[1]))?))
            })
        },
    );
    reg_vec(r, "|/", Signature::exact(&[t::F8], t::F8), |_c, args, ret, _| {
        map1::<f64, f64>(&args[0], ret, crate::functions::builtin::math::dsqrt)
    });
    reg_vec(r, "||/", Signature::exact(&[t::F8], t::F8), |_c, args, ret, _| {
        map1::<f64, f64>(&args[0], ret, crate::functions::builtin::math::dcbrt)
    });
}
