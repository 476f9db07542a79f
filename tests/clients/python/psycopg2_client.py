"""psycopg2 and SQLAlchemy 2 (psycopg2 dialect) against the server: client-side parameters,
result types, the SQLAlchemy inspector (tables, views, columns and types, primary keys,
indexes) and pandas.read_sql of a time-bucketed query into datetime columns."""
import datetime
import decimal

import pandas as pd
import psycopg2
import sqlalchemy as sa

from common import T0, args, dsn, readings_ddl, readings_rows, show

host, port, target = args()

# --- psycopg2: client-side interpolation over the simple protocol, autocommit off ---
conn = psycopg2.connect(dsn(host, port))
cur = conn.cursor()
cur.execute("SET TIME ZONE 'UTC'")
cur.execute(readings_ddl(target))
cur.executemany(
    "INSERT INTO readings (ts, machine, temperature, count, ok) VALUES (%s, %s, %s, %s, %s)",
    readings_rows(),
)
conn.commit()
show("transaction status after commit", conn.get_transaction_status())
cur.execute(
    "SELECT machine, count(*), sum(count), avg(temperature), min(ts), bool_and(ok) FROM readings "
    "WHERE ts >= %(since)s AND machine IN %(machines)s GROUP BY machine ORDER BY machine",
    {"since": T0 + datetime.timedelta(minutes=20), "machines": ("m1", "m3")},
)
show("grouped", cur.fetchall())
show("description", [(d.name, d.type_code) for d in cur.description])
cur.execute(
    "SELECT %s::date, %s::numeric(8,2), %s, %s::bytea, %s::text, %s",
    (datetime.date(2024, 2, 29), decimal.Decimal("12.345"), "it's \\ quoted", b"\x00\xff", None, 2.5),
)
show("literals", tuple(bytes(v) if isinstance(v, memoryview) else v for v in cur.fetchone()))
show("standard_conforming_strings", conn.get_parameter_status("standard_conforming_strings"))
try:
    cur.execute("SELECT count(*) FROM readings WHERE no_such_column = 1")
except psycopg2.Error as e:
    show("error", (type(e).__name__, e.pgcode))
conn.rollback()
cur.execute(
    "CREATE TABLE machines (id integer PRIMARY KEY, name text NOT NULL, capacity numeric(10,2), "
    "installed date)"
)
cur.execute("INSERT INTO machines VALUES (1, 'press', 12.5, '2024-01-15'), (2, 'oven', NULL, NULL)")
cur.execute("CREATE VIEW hot AS SELECT ts, machine, temperature FROM readings WHERE temperature > 25")
conn.commit()
conn.close()

# --- SQLAlchemy 2 inspector ---
engine = sa.create_engine(f"postgresql+psycopg2://plantdb@{host}:{port}/plantdb")
insp = sa.inspect(engine)
show("schemas", [s for s in insp.get_schema_names() if s == "public"])
show("tables", sorted(insp.get_table_names()))
show("views", insp.get_view_names())
for table in ("readings", "machines", "hot"):
    for c in insp.get_columns(table):
        show(f"{table} column", (c["name"], str(c["type"]), c["nullable"], c["default"]))
for table in ("readings", "machines"):
    pk = insp.get_pk_constraint(table)
    show(f"{table} primary key", (pk["name"], pk["constrained_columns"]))
    show(f"{table} indexes", [(i["name"], i["column_names"], i["unique"]) for i in insp.get_indexes(table)])
    show(f"{table} foreign keys", insp.get_foreign_keys(table))
show("has_table", (insp.has_table("readings"), insp.has_table("nope")))

# --- SQLAlchemy Core and pandas ---
meta = sa.MetaData()
readings = sa.Table("readings", meta, autoload_with=engine)
with engine.connect() as c:
    q = (
        sa.select(readings.c.machine, sa.func.count(), sa.func.max(readings.c.temperature))
        .where(readings.c.ok.is_(True))
        .group_by(readings.c.machine)
        .order_by(readings.c.machine)
    )
    show("core select", c.execute(q).all())
    show("reflected types", [type(col.type).__name__ for col in readings.columns])

bucketed = (
    "SELECT date_bin(INTERVAL '30 minutes', ts, TIMESTAMP '2024-01-01') AS bucket, machine, "
    "avg(temperature) AS avg_temp, count(*) AS n FROM readings "
    "GROUP BY 1, 2 ORDER BY 1, 2"
)
df = pd.read_sql(sa.text(bucketed), engine)
show("dtypes", {k: str(v) for k, v in df.dtypes.items()})
print(df.to_string())
df2 = pd.read_sql(
    sa.text("SELECT ts, temperature FROM readings WHERE machine = :m ORDER BY ts LIMIT 3"),
    engine,
    params={"m": "m2"},
    parse_dates=["ts"],
)
show("params dtypes", {k: str(v) for k, v in df2.dtypes.items()})
print(df2.to_string())
engine.dispose()
