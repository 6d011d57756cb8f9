"""`advisor kb validate / coverage / show / search / lint` from the command line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from kb_helpers import FIXTURES, overlay

from advisor.cli.main import build_parser, main
from knowledge_base.loader import DATA_DIR
from knowledge_base.rule_index import ROOT
from knowledge_base.validate import validate


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_lists_every_problem_with_file_item_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A broken data folder exits 1 and prints each problem as file: item: field: message."""
    data = overlay("invalid_action", tmp_path)
    code, out, _ = run(capsys, "kb", "validate", "--data", str(data))
    assert code == 1
    for field in ("actor", "phase", "stage"):
        assert f"actions/tp_joint_negotiation.yaml: tp_joint_negotiation: {field}: " in out
    assert out.rstrip().endswith(f"problem(s) in {data}")


def test_validate_a_tiny_fixture_folder_directly(capsys: pytest.CaptureFixture[str]) -> None:
    """Validating a fixture on its own names its defect and everything the folder lacks."""
    code, out, _ = run(capsys, "kb", "validate", "--data", str(FIXTURES / "unknown_key"))
    assert code == 1
    assert "diagnoses/hermit_crab.yaml: hermit_crab: refrence: unknown key" in out
    assert (
        "asymmetric_dependence: id: the contract diagnosis 'asymmetric_dependence' is missing"
        in out
    )
    assert "fields.yaml: missing file" in out


def test_validate_exit_code_follows_the_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    """On the shipped data the command agrees with validate(): 0 and 'sound' when it is clean."""
    code, out, _ = run(capsys, "kb", "validate")
    if validate(DATA_DIR):
        assert code == 1
    else:
        assert code == 0 and out.startswith("knowledge base sound:")


def test_validate_refuses_a_missing_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """--data pointing nowhere is a one-line refusal, not a traceback."""
    code, _, err = run(capsys, "kb", "validate", "--data", "/nonexistent/kb")
    assert code == 1 and "not a folder" in err


def test_coverage_prints_sections_5_and_6_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """Coverage prints every paragraph of 5 and 6 with its items and exits 0."""
    code, out, _ = run(capsys, "kb", "coverage", "--lang", "en")
    assert code == 0
    for pid in [f"5.1-p{i}" for i in range(1, 11)] + [f"6-p{i}" for i in range(1, 6)]:
        assert f" {pid} " in out
    assert "encoded by: quote_202203073010" in out
    assert "not encoded: The research question and the outline" in out
    assert "26 paragraphs, 26 encoded" in out


def test_coverage_one_section_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """--section limits the print to one section; --lang zh prints Chinese headings."""
    code, out, _ = run(capsys, "kb", "coverage", "--section", "5.2")
    assert code == 0
    assert "§ 5.2 社会组织培育志愿服务力量" in out and "5.1-p1" not in out
    assert "编码条目：" not in out and "编码条目: " in out


def test_coverage_fails_on_an_unaccounted_paragraph(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """When no item encodes 5.1-p3 and coverage.yaml is silent, coverage exits 1 and says so."""
    data = overlay("unaccounted_paragraph", tmp_path)
    code, out, _ = run(capsys, "kb", "coverage", "--data", str(data), "--lang", "en")
    assert code == 1
    line = out.split(" 5.1-p3 ", 1)[1].split("\n")[1]
    assert "UNACCOUNTED FOR" in line


def test_coverage_refuses_an_unknown_section(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --section is named in a one-line refusal."""
    code, _, err = run(capsys, "kb", "coverage", "--section", "9.9")
    assert code == 1 and "--section 9.9" in err


def test_show_item_field_and_paragraph(capsys: pytest.CaptureFixture[str]) -> None:
    """show prints an item with sources, a profile field with its levels, and a paragraph."""
    code, out, _ = run(capsys, "kb", "show", "gov_auxiliary_role", "--lang", "en")
    assert code == 0
    assert "actor=government phase=1 stage=foundation" in out
    assert "not a withdrawal of government" in out and "[6]" in out
    code, out, _ = run(capsys, "kb", "show", "coproduction.planning", "--lang", "en")
    assert code == 0 and "  3: Shared" in out
    code, out, _ = run(capsys, "kb", "show", "5.1-p9")
    assert code == 0 and "寄居蟹" in out and "hermit_crab" in out


def test_show_finds_a_diagnosis_by_path_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """show names the rule file, the test file and the parameters with values, in zh and en."""
    code, out, _ = run(capsys, "kb", "show", "sole_dependence", "--lang", "en")
    assert code == 0
    assert (
        "concluded by:\n  rules/definitions/diagnoses/sole_dependence.yaml  (dx_sole_dependence)"
        in out
    )
    assert "tested in: tests/rules/cases/diagnoses/sole_dependence.yaml" in out
    assert "  thresholds.sole_dependence:government_funding_min = 0.7" in out
    assert (ROOT / "rules/definitions/diagnoses/sole_dependence.yaml").is_file()
    code, out, _ = run(capsys, "kb", "show", "sole_dependence", "--lang", "zh")
    assert code == 0 and "得出它的规则：" in out and "测试：tests/rules/cases/diagnoses/" in out
    assert "参数：" in out and "thresholds.sole_dependence:legitimacy_dependence_min = " in out


def test_show_an_action_lists_the_guards_that_may_overrule_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An action overruled by a guard names the guard and its file."""
    code, out, _ = run(capsys, "kb", "show", "tp_joint_negotiation", "--lang", "en")
    assert code == 0
    assert "rules/definitions/actions/tp_joint_negotiation.yaml" in out
    assert "may be overruled by: guard_weak_third_party_capacity_first" in out
    assert "rules/definitions/guards/weak_third_party_capacity_first.yaml" in out


def test_show_a_guard_by_rule_id_or_file_name(capsys: pytest.CaptureFixture[str]) -> None:
    """A guard is shown by its rule id or its file stem: what it concludes and overrules, its
    file, the tests of the actions it touches, its passages (deduplicated)."""
    code, out, _ = run(capsys, "kb", "show", "guard_watch_third_party_dependence", "--lang", "en")
    assert code == 0
    assert "[guard rule]" in out and "concludes: tp_prevent_over_dependence" in out
    assert "rules/definitions/guards/watch_third_party_dependence.yaml" in out
    assert "thresholds.actions:watch_third_party_dependence_min = 0.35" in out
    assert "tests/rules/cases/actions/tp_prevent_over_dependence.yaml" in out
    code2, out2, _ = run(capsys, "kb", "show", "weak_third_party_capacity_first", "--lang", "zh")
    assert code2 == 0 and "[护栏规则]" in out2 and "否决：act_tp_five_social_linkage" in out2
    passages = [ln for ln in out2.splitlines() if ln.startswith("  [6]")]
    assert passages and len(passages) == len(set(passages))


def test_show_a_paragraph_names_the_rules_resting_on_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A paragraph lists the rule files of the items encoding it."""
    code, out, _ = run(capsys, "kb", "show", "5.1-p9", "--lang", "en")
    assert code == 0 and "rules resting on these items:" in out
    assert "rules/definitions/diagnoses/hermit_crab.yaml  (dx_hermit_crab)" in out


def test_show_unknown_id_suggests_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown id is refused with the nearest ids as suggestions."""
    code, _, err = run(capsys, "kb", "show", "hermit_crap")
    assert code == 1 and "hermit_crab" in err


def test_search_finds_quotes_and_labels(capsys: pytest.CaptureFixture[str]) -> None:
    """search matches Chinese with any spacing and English case-insensitively."""
    code, out, _ = run(capsys, "kb", "search", "1 + 3 + 8")
    assert code == 0 and "case_y" in out
    code, out, _ = run(capsys, "kb", "search", "HERMIT", "--lang", "en", "--kind", "diagnosis")
    assert code == 0 and out.startswith("hermit_crab")
    code, out, _ = run(capsys, "kb", "search", "no such words anywhere", "--lang", "en")
    assert code == 1 and "nothing found" in out


def test_lint_subcommand_is_registered_when_rules_lint_exists() -> None:
    """`advisor kb lint` exists exactly when rules/lint.py does, with the module's own hooks."""
    parser = build_parser()
    kb = parser._subparsers._group_actions[0].choices["kb"]  # argparse internals, read only
    choices = kb._subparsers._group_actions[0].choices
    if importlib.util.find_spec("rules.lint") is None:
        assert "lint" not in choices
        return
    import rules.lint

    assert "lint" in choices
    assert hasattr(rules.lint, "add_arguments") and hasattr(rules.lint, "run"), (
        "rules/lint.py must define add_arguments(parser) and run(args)"
    )


def test_fixture_folders_are_tiny() -> None:
    """Each broken fixture holds one or two files: the defect, not a copy of the data."""
    for folder in FIXTURES.iterdir():
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert 1 <= len(files) <= 2, folder.name
