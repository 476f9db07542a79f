#!/usr/bin/env python3
"""Issue 4's COPY benchmark: the scale-1 telemetry CSV loaded over one connection.

plantdb: a fresh `plantdb serve` (durability sync) per run, the table created with its time-series
options, then `psql -c "\\copy telemetry FROM '<csv>' (FORMAT csv, HEADER)"` (psql sends
`COPY telemetry FROM STDIN` and streams the file), timed around psql; the server's CPU time is
read from /proc. DuckDB (if installed): `COPY telemetry FROM '<csv>' (HEADER)` + `CHECKPOINT` into
a fresh database file with 2 threads. Runs alternate between the two engines; the medians and
the rate ratio are printed.

    python3 benches/compare/copy_telemetry.py --csv bench-data/csv/telemetry.csv \\
        --plantdb-bin target/release/plantdb --runs 5
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

DDL = ("CREATE TABLE telemetry (ts timestamp NOT NULL, machine_id text, state text, spindle_rpm int, "
       "temperature_c float8, vibration_mm_s float8, power_kw float8, part_count bigint, scrap_count bigint)")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"plantdb did not listen on {port}")


def plantdb_run(a, work):
    data = os.path.join(work, "plantdb")
    shutil.rmtree(data, ignore_errors=True)
    proc = subprocess.Popen([a.plantdb_bin, "serve", "--data", data, "--listen", f"127.0.0.1:{a.port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(a.port)
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(a.port), "-U", "plantdb",
                "plantdb"]
        subprocess.run(psql + ["-c", DDL + " WITH (timestamp = 'ts', tags = 'machine_id')"], check=True)
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.perf_counter()
        subprocess.run(psql + ["-c", f"\\copy telemetry FROM '{a.csv}' (FORMAT csv, HEADER)"], check=True,
                       stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        out = subprocess.run(psql + ["-At", "-c", "SELECT count(*) FROM telemetry"], check=True,
                             capture_output=True, text=True).stdout.strip()
        return wall, cpu, int(out)
    finally:
        proc.terminate()
        proc.wait()


def duckdb_run(a, work):
    import duckdb
    path = os.path.join(work, "duck.duckdb")
    for f in (path, path + ".wal"):
        if os.path.exists(f):
            os.remove(f)
    c = duckdb.connect(path)
    c.execute("SET threads TO 2")
    c.execute(DDL.replace(" NOT NULL", ""))
    t0 = time.perf_counter()
    c.execute(f"COPY telemetry FROM '{a.csv}' (HEADER)")
    c.execute("CHECKPOINT")
    wall = time.perf_counter() - t0
    rows = c.execute("SELECT count(*) FROM telemetry").fetchone()[0]
    c.close()
    return wall, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", default="bench-data/csv/telemetry.csv")
    ap.add_argument("--plantdb-bin", default="target/release/plantdb")
    ap.add_argument("--port", type=int, default=58761)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", default=None, help="scratch directory (default: a temporary one)")
    a = ap.parse_args()
    a.csv = os.path.abspath(a.csv)
    try:
        import duckdb  # noqa: F401
        have_duck = True
    except ImportError:
        have_duck = False
        print("duckdb not installed: plantdb only", file=sys.stderr)
    work = a.workdir or tempfile.mkdtemp(prefix="plantdb-copy-")
    os.makedirs(work, exist_ok=True)
    size = os.path.getsize(a.csv)
    print(f"{a.csv}: {size / 1e6:.1f} MB; 1-min load average {os.getloadavg()[0]:.1f}")
    print("| run | plantdb wall s | plantdb server CPU s | rows | duckdb wall s | rows |")
    print("|---|---|---|---|---|---|")
    pw, dw = [], []
    for r in range(a.runs):
        wall, cpu, rows = plantdb_run(a, work)
        pw.append(wall)
        d = ("", "")
        if have_duck:
            dwall, drows = duckdb_run(a, work)
            dw.append(dwall)
            d = (f"{dwall:.2f}", str(drows))
        print(f"| {r + 1} | {wall:.2f} | {cpu:.2f} | {rows} | {d[0]} | {d[1]} |", flush=True)
    pm = statistics.median(pw)
    line = f"plantdb median {pm:.2f} s = {size / pm / 1e6:.0f} MB/s"
    if dw:
        dm = statistics.median(dw)
        line += f"; duckdb median {dm:.2f} s = {size / dm / 1e6:.0f} MB/s; plantdb's rate = {dm / pm:.2f}x DuckDB's"
    print(line)
    print(f"1-min load average at the end {os.getloadavg()[0]:.1f}")
    if not a.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
