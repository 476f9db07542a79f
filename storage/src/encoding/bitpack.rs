//! Frame-of-reference bit-packing in miniblocks: the integer kernel under every other codec.
//!
//! Block body (after the codec tag when used as a codec on its own), per miniblock of
//! [`MINIBLOCK`] values (the last one may be shorter): `width: u8 (0..=64)`,
//! `reference - previous reference: zigzag varint` (the first relative to 0; the reference is the
//! miniblock minimum), then `ceil(len * width / 8)` bytes of packed offsets `value - reference`,
//! least significant bit first (64 values of width `w` fill exactly `w` little-endian u64 words).
//! An empty input has an empty body.
//!
//! Decoding dispatches once per miniblock to a kernel specialised for its width, whose 64-value
//! group loop is unrolled by a macro so that every shift and word index is a compile-time constant.
use super::EncodingError;
use super::io::{Reader, put_zigzag, varint_len, zigzag};

/// Values per miniblock (each has its own reference and bit width).
pub(crate) const MINIBLOCK: usize = 64;
const GROUP: usize = 64;

/// Bits needed to hold `range`.
#[inline]
pub(crate) fn width(range: u64) -> u32 {
    64 - range.leading_zeros()
}

#[inline]
fn min_max(values: &[i64]) -> (i64, i64) {
    values
        .iter()
        .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// Appends `values` (each below `2^w`) packed LSB-first: exactly `ceil(len * w / 8)` bytes.
pub(crate) fn pack(values: impl Iterator<Item = u64>, w: u32, out: &mut Vec<u8>) {
    if w == 0 {
        return;
    }
    let mut acc: u64 = 0;
    let mut used: u32 = 0;
    for v in values {
        acc |= v << used;
        used += w;
        if used >= 64 {
            out.extend_from_slice(&acc.to_le_bytes());
            used -= 64;
            acc = if used > 0 { v >> (w - used) } else { 0 };
        }
    }
    let tail = used.div_ceil(8) as usize;
    out.extend_from_slice(acc.to_le_bytes().get(..tail).unwrap_or_default());
}

macro_rules! lanes64 {
    ($m:ident) => {
        $m!(0);
        $m!(1);
        $m!(2);
        $m!(3);
        $m!(4);
        $m!(5);
        $m!(6);
        $m!(7);
        $m!(8);
        $m!(9);
        $m!(10);
        $m!(11);
        $m!(12);
        $m!(13);
        $m!(14);
        $m!(15);
        $m!(16);
        $m!(17);
        $m!(18);
        $m!(19);
        $m!(20);
        $m!(21);
        $m!(22);
        $m!(23);
        $m!(24);
        $m!(25);
        $m!(26);
        $m!(27);
        $m!(28);
        $m!(29);
        $m!(30);
        $m!(31);
        $m!(32);
        $m!(33);
        $m!(34);
        $m!(35);
        $m!(36);
        $m!(37);
        $m!(38);
        $m!(39);
        $m!(40);
        $m!(41);
        $m!(42);
        $m!(43);
        $m!(44);
        $m!(45);
        $m!(46);
        $m!(47);
        $m!(48);
        $m!(49);
        $m!(50);
        $m!(51);
        $m!(52);
        $m!(53);
        $m!(54);
        $m!(55);
        $m!(56);
        $m!(57);
        $m!(58);
        $m!(59);
        $m!(60);
        $m!(61);
        $m!(62);
        $m!(63);
    };
}

/// Unpacks 64 values of `W` bits (`1 <= W <= 64`) from `W` little-endian words and adds `base`.
#[inline(always)]
fn unpack_group<const W: usize>(words: &[[u8; 8]; W], base: i64, out: &mut [i64; GROUP]) {
    let mask: u64 = if W >= 64 { u64::MAX } else { (1u64 << W) - 1 };
    macro_rules! lane {
        ($i:expr) => {{
            let bit = $i * W;
            let (k, s) = (bit / 64, bit % 64);
            let mut v = u64::from_le_bytes(words[k]) >> s;
            if s + W > 64 {
                v |= u64::from_le_bytes(words[k + 1]) << (64 - s);
            }
            out[$i] = base.wrapping_add((v & mask) as i64);
        }};
    }
    lanes64!(lane);
}

/// Unpacks one miniblock of `len <= MINIBLOCK` values of width `W` from exactly
/// `ceil(len * W / 8)` bytes.
#[inline(always)]
fn unpack_mini<const W: usize>(
    data: &[u8],
    len: usize,
    base: i64,
    buf: &mut [i64; MINIBLOCK],
) -> Result<(), EncodingError> {
    const TRUNC: EncodingError = EncodingError::Truncated("bit-packed miniblock");
    let (groups, _) = buf.as_chunks_mut::<GROUP>();
    let full = len / GROUP;
    let mut rest = data;
    for g in groups.iter_mut().take(full) {
        let (words, _) = rest.as_chunks::<8>();
        let words = words.first_chunk::<W>().ok_or(TRUNC)?;
        unpack_group::<W>(words, base, g);
        rest = rest.get(8 * W..).ok_or(TRUNC)?;
    }
    let tail = len % GROUP;
    if tail > 0 {
        let mut pad = [[0u8; 8]; GROUP];
        let need = (tail * W).div_ceil(8);
        let src = rest.get(..need).ok_or(TRUNC)?;
        for (dst, chunk) in pad.iter_mut().zip(src.chunks(8)) {
            dst.get_mut(..chunk.len()).ok_or(TRUNC)?.copy_from_slice(chunk);
        }
        let words = pad.first_chunk::<W>().ok_or(TRUNC)?;
        let g = groups.get_mut(full).ok_or(TRUNC)?;
        unpack_group::<W>(words, base, g);
    }
    Ok(())
}

macro_rules! dispatch {
    ($w:expr, $data:expr, $len:expr, $base:expr, $buf:expr; $($n:literal)*) => {
        match $w {
            0 => {
                $buf.fill($base);
                Ok(())
            }
            $($n => unpack_mini::<$n>($data, $len, $base, $buf),)*
            _ => Err(EncodingError::Corrupt("bit width above 64")),
        }
    };
}

/// Unpacks a miniblock of `len` values of width `w` (validated here) into `buf[..len]`.
pub(crate) fn unpack_miniblock(
    w: u8,
    data: &[u8],
    len: usize,
    base: i64,
    buf: &mut [i64; MINIBLOCK],
) -> Result<(), EncodingError> {
    dispatch!(w, data, len, base, buf;
        1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32
        33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64)
}

/// Appends the FOR-miniblock body of `values` (no tag).
pub(crate) fn encode_body(values: &[i64], out: &mut Vec<u8>) {
    let mut prev = 0i64;
    for chunk in values.chunks(MINIBLOCK) {
        let (lo, hi) = min_max(chunk);
        let w = width(hi.wrapping_sub(lo) as u64);
        out.push(w as u8);
        put_zigzag(out, lo.wrapping_sub(prev));
        prev = lo;
        pack(chunk.iter().map(|&v| v.wrapping_sub(lo) as u64), w, out);
    }
}

/// Estimated body size of [`encode_body`] for `values` (exact up to the first reference).
pub(crate) fn estimate_body(values: &[i64]) -> usize {
    let mut size = 0;
    let mut prev: Option<i64> = None;
    for chunk in values.chunks(MINIBLOCK) {
        let (lo, hi) = min_max(chunk);
        let w = width(hi.wrapping_sub(lo) as u64) as usize;
        let r = prev.map_or(8, |p| varint_len(zigzag(lo.wrapping_sub(p))));
        prev = Some(lo);
        size += 1 + r + (chunk.len() * w).div_ceil(8);
    }
    size
}

/// Decodes a FOR-miniblock body of `n` values, handing them to `sink` miniblock by miniblock.
#[inline]
pub(crate) fn decode_body<F>(r: &mut Reader<'_>, n: usize, sink: &mut F) -> Result<(), EncodingError>
where
    F: FnMut(&mut [i64]) -> Result<(), EncodingError>,
{
    let mut base = 0i64;
    let mut buf = [0i64; MINIBLOCK];
    let mut left = n;
    while left > 0 {
        let len = left.min(MINIBLOCK);
        let w = r.u8("miniblock width")?;
        if w > 64 {
            return Err(EncodingError::Corrupt("bit width above 64"));
        }
        base = base.wrapping_add(r.zigzag("miniblock reference")?);
        let data = r.bytes((len * w as usize).div_ceil(8), "bit-packed miniblock")?;
        unpack_miniblock(w, data, len, base, &mut buf)?;
        sink(
            buf.get_mut(..len)
                .ok_or(EncodingError::Corrupt("miniblock length"))?,
        )?;
        left -= len;
    }
    Ok(())
}

/// The FOR-miniblock codec on its own: `tag`, then the body above.
pub(crate) fn encode(values: &[i64], out: &mut Vec<u8>) -> super::Codec {
    out.push(super::Codec::For as u8);
    encode_body(values, out);
    super::Codec::For
}
