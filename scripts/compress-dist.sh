#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml): writes a brotli (`.br`) and a gzip (`.gz`) twin beside each
# HTML, JS, CSS and WASM file of the build, which `auditrail serve` sends to browsers that accept
# them. Compressing once at build allows the slowest, smallest settings.
#   $1 (or TRUNK_STAGING_DIR)  the directory Trunk is about to publish as dist/
# Debug builds (`trunk build`, `trunk serve`) are left uncompressed: their WASM is several times
# larger and brotli's best setting is slow on it, on every edit; the server then sends plain files.
set -euo pipefail
DIR=${1:-${TRUNK_STAGING_DIR:?run by trunk, or pass the directory}}
if [ "${TRUNK_PROFILE:-release}" = "debug" ]; then
  exit 0
fi
command -v brotli >/dev/null || { echo "compress-dist: brotli is missing (make setup installs it)" >&2; exit 1; }
find "$DIR" -maxdepth 1 -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) |
  while read -r file; do
    gzip -9 --no-name --keep --force "$file"
    brotli --best --keep --force "$file"
  done
