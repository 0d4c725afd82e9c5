#!/usr/bin/env bash
# Installs the local Bluesky PDS used by the connector tests (tests/pds/node_modules).
#
#   bash tests/pds/install.sh
#
# Idempotent: does nothing when node_modules already matches package-lock.json and
# the native SQLite module loads. Otherwise `npm ci` without install scripts, then
# builds better-sqlite3 (the only native module the PDS needs) from source against
# this machine's Node.js. Quiet on success; on failure prints npm's log and exits
# non-zero. Needs Node.js >= 18.7, npm, a C++ compiler and the npm registry.
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "tests/pds/install.sh: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || fail "Node.js (node) is not installed"
command -v npm >/dev/null 2>&1 || fail "npm is not installed"

stamp=node_modules/.footprint-pds-installed
want="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
sqlite_loads() {
  node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" >/dev/null 2>&1
}
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && sqlite_loads; then
  exit 0
fi

# Build native code from source (no prebuilt download: only the registry is reachable),
# against the installed Node.js headers when the machine has them (else node-gyp would
# try to download them).
export npm_config_build_from_source=true
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run() {
  if ! "$@" >>"$log" 2>&1; then
    cat "$log" >&2
    fail "'$*' failed (in tests/pds)"
  fi
}

run npm ci --ignore-scripts --no-audit --no-fund
run npm rebuild better-sqlite3
sqlite_loads || { cat "$log" >&2; fail "better-sqlite3 was built but does not load"; }
echo "$want" >"$stamp"
