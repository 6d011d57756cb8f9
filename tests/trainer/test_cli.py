"""The trainer commands: output and exit codes (0 ok, 1 nothing found, 2 invalid input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.cli.main import main
from advisor.models import CaseProfile


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return the exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sensitivity_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep prints a table per value; JSON has one point per level."""
    code, out, _ = run(capsys, "sensitivity", "--preset", "case-y", "--field", "government.control")
    assert code == 0
    assert "`government.control`" in out and out.count("\n| ") >= 6
    code, out, _ = run(
        capsys,
        "sensitivity",
        "--preset",
        "case-y",
        "--field",
        "government.control",
        "--format",
        "json",
    )
    assert code == 0
    assert [p["value"] for p in json.loads(out)["points"]] == [0, 1, 2, 3, 4]


def test_sensitivity_in_chinese_and_tornado(capsys: pytest.CaptureFixture[str]) -> None:
    """The tornado lists fields largest swing first, here in Chinese."""
    code, out, _ = run(capsys, "sensitivity", "--preset", "case-y", "--tornado", "--lang", "zh")
    assert code == 0
    assert "哪个字段对非对称性依赖影响最大" in out
    code, out, _ = run(capsys, "sensitivity", "--preset", "case-y", "--tornado", "--format", "json")
    swings = [b["swing"] for b in json.loads(out)]
    assert swings == sorted(swings, reverse=True)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["sensitivity", "--preset", "case-y", "--field", "nope.field"], "nope.field"),
        (["sensitivity", "--preset", "case-y"], "--field PATH or --tornado"),
        (["sensitivity", "missing.yaml", "--tornado"], "no such file"),
        (["smallest-change", "--preset", "case-y"], "--goal LEVEL or --remove-diagnosis"),
        (["smallest-change", "--preset", "case-y", "--remove-diagnosis", "zzz"], "zzz"),
        (["smallest-change", "--preset", "case-y", "--goal", "tiny"], "tiny"),
        (["roadmap"], "PROFILE"),
    ],
)
def test_invalid_input_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    """Bad fields, goals and missing files are named on stderr, exit code 2, no traceback."""
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_smallest_change_found_and_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    """Case Y to moderate: exit 0 with paths; residents alone in one step: exit 1."""
    code, out, _ = run(
        capsys, "smallest-change", "--preset", "case-y", "--goal", "moderate", "--lang", "en"
    )
    assert code == 0 and "Path 1" in out
    code, out, err = run(
        capsys,
        "smallest-change",
        "--preset",
        "case-y",
        "--goal",
        "balanced",
        "--actor",
        "residents",
        "--max-depth",
        "1",
        "--lang",
        "en",
    )
    assert code == 1
    assert "no path found" in err
    assert "No path within 1 changes" in out


def test_exercise_create_handout_score(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A pack made from case Y, its handout, and a perfect score for the engine's order."""
    pack = tmp_path / "y.yaml"
    code, _, _ = run(capsys, "exercise", "create", "--preset", "case-y", "--out", str(pack))
    assert code == 0
    data = yaml.safe_load(pack.read_text("utf-8"))
    code, out, _ = run(capsys, "exercise", "handout", str(pack), "--format", "html", "--lang", "zh")
    assert code == 0 and "排序表" in out
    ranks = data["key"]["ranks"]
    order = sorted(ranks, key=ranks.get) + [
        a["id"] for a in data["actions"] if a["id"] not in ranks
    ]
    ranking = tmp_path / "ranking.txt"
    ranking.write_text("\n".join(order) + "\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "exercise", "score", str(pack), "--ranking-file", str(ranking), "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["score"]["spearman"] == 1.0
    code, out, _ = run(
        capsys, "exercise", "score", str(pack), "--ranking", ",".join(order[::-1]), "--lang", "en"
    )
    assert code == 0 and "Misses worth discussing" in out


def test_exercise_bad_pack_and_bad_ranking_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_y: CaseProfile
) -> None:
    """A profile given as a pack, and a ranking with an unknown action, are refused."""
    not_a_pack = tmp_path / "y.json"
    not_a_pack.write_text(json.dumps(case_y.model_dump(mode="json")), encoding="utf-8")
    code, _, err = run(capsys, "exercise", "score", str(not_a_pack), "--ranking", "a")
    assert code == 2 and "invalid exercise pack" in err
    pack = tmp_path / "p.json"
    run(capsys, "exercise", "create", "--preset", "case-y", "--out", str(pack))
    code, _, err = run(capsys, "exercise", "score", str(pack), "--ranking", "made_up")
    assert code == 2 and "not in this pack: made_up" in err


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_roadmap_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """The roadmap in each format; JSON carries the items and preconditions."""
    code, out, _ = run(capsys, "roadmap", "--preset", "case-y", "--format", fmt, "--lang", "en")
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert data["items"] and data["preconditions"] and data["trajectory"] == []
    elif fmt == "html":
        assert out.lstrip().startswith("<!DOCTYPE html>")
    else:
        assert out.startswith("# Roadmap")


def test_the_default_language_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """Like the reports, the trainer commands speak Chinese unless told otherwise."""
    code, out, _ = run(capsys, "roadmap", "--preset", "case-y", "--format", "md")
    assert code == 0 and out.startswith("# 行动路线图")


def test_roadmap_of_a_saved_case_includes_its_history(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_y: CaseProfile
) -> None:
    """--case reads the profile and its history from the case library."""
    from advisor.pipeline import assess
    from advisor.store import CaseStore

    db = tmp_path / "cases.sqlite3"
    store = CaseStore(db)
    store.save(case_y)
    store.record_assessment(case_y.id, assess(case_y))
    store.record_assessment(case_y.id, assess(case_y))
    code, out, _ = run(capsys, "roadmap", "--case", case_y.id, "--db", str(db), "--format", "json")
    assert code == 0
    assert len(json.loads(out)["trajectory"]) == 2
    code, _, err = run(capsys, "roadmap", "--case", "nobody", "--db", str(db))
    assert code == 1 and "nobody" in err


def test_sensitivity_with_chosen_values(capsys: pytest.CaptureFixture[str]) -> None:
    """--values sweeps only those values, parsed as numbers, booleans or text."""
    argv = ["sensitivity", "--preset", "case-y", "--format", "json", "--field"]
    code, out, _ = run(capsys, *argv, "government.control", "--values", "0,4")
    assert code == 0 and [p["value"] for p in json.loads(out)["points"]] == [0, 4]
    code, out, _ = run(capsys, *argv, "government.purchases_services", "--values", "true,false")
    assert [p["value"] for p in json.loads(out)["points"]] == [True, False]
    code, out, _ = run(capsys, *argv, "government.role", "--values", "enabler,boss")
    points = json.loads(out)["points"]
    assert points[0]["valid"] and not points[1]["valid"]
    assert "boss" in points[1]["problem"]
