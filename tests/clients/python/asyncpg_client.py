"""asyncpg against the server: statements described before binding (Parse + Describe +
Flush, no parameter OIDs), binary parameters and results, and asyncpg's type introspection
(the WITH RECURSIVE lookup it runs for types it has no built-in codec for, and
set_type_codec's lookup by name)."""
import asyncio
import datetime
import decimal
import json
import uuid

import asyncpg

from common import T0, args, readings_ddl, readings_rows, show

host, port, target = args()


async def main():
    conn = await asyncpg.connect(host=host, port=port, user="plantdb", database="plantdb")
    await conn.execute("SET TIME ZONE 'UTC'")
    await conn.execute(readings_ddl(target))
    await conn.executemany(
        "INSERT INTO readings (ts, machine, temperature, count, ok) VALUES ($1, $2, $3, $4, $5)",
        readings_rows(),
    )
    stmt = await conn.prepare(
        "SELECT machine, count(*), sum(count), avg(temperature), max(ts) FROM readings "
        "WHERE ts >= $1 AND temperature > $2 GROUP BY machine ORDER BY machine"
    )
    show("parameter types", [t.name for t in stmt.get_parameters()])
    show("result types", [(a.name, a.type.name) for a in stmt.get_attributes()])
    for since in (T0, T0 + datetime.timedelta(hours=1)):
        show("rows", [tuple(r) for r in await stmt.fetch(since, 22.0)])
    show("fetchval", await conn.fetchval("SELECT count(*) FROM readings WHERE machine = $1", "m2"))

    row = await conn.fetchrow(
        "SELECT $1::int2, $2::int4, $3::int8, $4::float4, $5::float8, $6::numeric, $7::text, "
        "$8::bool, $9::bytea, $10::date, $11::timestamp, $12::timestamptz, $13::uuid, $14::jsonb, "
        "$15::int4[], $16::text[], $17::interval, $18::time",
        -5, 70000, -(2**40), 0.5, 1e-3, decimal.Decimal("3.14159"), "ünï", True, b"\x01\x02",
        datetime.date(2024, 2, 29), datetime.datetime(2024, 3, 1, 12, 0, 1, 250000),
        datetime.datetime(2024, 3, 1, 12, 0, tzinfo=datetime.timezone.utc),
        uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), json.dumps({"k": [1, 2]}),
        [1, None, 3], ["x", "y z"], datetime.timedelta(hours=1, minutes=30), datetime.time(23, 59, 58),
    )
    for k, v in row.items():
        show("typed", v)

    # Introspection: types asyncpg has no built-in codec for are looked up in pg_type with
    # asyncpg's recursive query (regclass, oid[] and name[] here); set_type_codec looks the
    # type up by name first.
    show("regclass", await conn.fetchval("SELECT 'readings'::regclass"))
    show("name[]", await conn.fetchval("SELECT current_schemas(false)"))
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    show("jsonb codec", await conn.fetchval("SELECT $1::jsonb", {"a": 1}))
    types = await conn.fetch(
        "SELECT t.typname, t.typtype, t.typcategory, e.typname AS elem "
        "FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem "
        "WHERE t.typname IN ('int4', '_int4', 'timestamptz', '_text', 'jsonb', 'numeric') "
        "ORDER BY t.typname"
    )
    show("pg_type", [tuple(r) for r in types])
    # The introspection query itself (asyncpg runs it for every type it has no built-in codec
    # for, arrays among them: int4[] above did so), here for int4[], name[], timestamp[],
    # float8[] and jsonb[].
    rows, _ = await conn._introspect_types([1007, 1003, 1115, 1022, 3807], None)
    for r in sorted(rows, key=lambda r: r["oid"]):
        show("introspected", dict(r))

    try:
        await conn.fetch("SELECT * FROM readings WHERE machine = $1", 42)
    except (asyncpg.DataError, TypeError) as e:
        show("wrong parameter type", type(e).__name__)
    try:
        await conn.execute("SELECT 1 / 0")
    except asyncpg.PostgresError as e:
        show("error", (type(e).__name__, e.sqlstate))
    async with conn.transaction():
        await conn.execute("INSERT INTO readings (ts, machine) VALUES ($1, $2)", T0, "m9")
    show("after transaction", await conn.fetchval("SELECT count(*) FROM readings"))
    await conn.close()


asyncio.run(main())
