#!/usr/bin/env bash
# Serves the built SPA with the debug server binary on a fresh, seeded SQLite database.
# `make test` builds both before Playwright starts this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PORT=${1:-3107}
BIN=${AUDITRAIL_BIN:-../target/debug/auditrail}
[ -x "$BIN" ] || { echo "missing $BIN: run cargo build -p server" >&2; exit 1; }
[ -f ../dist/index.html ] || { echo "missing ../dist: run trunk build --release" >&2; exit 1; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export DATABASE_URL="sqlite://$DIR/e2e.db"
# A checkpoint whenever the tree grows, so every event the specs open is already in one.
export AUDITRAIL_CHECKPOINT_EVERY_EVENTS=1
"$BIN" seed --events 300 >/dev/null
# An account of its own for the lockout spec, so locking it disturbs no other spec.
"$BIN" user create --org acme --email lockout@acme.com --role finance --password demo-password >/dev/null
# An ingest key for specs that post events while the browser watches (live tail).
mkdir -p .e2e
"$BIN" api-key create --org acme --name e2e-ingest --scopes events:write | tail -n1 > .e2e/ingest-key
# Where the database is, for the spec that tampers with a row behind the server (runs last).
echo "$DIR/e2e.db" > .e2e/database
# The log streams spec delivers to a receiver of its own on 127.0.0.1; link-local and metadata
# addresses stay refused.
"$BIN" serve --bind "127.0.0.1:$PORT" --assets-dir ../dist --allow-private-destinations
