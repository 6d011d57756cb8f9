"""Rule tests as data: every ``cases/**/*.yaml`` file is a list of cases, collected by this plugin.

The cases mirror the rule files: ``cases/diagnoses/<id>.yaml`` and ``cases/actions/<id>.yaml``
hold the cases about the diagnosis or action that ``rules/definitions/diagnoses/<id>.yaml`` or
``actions/<id>.yaml`` concludes (every diagnosis and action has one; checked by
``test_definitions.py``); ``cases/neutral.yaml`` checks the neutral base itself.

A case has a ``name`` (a sentence saying what should happen), a ``base`` profile (a file of
``bases/`` or a preset such as ``case-y``), ``set`` (overrides by dotted path; ``third_party:
null`` removes the third party) and ``expect``: ``facts`` (derived values, to 1e-4),
``diagnoses`` / ``not_diagnoses``, ``actions`` / ``not_actions`` (ids that must be present or
absent), ``exact_diagnoses`` / ``exact_actions`` (the whole set). Thresholds are tested in pairs,
just inside and just outside, with the arithmetic in a comment beside the case.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
EXPECT_KEYS = {
    "facts",
    "diagnoses",
    "not_diagnoses",
    "exact_diagnoses",
    "actions",
    "not_actions",
    "exact_actions",
}


def build_profile(case: dict[str, Any]) -> Any:
    """The case's profile: its base with the overrides applied, validated."""
    from advisor.io import profile_from_data
    from advisor.pipeline import PRESETS, _preset_doc

    base = case.get("base", "neutral")
    if base in PRESETS:
        data = copy.deepcopy(_preset_doc(base)["profile"])
    else:
        data = yaml.safe_load((HERE / "bases" / f"{base}.yaml").read_text(encoding="utf-8"))
    for path, value in (case.get("set") or {}).items():
        *parents, leaf = path.split(".")
        node = data
        for p in parents:
            if node.get(p) is None:
                node[p] = {}
            node = node[p]
        node[leaf] = copy.deepcopy(value)
    return profile_from_data(data, source=case["name"])


class RuleCase(pytest.Item):
    """One case of a rule-test file."""

    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from advisor.indices import derive
        from advisor.pipeline import assess
        from rules.dsl import case_fact

        unknown = set(self.case.get("expect", {})) - EXPECT_KEYS
        assert not unknown, f"unknown expect keys {sorted(unknown)}"
        profile = build_profile(self.case)
        a = assess(profile)
        fact = case_fact(profile, derive(profile))
        exp = self.case.get("expect", {})
        dx = {d.id for d in a.diagnoses}
        acts = {x.id for x in a.actions}
        problems: list[str] = []
        for key, want in (exp.get("facts") or {}).items():
            got = fact.get(key)
            ok = got == want if not isinstance(want, float) else abs((got or 0) - want) < 1e-4
            if not ok:
                problems.append(f"fact {key}: expected {want!r}, got {got!r}")
        problems += [f"diagnosis {d} missing" for d in exp.get("diagnoses", []) if d not in dx]
        problems += [f"diagnosis {d} present" for d in exp.get("not_diagnoses", []) if d in dx]
        problems += [f"action {x} missing" for x in exp.get("actions", []) if x not in acts]
        problems += [f"action {x} present" for x in exp.get("not_actions", []) if x in acts]
        for key, got in (("exact_diagnoses", dx), ("exact_actions", acts)):
            if key in exp and set(exp[key]) != got:
                problems.append(f"{key}: expected exactly {sorted(exp[key])}, got {sorted(got)}")
        if problems:
            raise AssertionError(
                "\n".join(problems) + f"\n  diagnoses: {sorted(dx)}\n  actions: {sorted(acts)}"
            )

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, AssertionError):
            return f"{self.case['name']}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.case["name"]


class RuleCaseFile(pytest.File):
    """A YAML file of rule cases."""

    def collect(self) -> Any:
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
        for i, case in enumerate(cases):
            yield RuleCase.from_parent(self, name=f"{i:02d} {case['name']}", case=case)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect ``tests/rules/cases/**/*.yaml``."""
    if file_path.suffix == ".yaml" and (HERE / "cases") in file_path.parents:
        return RuleCaseFile.from_parent(parent, path=file_path)
    return None
