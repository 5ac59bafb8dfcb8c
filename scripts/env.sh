# shellcheck shell=bash
# Sourced by the other scripts: the repository root and the tools' PATH.
#   ROOT  the repository root (this file's parent's parent)
#   PATH  + ~/.cargo/bin (trunk, wasm-bindgen, wasm-split-cli), .tools/node_modules/.bin (wasm-opt
#         from npm, before Debian's binaryen) and scripts/bin (wasm-bindgen's splitting wrapper)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

_path_prepend() {
  case ":$PATH:" in
    *":$1:"*) ;;
    *) PATH="$1:$PATH" ;;
  esac
}
_path_prepend "${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
_path_prepend "$ROOT/.tools/node_modules/.bin"
# Last, so it comes first: the wasm-bindgen that splits the app into chunks before binding it.
_path_prepend "$ROOT/scripts/bin"
export PATH
unset -f _path_prepend

# Never let an npm install download a browser; the tests use Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The version of crate $1 in Cargo.lock (the first entry of that name).
lock_version() {
  awk -v want="name = \"$1\"" '
    $0 == want { if ((getline line) > 0 && line ~ /^version = /) { gsub(/^version = "|"$/, "", line); print line; exit } }
  ' "$ROOT/Cargo.lock" 2>/dev/null
}

# Trunk uses the wasm-bindgen that matches Cargo.lock, even if Trunk.toml's pin lags behind it.
if [ -z "${TRUNK_TOOLS_WASM_BINDGEN:-}" ]; then
  TRUNK_TOOLS_WASM_BINDGEN="$(lock_version wasm-bindgen)"
  if [ -n "$TRUNK_TOOLS_WASM_BINDGEN" ]; then export TRUNK_TOOLS_WASM_BINDGEN; else unset TRUNK_TOOLS_WASM_BINDGEN; fi
fi

# Milliseconds since the epoch, and a duration in ms as "12.3s".
now_ms() { date +%s%3N; }
fmt_ms() { printf '%d.%ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }
