#!/usr/bin/env bash
# Sets up (first time) and starts the web UI on http://127.0.0.1:8501 with the embedded case library.
# It listens on this machine only; ADDRESS=0.0.0.0 (or another interface) serves a network on purpose.
# Sign-in: ADVISOR_AUTH=accounts or single-user; by default single-user only while the library has
# no account (a laptop), otherwise everyone signs in (see docs/DEPLOY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${ADVISOR_AUTH:-}" ]; then
  if [ "$(.venv/bin/advisor users count 2>/dev/null || echo unknown)" = "0" ]; then
    ADVISOR_AUTH=single-user
    echo "run: no account exists, so the app runs in SINGLE-USER mode: no sign-in, one shared" \
      "case library. Create accounts with '.venv/bin/advisor users add' to require sign-in." >&2
  else
    ADVISOR_AUTH=accounts
  fi
fi
export ADVISOR_AUTH
exec .venv/bin/python -m streamlit run ui/app.py \
  --server.headless true --browser.gatherUsageStats false \
  --server.address "${ADDRESS:-127.0.0.1}" --server.port "${PORT:-8501}" "$@"
