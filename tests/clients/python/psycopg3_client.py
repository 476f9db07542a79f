"""psycopg 3 against the server: server-side parameters, text and binary results for every
type, COPY in both directions (text and binary), prepared statements reused (counted in a
libpq protocol trace) and errors mapped to SQLSTATE classes."""
import datetime
import decimal
import os
import tempfile
import uuid

import psycopg
from psycopg import errors, pq
from psycopg.types.json import Jsonb

from common import T0, args, dsn, readings_ddl, readings_rows, show

host, port, target = args()
conn = psycopg.connect(dsn(host, port), autocommit=True)
conn.execute("SET TIME ZONE 'UTC'")
cur = conn.cursor()

# --- server-side parameters (extended protocol; psycopg sends binary numbers and dates) ---
cur.execute(readings_ddl(target))
cur.executemany(
    "INSERT INTO readings (ts, machine, temperature, count, ok) VALUES (%s, %s, %s, %s, %s)",
    readings_rows(),
)
show("inserted rowcount", cur.rowcount)
q = (
    "SELECT machine, count(*), sum(count), avg(temperature), min(ts), max(ts), "
    "count(*) FILTER (WHERE ok) FROM readings "
    "WHERE ts >= %s AND machine <> %s AND temperature > %s GROUP BY machine ORDER BY machine"
)
params = (T0 + datetime.timedelta(minutes=30), "m3", 21.0)
cur.execute(q, params)
text_rows = cur.fetchall()
show("text result", text_rows)
show("text formats", [c.type_code for c in cur.description][:2])
bcur = conn.cursor(binary=True)
bcur.execute(q, params)
bin_rows = bcur.fetchall()
show("binary result", bin_rows)
show("binary equals text", bin_rows == text_rows)
show("binary format codes", [bcur.pgresult.fformat(i) for i in range(bcur.pgresult.nfields)])

cur.execute("SELECT %s + 1, %s * 2.5, %s || 'x', %s, %s::date + 1, %s::text IS NULL",
            (41, 2, "a", True, datetime.date(2024, 2, 28), None))
show("expressions", cur.fetchone())
cur.execute("SELECT %b::float8 / 4, %t::int8 - 1", (3.0, 10))
show("binary/text placeholders", cur.fetchone())

# --- every type: parameters in, text and binary results out ---
cur.execute(
    "CREATE TABLE typed (ts timestamp NOT NULL, tz timestamptz, d date, t time, i2 int2, i4 int4, "
    "i8 int8, f4 float4, f8 float8, nu numeric(10,3), tx text, vc varchar(10), b bool, by bytea, "
    "iv interval, u uuid, jb jsonb, ai int4[], at text[])"
    + (" WITH (timestamp = 'ts')" if target == "plantdb" else "")
)
utc = datetime.timezone.utc
typed = (
    datetime.datetime(2024, 2, 29, 23, 59, 59, 123456),
    datetime.datetime(2024, 3, 1, 1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    datetime.date(1999, 12, 31),
    datetime.time(12, 34, 56, 789000),
    -32768,
    2147483647,
    -9007199254740993,
    1.5,
    -2.25e-5,
    decimal.Decimal("-1234567.891"),
    "héllo\ttab",
    "short",
    False,
    b"\x00\x01\xfe\xff",
    datetime.timedelta(days=1, hours=2, microseconds=5),
    uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    Jsonb({"a": [1, 2, None], "b": "x"}),
    [1, None, 3],
    ["a", "b c", ""],
)
cur.execute("INSERT INTO typed VALUES (" + ", ".join(["%s"] * len(typed)) + ")", typed)
cur.execute("INSERT INTO typed (ts) VALUES (%s)", (datetime.datetime(2024, 3, 1),))
for binary in (False, True):
    c = conn.cursor(binary=binary)
    c.execute("SELECT * FROM typed ORDER BY ts")
    rows = c.fetchall()
    for name, v in zip([d.name for d in c.description], rows[0]):
        show(f"typed {'binary' if binary else 'text'} {name}", v)
    show(f"typed {'binary' if binary else 'text'} nulls", rows[1][1:])

# --- COPY FROM STDIN: text rows, then binary rows ---
with cur.copy("COPY readings (ts, machine, temperature, count, ok) FROM STDIN") as cp:
    for i in range(5):
        cp.write_row((T0 + datetime.timedelta(days=1, minutes=i), "m4", 30 + i, i, i % 2 == 0))
show("copy text in rowcount", cur.rowcount)
with cur.copy("COPY readings (ts, machine, temperature, count, ok) FROM STDIN (FORMAT BINARY)") as cp:
    cp.set_types(["timestamp", "text", "float8", "int8", "bool"])
    for i in range(4):
        cp.write_row((T0 + datetime.timedelta(days=2, minutes=i), "m5", -1.25 * i, 1000 + i, None))
show("copy binary in rowcount", cur.rowcount)
cur.execute("SELECT machine, count(*), sum(count), sum(temperature) FROM readings "
            "WHERE machine IN ('m4', 'm5') GROUP BY machine ORDER BY machine")
show("copied rows", cur.fetchall())

# --- COPY TO STDOUT: text (typed by the client), raw text, and binary ---
with cur.copy("COPY (SELECT ts, machine, temperature, count, ok FROM readings "
              "WHERE machine = 'm4' ORDER BY ts) TO STDOUT") as cp:
    cp.set_types(["timestamp", "text", "float8", "int8", "bool"])
    show("copy text out rows", list(cp.rows()))
with cur.copy("COPY (SELECT machine, ok, count FROM readings WHERE machine = 'm5' ORDER BY ts) "
              "TO STDOUT (FORMAT csv, HEADER)") as cp:
    show("copy csv out bytes", b"".join(bytes(b) for b in cp))
with cur.copy("COPY (SELECT ts, machine, temperature, count, ok FROM readings "
              "WHERE machine = 'm5' ORDER BY ts) TO STDOUT (FORMAT BINARY)") as cp:
    cp.set_types(["timestamp", "text", "float8", "int8", "bool"])
    show("copy binary out rows", list(cp.rows()))

# --- prepared statements, counted in a libpq trace ---
trace = tempfile.NamedTemporaryFile("w+", suffix=".trace", delete=False)
conn.pgconn.trace(trace.fileno())
conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
explicit = []
for i in range(7):
    cur.execute("SELECT count(*), sum(count) FROM readings WHERE machine = %s AND count >= %s",
                (f"m{1 + i % 3}", 10 * i), prepare=True)
    explicit.append(cur.fetchone())
auto = []
for i in range(8):
    cur.execute("SELECT max(temperature) FROM readings WHERE ts < %s",
                (T0 + datetime.timedelta(minutes=10 * i),))
    auto.append(cur.fetchone()[0])
conn.pgconn.untrace()
trace.close()
with open(trace.name) as f:
    lines = [line.split("\t") for line in f.read().splitlines()]
os.unlink(trace.name)
parses = [line[3].split()[0] for line in lines if len(line) > 3 and line[0] == "F" and line[2] == "Parse"]
binds = [line[3].split()[1] for line in lines if len(line) > 3 and line[0] == "F" and line[2] == "Bind"]
show("prepare=True results", explicit)
show("auto-prepared results", auto)
show("Parse messages (statement names)", parses)
show("Binds per statement name", sorted((n, binds.count(n)) for n in set(binds)))

# --- errors and their SQLSTATE classes ---
cases = [
    ("SELECT * FROM no_such_table", None),
    ("SELECT no_such_column FROM readings", None),
    ("SELEC 1", None),
    ("SELECT 1 / 0", None),
    ("SELECT 'abc'::int4", None),
    ("SELECT 2147483647::int4 + 1", None),
    ("SELECT no_such_function(1)", None),
    ("SELECT %s::int4", ("12x",)),
    ("INSERT INTO readings (ts, machine) VALUES (NULL, 'm1')", None),
]
for sql, p in cases:
    try:
        cur.execute(sql, p)
        show(sql, "no error")
    except psycopg.Error as e:
        show(sql, (type(e).__name__, e.sqlstate))

# A failed statement inside a transaction block: later statements fail with 25P02 until
# ROLLBACK, whether the error came from Parse (unknown table) or from execution (division).
tx = psycopg.connect(dsn(host, port))  # not autocommit: psycopg sends BEGIN
for failing in ("SELECT * FROM no_such_table", "SELECT 1 / (count(*) - count(*)) FROM readings"):
    tcur = tx.cursor()
    tcur.execute("SELECT 1")
    try:
        tcur.execute(failing)
    except psycopg.Error as e:
        show("in transaction", (type(e).__name__, e.sqlstate, tx.info.transaction_status.name))
    try:
        tcur.execute("SELECT 2")
        show("after the error", tcur.fetchone())
    except errors.InFailedSqlTransaction as e:
        show("after the error", (type(e).__name__, e.sqlstate))
    tx.rollback()
    tcur.execute("SELECT 3")
    show("after rollback", (tcur.fetchone(), tx.info.transaction_status.name))
    tx.rollback()
tx.close()

# The connection still works after all of the above.
cur.execute("SELECT count(*) FROM readings")
show("final count", cur.fetchone())
conn.close()
