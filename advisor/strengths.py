"""What works: the strengths of a case that a report names before its problems (issue 11).

The paper's positive example (case H, 5.2: an agency's volunteers 大大降低了对政府的强依赖性,
train weekly, speak at round tables) should read as one: its report leads with what works,
then with its real residual risk. Strengths are data (``templates/strengths.yaml``): each holds
when its conditions hold on the facts the rules see (``rules.dsl.case_fact``), rests on one
passage of the knowledge base, and says which of the inputs it rests on are assumptions. The
cut-offs are this tool's choice and the report says so beside each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.basis import basis_kind, inputs_of_key
from advisor.models import BiText, CaseProfile, SourceRef

STRENGTHS_PATH = Path(__file__).resolve().parent / "templates" / "strengths.yaml"
_OPS = {
    "eq": lambda x, v: x == v,
    "ge": lambda x, v: x >= v,
    "le": lambda x, v: x <= v,
    "gt": lambda x, v: x > v,
    "lt": lambda x, v: x < v,
}
# how a met condition reads: the value and our cut-off, named as ours
_HOLDS = {
    "ge": ("达到本工具设定的下限 {v}", "at least this tool's lower limit of {v}"),
    "le": ("不高于本工具设定的上限 {v}", "at most this tool's upper limit of {v}"),
    "gt": ("高于本工具设定的阈值 {v}", "above this tool's threshold of {v}"),
    "lt": ("低于本工具设定的阈值 {v}", "below this tool's threshold of {v}"),
}


@dataclass
class Strength:
    """One strength that holds for a case, in both languages."""

    id: str
    label: BiText
    text: BiText
    because: list[BiText]
    source: SourceRef | None
    inputs: list[str] = field(default_factory=list)
    assumed_inputs: list[str] = field(default_factory=list)
    only_assumed_inputs: bool = False


@lru_cache(maxsize=1)
def catalogue() -> list[dict[str, Any]]:
    """The strengths the reports know, as written in ``templates/strengths.yaml``."""
    data = yaml.safe_load(STRENGTHS_PATH.read_text(encoding="utf-8"))
    return list(data["strengths"])


def _holds(cond: dict[str, Any], fact: dict[str, Any]) -> bool:
    x = fact.get(cond["fact"])
    if x is None or isinstance(x, bool) != isinstance(cond["value"], bool):
        return False
    return bool(_OPS[cond["op"]](x, cond["value"]))


def _because(cond: dict[str, Any], fact: dict[str, Any]) -> BiText:
    """A met condition as a clause (no colon: it follows 「判断依据：」)."""
    from advisor.explain import field_label, value_text
    from knowledge_base.loader import load_kb

    kb = load_kb()
    lz, le = field_label(kb, cond["fact"])
    x = fact.get(cond["fact"])
    if cond["op"] == "eq" and x is True:
        return BiText(zh=lz, en=le)
    vz, ve = (f"{x:.2f}", f"{x:.2f}") if isinstance(x, float) else value_text(kb, cond["fact"], x)
    if cond["op"] == "eq":
        return BiText(zh=f"{lz}为“{vz}”", en=f"{le} is “{ve}”")
    hz, he = _HOLDS[cond["op"]]
    v = cond["value"]
    return BiText(zh=f"{lz}为 {vz}（{hz.format(v=v)}）", en=f"{le} is {ve} ({he.format(v=v)})")


def _source(item_id: str, index: int) -> SourceRef | None:
    from knowledge_base.loader import load_kb

    item = load_kb().items.get(item_id)
    if item is None or not item.source:
        return None
    s = item.source[min(index, len(item.source) - 1)]
    return SourceRef(
        section=s.section, quote_zh=s.quote_zh, quote_en=s.quote_en, interview_code=s.interview_code
    )


def strengths(profile: CaseProfile) -> list[Strength]:
    """The strengths of the case, in catalogue order (empty when none holds)."""
    from advisor.indices import derive
    from rules.dsl import case_fact

    fact = case_fact(profile, derive(profile))
    out: list[Strength] = []
    for spec in catalogue():
        conds = spec["when"]
        if not all(_holds(c, fact) for c in conds):
            continue
        inputs: list[str] = []
        for c in conds:
            for p in inputs_of_key(c["fact"]):
                if p not in inputs:
                    inputs.append(p)
        assumed: list[str] = []
        if profile.basis:
            assumed = [p for p in inputs if basis_kind(profile, p) == "assumption"]
        out.append(
            Strength(
                id=spec["id"],
                label=BiText(**spec["label"]),
                text=BiText(**spec["text"]),
                because=[_because(c, fact) for c in conds],
                source=_source(spec["rests_on"], int(spec.get("quote", 0))),
                inputs=inputs,
                assumed_inputs=assumed,
                only_assumed_inputs=bool(inputs) and len(assumed) == len(inputs),
            )
        )
    return out
