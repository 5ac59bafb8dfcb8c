#!/usr/bin/env bash
# Installs what is missing to build and run Auditrail; with --test, also what the tests need.
# Idempotent and quick when everything is present. Works as root on a fresh Debian machine,
# with sudo otherwise, and in CI (CI=true, no stdin). Only package registries are used.
#
#   scripts/setup.sh          wasm32 target, trunk, wasm-bindgen-cli, wasm-split-cli, wasm-opt (npm),
#                             brotli, cargo fetch
#   scripts/setup.sh --test   + Chromium, end2end's npm packages, Schemathesis (PyPI, in a venv),
#                             PostgreSQL (best effort)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

TRUNK_VERSION=0.21.14
# The splitter matching the wasm_split_helpers that Leptos (Cargo.lock) brings.
WASM_SPLIT_VERSION=0.2.4
BINARYEN_VERSION=132.0.0
SCHEMATHESIS_VERSION=4.32.5
PG_ADDR=(-h 127.0.0.1 -p 5432)

TEST_FLOW=0
for arg in "$@"; do
  case "$arg" in
    --test) TEST_FLOW=1 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

LOG_DIR="$ROOT/.tools/logs"
mkdir -p "$LOG_DIR"
SETUP_START=$(now_ms)

say() { printf '[setup] %s\n' "$*"; }
warn() { printf '[setup] WARNING: %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs "$@" quietly into .tools/logs/$1.log; on failure shows the log's tail and exits.
# Usage: quietly NAME "what it is" cmd args...
quietly() {
  local name=$1 what=$2 t0 rc=0
  shift 2
  say "$what ..."
  t0=$(now_ms)
  "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$LOG_DIR/$name.log" >&2
    die "$what failed (exit $rc; full log: .tools/logs/$name.log)"
  fi
  say "  done in $(fmt_ms $(($(now_ms) - t0)))"
}

# Runs "$@" as root: directly when root, else with sudo (non-interactive without a terminal).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [ -t 0 ]; then sudo "$@"; else sudo -n "$@"; fi
  else
    echo "not root and no sudo: cannot run '$*'" >&2
    return 1
  fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup; ~/.cargo/bin is on PATH here)"
command -v rustup >/dev/null 2>&1 || die "rustup not found (the wasm32 target is added with rustup)"

# --- Rust: the browser target ------------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  quietly rustup-target "adding the wasm32-unknown-unknown target" rustup target add wasm32-unknown-unknown
fi

# --- Trunk (0.22 needs a newer rustc: pinned) ----------------------------------------------------
have_trunk=$(trunk --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_trunk" = "$TRUNK_VERSION" ]; then
  say "trunk $TRUNK_VERSION: present"
else
  quietly trunk "installing trunk $TRUNK_VERSION (was: ${have_trunk:-none}; cold build ~6 min)" \
    cargo install trunk --locked --version "$TRUNK_VERSION" --force
fi

# --- Disk: a cold build and the test databases take about 10 GB ---------------------------------
free_kb=$(df -Pk "$ROOT" | awk 'NR == 2 { print $4 }')
if [ "${free_kb:-0}" -lt $((10 * 1024 * 1024)) ]; then
  warn "only $((free_kb / 1024)) MiB free on $ROOT's disk: a cold build and the tests need about 10 GB"
fi

# --- Crates (Trunk runs cargo offline) ------------------------------------------------------------
quietly cargo-fetch "cargo fetch" cargo fetch

# --- wasm-bindgen CLI at Cargo.lock's wasm-bindgen ------------------------------------------------
want_wbg=$(lock_version wasm-bindgen)
[ -n "$want_wbg" ] || die "no wasm-bindgen entry in Cargo.lock"
have_wbg=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wbg" = "$want_wbg" ]; then
  say "wasm-bindgen-cli $want_wbg: present (matches Cargo.lock)"
else
  # No --locked: a pinned dependency of wasm-bindgen-cli was yanked.
  quietly wasm-bindgen-cli "installing wasm-bindgen-cli $want_wbg (was: ${have_wbg:-none}; cold build ~2 min)" \
    cargo install wasm-bindgen-cli --version "$want_wbg" --force
fi
trunk_pin=$(sed -n 's/^wasm_bindgen *= *"\(.*\)".*/\1/p' Trunk.toml 2>/dev/null || true)
if [ -n "$trunk_pin" ] && [ "$trunk_pin" != "$want_wbg" ]; then
  warn "Trunk.toml pins wasm_bindgen = \"$trunk_pin\" but Cargo.lock has $want_wbg; the scripts override it (TRUNK_TOOLS_WASM_BINDGEN), update Trunk.toml"
fi

# --- wasm-split-cli: cuts the pages' chunks out of the web app (scripts/bin/wasm-bindgen) ---------
if cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "wasm-split-cli $WASM_SPLIT_VERSION: present"
else
  quietly wasm-split-cli "installing wasm-split-cli $WASM_SPLIT_VERSION (cold build ~3 min)" \
    cargo install wasm_split_cli_support --locked --version "$WASM_SPLIT_VERSION" --features build-binary --force
fi

# --- wasm-opt from npm binaryen (Debian's wasm-opt 108 breaks the wasm) -------------------------
command -v npm >/dev/null 2>&1 || {
  warn "npm not found; installing Debian's nodejs and npm"
  apt_install nodejs npm >"$LOG_DIR/apt-node.log" 2>&1 || die "could not install nodejs/npm (log: .tools/logs/apt-node.log)"
}
binaryen_pkg="$ROOT/.tools/node_modules/binaryen/package.json"
have_binaryen=$(sed -n 's/^ *"version": *"\(.*\)".*/\1/p' "$binaryen_pkg" 2>/dev/null | head -n1 || true)
if [ -x "$ROOT/.tools/node_modules/.bin/wasm-opt" ] && [ "$have_binaryen" = "$BINARYEN_VERSION" ]; then
  say "wasm-opt (npm binaryen $BINARYEN_VERSION): present in .tools/"
else
  quietly binaryen "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/" \
    npm install --prefix "$ROOT/.tools" "binaryen@$BINARYEN_VERSION" --no-audit --no-fund
fi

# --- brotli: Trunk's post-build hook writes precompressed twins of dist/ (scripts/compress-dist.sh) -
if command -v brotli >/dev/null 2>&1; then
  say "brotli: present"
else
  quietly apt-brotli "installing Debian's brotli (apt)" apt_install brotli
fi

if [ "$TEST_FLOW" -eq 1 ]; then
  # --- Chromium for Playwright (no browser downloads here) --------------------------------------
  if [ -x /usr/bin/chromium ]; then
    say "chromium: present (/usr/bin/chromium)"
  else
    quietly apt-chromium "installing Debian's chromium (apt)" apt_install chromium
    [ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"
  fi

  # --- rsyslog: the syslog log stream's tests deliver into a real collector (not as a service) --
  if [ -x /usr/sbin/rsyslogd ]; then
    say "rsyslog: present (/usr/sbin/rsyslogd)"
  else
    quietly apt-rsyslog "installing Debian's rsyslog (apt)" apt_install rsyslog
    [ -x /usr/sbin/rsyslogd ] || die "rsyslog installed but /usr/sbin/rsyslogd is missing"
  fi

  # --- end2end npm packages ----------------------------------------------------------------------
  e2e="$ROOT/end2end"
  npm_e2e() { (cd "$e2e" && npm "$@"); }
  if [ ! -f "$e2e/package.json" ]; then
    say "end2end npm packages: skipped (end2end/package.json does not exist yet)"
  else
    marker="$e2e/node_modules/.package-lock.json"
    if [ -f "$e2e/package-lock.json" ]; then
      if [ ! -f "$marker" ] || [ "$e2e/package-lock.json" -nt "$marker" ] || [ "$e2e/package.json" -nt "$marker" ]; then
        quietly npm-e2e "npm ci in end2end/" npm_e2e ci --no-audit --no-fund
      else
        say "end2end npm packages: up to date"
      fi
    else
      warn "end2end/package-lock.json is missing; running npm install (commit the lock file it writes)"
      quietly npm-e2e "npm install in end2end/" npm_e2e install --no-audit --no-fund
    fi
  fi

  # --- Schemathesis (PyPI) in a venv under .tools/: the API contract stage (scripts/schemathesis.sh) -
  st_venv="$ROOT/.tools/schemathesis"
  have_st=$("$st_venv/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}' || true)
  if [ "$have_st" = "$SCHEMATHESIS_VERSION" ]; then
    say "schemathesis $SCHEMATHESIS_VERSION: present in .tools/schemathesis"
  else
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
      quietly apt-python "installing Debian's python3 and python3-venv (apt)" apt_install python3 python3-venv
    fi
    install_schemathesis() {
      rm -rf "$st_venv"
      python3 -m venv "$st_venv"
      "$st_venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
    }
    quietly schemathesis "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into .tools/schemathesis (was: ${have_st:-none})" \
      install_schemathesis
  fi
  command -v curl >/dev/null 2>&1 || quietly apt-curl "installing Debian's curl (apt)" apt_install curl

  # --- PostgreSQL: the storage contract suite and the integration tests run on it ----------------
  # Tests connect as postgres@127.0.0.1:5432 without a password and create their own databases
  # next to the database `test`.
  pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q "${PG_ADDR[@]}" 2>/dev/null; }
  pg_trusts_tests() { psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 </dev/null; }
  start_postgres() {
    local ver _ fresh=0
    if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
      apt_install postgresql || return 1
      fresh=1
    fi
    # shellcheck disable=SC2012 # cluster versions are plain numbers
    ver=$(ls /etc/postgresql | sort -V | tail -n1)
    [ -n "$ver" ] || return 1
    if [ "$fresh" -eq 1 ]; then
      # A cluster we just installed for the tests: let local TCP connections in without a password.
      as_root sed -i '1i host all all 127.0.0.1/32 trust' "/etc/postgresql/$ver/main/pg_hba.conf"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 1 20); do
      pg_up && return 0
      sleep 0.5
    done
    return 1
  }
  if pg_up; then
    say "postgresql: accepting connections on 127.0.0.1:5432"
  else
    say "postgresql: not answering on 127.0.0.1:5432, starting it ..."
    if start_postgres >"$LOG_DIR/postgres.log" 2>&1 </dev/null; then
      say "  postgresql started"
    else
      die "PostgreSQL could not be started (log: .tools/logs/postgres.log); the tests need it"
    fi
  fi
  pg_trusts_tests || die "PostgreSQL refuses postgres@127.0.0.1 without a password; allow it in pg_hba.conf (trust) or set AUDITRAIL_TEST_POSTGRES"
  if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname = 'test'" </dev/null)" != "1" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' </dev/null >/dev/null
    say "postgresql: created database test"
  fi
fi

say "ready in $(fmt_ms $(($(now_ms) - SETUP_START)))"
