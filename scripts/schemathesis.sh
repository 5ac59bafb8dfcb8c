#!/usr/bin/env bash
# The API contract stage of `make test`: Schemathesis (from PyPI, installed into
# .tools/schemathesis by `scripts/setup.sh --test`) generates requests for every operation of
# GET /api/v1/openapi.json and sends them to a real server on a fresh seeded SQLite database.
# It fails on any 5xx, any answer whose status, content type, headers or body the document does
# not describe, and any request that breaks the connection.
#
#   scripts/schemathesis.sh [ARGS...]   uses $CARGO_TARGET_DIR/debug/auditrail (`cargo build -p
#                                       server`); ARGS go to each `schemathesis run`, e.g.
#                                       --include-path /api/v1/events to look at one operation
#
# Environment: SCHEMATHESIS_EXAMPLES (generated cases per operation, default 80; a quarter of
# them for the live tail, whose answers are held open),
# SCHEMATHESIS_SEED (default 1: the same cases every run; change it to explore).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

BIN=${AUDITRAIL_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/auditrail}
VENV="$ROOT/.tools/schemathesis"
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-80}
STREAM_EXAMPLES=$(((EXAMPLES + 3) / 4))
SEED=${SCHEMATHESIS_SEED:-1}
[ -x "$BIN" ] || { echo "schemathesis.sh: missing $BIN (run cargo build -p server)" >&2; exit 1; }
[ -x "$VENV/bin/schemathesis" ] || { echo "schemathesis.sh: missing $VENV (run scripts/setup.sh --test)" >&2; exit 1; }

EXTRA=("$@")
DIR=$(mktemp -d)
SERVER_PID=
stop() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap stop EXIT

export DATABASE_URL="sqlite://$DIR/schemathesis.db"
export AUDITRAIL_SIGNING_KEY_FILE="$DIR/signing.key"
# A checkpoint whenever the tree grows, so proofs exist for the seeded events.
export AUDITRAIL_CHECKPOINT_EVERY_EVENTS=1

# The demo organization `acme` (its admin signs in below), some events, and a key with every scope.
"$BIN" seed --events 200 >/dev/null 2>"$DIR/seed.log" || { cat "$DIR/seed.log" >&2; exit 1; }
KEY=$("$BIN" api-key create --org acme --name schemathesis \
  --scopes events:write,audit_logs:read,audit_logs:export | tail -n1)

# At `info`, the server logs the address it listens on.
RUST_LOG=info "$BIN" serve --bind 127.0.0.1:0 --assets-dir "$DIR/no-web-app" 2>"$DIR/server.log" &
SERVER_PID=$!
BASE=
for _ in $(seq 1 100); do
  BASE=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$DIR/server.log" | head -n1)
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "schemathesis.sh: the server did not start" >&2; cat "$DIR/server.log" >&2; exit 1; }
echo "schemathesis.sh: server at $BASE (seed $SEED, $EXAMPLES examples per operation)"

# The session cookie of the demo admin, for the operations only members reach (settings).
curl -fsS -c "$DIR/jar" -o /dev/null -d 'email=admin@acme.com&password=demo-password' \
  "$BASE/api/session/sign_in"
SESSION=$(awk '$6 == "auditrail_session" { print $7 }' "$DIR/jar")
[ -n "$SESSION" ] || { echo "schemathesis.sh: sign-in gave no session cookie" >&2; exit 1; }

# What every answer must satisfy: no 5xx, and a status, content type, headers and body that the
# document gives for the operation.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
# Schemathesis over the document with the checks above, from the temporary directory (where it
# keeps its cache of failures: fresh every run). The coverage phase tries each parameter's
# boundaries and wrong types, the fuzzing phase random valid and invalid requests. One worker:
# Python before 3.11.8 (Debian 12 has 3.11.2) shares the AST builder's recursion counter between
# threads, and two workers generating at once make Hypothesis fail with "SystemError: AST
# constructor recursion depth mismatch", a crash of the tool, not of the server.
run() {
  (cd "$DIR" && "$VENV/bin/schemathesis" run "$BASE/api/v1/openapi.json" \
    --checks "$CHECKS" \
    --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" \
    --seed "$SEED" \
    --workers 1 \
    --request-timeout 20 \
    --suppress-health-check all \
    --warnings off \
    "$@" "${EXTRA[@]}")
}

# Every operation with the API key, the live tail apart (below).
FAILED=()
echo "== with the API key (every scope): every operation but the live tail"
run --header "Authorization: Bearer $KEY" --exclude-path /api/v1/audit-logs/stream ||
  FAILED+=("the API key's run")

# The live tail: a 200 is an event stream that stays open while the caller may read. Schemathesis
# reads it until it has sent 20 events or stayed silent for the request timeout, then checks each
# event against the document; a second's silence is enough here (the seeded backlog arrives at
# once), and fewer examples keep the waits short.
echo "== with the API key: the live tail"
run --header "Authorization: Bearer $KEY" --include-path /api/v1/audit-logs/stream \
  --request-timeout 1 --max-examples "$STREAM_EXAMPLES" || FAILED+=("the live tail's run")

# The settings and the log streams again as the signed-in admin, who holds settings:manage and
# webhooks:manage (a key never does). The server refuses private destinations here, so the
# streams it accepts point at public names it cannot reach: their test sends fail cleanly.
echo "== with the admin's session cookie: the settings and the log streams"
run --header "Cookie: auditrail_session=$SESSION" --header "Sec-Fetch-Site: same-origin" \
  --include-path-regex '^/api/v1/(settings/retention|streams)' \
  || FAILED+=("the session's run")

if grep -q 'panicked' "$DIR/server.log"; then
  grep -A3 'panicked' "$DIR/server.log" >&2
  FAILED+=("the server logged a panic")
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  tail -n 40 "$DIR/server.log" >&2
  FAILED+=("the server died")
fi
if [ "${#FAILED[@]}" -gt 0 ]; then
  printf 'schemathesis.sh: FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "schemathesis.sh: no 5xx, no answer outside the document, no crash"
