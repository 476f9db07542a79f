//! Helpers shared by the client, load and fuzz tests: a `plantdb serve` process on a free
//! loopback port over a temporary data directory, and lookup of the client tools that `.ci/run`
//! installs.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "plantdb-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create a temporary directory");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `plantdb serve` child process.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    /// Port it listens on (127.0.0.1).
    pub port: u16,
    /// Its data directory.
    pub data: Arc<TempDir>,
    durability: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// A server over a new data directory, durability `none` (fast; the load test asks for
    /// `sync`).
    pub fn start() -> Server {
        Server::start_with(Arc::new(TempDir::new("srv")), "none")
    }

    /// A server over `data` with the given durability.
    pub fn start_with(data: Arc<TempDir>, durability: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plantdb"))
            .arg("serve")
            .arg("--data")
            .arg(data.path())
            .args(["--listen", "127.0.0.1:0", "--durability", durability])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start plantdb serve");
        let stderr = child.stderr.take().expect("server stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("plantdb: listening on ")
                    && let Some(t) = tx.take()
                {
                    let port = addr
                        .split_whitespace()
                        .next()
                        .and_then(|a| a.rsplit(':').next())
                        .and_then(|p| p.parse::<u16>().ok());
                    let _ = t.send(port);
                }
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                let _ = child.kill();
                let l = log.lock().map(|l| l.join("\n")).unwrap_or_default();
                unreachable_server(&l)
            });
        Server {
            child: Some(child),
            port,
            data,
            durability: durability.into(),
            log,
        }
    }

    /// Process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, |c| c.id())
    }

    /// Whether the process still runs.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Resident memory (VmRSS) in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// libpq-style connection string.
    pub fn conn_str(&self) -> String {
        format!("host=127.0.0.1 port={} user=plantdb dbname=plantdb", self.port)
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    /// SIGTERM, then waits for a graceful exit (SIGKILL after 30 s).
    pub fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if let Ok(Some(st)) = child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait().ok();
        None
    }

    /// SIGKILL (a crash), waiting for the process to disappear.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A new server process over the same data directory.
    pub fn restart(&mut self) -> Server {
        self.stop();
        Server::start_with(self.data.clone(), &self.durability)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn unreachable_server(log: &str) -> u16 {
    #[expect(clippy::panic, reason = "test helper: the test cannot go on without a server")]
    {
        panic!("plantdb serve did not report its address; its stderr:\n{log}")
    }
}

/// Whether this is a CI run (`CI` set to anything but `0`/`false`): there a missing client
/// tool fails its test, since `.ci/run` installs them all.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Returns true when the client tool is there. Otherwise fails the test under CI and, in local
/// runs, prints why the test is skipped and returns false. `what` names the tool; `ci_step`
/// says how `.ci/run` installs it.
pub fn require(found: bool, what: &str, ci_step: &str) -> bool {
    if found {
        return true;
    }
    if !in_ci() {
        eprintln!(
            "SKIPPED: {what} is not installed (`.ci/run` installs it: {ci_step}; CI=1 makes this fail)"
        );
        return false;
    }
    #[expect(
        clippy::panic,
        reason = "test helper: a missing client must fail the test under CI"
    )]
    {
        panic!("{what} is not installed; `.ci/run` installs it ({ci_step})")
    }
}

/// An executable on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The Python interpreter of the client virtualenv `.ci/run` creates (`.ci/venv`), or
/// `PLANTDB_PYTHON`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("PLANTDB_PYTHON") {
        return PathBuf::from(p);
    }
    repo().join(".ci/venv/bin/python")
}

/// Whether `python` can import all of `modules`.
pub fn python_has(modules: &[&str]) -> bool {
    let py = python();
    if !py.is_file() {
        return false;
    }
    let code = modules
        .iter()
        .map(|m| format!("import {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    Command::new(&py)
        .args(["-c", &code])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a client and returns its standard output; fails the test (showing stderr and the
/// server's log) when the client fails or runs longer than `limit`.
pub fn run_client(cmd: &mut Command, limit: Duration, server: &Server) -> String {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the client");
    let stdout = child.stdout.take().expect("client stdout");
    let stderr = child.stderr.take().expect("client stderr");
    let out_t = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err_t = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let until = Instant::now() + limit;
    let status = loop {
        if let Ok(Some(st)) = child.try_wait() {
            break Some(st);
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = out_t.join().unwrap_or_default();
    let err = err_t.join().unwrap_or_default();
    assert!(
        status.is_some_and(|s| s.success()),
        "client {:?} {}\n--- stdout\n{out}\n--- stderr\n{err}\n--- server log\n{}",
        cmd.get_program(),
        match status {
            None => format!("ran longer than {limit:?}"),
            Some(s) => format!("failed: {s}"),
        },
        server.log()
    );
    out
}

/// Compares a client's transcript with the expected one, line by line, ignoring trailing
/// whitespace; the message shows every differing line.
pub fn assert_transcript(actual: &str, expected_file: &Path) {
    let expected = std::fs::read_to_string(expected_file)
        .unwrap_or_else(|e| format!("<cannot read {}: {e}>", expected_file.display()));
    let a: Vec<&str> = actual.lines().map(str::trim_end).collect();
    let e: Vec<&str> = expected
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.starts_with("##"))
        .collect();
    let mut diffs = Vec::new();
    for i in 0..a.len().max(e.len()) {
        let (x, y) = (a.get(i).copied(), e.get(i).copied());
        if x != y {
            diffs.push(format!(
                "line {}:\n  expected: {}\n  actual:   {}",
                i + 1,
                y.unwrap_or("<none>"),
                x.unwrap_or("<none>")
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "transcript differs from {} ({} lines):\n{}\n--- full actual output\n{actual}",
        expected_file.display(),
        diffs.len(),
        diffs.join("\n")
    );
}
