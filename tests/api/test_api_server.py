"""End to end: `advisor serve` as a real uvicorn on a free local port, called over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_helpers import ROOT, SAMPLE, cli, ensure_org

from advisor.api.tokens import TokenStore
from advisor.io import load_profile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(db: str | Path, log: Path, workers: int = 1) -> Iterator[str]:
    """``advisor serve --db DB`` in its own process group; yields its base url."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVISOR_API_RATE": "0"}
    env.pop("ADVISOR_API_OPEN", None)
    argv = [sys.executable, "-m", "advisor.cli", "serve", "--port", str(port), "--db", str(db),
            "--log-level", "warning", "--workers", str(workers)]  # fmt: skip
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            argv, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("advisor serve did not start:\n" + log.read_text())
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """``advisor serve`` over a SQLite file; yields (base url, a token, the log file)."""
    tmp = tmp_path_factory.mktemp("api-server")
    db = tmp / "cases.sqlite3"
    ensure_org(db)
    token, _ = TokenStore(db).create("chaoyang", "official")
    log = tmp / "server.log"
    with serving(db, log) as url:
        yield url, token, log


def test_real_server_over_postgresql_keeps_organisations_apart(
    pg_cluster: Any, tmp_path: Path
) -> None:
    """ADVISOR_DB=postgresql://...: tokens made with `advisor tokens --db URL`, two uvicorn
    workers; one organisation saves a case, the other cannot open it, the first can."""
    db = pg_cluster.new_database()
    ensure_org(db, "agency-a", "阳光社工服务中心")
    ensure_org(db, "street-b", "朝阳街道办事处")
    tokens = {}
    for org, role in (("agency-a", "planner"), ("street-b", "official")):
        code, out, err = cli(["tokens", "create", "--db", db, "--org", org, "--role", role])
        assert code == 0, err
        tokens[org] = {"Authorization": f"Bearer {out.strip()}"}
    body = load_profile(SAMPLE).model_dump(mode="json")
    log = tmp_path / "server.log"
    with serving(db, log, workers=2) as url:
        r = httpx.put(f"{url}/v1/cases/{body['id']}", json=body, headers=tokens["agency-a"],
                      timeout=60)  # fmt: skip
        assert r.status_code == 201 and r.json()["owner"] == "agency-a"
        for _ in range(4):  # whichever worker answers
            r = httpx.get(f"{url}/v1/cases/{body['id']}", headers=tokens["street-b"], timeout=60)
            assert r.status_code == 404
            r = httpx.get(f"{url}/v1/cases", headers=tokens["street-b"], timeout=60)
            assert r.json() == []
        r = httpx.get(f"{url}/v1/cases/{body['id']}", headers=tokens["agency-a"], timeout=60)
        assert r.status_code == 200 and r.json()["version"] == 1
    assert "Traceback" not in log.read_text(errors="replace")


def test_real_server_assesses_like_the_cli(server: tuple[str, str, Path]) -> None:
    """Over a real socket: the CLI's bytes with a token, 401 without one."""
    url, token, _ = server
    out = cli(["assess", str(SAMPLE), "--format", "json"])[1]
    h = {"Authorization": f"Bearer {token}"}
    r = httpx.post(url + "/v1/assess", content=SAMPLE.read_bytes(), headers=h, timeout=60)
    assert r.status_code == 200 and r.text == out
    r = httpx.post(url + "/v1/assess", content=SAMPLE.read_bytes(), timeout=60)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorised"


def test_real_server_streams_a_batch(server: tuple[str, str, Path]) -> None:
    """200 lines sent chunked, 200 records back in order, each the contract's assessment."""
    url, token, _ = server
    data = load_profile(SAMPLE).model_dump(mode="json")

    def lines() -> Iterator[bytes]:
        for i in range(200):
            yield json.dumps({**data, "id": f"case-{i:03d}"}, ensure_ascii=False).encode() + b"\n"

    h = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    with httpx.stream("POST", url + "/v1/batch", content=lines(), headers=h, timeout=300) as r:
        assert r.status_code == 200
        ids = [json.loads(line)["profile_id"] for line in r.iter_lines() if line]
    assert ids == [f"case-{i:03d}" for i in range(200)]


def test_real_server_refusals_and_docs(server: tuple[str, str, Path]) -> None:
    """413 over the wire, a bilingual 422, and the docs with their local assets."""
    url, token, log = server
    h = {"Authorization": f"Bearer {token}"}
    r = httpx.post(url + "/v1/assess", content=b"{" + b" " * 1_100_000 + b"}", headers=h)
    assert r.status_code == 413
    r = httpx.post(url + "/v1/assess", content=b'{"id": "x"}', headers=h, timeout=60)
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["message"]["zh"]
    for page in ("/docs", "/redoc", "/docs/assets/swagger-ui-bundle.js"):
        assert httpx.get(url + page, timeout=30).status_code == 200, page
    assert "Traceback" not in log.read_text(errors="replace")
