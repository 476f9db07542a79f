use thiserror::Error;

/// Why a block could not be decoded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingError {
    /// The first byte names no known codec.
    #[error("unknown codec tag {0}")]
    UnknownCodec(u8),
    /// The block ends before the data its header announces.
    #[error("block truncated: {0}")]
    Truncated(&'static str),
    /// A header field is impossible (bit width above 64, dictionary code out of range, ...).
    #[error("corrupt block: {0}")]
    Corrupt(&'static str),
}
