//! Byte-level helpers shared by the codecs: a bounds-checked reader, LEB128 varints and zigzag.
use super::EncodingError;

/// Maps signed to unsigned so that small magnitudes give small numbers.
#[inline]
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Inverse of [`zigzag`].
#[inline]
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends `v` as an unsigned LEB128 varint (1..=10 bytes).
#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `v` zigzag-encoded as a varint.
#[inline]
pub(crate) fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, zigzag(v));
}

/// Number of bytes [`put_varint`] writes for `v`.
#[inline]
pub(crate) fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// A cursor over an encoded block; every read is bounds-checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Fails unless the whole block was consumed.
    pub(crate) fn finish(&self) -> Result<(), EncodingError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(EncodingError::Corrupt("trailing bytes after block"))
        }
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, EncodingError> {
        let (&b, rest) = self.buf.split_first().ok_or(EncodingError::Truncated(what))?;
        self.buf = rest;
        Ok(b)
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], EncodingError> {
        if self.buf.len() < n {
            return Err(EncodingError::Truncated(what));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.buf)
    }

    pub(crate) fn u64_le(&mut self, what: &'static str) -> Result<u64, EncodingError> {
        let (head, tail) = self
            .buf
            .split_first_chunk::<8>()
            .ok_or(EncodingError::Truncated(what))?;
        self.buf = tail;
        Ok(u64::from_le_bytes(*head))
    }

    pub(crate) fn varint(&mut self, what: &'static str) -> Result<u64, EncodingError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let b = self.u8(what)?;
            if i == 9 && b > 1 {
                return Err(EncodingError::Corrupt("varint overflows 64 bits"));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(EncodingError::Corrupt("varint longer than 10 bytes"))
    }

    pub(crate) fn zigzag(&mut self, what: &'static str) -> Result<i64, EncodingError> {
        self.varint(what).map(unzigzag)
    }

    /// A varint used as a count or length; it must fit `usize` and not exceed `max`.
    pub(crate) fn count(&mut self, max: usize, what: &'static str) -> Result<usize, EncodingError> {
        let v = self.varint(what)?;
        match usize::try_from(v) {
            Ok(c) if c <= max => Ok(c),
            _ => Err(EncodingError::Corrupt(what)),
        }
    }
}
