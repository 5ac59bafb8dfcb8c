#!/usr/bin/env bash
# `make bench`: the ingest benchmark with the optimised server build (placeholder for now).
# Extra arguments are passed to `auditrail bench ingest`.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

exec cargo run --profile server-release -p server --bin auditrail -- bench ingest --events 200000 "$@"
