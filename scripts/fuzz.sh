#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS_PER_TARGET]: runs every fuzz harness (proptest properties) again and
# again with many cases until SECONDS_PER_TARGET (default 600) are spent on it, then prints, per
# target, the cases run, the seconds taken and the failures. Exits non-zero if any property failed.
#
#   targets      search        app/tests/fuzz_search.rs        parse_search, EventFilter::to_search
#                filter_query  app/tests/fuzz_filter_query.rs  EventQuery::from_pairs
#                cursor        app/tests/fuzz_cursor.rs        Cursor::decode / encode
#                new_event     app/tests/fuzz_new_event.rs     parse_ingest_body, NewEvent::validate
#                csv           server/src/service/export/csv_fuzz.rs   the export's CSV writer
#   FUZZ_TARGETS="search csv"  only these targets
#
# The build is the `fuzz` profile (Cargo.toml): optimised like a release build, for cases per
# second, but with overflow checks and debug assertions kept, so an integer overflow fails a
# property instead of wrapping silently (as it would under `release` or `server-release`), and
# without LTO, which only slows the build. (`release` is for the WASM build: size, panic=abort.)
#
# A failing case is shrunk (at most PROPTEST_MAX_SHRINK_TIME ms, 60 s here) and saved in the
# harness's regression file, app/proptest-regressions/ or server/proptest-regressions/: commit it,
# and every later `cargo test` replays it first.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

BUDGET=${1:-600}
if ! [[ "$BUDGET" =~ ^[0-9]+$ ]] || [ "$BUDGET" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]  (a whole number of seconds, default 600)" >&2
  exit 2
fi
export PROPTEST_MAX_SHRINK_TIME=${PROPTEST_MAX_SHRINK_TIME:-60000}
# One run of a harness aims at this many seconds, so the budget is kept to within about that.
ROUND_SECONDS=${FUZZ_ROUND_SECONDS:-30}
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT

# name | cargo selection | test filter
ALL_TARGETS=(
  "search|-p app --test fuzz_search|"
  "filter_query|-p app --test fuzz_filter_query|"
  "cursor|-p app --test fuzz_cursor|"
  "new_event|-p app --test fuzz_new_event|"
  "csv|-p server --lib|service::export::csv_fuzz::"
)
WANTED=${FUZZ_TARGETS:-search filter_query cursor new_event csv}

# The test executable that `cargo test --profile fuzz SELECTION` builds.
build() {
  local json exe
  # shellcheck disable=SC2086 # the selection is several words
  json=$(cargo test --profile fuzz $1 --no-run --message-format=json-render-diagnostics)
  exe=$(printf '%s\n' "$json" | grep '"reason":"compiler-artifact"' | grep '"test":true' |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  if [ -z "$exe" ]; then
    echo "no test executable for: $1" >&2
    return 1
  fi
  echo "$exe"
}

RESULTS=()
FAILED=0
for entry in "${ALL_TARGETS[@]}"; do
  IFS='|' read -r name selection filter <<<"$entry"
  case " $WANTED " in *" $name "*) ;; *) continue ;; esac
  echo "==> $name: building (cargo test --profile fuzz $selection)"
  exe=$(build "$selection")
  # shellcheck disable=SC2086 # an empty filter is no argument
  properties=$("$exe" --list $filter 2>/dev/null | grep -c ': test$' || true)
  if [ "$properties" -eq 0 ]; then
    echo "!!! $name: no property found in $exe" >&2
    exit 1
  fi
  echo "==> $name: $properties properties, ${BUDGET}s"
  start=$(now_ms)
  cases=0
  failures=0
  per_property=500
  while :; do
    elapsed=$(($(now_ms) - start))
    [ "$elapsed" -lt $((BUDGET * 1000)) ] || break
    round_start=$(now_ms)
    log="$LOGS/$name.log"
    # shellcheck disable=SC2086
    if PROPTEST_CASES=$per_property "$exe" $filter -q >"$log" 2>&1; then
      cases=$((cases + per_property * properties))
    else
      failures=$((failures + 1))
      echo "!!! $name: a property failed (PROPTEST_CASES=$per_property); its output:"
      grep -v '^\s*$' "$log" | tail -n 60
      break
    fi
    took=$(($(now_ms) - round_start))
    took=$((took > 0 ? took : 1))
    # The next round: as many cases as fit ROUND_SECONDS (or what is left of the budget).
    left=$((BUDGET * 1000 - ($(now_ms) - start)))
    aim=$((left < ROUND_SECONDS * 1000 ? left : ROUND_SECONDS * 1000))
    per_property=$((per_property * aim / took))
    per_property=$((per_property < 50 ? 50 : per_property))
  done
  seconds=$(fmt_ms $(($(now_ms) - start)))
  rate=$((cases * 1000 / ($(now_ms) - start + 1)))
  RESULTS+=("$(printf '%-13s %12d cases %9s %9d cases/s %3d failures' "$name" "$cases" "$seconds" "$rate" "$failures")")
  echo "<== ${RESULTS[-1]}"
  FAILED=$((FAILED + failures))
done

echo
echo "=================================== fuzz ======================================"
for line in "${RESULTS[@]}"; do echo "  $line"; done
if [ "$FAILED" -ne 0 ]; then
  echo "  $FAILED target(s) failed: their minimal inputs are in the proptest-regressions/ files"
  exit 1
fi
echo "  no property failed"
