//! The `plantdb` binary: `plantdb serve` runs the PostgreSQL-protocol server; `plantdb sql`
//! runs statements against a data directory and prints them like psql.
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use plantdb::storage::Durability;
use plantdb::{Database, Options};
use plantdb_server::{AuthMode, Server, ServerConfig};

#[derive(Parser, Debug)]
#[command(name = "plantdb", version, about = "Time-series database for manufacturing")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the PostgreSQL wire protocol.
    Serve(ServeArgs),
    /// Run SQL against a data directory and print the results.
    Sql(SqlArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Auth {
    /// No password for anyone (remote connections included).
    Trust,
    /// SCRAM-SHA-256 for every connection, loopback included.
    Scram,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Data directory (created on first start).
    #[arg(long, default_value = "./plantdb-data")]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5432")]
    listen: String,
    /// When writes are acknowledged: sync, interval[:ms] or none.
    #[arg(long, default_value = "sync", value_parser = parse_durability)]
    durability: Durability,
    /// Most concurrent connections.
    #[arg(long, default_value_t = 100)]
    max_connections: usize,
    /// PEM certificate (chain) for SSL.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for SSL.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Sets the password of the built-in superuser "plantdb" at start.
    #[arg(long)]
    password: Option<String>,
    /// Authentication. Default: loopback connections are trusted, others need SCRAM-SHA-256.
    #[arg(long, value_enum)]
    auth: Option<Auth>,
    /// Load the demo plant.
    #[arg(long)]
    demo: bool,
}

#[derive(clap::Args, Debug)]
struct SqlArgs {
    /// Data directory.
    #[arg(long, default_value = "./plantdb-data")]
    data: PathBuf,
    /// SQL to run (read from standard input when absent).
    #[arg(short = 'c', long = "command")]
    command: Vec<String>,
}

fn parse_durability(s: &str) -> Result<Durability, String> {
    Durability::parse(s).ok_or_else(|| format!("invalid durability \"{s}\": use sync, interval[:ms] or none"))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn main() -> ExitCode {
    plantdb::tune_malloc();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(a) => serve(a),
        Command::Sql(a) => sql(a),
    }
}

fn sql(a: SqlArgs) -> ExitCode {
    let db = match Database::open(&a.data) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("plantdb: cannot open {}: {}", a.data.display(), e.message);
            return ExitCode::FAILURE;
        }
    };
    let mut conn = db.connect();
    let mut ok = true;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let commands = if a.command.is_empty() {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            eprintln!("plantdb: reading standard input: {e}");
            return ExitCode::FAILURE;
        }
        vec![s]
    } else {
        a.command
    };
    for c in &commands {
        match plantdb_server::psql::run_sql(conn.session(), c, std::io::stdin(), &mut out, &mut err) {
            Ok(true) => {}
            Ok(false) => {
                ok = false;
                break;
            }
            Err(e) => {
                eprintln!("plantdb: {e}");
                ok = false;
                break;
            }
        }
    }
    if let Err(e) = db.close() {
        eprintln!("plantdb: closing: {}", e.message);
        ok = false;
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn serve(a: ServeArgs) -> ExitCode {
    let db = match Database::open_with(
        &a.data,
        Options {
            durability: a.durability,
            ..Options::default()
        },
    ) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("plantdb: cannot open {}: {}", a.data.display(), e.message);
            return ExitCode::FAILURE;
        }
    };
    if a.demo {
        let mut conn = db.connect();
        let start = std::time::Instant::now();
        let loaded = plantdb::demo::demo_loaded(&mut conn).and_then(|done| {
            if done {
                Ok(None)
            } else {
                plantdb::load_demo(&mut conn, plantdb::DemoConfig::default()).map(Some)
            }
        });
        match loaded {
            Ok(Some(rows)) => eprintln!(
                "plantdb: demo plant loaded ({rows} rows in {:.1} s)",
                start.elapsed().as_secs_f64()
            ),
            Ok(None) => eprintln!("plantdb: demo plant already loaded"),
            Err(e) => {
                eprintln!("plantdb: loading the demo plant: {}", e.message);
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(pw) = &a.password {
        let r = db
            .connect()
            .execute(&format!("ALTER ROLE plantdb PASSWORD {}", quote_literal(pw)));
        if let Err(e) = r {
            eprintln!("plantdb: setting the password: {}", e.message);
            return ExitCode::FAILURE;
        }
    }
    let config = ServerConfig {
        listen: a.listen.clone(),
        max_connections: a.max_connections,
        tls_cert: a.tls_cert,
        tls_key: a.tls_key,
        auth: match a.auth {
            None => AuthMode::LoopbackTrust,
            Some(Auth::Trust) => AuthMode::Trust,
            Some(Auth::Scram) => AuthMode::Scram,
        },
        ..ServerConfig::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("plantdb: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let server = Server::bind(db.engine().clone(), config).await?;
        let addr = server.local_addr()?;
        eprintln!("plantdb: listening on {addr} (data {})", a.data.display());
        let handle = server.shutdown_handle();
        tokio::spawn(async move {
            wait_for_signal().await;
            eprintln!("plantdb: shutting down");
            handle.shutdown();
        });
        server.run().await
    });
    runtime.shutdown_timeout(Duration::from_secs(5));
    let mut code = ExitCode::SUCCESS;
    if let Err(e) = served {
        eprintln!("plantdb: {e}");
        code = ExitCode::FAILURE;
    }
    if let Err(e) = db.close() {
        eprintln!("plantdb: checkpoint failed: {}", e.message);
        code = ExitCode::FAILURE;
    }
    code
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
