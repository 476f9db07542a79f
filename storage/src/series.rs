//! Series index of one table: tag values → dense `u32` series ids, and roaring postings
//! (tag = value → set of series) for tag predicates.
//!
//! Copy-on-write: writers clone the index when a batch brings new series and publish the new
//! `Arc`, so readers keep a consistent index for the life of their snapshot.
use std::collections::HashMap;
use std::sync::Arc;

use roaring::RoaringBitmap;

/// Code standing for a NULL tag value.
pub const NULL_CODE: u32 = u32::MAX;

/// Distinct values of one tag column, with postings.
#[derive(Debug, Clone, Default)]
pub struct TagDict {
    values: Arc<Vec<Box<[u8]>>>,
    lookup: HashMap<Box<[u8]>, u32>,
    postings: Vec<RoaringBitmap>,
    null_postings: RoaringBitmap,
}

impl TagDict {
    /// Distinct values; a series' code indexes this.
    pub fn values(&self) -> &Arc<Vec<Box<[u8]>>> {
        &self.values
    }

    /// Code of a value, if it occurs.
    pub fn code(&self, v: &[u8]) -> Option<u32> {
        self.lookup.get(v).copied()
    }

    /// Series having this value (empty when the value never occurs).
    pub fn postings(&self, v: &[u8]) -> RoaringBitmap {
        self.code(v)
            .and_then(|c| self.postings.get(c as usize))
            .cloned()
            .unwrap_or_default()
    }

    /// Series whose tag is NULL.
    pub fn null_postings(&self) -> &RoaringBitmap {
        &self.null_postings
    }

    fn intern(&mut self, v: &[u8]) -> u32 {
        if let Some(&c) = self.lookup.get(v) {
            return c;
        }
        let c = self.values.len() as u32;
        Arc::make_mut(&mut self.values).push(v.into());
        self.lookup.insert(v.into(), c);
        self.postings.push(RoaringBitmap::new());
        c
    }
}

/// The series of one table.
#[derive(Debug, Clone, Default)]
pub struct SeriesIndex {
    tags: Vec<TagDict>,
    keys: Vec<Vec<u32>>,
    by_key: HashMap<Vec<u32>, u32>,
}

impl SeriesIndex {
    /// An empty index for a table with `n_tags` tag columns.
    pub fn new(n_tags: usize) -> SeriesIndex {
        SeriesIndex {
            tags: vec![TagDict::default(); n_tags],
            keys: Vec::new(),
            by_key: HashMap::new(),
        }
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the table has no series yet.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// All series ids.
    pub fn all(&self) -> RoaringBitmap {
        (0..self.keys.len() as u32).collect()
    }

    /// The dictionary of the `k`-th tag column.
    pub fn tag(&self, k: usize) -> Option<&TagDict> {
        self.tags.get(k)
    }

    /// Tag codes of a series (`NULL_CODE` for NULL).
    pub fn key(&self, series: u32) -> Option<&[u32]> {
        self.keys.get(series as usize).map(|k| &k[..])
    }

    /// Tag values of a series.
    pub fn key_values(&self, series: u32) -> Vec<Option<&[u8]>> {
        let Some(key) = self.key(series) else {
            return Vec::new();
        };
        key.iter()
            .zip(&self.tags)
            .map(|(&c, t)| {
                if c == NULL_CODE {
                    None
                } else {
                    t.values.get(c as usize).map(|b| &b[..])
                }
            })
            .collect()
    }

    /// Looks up the series for tag values without adding it.
    pub fn find(&self, values: &[Option<&[u8]>]) -> Option<u32> {
        let mut key = Vec::with_capacity(values.len());
        for (v, t) in values.iter().zip(&self.tags) {
            key.push(match v {
                None => NULL_CODE,
                Some(v) => t.code(v)?,
            });
        }
        self.by_key.get(&key).copied()
    }

    /// Returns the series for tag values, adding it if new.
    pub fn get_or_insert(&mut self, values: &[Option<&[u8]>]) -> u32 {
        let key: Vec<u32> = values
            .iter()
            .zip(self.tags.iter_mut())
            .map(|(v, t)| match v {
                None => NULL_CODE,
                Some(v) => t.intern(v),
            })
            .collect();
        if let Some(&id) = self.by_key.get(&key) {
            return id;
        }
        let id = self.keys.len() as u32;
        for (t, &c) in self.tags.iter_mut().zip(&key) {
            if c == NULL_CODE {
                t.null_postings.insert(id);
            } else if let Some(p) = t.postings.get_mut(c as usize) {
                p.insert(id);
            }
        }
        self.by_key.insert(key.clone(), id);
        self.keys.push(key);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_postings_follow() {
        let mut s = SeriesIndex::new(2);
        let a = s.get_or_insert(&[Some(b"M1"), Some(b"L1")]);
        let b = s.get_or_insert(&[Some(b"M2"), Some(b"L1")]);
        let c = s.get_or_insert(&[Some(b"M1"), None]);
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(s.get_or_insert(&[Some(b"M2"), Some(b"L1")]), 1);
        assert_eq!(
            s.tag(0).unwrap().postings(b"M1").iter().collect::<Vec<_>>(),
            vec![0, 2]
        );
        assert_eq!(
            s.tag(1).unwrap().postings(b"L1").iter().collect::<Vec<_>>(),
            vec![0, 1]
        );
        assert_eq!(
            s.tag(1).unwrap().null_postings().iter().collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(s.find(&[Some(b"M1"), None]), Some(2));
        assert_eq!(s.find(&[Some(b"M3"), None]), None);
        assert_eq!(s.key_values(2), vec![Some(&b"M1"[..]), None]);
    }
}
