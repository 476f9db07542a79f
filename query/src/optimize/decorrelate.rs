//! LATERAL "latest row at or before" → ASOF join.
//!
//! PostgreSQL users write the as-of lookup as
//! `CROSS JOIN LATERAL (SELECT … FROM t WHERE t.k = x.k AND t.ts <= x.ts ORDER BY t.ts DESC LIMIT 1)`,
//! which runs the subquery once per left row. When the right side is exactly
//! `[Project] Limit 1 / TopN 1 by c DESC / [Project] / Scan` and the scan's conjuncts that mention
//! the outer row are equalities `col = outer-expr` plus one bound `c <= outer-expr` (or `<`) on
//! the sort column, the result is the same as an ASOF join on those keys and times: the latest
//! right row per left row, ties broken arbitrarily as LIMIT 1 does. Conjuncts without outer
//! references stay on the scan. Anything else keeps the per-row plan.
use crate::plan::{Expr, Field, Plan, ScanPlan, SortKey};

/// Rewrites `Lateral { left, right, outer }` into an ASOF join when the shape allows.
pub fn lateral_to_asof(left: Plan, right: Plan, outer: bool, fields: Vec<Field>) -> Plan {
    let keep = |left: Plan, right: Plan| Plan::Lateral {
        left: Box::new(left),
        right: Box::new(right),
        outer,
        fields: fields.clone(),
    };
    match Shape::of(&right) {
        Some(shape) => match shape.rewrite(&left, outer, &fields) {
            Some(p) => p,
            None => keep(left, right),
        },
        None => keep(left, right),
    }
}

/// The matched right side: outer projection over the top-1 key over an inner projection over
/// the scan.
struct Shape<'a> {
    top: Option<&'a [Expr]>,
    key: &'a SortKey,
    inner: Option<&'a [Expr]>,
    scan: &'a ScanPlan,
}

impl<'a> Shape<'a> {
    fn of(p: &'a Plan) -> Option<Shape<'a>> {
        let (top, p) = match p {
            Plan::Project { input, exprs, .. } => (Some(&exprs[..]), &**input),
            p => (None, p),
        };
        let Plan::Limit {
            input,
            limit: Some(1),
            offset: 0,
        } = p
        else {
            return None;
        };
        let (keys, p) = match &**input {
            Plan::TopN { input, keys, n: 1 } | Plan::Sort { input, keys } => (keys, &**input),
            _ => return None,
        };
        let [key] = &keys[..] else { return None };
        let (inner, p) = match p {
            Plan::Project { input, exprs, .. } => (Some(&exprs[..]), &**input),
            p => (None, p),
        };
        let Plan::Scan(scan) = p else { return None };
        Some(Shape {
            top,
            key,
            inner,
            scan,
        })
    }

    fn rewrite(&self, left: &Plan, outer: bool, fields: &[Field]) -> Option<Plan> {
        if !self.key.desc {
            return None;
        }
        // The sort column, as a scan output column.
        let sort_col = match self.inner {
            Some(exprs) => match &self.key.expr {
                Expr::Column(i, _) => match exprs.get(*i)? {
                    Expr::Column(c, _) => *c,
                    _ => return None,
                },
                _ => return None,
            },
            None => match &self.key.expr {
                Expr::Column(c, _) => *c,
                _ => return None,
            },
        };
        let nleft = left.fields().len();
        let (mut lk, mut rk, mut time, mut rest) = (Vec::new(), Vec::new(), None, Vec::new());
        for c in &self.scan.filter {
            if !mentions_outer(c) {
                rest.push(c.clone());
                continue;
            }
            let Expr::Call { func, args, .. } = c else {
                return None;
            };
            let [a, b] = &args[..] else { return None };
            let (col, other, flipped) = match (a, b) {
                (Expr::Column(i, _), o) if only_outer(o) => (*i, o, false),
                (o, Expr::Column(i, _)) if only_outer(o) => (*i, o, true),
                _ => return None,
            };
            let other = to_left(other.clone())?;
            match (func.name.as_str(), flipped) {
                ("=", _) => {
                    lk.push(other);
                    rk.push(Expr::Column(col, self.scan.fields.get(col)?.ty.clone()));
                }
                // col <= outer, outer >= col: the latest row at or before.
                ("<=", false) | (">=", true) if col == sort_col && time.is_none() => {
                    time = Some((other, false))
                }
                ("<", false) | (">", true) if col == sort_col && time.is_none() => time = Some((other, true)),
                _ => return None,
            }
        }
        let (left_time, strict) = time?;
        let mut scan = self.scan.clone();
        scan.filter = rest;
        let right_time = Expr::Column(sort_col, scan.fields.get(sort_col)?.ty.clone());
        let right = Plan::Scan(Box::new(scan));
        let mut join_fields = left.fields();
        join_fields.extend(right.fields());
        let join = Plan::AsofJoin {
            left: Box::new(left.clone()),
            right: Box::new(right),
            left_keys: lk,
            right_keys: rk,
            left_time,
            right_time,
            strict,
            outer,
            fields: join_fields.clone(),
        };
        // The lateral's output: left columns, then the subquery's select list over the scan.
        let scan_cols = |e: Expr| -> Option<Expr> { shift(e, nleft) };
        let inner: Vec<Expr> = match self.inner {
            Some(exprs) => exprs.to_vec(),
            None => self
                .scan
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| Expr::Column(i, f.ty.clone()))
                .collect(),
        };
        let top: Vec<Expr> = match self.top {
            Some(exprs) => exprs
                .iter()
                .map(|e| substitute(e.clone(), &inner))
                .collect::<Option<_>>()?,
            None => inner,
        };
        let mut exprs: Vec<Expr> = join_fields[..nleft]
            .iter()
            .enumerate()
            .map(|(i, f)| Expr::Column(i, f.ty.clone()))
            .collect();
        for e in top {
            exprs.push(scan_cols(e)?);
        }
        if exprs.len() != fields.len() {
            return None;
        }
        Some(Plan::Project {
            input: Box::new(join),
            exprs,
            fields: fields.to_vec(),
        })
    }
}

fn mentions_outer(e: &Expr) -> bool {
    e.any(&|x| matches!(x, Expr::Outer { .. }))
}

/// An expression over the outer row only (depth 1), without subqueries.
fn only_outer(e: &Expr) -> bool {
    !e.any(&|x| {
        matches!(
            x,
            Expr::Column(..)
                | Expr::Subquery(_)
                | Expr::Outer { depth: 2.., .. }
                | Expr::AggRef(..)
                | Expr::WindowRef(..)
        )
    })
}

/// Outer (depth 1) references → left columns.
fn to_left(e: Expr) -> Option<Expr> {
    if e.any(&|x| matches!(x, Expr::Subquery(_) | Expr::Column(..))) {
        return None;
    }
    Some(e.transform(&mut |x| match x {
        Expr::Outer { depth: 1, index, ty } => Expr::Column(index, ty),
        x => x,
    }))
}

/// Scan columns → join columns (after the left ones); outer references → left columns.
fn shift(e: Expr, nleft: usize) -> Option<Expr> {
    if e.any(&|x| matches!(x, Expr::Subquery(_) | Expr::Outer { depth: 2.., .. })) {
        return None;
    }
    Some(e.transform(&mut |x| match x {
        Expr::Column(i, t) => Expr::Column(i + nleft, t),
        Expr::Outer { depth: 1, index, ty } => Expr::Column(index, ty),
        x => x,
    }))
}

/// Replaces column `i` of `e` with `inner[i]`.
fn substitute(e: Expr, inner: &[Expr]) -> Option<Expr> {
    let mut ok = true;
    let out = e.transform(&mut |x| match x {
        Expr::Column(i, t) => match inner.get(i) {
            Some(r) => r.clone(),
            None => {
                ok = false;
                Expr::Column(i, t)
            }
        },
        x => x,
    });
    ok.then_some(out)
}
