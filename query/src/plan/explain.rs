//! EXPLAIN output: one line per operator, indented, with pushdown and pruning decisions.
use super::{Expr, JoinKind, Plan, SortKey};

fn expr(e: &Expr, names: &[String]) -> String {
    match e {
        Expr::Column(i, _) => names.get(*i).cloned().unwrap_or_else(|| format!("${i}")),
        Expr::Outer { depth, index, .. } => format!("outer{depth}.#{index}"),
        Expr::Literal(v, t) => {
            match crate::types::text::format_value(v, t, &crate::context::EvalContext::default()) {
                Some(s)
                    if t.is_string()
                        || matches!(
                            t,
                            crate::types::DataType::Timestamp
                                | crate::types::DataType::Timestamptz
                                | crate::types::DataType::Date
                        ) =>
                {
                    format!("'{s}'")
                }
                Some(s) => s,
                None => "NULL".into(),
            }
        }
        Expr::Param(i, _) => format!("${}", i + 1),
        Expr::Call { func, args, .. } => {
            let a: Vec<String> = args.iter().map(|x| expr(x, names)).collect();
            if func.name.chars().all(|c| !c.is_alphanumeric() && c != '_') && a.len() == 2 {
                format!("({} {} {})", a[0], func.name, a[1])
            } else {
                format!("{}({})", func.name, a.join(", "))
            }
        }
        Expr::Cast(x, t) => format!("{}::{}", expr(x, names), t.display_name()),
        Expr::And(v) => format!(
            "({})",
            v.iter().map(|x| expr(x, names)).collect::<Vec<_>>().join(" AND ")
        ),
        Expr::Or(v) => format!(
            "({})",
            v.iter().map(|x| expr(x, names)).collect::<Vec<_>>().join(" OR ")
        ),
        Expr::Not(x) => format!("NOT {}", expr(x, names)),
        Expr::IsNull(x, neg) => format!("{} IS {}NULL", expr(x, names), if *neg { "NOT " } else { "" }),
        Expr::InList {
            expr: x,
            list,
            negated,
            ..
        } => format!(
            "{} {}IN ({})",
            expr(x, names),
            if *negated { "NOT " } else { "" },
            list.iter().map(|y| expr(y, names)).collect::<Vec<_>>().join(", ")
        ),
        Expr::Case { .. } => "CASE ... END".into(),
        Expr::Subquery(_) => "(subquery)".into(),
        _ => "...".into(),
    }
}

fn keys(k: &[SortKey], names: &[String]) -> String {
    k.iter()
        .map(|s| format!("{}{}", expr(&s.expr, names), if s.desc { " DESC" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Plan {
    /// Lines of EXPLAIN output.
    pub fn explain(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.explain_into(0, &mut out);
        out
    }

    fn explain_into(&self, depth: usize, out: &mut Vec<String>) {
        let pad = "  ".repeat(depth);
        let names: Vec<String> = self
            .inputs()
            .first()
            .map(|i| i.fields().into_iter().map(|f| f.name).collect())
            .unwrap_or_default();
        let line = match self {
            Plan::Scan(s) => {
                let mut l = format!("Scan {}", s.table.name);
                let cols: Vec<&str> = s
                    .columns
                    .iter()
                    .filter_map(|&c| s.table.columns.get(c))
                    .map(|c| c.name.as_str())
                    .collect();
                l.push_str(&format!(" columns=[{}]", cols.join(", ")));
                if s.time != (i64::MIN, i64::MAX) {
                    let f = |t: i64| match t {
                        i64::MIN => "-inf".to_string(),
                        i64::MAX => "+inf".to_string(),
                        t => crate::types::format_timestamp(t),
                    };
                    l.push_str(&format!(" time=[{}, {}]", f(s.time.0), f(s.time.1)));
                }
                for (c, vals) in &s.tags {
                    let name = s.table.columns.get(*c).map_or("?", |c| c.name.as_str());
                    let v: Vec<String> = vals
                        .iter()
                        .map(|v| v.clone().unwrap_or_else(|| "NULL".into()))
                        .collect();
                    l.push_str(&format!(" series: {name} IN ({})", v.join(", ")));
                }
                for (c, lo, hi) in &s.ranges {
                    let name = s.table.columns.get(*c).map_or("?", |c| c.name.as_str());
                    l.push_str(&format!(" skip-blocks: {name} in [{lo}, {hi}]"));
                }
                if !s.filter.is_empty() {
                    let fnames: Vec<String> = s.fields.iter().map(|f| f.name.clone()).collect();
                    let f: Vec<String> = s.filter.iter().map(|e| expr(e, &fnames)).collect();
                    l.push_str(&format!(" filter: {}", f.join(" AND ")));
                }
                for n in &s.notes {
                    l.push_str(&format!(" [{n}]"));
                }
                l
            }
            Plan::SystemTable { name, .. } => format!("SystemTable {name}"),
            Plan::Values { rows, .. } => format!("Values rows={}", rows.len()),
            Plan::OneRow => "Result".into(),
            Plan::Empty { .. } => "Empty".into(),
            Plan::Filter { predicate, .. } => format!("Filter {}", expr(predicate, &names)),
            Plan::Project { exprs, .. } => {
                format!(
                    "Project {}",
                    exprs
                        .iter()
                        .map(|e| expr(e, &names))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            Plan::Aggregate { group, aggs, .. } => format!(
                "Aggregate group=[{}] aggs=[{}]",
                group
                    .iter()
                    .map(|e| expr(e, &names))
                    .collect::<Vec<_>>()
                    .join(", "),
                aggs.iter()
                    .map(|a| format!(
                        "{}({})",
                        a.func.name,
                        a.args
                            .iter()
                            .map(|e| expr(e, &names))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Plan::Window { calls, .. } => format!("Window calls={}", calls.len()),
            Plan::Sort { keys: k, .. } => format!("Sort {}", keys(k, &names)),
            Plan::TopN { keys: k, n, .. } => format!("TopN {n} by {}", keys(k, &names)),
            Plan::Limit { limit, offset, .. } => format!(
                "Limit {} offset {offset}",
                limit.map_or("ALL".into(), |l| l.to_string())
            ),
            Plan::Distinct { .. } => "Distinct".into(),
            Plan::GapFill { spec, .. } => format!(
                "GapFill bucket={} width={}µs buckets={} fills={}{}",
                names.get(spec.bucket).cloned().unwrap_or_default(),
                spec.width,
                (spec.finish - spec.start + spec.width - 1) / spec.width.max(1),
                spec.fills.len(),
                if spec.lookup.is_some() {
                    " [look-back/ahead seeding]"
                } else {
                    ""
                }
            ),
            Plan::DistinctOn { keys: k, .. } => {
                format!(
                    "DistinctOn {}",
                    k.iter().map(|e| expr(e, &names)).collect::<Vec<_>>().join(", ")
                )
            }
            Plan::Join { kind, on, .. } => {
                let mut all = self.inputs()[0].fields();
                all.extend(self.inputs()[1].fields());
                let jn: Vec<String> = all.into_iter().map(|f| f.name).collect();
                let k = match kind {
                    JoinKind::Inner => "Inner",
                    JoinKind::Left => "Left",
                    JoinKind::Right => "Right",
                    JoinKind::Full => "Full",
                    JoinKind::Semi => "Semi",
                    JoinKind::Anti => "Anti",
                };
                format!(
                    "{k} Join on {}",
                    on.as_ref().map_or("true".into(), |e| expr(e, &jn))
                )
            }
            Plan::AsofJoin { outer, strict, .. } => {
                format!(
                    "Asof{} Join (merge by key and time, {})",
                    if *outer { " Left" } else { "" },
                    if *strict { ">" } else { ">=" }
                )
            }
            Plan::Lateral { outer, .. } => {
                format!("Lateral{} (per left row)", if *outer { " Left" } else { "" })
            }
            Plan::SetOp { kind, all, .. } => format!("{kind:?}{}", if *all { " All" } else { "" }),
            Plan::TableFunction { func, .. } => format!("Function {}", func.name),
            Plan::RecursiveCte { .. } => "RecursiveUnion".into(),
            Plan::WorkTable { id, .. } => format!("WorkTable {id}"),
            Plan::LastPoint { table, .. } => format!("LastPoint {} [last-value cache, no scan]", table.name),
            Plan::ScanAggregate {
                scan,
                group,
                aggs,
                topk,
                ..
            } => {
                let names: Vec<String> = scan.fields.iter().map(|f| f.name.clone()).collect();
                let mut l = format!(
                    "ScanAggregate group=[{}] aggs=[{}] [block statistics for whole row groups; parallel]",
                    group
                        .iter()
                        .map(|e| expr(e, &names))
                        .collect::<Vec<_>>()
                        .join(", "),
                    aggs.iter()
                        .map(|a| format!(
                            "{}({})",
                            a.func.name,
                            a.args
                                .iter()
                                .map(|e| expr(e, &names))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if let Some((k, desc)) = topk {
                    l.push_str(&format!(
                        " [only the {k} {} time buckets]",
                        if *desc { "latest" } else { "earliest" }
                    ));
                }
                let inner = Plan::Scan(scan.clone()).explain();
                if let Some(first) = inner.first() {
                    l.push_str(&format!("\n{pad}  {first}"));
                }
                l
            }
        };
        for l in line.split('\n') {
            if l.starts_with(' ') {
                out.push(l.to_string());
            } else {
                out.push(format!("{pad}{l}"));
            }
        }
        for i in self.inputs() {
            i.explain_into(depth + 1, out);
        }
    }
}
