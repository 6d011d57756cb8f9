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

from typing import Any, cast

from pydantic_core import to_json

from advisor import pipeline as P
from advisor.errors import KnowledgeBaseError
from advisor.indices import derive
from advisor.models import DIMENSIONS, CaseProfile
from advisor.priority import rank
from rules.dsl import case_fact, conclude, severity_of


def compact_parts(profile: CaseProfile) -> tuple[dict[str, Any], Any]:
    """The compact record's data and the indices (``advisor.indices.Indices``) of a profile."""
    st = P._static()
    kb = st.kb
    ix = derive(profile)
    fact = case_fact(profile, ix)
    result = st.engine.run(fact)
    concl = conclude(set(result.fired), st.rules)
    missing = [d for d in concl.diagnoses if d not in kb.items]
    severities: dict[str, float] = {
        d: max(severity_of(st.by_id[r], fact) for r in rids) for d, rids in concl.diagnoses.items()
    }
    diagnoses = [
        {"id": d, "severity": severities[d]}
        for d in sorted(concl.diagnoses, key=lambda d: (-severities[d], d))
    ]
    specs = []
    for a in concl.actions:
        item = kb.items.get(a)
        if item is None or item.phase is None:
            raise KnowledgeBaseError(
                f"the rules conclude action {a!r}, which the knowledge base lacks"
            )
        specs.append(st.specs[a])
    ranked = rank(
        specs, severities, st.priority, cast("int | None", fact.get("third_party.capacity"))
    )
    actions = []
    for rk in ranked:
        item = kb.items[rk.id]
        actions.append(
            {
                "id": rk.id,
                "rank": rk.rank,
                "priority": rk.priority,
                "actor": item.actor,
                "phase": item.phase,
                "stage": item.stage,
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
    rec["warnings"] = [w.code for w in P._warnings(profile, ix, missing)]
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
