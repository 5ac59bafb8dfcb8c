#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml): writes a brotli (`.br`) and a gzip (`.gz`) twin beside each
# HTML, JS, CSS and WASM file of the build, which `auditrail serve` sends to browsers that accept
# them. Compressing once at build allows the slowest, smallest settings.
#   $1 (or TRUNK_STAGING_DIR)  the directory Trunk is about to publish as dist/
set -euo pipefail
DIR=${1:-${TRUNK_STAGING_DIR:?run by trunk, or pass the directory}}
command -v brotli >/dev/null || { echo "compress-dist: brotli is missing (make setup installs it)" >&2; exit 1; }
find "$DIR" -maxdepth 1 -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) |
  while read -r file; do
    gzip -9 --no-name --keep --force "$file"
    brotli --best --keep --force "$file"
  done
