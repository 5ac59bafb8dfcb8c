#!/usr/bin/env bash
# Trunk's post-build hook, before compress-dist.sh (Trunk.toml): publishes the page chunks and
# their loader that scripts/bin/wasm-bindgen split off the web app, beside the app's own files.
#   $1 (or TRUNK_STAGING_DIR)  the directory Trunk is about to publish as dist/
# The loader imports the wasm-bindgen glue, whose hashed name only Trunk knows: it is written in
# here. Release builds run wasm-opt on each chunk, as Trunk does on the main module.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
DIR=${1:-${TRUNK_STAGING_DIR:?run by trunk, or pass the directory}}
PROFILE=${TRUNK_PROFILE:-release}
die() { echo "publish-split: $*" >&2; exit 1; }

glues=("$DIR"/app-*.js)
[ "${#glues[@]}" -eq 1 ] && [ -f "${glues[0]}" ] || die "expected one app-*.js in $DIR"
glue=${glues[0]}
if grep -q __wasm_split_placeholder__ "$glue"; then
  die "the app was not split: Trunk ran the plain wasm-bindgen; run it with scripts/env.sh sourced (scripts/bin first on PATH)"
fi
loader=$(grep -o "app_split-[0-9a-f]\{16\}\.js" "$glue" | head -n 1)
[ -n "$loader" ] || die "$(basename "$glue") imports no split loader"
split_dir="${CARGO_TARGET_DIR:-$ROOT/target}/wasm-bindgen/$PROFILE/split"
[ -f "$split_dir/$loader" ] || die "$split_dir/$loader is missing"

cp "$split_dir"/* "$DIR"/
sed -i "s#\"\./main\.js\"#\"./$(basename "$glue")\"#" "$DIR/$loader"
if [ "$PROFILE" != debug ]; then
  for chunk in "$DIR"/app_split-*.wasm; do
    wasm-opt -Oz "$chunk" -o "$chunk"
  done
fi
