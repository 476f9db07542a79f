//! The `plantdb` binary: `plantdb serve` runs the PostgreSQL-protocol server.
fn main() -> std::process::ExitCode {
    plantdb_server::main_entry()
}
