"""The web UI's embedded defaults are safe: it listens on this machine only, unless told."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_reads_a_loopback_address_from_the_repository_config() -> None:
    code = (
        "from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(config.get_option('server.address'))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "127.0.0.1"


def test_run_sh_binds_to_loopback_unless_address_is_set() -> None:
    text = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert '--server.address "${ADDRESS:-127.0.0.1}"' in text
