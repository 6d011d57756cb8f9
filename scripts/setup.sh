#!/usr/bin/env bash
# Creates .venv and installs everything the project needs. Idempotent.
#   scripts/setup.sh         the product (Python packages)
#   scripts/setup.sh --test  also the test tools: Debian's Chromium and a CJK font for browser tests,
#                            and Debian's PostgreSQL server (the tests start a throw-away cluster)
#   scripts/setup.sh --admin NAME [--org ID --org-name NAME]
#                            also create the first administrator (asks for the password), which
#                            turns on sign-in (see docs/DEPLOY.md)
set -euo pipefail
cd "$(dirname "$0")/.."
with_test=0
admin=""
admin_org="district"
admin_org_name="District administration"
while [ $# -gt 0 ]; do
  case "$1" in
    --test) with_test=1 ;;
    --admin) admin="${2:?--admin needs a user name}"; shift ;;
    --org) admin_org="${2:?--org needs an id}"; shift ;;
    --org-name) admin_org_name="${2:?--org-name needs a name}"; shift ;;
    *) echo "setup: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Python 3.11 or 3.12 (durable-rules does not import on 3.13)
PY=""
for cand in python3.11 python3.12 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if (3,11) <= sys.version_info[:2] < (3,13) else 1)'; then
    PY="$cand"; break
  fi
done
if [ -z "$PY" ]; then
  apt_install python3 python3-venv python3-dev gcc
  PY=python3
fi

if [ "$with_test" -eq 1 ]; then
  # a serif CJK font for PDF; pdftotext/pdftoppm read PDFs back
  apt_install chromium fonts-wqy-microhei fonts-arphic-uming poppler-utils postgresql
  # axe-core for the browser accessibility audit (tests/e2e/test_accessibility.py)
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -f tests/e2e/node/node_modules/axe-core/axe.min.js ]; then
    npm ci --prefix tests/e2e/node --no-audit --no-fund --loglevel=error
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)-$with_test"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  if [ "$with_test" -eq 1 ]; then
    .venv/bin/python -m pip install -q -e '.[test]'
  else
    .venv/bin/python -m pip install -q -e .
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ -n "$admin" ]; then
  .venv/bin/advisor db upgrade
  .venv/bin/advisor users add "$admin" --role admin --org "$admin_org" \
    --org-name "$admin_org_name" --org-kind civil_affairs
fi
