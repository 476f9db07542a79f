//! Filter pushdown: WHERE conjuncts move below projections, into the sides of joins and into
//! scans, where they can restrict what is read.
use crate::plan::{Expr, JoinKind, Plan};

/// Applies `f` to every expression of the plan (not inside subqueries), bottom-up by node.
pub fn map_exprs(p: Plan, f: &mut dyn FnMut(Expr) -> Expr) -> Plan {
    let g = |v: Vec<Expr>, f: &mut dyn FnMut(Expr) -> Expr| v.into_iter().map(&mut *f).collect::<Vec<_>>();
    match p {
        Plan::Scan(mut s) => {
            s.filter = g(std::mem::take(&mut s.filter), f);
            Plan::Scan(s)
        }
        Plan::Values { rows, fields } => Plan::Values {
            rows: rows.into_iter().map(|r| g(r, f)).collect(),
            fields,
        },
        Plan::Filter { input, predicate } => Plan::Filter {
            input: Box::new(map_exprs(*input, f)),
            predicate: f(predicate),
        },
        Plan::Project { input, exprs, fields } => Plan::Project {
            input: Box::new(map_exprs(*input, f)),
            exprs: g(exprs, f),
            fields,
        },
        Plan::Aggregate {
            input,
            group,
            aggs,
            fields,
        } => {
            let input = Box::new(map_exprs(*input, f));
            let group = g(group, f);
            let aggs = aggs
                .into_iter()
                .map(|mut a| {
                    a.args = a.args.into_iter().map(&mut *f).collect();
                    a.filter = a.filter.map(&mut *f);
                    a
                })
                .collect();
            Plan::Aggregate {
                input,
                group,
                aggs,
                fields,
            }
        }
        Plan::Window { input, calls, fields } => {
            let input = Box::new(map_exprs(*input, f));
            let calls = calls
                .into_iter()
                .map(|mut c| {
                    c.args = c.args.into_iter().map(&mut *f).collect();
                    c.partition = c.partition.into_iter().map(&mut *f).collect();
                    for k in c.order.iter_mut() {
                        k.expr = f(std::mem::replace(
                            &mut k.expr,
                            Expr::null(crate::types::DataType::Unknown),
                        ));
                    }
                    c
                })
                .collect();
            Plan::Window { input, calls, fields }
        }
        Plan::Sort { input, mut keys } => {
            for k in keys.iter_mut() {
                k.expr = f(std::mem::replace(
                    &mut k.expr,
                    Expr::null(crate::types::DataType::Unknown),
                ));
            }
            Plan::Sort {
                input: Box::new(map_exprs(*input, f)),
                keys,
            }
        }
        Plan::TopN { input, keys, n } => Plan::TopN {
            input: Box::new(map_exprs(*input, f)),
            keys,
            n,
        },
        Plan::Limit { input, limit, offset } => Plan::Limit {
            input: Box::new(map_exprs(*input, f)),
            limit,
            offset,
        },
        Plan::Distinct { input } => Plan::Distinct {
            input: Box::new(map_exprs(*input, f)),
        },
        Plan::GapFill { input, spec, fields } => Plan::GapFill {
            input: Box::new(map_exprs(*input, f)),
            spec,
            fields,
        },
        Plan::DistinctOn { input, keys } => Plan::DistinctOn {
            input: Box::new(map_exprs(*input, f)),
            keys: g(keys, f),
        },
        Plan::Join {
            left,
            right,
            kind,
            on,
            fields,
        } => Plan::Join {
            left: Box::new(map_exprs(*left, f)),
            right: Box::new(map_exprs(*right, f)),
            kind,
            on: on.map(&mut *f),
            fields,
        },
        Plan::AsofJoin {
            left,
            right,
            left_keys,
            right_keys,
            left_time,
            right_time,
            strict,
            outer,
            fields,
        } => Plan::AsofJoin {
            left: Box::new(map_exprs(*left, f)),
            right: Box::new(map_exprs(*right, f)),
            left_keys,
            right_keys,
            left_time,
            right_time,
            strict,
            outer,
            fields,
        },
        Plan::Lateral {
            left,
            right,
            outer,
            fields,
        } => Plan::Lateral {
            left: Box::new(map_exprs(*left, f)),
            right: Box::new(map_exprs(*right, f)),
            outer,
            fields,
        },
        Plan::SetOp {
            kind,
            all,
            left,
            right,
            fields,
        } => Plan::SetOp {
            kind,
            all,
            left: Box::new(map_exprs(*left, f)),
            right: Box::new(map_exprs(*right, f)),
            fields,
        },
        Plan::TableFunction { func, args, fields } => Plan::TableFunction {
            func,
            args: g(args, f),
            fields,
        },
        Plan::RecursiveCte {
            anchor,
            recursive,
            all,
            id,
            fields,
        } => Plan::RecursiveCte {
            anchor: Box::new(map_exprs(*anchor, f)),
            recursive: Box::new(map_exprs(*recursive, f)),
            all,
            id,
            fields,
        },
        other => other,
    }
}

/// Shifts column references by `delta` (negative for the right side of a join).
pub fn shift(e: Expr, delta: isize) -> Expr {
    e.transform(&mut |x| match x {
        Expr::Column(i, t) => Expr::Column((i as isize + delta).max(0) as usize, t),
        x => x,
    })
}

fn cols(e: &Expr) -> Vec<usize> {
    let mut v = Vec::new();
    e.columns(&mut v);
    v
}

fn pushable(e: &Expr) -> bool {
    !e.any(&|x| matches!(x, Expr::Subquery(_) | Expr::AggRef(..) | Expr::WindowRef(..)))
        && !e.any(&|x| matches!(x, Expr::Call { func, .. } if func.volatility == crate::functions::Volatility::Volatile))
}

fn filter(input: Plan, conj: Vec<Expr>) -> Plan {
    match Expr::and_all(conj) {
        Some(p) => Plan::Filter {
            input: Box::new(input),
            predicate: p,
        },
        None => input,
    }
}

/// Pushes conjuncts as far down as they can go.
pub fn push_filters(p: Plan) -> Plan {
    match p {
        Plan::Filter { input, predicate } => {
            let input = push_filters(*input);
            push_into(input, predicate.conjuncts())
        }
        Plan::Join {
            left,
            right,
            kind,
            on,
            fields,
        } => {
            let nleft = left.fields().len();
            let mut left = push_filters(*left);
            let mut right = push_filters(*right);
            let mut keep = Vec::new();
            if let Some(on) = on {
                for c in on.conjuncts() {
                    let cs = cols(&c);
                    let only_left = !cs.is_empty() && cs.iter().all(|&i| i < nleft);
                    let only_right = !cs.is_empty() && cs.iter().all(|&i| i >= nleft);
                    if pushable(&c) && only_left && kind == JoinKind::Inner {
                        left = push_into(left, vec![c]);
                    } else if pushable(&c)
                        && only_right
                        && matches!(
                            kind,
                            JoinKind::Inner | JoinKind::Left | JoinKind::Semi | JoinKind::Anti
                        )
                    {
                        right = push_into(right, vec![shift(c, -(nleft as isize))]);
                    } else {
                        keep.push(c);
                    }
                }
            }
            Plan::Join {
                left: Box::new(left),
                right: Box::new(right),
                kind,
                on: Expr::and_all(keep),
                fields,
            }
        }
        other => map_children(other, push_filters),
    }
}

/// Applies `f` to the direct inputs of a node.
pub fn map_children(p: Plan, f: fn(Plan) -> Plan) -> Plan {
    match p {
        Plan::Filter { input, predicate } => Plan::Filter {
            input: Box::new(f(*input)),
            predicate,
        },
        Plan::Project { input, exprs, fields } => Plan::Project {
            input: Box::new(f(*input)),
            exprs,
            fields,
        },
        Plan::Aggregate {
            input,
            group,
            aggs,
            fields,
        } => Plan::Aggregate {
            input: Box::new(f(*input)),
            group,
            aggs,
            fields,
        },
        Plan::Window { input, calls, fields } => Plan::Window {
            input: Box::new(f(*input)),
            calls,
            fields,
        },
        Plan::Sort { input, keys } => Plan::Sort {
            input: Box::new(f(*input)),
            keys,
        },
        Plan::TopN { input, keys, n } => Plan::TopN {
            input: Box::new(f(*input)),
            keys,
            n,
        },
        Plan::Limit { input, limit, offset } => Plan::Limit {
            input: Box::new(f(*input)),
            limit,
            offset,
        },
        Plan::Distinct { input } => Plan::Distinct {
            input: Box::new(f(*input)),
        },
        Plan::GapFill { input, spec, fields } => Plan::GapFill {
            input: Box::new(f(*input)),
            spec,
            fields,
        },
        Plan::DistinctOn { input, keys } => Plan::DistinctOn {
            input: Box::new(f(*input)),
            keys,
        },
        Plan::Join {
            left,
            right,
            kind,
            on,
            fields,
        } => Plan::Join {
            left: Box::new(f(*left)),
            right: Box::new(f(*right)),
            kind,
            on,
            fields,
        },
        Plan::AsofJoin {
            left,
            right,
            left_keys,
            right_keys,
            left_time,
            right_time,
            strict,
            outer,
            fields,
        } => Plan::AsofJoin {
            left: Box::new(f(*left)),
            right: Box::new(f(*right)),
            left_keys,
            right_keys,
            left_time,
            right_time,
            strict,
            outer,
            fields,
        },
        Plan::Lateral {
            left,
            right,
            outer,
            fields,
        } => Plan::Lateral {
            left: Box::new(f(*left)),
            right: Box::new(f(*right)),
            outer,
            fields,
        },
        Plan::SetOp {
            kind,
            all,
            left,
            right,
            fields,
        } => Plan::SetOp {
            kind,
            all,
            left: Box::new(f(*left)),
            right: Box::new(f(*right)),
            fields,
        },
        Plan::RecursiveCte {
            anchor,
            recursive,
            all,
            id,
            fields,
        } => Plan::RecursiveCte {
            anchor: Box::new(f(*anchor)),
            recursive: Box::new(f(*recursive)),
            all,
            id,
            fields,
        },
        other => other,
    }
}

/// Places conjuncts over `input`, pushing each as deep as allowed.
fn push_into(input: Plan, conj: Vec<Expr>) -> Plan {
    if conj.is_empty() {
        return input;
    }
    match input {
        Plan::Scan(mut s) => {
            s.filter.extend(conj);
            Plan::Scan(s)
        }
        Plan::Filter { input, predicate } => {
            let mut all = predicate.conjuncts();
            all.extend(conj);
            push_into(*input, all)
        }
        Plan::Project { input, exprs, fields } => {
            let (down, up): (Vec<Expr>, Vec<Expr>) = conj.into_iter().partition(|c| {
                pushable(c)
                    && cols(c).iter().all(|&i| {
                        exprs
                            .get(i)
                            .is_some_and(|e| pushable(e) && !e.any(&|x| matches!(x, Expr::Outer { .. })))
                    })
            });
            let down: Vec<Expr> = down
                .into_iter()
                .map(|c| {
                    c.transform(&mut |x| match x {
                        Expr::Column(i, t) => exprs.get(i).cloned().unwrap_or(Expr::Column(i, t)),
                        x => x,
                    })
                })
                .collect();
            let input = push_into(*input, down);
            filter(
                Plan::Project {
                    input: Box::new(input),
                    exprs,
                    fields,
                },
                up,
            )
        }
        Plan::Sort { input, keys } => Plan::Sort {
            input: Box::new(push_into(*input, conj)),
            keys,
        },
        Plan::Join {
            left,
            right,
            kind,
            on,
            fields,
        } => {
            let nleft = left.fields().len();
            let (mut l, mut r, mut keep, mut into_on) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for c in conj {
                let cs = cols(&c);
                let only_left = cs.iter().all(|&i| i < nleft);
                let only_right = !cs.is_empty() && cs.iter().all(|&i| i >= nleft);
                if !pushable(&c) {
                    keep.push(c);
                } else if only_left
                    && matches!(
                        kind,
                        JoinKind::Inner | JoinKind::Left | JoinKind::Semi | JoinKind::Anti
                    )
                {
                    l.push(c);
                } else if only_right && matches!(kind, JoinKind::Inner | JoinKind::Right) {
                    r.push(shift(c, -(nleft as isize)));
                } else if kind == JoinKind::Inner {
                    into_on.push(c);
                } else {
                    keep.push(c);
                }
            }
            let on = match (on, Expr::and_all(into_on)) {
                (Some(a), Some(b)) => Some(Expr::And(
                    a.conjuncts().into_iter().chain(b.conjuncts()).collect(),
                )),
                (a, b) => a.or(b),
            };
            let join = Plan::Join {
                left: Box::new(push_into(*left, l)),
                right: Box::new(push_into(*right, r)),
                kind,
                on,
                fields,
            };
            filter(join, keep)
        }
        Plan::AsofJoin {
            left,
            right,
            left_keys,
            right_keys,
            left_time,
            right_time,
            strict,
            outer,
            fields,
        } => {
            let nleft = left.fields().len();
            let (l, keep): (Vec<Expr>, Vec<Expr>) = conj
                .into_iter()
                .partition(|c| pushable(c) && cols(c).iter().all(|&i| i < nleft));
            let join = Plan::AsofJoin {
                left: Box::new(push_into(*left, l)),
                right,
                left_keys,
                right_keys,
                left_time,
                right_time,
                strict,
                outer,
                fields,
            };
            filter(join, keep)
        }
        Plan::Lateral {
            left,
            right,
            outer,
            fields,
        } => {
            let nleft = left.fields().len();
            let (l, keep): (Vec<Expr>, Vec<Expr>) = conj
                .into_iter()
                .partition(|c| pushable(c) && cols(c).iter().all(|&i| i < nleft));
            filter(
                Plan::Lateral {
                    left: Box::new(push_into(*left, l)),
                    right,
                    outer,
                    fields,
                },
                keep,
            )
        }
        other => filter(other, conj),
    }
}
