//! plantdb server (placeholder until the wire protocol lands).
/// Entry point of the `plantdb` binary.
pub fn main_entry() -> std::process::ExitCode {
    eprintln!("plantdb: the server is not built yet");
    std::process::ExitCode::FAILURE
}
