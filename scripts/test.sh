#!/usr/bin/env bash
# The one test command: installs what the suites need on a fresh machine, then runs them all.
#   1. Rust unit and integration tests (real server on port 0, real WebSocket clients, SQLite;
#      PostgreSQL, found or installed by scripts/postgres.sh, for its schema test and a second run
#      of the integration suite on it).
#   2. Interoperability tests: the official yjs + y-websocket clients in Node (and Chromium) against
#      the binary, once on SQLite and once on PostgreSQL; several processes on one PostgreSQL in
#      cluster.test.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Front-end: unit tests, and web/dist must be what web/src builds to (it is embedded in the binary)"
(
  cd web
  npm ci --no-audit --no-fund --loglevel=error
  node build.mjs --check
  node --test --test-reporter=spec test/
)

echo "== PostgreSQL for the tests (DOORBRAAK_TEST_POSTGRES_URL; installed and started if missing)"
DOORBRAAK_TEST_POSTGRES_URL="$(./scripts/postgres.sh)"
export DOORBRAAK_TEST_POSTGRES_URL
echo "   $DOORBRAAK_TEST_POSTGRES_URL"

echo "== Rust: format, lints, build, unit and integration tests"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo build --locked --bins
cargo test --locked

echo "== The integration suite again, on PostgreSQL (a fresh database per test)"
DOORBRAAK_TEST_BACKEND=postgres cargo test --locked --test api

# The browser interop test (tests/interop/browser.test.mjs) drives Debian's Chromium; install it once.
# CHROMIUM_PATH overrides where the test looks; without it, /usr/bin/chromium is what must exist.
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "== Installing Debian's chromium for the browser interop test"
  if [ "$(id -u)" -eq 0 ]; then
    as_root() { "$@"; }
  elif command -v sudo >/dev/null 2>&1; then
    as_root() { sudo "$@"; }
  else
    echo "error: /usr/bin/chromium is missing, this is not root, and there is no sudo:" >&2
    echo "       install it with 'apt-get install --no-install-recommends chromium' as root," >&2
    echo "       or set CHROMIUM_PATH to a Chromium executable." >&2
    exit 1
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  /usr/bin/chromium --version 2>/dev/null || { echo "error: chromium did not install" >&2; exit 1; }
fi

echo "== JavaScript interoperability (yjs, y-websocket, y-websocket in headless Chromium), on SQLite"
(
  cd tests/interop
  npm ci --no-audit --no-fund --loglevel=error
  DOORBRAAK_BIN="$PWD/../../target/debug/doorbraak" node --test --test-reporter=spec --test-concurrency=1
)

# The same suites with every server on a fresh PostgreSQL database of its own (cluster.test.mjs
# runs several processes on one PostgreSQL in both runs).
echo "== JavaScript interoperability again, on PostgreSQL"
(
  cd tests/interop
  DOORBRAAK_TEST_BACKEND=postgres DOORBRAAK_BIN="$PWD/../../target/debug/doorbraak" \
    node --test --test-reporter=spec --test-concurrency=1
)
