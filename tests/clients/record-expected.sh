#!/usr/bin/env bash
# Records the expected transcripts of the client tests from PostgreSQL 15: starts a throwaway
# PostgreSQL 15 cluster (superuser `plantdb`, trust auth, UTF8, C locale, TimeZone UTC), runs
# every client script against a fresh `plantdb` database with TARGET=postgres, and writes
# tests/clients/**/expected*.out. Review the diff by hand before committing: the expected files
# are PostgreSQL's answers, which plantdb must reproduce.
#
# Usage: tests/clients/record-expected.sh [client...]   (clients: psycopg3 psycopg2 asyncpg
#        jdbc node odbc psql; default all). Needs what .ci/run installs. psql goes last: it
#        drops the cluster's other databases so that `\l` lists what plantdb lists.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
bin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/plantdb-pg15-XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$bin/initdb -D $work/data -U plantdb --auth=trust -E UTF8 --locale=C >/dev/null"
as_pg "$bin/pg_ctl -D $work/data -l $work/log -w -o '-p $port -k $work -c listen_addresses=127.0.0.1 -c TimeZone=UTC' start >/dev/null"
trap 'as_pg "$bin/pg_ctl -D $work/data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
version=$(psql -h 127.0.0.1 -p "$port" -U plantdb -d postgres -Atc 'SHOW server_version')
fresh_db() {
  psql -q -h 127.0.0.1 -p "$port" -U plantdb -d postgres -c 'DROP DATABASE IF EXISTS plantdb' \
    -c 'CREATE DATABASE plantdb'
}
header() { echo "## Recorded from PostgreSQL $version by tests/clients/record-expected.sh ($1)."; }
record() { # name, output file, command...
  local name=$1 out=$2; shift 2
  fresh_db
  { header "$name"; "$@"; } > "$out.tmp"
  mv "$out.tmp" "$out"
  echo "recorded $out"
}
export TZ=UTC PGTZ=UTC
export PLANTDB_PYTHON=${PLANTDB_PYTHON:-$here/../../.ci/venv/bin/python}
clients=("$@")
[ ${#clients[@]} -eq 0 ] && clients=(psycopg3 psycopg2 asyncpg jdbc node odbc psql)
for c in "${clients[@]}"; do
  case $c in
    psql)
      fresh_db
      p() { psql -X -h 127.0.0.1 -p "$port" -U plantdb "$@"; }
      p -d plantdb -q -c 'DROP DATABASE postgres' \
        -c "UPDATE pg_database SET datistemplate = false WHERE datname LIKE 'template%'" \
        -c 'DROP DATABASE template0' -c 'DROP DATABASE template1'
      (cd psql && p -d plantdb -q -v target=postgres -f setup.sql >/dev/null)
      { header psql; (cd psql && PGTZ=UTC p -d plantdb -a -f meta.psql 2>"$work/psql.err"); } > psql/expected.out.tmp
      if [ -s "$work/psql.err" ]; then cat "$work/psql.err" >&2; exit 1; fi
      mv psql/expected.out.tmp psql/expected.out
      echo "recorded psql/expected.out" ;;
    psycopg3|psycopg2|asyncpg)
      record "$c" "python/expected/$c.out" \
        "$PLANTDB_PYTHON" "python/${c}_client.py" 127.0.0.1 "$port" postgres ;;
    jdbc|node|odbc)
      record "$c" "$c/expected.out" "$c/run.sh" 127.0.0.1 "$port" postgres ;;
    *) echo "unknown client $c" >&2; exit 2 ;;
  esac
done
