//! Decoded blocks of small parts, kept for repeated reads. A query over a dimension table
//! (orders, operations: a few thousand rows) otherwise checks and decodes every block again,
//! which costs more than the query's own work. Only parts of at most [`SMALL_PART_ROWS`] rows
//! are cached, and all caches together hold at most [`BUDGET_BYTES`] (past it, blocks are
//! decoded as before). Parts are immutable, so an entry never goes stale; it is freed with its
//! part. A block is checksummed when it is first decoded; later corruption of the file cannot
//! change what the cache returns.
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::column::{Column, ColumnVec};

/// Largest part (rows) whose blocks are cached.
pub const SMALL_PART_ROWS: u64 = 65_536;
/// Memory all caches may hold together.
pub const BUDGET_BYTES: usize = 64 << 20;

static CACHED: AtomicUsize = AtomicUsize::new(0);

/// What a cache entry holds: a field column, or a group's timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    /// Field column (schema id) of a group.
    Column(u32, u32),
    /// Timestamps of a group.
    Time(u32),
}

/// One part's decoded blocks.
#[derive(Debug, Default)]
pub struct BlockCache {
    entries: Mutex<HashMap<Block, Column>>,
    bytes: AtomicUsize,
}

impl BlockCache {
    /// A copy of the cached block.
    pub fn get(&self, b: Block) -> Option<Column> {
        self.entries.lock().ok()?.get(&b).cloned()
    }

    /// Keeps a copy of `c` when the budget allows.
    pub fn put(&self, b: Block, c: &Column) {
        let size = approx_bytes(c);
        let reserved = CACHED
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used + size <= BUDGET_BYTES).then_some(used + size)
            })
            .is_ok();
        if !reserved {
            return;
        }
        match self.entries.lock() {
            Ok(mut e) if !e.contains_key(&b) => {
                e.insert(b, c.clone());
                self.bytes.fetch_add(size, Ordering::AcqRel);
            }
            _ => {
                CACHED.fetch_sub(size, Ordering::AcqRel);
            }
        }
    }
}

impl Drop for BlockCache {
    fn drop(&mut self) {
        CACHED.fetch_sub(self.bytes.load(Ordering::Acquire), Ordering::AcqRel);
    }
}

/// Heap bytes of a column, roughly.
fn approx_bytes(c: &Column) -> usize {
    let values = match &c.values {
        ColumnVec::Bool(v) => v.len(),
        ColumnVec::Int64(v) => v.len() * 8,
        ColumnVec::Float64(v) => v.len() * 8,
        ColumnVec::Bytes(d) => d.codes.len() * 4 + d.dict.iter().map(|b| b.len() + 16).sum::<usize>(),
    };
    values + c.validity.as_ref().map_or(0, Vec::len) + 64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_blocks_within_the_budget_only() {
        let cache = BlockCache::default();
        let small = Column {
            values: ColumnVec::Int64(vec![3, 1, 4, 1, 5]),
            validity: Some(vec![true, false, true, true, true]),
        };
        cache.put(Block::Column(0, 2), &small);
        let got = cache.get(Block::Column(0, 2)).expect("cached");
        assert!(matches!(&got.values, ColumnVec::Int64(v) if v == &[3, 1, 4, 1, 5]));
        assert_eq!(got.validity, small.validity);
        assert!(cache.get(Block::Column(0, 3)).is_none());
        assert!(cache.get(Block::Time(0)).is_none());
        // A block larger than the whole budget is decoded every time instead.
        let huge = Column {
            values: ColumnVec::Bool(vec![false; BUDGET_BYTES + 1]),
            validity: None,
        };
        cache.put(Block::Time(1), &huge);
        assert!(cache.get(Block::Time(1)).is_none());
    }
}
