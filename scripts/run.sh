#!/usr/bin/env bash
# Sets up (first time) and starts the web UI on http://localhost:8501 with the embedded case library.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m streamlit run ui/app.py \
  --server.headless true --browser.gatherUsageStats false \
  --server.port "${PORT:-8501}" "$@"
