//! Time-ordered runs: the mergeable partial state of order-dependent aggregates (time-weighted
//! averages, counters, state durations, OEE time elements, liveness, …).
//!
//! **Definitions.** A *run* is a non-empty sequence of points sorted by time, kept only as a
//! [`RunSummary`]: `start(p)` summarises one point, `push(p)` appends a later point, and
//! `append(next)` concatenates a run that starts at or after this one ends, accounting for the
//! interval between the two (as if the points of `next` had been pushed one by one). Summaries
//! must be associative: summarising any split of a sorted sequence and appending the parts gives
//! the summary of the whole. That is what lets partial states computed in parallel, over storage
//! pieces taken in any order, merge into the exact answer.
//!
//! **How rows become runs.** Within one `update` call, the rows of a group that arrive in time
//! order form one run (the engine passes one storage piece, or one batch of it, per call). A row
//! older than the previous row of its group in the same call goes to `pending`, a list of raw
//! points. Runs are never concatenated early: another call, or another worker's partial state,
//! may still bring rows that fall between two runs.
//!
//! **Finishing.** Pending points are sorted into one run that keeps its points. All runs are
//! sorted by start time and grouped into clusters of overlapping runs (a run that starts before
//! the previous ones end). A cluster of one run is used as is; a larger cluster is re-summarised
//! from the points of its runs, which is possible when each of them still has its points: a run
//! keeps them while it holds at most `S::KEEP` points (runs of shuffled input are short) and
//! pending-built runs keep them all. Overlapping runs that no longer have their points cannot
//! be combined exactly and give error 0A000; this happens only when long time-ordered runs of
//! one group interleave in time (e.g. late rows written into an already covered time range and
//! read back as a separate piece). Finally the runs are appended in time order.
//!
//! **Invariants.** `Run::first <= Run::last`; `Run::raw`, when present, holds every point of
//! the run in order; `Runs::open` is the epoch of the call that opened the last run (0: none).
//! Points with equal times are ordered by `S::tiebreak`, so the result does not depend on
//! arrival order except between equal-time points of different long runs.
use plantdb_query::error::Result;

/// Summary of a time-ordered run of points (see the module documentation).
pub trait RunSummary: Clone + Send + 'static {
    /// One input row.
    type Point: Copy + Send + 'static;
    /// Constant configuration (options) used while summarising.
    type Cfg: Send + Sync;
    /// Points a time-ordered run keeps for exact re-summarising when it overlaps another.
    const KEEP: usize = 16;
    /// Time of a point (µs).
    fn time(p: &Self::Point) -> i64;
    /// Order of points with equal times (any deterministic key).
    fn tiebreak(_p: &Self::Point) -> u64 {
        0
    }
    /// Summary of one point.
    fn start(p: &Self::Point, cfg: &Self::Cfg) -> Self;
    /// Appends a point whose time is not before the last one.
    fn push(&mut self, p: &Self::Point, cfg: &Self::Cfg);
    /// Appends a run that starts at or after this one ends.
    fn append(&mut self, next: &Self, cfg: &Self::Cfg);
}

/// One run.
#[derive(Clone)]
struct Run<S: RunSummary> {
    first: (i64, u64),
    last: i64,
    sum: S,
    raw: Option<Vec<S::Point>>,
}

impl<S: RunSummary> Run<S> {
    fn new(p: &S::Point, cfg: &S::Cfg, keep_all: bool) -> Run<S> {
        let mut raw = Vec::with_capacity(if keep_all { 16 } else { S::KEEP.min(16) });
        raw.push(*p);
        Run {
            first: (S::time(p), S::tiebreak(p)),
            last: S::time(p),
            sum: S::start(p, cfg),
            raw: Some(raw),
        }
    }

    fn from_sorted(points: &[S::Point], cfg: &S::Cfg) -> Option<Run<S>> {
        let (p0, rest) = points.split_first()?;
        let mut r: Run<S> = Run::new(p0, cfg, true);
        for p in rest {
            r.sum.push(p, cfg);
        }
        r.last = points.last().map_or(r.last, S::time);
        r.raw = Some(points.to_vec());
        Some(r)
    }
}

/// The runs of one group.
#[derive(Clone)]
pub struct Runs<S: RunSummary> {
    runs: Vec<Run<S>>,
    pending: Vec<S::Point>,
    open: u32,
}

impl<S: RunSummary> Default for Runs<S> {
    fn default() -> Self {
        Runs {
            runs: Vec::new(),
            pending: Vec::new(),
            open: 0,
        }
    }
}

impl<S: RunSummary> Runs<S> {
    /// Whether no point was added.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty() && self.pending.is_empty()
    }

    /// Adds a point during the update call numbered `epoch` (> 0).
    #[inline]
    pub fn push(&mut self, p: &S::Point, epoch: u32, cfg: &S::Cfg) {
        let t = S::time(p);
        if self.open == epoch
            && let Some(r) = self.runs.last_mut()
        {
            if t >= r.last {
                r.sum.push(p, cfg);
                r.last = t;
                if let Some(raw) = &mut r.raw {
                    if raw.len() < S::KEEP {
                        raw.push(*p);
                    } else {
                        r.raw = None;
                    }
                }
            } else {
                self.pending.push(*p);
            }
            return;
        }
        self.open = epoch;
        self.runs.push(Run::new(p, cfg, false));
    }

    /// Moves the runs of `other` into this group.
    pub fn absorb(&mut self, other: &mut Runs<S>) {
        self.runs.append(&mut other.runs);
        self.pending.append(&mut other.pending);
        self.open = 0;
    }

    /// Summary of every point added, or None when there is none. `what` names the function in
    /// the error for overlapping runs without points.
    pub fn finish(&self, cfg: &S::Cfg, what: &str) -> Result<Option<S>> {
        let mut runs: Vec<Run<S>> = self.runs.clone();
        if !self.pending.is_empty() {
            let mut pts = self.pending.clone();
            pts.sort_by_key(|p| (S::time(p), S::tiebreak(p)));
            runs.extend(Run::from_sorted(&pts, cfg));
        }
        runs.sort_by_key(|r| r.first);
        let mut out: Option<S> = None;
        let mut i = 0;
        while i < runs.len() {
            let mut j = i + 1;
            let mut end = runs[i].last;
            while j < runs.len() && runs[j].first.0 < end {
                end = end.max(runs[j].last);
                j += 1;
            }
            let merged;
            let sum = if j == i + 1 {
                &runs[i].sum
            } else {
                let mut pts = Vec::new();
                for r in &runs[i..j] {
                    match &r.raw {
                        Some(raw) => pts.extend_from_slice(raw),
                        None => {
                            return Err(super::unsupported(format!(
                                "{what}: rows of one group arrive as long time-ordered runs that overlap in time; \
                                 the partial states cannot be combined exactly"
                            )));
                        }
                    }
                }
                pts.sort_by_key(|p| (S::time(p), S::tiebreak(p)));
                merged = Run::<S>::from_sorted(&pts, cfg)
                    .ok_or_else(|| super::internal("empty cluster of runs"))?;
                &merged.sum
            };
            match &mut out {
                None => out = Some(sum.clone()),
                Some(acc) => acc.append(sum, cfg),
            }
            i = j;
        }
        Ok(out)
    }
}

/// Runs of every group of one aggregate call, with the update-call epoch.
#[derive(Clone)]
pub struct GroupRuns<S: RunSummary> {
    /// Per group.
    pub groups: Vec<Runs<S>>,
    epoch: u32,
}

impl<S: RunSummary> Default for GroupRuns<S> {
    fn default() -> Self {
        GroupRuns {
            groups: Vec::new(),
            epoch: 0,
        }
    }
}

impl<S: RunSummary> GroupRuns<S> {
    /// Makes room for `n` groups.
    pub fn resize(&mut self, n: usize) {
        if self.groups.len() < n {
            self.groups.resize_with(n, Runs::default);
        }
    }

    /// Starts an update call; returns its epoch.
    pub fn begin(&mut self) -> u32 {
        self.epoch = self.epoch.wrapping_add(1).max(1);
        self.epoch
    }

    /// Adds a point to group `g` (growing the group list when needed).
    #[inline]
    pub fn push(&mut self, g: usize, p: &S::Point, epoch: u32, cfg: &S::Cfg) {
        if g >= self.groups.len() {
            self.resize(g + 1);
        }
        if let Some(r) = self.groups.get_mut(g) {
            r.push(p, epoch, cfg);
        }
    }

    /// Merges another accumulator's groups: its group `k` goes into `map[k]`.
    pub fn merge(&mut self, other: &mut GroupRuns<S>, map: &[u32]) {
        for (k, r) in other.groups.iter_mut().enumerate() {
            if let Some(&to) = map.get(k) {
                self.resize(to as usize + 1);
                if let Some(dst) = self.groups.get_mut(to as usize) {
                    dst.absorb(r);
                }
            }
        }
        // Later pushes must not extend runs that came from elsewhere.
        self.epoch = self.epoch.wrapping_add(1).max(1);
    }

    /// Summary of group `g`.
    pub fn finish(&self, g: usize, cfg: &S::Cfg, what: &str) -> Result<Option<S>> {
        match self.groups.get(g) {
            Some(r) => r.finish(cfg, what),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A test summary: the sequence of point times, and the sum of the gaps (both depend on
    /// order and on every point).
    #[derive(Clone, Debug, PartialEq)]
    struct Seq {
        times: Vec<i64>,
        gaps: i64,
    }

    impl RunSummary for Seq {
        type Point = i64;
        type Cfg = ();
        const KEEP: usize = 8;
        fn time(p: &i64) -> i64 {
            *p
        }
        fn start(p: &i64, _: &()) -> Seq {
            Seq {
                times: vec![*p],
                gaps: 0,
            }
        }
        fn push(&mut self, p: &i64, _: &()) {
            self.gaps += p - self.times.last().copied().unwrap_or(*p);
            self.times.push(*p);
        }
        fn append(&mut self, next: &Seq, _: &()) {
            let first = next.times.first().copied().unwrap_or(0);
            self.gaps += first - self.times.last().copied().unwrap_or(first) + next.gaps;
            self.times.extend_from_slice(&next.times);
        }
    }

    /// A small deterministic generator (xorshift).
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
            for i in (1..v.len()).rev() {
                let j = self.below(i + 1);
                v.swap(i, j);
            }
        }
    }

    fn run_split(points: &[i64], rng: &mut Rng, workers: usize) -> Seq {
        // Split into calls of random size, spread over workers, merge in random order.
        let mut accs: Vec<GroupRuns<Seq>> = (0..workers).map(|_| GroupRuns::default()).collect();
        let mut i = 0;
        while i < points.len() {
            let n = 1 + rng.below(7);
            let w = rng.below(workers);
            let e = accs[w].begin();
            for p in &points[i..(i + n).min(points.len())] {
                accs[w].push(0, p, e, &());
            }
            i += n;
        }
        rng.shuffle(&mut accs);
        let mut main = accs.pop().expect("one worker");
        for mut a in accs {
            main.merge(&mut a, &[0]);
        }
        main.finish(0, &(), "test").expect("finish").expect("points")
    }

    #[test]
    fn shuffled_input_and_any_merge_order_give_the_sorted_summary() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..200 {
            let n = 1 + case % 60;
            let mut pts: Vec<i64> = (0..n as i64).map(|k| k * 10 + (k % 3)).collect();
            let sorted = pts.clone();
            rng.shuffle(&mut pts);
            let got = run_split(&pts, &mut rng, 1 + case % 3);
            assert_eq!(got.times, sorted, "case {case}");
            assert_eq!(got.gaps, sorted[n - 1] - sorted[0]);
        }
    }

    #[test]
    fn sorted_pieces_in_any_order_are_exact_without_points() {
        // Long sorted pieces (beyond KEEP) processed in shuffled order by two workers.
        let mut rng = Rng(7);
        let all: Vec<i64> = (0..1000).collect();
        let mut pieces: Vec<&[i64]> = all.chunks(37).collect();
        rng.shuffle(&mut pieces);
        let mut a: GroupRuns<Seq> = GroupRuns::default();
        let mut b: GroupRuns<Seq> = GroupRuns::default();
        for (k, p) in pieces.iter().enumerate() {
            let acc = if k % 2 == 0 { &mut a } else { &mut b };
            let e = acc.begin();
            for x in *p {
                acc.push(0, x, e, &());
            }
        }
        b.merge(&mut a, &[0]);
        let s = b.finish(0, &(), "test").expect("ok").expect("some");
        assert_eq!(s.times, all);
        assert_eq!(s.gaps, 999);
    }

    #[test]
    fn interleaved_long_runs_are_refused() {
        let mut a: GroupRuns<Seq> = GroupRuns::default();
        for start in [0, 1] {
            let e = a.begin();
            for k in 0..10 {
                a.push(0, &(start + 2 * k), e, &());
            }
        }
        let err = a.finish(0, &(), "f").expect_err("error");
        assert_eq!(err.code, "0A000");
    }
}
