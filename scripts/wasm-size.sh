#!/usr/bin/env bash
# The web app's weight check (a stage of `make test`): fails when the main WASM of the release
# build in dist/ is more than 5 % larger, gzip -9, than the number in app/wasm-gzip-bytes.
# Growth is then a decision: raise that number in the commit that needs it (and say why).
#   --update  writes the current size into app/wasm-gzip-bytes instead of checking
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

BASELINE_FILE=app/wasm-gzip-bytes
shopt -s nullglob
wasm=(dist/app-*_bg.wasm)
[ "${#wasm[@]}" -eq 1 ] || { echo "wasm-size: expected one dist/app-*_bg.wasm, found ${#wasm[@]} (run trunk build --release)" >&2; exit 1; }
raw=$(stat -c %s "${wasm[0]}")
gz=$(gzip -9 --no-name --stdout "${wasm[0]}" | wc -c)

if [ "${1:-}" = "--update" ]; then
  echo "$gz" >"$BASELINE_FILE"
  echo "wasm-size: $BASELINE_FILE = $gz"
  exit 0
fi

baseline=$(tr -dc '0-9' <"$BASELINE_FILE")
limit=$((baseline + baseline / 20))
echo "wasm-size: ${wasm[0]}: $raw B raw, $gz B gzip -9 (baseline $baseline B, limit +5 % = $limit B)"
if [ "$gz" -gt "$limit" ]; then
  echo "wasm-size: the main WASM grew by $((gz - baseline)) B over $BASELINE_FILE, more than 5 %." >&2
  echo "  Cut it, or raise the number deliberately: scripts/wasm-size.sh --update (in the commit that needs it)." >&2
  exit 1
fi
