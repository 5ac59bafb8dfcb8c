#!/usr/bin/env bash
# `make run`: install what is missing, build the web app and the server, seed the demo
# organization (once), and serve on http://127.0.0.1:3000 with SQLite.
#
# Environment:
#   DATABASE_URL       default sqlite://data/auditrail.db (postgres://… works too)
#   AUDITRAIL_BIND     default 127.0.0.1:3000
#   AUDITRAIL_RELEASE  1 = build the server with --profile server-release (slower to build)
# Extra arguments are passed to `auditrail serve`.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"

echo "[run] trunk build --release (web app -> dist/)"
trunk build --release

if [ "${AUDITRAIL_RELEASE:-0}" = "1" ]; then
  echo "[run] cargo build -p server --profile server-release"
  cargo build -p server --profile server-release
  BIN="$ROOT/target/server-release/auditrail"
else
  echo "[run] cargo build -p server"
  cargo build -p server
  BIN="$ROOT/target/debug/auditrail"
fi

export DATABASE_URL="${DATABASE_URL:-sqlite://data/auditrail.db}"
mkdir -p "$ROOT/data"

echo "[run] auditrail seed --events 50000 --skip-if-seeded"
"$BIN" seed --events 50000 --skip-if-seeded

echo "[run] auditrail serve --bind ${AUDITRAIL_BIND:-127.0.0.1:3000} --assets-dir dist"
exec "$BIN" serve --bind "${AUDITRAIL_BIND:-127.0.0.1:3000}" --assets-dir dist "$@"
