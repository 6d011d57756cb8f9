"""Where each piece of advice lives: the rules, test files and parameters behind a knowledge item.

One index used by ``advisor kb show`` and by the Knowledge page (``ui/views/knowledge.py``), so a
diagnosis, an action or a guard is found by path alone (issue 14 item 3):

- ``rules/definitions/diagnoses/<id>.yaml`` / ``actions/<id>.yaml`` hold the rules concluding the
  item, ``guards/<name>.yaml`` the guard rule ``guard_<name>``;
- ``tests/rules/cases/diagnoses/<id>.yaml`` / ``actions/<id>.yaml`` hold its rule tests, and
  ``tests/expert/expectations/*.yaml`` the expert expectations naming it;
- the parameters are those its rules read (``param:`` in conditions and severities).

This module reads only data: rule objects (anything with ``id``, ``kind``, ``concludes``,
``rests_on``, ``overrules``) and the raw rule documents are passed in by the caller
(``rules.dsl.load_rules()`` / ``read_definitions()``), so ``knowledge_base`` does not import the
rule layer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULE_CASES = ROOT / "tests" / "rules" / "cases"
EXPERT = ROOT / "tests" / "expert" / "expectations"
FOLDER = {"diagnosis": "diagnoses", "action": "actions", "guard": "guards"}


def rules_by_item(rules: Iterable[Any]) -> dict[str, list[str]]:
    """Knowledge item id -> the ids of the rules that conclude it or rest on it, in rule order."""
    out: dict[str, list[str]] = defaultdict(list)
    for rule in rules:
        for item_id in dict.fromkeys([rule.concludes, *rule.rests_on]):
            if item_id and rule.id not in out[item_id]:
                out[item_id].append(rule.id)
    return dict(out)


def _params_in(node: Any) -> Iterator[str]:
    """Every ``param:`` reference in a raw rule document, depth first."""
    if isinstance(node, dict):
        if isinstance(node.get("param"), str):
            yield node["param"]
        for value in node.values():
            yield from _params_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _params_in(value)


@dataclass
class RuleEntry:
    """One rule as the index sees it: its file, what it concludes, the parameters it reads."""

    id: str
    kind: str
    file: str
    concludes: str | None
    overrules: list[str]
    rests_on: list[str]
    name: dict[str, str]
    params: list[str] = field(default_factory=list)


def rule_entries(docs: Iterable[tuple[str, Any]]) -> dict[str, RuleEntry]:
    """Rule id -> entry, from ``read_definitions()`` (file name under ``rules/definitions``)."""
    out: dict[str, RuleEntry] = {}
    for name, doc in docs:
        for raw in doc if isinstance(doc, list) else []:
            if not isinstance(raw, dict) or "id" not in raw:
                continue
            out[str(raw["id"])] = RuleEntry(
                id=str(raw["id"]),
                kind=str(raw.get("kind")),
                file=f"rules/definitions/{name}",
                concludes=raw.get("concludes"),
                overrules=list(raw.get("overrules") or []),
                rests_on=list(raw.get("rests_on") or []),
                name=dict(raw.get("name") or {}),
                params=list(dict.fromkeys(_params_in([raw.get("when"), raw.get("severity")]))),
            )
    return out


def rule_test_file(item_id: str, kind: str) -> str | None:
    """The mirrored rule-test file of a diagnosis or action (relative to the project), if any."""
    folder = FOLDER.get(kind)
    path = RULE_CASES / f"{folder}/{item_id}.yaml"
    return path.relative_to(ROOT).as_posix() if folder and path.is_file() else None


def expert_files(item_id: str) -> list[str]:
    """The expert expectations (``tests/expert/expectations``) whose expect names ``item_id``."""
    out: list[str] = []
    for path in sorted(EXPERT.glob("*.yaml")) if EXPERT.is_dir() else []:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        expect = doc.get("expect") if isinstance(doc, dict) else None
        if isinstance(expect, dict) and any(
            isinstance(v, list) and item_id in v for v in expect.values()
        ):
            out.append(path.relative_to(ROOT).as_posix())
    return out


def param_value(kb: Any, ref: str) -> Any:
    """The value of ``id`` or ``id:key`` in the knowledge base (None if absent)."""
    pid, _, key = ref.partition(":")
    if pid not in kb.items:
        return None
    value = kb.items[pid].value
    return value.get(key) if key and isinstance(value, dict) else value


@dataclass
class Advice:
    """What ``advisor kb show`` prints about one diagnosis, action or guard."""

    id: str
    kind: str
    rules: list[RuleEntry]
    tests: list[str]
    params: dict[str, Any]
    passages: list[Any]
    overruled_by: list[RuleEntry] = field(default_factory=list)


def advice(item_id: str, kb: Any, entries: dict[str, RuleEntry]) -> Advice | None:
    """The rules, tests, parameters and passages behind a diagnosis or action id, or behind a
    guard (its rule id ``guard_x`` or its file stem ``x``); None for anything else."""
    guard = entries.get(item_id) or entries.get(f"guard_{item_id}")
    if guard is not None and guard.kind == "guard":
        concluded = [guard.concludes] if guard.concludes else []
        targets = [entries[t].concludes for t in guard.overrules if t in entries]
        tests = [
            t
            for a in dict.fromkeys([*concluded, *targets])
            if a and (t := rule_test_file(a, "action"))
        ]
        passages = [s for i in guard.rests_on if i in kb.items for s in kb.items[i].source]
        return Advice(
            id=guard.id,
            kind="guard",
            rules=[guard],
            tests=tests,
            params={p: param_value(kb, p) for p in guard.params},
            passages=passages,
        )
    item = kb.items.get(item_id)
    if item is None or item.kind not in ("diagnosis", "action"):
        return None
    rules = [e for e in entries.values() if e.concludes == item_id]
    tests = [t for t in [rule_test_file(item_id, item.kind)] if t] + expert_files(item_id)
    params = {p: param_value(kb, p) for e in rules for p in e.params}
    overruled_by = [
        e for e in entries.values() if e.kind == "guard" and any(r.id in e.overrules for r in rules)
    ]
    return Advice(
        id=item_id,
        kind=item.kind,
        rules=rules,
        tests=tests,
        params=params,
        passages=list(item.source),
        overruled_by=overruled_by,
    )
