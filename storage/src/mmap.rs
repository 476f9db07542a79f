//! Read-only memory maps of sealed part files: the only `unsafe` in plantdb.
#![expect(
    unsafe_code,
    reason = "memmap2::Mmap::map is unsafe; the precondition is stated below"
)]

use std::fs::File;
use std::ops::Deref;

/// A read-only view of a whole sealed file.
#[derive(Debug)]
pub struct Mapped(memmap2::Mmap);

impl Mapped {
    /// Maps `file` read-only.
    pub fn map(file: &File) -> std::io::Result<Mapped> {
        // SAFETY: only sealed part files are mapped. A part is written to a `.tmp` name, fsynced and
        // renamed; after that no code path opens it for writing, truncates or rewrites it (parts are
        // immutable and are only ever unlinked, which keeps an existing mapping valid). The LOCK
        // file, held for the life of the engine, keeps other plantdb processes out of the directory.
        // A process outside plantdb modifying the file is outside the model, as for every database.
        let map = unsafe { memmap2::Mmap::map(file)? };
        Ok(Mapped(map))
    }
}

impl Deref for Mapped {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}
