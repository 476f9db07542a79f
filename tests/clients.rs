//! Real PostgreSQL clients against `plantdb serve`: each client script's transcript must equal
//! the one recorded from PostgreSQL 15 running the same script (tests/clients/record-expected.sh
//! records them; the scripts differ between the two targets only in plantdb's time-series clause
//! of CREATE TABLE). Covered: psql 15 meta-commands and `\copy`, psycopg 3, psycopg2 with
//! SQLAlchemy 2 and pandas, asyncpg, pgjdbc, node-postgres and psqlODBC through isql.
//!
//! The clients come from Debian, PyPI (the virtualenv `.ci/venv`) and npm
//! (tests/clients/node/node_modules), all installed by `.ci/run`. A missing client fails its
//! test when `CI` is set and is skipped with a message otherwise.
mod serve;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serve::{Server, assert_transcript, python, python_has, repo, require, run_client, which};

fn clients() -> PathBuf {
    repo().join("tests/clients")
}

/// A client command with the environment the recordings were made in.
fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    c.env("TZ", "UTC").env("PGTZ", "UTC").env_remove("PGOPTIONS");
    c
}

/// Runs a Python client script (tests/clients/python/NAME_client.py) and compares its output.
fn python_client(name: &str, modules: &[&str]) {
    if !require(
        python_has(modules),
        &format!("Python with {}", modules.join(", ")),
        ".ci/venv from .ci/requirements.txt",
    ) {
        return;
    }
    let server = Server::start();
    let dir = clients().join("python");
    let out = run_client(
        command(python())
            .current_dir(&dir)
            .arg(format!("{name}_client.py"))
            .args(["127.0.0.1", &server.port.to_string(), "plantdb"]),
        Duration::from_secs(180),
        &server,
    );
    assert_transcript(&out, &dir.join(format!("expected/{name}.out")));
}

#[test]
fn psycopg3() {
    python_client("psycopg3", &["psycopg"]);
}

#[test]
fn psycopg2_sqlalchemy_pandas() {
    python_client("psycopg2", &["psycopg2", "sqlalchemy", "pandas"]);
}

#[test]
fn asyncpg() {
    python_client("asyncpg", &["asyncpg"]);
}

/// A client driven by tests/clients/NAME/run.sh HOST PORT TARGET.
fn script_client(name: &str, tools: &[&str], ready: bool, ci_step: &str) {
    let found = ready && tools.iter().all(|t| which(t).is_some());
    if !require(found, &format!("{name} ({})", tools.join(", ")), ci_step) {
        return;
    }
    let server = Server::start();
    let dir = clients().join(name);
    let out = run_client(
        command(dir.join("run.sh")).args(["127.0.0.1", &server.port.to_string(), "plantdb"]),
        Duration::from_secs(240),
        &server,
    );
    assert_transcript(&out, &dir.join("expected.out"));
}

#[test]
fn pgjdbc() {
    let jar = std::env::var_os("PLANTDB_JDBC_JAR")
        .map_or_else(|| PathBuf::from("/usr/share/java/postgresql.jar"), PathBuf::from);
    script_client(
        "jdbc",
        &["javac", "java"],
        jar.is_file(),
        "apt: default-jdk-headless, libpostgresql-jdbc-java",
    );
}

#[test]
fn node_postgres() {
    let installed = clients().join("node/node_modules/pg/package.json").is_file();
    script_client(
        "node",
        &["node"],
        installed,
        "apt: nodejs, npm; npm install in tests/clients/node",
    );
}

#[test]
fn psqlodbc_isql() {
    let driver = std::env::var_os("PLANTDB_ODBC_DRIVER").map_or_else(
        || PathBuf::from("/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"),
        PathBuf::from,
    );
    script_client(
        "odbc",
        &["isql"],
        driver.is_file(),
        "apt: odbc-postgresql, unixodbc",
    );
}

/// psql 15: `\l`, `\dn`, `\dt`, `\d`, `\d+`, `\dv`, `\df`, `\x` and `\copy` in both directions
/// print what they print against PostgreSQL 15 (owners aside: the recording makes PostgreSQL's
/// public schema belong to `plantdb` and drops its other databases).
#[test]
fn psql_meta_commands() {
    let psql = which("psql");
    if !require(psql.is_some(), "psql", "apt: postgresql-client-15") {
        return;
    }
    let server = Server::start();
    let dir = clients().join("psql");
    let psql = |args: &[&str]| {
        let mut c = command("psql");
        c.current_dir(&dir)
            .args([
                "-X",
                "-h",
                "127.0.0.1",
                "-p",
                &server.port.to_string(),
                "-U",
                "plantdb",
                "-d",
                "plantdb",
            ])
            .args(args);
        c
    };
    run_client(
        &mut psql(&["-q", "-v", "target=plantdb", "-f", "setup.sql"]),
        Duration::from_secs(60),
        &server,
    );
    let mut meta = psql(&["-a", "-f", "meta.psql"]);
    let output = meta
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run psql");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "psql failed or printed errors:\n{stderr}\n--- server log\n{}",
        server.log()
    );
    assert_transcript(
        &String::from_utf8_lossy(&output.stdout),
        &dir.join("expected.out"),
    );
}
