"""Coverage of the rule base: every rule fires in a rule test case, and ``advisor kb lint``
reports what it should (and exits non-zero when it finds anything)."""

from __future__ import annotations

import importlib.util
import io
import json
from contextlib import redirect_stdout
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from advisor.cli.main import main
from advisor.indices import derive
from knowledge_base.loader import load_kb
from rules import dsl, lint
from rules.engine import run_rules

RULE_TESTS = Path(__file__).resolve().parents[1] / "rules"


@lru_cache(maxsize=1)
def rule_case_loader() -> ModuleType:
    """The rule tests' own loader (tests/rules/conftest.py), so cases build exactly as there."""
    spec = importlib.util.spec_from_file_location("rule_case_loader", RULE_TESTS / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_cases() -> list[dict[str, Any]]:
    """Every case of tests/rules/cases/**/*.yaml."""
    out: list[dict[str, Any]] = []
    for path in sorted((RULE_TESTS / "cases").rglob("*.yaml")):
        out.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return out


def test_every_rule_fires_in_at_least_one_rule_test_case() -> None:
    """Each diagnosis, action and guard rule fires (in the engine) in some rule test case."""
    cases = rule_cases()
    assert len(cases) >= 20, "the rule test cases are missing"
    build = rule_case_loader().build_profile
    fired: set[str] = set()
    for case in cases:
        profile = build(case)
        fired |= set(run_rules(dsl.case_fact(profile, derive(profile))).fired)
    never = [r.id for r in dsl.load_rules() if r.id not in fired]
    assert not never, f"rules no rule test case fires: {never}"


def run_lint(*args: str) -> tuple[int, str]:
    """Run ``advisor kb lint ARGS`` in-process; return the exit code and stdout."""
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["kb", "lint", *args])
    return code, buf.getvalue()


def test_the_shipped_rule_base_lints_clean_with_full_coverage() -> None:
    """Over 5,000 seeded profiles every rule fires and every item is reached; exit 0."""
    code, out = run_lint("--format", "json")
    report = json.loads(out)
    assert report["clean"], report["findings"]
    assert code == 0
    for kind, counts in report["rules"].items():
        assert counts["fired"] == counts["total"] > 0, kind
    assert report["diagnoses"]["reached"] == report["diagnoses"]["total"] == 18
    assert report["actions"]["reached"] == report["actions"]["total"] == 30


def test_the_text_report_has_the_coverage_summary_in_both_languages() -> None:
    """The text report opens with rules fired / total per kind, in Chinese or English."""
    _, zh = run_lint("--sample", "200")
    assert "诊断规则" in zh and "条触发" in zh
    _, en = run_lint("--sample", "200", "--lang", "en")
    assert "diagnosis rules:" in en and "action rules:" in en and "guard rules:" in en
    code, out = run_lint("--sample", "200", "--format", "json")
    clean = json.loads(out)["clean"]
    assert en.rstrip().endswith("No findings." if clean else "finding(s).")
    assert code == (0 if clean else 1)


TEXT = dsl.Text(zh="测试", en="test")


def _rule(rid: str, kind: str, concludes: str | None, when: Any, **kw: Any) -> dsl.Rule:
    sev = dsl.Severity(value=0.5) if kind == "diagnosis" else None
    return dsl.Rule(
        id=rid, kind=kind, concludes=concludes, name=TEXT, when=when, severity=sev,
        rests_on=["x"], **kw,
    )  # fmt: skip


def test_lint_flags_dead_rules_unused_conclusions_and_unreached_items() -> None:
    """A rule that cannot fire, a diagnosis nobody uses and an action nobody concludes are all
    reported, and the report is not clean."""
    shipped = dsl.load_rules()
    never = dsl.Compare(fact="government.control", op="gt", value=4)  # control is 0..4
    rules = [
        *[r for r in shipped if r.id != "act_vol_qualification_system"],
        _rule("dx_lonely", "diagnosis", "weak_incentives", dsl.Compare(
            fact="government.control", op="eq", value=0)),
        _rule("act_dead", "action", "gov_regulations", never),
    ]  # fmt: skip
    report = lint.lint(sample=300, rules=rules)
    f = report.findings
    assert not report.clean
    assert "act_dead" in f["rules_never_fired"]
    assert "vol_qualification_system" in f["items_no_rule_reaches"]
    assert "vol_qualification_system" in f["actions_no_route"]
    assert report.rules_fired["action"] < report.rules_total["action"]


def test_lint_flags_a_diagnosis_that_only_a_diagnosis_rule_concludes() -> None:
    """A concluded diagnosis that no action or guard rule uses, and the knowledge base lacks,
    is reported both as unused and as missing from the knowledge base."""
    rules = [
        *dsl.load_rules(),
        _rule("dx_orphan", "diagnosis", "orphan_diagnosis", dsl.Compare(
            fact="government.control", op="ge", value=0)),
    ]  # fmt: skip
    f = lint.static_findings(rules, load_kb())
    assert f["diagnoses_no_rule_uses"] == ["orphan_diagnosis"]
    assert f["conclusions_not_in_kb"] == ["orphan_diagnosis"]
    assert "orphan_diagnosis" in f["diagnoses_no_action_addresses"]


def test_lint_exits_non_zero_on_findings(monkeypatch: Any) -> None:
    """``advisor kb lint`` exits 1 when the rule base has a finding."""
    rules = [
        *dsl.load_rules(),
        _rule("act_dead", "action", "gov_regulations", dsl.Compare(
            fact="government.control", op="gt", value=4)),
    ]  # fmt: skip
    real = lint.lint
    monkeypatch.setattr(lint, "lint", lambda **kw: real(**{**kw, "rules": rules}))
    code, out = run_lint("--sample", "100", "--lang", "en")
    assert code == 1
    assert "act_dead" in out


def test_the_sample_is_seeded_and_covers_every_enum_value() -> None:
    """The same seed gives the same profiles; the sample uses every value of every enum."""
    a = [p.model_dump() for p in lint.sample_profiles(400, seed=7)]
    assert a == [p.model_dump() for p in lint.sample_profiles(400, seed=7)]
    assert a != [p.model_dump() for p in lint.sample_profiles(400, seed=8)]
    seen = {(p["legitimacy"]["status"], p["government"]["role"]) for p in a}
    assert len(seen) == 12
    assert {p["third_party"] is None for p in a} == {True, False}
    assert any(p["funding"]["government_direct"] == 1.0 for p in a)
    assert any(p["funding"]["government_direct"] == 0.0 for p in a)
