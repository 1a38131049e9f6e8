#!/usr/bin/env bash
# `npm test`: type-check, then every test file against embedded SQLite and against a real PostgreSQL.
# Installs what the tests need from Debian's packages when missing (as root), and starts PostgreSQL itself
# unless CARILLON_TEST_POSTGRES_URL points at one already. Runs on whatever `node` is first on PATH.
#
# Optional environment:
#   CARILLON_TEST_ENGINES="sqlite postgres"  the engines to run, in this order (CI runs one or both per Node)
#   CARILLON_TEST_FILES="test/*.test.ts"     the test files
#   CARILLON_TEST_POSTGRES_URL=postgres://…  an existing PostgreSQL instead of a throwaway one
#   CARILLON_TEST_NO_TYPECHECK=1             skip the type check (CI's second run of the same sources, on
#                                            another Node, skips it: tsc's verdict does not depend on Node)
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

engines=${CARILLON_TEST_ENGINES:-sqlite postgres}
for engine in $engines; do
  case "$engine" in sqlite | postgres) ;; *) echo "CARILLON_TEST_ENGINES: unknown engine '$engine' (sqlite, postgres)" >&2; exit 2 ;; esac
done
node_version=$(node --version)

if [ "${CARILLON_TEST_NO_TYPECHECK:-}" = 1 ]; then
  echo "== type check skipped (CARILLON_TEST_NO_TYPECHECK=1)"
else
  echo "== type check"
  npx tsc --noEmit -p .
  npx tsc --noEmit -p console
fi

echo "== build (server, CLI and console) on Node $node_version"
node scripts/build.mjs

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && { bash scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"; }; return 0; }
trap cleanup EXIT
if [[ " $engines " == *" postgres "* && -z "${CARILLON_TEST_POSTGRES_URL:-}" ]]; then
  pg_dir=$(mktemp -d /tmp/carillon-pg.XXXXXX)
  port=$(( 20000 + RANDOM % 20000 ))
  bash scripts/postgres.sh start "$pg_dir" "$port"
  export CARILLON_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
fi

files=${CARILLON_TEST_FILES:-test/*.test.ts}
status=0
summary=()
for engine in $engines; do
  echo "== tests on $engine, Node $node_version"
  started=$SECONDS
  # The timeout also bounds each file as a whole: the console's browser journey takes about 80 s alone.
  if CARILLON_TEST_DB=$engine node --import tsx --test --test-concurrency=2 --test-timeout=300000 $files; then
    summary+=("passed: tests on $engine, Node $node_version, $((SECONDS - started)) s")
  else
    status=1
    summary+=("FAILED: tests on $engine, Node $node_version, $((SECONDS - started)) s")
  fi
done
printf '== %s\n' "${summary[@]}"
exit $status
