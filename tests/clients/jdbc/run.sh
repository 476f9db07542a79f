#!/usr/bin/env bash
# Compiles and runs JdbcClient.java with Debian's pgjdbc. Usage: run.sh HOST PORT TARGET.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=${PLANTDB_JDBC_JAR:-/usr/share/java/postgresql.jar}
out=$(mktemp -d /tmp/plantdb-jdbc-XXXXXX)
trap 'rm -rf "$out"' EXIT
javac -d "$out" -cp "$jar" "$here/JdbcClient.java"
exec java -Duser.timezone=UTC -cp "$jar:$out" JdbcClient "$@"
