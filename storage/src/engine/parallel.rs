//! Runs independent pieces of work (encoding the series of a part) on every core.
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads used for part writing: the cores there are, at most four.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// `f(0) .. f(n - 1)`, computed on up to [`threads`] threads (items taken in order from a
/// shared counter, so a slow item does not hold up the rest), returned in index order.
pub(crate) fn parallel_map<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let threads = threads().min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(n));
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            mine.push((i, f(i)));
        }
        if let Ok(mut d) = done.lock() {
            d.extend(mine);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    let mut out = done.into_inner().unwrap_or_default();
    out.sort_unstable_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::parallel_map;

    #[test]
    fn results_come_back_in_index_order() {
        let got = parallel_map(1000, |i| i * 2);
        assert_eq!(got, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert!(parallel_map(0, |i| i).is_empty());
    }
}
