"""The expert acceptance suite: what a scholar of Chinese community governance who has read the
paper expects the advisor to conclude, one YAML file per expectation under ``expectations/``.

Each file states the expectation (zh, en), the passage of the paper (section, verbatim Chinese,
interview code) or the literature that justifies it, the profile (a preset or the neutral rule
base, with dotted overrides), optionally ``vary`` (fields and the values to try: the plausible
range of the inputs the case assumes; every combination must meet the expectation), optionally a
what-if ``lever``, and ``expect``:

- ``diagnoses`` / ``not_diagnoses`` / ``actions`` / ``not_actions``: ids present / absent;
- ``diagnosis_top``: {id: n}: the diagnosis is among the n most severe;
- ``action_top``: {id: n}: the action ranks n or better;
- ``first_action_not``: ids that must not rank first;
- ``levels``: allowed asymmetry levels; ``direction``: the asymmetry's direction;
- ``rationale_contains``: {action id: text}: the action's rationale (zh) contains the text;
- ``lever_moves``: {figure: up|down}: the lever moves the figure strictly that way;
- ``not_rules``: rule ids that must not be behind any diagnosis or action (the conclusion may
  still stand on another rule);
- ``robust``: {diagnosis id: share}: the diagnosis holds in at least that share of 400 sampled
  plausible worlds (``advisor/robustness.py``: every parameter within its plausible range).
"""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.indices import derive
from advisor.models import Assessment, CaseProfile
from advisor.pipeline import PRESETS, _preset_doc, assess
from advisor.whatif import apply_lever
from knowledge_base.loader import paper_text

HERE = Path(__file__).resolve().parent
FILES = sorted((HERE / "expectations").glob("*.yaml"))
BASES = HERE.parent / "rules" / "bases"
FLAT_PAPER = re.sub(r"\s+", "", paper_text())
EXPECT_KEYS = {
    "diagnoses",
    "not_diagnoses",
    "actions",
    "not_actions",
    "diagnosis_top",
    "action_top",
    "first_action_not",
    "levels",
    "direction",
    "rationale_contains",
    "lever_moves",
    "not_rules",
    "robust",
}


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _profile(spec: dict[str, Any], extra: dict[str, Any] | None = None) -> CaseProfile:
    base = spec.get("base", "neutral")
    if base in PRESETS:
        data = copy.deepcopy(_preset_doc(base)["profile"])
    else:
        data = yaml.safe_load((BASES / f"{base}.yaml").read_text(encoding="utf-8"))
    for path, value in {**(spec.get("set") or {}), **(extra or {})}.items():
        _set(data, path, value)
    return CaseProfile.model_validate(data)


def _figure(profile: CaseProfile, name: str) -> float:
    ix = derive(profile)
    if name == "coproduction.score":
        return ix.coproduction.score
    if name.startswith("dependence."):
        return getattr(ix.dependence, name.split(".", 1)[1])
    if name == "asymmetry.index":
        return ix.asymmetry.index
    raise AssertionError(f"unknown figure {name}")


def _check(a: Assessment, expect: dict[str, Any], where: str) -> None:
    dx = [d.id for d in sorted(a.diagnoses, key=lambda d: (-d.severity, d.id))]
    acts = {x.id: x.rank for x in a.actions}
    for d in expect.get("diagnoses", []):
        assert d in dx, f"{where}: {d} not diagnosed ({dx})"
    for d in expect.get("not_diagnoses", []):
        assert d not in dx, f"{where}: {d} diagnosed"
    for x in expect.get("actions", []):
        assert x in acts, f"{where}: {x} not recommended ({sorted(acts, key=acts.get)})"
    for x in expect.get("not_actions", []):
        assert x not in acts, f"{where}: {x} recommended at rank {acts.get(x)}"
    for d, n in (expect.get("diagnosis_top") or {}).items():
        assert d in dx[:n], f"{where}: {d} not among the {n} most severe ({dx})"
    for x, n in (expect.get("action_top") or {}).items():
        assert acts.get(x, 10**6) <= n, f"{where}: {x} at rank {acts.get(x)}, wanted <= {n}"
    first = [x for x, r in acts.items() if r == 1]
    for x in expect.get("first_action_not", []):
        assert x not in first, f"{where}: {x} ranks first"
    if "levels" in expect:
        assert a.asymmetry.level in expect["levels"], f"{where}: level {a.asymmetry.level}"
    if "direction" in expect:
        assert a.asymmetry.direction == expect["direction"], f"{where}: {a.asymmetry}"
    by_id = {x.id: x for x in a.actions}
    for x, text in (expect.get("rationale_contains") or {}).items():
        assert x in by_id and text in by_id[x].rationale.zh, f"{where}: {x} rationale"
    behind = {r for c in [*a.diagnoses, *a.actions] for r in c.rules}
    for r in expect.get("not_rules", []):
        assert r not in behind, f"{where}: rule {r} is behind a conclusion"


def _check_robust(profile: CaseProfile, a: Assessment, want: dict[str, float], where: str) -> None:
    from advisor.robustness import analyse

    rob = analyse(profile, a, worlds=400, seed=20240501)
    holds = {c.id: c.holds_share for c in rob.diagnoses}
    for d, share in want.items():
        assert holds.get(d, 0.0) >= share, f"{where}: {d} holds in {holds.get(d)} of the worlds"


def test_the_suite_covers_the_kinds_the_issue_names() -> None:
    """At least a dozen expectations, H and Y among their bases."""
    assert len(FILES) >= 12
    bases = {_load(f)["profile"].get("base", "neutral") for f in FILES}
    assert {"case-h", "case-y", "neutral"} <= bases


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_expectation(path: Path) -> None:
    """The expectation holds (for every combination of its varied inputs), and it rests on a
    verbatim passage of the paper (or names its literature)."""
    doc = _load(path)
    assert doc["id"] == path.stem
    assert doc["expectation"]["zh"] and doc["expectation"]["en"]
    passages = doc["passages"]
    assert passages
    for p in passages:
        if "literature" in p:
            assert p["literature"].strip()
            continue
        assert re.fullmatch(r"abstract|[1-6](\.[1-3])?", str(p["section"])), p
        assert re.sub(r"\s+", "", p["quote_zh"]) in FLAT_PAPER, p["quote_zh"]
    expect = doc["expect"]
    assert set(expect) <= EXPECT_KEYS, set(expect) - EXPECT_KEYS
    vary = doc.get("vary") or {}
    keys = list(vary)
    combos = list(itertools.product(*(vary[k] for k in keys))) or [()]
    for combo in combos:
        extra = dict(zip(keys, combo, strict=True))
        profile = _profile(doc["profile"], extra)
        where = f"{path.stem} {extra}" if extra else path.stem
        if "lever" in doc:
            after = apply_lever(profile, doc["lever"])
            for name, way in (expect.get("lever_moves") or {}).items():
                b, a = _figure(profile, name), _figure(after, name)
                assert (a > b) if way == "up" else (a < b), f"{where}: {name} {b} -> {a}"
            rest = {k: v for k, v in expect.items() if k != "lever_moves"}
            _check(assess(after), rest, where + " after the lever")
        else:
            a = assess(profile)
            _check(a, expect, where)
            if expect.get("robust"):
                _check_robust(profile, a, expect["robust"], where)
