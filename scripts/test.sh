#!/usr/bin/env bash
# The one test command: installs what the suites need on a fresh machine, then runs them all.
#   1. Rust unit and integration tests (real server on port 0, real WebSocket clients, SQLite).
#   2. Interoperability tests: the official yjs + y-websocket clients in Node against the binary.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust: format, build, unit and integration tests"
cargo fmt --all -- --check
cargo build --locked --bins
cargo test --locked

echo "== JavaScript interoperability (yjs, y-websocket)"
(
  cd tests/interop
  npm ci --no-audit --no-fund --loglevel=error
  DOORBRAAK_BIN="$PWD/../../target/debug/doorbraak" node --test --test-reporter=spec --test-concurrency=1
)
