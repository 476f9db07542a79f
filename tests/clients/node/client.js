// node-postgres against the server: parameters sent without type OIDs (the server infers them
// from context) over the extended protocol, named prepared statements, text results parsed
// into JavaScript types, errors with SQLSTATE codes. Usage: node client.js HOST PORT TARGET.
'use strict';
const { Client } = require('pg');

const [host, port, target] = process.argv.slice(2);
const show = (label, value) => console.log(`${label}: ${JSON.stringify(value)}`);

async function main() {
  const c = new Client({ host, port: Number(port), user: 'plantdb', database: 'plantdb' });
  await c.connect();
  await c.query("SET TIME ZONE 'UTC'");
  let ddl = 'CREATE TABLE readings (ts timestamptz NOT NULL, machine text NOT NULL, temperature float8, ' +
    'count int8, ok bool, tags jsonb, PRIMARY KEY (machine, ts))';
  if (target === 'plantdb') ddl += " WITH (timestamp = 'ts', tags = 'machine')";
  await c.query(ddl);
  const t0 = Date.UTC(2024, 2, 1, 8, 0, 0);
  for (let m = 1; m <= 3; m++) {
    for (let i = 0; i < 6; i++) {
      // Parameters as JavaScript values: Date, string, number, boolean, object; no type OIDs.
      await c.query('INSERT INTO readings (ts, machine, temperature, count, ok, tags) VALUES ($1, $2, $3, $4, $5, $6)',
        [new Date(t0 + i * 600000), `m${m}`, 20 + m + 0.5 * i, 10 * i, i % 2 === 0, { line: m, i }]);
    }
  }
  const byMachine = 'SELECT machine, count(*), sum(count), avg(temperature), min(ts), bool_or(ok) FROM readings ' +
      'WHERE ts >= $1 AND temperature > $2 AND machine <> $3 GROUP BY machine ORDER BY machine';
  const r = await c.query({ name: 'by-machine', text: byMachine, values: ['2024-03-01T08:10:00Z', '21', 'm3'] });
  show('fields', r.fields.map((f) => [f.name, f.dataTypeID]));
  show('rows', r.rows);
  for (const since of ['2024-03-01T08:30:00Z', '2024-03-01T08:40:00Z']) {
    const again = await c.query({ name: 'by-machine', text: byMachine, values: [since, 0, 'x'] });
    show('prepared again', again.rows.map((x) => [x.machine, x.count]));
  }
  const typed = await c.query(
    "SELECT 1::int2 AS i2, 2147483647::int4 AS i4, 9007199254740993::int8 AS i8, 1.5::float4 AS f4, " +
    "-2.25::float8 AS f8, 12345.678::numeric AS nu, true AS b, 'x'::text AS t, DATE '2024-02-29' AS d, " +
    "TIMESTAMP '2024-03-01 12:00:00.5' AS ts, TIMESTAMPTZ '2024-03-01 12:00:00+02' AS tz, " +
    "'\\x00ff'::bytea AS by, '{\"a\": [1, null]}'::jsonb AS j, ARRAY[1, 2, NULL]::int4[] AS ai, " +
    "ARRAY['a', 'b c']::text[] AS at, NULL::int4 AS n, INTERVAL '1 day 02:00:00' AS iv"
  );
  for (const [k, v] of Object.entries(typed.rows[0])) {
    const kind = v === null ? 'null' : Buffer.isBuffer(v) ? 'Buffer' : v instanceof Date ? 'Date' : Array.isArray(v) ? 'Array' : typeof v;
    const shown = Buffer.isBuffer(v) ? v.toString('hex') : v instanceof Date ? v.toISOString() : (kind === 'object' && v.constructor.name !== 'Object') ? v.toPostgres() : v;
    show(`typed ${k}`, [kind, shown]);
  }
  const p = await c.query('SELECT $1::int4 + 1 AS a, $2 || \'!\' AS b, $3::timestamptz AS c, $4::jsonb AS d',
    [41, 'hey', new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), JSON.stringify({ k: [true] })]);
  show('params', [p.rows[0].a, p.rows[0].b, p.rows[0].c.toISOString(), p.rows[0].d]);
  const inferred = await c.query('SELECT count(*) AS n FROM readings WHERE count > $1 AND ok = $2', ['25', 'true']);
  show('inferred from columns', inferred.rows[0].n);
  for (const sql of ['SELECT * FROM nope', 'SELECT 1/0', "SELECT 'x'::int4"]) {
    try {
      await c.query(sql);
      show(sql, 'no error');
    } catch (e) {
      show(sql, [e.code, e.message]);
    }
  }
  const rowMode = await c.query({ text: 'SELECT machine, count(*) FROM readings GROUP BY machine ORDER BY 1', rowMode: 'array' });
  show('array rows', rowMode.rows);
  await c.end();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
