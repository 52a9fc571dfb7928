#!/usr/bin/env bash
# The whole suite: once on SQLite with the in-memory channel layer, then again on PostgreSQL + Redis
# when they are reachable. Says loudly what it skipped; with XINYUAN_REQUIRE_SERVICES=1 or
# XINYUAN_REQUIRE_BROWSER=1 a missing service or browser fails instead.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
REQUIRE_SERVICES=${XINYUAN_REQUIRE_SERVICES:-0}
REQUIRE_BROWSER=${XINYUAN_REQUIRE_BROWSER:-0}
PG_URL=${XINYUAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/xinyuan}
REDIS=${XINYUAN_TEST_REDIS_URL:-redis://127.0.0.1:6379/9}
CHROMIUM=${XINYUAN_CHROMIUM:-/usr/bin/chromium}

loud() {
  printf '\n\033[1;33m########################################################################\n'
  printf '## %s\n' "$@"
  printf '########################################################################\033[0m\n\n'
}

summary=()
failed=0

# Browser: Debian's chromium, installed with apt-get when it is missing and we can. Never downloaded.
if [ ! -x "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || true
fi
if [ -x "$CHROMIUM" ]; then
  export XINYUAN_CHROMIUM="$CHROMIUM"
  summary+=("browser tests: run in $CHROMIUM")
elif [ "$REQUIRE_BROWSER" = 1 ]; then
  loud "FAILED: $CHROMIUM is missing and XINYUAN_REQUIRE_BROWSER=1"
  exit 1
else
  export XINYUAN_SKIP_BROWSER=1
  loud "SKIPPED: browser tests ($CHROMIUM is missing; install Debian's chromium package)"
  summary+=("browser tests: SKIPPED (no $CHROMIUM)")
fi

run_suite() {  # name, then env assignments
  local name=$1; shift
  echo "== $name =="
  env "$@" "$BIN/pytest" -q -p no:randomly ${PYTEST_ARGS:-}
  local rc=$?
  if [ $rc -eq 0 ]; then summary+=("$name: passed"); else summary+=("$name: FAILED (pytest exit $rc)"); failed=1; fi
}

# Rate-limit counters and channel groups of this run stay apart from any other run on the same Redis.
export XINYUAN_CACHE_PREFIX="test-$$-$RANDOM" XINYUAN_CHANNEL_PREFIX="test$$"

run_suite "SQLite + in-memory channel layer" -u DATABASE_URL -u REDIS_URL XINYUAN_VAR_DIR="$PWD/var/test"

services=$("$BIN/python" scripts/services.py "$PG_URL" "$REDIS")
if [ "$services" = ok ]; then
  run_suite "PostgreSQL + Redis" DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" XINYUAN_VAR_DIR="$PWD/var/test" \
    XINYUAN_TEST_SERVICES=1
elif [ "$REQUIRE_SERVICES" = 1 ]; then
  loud "FAILED: PostgreSQL or Redis unreachable and XINYUAN_REQUIRE_SERVICES=1: $services"
  summary+=("PostgreSQL + Redis: FAILED (unreachable: $services)")
  failed=1
else
  loud "SKIPPED: the PostgreSQL + Redis run ($services)" \
       "Start them, or point XINYUAN_TEST_DATABASE_URL / XINYUAN_TEST_REDIS_URL at them."
  summary+=("PostgreSQL + Redis: SKIPPED ($services)")
fi

echo
echo "Summary:"
for line in "${summary[@]}"; do echo "  - $line"; done
exit $failed
