#!/usr/bin/env bash
# Runs client.js with the node-postgres that `npm install` put into node_modules (.ci/run).
# Usage: run.sh HOST PORT TARGET.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
TZ=UTC exec node "$here/client.js" "$@"
