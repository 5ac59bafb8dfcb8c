#!/usr/bin/env bash
# `make bench`: every measurement of BENCHMARKS.md, with the optimised server build.
#   BENCH_EVENTS   events in the seeded databases for export and query (default 1000000)
#   BENCH_INGEST   events per ingest run (default 200000)
#   BENCH_DIR      where the seeded databases are kept between runs (default target/bench)
# PostgreSQL measurements use postgres://postgres@127.0.0.1:5432 (as the tests do).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

EVENTS=${BENCH_EVENTS:-1000000}
INGEST=${BENCH_INGEST:-200000}
DIR=${BENCH_DIR:-$ROOT/target/bench}
PG_SERVER=postgres://postgres@127.0.0.1:5432
mkdir -p "$DIR"

cargo build --profile server-release -p server --bin auditrail --bin auditrail-bench
BIN=$ROOT/target/server-release
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }

echo "## $(date -u +%F) on $(nproc) cores, commit $(git rev-parse --short HEAD)"
echo
echo "### Ingest"
"$BIN/auditrail-bench" ingest --database sqlite --events "$INGEST"
echo
"$BIN/auditrail-bench" ingest --database postgres --events "$INGEST"

SQLITE_DB=$DIR/sqlite-$EVENTS.db
if [ ! -f "$SQLITE_DB" ]; then
  echo
  echo "(seeding $EVENTS events into $SQLITE_DB)"
  /usr/bin/time -f "seeded in %e s" "$BIN/auditrail" seed --events "$EVENTS" --database-url "sqlite://$SQLITE_DB"
fi
PG_DB=auditrail_bench_$EVENTS
if ! psql -h 127.0.0.1 -U postgres -d test -Atqc "select 1 from pg_database where datname = '$PG_DB'" | grep -q 1; then
  echo "(seeding $EVENTS events into PostgreSQL database $PG_DB)"
  psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE $PG_DB"
  /usr/bin/time -f "seeded in %e s" "$BIN/auditrail" seed --events "$EVENTS" --database-url "$PG_SERVER/$PG_DB"
fi

echo
echo "### Export ($EVENTS events, SQLite)"
"$BIN/auditrail-bench" export --database "$SQLITE_DB"
echo
echo "### List API ($EVENTS events, SQLite)"
"$BIN/auditrail-bench" query --database-url "sqlite://$SQLITE_DB"
echo
echo "### List API ($EVENTS events, PostgreSQL)"
"$BIN/auditrail-bench" query --database-url "$PG_SERVER/$PG_DB"
echo
echo "### Verify ($EVENTS events, SQLite)"
"$BIN/auditrail-bench" verify --database-url "sqlite://$SQLITE_DB"
echo
echo "### Verify ($EVENTS events, PostgreSQL)"
"$BIN/auditrail-bench" verify --database-url "$PG_SERVER/$PG_DB"
echo
echo "### Proofs ($EVENTS events, SQLite)"
"$BIN/auditrail-bench" proofs --database-url "sqlite://$SQLITE_DB"
echo
echo "### Proofs ($EVENTS events, PostgreSQL)"
"$BIN/auditrail-bench" proofs --database-url "$PG_SERVER/$PG_DB"
echo
echo "### Retention purge ($EVENTS events, SQLite, on a copy)"
sqlite3 "$SQLITE_DB" ".backup '$DIR/purge.db'"
"$BIN/auditrail-bench" purge --database-url "sqlite://$DIR/purge.db" --archive-dir "$DIR/purge-archives"
rm -rf "$DIR/purge.db" "$DIR/purge.db-wal" "$DIR/purge.db-shm" "$DIR/purge-archives"
echo
echo "### Retention purge ($EVENTS events, PostgreSQL, on a copy)"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS auditrail_bench_purge"
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE auditrail_bench_purge TEMPLATE $PG_DB"
"$BIN/auditrail-bench" purge --database-url "$PG_SERVER/auditrail_bench_purge" --archive-dir "$DIR/purge-archives"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE auditrail_bench_purge"
rm -rf "$DIR/purge-archives"
echo
echo "### Log streams (SQLite): catch-up per sink, then the lag under a steady 5,000 events/s"
rm -f "$DIR/streams.db" "$DIR/streams.db-wal" "$DIR/streams.db-shm"
"$BIN/auditrail-bench" streams --database-url "sqlite://$DIR/streams.db"
rm -f "$DIR/streams.db" "$DIR/streams.db-wal" "$DIR/streams.db-shm"
echo
echo "### Log streams (PostgreSQL)"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS auditrail_bench_streams"
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE auditrail_bench_streams"
"$BIN/auditrail-bench" streams --database-url "$PG_SERVER/auditrail_bench_streams"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE auditrail_bench_streams"
echo
echo "### Web app: first visit to /audit-logs, sign-in click -> first row (50,000 demo events, SQLite)"
trunk build --release >/dev/null
WEB_DIR=$DIR/webapp
rm -rf "$WEB_DIR" && mkdir -p "$WEB_DIR"
"$BIN/auditrail" seed --events 50000 --database-url "sqlite://$WEB_DIR/demo.db" >/dev/null
"$BIN/auditrail" serve --bind 127.0.0.1:3199 --assets-dir dist --database-url "sqlite://$WEB_DIR/demo.db" \
  2>"$WEB_DIR/serve.log" &
WEB_SERVER=$!
until curl -fsS http://127.0.0.1:3199/healthz >/dev/null 2>&1; do sleep 0.2; done
(cd end2end && node bench/first-visit.mjs http://127.0.0.1:3199)
kill "$WEB_SERVER"
wait "$WEB_SERVER" || true
rm -rf "$WEB_DIR"
