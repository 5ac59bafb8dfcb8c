#!/usr/bin/env bash
# `make reliability`: what production does to a server, on both databases (about 22 minutes
# once built; the first run builds the tests, the optimised server and the fuzz profile: the
# fuzz profile alone ~11 more).
#   1. fuzzing: every property harness for FUZZ_SECONDS (default 60) each, one after another
#   2. crash: SIGKILL at random moments during ingest, exports and indexing, and during retention
#      purges (CRASH_KILLS, default 20, each, per database); then a server killed mid-delivery of
#      a log stream
#   3. faults: PostgreSQL restarted under ingest (503 + Retry-After, then recovery); SQLite on a
#      small tmpfs filling up (507, nothing partial, recovery when it grows)
#   4. load: LOAD_SECONDS (default 300) of mixed traffic from 200 connections, RSS, graceful stop,
#      on each database
# Figures go to the terminal; RELIABILITY.md keeps those of the last full run.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CRASH_KILLS=${CRASH_KILLS:-20}
LOAD_SECONDS=${LOAD_SECONDS:-300}
START=$(now_ms)

section() { echo; echo "=== $* ($(fmt_ms $(($(now_ms) - START))) in)"; }

section "build: the tests, and the optimised server for the load"
cargo test -p server --no-run --test crash --test faults --test log_streams
cargo build --profile server-release -p server --bin auditrail

section "fuzzing: ${FUZZ_SECONDS} s per harness"
scripts/fuzz.sh "$FUZZ_SECONDS"

for database in sqlite postgres; do
  section "crash: ${CRASH_KILLS} kills during ingest, exports and indexing, and during purges ($database)"
  AUDITRAIL_TEST_DATABASE=$database AUDITRAIL_CRASH_KILLS=$CRASH_KILLS \
    cargo test -p server --test crash -- --nocapture 2>&1 | grep -E "kills survived|kills mid-purge|test result|panicked"
  section "crash: a log stream's server killed mid-delivery ($database)"
  AUDITRAIL_TEST_DATABASE=$database \
    cargo test -p server --test log_streams a_webhook_gets_every_event -- --nocapture 2>&1 | grep -E "test result|panicked"
done

section "faults: PostgreSQL restarted under ingest; a full disk under SQLite"
AUDITRAIL_TEST_DATABASE=postgres \
  cargo test -p server --test faults -- --ignored --nocapture --test-threads 1 2>&1 | grep -E "restarted|disk full|test result|panicked"

# Both loads run even when the first fails: each reports its own figures.
LOAD_FAILED=()
for database in sqlite postgres; do
  section "load: ${LOAD_SECONDS} s, 200 connections ($database)"
  scripts/load.sh "$LOAD_SECONDS" "$database" || LOAD_FAILED+=("$database")
done

section "done"
if [ "${#LOAD_FAILED[@]}" -gt 0 ]; then
  echo "load test failed on: ${LOAD_FAILED[*]}" >&2
  exit 1
fi
