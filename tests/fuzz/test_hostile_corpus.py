"""Issue 18's reproducers (``tests/fuzz/corpus/``): each is refused, clearly, fast, by every loader.

A refusal names the field (or the line and column of the YAML/JSON), quotes at most a short
excerpt of the input, and comes back in bounded time; through the CLI it is exit 2 and never a
traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.cli.main import main
from advisor.errors import MESSAGE_CHARS, ProfileError
from advisor.io import parse_document, profile_from_data

CORPUS = Path(__file__).resolve().parent / "corpus"
ROOT = CORPUS.parents[2]
ADVISOR = [sys.executable, "-m", "advisor.cli"]

# file -> a fragment the refusal must contain (the field, or what was refused)
EXPECTED = {
    "alias_bomb.yaml": "anchors and aliases",
    "tag_timestamp.yaml": "!!timestamp",
    "tag_bool.yaml": "!!bool",
    "tag_int_empty.yaml": "!!int",
    "tag_float_empty.yaml": "!!float",
    "tag_python.yaml": "!!python/object/apply:os.syst…",
    "control_true.yaml": "government.control",
    "acceptance_yes.yaml": "government.acceptance_mechanism",
    "acceptance_off.yaml": "government.acceptance_mechanism",
    "acceptance_one.yaml": "government.acceptance_mechanism",
    "schema_version_true.yaml": "schema_version",
    "schema_version_float.yaml": "schema_version",
    "sexagesimal.yaml": "human_resources.volunteers",
    "hex.yaml": "human_resources.volunteers",
    "duplicate_id.yaml": "'id' appears twice",
    "duplicate_id.json": "'id' appears twice",
    "merge_key.yaml": "agenda.<<",
    "nan.json": "NaN",
    "long_choice.yaml": "linkage",
}


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.name != "README.md") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_reproducer_is_refused_in_process_naming_the_field(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    t0 = time.monotonic()
    with pytest.raises(ProfileError) as info:
        profile_from_data(parse_document(raw, name))
    assert time.monotonic() - t0 < 30, "a refusal must not take long"
    text = str(info.value)
    assert EXPECTED[name] in text, text
    for p in info.value.problems:
        assert len(p.message) <= MESSAGE_CHARS and len(p.display("zh")) <= 2 * MESSAGE_CHARS
        assert p.zh, f"{name}: no Chinese message for {p}"
    assert len(text) < 2_000, "a message quotes at most an excerpt of the input"


def test_the_cli_refuses_every_reproducer_with_exit_2(capsys: pytest.CaptureFixture) -> None:
    for name in sorted(EXPECTED):
        code = main(["assess", str(CORPUS / name)])
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert EXPECTED[name] in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "{f}"],
        ["sensitivity", "{f}"],
        ["smallest-change", "{f}", "--goal", "moderate"],
        ["roadmap", "{f}"],
        ["whatif", "{f}", "--lever", "government_enabler"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_refuses_the_bomb_and_a_tag_in_a_real_process(
    argv: list[str], tmp_path: Path
) -> None:
    for name in ("alias_bomb.yaml", "tag_timestamp.yaml"):
        args = [a.replace("{f}", str(CORPUS / name)) for a in argv]
        proc = subprocess.run(
            [*ADVISOR, *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "ADVISOR_DB": str(tmp_path / "db.sqlite3")},
        )
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and EXPECTED[name] in proc.stderr


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("as_of=!!timestamp x", "!!timestamp"),
        ("government.control=true", "government.control"),
        ("government.acceptance_mechanism=yes", "government.acceptance_mechanism"),
        ("human_resources.volunteers=1:30", "human_resources.volunteers"),
        ("human_resources.volunteers=0x10", "human_resources.volunteers"),
        ("third_party=&a {kind: other}", "anchors and aliases"),
    ],
)
def test_whatif_set_refuses_tags_anchors_and_coercions(
    setting: str, fragment: str, capsys: pytest.CaptureFixture
) -> None:
    code = main(["whatif", "case-y", "--set", setting])
    err = capsys.readouterr().err
    assert code == 2, err
    assert fragment in err and "Traceback" not in err


def test_exercise_handout_refuses_a_tagged_pack(tmp_path: Path, capsys) -> None:
    pack = tmp_path / "pack.yaml"
    assert main(["exercise", "create", "--preset", "case-y", "-o", str(pack)]) == 0
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("created: ", "created: !!timestamp ", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["exercise", "handout", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "!!timestamp" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["exercise", "create", "--preset", "case-y", "--id", "BAD"],
        ["exercise", "create", "--preset", "case-y", "--max-actions", "-1"],
        ["exercise", "create", "--preset", "case-y", "--distractors", "-1"],
        ["exercise", "create", "--preset", "case-y", "--max-actions", "0"],
    ],
)
def test_exercise_create_refuses_bad_arguments_with_exit_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "pack.yaml"
    try:
        code = main([*argv, "-o", str(out)])
    except SystemExit as exc:  # argparse's refusal
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".yaml")))
def test_the_pure_python_loader_refuses_alike(name: str) -> None:
    """Without libyaml the same checks run (they live in our composer and constructor)."""
    from advisor.safeparse import FastStrictLoader, InputRefused, StrictLoader

    text = (CORPUS / name).read_text(encoding="utf-8")
    outcomes = []
    for cls in (StrictLoader, FastStrictLoader):
        loader = cls(text)
        try:
            outcomes.append(("data", loader.get_single_data()))
        except InputRefused as exc:
            outcomes.append(("refused", exc.en, exc.line))
        finally:
            loader.dispose()
    assert outcomes[0] == outcomes[1]


def test_exercise_score_refuses_a_binary_or_fifo_ranking_file(tmp_path: Path, capsys) -> None:
    pack = tmp_path / "pack.yaml"
    assert main(["exercise", "create", "--preset", "case-y", "-o", str(pack)]) == 0
    binary = tmp_path / "r.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    fifo = tmp_path / "r.fifo"
    os.mkfifo(fifo)
    for ranking in (binary, fifo):
        capsys.readouterr()
        code = main(["exercise", "score", str(pack), "--ranking-file", str(ranking)])
        err = capsys.readouterr().err
        assert code == 2 and "ranking" in err and "Traceback" not in err
