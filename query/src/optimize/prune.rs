//! Column pruning: every node asks its inputs only for the columns it uses, so scans decode only
//! those. Below an expression holding a correlated subquery nothing is pruned (its outer
//! references index the full row).
use crate::plan::{Expr, Field, Plan};

/// Prunes unused columns, keeping the plan's own output.
pub fn prune(p: Plan) -> Plan {
    let n = p.fields().len();
    prune_node(p, &vec![true; n]).0
}

fn mark(e: &Expr, req: &mut [bool]) {
    let mut v = Vec::new();
    e.columns(&mut v);
    for i in v {
        if let Some(r) = req.get_mut(i) {
            *r = true;
        }
    }
}

fn correlated(e: &Expr) -> bool {
    e.any(&|x| matches!(x, Expr::Subquery(s) if s.correlated))
}

fn remap(e: Expr, map: &[Option<usize>]) -> Expr {
    e.transform(&mut |x| match x {
        Expr::Column(i, t) => Expr::Column(map.get(i).copied().flatten().unwrap_or(i), t),
        x => x,
    })
}

fn identity(n: usize) -> Vec<Option<usize>> {
    (0..n).map(Some).collect()
}

/// Recurses into a child requiring all of its columns.
fn all(p: Plan) -> Plan {
    prune(p)
}

fn pick(fields: &[Field], map: &[Option<usize>]) -> Vec<Field> {
    let mut out: Vec<(usize, Field)> = fields
        .iter()
        .zip(map)
        .filter_map(|(f, m)| m.map(|m| (m, f.clone())))
        .collect();
    out.sort_by_key(|(m, _)| *m);
    out.into_iter().map(|(_, f)| f).collect()
}

/// Returns the pruned plan and where each old output column went.
fn prune_node(p: Plan, required: &[bool]) -> (Plan, Vec<Option<usize>>) {
    match p {
        Plan::Scan(mut s) => {
            let mut req = required.to_vec();
            req.resize(s.columns.len(), false);
            if s.filter.iter().any(correlated) {
                req.iter_mut().for_each(|r| *r = true);
            }
            for f in &s.filter {
                mark(f, &mut req);
            }
            let mut map = vec![None; s.columns.len()];
            let mut cols = Vec::new();
            for (i, &c) in s.columns.iter().enumerate() {
                if req[i] {
                    map[i] = Some(cols.len());
                    cols.push(c);
                }
            }
            s.fields = pick(&s.fields, &map);
            s.filter = s.filter.into_iter().map(|f| remap(f, &map)).collect();
            s.columns = cols;
            (Plan::Scan(s), map)
        }
        Plan::Project { input, exprs, fields } => {
            let n_in = input.fields().len();
            let mut req_in = vec![false; n_in];
            let keep: Vec<bool> = (0..exprs.len())
                .map(|i| required.get(i).copied().unwrap_or(true))
                .collect();
            if exprs.iter().any(correlated) {
                req_in.iter_mut().for_each(|r| *r = true);
            }
            for (e, k) in exprs.iter().zip(&keep) {
                if *k {
                    mark(e, &mut req_in);
                }
            }
            let (input, imap) = prune_node(*input, &req_in);
            let mut map = vec![None; exprs.len()];
            let mut new_exprs = Vec::new();
            for (i, e) in exprs.into_iter().enumerate() {
                if keep[i] {
                    map[i] = Some(new_exprs.len());
                    new_exprs.push(remap(e, &imap));
                }
            }
            let fields = pick(&fields, &map);
            (
                Plan::Project {
                    input: Box::new(input),
                    exprs: new_exprs,
                    fields,
                },
                map,
            )
        }
        Plan::Filter { input, predicate } => {
            let n_in = input.fields().len();
            let mut req = required.to_vec();
            req.resize(n_in, false);
            if correlated(&predicate) {
                req.iter_mut().for_each(|r| *r = true);
            }
            mark(&predicate, &mut req);
            let (input, map) = prune_node(*input, &req);
            (
                Plan::Filter {
                    input: Box::new(input),
                    predicate: remap(predicate, &map),
                },
                map,
            )
        }
        Plan::Sort { input, keys } => {
            let mut req = required.to_vec();
            for k in &keys {
                mark(&k.expr, &mut req);
            }
            let (input, map) = prune_node(*input, &req);
            let keys = keys
                .into_iter()
                .map(|mut k| {
                    k.expr = remap(k.expr, &map);
                    k
                })
                .collect();
            (
                Plan::Sort {
                    input: Box::new(input),
                    keys,
                },
                map,
            )
        }
        Plan::TopN { input, keys, n } => {
            let mut req = required.to_vec();
            for k in &keys {
                mark(&k.expr, &mut req);
            }
            let (input, map) = prune_node(*input, &req);
            let keys = keys
                .into_iter()
                .map(|mut k| {
                    k.expr = remap(k.expr, &map);
                    k
                })
                .collect();
            (
                Plan::TopN {
                    input: Box::new(input),
                    keys,
                    n,
                },
                map,
            )
        }
        Plan::Limit { input, limit, offset } => {
            let (input, map) = prune_node(*input, required);
            (
                Plan::Limit {
                    input: Box::new(input),
                    limit,
                    offset,
                },
                map,
            )
        }
        Plan::DistinctOn { input, keys } => {
            let mut req = required.to_vec();
            for k in &keys {
                mark(k, &mut req);
            }
            let (input, map) = prune_node(*input, &req);
            let keys = keys.into_iter().map(|k| remap(k, &map)).collect();
            (
                Plan::DistinctOn {
                    input: Box::new(input),
                    keys,
                },
                map,
            )
        }
        Plan::Aggregate {
            input,
            group,
            aggs,
            fields,
        } => {
            let n_in = input.fields().len();
            let mut req = vec![false; n_in];
            let exprs_corr =
                group.iter().any(correlated) || aggs.iter().any(|a| a.args.iter().any(correlated));
            if exprs_corr {
                req.iter_mut().for_each(|r| *r = true);
            }
            for g in &group {
                mark(g, &mut req);
            }
            for a in &aggs {
                a.args.iter().for_each(|e| mark(e, &mut req));
                if let Some(f) = &a.filter {
                    mark(f, &mut req);
                }
                a.order_by.iter().for_each(|k| mark(&k.expr, &mut req));
            }
            let (input, map) = prune_node(*input, &req);
            let group = group.into_iter().map(|g| remap(g, &map)).collect();
            let aggs = aggs
                .into_iter()
                .map(|mut a| {
                    a.args = a.args.into_iter().map(|e| remap(e, &map)).collect();
                    a.filter = a.filter.map(|f| remap(f, &map));
                    for k in a.order_by.iter_mut() {
                        k.expr = remap(
                            std::mem::replace(&mut k.expr, Expr::null(crate::types::DataType::Unknown)),
                            &map,
                        );
                    }
                    a
                })
                .collect();
            let n = fields.len();
            (
                Plan::Aggregate {
                    input: Box::new(input),
                    group,
                    aggs,
                    fields,
                },
                identity(n),
            )
        }
        Plan::Window { input, calls, fields } => {
            let n_in = input.fields().len();
            let mut req: Vec<bool> = (0..n_in)
                .map(|i| required.get(i).copied().unwrap_or(false))
                .collect();
            for c in &calls {
                c.args
                    .iter()
                    .chain(c.partition.iter())
                    .for_each(|e| mark(e, &mut req));
                c.order.iter().for_each(|k| mark(&k.expr, &mut req));
                if let Some(f) = &c.filter {
                    mark(f, &mut req);
                }
            }
            let (input, imap) = prune_node(*input, &req);
            let new_in = input.fields().len();
            let calls: Vec<_> = calls
                .into_iter()
                .map(|mut c| {
                    c.args = c.args.into_iter().map(|e| remap(e, &imap)).collect();
                    c.partition = c.partition.into_iter().map(|e| remap(e, &imap)).collect();
                    for k in c.order.iter_mut() {
                        k.expr = remap(
                            std::mem::replace(&mut k.expr, Expr::null(crate::types::DataType::Unknown)),
                            &imap,
                        );
                    }
                    c.filter = c.filter.map(|f| remap(f, &imap));
                    c
                })
                .collect();
            let mut map: Vec<Option<usize>> = imap.clone();
            map.extend((0..calls.len()).map(|k| Some(new_in + k)));
            let mut new_fields = input.fields();
            new_fields.extend(fields[n_in..].iter().cloned());
            (
                Plan::Window {
                    input: Box::new(input),
                    calls,
                    fields: new_fields,
                },
                map,
            )
        }
        Plan::Join {
            left,
            right,
            kind,
            on,
            fields,
        } => {
            let nl = left.fields().len();
            let nr = right.fields().len();
            let semi = matches!(kind, crate::plan::JoinKind::Semi | crate::plan::JoinKind::Anti);
            let mut rl: Vec<bool> = (0..nl)
                .map(|i| required.get(i).copied().unwrap_or(false))
                .collect();
            let mut rr: Vec<bool> = (0..nr)
                .map(|i| !semi && required.get(nl + i).copied().unwrap_or(false))
                .collect();
            if let Some(on) = &on {
                if correlated(on) {
                    rl.iter_mut().chain(rr.iter_mut()).for_each(|r| *r = true);
                }
                let mut both = vec![false; nl + nr];
                mark(on, &mut both);
                for i in 0..nl {
                    rl[i] |= both[i];
                }
                for i in 0..nr {
                    rr[i] |= both[nl + i];
                }
            }
            let (left, lmap) = prune_node(*left, &rl);
            let (right, rmap) = prune_node(*right, &rr);
            let new_nl = left.fields().len();
            let mut map: Vec<Option<usize>> = lmap.clone();
            map.extend(rmap.iter().map(|m| m.map(|x| x + new_nl)));
            let on = on.map(|e| remap(e, &map));
            let fields = if semi {
                pick(&fields[..nl], &lmap)
            } else {
                pick(&fields, &map)
            };
            let out_map = if semi { lmap } else { map };
            (
                Plan::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                    kind,
                    on,
                    fields,
                },
                out_map,
            )
        }
        other => {
            let n = other.fields().len();
            (super::pushdown::map_children(other, all), identity(n))
        }
    }
}
