"""Aggregation: the running summary of a batch's records, in output order."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from advisor.batch.worker import Digest, ErrorDigest
from advisor.models import ASYMMETRY_LEVELS, DIMENSIONS

ATTENTION_TOP = 25
FAILED_SHOWN = 200


def digest_from_record(rec: dict[str, Any]) -> Digest | ErrorDigest:
    """Rebuild the digest of a record read back from an output file (for --resume)."""
    if "errors" in rec:
        return ErrorDigest(
            int(rec.get("line") or 0),
            str(rec.get("source") or ""),
            rec.get("profile_id"),
            list(rec["errors"]),
        )
    dep = rec["dependence"]
    diagnoses = rec.get("diagnoses") or []
    actions = rec.get("actions") or []
    labels = {
        d["id"]: (d["label"]["zh"], d["label"]["en"])
        for d in (*diagnoses, *actions)
        if "label" in d  # a compact record names items by id only
    }
    return Digest(
        rec["profile_id"],
        rec.get("profile_name"),
        rec["asymmetry"]["level"],
        float(rec["asymmetry"]["index"]),
        rec["coproduction"]["stage"],
        tuple(float(dep[d]) for d in DIMENSIONS),  # type: ignore[arg-type]
        tuple((d["id"], float(d["severity"])) for d in diagnoses),
        tuple((a["id"], a["actor"], int(a["rank"]), float(a["priority"])) for a in actions),
        labels,
        rec.get("engine_version", ""),
        rec.get("knowledge_base_version", ""),
        bool(rec.get("uncertain_inputs")),
        (rec.get("robustness") or {}).get("top_fragile"),
    )


@dataclass
class Summary:
    """Running aggregates over a batch's records, in output order; memory does not grow."""

    total: int = 0
    assessed: int = 0
    failed: int = 0
    levels: Counter = field(default_factory=Counter)
    stages: Counter = field(default_factory=Counter)
    dependence_sum: list[float] = field(default_factory=lambda: [0.0] * 4)
    diagnosis_count: Counter = field(default_factory=Counter)
    diagnosis_severity: Counter[str] = field(default_factory=Counter)
    action_count: Counter = field(default_factory=Counter)  # (actor, id)
    action_first: Counter = field(default_factory=Counter)  # (actor, id) ranked 1st
    action_priority: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    attention: list[tuple[tuple[float, ...], int, dict[str, Any]]] = field(default_factory=list)
    failed_rows: list[ErrorDigest] = field(default_factory=list)
    versions: Counter = field(default_factory=Counter)  # (engine, knowledge base) -> records
    uncertain: int = 0  # issue 12: cases with unknowns or ranges
    robustness_checked: int = 0  # cases whose robustness was computed
    top_fragile: int = 0  # ... and whose top action is fragile

    def add(self, digest: Digest | ErrorDigest) -> None:
        """Count one record (call in output order)."""
        self.total += 1
        if isinstance(digest, ErrorDigest):
            self.failed += 1
            if len(self.failed_rows) < FAILED_SHOWN:
                self.failed_rows.append(digest)
            return
        self.assessed += 1
        d = digest
        self.uncertain += int(d.uncertain)
        if d.top_fragile is not None:
            self.robustness_checked += 1
            self.top_fragile += int(d.top_fragile)
        self.versions[(d.engine_version, d.knowledge_base_version)] += 1
        for k, v in d.labels.items():
            self.labels.setdefault(k, v)
        self.levels[d.level] += 1
        self.stages[d.stage] += 1
        for i, dep in enumerate(d.dependence):
            self.dependence_sum[i] += dep
        for did, sev in d.diagnoses:
            self.diagnosis_count[did] += 1
            self.diagnosis_severity[did] += sev  # type: ignore[assignment]  # a Counter of floats
        for aid, actor, rank, priority in d.actions:
            self.action_count[(actor, aid)] += 1
            self.action_priority[(actor, aid)] += priority  # type: ignore[assignment]  # a Counter of floats
            if rank == 1:
                self.action_first[(actor, aid)] += 1
        key = attention_key(d)
        entry = (key, -self.total, {"n": self.total, "digest": d})
        if len(self.attention) < ATTENTION_TOP:
            heapq.heappush(self.attention, entry)
        elif entry[:2] > self.attention[0][:2]:
            heapq.heapreplace(self.attention, entry)


LEVEL_RANK = {level: i for i, level in enumerate(ASYMMETRY_LEVELS)}


def attention_key(d: Digest) -> tuple[float, ...]:
    """The 'attention first' sort key (higher is more urgent); stated in words by
    ``batch_summary.attention_rule`` in ``advisor/templates/strings.yaml``."""
    sevs = [s for _, s in d.diagnoses]
    return (
        float(LEVEL_RANK.get(d.level, 0)),
        round(max(sevs, default=0.0), 6),
        round(sum(sevs), 6),
        round(d.index, 6),
    )
