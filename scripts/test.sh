#!/usr/bin/env bash
# `make test` (and CI): every check and test, stopping at the first failing stage.
#   setup --test, rustfmt, clippy (native, all targets), clippy (browser build, wasm32),
#   unit + integration tests (nextest when available), trunk build --release (what users get, with
#   its precompressed twins), the WASM size check, server build, the API contract (Schemathesis
#   against the running server), Playwright.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

TOTAL_START=$(now_ms)
STAGE_NO=0
STAGE_COUNT=11
SUMMARY=()

summary() {
  local line
  echo
  echo "=================================== summary ==================================="
  for line in "${SUMMARY[@]}"; do echo "  $line"; done
  echo "  total: $(fmt_ms $(($(now_ms) - TOTAL_START)))"
}

# stage NAME cmd args...: runs one stage with a banner and its elapsed time; exits on failure.
# SHOW="..." stage ...: the command line to print when cmd is a function of this script.
stage() {
  local name=$1 t0 rc=0 took
  shift
  STAGE_NO=$((STAGE_NO + 1))
  echo
  echo "==============================================================================="
  echo "==> [$STAGE_NO/$STAGE_COUNT] $name"
  echo "    \$ ${SHOW:-$*}"
  echo "==============================================================================="
  t0=$(now_ms)
  "$@" || rc=$?
  took=$(fmt_ms $(($(now_ms) - t0)))
  if [ "$rc" -ne 0 ]; then
    SUMMARY+=("$(printf '%-6s %-44s %8s' FAIL "$name" "$took")")
    echo
    echo "!!! FAILED: [$STAGE_NO/$STAGE_COUNT] $name (exit $rc, after $took)"
    summary
    exit "$rc"
  fi
  SUMMARY+=("$(printf '%-6s %-44s %8s' ok "$name" "$took")")
  echo "<== ok: $name ($took)"
}

unit_tests() {
  if cargo nextest --version >/dev/null 2>&1; then
    # nextest does not run doc tests; there is nothing in them worth the extra build.
    cargo nextest run --workspace --no-tests=warn
  else
    cargo test --workspace
  fi
}

postgres_tests() {
  # The HTTP integration tests again, each server on a fresh PostgreSQL database (the storage
  # contract suite already runs on both databases in the previous stage).
  if cargo nextest --version >/dev/null 2>&1; then
    AUDITRAIL_TEST_DATABASE=postgres cargo nextest run -p server -E 'kind(test) & not binary(store_contract)'
  else
    AUDITRAIL_TEST_DATABASE=postgres cargo test -p server --test '*'
  fi
}

playwright() {
  if [ ! -f end2end/package.json ]; then
    echo "end2end/package.json does not exist: the Playwright suite is not set up" >&2
    return 1
  fi
  # --no: use end2end's own @playwright/test, never fetch a package.
  (cd end2end && npx --no -- playwright test)
}

if cargo nextest --version >/dev/null 2>&1; then TESTS_CMD="cargo nextest run --workspace --no-tests=warn"; else TESTS_CMD="cargo test --workspace"; fi

stage "setup (--test)" "$ROOT/scripts/setup.sh" --test
stage "rustfmt" cargo fmt --all -- --check
stage "clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
stage "clippy (browser build, wasm32)" cargo clippy -p app --features csr --target wasm32-unknown-unknown -- -D warnings
SHOW="$TESTS_CMD" stage "unit + integration tests (SQLite; storage contract on both)" unit_tests
SHOW="AUDITRAIL_TEST_DATABASE=postgres $TESTS_CMD -p server (integration)" stage "integration tests on PostgreSQL" postgres_tests
stage "web app (trunk build --release -> dist/)" trunk build --release
stage "web app size (main WASM gzip within 5 % of app/wasm-gzip-bytes)" scripts/wasm-size.sh
stage "server build (target/debug/auditrail)" cargo build -p server
stage "API contract (Schemathesis, every /api/v1 operation)" scripts/schemathesis.sh
SHOW="cd end2end && npx --no -- playwright test" stage "end-to-end (Playwright, end2end/)" playwright

summary
echo
echo "All $STAGE_COUNT stages passed."
