"""`advisor assess`, `schema`, `presets` and `whatif`: outputs, exit codes, clear refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advisor.cli.main import main
from advisor.models import Assessment, CaseProfile
from advisor.whatif import Comparison

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample.yaml"
INVALID = DATA / "invalid.yaml"
ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refusals
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def run_process(argv: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m advisor.cli`` as a user would, in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *argv],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------- assess


def test_assess_prints_the_contract_json(capsys: pytest.CaptureFixture[str]) -> None:
    """A valid profile exits 0 with an assessment that validates against the contract."""
    code, out, err = run(["assess", str(SAMPLE), "--format", "json"], capsys)
    assert code == 0, err
    assessment = Assessment.model_validate_json(out)
    assert assessment.profile_id == "sample-y" and assessment.actions


def test_assess_json_is_byte_identical_between_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The same profile gives the same JSON bytes every time."""
    first = run(["assess", str(SAMPLE)], capsys)[1]
    assert first == run(["assess", str(SAMPLE)], capsys)[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_assess_markdown_report_names_the_top_action(
    capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """The Markdown report carries the case name and the top-ranked action's label."""
    code, out, _ = run(["assess", str(SAMPLE), "--format", "json"], capsys)
    top = min(Assessment.model_validate_json(out).actions, key=lambda a: a.rank)
    code, md, err = run(["assess", str(SAMPLE), "--format", "md", "--lang", lang], capsys)
    assert code == 0, err
    assert md.startswith("# ") and "Y 社区志愿服务协会" in md
    assert top.label.get(lang) in md


def test_assess_writes_a_file_with_o(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o writes the report to the file and nothing to stdout."""
    target = tmp_path / "report.html"
    code, out, err = run(["assess", str(SAMPLE), "--format", "html", "-o", str(target)], capsys)
    assert code == 0, err
    assert out == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "</html>" in text
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"], "no temporary file left"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask, "the usual mode, not mkstemp's 0600"


def test_assess_refuses_an_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output in a missing folder fails with exit 1 and says why, without a traceback."""
    code, _, err = run(["assess", str(SAMPLE), "-o", str(tmp_path / "no" / "r.md")], capsys)
    assert code == 1
    assert "cannot write" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["case-h", "case-y"])
def test_assess_runs_a_preset(capsys: pytest.CaptureFixture[str], name: str) -> None:
    """--preset assesses one of the paper's cases."""
    code, out, err = run(["assess", "--preset", name], capsys)
    assert code == 0, err
    assert Assessment.model_validate_json(out).actions


def test_assess_reads_stdin_in_a_real_process() -> None:
    """'-' reads the profile from stdin; the process exits 0 with JSON on stdout."""
    proc = run_process(["assess", "-", "--format", "json"], stdin=SAMPLE.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    assert Assessment.model_validate_json(proc.stdout).profile_id == "sample-y"


def test_invalid_profile_exits_2_listing_every_field_in_a_real_process() -> None:
    """Every problem is listed by field path on stderr, exit 2, and no traceback."""
    proc = run_process(["assess", str(INVALID)])
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert proc.stdout == b""
    for needle in (
        "funding: funding shares sum to 1.70, expected 1",
        "human_resources.core_volunteers: 500 core volunteers is more than the 120",
        "agenda.set_by: unknown value 'mayor'",
        "colour: unknown field",
    ):
        assert needle in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x00\x01\x02binary\x00", "binary file"),
        (b"\xff\xfe\xfa\xfb", "not UTF-8"),
        (b"{ not json", "malformed JSON at line 1"),
        (b"a: [1, 2\nb: 3", "malformed YAML"),
        (b"- just\n- a list\n", "expected a mapping of fields"),
        (b"42", "expected a mapping of fields"),
        (b"x" * 1_000_001, "the limit is 1,000,000"),
    ],
)
def test_unusable_files_get_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, needle: str
) -> None:
    """Empty, binary, non-UTF-8, malformed, non-mapping and oversized files exit 2 saying why."""
    path = tmp_path / "profile.yaml"
    path.write_bytes(content)
    code, out, err = run(["assess", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert needle in err and str(path) in err
    assert "Traceback" not in err


def test_missing_file_and_folder_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path that does not exist or is a folder exits 2 with a message."""
    code, _, err = run(["assess", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run(["assess", str(tmp_path)], capsys)
    assert code == 2 and "folder" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["assess"],
        ["assess", str(SAMPLE), "--preset", "case-h"],
        ["assess", str(SAMPLE), "--format", "rtf"],  # not a format (pdf and docx are now)
        ["assess", str(SAMPLE), "--lang", "fr"],
    ],
)
def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Neither or both of PROFILE and --preset, or an unknown format or language, exit 2."""
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert "usage:" in err


def test_unknown_preset_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown preset exits 2 and lists the presets that exist."""
    code, _, err = run(["assess", "--preset", "case-z"], capsys)
    assert code == 2 and "case-h" in err and "case-y" in err


# --------------------------------------------------------------------------- schema, presets


def test_schema_prints_the_case_profile_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`advisor schema` prints the JSON Schema of CaseProfile; --assessment the output's."""
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    assert json.loads(out) == CaseProfile.model_json_schema()
    code, out, _ = run(["schema", "--assessment"], capsys)
    assert code == 0 and json.loads(out) == Assessment.model_json_schema()


def test_presets_lists_and_shows_valid_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    """`advisor presets` lists both cases; --show prints a YAML profile that validates."""
    code, out, _ = run(["presets"], capsys)
    assert code == 0
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert {"case-h", "case-y"} <= set(names)
    code, out, _ = run(["presets", "--show", "case-y"], capsys)
    assert code == 0
    CaseProfile.model_validate(yaml.safe_load(out))


# --------------------------------------------------------------------------- whatif


def test_whatif_with_levers_prints_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    """Two levers on a preset give two variants, each naming its lever and what it changed."""
    argv = ["whatif", "case-y", "--lever", "bring_in_strong_agency"]
    code, out, err = run([*argv, "--lever", "government_enabler", "--lang", "en"], capsys)
    assert code == 0, err
    assert "Bring in a strong social-work agency" in out
    assert "Government takes an auxiliary role (enabler)" in out
    assert "`government.role`" in out and "`funding.government_direct`" in out
    code, out, err = run([*argv, "--format", "json"], capsys)
    comparison = Comparison.model_validate_json(out)
    assert [v.lever for v in comparison.variants] == ["bring_in_strong_agency"]


def test_whatif_compares_variant_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A variant file is compared field by field with the baseline file."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["management"]["incentives"] = "formal"
    variant = tmp_path / "v.yaml"
    variant.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run(["whatif", str(SAMPLE), str(variant), "--format", "json"], capsys)
    assert code == 0, err
    (only,) = Comparison.model_validate_json(out).variants
    assert [(c.path, c.old, c.new) for c in only.fields_changed] == [
        ("management.incentives", "informal", "formal")
    ]


def test_whatif_set_changes_fields_of_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    """--set PATH=VALUE options together make one variant with exactly those fields changed."""
    argv = ["whatif", str(SAMPLE), "--set", "government.control=1", "--set", "linkage=five_social"]
    code, out, err = run([*argv, "--format", "json"], capsys)
    assert code == 0, err
    (only,) = Comparison.model_validate_json(out).variants
    assert [(c.path, c.new) for c in only.fields_changed] == [
        ("government.control", 1),
        ("linkage", "five_social"),
    ]
    assert only.label.en == "Custom changes"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ([], "at least one"),
        (["--set", "government.control=9"], "government.control: Input should be less"),
        (["--set", "government.colour=1"], "government.colour: unknown field"),
        (["--set", "funding.charity=0.5"], "funding: funding shares sum to 1.40"),
        (["--set", "linkage"], "PATH=VALUE"),
        ([str(SAMPLE)] * 5, "at most 4"),
        (["--lever", "abolish"], "invalid choice"),
        ([str(INVALID)], "funding shares sum to 1.70"),
    ],
)
def test_whatif_refusals_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    """No variant, more than four, an unknown lever or an invalid variant exit 2 saying why."""
    code, out, err = run(["whatif", str(SAMPLE), *extra], capsys)
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err
