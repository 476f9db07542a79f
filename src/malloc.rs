//! Memory allocator tuning for the binaries. glibc's malloc serves large blocks (a batch's
//! column buffers) with fresh mappings and hands freed memory back to the kernel, so every
//! batch of a COPY or a scan faulted its pages in again: a fifth of a COPY's time. Raising the
//! mapping and trimming thresholds keeps up to 512 MB of freed memory for reuse (COPY of the
//! scale-1 telemetry 2.2 -> 1.7 s, see BENCHMARKS.md). glibc reads its tunables from the
//! environment at start-up only, and calling `mallopt` would take `unsafe`, so the binary
//! re-executes itself once with `GLIBC_TUNABLES` set; other C libraries ignore the variable.

/// The thresholds: blocks up to 64 MB come from the heap, and the heap keeps up to 512 MB free.
pub const MALLOC_TUNABLES: &str =
    "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=536870912";

/// Re-executes the running binary with [`MALLOC_TUNABLES`] in `GLIBC_TUNABLES`, unless the
/// variable already sets a malloc tunable (which also ends the re-execution) or
/// `PLANTDB_MALLOC_TUNING=off`. Returns only when nothing was done or the exec failed; the
/// process then runs untuned.
pub fn tune_malloc() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
        let off = std::env::var("PLANTDB_MALLOC_TUNING").is_ok_and(|v| v == "off");
        if off || current.contains("glibc.malloc.") {
            return;
        }
        let Ok(exe) = std::env::current_exe() else { return };
        let value = if current.is_empty() {
            MALLOC_TUNABLES.to_string()
        } else {
            format!("{current}:{MALLOC_TUNABLES}")
        };
        // `exec` returns only on failure.
        let _failed = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GLIBC_TUNABLES", value)
            .exec();
    }
}
