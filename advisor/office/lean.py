"""The compact record straight from the engine, without building the full assessment.

A batch with ``--detail compact`` needs the figures, the diagnoses with their severities and
the ranked actions; the full assessment also builds, per case, the reasons in words, the traces,
the passages, the priority breakdowns and the why-not list, which the compact record leaves to
the knowledge base (by id and version). ``assess_compact`` runs the same steps as
``advisor.pipeline.assess`` up to the ranking (the same functions, called in the same order)
and stops there: about half the time per case.

The result must be byte-identical to ``results.compact_record(pipeline.assess(profile))``;
``tests/office/test_office_lean.py`` checks that on the paper's cases and generated profiles,
so a change to the pipeline that this module does not follow fails there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from pydantic_core import to_json

from advisor import pipeline as P
from advisor.errors import KnowledgeBaseError
from advisor.explain import warning_codes
from advisor.indices import derive
from advisor.models import DIMENSIONS, CaseProfile
from advisor.priority import rank_values
from rules.dsl import Rule, case_fact, severity_of


@dataclass(frozen=True)
class _Tables:
    """What ``rules.dsl.conclude`` and ``severity_of`` read of the rules, laid out once."""

    guards: tuple[tuple[str, tuple[str, ...]], ...]  # fired guard id -> the rules it overrules
    # rules that conclude something, in rule order: (id, is a diagnosis, what it concludes)
    concluding: tuple[tuple[str, bool, str], ...]
    # diagnosis rule id -> its constant severity, or the rule when the severity is graded
    severity: dict[str, float | Rule]
    # action id -> (actor, phase, stage) for the actions the knowledge base has with a phase
    actions: dict[str, tuple[Any, Any, Any]]


_tables: list[tuple[Any, _Tables]] = []


def _tables_for(st: Any) -> _Tables:
    """The tables of the pipeline's static data (built once per process)."""
    if _tables and _tables[0][0] is st:
        return _tables[0][1]
    severity: dict[str, float | Rule] = {}
    for r in st.rules:
        if r.kind == "diagnosis":
            graded = r.severity is not None and r.severity.value is None
            severity[r.id] = r if graded else severity_of(r, {})
    t = _Tables(
        guards=tuple((r.id, tuple(r.overrules)) for r in st.rules if r.kind == "guard"),
        concluding=tuple(
            (r.id, r.kind == "diagnosis", r.concludes) for r in st.rules if r.concludes is not None
        ),
        severity=severity,
        actions={
            i.id: (i.actor, i.phase, i.stage)
            for i in st.kb.by_kind("action")
            if i.phase is not None
        },
    )
    _tables[:] = [(st, t)]
    return t


def compact_parts(profile: CaseProfile) -> tuple[dict[str, Any], Any]:
    """The compact record's data and the indices (``advisor.indices.Indices``) of a profile.

    The steps of ``pipeline.assess`` up to the ranking, reading no more than the record needs:
    the engine without its trace (``Engine.fired_ids``), the conclusions of ``rules.dsl.conclude``
    from tables laid out once, the priorities without their breakdowns
    (``priority.rank_values``), the warnings' codes without their messages.
    """
    st = P._static()
    kb = st.kb
    tb = _tables_for(st)
    ix = derive(profile)
    fact = case_fact(profile, ix)
    fired = st.engine.fired_ids(fact)
    # rules.dsl.conclude: the fired guards' overrules, then diagnoses and actions in rule order
    overruled = {t for gid, targets in tb.guards if gid in fired for t in targets}
    by_diagnosis: dict[str, list[str]] = {}
    concluded: dict[str, None] = {}  # the actions, in rule order
    for rid, is_dx, what in tb.concluding:
        if rid not in fired:
            continue
        if is_dx:
            by_diagnosis.setdefault(what, []).append(rid)
        elif rid not in overruled:
            concluded[what] = None
    severities: dict[str, float] = {}
    for d, rids in by_diagnosis.items():
        values = []
        for rid in rids:
            sev = tb.severity[rid]
            values.append(sev if isinstance(sev, float) else severity_of(sev, fact))
        severities[d] = max(values)
    missing = [d for d in by_diagnosis if d not in kb.items]
    diagnoses = [
        {"id": d, "severity": severities[d]}
        for d in sorted(by_diagnosis, key=lambda d: (-severities[d], d))
    ]
    specs = []
    for a in concluded:
        if a not in tb.actions:
            raise KnowledgeBaseError(
                f"the rules conclude action {a!r}, which the knowledge base lacks"
            )
        specs.append(st.specs[a])
    capacity = cast("int | None", fact.get("third_party.capacity"))
    actions = []
    for aid, rnk, priority in rank_values(specs, severities, st.priority, capacity):
        actor, phase, stage = tb.actions[aid]
        actions.append(
            {
                "id": aid,
                "rank": rnk,
                "priority": priority,
                "actor": actor,
                "phase": phase,
                "stage": stage,
            }
        )
    asym = ix.asymmetry
    asymmetry: dict[str, Any] = {
        "force_on_government": asym.force_on_government,
        "government_on_force": asym.government_on_force,
        "index": asym.index,
        "level": asym.level,
    }
    direction = getattr(asym, "direction", None)
    if direction is not None:
        asymmetry["direction"] = direction
    rec: dict[str, Any] = {
        "schema_version": 1,
        "detail": "compact",
        "profile_id": profile.id,
        "profile_name": profile.name,
        "engine_version": st.engine_version,
        "knowledge_base_version": kb.version,
    }
    dm = ix.development_mode
    if dm is not None:
        rec["development_mode"] = {"value": dm.value, "inferred": dm.inferred}
    rec["dependence"] = {d: getattr(ix.dependence, d) for d in DIMENSIONS}
    rec["third_party_dependence"] = {d: getattr(ix.third_party_dependence, d) for d in DIMENSIONS}
    rec["asymmetry"] = asymmetry
    rec["coproduction"] = {"score": ix.coproduction.score, "stage": ix.coproduction.stage}
    rec["diagnoses"] = diagnoses
    rec["actions"] = actions
    rec["warnings"] = warning_codes(profile, ix, missing)
    return rec, ix


def assess_compact(profile: CaseProfile) -> tuple[bytes, Any]:
    """The compact record as a JSON line (bytes) and the batch summary's digest of it."""
    from advisor.batch import Digest

    rec, _ix = compact_parts(profile)
    dep = rec["dependence"]
    digest = Digest(
        rec["profile_id"],
        rec["profile_name"],
        rec["asymmetry"]["level"],
        rec["asymmetry"]["index"],
        rec["coproduction"]["stage"],
        (dep["legitimacy"], dep["funding"], dep["human_resources"], dep["knowledge"]),
        tuple((d["id"], d["severity"]) for d in rec["diagnoses"]),
        tuple((a["id"], a["actor"], a["rank"], a["priority"]) for a in rec["actions"]),
        {},  # labels: the summary takes them from the knowledge base (less to send back)
        rec["engine_version"],
        rec["knowledge_base_version"],
    )
    return to_json(rec), digest
