"""Fuzzing the command line: random and malformed JSON and YAML into ``advisor assess`` and
``advisor batch``. Every input gets an assessment or a validation error, never a traceback.

Most inputs go through the real entry point in-process (``advisor.cli.main.main``) for speed;
a few go through a real subprocess, where a traceback would show on stderr. ``advisor assess``
must exit 0 (assessed) or 2 (invalid input); ``advisor batch`` may also exit 3 (some records
were refused, each with an error record), as its documented contract says.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    NASTY_JSON,
    NASTY_YAML,
    garbage_documents,
    invalid_profiles,
    mutated_profiles,
    profile_dicts,
)

from advisor.cli.main import main
from advisor.models import Assessment

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
SUFFIXES = st.sampled_from([".json", ".yaml", ".yml", ".txt", ""])
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr). Exceptions propagate."""
    out_buf, err_buf = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_buf, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_buf, encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refuses bad arguments this way
            code = exc.code if isinstance(exc.code, int) else 2
    out.flush()
    err.flush()
    return int(code), out_buf.getvalue().decode("utf-8"), err_buf.getvalue().decode("utf-8")


def assess_bytes(raw: bytes, folder: Path, suffix: str) -> tuple[int, str, str]:
    """Write ``raw`` to a file and run ``advisor assess FILE --format json`` in-process."""
    path = folder / f"input{suffix}"
    path.write_bytes(raw)
    return run_main(["assess", str(path), "--format", "json"])


def check_outcome(code: int, out: str, err: str) -> None:
    """0 with a valid assessment on stdout, or 2 with a message on stderr; no traceback."""
    assert "Traceback" not in err and "Traceback" not in out
    assert code in (0, 2), (code, err[-2000:])
    if code == 0:
        Assessment.model_validate_json(out)
    else:
        assert err.strip(), "a refusal must say why"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder for the fuzz inputs (one file rewritten per example)."""
    return tmp_path_factory.mktemp("fuzz")


@given(raw=garbage_documents(), suffix=SUFFIXES)
@settings(max_examples=300)
def test_garbage_documents_are_refused_cleanly(
    raw: bytes, suffix: str, folder: Path, fuzz_tried: Counter[str]
) -> None:
    """Noise, text, JSON values and hostile YAML get an assessment or a clean refusal."""
    fuzz_tried["assess in-process"] += 1
    check_outcome(*assess_bytes(raw, folder, suffix))


@pytest.mark.parametrize("raw", NASTY_YAML + NASTY_JSON, ids=lambda r: repr(r[:30]))
def test_every_nasty_document_is_refused_cleanly(
    raw: bytes, folder: Path, fuzz_tried: Counter[str]
) -> None:
    """Each hand-picked hostile document (bombs, tags, deep nesting, huge numbers) is handled."""
    fuzz_tried["assess in-process"] += 1
    check_outcome(*assess_bytes(raw, folder, ".yaml"))


@given(raw=mutated_profiles(), suffix=SUFFIXES)
@settings(max_examples=300)
def test_profiles_with_one_odd_value_are_assessed_or_refused(
    raw: bytes, suffix: str, folder: Path, fuzz_tried: Counter[str]
) -> None:
    """A valid profile with any one value replaced (NaN, 1e400, lists, text) never crashes."""
    fuzz_tried["assess in-process"] += 1
    check_outcome(*assess_bytes(raw, folder, suffix))


@given(defect=invalid_profiles(), as_yaml=st.booleans())
@settings(max_examples=150)
def test_invalid_profiles_exit_2_naming_the_field(
    defect: object, as_yaml: bool, folder: Path, fuzz_tried: Counter[str]
) -> None:
    """A profile with one known defect exits 2 and the message names the field at fault."""
    import yaml

    fuzz_tried["assess in-process"] += 1
    data = defect.data  # type: ignore[attr-defined]
    raw = (yaml.safe_dump(data) if as_yaml else json.dumps(data)).encode("utf-8")
    code, out, err = assess_bytes(raw, folder, ".yaml" if as_yaml else ".json")
    check_outcome(code, out, err)
    assert code == 2, f"{defect.kind} was accepted"  # type: ignore[attr-defined]
    assert defect.path in err, (defect.path, err)  # type: ignore[attr-defined]


@given(data=profile_dicts(), as_yaml=st.booleans())
@settings(max_examples=60)
def test_valid_profiles_are_assessed(
    data: dict, as_yaml: bool, folder: Path, fuzz_tried: Counter[str]
) -> None:
    """Every valid profile, in JSON or YAML, exits 0 with a contract-valid assessment."""
    import yaml

    fuzz_tried["assess in-process"] += 1
    raw = (yaml.safe_dump(data, allow_unicode=True) if as_yaml else json.dumps(data)).encode()
    code, out, err = assess_bytes(raw, folder, ".yaml" if as_yaml else ".json")
    assert code == 0, err
    check_outcome(code, out, err)
    assert json.loads(out)["profile_id"] == data["id"]


def _subprocess_assess(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [
            str(PYTHON if PYTHON.exists() else sys.executable),
            "-m",
            "advisor.cli",
            "assess",
            str(path),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


SUBPROCESS_INPUTS = [
    b"!!python/object/apply:os.system ['echo pwned']",
    NASTY_YAML[5],  # the billion-laughs alias bomb
    b"[" * 100_000 + b"]" * 100_000,
    b'{"human_resources": {"volunteers": 1' + b"0" * 5000 + b"}}",
    b'{"id": NaN}',
    b"\xff\xfe\x00garbage",
    "名字: 志愿者\n".encode(),
]


@pytest.mark.parametrize("raw", SUBPROCESS_INPUTS, ids=lambda r: repr(r[:20]))
def test_real_process_never_prints_a_traceback(
    raw: bytes, tmp_path: Path, fuzz_tried: Counter[str]
) -> None:
    """In a real process, hostile input exits 0 or 2 and stderr holds no traceback."""
    fuzz_tried["assess subprocess"] += 1
    path = tmp_path / "p.yaml"
    path.write_bytes(raw)
    proc = _subprocess_assess(path)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 2), proc.stderr[-3000:]
    assert "pwned" not in proc.stdout


@pytest.mark.parametrize("raw", SUBPROCESS_INPUTS[:4], ids=lambda r: repr(r[:20]))
def test_stdin_never_prints_a_traceback(raw: bytes, fuzz_tried: Counter[str]) -> None:
    """``advisor assess -`` reading hostile input from stdin exits 0 or 2, no traceback."""
    fuzz_tried["assess subprocess"] += 1
    proc = subprocess.run(
        [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "advisor.cli", "assess", "-"],
        cwd=ROOT,
        input=raw,
        capture_output=True,
        timeout=120,
        check=False,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    assert proc.returncode in (0, 2), err[-3000:]


@given(
    data=profile_dicts(),
    fmt=st.sampled_from(["json", "md", "html"]),
    lang=st.sampled_from(["zh", "en"]),
)
@settings(max_examples=40)
def test_the_same_file_gives_the_same_bytes_in_every_format(
    data: dict, fmt: str, lang: str, folder: Path, fuzz_tried: Counter[str]
) -> None:
    """``advisor assess`` run twice on the same file prints byte-identical output, in JSON,
    Markdown and HTML, in both languages (no clock, no set order, no randomness leaks in)."""
    fuzz_tried["assess in-process"] += 2
    path = folder / "same.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    argv = ["assess", str(path), "--format", fmt, "--lang", lang]
    first = run_main(argv)
    assert first[0] == 0, first[2]
    assert run_main(argv) == first
