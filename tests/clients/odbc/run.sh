#!/usr/bin/env bash
# psqlODBC (Debian odbc-postgresql, "PostgreSQL Unicode") through unixODBC's isql: a DSN in a
# temporary odbc.ini, session.sql fed to `isql -b` one statement per line; `help` and
# `help TABLE` call SQLTables and SQLColumns. Output in '|'-delimited form, OIDs masked. Usage: run.sh HOST PORT TARGET.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
host=$1 port=$2 target=$3
dir=$(mktemp -d /tmp/plantdb-odbc-XXXXXX)
trap 'rm -rf "$dir"' EXIT
driver=${PLANTDB_ODBC_DRIVER:-/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so}
cat > "$dir/odbc.ini" <<INI
[plantdb]
Driver = $driver
Servername = $host
Port = $port
Username = plantdb
Database = plantdb
SSLmode = disable
INI
export ODBCINI=$dir/odbc.ini ODBCSYSINI=$dir
ddl="CREATE TABLE readings (ts timestamp NOT NULL, machine text NOT NULL, temperature float8)"
[ "$target" = plantdb ] && ddl="$ddl WITH (timestamp = 'ts', tags = 'machine')"
{
  echo "$ddl"
  echo "INSERT INTO readings VALUES ('2024-03-01 08:00:00', 'm1', 20.5), ('2024-03-01 08:10:00', 'm1', 21.25), ('2024-03-01 08:00:00', 'm2', -3)"
  cat "$here/session.sql"
} | isql plantdb -b -v -c -d'|' 2>&1 |
  # SQLColumns' TABLE OID (23rd of 26 fields) is an OID: not compared.
  awk -F'|' -v OFS='|' 'NF == 26 && $23 ~ /^[0-9]+$/ { $23 = "<oid>" } { print }'
