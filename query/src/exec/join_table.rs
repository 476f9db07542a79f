//! The build side of a hash join: encoded key → right rows, without an allocation per key in
//! the common cases (keys up to 22 bytes are stored inline, a key with one row keeps it inline).
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

/// Inline capacity of [`Key`].
const INLINE: usize = 22;

/// An encoded join key.
#[derive(Debug, Clone)]
pub enum Key {
    /// Short keys (one or two fixed-width columns).
    Inline(u8, [u8; INLINE]),
    /// Longer keys.
    Heap(Box<[u8]>),
}

impl Key {
    fn new(b: &[u8]) -> Key {
        if b.len() <= INLINE {
            let mut a = [0u8; INLINE];
            a[..b.len()].copy_from_slice(b);
            Key::Inline(b.len() as u8, a)
        } else {
            Key::Heap(b.into())
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline(n, a) => &a[..usize::from(*n).min(INLINE)],
            Key::Heap(b) => b,
        }
    }
}

// Hash and equality are the bytes', so that a `&[u8]` finds its key (`Borrow`).
impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.bytes().hash(h);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

/// The right rows of one key, in row order.
#[derive(Debug, Clone)]
pub enum Rows {
    /// A unique key.
    One(u32),
    /// Several rows.
    Many(Vec<u32>),
}

impl Rows {
    /// The rows.
    pub fn as_slice(&self) -> &[u32] {
        match self {
            Rows::One(r) => std::slice::from_ref(r),
            Rows::Many(v) => v,
        }
    }

    fn push(&mut self, r: u32) {
        match self {
            Rows::One(first) => *self = Rows::Many(vec![*first, r]),
            Rows::Many(v) => v.push(r),
        }
    }
}

/// Key → rows.
#[derive(Debug, Default)]
pub struct JoinTable {
    map: FxHashMap<Key, Rows>,
}

impl JoinTable {
    /// An empty table sized for `n` keys.
    pub fn with_capacity(n: usize) -> JoinTable {
        JoinTable {
            map: FxHashMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    /// Adds right row `r` under `key`.
    pub fn insert(&mut self, key: &[u8], r: u32) {
        match self.map.get_mut(key) {
            Some(rows) => rows.push(r),
            None => {
                self.map.insert(Key::new(key), Rows::One(r));
            }
        }
    }

    /// The rows of `key`.
    pub fn get(&self, key: &[u8]) -> Option<&[u32]> {
        self.map.get(key).map(Rows::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_keys_find_their_rows_in_order() {
        let mut t = JoinTable::with_capacity(4);
        let long = vec![7u8; 40];
        t.insert(b"\x01abcd", 0);
        t.insert(&long, 1);
        t.insert(b"\x01abcd", 2);
        t.insert(b"", 3);
        t.insert(&long, 4);
        t.insert(&long, 5);
        assert_eq!(t.get(b"\x01abcd"), Some(&[0, 2][..]));
        assert_eq!(t.get(&long), Some(&[1, 4, 5][..]));
        assert_eq!(t.get(b""), Some(&[3][..]));
        assert_eq!(t.get(b"\x01abce"), None);
        assert_eq!(t.get(&long[..39]), None);
    }
}
