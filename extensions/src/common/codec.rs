//! Byte layout of two-step states: an aggregate returns its per-group summary as a `bytea`
//! value, accessor functions read it back. Layout: a 4-byte magic naming the state kind, a
//! version byte, then fixed-width little-endian fields in the order the writer put them. The
//! states are not a storage format: they live for one statement (or in a user's table, where a
//! version change makes the accessor refuse them with 22023).
use std::sync::Arc;

use plantdb_query::error::Result;
use plantdb_query::types::Value;

const VERSION: u8 = 1;

/// Writer.
#[derive(Debug)]
pub struct Enc {
    buf: Vec<u8>,
}

impl Enc {
    /// Starts a state of kind `magic`.
    pub fn new(magic: &[u8; 4]) -> Enc {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(magic);
        buf.push(VERSION);
        Enc { buf }
    }

    /// An integer.
    pub fn i64(&mut self, v: i64) -> &mut Enc {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A double.
    pub fn f64(&mut self, v: f64) -> &mut Enc {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A byte.
    pub fn u8(&mut self, v: u8) -> &mut Enc {
        self.buf.push(v);
        self
    }

    /// Length-prefixed bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Enc {
        self.i64(v.len() as i64);
        self.buf.extend_from_slice(v);
        self
    }

    /// The `bytea` value.
    pub fn finish(self) -> Value {
        Value::Bytes(Arc::from(self.buf))
    }
}

/// Reader.
#[derive(Debug)]
pub struct Dec<'a> {
    b: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Dec<'a> {
    /// Opens a state that must be of kind `magic`; `what` names it in errors.
    pub fn new(b: &'a [u8], magic: &[u8; 4], what: &'static str) -> Result<Dec<'a>> {
        if b.len() < 5 || &b[..4] != magic || b[4] != VERSION {
            return Err(super::invalid(format!("argument is not a {what} value")));
        }
        Ok(Dec { b, pos: 5, what })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        match end {
            Some(e) => {
                let s = &self.b[self.pos..e];
                self.pos = e;
                Ok(s)
            }
            None => Err(super::invalid(format!("truncated {} value", self.what))),
        }
    }

    /// An integer.
    pub fn i64(&mut self) -> Result<i64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(i64::from_le_bytes(a))
    }

    /// A double.
    pub fn f64(&mut self) -> Result<f64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(a))
    }

    /// A byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// Length-prefixed bytes.
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.i64()?;
        let n = usize::try_from(n).map_err(|_| super::invalid(format!("corrupt {} value", self.what)))?;
        self.take(n)
    }

    /// A count that must fit the remaining bytes at `each` bytes per item.
    pub fn count(&mut self, each: usize) -> Result<usize> {
        let n = self.i64()?;
        let n = usize::try_from(n).map_err(|_| super::invalid(format!("corrupt {} value", self.what)))?;
        if n.saturating_mul(each.max(1)) > self.b.len() - self.pos {
            return Err(super::invalid(format!("truncated {} value", self.what)));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusal() {
        let mut e = Enc::new(b"TEST");
        e.i64(-5).f64(2.5).u8(7).bytes(b"abc");
        let Value::Bytes(b) = e.finish() else {
            unreachable!("bytes")
        };
        let mut d = Dec::new(&b, b"TEST", "test").expect("open");
        assert_eq!(d.i64().expect("i64"), -5);
        assert_eq!(d.f64().expect("f64"), 2.5);
        assert_eq!(d.u8().expect("u8"), 7);
        assert_eq!(d.bytes().expect("bytes"), b"abc");
        assert!(d.u8().is_err());
        assert_eq!(
            Dec::new(&b, b"XXXX", "other").err().map(|e| e.code.to_string()),
            Some("22023".to_string())
        );
        assert!(Dec::new(&b[..3], b"TEST", "test").is_err());
    }
}
