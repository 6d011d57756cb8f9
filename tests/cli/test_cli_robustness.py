"""``advisor robustness``, ``advisor assess --robustness`` and ``advisor kb robustness``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_robustness_prints_a_row_per_conclusion(capsys: pytest.CaptureFixture[str]) -> None:
    """One row per diagnosis and action, with the share of worlds agreeing and the label."""
    code, out, _ = run(["robustness", "--preset", "case-y", "--worlds", "120"], capsys)
    assert code == 0
    assert "120 个参数合理取值的抽样情形" in out
    assert "非对称性依赖" in out and "稳健" in out
    code, out, _ = run(
        ["robustness", "--preset", "case-h", "--worlds", "120", "--lang", "en"], capsys
    )
    assert code == 0 and "most sensitive to" in out and "robust" in out


def test_robustness_json_is_the_same_for_the_same_seed(capsys: pytest.CaptureFixture[str]) -> None:
    """The same seed gives byte-identical figures."""
    argv = ["robustness", "--preset", "case-h", "--worlds", "80", "--seed", "3", "--format", "json"]
    _, one, _ = run(argv, capsys)
    _, two, _ = run(argv, capsys)
    assert one == two and json.loads(one)["seed"] == 3


def test_robustness_refuses_a_bad_world_count(capsys: pytest.CaptureFixture[str]) -> None:
    """A world count that is not a positive whole number is refused with a clear message."""
    with pytest.raises(SystemExit) as exc:
        main(["robustness", "--preset", "case-h", "--worlds", "zero"])
    assert exc.value.code == 2
    assert "not a whole number" in capsys.readouterr().err


def test_robustness_of_an_invalid_profile_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Invalid input: exit 2 and the field, never a traceback."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "id": "x"}', encoding="utf-8")
    code, _, err = run(["robustness", str(bad)], capsys)
    assert code == 2 and "force_type" in err and "Traceback" not in err


def test_assess_with_robustness_adds_the_part(capsys: pytest.CaptureFixture[str]) -> None:
    """--robustness adds the optional part; without it the JSON has none."""
    _, plain, _ = run(["assess", "--preset", "case-h"], capsys)
    _, rich, _ = run(["assess", "--preset", "case-h", "--robustness", "--worlds", "50"], capsys)
    a, b = json.loads(plain), json.loads(rich)
    assert a.get("robustness") is None and b["robustness"]["worlds"] == 50
    b.pop("robustness")
    a.pop("robustness", None)
    assert a == b


def test_kb_robustness_lists_the_parameters_flipping_most(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The review list is ordered by flips, most first."""
    code, out, _ = run(
        ["kb", "robustness", "--profiles", "4", "--top", "0", "--format", "json"], capsys
    )
    assert code == 0
    rows = json.loads(out)
    flips = [r["flips_at_low"] + r["flips_at_high"] for r in rows]
    assert flips == sorted(flips, reverse=True) and flips[0] > 0
    assert all(r["low"] <= r["value"] <= r["high"] for r in rows)
    code, out, _ = run(["kb", "robustness", "--profiles", "2", "--top", "5"], capsys)
    assert code == 0 and len(out.strip().splitlines()) == 3 + 5
