//! `lttb(ts, value, n) OVER (PARTITION BY … ORDER BY ts)` → boolean: whether the row is one of
//! the `n` points that Largest-Triangle-Three-Buckets downsampling keeps (S. Steinarsson,
//! "Downsampling Time Series for Visual Representation", 2013; TimescaleDB `lttb`). Filter on it
//! in an outer query for a chart of `n` points. The first and last rows are kept; the rows
//! between are split into `n − 2` buckets of equal row count, and from each bucket the row
//! forming the largest triangle with the previously kept row and the mean of the next bucket is
//! kept. Rows with a NULL time or value are never kept and do not count; with at most `n`
//! rows every row is kept. The partition must be ordered by time. Errors 22023: `n` < 2 or not
//! constant.
use plantdb_query::functions::{Registry, Signature, WindowFunction};
use plantdb_query::types::{DataType, Value};
use plantdb_query::vector::Vector;

use crate::common::cols::{FloatCol, IntCol};
use crate::common::invalid;

/// Indexes (into `pts`) of the kept points.
pub fn lttb(pts: &[(f64, f64)], n: usize) -> Vec<usize> {
    let len = pts.len();
    if n >= len || n < 3 {
        return if n >= len {
            (0..len).collect()
        } else {
            vec![0, len - 1]
        };
    }
    let every = (len - 2) as f64 / (n - 2) as f64;
    let mut keep = vec![0usize];
    let mut a = 0usize;
    for i in 0..n - 2 {
        let start = (i as f64 * every) as usize + 1;
        let end = (((i + 1) as f64 * every) as usize + 1).min(len - 1);
        let (ns, ne) = (end, ((((i + 2) as f64 * every) as usize) + 1).min(len));
        let next = &pts[ns..ne.max(ns + 1).min(len)];
        let (mx, my) = next.iter().fold((0.0, 0.0), |(x, y), p| (x + p.0, y + p.1));
        let (mx, my) = (mx / next.len() as f64, my / next.len() as f64);
        let (ax, ay) = pts[a];
        let mut best = (f64::NEG_INFINITY, start);
        for (k, p) in pts.iter().enumerate().take(end).skip(start) {
            let area = ((ax - mx) * (p.1 - ay) - (ax - p.0) * (my - ay)).abs();
            if area > best.0 {
                best = (area, k);
            }
        }
        keep.push(best.1);
        a = best.1;
    }
    keep.push(len - 1);
    keep
}

/// Registers `lttb`.
pub fn register(r: &mut Registry) {
    for t in [DataType::Timestamp, DataType::Timestamptz] {
        let mut f = WindowFunction::new(
            "lttb",
            Signature::exact(&[t, DataType::Float8, DataType::Int8], DataType::Bool),
            |_, w| {
                let rows = w.peers.len();
                let ts = IntCol::new(&w.args[0]);
                let v = FloatCol::new(&w.args[1]);
                let n = IntCol::new(&w.args[2]);
                let mut want = None;
                for i in 0..rows {
                    let k = n.get(i);
                    if want.is_some() && want != k {
                        return Err(invalid("lttb: the number of points must be constant"));
                    }
                    want = k;
                }
                let want = match want {
                    Some(k) if k >= 2 => k as usize,
                    _ => return Err(invalid("lttb: the number of points must be at least 2")),
                };
                let mut idx = Vec::new();
                let mut pts = Vec::new();
                for i in 0..rows {
                    if let (Some(t), Some(x)) = (ts.get(i), v.get(i))
                        && x.is_finite()
                    {
                        idx.push(i);
                        pts.push((t as f64, x));
                    }
                }
                let mut out = vec![Value::Bool(false); rows];
                if !pts.is_empty() {
                    for k in lttb(&pts, want) {
                        if let Some(&row) = idx.get(k) {
                            out[row] = Value::Bool(true);
                        }
                    }
                }
                Ok(Vector::from_values(DataType::Bool, out))
            },
        );
        f.description = "whether LTTB downsampling to n points keeps this row".into();
        r.register_window(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_peak_of_each_bucket() {
        // 8 points, n = 4: buckets of 3 rows {1,2,3} and {4,5,6}; worked by hand: from (0,0)
        // towards the mean of bucket 2, the spike at x=2 makes the largest triangle; from it,
        // towards the last point, the dip at x=5.
        let ys = [0.0, 1.0, 10.0, 1.0, 1.0, -8.0, 1.0, 0.0];
        let pts: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect();
        assert_eq!(lttb(&pts, 4), vec![0, 2, 5, 7]);
        assert_eq!(lttb(&pts, 8), (0..8).collect::<Vec<_>>());
        assert_eq!(lttb(&pts, 2), vec![0, 7]);
    }
}
