#!/usr/bin/env bash
# `npm test`: type-check, then every test file against embedded SQLite and against a real PostgreSQL.
# Installs what the tests need from Debian's packages when missing (as root), and starts PostgreSQL itself
# unless CARILLON_TEST_POSTGRES_URL points at one already.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v openssl >/dev/null 2>&1 || need+=(openssl) # a certificate for the SMTP client's TLS tests
[ -x /usr/lib/chromium/chromium ] || need+=(chromium) # the console and end-user pages are tested in a real browser
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${need[*]} from Debian's packages..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "The tests need these Debian packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

echo "== type check"
npx tsc --noEmit -p .
npx tsc --noEmit -p console

echo "== build (server, CLI and console)"
node scripts/build.mjs

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && { bash scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"; }; return 0; }
trap cleanup EXIT
if [ -z "${CARILLON_TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/carillon-pg.XXXXXX)
  port=$(( 20000 + RANDOM % 20000 ))
  bash scripts/postgres.sh start "$pg_dir" "$port"
  export CARILLON_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
fi

files=${CARILLON_TEST_FILES:-test/*.test.ts}
status=0
for engine in sqlite postgres; do
  echo "== tests on $engine"
  # The timeout also bounds each file as a whole: the console's browser journey takes about 80 s alone.
  CARILLON_TEST_DB=$engine node --import tsx --test --test-concurrency=2 --test-timeout=300000 $files || status=1
done
exit $status
