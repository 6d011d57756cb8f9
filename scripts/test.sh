#!/usr/bin/env bash
# Sets up (first time, Debian packages included) and runs the whole test suite: lint, types
# (mypy over knowledge_base/, rules/ and advisor/, configured in pyproject.toml), then pytest.
# The store tests start one throw-away PostgreSQL cluster under $ADVISOR_TEST_PG_ROOT; whatever
# happens to pytest (failure, Ctrl-C, a crash), every cluster left there is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

ADVISOR_TEST_PG_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/advisor-test-pg.XXXXXX")"
chmod 755 "$ADVISOR_TEST_PG_ROOT"  # the clusters inside run as the postgres user
export ADVISOR_TEST_PG_ROOT
stop_clusters() {
  local pid_file data pg_ctl
  pg_ctl="$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1 || true)"
  for pid_file in "$ADVISOR_TEST_PG_ROOT"/*/data/postmaster.pid; do
    [ -f "$pid_file" ] || continue
    data="$(dirname "$pid_file")"
    echo "test.sh: stopping the PostgreSQL cluster left in $data" >&2
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    else
      "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$ADVISOR_TEST_PG_ROOT"
}
trap stop_clusters EXIT
.venv/bin/python -m pytest "$@"
