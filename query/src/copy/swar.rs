//! Finding delimiters eight bytes at a time in plain `u64` arithmetic (no `unsafe`, no
//! platform intrinsics): rows of machine data are short, so one pass that yields every
//! delimiter, and says whether the row needs the slow path, beats a `memchr` call per field.

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// 0x80 in every byte of `w` equal to `b`'s byte, 0 elsewhere (exact: no borrow between bytes).
#[inline]
pub(super) fn eq_mask(w: u64, b: u64) -> u64 {
    let x = w ^ b;
    !(((x & LO7) + LO7) | x | LO7)
}

/// What one pass over a row found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Scan {
    /// Every byte is ASCII (so the row is valid UTF-8).
    pub ascii: bool,
    /// The row contains the `special` byte (a CSV quote, a text-format backslash).
    pub special: bool,
}

/// Calls `at(i)` for every position of `delim` in `row`, in order, and reports whether the row
/// is ASCII and holds `special`.
#[inline]
pub(super) fn scan(row: &[u8], delim: u8, special: u8, mut at: impl FnMut(usize)) -> Scan {
    let (d, s) = (u64::from_ne_bytes([delim; 8]), u64::from_ne_bytes([special; 8]));
    let (mut high, mut specials) = (0u64, 0u64);
    let mut chunks = row.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        high |= w;
        specials |= eq_mask(w, s);
        let mut m = eq_mask(w, d);
        while m != 0 {
            at(base + (m.trailing_zeros() / 8) as usize);
            m &= m - 1;
        }
        base += 8;
    }
    let mut ascii = high & HIGH == 0;
    let mut found = specials != 0;
    for (k, &b) in chunks.remainder().iter().enumerate() {
        ascii &= b.is_ascii();
        found |= b == special;
        if b == delim {
            at(base + k);
        }
    }
    Scan {
        ascii,
        special: found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(row: &[u8], delim: u8, special: u8) -> (Vec<usize>, Scan) {
        let pos = row
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == delim)
            .map(|(i, _)| i)
            .collect();
        let scan = Scan {
            ascii: row.is_ascii(),
            special: row.contains(&special),
        };
        (pos, scan)
    }

    #[test]
    fn finds_every_delimiter_like_a_byte_loop() {
        let rows: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b",".to_vec(),
            b"2026-01-05 00:00:00,M0000,RUNNING,12003,30.0,2.59,15.23,0,0".to_vec(),
            b",,,,,,,,,,,,,,,,,".to_vec(),
            b"a\x01,\x00,\xff,\",x\x2d,\x2c\x2d".to_vec(),
            "ünïcödé,\"q\",,".as_bytes().to_vec(),
            (0u8..=255).collect(),
        ];
        for row in &rows {
            for (delim, special) in [(b',', b'"'), (b'\t', b'\\'), (0u8, 1u8), (0xff, 0x2c)] {
                let mut got = Vec::new();
                let scan = scan(row, delim, special, |i| got.push(i));
                assert_eq!(
                    (got, scan),
                    naive(row, delim, special),
                    "{row:?} {delim} {special}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_a_byte_loop(row in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
                                   delim in proptest::prelude::any::<u8>(), special in proptest::prelude::any::<u8>()) {
            let mut got = Vec::new();
            let scan = scan(&row, delim, special, |i| got.push(i));
            proptest::prop_assert_eq!((got, scan), naive(&row, delim, special));
        }
    }
}
