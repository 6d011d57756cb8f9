"""Rule-base coverage lint (``advisor kb lint``): rules that never fire, conclusions nobody
uses, knowledge items no rule reaches, actions with no route to them.

The dynamic part evaluates the rules over a large seeded sample of generated profiles (the
whole input space: every enum value, concentrated and spread shares, with and without a third
party), with the plain-Python oracle of ``rules/oracle.py`` by default (the differential test
keeps it equal to the engine) or the durable-rules engine with ``--engine``. The static part
reads the rule definitions and the knowledge base. Any finding makes the exit code non-zero.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from advisor import fields, models

DEFAULT_SAMPLE = 5000
DEFAULT_SEED = 20240118
KINDS = ("diagnosis", "action", "guard")

# --------------------------------------------------------------------------- the sample

FUNDING_KEYS = fields.FUNDING_KEYS
RECRUIT_KEYS = fields.RECRUIT_KEYS


def _enum(path: str) -> tuple[str, ...]:
    """The allowed values of an enum field of the contract, in the contract's order."""
    return tuple(v for v in fields.values(path) if v is not None)


def _shares(rng: random.Random, keys: tuple[str, ...]) -> dict[str, float]:
    """Shares summing to 1, often concentrated: one source, two sources or a spread."""
    shape = rng.random()
    if shape < 0.25:  # one source only (the sole-dependence corner)
        weights = [0] * len(keys)
        weights[rng.randrange(len(keys))] = 1
    elif shape < 0.5:  # two sources
        weights = [0] * len(keys)
        a, b = rng.sample(range(len(keys)), 2)
        weights[a], weights[b] = rng.randint(1, 20), rng.randint(0, 20)
    else:
        weights = [rng.choice((0, 0, rng.randint(1, 20))) for _ in keys]
        if not any(weights):
            weights[rng.randrange(len(keys))] = 1
    total = sum(weights)
    return {k: w / total for k, w in zip(keys, weights, strict=True)}


def random_profile_data(rng: random.Random, index: int = 0) -> dict[str, Any]:
    """One valid case profile as plain data, drawn uniformly over every enum and level.

    Shares are concentrated often enough to reach the corners (all from government, none
    from government); a third party is present in about 60% of profiles; nullable fields are
    null about half the time.
    """
    volunteers = rng.choice((0, 1, 5, 12, 40, 200, rng.randint(0, 5000)))
    tp = None
    if rng.random() < 0.6:
        tp = {
            "kind": rng.choice(_enum("third_party.kind")),
            "capacity": rng.randint(0, 4),
            "role": rng.choice(_enum("third_party.role")),
            "autonomy": rng.randint(0, 4),
        }
        # the optional third-party fields (added in 0.2), each unknown about a third of the time
        if rng.random() < 0.67:
            tp["origin"] = rng.choice(("independent", "community_founded", "government_founded"))
        if rng.random() < 0.67:
            tp["government_purchase_share"] = round(rng.random(), 2)
        if rng.random() < 0.67:
            tp["strict_assessment"] = rng.random() < 0.5
    community = None
    if rng.random() < 0.67:
        community = {
            "non_government_resources": rng.choice((None, *range(5))),
            "resident_associations": rng.choice((None, 0, 1, 3, 8)),
            "staff_overloaded": rng.choice((None, True, False)),
        }
    return {
        "community": community,
        "schema_version": 1,
        "id": f"sample-{index}",
        "name": f"sample {index}",
        "region": rng.choice((None, "region")),
        "as_of": rng.choice((None, "2024-01-01")),
        "force_type": rng.choice(_enum("force_type")),
        "development_mode": rng.choice((None, *_enum("development_mode"))),
        "legitimacy": {"status": rng.choice(_enum("legitimacy.status"))},
        "funding": _shares(rng, FUNDING_KEYS),
        "human_resources": {
            "volunteers": volunteers,
            "core_volunteers": rng.randint(0, volunteers),
            "recruited_by": _shares(rng, RECRUIT_KEYS),
            "leadership": rng.choice(_enum("human_resources.leadership")),
            "resident_awareness": rng.randint(0, 4),
        },
        "knowledge": {
            "training_provider": rng.choice(_enum("knowledge.training_provider")),
            "training_sessions_per_year": rng.choice((0, 1, 2, 4, 6, 12, 24, rng.randint(0, 60))),
            "self_sufficiency": rng.randint(0, 3),
        },
        "government": {
            "reliance_on_force": rng.randint(0, 4),
            "control": rng.randint(0, 4),
            "role": rng.choice(_enum("government.role")),
            "acceptance_mechanism": rng.random() < 0.5,
            "purchases_services": rng.random() < 0.5,
            "party_leadership": rng.randint(0, 4),
        },
        "agenda": {
            "set_by": rng.choice(_enum("agenda.set_by")),
            "pattern": rng.choice(_enum("agenda.pattern")),
        },
        "management": {
            "decision_participation": rng.randint(0, 3),
            "incentives": rng.choice(_enum("management.incentives")),
            "records": rng.random() < 0.5,
        },
        "third_party": tp,
        "coproduction": {
            s: rng.randint(0, 4) for s in ("planning", "design", "delivery", "evaluation")
        },
        "linkage": rng.choice(_enum("linkage")),
    }


def sample_profiles(n: int, seed: int = 20240118) -> list[models.CaseProfile]:
    """``n`` valid profiles from a seeded generator: the same list for the same seed."""
    rng = random.Random(seed)
    return [models.CaseProfile.model_validate(random_profile_data(rng, i)) for i in range(n)]


# --------------------------------------------------------------------------- the lint


@dataclass
class LintReport:
    """What the lint found. ``findings`` maps a check to the ids it flags; empty means clean."""

    sample: int
    seed: int
    evaluator: str
    rules_total: dict[str, int]
    rules_fired: dict[str, int]
    fire_counts: dict[str, int]
    diagnoses_total: int
    diagnoses_reached: int
    actions_total: int
    actions_reached: int
    findings: dict[str, list[str]] = field(default_factory=dict)
    # informational (not a finding): in how many sample profiles each diagnosis was concluded,
    # and in how many of those no recommended action addresses it
    unanswered: dict[str, int] = field(default_factory=dict)
    concluded_counts: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not any(self.findings.values())

    def to_json(self) -> dict[str, Any]:
        """The report as plain data (``--format json``)."""
        return {
            "sample": self.sample,
            "seed": self.seed,
            "evaluator": self.evaluator,
            "rules": {
                k: {"fired": self.rules_fired[k], "total": self.rules_total[k]} for k in KINDS
            },
            "diagnoses": {"reached": self.diagnoses_reached, "total": self.diagnoses_total},
            "actions": {"reached": self.actions_reached, "total": self.actions_total},
            "fire_counts": self.fire_counts,
            "findings": self.findings,
            "unanswered": self.unanswered,
            "concluded_counts": self.concluded_counts,
            "clean": self.clean,
        }


#: Each check's heading, in both languages.
CHECKS: dict[str, dict[str, str]] = {
    "rules_never_fired": {
        "zh": "在样本中从未触发的规则",
        "en": "rules that never fire over the sample",
    },
    "rules_always_overruled": {
        "zh": "每次触发都被护栏否决的行动规则",
        "en": "action rules overruled every time they fire",
    },
    "diagnoses_no_rule_uses": {
        "zh": "有规则得出、但没有行动或护栏规则使用的诊断",
        "en": "diagnoses a rule concludes but no action or guard rule uses",
    },
    "diagnoses_no_action_addresses": {
        "zh": "知识库中没有任何行动针对的诊断",
        "en": "diagnoses no action of the knowledge base addresses",
    },
    "items_no_rule_reaches": {
        "zh": "没有规则得出的知识条目（诊断、行动）",
        "en": "knowledge items (diagnoses, actions) no rule concludes",
    },
    "conclusions_not_in_kb": {
        "zh": "规则得出、但知识库中不存在的结论",
        "en": "conclusions of rules that the knowledge base lacks",
    },
    "actions_no_route": {
        "zh": "在样本中从未被推荐的行动（没有可达路径）",
        "en": "actions never recommended over the sample (no route to them)",
    },
    "diagnoses_never_concluded": {
        "zh": "在样本中从未得出的诊断",
        "en": "diagnoses never concluded over the sample",
    },
    "engine_cannot_compile": {
        "zh": "规则引擎无法编译的规则集",
        "en": "rule set the engine cannot compile",
    },
}


def static_findings(rules: list[Any], kb: Any) -> dict[str, list[str]]:
    """The checks that need no sample: who concludes, uses and addresses what."""
    from rules.dsl import diagnoses_of

    kb_dx = {it.id for it in kb.by_kind("diagnosis")}
    kb_act = {it.id for it in kb.by_kind("action")}
    concluded_dx = {r.concludes for r in rules if r.kind == "diagnosis"}
    concluded_act = {r.concludes for r in rules if r.kind != "diagnosis" and r.concludes}
    used = {d for r in rules if r.kind != "diagnosis" for d in diagnoses_of(r)}
    used |= {d for r in rules if r.kind == "diagnosis" for d in diagnoses_of(r)}
    consumed = {d for r in rules if r.kind != "diagnosis" for d in diagnoses_of(r)}
    addressed = {d for it in kb.by_kind("action") for d in it.addresses}
    return {
        "diagnoses_no_rule_uses": sorted(concluded_dx - consumed - _chained_only(rules, consumed)),
        "diagnoses_no_action_addresses": sorted((kb_dx | concluded_dx) - addressed),
        "items_no_rule_reaches": sorted((kb_dx - concluded_dx) | (kb_act - concluded_act)),
        "conclusions_not_in_kb": sorted((concluded_dx - kb_dx) | (concluded_act - kb_act)),
    }


def _chained_only(rules: list[Any], consumed: set[str]) -> set[str]:
    """Diagnoses used only by other diagnosis rules whose conclusion is itself consumed."""
    from rules.dsl import diagnoses_of

    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in rules:
            if r.kind == "diagnosis" and (r.concludes in consumed or r.concludes in out):
                for d in diagnoses_of(r):
                    if d not in consumed and d not in out:
                        out.add(d)
                        changed = True
    return out


def lint(
    sample: int = DEFAULT_SAMPLE,
    seed: int = DEFAULT_SEED,
    use_engine: bool = False,
    rules: list[Any] | None = None,
) -> LintReport:
    """Run every check over ``sample`` seeded profiles; see ``LintReport``.

    ``rules`` defaults to the shipped definitions (``load_rules()``).
    """
    from advisor.indices import derive
    from knowledge_base.loader import load_kb
    from rules import oracle
    from rules.dsl import case_fact, load_rules

    kb = load_kb()
    rules = load_rules() if rules is None else rules
    findings = static_findings(rules, kb)
    fired_counts: Counter[str] = Counter()
    effective: Counter[str] = Counter()  # fired and not overruled
    recommended: Counter[str] = Counter()
    concluded: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()  # diagnoses present with no recommended action on them
    addresses = {it.id: set(it.addresses) for it in kb.by_kind("action")}
    compile_error: list[str] = []
    run_rules = None
    if use_engine:
        from advisor.errors import EngineError
        from rules.engine import get_engine

        try:
            run_rules = get_engine(rules).run
        except EngineError as exc:
            compile_error.append(str(exc))
    for profile in sample_profiles(sample, seed):
        fact = case_fact(profile, derive(profile))
        if run_rules is not None:
            fired = set(run_rules(fact).fired)
            diagnoses, _sev, actions, _f, overruled, _by = oracle.conclusions(fired, rules)
        else:
            diagnoses, _sev, actions, fired, overruled, _by = oracle.evaluate_fact(fact, rules)
        fired_counts.update(fired)
        effective.update(r for r in fired if r not in overruled)
        recommended.update(actions.keys())
        concluded.update(diagnoses)
        answered = {d for a in actions for d in addresses.get(a, ())}
        unanswered.update(diagnoses - answered)
    by_kind = {k: [r for r in rules if r.kind == k] for k in KINDS}
    kb_dx = {it.id for it in kb.by_kind("diagnosis")}
    kb_act = {it.id for it in kb.by_kind("action")}
    findings["rules_never_fired"] = [r.id for r in rules if not fired_counts[r.id]]
    findings["rules_always_overruled"] = [
        r.id for r in rules if r.kind == "action" and fired_counts[r.id] and not effective[r.id]
    ]
    findings["actions_no_route"] = sorted(kb_act - set(recommended))
    findings["diagnoses_never_concluded"] = sorted(kb_dx - set(concluded))
    findings["engine_cannot_compile"] = compile_error
    return LintReport(
        sample=sample,
        seed=seed,
        evaluator="engine" if use_engine else "oracle",
        rules_total={k: len(v) for k, v in by_kind.items()},
        rules_fired={k: sum(1 for r in v if fired_counts[r.id]) for k, v in by_kind.items()},
        fire_counts={r.id: fired_counts[r.id] for r in rules},
        diagnoses_total=len(kb_dx),
        diagnoses_reached=len(kb_dx & set(concluded)),
        actions_total=len(kb_act),
        actions_reached=len(kb_act & set(recommended)),
        findings=findings,
        unanswered=dict(sorted(unanswered.items())),
        concluded_counts=dict(sorted(concluded.items())),
    )


# --------------------------------------------------------------------------- the command

SUMMARY = {
    "zh": "覆盖率（{n} 个生成的案例，种子 {seed}，{ev}）",
    "en": "coverage ({n} generated profiles, seed {seed}, {ev})",
}
KIND_NAMES = {
    "zh": {"diagnosis": "诊断规则", "action": "行动规则", "guard": "护栏规则"},
    "en": {"diagnosis": "diagnosis rules", "action": "action rules", "guard": "guard rules"},
}
LINES = {
    "zh": {
        "fired": "  {kind}：{f}/{t} 条触发",
        "dx": "  诊断：{r}/{t} 项在样本中得出",
        "act": "  行动：{r}/{t} 项在样本中被推荐",
        "clean": "未发现问题。",
        "issues": "发现 {n} 个问题。",
        "none": "  （无）",
        "unanswered": "提示（不算问题）：得出了诊断、但没有被推荐的行动针对它的案例数：",
        "unanswered_line": "  - {d}：{u}/{c}",
    },
    "en": {
        "fired": "  {kind}: {f}/{t} fired",
        "dx": "  diagnoses: {r}/{t} concluded over the sample",
        "act": "  actions: {r}/{t} recommended over the sample",
        "clean": "No findings.",
        "issues": "{n} finding(s).",
        "none": "  (none)",
        "unanswered": "Note (not a finding): profiles where a diagnosis got no recommended action "
        "addressing it:",
        "unanswered_line": "  - {d}: {u}/{c}",
    },
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``advisor kb lint``."""
    parser.add_argument(
        "--sample",
        type=_count,
        default=DEFAULT_SAMPLE,
        metavar="N",
        help=f"generated profiles to evaluate (default {DEFAULT_SAMPLE})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--engine",
        action="store_true",
        help="evaluate with the durable-rules engine (default: the plain-Python oracle, which "
        "the differential test keeps equal to it)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def render(report: LintReport, lang: str = "en") -> str:
    """The report as text: the coverage summary, then every finding by check."""
    t = LINES[lang]
    out = [SUMMARY[lang].format(n=report.sample, seed=report.seed, ev=report.evaluator)]
    for k in KINDS:
        out.append(
            t["fired"].format(
                kind=KIND_NAMES[lang][k], f=report.rules_fired[k], t=report.rules_total[k]
            )
        )
    out.append(t["dx"].format(r=report.diagnoses_reached, t=report.diagnoses_total))
    out.append(t["act"].format(r=report.actions_reached, t=report.actions_total))
    n = 0
    for check, ids in report.findings.items():
        out.append(f"{CHECKS[check][lang]}:")
        out.extend(f"  - {i}" for i in ids) if ids else out.append(t["none"])
        n += len(ids)
    if report.unanswered:
        out.append(t["unanswered"])
        out.extend(
            t["unanswered_line"].format(d=d, u=u, c=report.concluded_counts.get(d, 0))
            for d, u in report.unanswered.items()
        )
    out.append(t["clean"] if n == 0 else t["issues"].format(n=n))
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    """Run ``advisor kb lint``: print the report; 0 when clean, 1 when anything was found."""
    report = lint(sample=args.sample, seed=args.seed, use_engine=args.engine)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render(report, args.lang))
    return 0 if report.clean else 1
