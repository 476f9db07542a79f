//! Regular timestamps: a grid `(t0, step)` plus the few points off it.
//!
//! Layout: `tag, t0: i64 LE, step: zigzag varint, exceptions: varint`, then per exception
//! `(gap << 1 | anchor): varint` and `value - expected: zigzag varint`, where `gap` is the distance
//! from the previous exception position (from position 0 for the first one; always >= 1) and
//! `expected` the grid value at that position. A *single* exception (`anchor = 0`, e.g. a jittered
//! sample) leaves the grid in place; an *anchor* (`anchor = 1`, e.g. after a gap) restarts the grid
//! at the exception's value. Either way one irregularity costs one exception.
use super::bitpack::MINIBLOCK;
use super::io::{Reader, put_varint, put_zigzag, zigzag};
use super::{Codec, EncodingError};

/// The most common difference between consecutive values of `sample`.
pub(crate) fn detect_step(slices: &[&[i64]]) -> i64 {
    let mut d: Vec<i64> = slices
        .iter()
        .flat_map(|s| s.windows(2).take(64).map(|w| w[1].wrapping_sub(w[0])))
        .collect();
    d.sort_unstable();
    let (mut best, mut best_run, mut run) = (0i64, 0usize, 0usize);
    for (i, &v) in d.iter().enumerate() {
        run = if i > 0 && d.get(i - 1) == Some(&v) {
            run + 1
        } else {
            1
        };
        if run > best_run {
            (best, best_run) = (v, run);
        }
    }
    best
}

/// Encodes `values` on the grid of `step` unless more than `max_exceptions` points are off it.
/// Returns `false` (and leaves `out` untouched) when there are too many exceptions.
pub(crate) fn encode(values: &[i64], step: i64, max_exceptions: usize, out: &mut Vec<u8>) -> bool {
    let mut exc = Vec::new();
    let mut count = 0usize;
    if let Some((&t0, rest)) = values.split_first() {
        let mut grid = t0.wrapping_add(step);
        let mut last = 0usize;
        for (i, &v) in rest.iter().enumerate() {
            let pos = i + 1;
            if v == grid {
                grid = grid.wrapping_add(step);
                continue;
            }
            count += 1;
            if count > max_exceptions {
                return false;
            }
            let next_on_grid = rest.get(i + 1).is_none_or(|&nx| nx == grid.wrapping_add(step));
            put_varint(&mut exc, (((pos - last) as u64) << 1) | u64::from(!next_on_grid));
            put_zigzag(&mut exc, v.wrapping_sub(grid));
            last = pos;
            grid = if next_on_grid { grid } else { v }.wrapping_add(step);
        }
    }
    out.push(Codec::Regular as u8);
    out.extend_from_slice(&values.first().copied().unwrap_or(0).to_le_bytes());
    put_varint(out, zigzag(step));
    put_varint(out, count as u64);
    out.extend_from_slice(&exc);
    true
}

/// Collects values into miniblock-sized chunks for a sink.
struct Chunker {
    buf: [i64; MINIBLOCK],
    used: usize,
}

impl Chunker {
    /// Emits `count` grid values `start, start + step, ...`.
    fn grid<F>(
        &mut self,
        mut start: i64,
        step: i64,
        mut count: usize,
        sink: &mut F,
    ) -> Result<(), EncodingError>
    where
        F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
    {
        while count > 0 {
            let take = count.min(MINIBLOCK - self.used);
            let dst = self
                .buf
                .get_mut(self.used..self.used + take)
                .ok_or(EncodingError::Corrupt("grid"))?;
            for (k, d) in dst.iter_mut().enumerate() {
                *d = start.wrapping_add(step.wrapping_mul(k as i64));
            }
            start = start.wrapping_add(step.wrapping_mul(take as i64));
            self.used += take;
            count -= take;
            self.flush_full(sink)?;
        }
        Ok(())
    }

    fn push<F>(&mut self, v: i64, sink: &mut F) -> Result<(), EncodingError>
    where
        F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
    {
        *self
            .buf
            .get_mut(self.used)
            .ok_or(EncodingError::Corrupt("grid"))? = v;
        self.used += 1;
        self.flush_full(sink)
    }

    fn flush_full<F>(&mut self, sink: &mut F) -> Result<(), EncodingError>
    where
        F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
    {
        if self.used == MINIBLOCK {
            self.used = 0;
            sink(&mut self.buf)?;
        }
        Ok(())
    }

    fn finish<F>(&mut self, sink: &mut F) -> Result<(), EncodingError>
    where
        F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
    {
        if self.used > 0 {
            sink(
                self.buf
                    .get_mut(..self.used)
                    .ok_or(EncodingError::Corrupt("grid"))?,
            )?;
        }
        Ok(())
    }
}

pub(crate) fn decode<F>(r: &mut Reader<'_>, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let t0 = r.u64_le("t0")? as i64;
    let step = r.zigzag("step")?;
    let count = r.count(n.saturating_sub(1), "exception count")?;
    let mut ch = Chunker {
        buf: [0; MINIBLOCK],
        used: 0,
    };
    let mut pos = 0usize; // next position to emit
    let mut grid = t0; // grid value at `pos`
    let mut last = 0usize;
    for _ in 0..count {
        let head = r.varint("exception position")?;
        let gap = usize::try_from(head >> 1).map_err(|_| EncodingError::Corrupt("exception position"))?;
        let at = last.checked_add(gap).filter(|&p| gap > 0 && p < n);
        let at = at.ok_or(EncodingError::Corrupt("exception position"))?;
        let diff = r.zigzag("exception value")?;
        let len = at - pos;
        ch.grid(grid, step, len, sink)?;
        let expected = grid.wrapping_add(step.wrapping_mul(len as i64));
        let v = expected.wrapping_add(diff);
        ch.push(v, sink)?;
        grid = if head & 1 == 1 { v } else { expected }.wrapping_add(step);
        pos = at + 1;
        last = at;
    }
    ch.grid(grid, step, n - pos, sink)?;
    ch.finish(sink)
}
