//! The block path of COPY FROM. Most loads are plain machine data: no quotes, no escapes. For a
//! run of such rows the structure is found in one pass over the whole block (delimiters and
//! newlines eight bytes at a time), and each column is then converted in its own tight loop,
//! instead of splitting and dispatching field by field. Anything unusual (a quote, a
//! backslash, a row with the wrong number of fields, a value that does not convert) is left to
//! the row path, which reports errors with their line and column.
/// Bit `i` of the first mask is set when `chunk[i]` is the delimiter, of the second when it is
/// a newline.
#[inline(always)]
fn masks(chunk: &[u8; 64], delim: u8) -> (u64, u64) {
    let (mut d, mut n) = (0u64, 0u64);
    for (k, c) in chunk.chunks_exact(16).enumerate() {
        let (cd, cn) = masks16(c, delim);
        d |= u64::from(cd) << (16 * k);
        n |= u64::from(cn) << (16 * k);
    }
    (d, n)
}

/// [`masks`] for 16 bytes with SSE2 (every x86-64 CPU has it): two byte compares and two
/// byte-mask moves, through safe_arch's safe wrappers.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks16(c: &[u8], delim: u8) -> (u16, u16) {
    use safe_arch::{cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let mut w = [0u8; 16];
    w.copy_from_slice(&c[..16]);
    let v = m128i::from(w);
    let d = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(delim as i8)));
    let n = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b'\n' as i8)));
    (d as u16, n as u16)
}

/// [`masks`] for 16 bytes elsewhere: eight bytes at a time in `u64` arithmetic.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn masks16(c: &[u8], delim: u8) -> (u16, u16) {
    use super::swar::eq_mask;
    let (d, n) = (u64::from_ne_bytes([delim; 8]), u64::from_ne_bytes([b'\n'; 8]));
    // The high bit of each byte of an eq_mask, gathered into the top byte by one multiply.
    let gather = |m: u64| ((m >> 7).wrapping_mul(0x0002_0408_1020_4081) >> 56) as u16;
    let (mut md, mut mn) = (0u16, 0u16);
    for k in 0..2 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&c[8 * k..8 * k + 8]);
        let w = u64::from_le_bytes(w);
        md |= gather(eq_mask(w, d)) << (8 * k);
        mn |= gather(eq_mask(w, n)) << (8 * k);
    }
    (md, mn)
}

/// Where the fields of a block's rows are.
#[derive(Debug, Default)]
pub(super) struct Spans {
    ncols: usize,
    /// Offset of each row's first byte.
    starts: Vec<u32>,
    /// End (exclusive) of field `c` of row `r` at `r * ncols + c`. Field `c > 0` starts one
    /// byte after the end of field `c - 1`.
    ends: Vec<u32>,
}

impl Spans {
    pub(super) fn rows(&self) -> usize {
        self.starts.len()
    }

    /// The bytes of field `c` of row `r`.
    #[inline(always)]
    pub(super) fn field<'a>(&self, block: &'a [u8], r: usize, c: usize) -> &'a [u8] {
        let i = r * self.ncols + c;
        let a = if c == 0 {
            self.starts.get(r).copied()
        } else {
            self.ends.get(i - 1).map(|&e| e + 1)
        };
        let b = self.ends.get(i).copied();
        match (a, b) {
            (Some(a), Some(b)) => block.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

impl Spans {
    /// Row `r` without its line end.
    pub(super) fn row<'a>(&self, block: &'a [u8], r: usize) -> &'a [u8] {
        let a = self.starts.get(r).copied().unwrap_or(0) as usize;
        let b = self.ends.get((r + 1) * self.ncols - 1).copied().unwrap_or(0) as usize;
        block.get(a..b).unwrap_or(&[])
    }
}

/// Splits the complete rows at the start of `block` (each ends with `\n`, optionally preceded
/// by `\r`) into `ncols` fields at `delim`, up to `max_rows` rows. Stops before a row with the
/// wrong number of fields. Returns the bytes consumed (whole rows only). `block` holds no quote
/// or escape character and is shorter than 4 GiB.
pub(super) fn split(block: &[u8], delim: u8, ncols: usize, max_rows: usize, spans: &mut Spans) -> usize {
    spans.ncols = ncols;
    spans.starts.clear();
    spans.ends.clear();
    if ncols == 0 || max_rows == 0 {
        return 0;
    }
    let mut row_start = 0usize;
    // Delimiters seen in the current row.
    let mut seen = 0usize;
    let mut base = 0;
    let stop = 'scan: loop {
        let Some(rest) = block.get(base..).filter(|r| !r.is_empty()) else {
            break 'scan row_start;
        };
        // The last chunk is padded; bits past the end of the block are masked off.
        let mut padded = [0u8; 64];
        let (chunk, valid) = match <&[u8; 64]>::try_from(rest.get(..64).unwrap_or(rest)) {
            Ok(c) => (c, u64::MAX),
            Err(_) => {
                padded[..rest.len()].copy_from_slice(rest);
                (&padded, (1u64 << rest.len()) - 1)
            }
        };
        let (delims, lines) = masks(chunk, delim);
        let (delims, lines) = (delims & valid, lines & valid);
        let mut m = delims | lines;
        while m != 0 {
            let bit = m.trailing_zeros();
            let p = base + bit as usize;
            m &= m - 1;
            if lines & (1 << bit) == 0 {
                seen += 1;
                if seen >= ncols {
                    break 'scan row_start;
                }
                spans.ends.push(p as u32);
                continue;
            }
            if seen + 1 != ncols {
                break 'scan row_start;
            }
            spans
                .ends
                .push(super::reader::line_end(block, row_start, p) as u32);
            spans.starts.push(row_start as u32);
            row_start = p + 1;
            seen = 0;
            if spans.starts.len() == max_rows {
                break 'scan row_start;
            }
        }
        base += 64;
    };
    // Keep whole rows only.
    spans.ends.truncate(spans.starts.len() * ncols);
    stop
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(block: &[u8], ncols: usize, max_rows: usize) -> (usize, Vec<Vec<String>>) {
        let mut spans = Spans::default();
        let used = split(block, b',', ncols, max_rows, &mut spans);
        let rows = (0..spans.rows())
            .map(|r| {
                (0..ncols)
                    .map(|c| String::from_utf8_lossy(spans.field(block, r, c)).into_owned())
                    .collect()
            })
            .collect();
        (used, rows)
    }

    fn naive(block: &[u8], ncols: usize, max_rows: usize) -> (usize, Vec<Vec<String>>) {
        let mut used = 0;
        let mut rows = Vec::new();
        while let Some(nl) = block[used..].iter().position(|&b| b == b'\n') {
            let line = &block[used..used + nl];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let f: Vec<String> = line
                .split(|&b| b == b',')
                .map(|x| String::from_utf8_lossy(x).into_owned())
                .collect();
            if f.len() != ncols || rows.len() == max_rows {
                break;
            }
            rows.push(f);
            used += nl + 1;
        }
        (used, rows)
    }

    #[test]
    fn splits_rows_and_stops_before_a_bad_one() {
        let b = b"2026-01-05 00:00:00,M0000,RUNNING,1\n,,,\r\na,b,c,d\n";
        assert_eq!(fields(b, 4, 10), naive(b, 4, 10));
        assert_eq!(fields(b, 4, 10).1.len(), 3);
        assert_eq!(fields(b, 4, 10).1[1], vec!["", "", "", ""]);
        // A row with too few or too many fields ends the block before it.
        assert_eq!(
            fields(b"a,b\na\nc,d\n", 2, 10),
            (4, vec![vec!["a".into(), "b".into()]])
        );
        assert_eq!(fields(b"a,b\na,b,c\n", 2, 10).0, 4);
        // A partial last row is not consumed; neither are rows past max_rows.
        assert_eq!(fields(b"a,b\nc,d", 2, 10).0, 4);
        assert_eq!(fields(b"a,b\nc,d\n", 2, 1).0, 4);
        assert_eq!(fields(b"a\n\nb\n", 1, 10).1.len(), 3);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_splitting_lines(
            block in proptest::collection::vec(proptest::sample::select(b"ab,\n\r".to_vec()), 0..120),
            ncols in 1usize..4, max_rows in 0usize..6,
        ) {
            proptest::prop_assert_eq!(fields(&block, ncols, max_rows), naive(&block, ncols, max_rows));
        }
    }
}
