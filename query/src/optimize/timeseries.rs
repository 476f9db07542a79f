//! Time-series rules: ORDER BY … LIMIT → top-N, and the last point per series
//! (`DISTINCT ON (tags) … ORDER BY tags, ts DESC`) answered from the last-value cache.
use crate::plan::{Expr, Plan, SortKey};
use plantdb_storage::ColumnRole;

/// Applies the rules bottom-up.
pub fn apply(p: Plan, fuse_aggregates: bool) -> Plan {
    let p = if fuse_aggregates {
        super::pushdown::map_children(p, apply_fused)
    } else {
        super::pushdown::map_children(p, apply_plain)
    };
    match p {
        Plan::Limit {
            input,
            limit: Some(l),
            offset,
        } => match *input {
            Plan::Sort { input: inner, keys } => {
                let n = (l + offset) as usize;
                let topn = Plan::TopN {
                    input: Box::new(topk_buckets(*inner, &keys, n)),
                    keys,
                    n,
                };
                Plan::Limit {
                    input: Box::new(topn),
                    limit: Some(l),
                    offset,
                }
            }
            other => Plan::Limit {
                input: Box::new(other),
                limit: Some(l),
                offset,
            },
        },
        Plan::DistinctOn { input, keys } => last_point(*input, keys),
        Plan::Lateral {
            left,
            right,
            outer,
            fields,
        } => super::decorrelate::lateral_to_asof(*left, *right, outer, fields),
        Plan::Aggregate {
            input,
            group,
            aggs,
            fields,
        } if fuse_aggregates => fuse(*input, group, aggs, fields),
        other => other,
    }
}

/// DISTINCT ON (tag columns) over Sort(tags ASC, time DESC) over [Project over] an
/// unrestricted Scan → the last-value cache.
fn last_point(input: Plan, keys: Vec<Expr>) -> Plan {
    let rebuild = |input: Plan, keys: Vec<Expr>| Plan::DistinctOn {
        input: Box::new(input),
        keys,
    };
    let Plan::Sort {
        input: sorted,
        keys: sort,
    } = input
    else {
        return rebuild(input, keys);
    };
    let (proj, scan) = match &*sorted {
        Plan::Project { input, exprs, .. } => match &**input {
            Plan::Scan(s) => (Some(exprs.clone()), s.clone()),
            _ => {
                return rebuild(
                    Plan::Sort {
                        input: sorted,
                        keys: sort,
                    },
                    keys,
                );
            }
        },
        Plan::Scan(s) => (None, s.clone()),
        _ => {
            return rebuild(
                Plan::Sort {
                    input: sorted,
                    keys: sort,
                },
                keys,
            );
        }
    };
    let ok_scan = scan.filter.is_empty()
        && scan.tags.is_empty()
        && scan.time == (i64::MIN, i64::MAX)
        && !scan.table.tags.is_empty();
    let schema_col = |e: &Expr| -> Option<usize> {
        let Expr::Column(i, _) = e else { return None };
        let inner = match &proj {
            Some(exprs) => match exprs.get(*i)? {
                Expr::Column(j, _) => *j,
                _ => return None,
            },
            None => *i,
        };
        scan.columns.get(inner).copied()
    };
    let role = |c: usize| scan.table.columns[c].role;
    let key_cols: Option<Vec<usize>> = keys.iter().map(schema_col).collect();
    let sort_ok = |k: &[SortKey], tags: &[usize]| -> bool {
        k.len() == tags.len() + 1
            && k[..tags.len()]
                .iter()
                .zip(tags)
                .all(|(s, t)| !s.desc && schema_col(&s.expr) == Some(*t))
            && k.last()
                .is_some_and(|s| s.desc && schema_col(&s.expr).is_some_and(|c| role(c) == ColumnRole::Time))
    };
    let usable = ok_scan
        && scan.filter.is_empty()
        && key_cols.as_ref().is_some_and(|kc| {
            let mut a = kc.clone();
            let mut b = scan.table.tags.clone();
            a.sort_unstable();
            b.sort_unstable();
            a == b && sort_ok(&sort, kc)
        })
        && proj
            .as_ref()
            .is_none_or(|e| e.iter().all(|x| matches!(x, Expr::Column(..))));
    if !usable {
        return rebuild(
            Plan::Sort {
                input: sorted,
                keys: sort,
            },
            keys,
        );
    }
    let lp = Plan::LastPoint {
        table: scan.table.clone(),
        columns: scan.columns.clone(),
        fields: scan.fields.clone(),
    };
    let top = match proj {
        Some(exprs) => {
            let fields = sorted.fields();
            Plan::Project {
                input: Box::new(lp),
                exprs,
                fields,
            }
        }
        None => lp,
    };
    // The cache holds one row per series: sort it by the DISTINCT ON keys.
    Plan::Sort {
        input: Box::new(top),
        keys: sort[..sort.len() - 1].to_vec(),
    }
}

/// Aggregate directly over a scan → the fused scan-aggregate (statistics, parallel pieces).
fn fuse(
    input: Plan,
    group: Vec<Expr>,
    aggs: Vec<crate::plan::AggCall>,
    fields: Vec<crate::plan::Field>,
) -> Plan {
    let plain = |e: &Expr| !e.any(&|x| matches!(x, Expr::Subquery(_) | Expr::Outer { .. }));
    let fusable = matches!(input, Plan::Scan(_))
        && group.iter().all(plain)
        && aggs.iter().all(|a| {
            !a.distinct
                && a.order_by.is_empty()
                && a.args.iter().all(plain)
                && a.filter.as_ref().is_none_or(plain)
        });
    match input {
        Plan::Scan(scan) if fusable => Plan::ScanAggregate {
            scan,
            group,
            aggs,
            fields,
            topk: None,
        },
        input => Plan::Aggregate {
            input: Box::new(input),
            group,
            aggs,
            fields,
        },
    }
}

fn apply_fused(p: Plan) -> Plan {
    apply(p, true)
}

fn apply_plain(p: Plan) -> Plan {
    apply(p, false)
}

/// ORDER BY <time bucket> [DESC] LIMIT n over a fused aggregate grouped by that bucket alone:
/// only the n extreme buckets are needed.
fn topk_buckets(p: Plan, keys: &[SortKey], n: usize) -> Plan {
    match p {
        // A projection that passes the bucket (aggregate output column 0) through.
        Plan::Project { input, exprs, fields } if keys.len() == 1 => {
            let bucket = match &keys[0].expr {
                Expr::Column(i, _) => exprs.get(*i).filter(|e| matches!(e, Expr::Column(0, _))).cloned(),
                _ => None,
            };
            let Some(bucket) = bucket else {
                return Plan::Project { input, exprs, fields };
            };
            let inner_keys = [SortKey {
                expr: bucket,
                ..keys[0].clone()
            }];
            let inner = topk_buckets(*input, &inner_keys, n);
            Plan::Project {
                input: Box::new(inner),
                exprs,
                fields,
            }
        }
        Plan::ScanAggregate {
            scan,
            group,
            aggs,
            fields,
            topk: None,
        } if group.len() == 1
            && keys.len() == 1
            && matches!(keys[0].expr, Expr::Column(0, _))
            && crate::exec::is_time_bucket(&group[0], &scan) =>
        {
            Plan::ScanAggregate {
                scan,
                group,
                aggs,
                fields,
                topk: Some((n, keys[0].desc)),
            }
        }
        other => other,
    }
}
