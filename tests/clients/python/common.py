"""Shared by the Python client scripts: command line, fixture DDL and data.

Every script takes HOST PORT TARGET, where TARGET is `plantdb` or `postgres`; the only
difference is the time-series clause of CREATE TABLE, which PostgreSQL does not know. The
expected transcripts next to the scripts were recorded against PostgreSQL 15
(tests/clients/record-expected.sh), so they hold PostgreSQL's own answers.
"""
import datetime
import sys


def args():
    if len(sys.argv) != 4 or sys.argv[3] not in ("plantdb", "postgres"):
        sys.exit("usage: script HOST PORT plantdb|postgres")
    return sys.argv[1], int(sys.argv[2]), sys.argv[3]


def dsn(host, port):
    return f"host={host} port={port} user={'plantdb'} dbname={'plantdb'}"


def readings_ddl(target, name="readings"):
    """A time series: three machines, one row per machine every 10 minutes."""
    ddl = (
        f"CREATE TABLE {name} (ts timestamp NOT NULL, machine text NOT NULL, "
        "temperature float8, count int8, ok bool, PRIMARY KEY (machine, ts))"
    )
    if target == "plantdb":
        ddl += " WITH (timestamp = 'ts', tags = 'machine')"
    return ddl


T0 = datetime.datetime(2024, 3, 1, 8, 0, 0)


def readings_rows():
    """36 rows: machines m1..m3, 12 points each from 08:00 every 10 minutes.
    temperature = 20 + machine index + 0.5 * point index (exact in binary floating point),
    count = 10 * point index, ok = point index not divisible by 4."""
    rows = []
    for m in range(1, 4):
        for i in range(12):
            rows.append(
                (T0 + datetime.timedelta(minutes=10 * i), f"m{m}", 20 + m + 0.5 * i, 10 * i, i % 4 != 0)
            )
    return rows


def show(label, value):
    print(f"{label}: {value!r}")
