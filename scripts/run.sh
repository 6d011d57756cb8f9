#!/usr/bin/env bash
# Sets up (first time) and starts the web UI on http://127.0.0.1:8501 with the embedded case library.
# It listens on this machine only; ADDRESS=0.0.0.0 (or another interface) serves a network on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m streamlit run ui/app.py \
  --server.headless true --browser.gatherUsageStats false \
  --server.address "${ADDRESS:-127.0.0.1}" --server.port "${PORT:-8501}" "$@"
