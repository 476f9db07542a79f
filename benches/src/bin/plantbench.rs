//! The plant macro benchmark.
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use plantdb::plant::{PlantConfig, generate};
use plantdb_benches::query_bench::QueryBenchConfig;

#[derive(Parser)]
#[command(about = "plantdb macro benchmark on the simulated plant")]
struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Ingest, bytes on disk and decode speed of the telemetry table (storage engine).
    Storage {
        /// Machines = 100 × scale.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Rows per append.
        #[arg(long, default_value_t = 100_000)]
        batch: usize,
        /// Concurrent writers.
        #[arg(long, default_value_t = 2)]
        writers: usize,
        /// Working directory.
        #[arg(long, default_value = "bench-data/storage")]
        dir: PathBuf,
    },
    /// Loads the plant through COPY (embedded API and over the wire) and times the standard query set.
    Queries {
        /// Machines = 100 × scale.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Timed runs per query (after one warm-up).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Only queries whose names start with one of these (comma-separated).
        #[arg(long)]
        only: Option<String>,
        /// Port of the in-process server for the wire load.
        #[arg(long, default_value_t = 58804)]
        port: u16,
        /// Skip the load over the wire.
        #[arg(long)]
        no_wire: bool,
        /// Also time the queries over the wire (simple query protocol, tokio-postgres).
        #[arg(long)]
        wire_queries: bool,
        /// Durability while loading: sync, interval[:ms] or none.
        #[arg(long, default_value = "sync")]
        durability: String,
        /// Working directory.
        #[arg(long, default_value = "bench-data/queries")]
        dir: PathBuf,
    },
    /// Writes the plant's CSV files (for the peers).
    Csv {
        /// Machines = 100 × scale.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Output directory.
        #[arg(long, default_value = "bench-data/csv")]
        out: PathBuf,
    },
}

fn main() -> std::process::ExitCode {
    plantdb::tune_malloc();
    let args = Args::parse();
    match args.cmd {
        Cmd::Storage {
            scale,
            batch,
            writers,
            dir,
        } => {
            let t0 = std::time::Instant::now();
            let plant = generate(PlantConfig {
                scale,
                hours: 24,
                days: 1,
                seed: 7,
            });
            let Some(t) = plant.table("telemetry") else {
                return std::process::ExitCode::FAILURE;
            };
            eprintln!(
                "generated {} telemetry rows in {:.1} s",
                t.rows(),
                t0.elapsed().as_secs_f64()
            );
            match plantdb_benches::storage_bench::run(t, &dir, batch, writers) {
                Ok(r) => {
                    let rows = r.rows as f64;
                    println!("| metric | value |");
                    println!("|---|---|");
                    println!("| telemetry rows | {} |", r.rows);
                    println!(
                        "| ingest at sync ({} writers × {} rows/append), incl. final checkpoint | {:.2} s = {:.2} M rows/s |",
                        r.writers,
                        r.batch_rows,
                        r.ingest_s,
                        rows / r.ingest_s / 1e6
                    );
                    println!(
                        "| bytes on disk after checkpoint | {} = {:.2} B/row |",
                        r.bytes_checkpoint,
                        r.bytes_checkpoint as f64 / rows
                    );
                    println!(
                        "| bytes on disk after compaction | {} = {:.2} B/row |",
                        r.bytes_compacted,
                        r.bytes_compacted as f64 / rows
                    );
                    println!(
                        "| full-scan decode, 1 core ({} values) | {:.0} M values/s |",
                        r.decoded_values,
                        r.decode_values_per_s / 1e6
                    );
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Cmd::Queries {
            scale,
            runs,
            only,
            port,
            no_wire,
            wire_queries,
            durability,
            dir,
        } => {
            let Some(durability) = plantdb_storage::Durability::parse(&durability) else {
                eprintln!("error: invalid durability \"{durability}\": use sync, interval[:ms] or none");
                return std::process::ExitCode::FAILURE;
            };
            let t0 = std::time::Instant::now();
            let plant = generate(PlantConfig {
                scale,
                ..PlantConfig::default()
            });
            eprintln!("generated the plant in {:.1} s", t0.elapsed().as_secs_f64());
            let cfg = QueryBenchConfig {
                runs,
                only: only.as_deref(),
                wire_port: (!no_wire).then_some(port),
                durability,
                wire_queries: wire_queries && !no_wire,
            };
            match plantdb_benches::query_bench::run(&plant, &dir, &cfg) {
                Ok(r) => {
                    plantdb_benches::query_bench::print(&r, runs);
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {} {}", e.code, e.message);
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Cmd::Csv { scale, out } => {
            let plant = generate(PlantConfig {
                scale,
                ..PlantConfig::default()
            });
            match plant.write_csv(&out) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}
