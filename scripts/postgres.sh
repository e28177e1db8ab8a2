#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use is there, and prints its URL on standard output.
#
# The tests find it at DOORBRAAK_TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432,
# user postgres, database test, trust authentication). Each test makes a fresh database of its own
# on that server and drops it afterwards. On a machine without a PostgreSQL server this installs
# Debian's `postgresql`, starts its cluster, lets local TCP connections in without a password
# (trust, as on the development machines) and creates the database `test`.
set -euo pipefail

url="${DOORBRAAK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

reachable() { psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1; }

if command -v psql >/dev/null 2>&1 && reachable; then
  echo "$url"
  exit 0
fi
if [ -n "${DOORBRAAK_TEST_POSTGRES_URL:-}" ]; then
  echo "error: DOORBRAAK_TEST_POSTGRES_URL=$url does not answer" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  as_root() { sudo "$@"; }
else
  echo "error: no PostgreSQL on 127.0.0.1:5432, this is not root, and there is no sudo:" >&2
  echo "       install Debian's postgresql as root, or set DOORBRAAK_TEST_POSTGRES_URL." >&2
  exit 1
fi

echo "== Installing and starting Debian's postgresql for the tests" >&2
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
# The package makes a cluster "main" for its version; make one if it did not (as in a container).
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
[ -d "/etc/postgresql/$version/main" ] || as_root pg_createcluster "$version" main >&2
hba="/etc/postgresql/$version/main/pg_hba.conf"
# Local TCP without a password, first in the file so that it wins.
if ! as_root grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
  as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi
as_root pg_ctlcluster "$version" main start 2>/dev/null || as_root pg_ctlcluster "$version" main reload
for _ in $(seq 1 50); do
  psql 'postgres://postgres@127.0.0.1:5432/postgres' -Atqc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
if ! psql 'postgres://postgres@127.0.0.1:5432/postgres' -Atqc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
  psql 'postgres://postgres@127.0.0.1:5432/postgres' -qc 'CREATE DATABASE test' >&2
fi
reachable || { echo "error: PostgreSQL did not come up at $url" >&2; exit 1; }
echo "$url"
