#!/usr/bin/env python3
"""Side-by-side benchmark: plantdb (over its PostgreSQL wire server) against the installed peers.

Loads the same CSV files (written by `plantbench csv`) into every engine, runs the same query set
(queries.py: TSBS-shaped q1..q8 and domain queries d1..d6), checks that every engine's answers agree
with PostgreSQL's (the reference; floats to a relative 1e-9), and prints per query each engine's
median latency and plantdb's ratio to the fastest peer, then load time and bytes on disk.

Engines (each optional; an engine whose module or binary is missing is skipped with a note):
  duckdb    python `duckdb`, a file database, 2 threads, native CSV reader
  chdb      python `chdb` (embedded ClickHouse), MergeTree ordered by (tag, ts), OPTIMIZE FINAL
  postgres  a throwaway PostgreSQL 15 cluster (initdb/pg_ctl, run as user `postgres` when root),
            loaded with COPY FROM STDIN through psycopg, index on (tag, ts), VACUUM ANALYZE
  plantdb   the `plantdb serve` binary on a fresh data directory, loaded with COPY FROM STDIN
            through psycopg with the time-series options, then CHECKPOINT

Provenance: engine adapters follow /work/shared/bench/peers.py and compare.py (the shared
workload tooling); the query texts are in queries.py, copied from there.

usage:
  python3 benches/compare/compare.py --data bench-data/csv --plantdb-bin target/release/plantdb
  python3 benches/compare/compare.py ... --engines plantdb,duckdb --only q1,q6 --runs 7
  python3 benches/compare/compare.py ... --reuse --only d4 --merge run1.json --json run2.json
      # time queries again on the state an earlier run left in --workdir, replacing those entries
Timing: every engine is loaded first (one after the other; load times are not interleaved), then
per query each engine runs it once to warm up and the --runs timed runs go round the engines, so
that a busy shared machine slows all engines alike (--sequential: one engine after the other).
The median is reported. A query whose warm-up takes longer than --slow seconds is timed once more
only (PostgreSQL's slowest take ~10-45 s).
"""
import argparse
import datetime
import decimal
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from queries import Q, SCHEMA  # noqa: E402

TABLES = ["machines", "specs", "shifts", "orders", "operations", "production", "weather",
          "measurements", "meters", "telemetry"]
# Tag column of each time-series table (plantdb's WITH options, chDB's ORDER BY, PG's index).
TAGS = {"telemetry": "machine_id", "meters": "meter_id", "measurements": "machine_id",
        "weather": "site_id", "production": "site_id"}
# plantdb's partition width for the tables that span a year (as `plantbench` declares them,
# src/plant/tables.rs): day partitions would cut them into 365 parts of a few hundred rows.
PARTITION = {"meters": "30 days", "weather": "30 days", "production": "30 days"}
PEERS = ["duckdb", "chdb", "postgres"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def copy_file(cur, table, path):
    with open(path, "rb") as f, cur.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as cp:
        while chunk := f.read(1 << 20):
            cp.write(chunk)


# ------------------------------------------------------------------------------------------------
# Engines: load(csv_dir), size() -> bytes, query(sql) -> rows, variant(q) -> sql, close().

class Duck:
    name = "duckdb"

    def __init__(self, a):
        import duckdb
        self.path = os.path.join(a.workdir, "duckdb", "bench.duckdb")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        if not a.reuse and os.path.exists(self.path):
            os.remove(self.path)
        self.c = duckdb.connect(self.path)
        self.c.execute(f"SET threads TO {a.threads}")

    def load(self, d):
        for t in TABLES:
            cols = ", ".join(f"{c} {ty.replace('float8', 'DOUBLE')}" for c, ty in SCHEMA[t])
            self.c.execute(f"CREATE TABLE {t} ({cols})")
            self.c.execute(f"COPY {t} FROM '{d}/{t}.csv' (HEADER)")
        self.c.execute("CHECKPOINT")

    def size(self):
        return os.path.getsize(self.path) + (os.path.getsize(self.path + ".wal") if os.path.exists(self.path + ".wal") else 0)

    def telemetry_size(self):
        return None  # DuckDB keeps every table in one file; no per-table byte count

    def query(self, sql):
        return self.c.execute(sql).fetchall()

    def variant(self, q):
        return q.get("duck", q["pg"])

    def close(self):
        self.c.close()


class Ch:
    name = "chdb"

    def __init__(self, a):
        from chdb import session
        self.path = os.path.join(a.workdir, "chdb")
        if not a.reuse:
            shutil.rmtree(self.path, ignore_errors=True)
        self.s = session.Session(self.path)
        self.threads = a.threads
        if a.reuse:
            self.s.query("USE b")

    def load(self, d):
        tymap = {"text": "LowCardinality(String)", "float8": "Float64", "bigint": "Int64", "timestamp": "DateTime"}
        self.s.query("CREATE DATABASE IF NOT EXISTS b ENGINE = Atomic")
        for t in TABLES:
            cols = ", ".join(f"{c} {tymap[ty]}" for c, ty in SCHEMA[t])
            order = f"({TAGS[t]}, ts)" if t in TAGS else "tuple()"
            self.s.query(f"CREATE TABLE b.{t} ({cols}) ENGINE = MergeTree ORDER BY {order}")
            self.s.query(f"INSERT INTO b.{t} SELECT * FROM file('{os.path.abspath(d)}/{t}.csv', CSVWithNames)")
        self.s.query("OPTIMIZE TABLE b.telemetry FINAL")
        self.s.query("USE b")

    def size(self):
        r = self.s.query("SELECT sum(bytes_on_disk) FROM system.parts WHERE database='b' AND active", "CSV")
        return int(str(r).strip())

    def telemetry_size(self):
        r = self.s.query("SELECT sum(bytes_on_disk) FROM system.parts WHERE database='b' AND table='telemetry' "
                         "AND active", "CSV")
        return int(str(r).strip())

    def query(self, sql):
        settings = f" SETTINGS max_threads = {self.threads}, output_format_json_quote_64bit_integers = 0"
        r = self.s.query(sql + settings, "JSONCompact")
        return json.loads(str(r))["data"] if str(r).strip() else []

    def variant(self, q):
        return q.get("ch", q["pg"])

    def close(self):
        self.s.close()


def as_postgres(cmd):
    """Runs a PostgreSQL server binary as user postgres when we are root (initdb refuses root)."""
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.geteuid() == 0 else cmd


class PgWire:
    """What the two PostgreSQL-protocol engines share: a psycopg connection `self.c`."""

    def telemetry_size(self):
        cur = self.c.cursor()
        cur.execute("SELECT pg_total_relation_size('telemetry')")
        return int(cur.fetchone()[0])

    def query(self, sql):
        cur = self.c.cursor()
        cur.execute(sql)
        return cur.fetchall()


class Pg(PgWire):
    name = "postgres"
    SETTINGS = {"shared_buffers": "2GB", "work_mem": "256MB", "maintenance_work_mem": "1GB",
                "max_wal_size": "8GB", "max_parallel_workers_per_gather": "2", "jit": "off",
                "listen_addresses": "'127.0.0.1'", "unix_socket_directories": "''"}

    def __init__(self, a):
        import psycopg
        self.a = a
        self.data = os.path.join(a.workdir, "pg15")
        pg_ctl = os.path.join(a.pg_bin, "pg_ctl")
        if not os.path.exists(pg_ctl):
            raise RuntimeError(f"{pg_ctl} not found")
        self.stop_quietly()  # a cluster left running by an interrupted run
        if not a.reuse:
            shutil.rmtree(self.data, ignore_errors=True)
            os.makedirs(self.data)
            if os.geteuid() == 0:
                shutil.chown(self.data, "postgres", "postgres")
            subprocess.run(as_postgres([os.path.join(a.pg_bin, "initdb"), "-D", self.data, "-U", "postgres",
                                        "--auth=trust", "-E", "UTF8", "--locale=C"]),
                           check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
                for k, v in self.SETTINGS.items():
                    f.write(f"{k} = {v}\n")
                f.write(f"port = {a.pg_port}\n")
        subprocess.run(as_postgres([pg_ctl, "-D", self.data, "-w", "-l", os.path.join(self.data, "server.log"),
                                    "start"]), check=True, stdout=subprocess.DEVNULL)
        self.c = psycopg.connect(f"host=127.0.0.1 port={a.pg_port} user=postgres dbname=postgres", autocommit=True)

    def stop_quietly(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(as_postgres([os.path.join(self.a.pg_bin, "pg_ctl"), "-D", self.data, "-m", "fast",
                                        "stop"]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def load(self, d):
        cur = self.c.cursor()
        for t in TABLES:
            cols = ", ".join(f"{c} {ty}" for c, ty in SCHEMA[t])
            cur.execute(f"CREATE TABLE {t} ({cols})")
            copy_file(cur, t, f"{d}/{t}.csv")
        cur.execute("CREATE INDEX ON telemetry (machine_id, ts)")
        cur.execute("CREATE INDEX ON meters (meter_id, ts)")
        cur.execute("VACUUM ANALYZE")

    def settle(self):
        self.c.cursor().execute("CHECKPOINT")

    def size(self):
        cur = self.c.cursor()
        cur.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
        return int(cur.fetchone()[0])

    def variant(self, q):
        return q["pg"]

    def close(self):
        self.c.close()
        self.stop_quietly()


class PlantDb(PgWire):
    name = "plantdb"

    def __init__(self, a):
        import psycopg
        self.a = a
        self.data = os.path.join(a.workdir, "plantdb")
        if not os.path.exists(a.plantdb_bin):
            raise RuntimeError(f"{a.plantdb_bin} not found (build with cargo build --release)")
        if not a.reuse:
            shutil.rmtree(self.data, ignore_errors=True)
        self.log = open(os.path.join(a.workdir, "plantdb-server.log"), "ab")
        self.proc = subprocess.Popen([a.plantdb_bin, "serve", "--data", self.data,
                                      "--listen", f"127.0.0.1:{a.plantdb_port}", "--durability", a.durability],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while True:
            try:
                self.c = psycopg.connect(f"host=127.0.0.1 port={a.plantdb_port} user=plantdb dbname=plantdb",
                                         autocommit=True)
                break
            except psycopg.OperationalError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("plantdb server did not start; see plantdb-server.log")
                time.sleep(0.2)

    def load(self, d):
        cur = self.c.cursor()
        for t in TABLES:
            cols = ", ".join(f"{c} {ty}" for c, ty in SCHEMA[t])
            part = f", partition = '{PARTITION[t]}'" if t in PARTITION else ""
            opts = f" WITH (timestamp = 'ts', tags = '{TAGS[t]}'{part})" if t in TAGS else ""
            cur.execute(f"CREATE TABLE {t} ({cols}){opts}")
            copy_file(cur, t, f"{d}/{t}.csv")
        cur.execute("CHECKPOINT")

    def size(self):
        return dir_bytes(self.data)

    def variant(self, q):
        return q.get("plantdb", q["pg"])

    def close(self):
        self.c.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


ENGINES = {"duckdb": Duck, "chdb": Ch, "postgres": Pg, "plantdb": PlantDb}


# ------------------------------------------------------------------------------------------------
# Answers: normalise, then compare with a relative tolerance.

def norm(v):
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, datetime.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def close(a, b, rtol):
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        a, b = float(a), float(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return a == b or abs(a - b) <= rtol * max(abs(a), abs(b))
    return a == b


def diff(ref, got, rtol):
    """None when `got` matches `ref`, else a short description of the first difference."""
    if len(ref) != len(got):
        return f"{len(got)} rows, reference has {len(ref)}"
    for i, (r, g) in enumerate(zip(ref, got)):
        if len(r) != len(g):
            return f"row {i}: {len(g)} columns, reference has {len(r)}"
        for j, (x, y) in enumerate(zip(r, g)):
            if not close(x, y, rtol):
                return f"row {i} col {j}: {y!r}, reference {x!r}"
    return None


# ------------------------------------------------------------------------------------------------

def settle(eng):
    """After a load, outside its timing: the engine's and the kernel's pending writes reach the
    disk, so that they do not fall on the next engine's load (PostgreSQL's checkpoint of a
    gigabyte of fresh pages would otherwise run during it)."""
    if hasattr(eng, "settle"):
        eng.settle()
    os.sync()
    time.sleep(2)


def open_engine(name, a):
    """Starts an engine and loads it (unless --reuse); returns (engine or None, result record)."""
    res = {"engine": name, "queries": {}, "loadavg_start": os.getloadavg()[0]}
    try:
        eng = ENGINES[name](a)
    except Exception as e:  # a missing module, binary or port conflict skips the engine
        log(f"{name}: skipped ({type(e).__name__}: {e})")
        res["skipped"] = str(e)
        return None, res
    if not a.reuse:
        try:
            t0 = time.perf_counter()
            eng.load(a.data)
            res["load_s"] = time.perf_counter() - t0
            res["bytes"] = eng.size()
            res["telemetry_bytes"] = eng.telemetry_size()
            log(f"{name}: load {res['load_s']:.2f} s, {res['bytes'] / 1e6:.1f} MB")
            settle(eng)
        except Exception as e:
            log(f"{name}: load failed ({type(e).__name__}: {e})")
            res["skipped"] = f"load failed: {e}"
            eng.close()
            return None, res
    return eng, res


def time_queries(engines, results, a, only):
    """Times every selected query on every open engine.

    Interleaved (the default): per query, each engine warms up once, then the timed runs go round
    the engines (run 1 on every engine, run 2 on every engine, ...), so that background load on a
    shared machine falls on all engines alike. `--sequential` runs each engine's whole query set in
    turn instead.
    """
    names = [q for q in Q if not only or any(q.startswith(o) for o in only)]
    order = [[(n, q) for n in engines] for q in names] if not a.sequential else [[(n, q)] for n in engines for q in names]
    for group in order:
        runs, times, rows = {}, {}, {}
        for n, q in group:
            eng = engines[n]
            try:
                t0 = time.perf_counter()
                rows[n] = eng.query(eng.variant(Q[q]))
                runs[n] = a.runs if time.perf_counter() - t0 < a.slow else 1
                times[n] = []
            except Exception as e:
                results[n]["queries"][q] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
                log(f"  {n} {q}: ERROR {str(e)[:200]}")
        for r in range(max(runs.values(), default=0)):
            for n, q in group:
                if r < runs.get(n, 0):
                    eng = engines[n]
                    try:
                        t0 = time.perf_counter()
                        rows[n] = eng.query(eng.variant(Q[q]))
                        times[n].append(time.perf_counter() - t0)
                    except Exception as e:  # an error in a timed run voids the engine's timing
                        results[n]["queries"][q] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
                        log(f"  {n} {q}: ERROR {str(e)[:200]}")
                        runs[n], times[n] = 0, []
        for n, q in group:
            if n in times and times[n]:
                med = statistics.median(times[n]) * 1000
                results[n]["queries"][q] = {"median_ms": med, "times_ms": [t * 1000 for t in times[n]],
                                            "rows": [[norm(v) for v in row] for row in rows[n]]}
                log(f"  {n} {q}: {med:.1f} ms, {len(rows[n])} rows")


def fmt_ms(q):
    if q is None:
        return "–"
    if "error" in q:
        return "error"
    ms = q["median_ms"]
    return f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def count_rows(path):
    """Data rows of a CSV file with a header."""
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            n += chunk.count(b"\n")
    return max(0, n - 1)


def report(results, rtol, names_order, telemetry_rows):
    present = [n for n in names_order if n in results and "skipped" not in results[n]]
    ref_name = "postgres" if "postgres" in present else None
    peers = [n for n in present if n in PEERS]
    out = []
    head = ["query"] + present + ["fastest peer", "plantdb / fastest", "answers vs PostgreSQL"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    names = list(dict.fromkeys(q for n in present for q in results[n]["queries"]))
    for qname in names:
        cells = [qname] + [fmt_ms(results[n]["queries"].get(qname)) for n in present]
        ok_peers = [(results[p]["queries"][qname]["median_ms"], p) for p in peers
                    if "median_ms" in results[p]["queries"].get(qname, {})]
        best = min(ok_peers) if ok_peers else None
        cells.append(f"{best[1]} {best[0]:.1f}" if best else "–")
        pq = results.get("plantdb", {}).get("queries", {}).get(qname, {})
        cells.append(f"{pq['median_ms'] / best[0]:.2f}" if best and "median_ms" in pq else "–")
        verdicts = []
        ref = results[ref_name]["queries"].get(qname, {}) if ref_name else {}
        for n in present:
            if n == ref_name:
                continue
            q = results[n]["queries"].get(qname, {})
            if "rows" not in q or "rows" not in ref:
                continue
            d = diff(ref["rows"], q["rows"], rtol)
            verdicts.append(f"{n} ok" if d is None else f"{n} DIFFERS: {d}")
        cells.append("; ".join(verdicts) if ref_name else "no reference")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append(f"| engine | load s | bytes on disk (all tables) | all bytes / telemetry row ({telemetry_rows} rows) "
               "| telemetry table alone, bytes / row | 1-min load average when its load started / at the end |")
    out.append("|---|---|---|---|---|---|")
    for n in present:
        r = results[n]
        la = f"{r.get('loadavg_start', float('nan')):.1f} / {r.get('loadavg_end', float('nan')):.1f}"
        if "load_s" in r:
            tb = r.get("telemetry_bytes")
            tcell = f"{tb / 1e6:.1f} MB = {tb / max(1, telemetry_rows):.2f}" if tb else "n/a"
            out.append(f"| {n} | {r['load_s']:.2f} | {r['bytes'] / 1e6:.1f} MB | "
                       f"{r['bytes'] / max(1, telemetry_rows):.2f} | {tcell} | {la} |")
        else:
            out.append(f"| {n} | (not loaded in this run) | | | | {la} |")
    return "\n".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(repo, "target"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(repo, "bench-data", "csv"), help="CSV directory (plantbench csv)")
    ap.add_argument("--engines", default="duckdb,chdb,postgres,plantdb")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query after one warm-up")
    ap.add_argument("--slow", type=float, default=5.0, help="warm-up seconds above which a query is timed once")
    ap.add_argument("--only", default="", help="comma-separated query name prefixes")
    ap.add_argument("--threads", type=int, default=2, help="threads for DuckDB and chDB")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--sequential", action="store_true",
                    help="time each engine's whole query set in turn instead of interleaving engines per query")
    ap.add_argument("--workdir", default="/tmp/plantdb-compare")
    ap.add_argument("--plantdb-bin", default=os.path.join(target, "release", "plantdb"))
    ap.add_argument("--plantdb-port", type=int, default=58804)
    ap.add_argument("--durability", default="sync", help="plantdb serve --durability")
    ap.add_argument("--pg-bin", default="/usr/lib/postgresql/15/bin")
    ap.add_argument("--pg-port", type=int, default=54404)
    ap.add_argument("--reuse", action="store_true", help="skip loading: reuse the state in --workdir")
    ap.add_argument("--json", default="", help="write every result (and the rows) to this file")
    ap.add_argument("--merge", default="", help="start from this earlier --json file (reruns replace its entries)")
    a = ap.parse_args()
    a.data = os.path.abspath(a.data)
    os.makedirs(a.workdir, exist_ok=True)
    only = [o for o in a.only.split(",") if o]
    names = [n for n in a.engines.split(",") if n]
    results = json.load(open(a.merge)) if a.merge else {}
    for n in names:
        if n not in ENGINES:
            sys.exit(f"unknown engine {n}; choose from {', '.join(ENGINES)}")
    engines, fresh = {}, {}
    try:
        for n in names:
            eng, r = open_engine(n, a)
            fresh[n] = r
            if eng is not None:
                engines[n] = eng
        time_queries(engines, fresh, a, only)
    finally:
        for eng in engines.values():
            eng.close()
    for n, r in fresh.items():
        r["loadavg_end"] = os.getloadavg()[0]
        old = results.get(n, {})
        if "skipped" not in r:
            old.setdefault("queries", {}).update(r["queries"])
            for k in ("load_s", "bytes", "telemetry_bytes", "loadavg_start", "loadavg_end"):
                if k in r:
                    old[k] = r[k]
            old.pop("skipped", None)
            results[n] = old
        elif n not in results:
            results[n] = r
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f)
    rows = count_rows(os.path.join(a.data, "telemetry.csv"))
    print(report(results, a.rtol, ["duckdb", "chdb", "postgres", "plantdb"], rows))


if __name__ == "__main__":
    main()
