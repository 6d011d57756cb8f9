"""Exercises: a trainer turns a case into a pack; participants rank actions before the reveal.

An *exercise pack* holds the case profile, a scenario card (the case told in words from the
field labels of the knowledge base), a question, the actions to rank (the engine's recommended
actions plus a few framework actions the engine did not recommend for this case, listed in a
neutral order) and the answer key (the engine's ranks, with the engine and knowledge-base
versions that produced them). Packs are files (JSON or YAML), validated on load with every
problem named by field path. The pack holds the answer key: participants get the handout.

``score(pack, ranking)`` compares a participant's ranking with the key: Spearman's rho and
Kendall's tau over the recommended actions (their order relative to each other), plus the misses
that matter: an engine top action the participant put in the lower half of their ranking, and a
not-recommended action the participant put among their top ones. ``debrief`` walks through the
engine's reasoning for each action: rules fired, facts matched, passages of the paper.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import (
    FieldProblem,
    ProfileError,
    excerpt,
    os_error_text,
    problems_from_validation,
)
from advisor.io import MAX_BYTES, parse_document
from advisor.models import Actor, Assessment, BiText, CaseProfile, SourceRef
from advisor.safefile import UnsafePathError, identities, read_bounded, write_atomic
from advisor.trainer._assess import assess_cached
from advisor.trainer.text import bitext, field_label, tr, value_label, vocab

PACK_FORMAT: Literal["coproduction-advisor/exercise-pack"] = "coproduction-advisor/exercise-pack"
PACK_SCHEMA_VERSION: Literal[1] = 1
DEFAULT_MAX_ACTIONS = 8
DEFAULT_DISTRACTORS = 3

# The fields told on the scenario card, in reading order.
SCENARIO_FIELDS: tuple[str, ...] = (
    "force_type",
    "legitimacy.status",
    "funding.government_direct",
    "funding.government_via_third_party",
    "funding.third_party_own",
    "funding.charity",
    "funding.residents",
    "funding.self_generated",
    "human_resources.volunteers",
    "human_resources.core_volunteers",
    "human_resources.recruited_by.government",
    "human_resources.recruited_by.third_party",
    "human_resources.recruited_by.self",
    "human_resources.leadership",
    "human_resources.resident_awareness",
    "knowledge.training_provider",
    "knowledge.training_sessions_per_year",
    "knowledge.self_sufficiency",
    "government.role",
    "government.control",
    "government.reliance_on_force",
    "government.acceptance_mechanism",
    "government.purchases_services",
    "agenda.set_by",
    "agenda.pattern",
    "management.decision_participation",
    "management.incentives",
    "management.records",
    "third_party.kind",
    "third_party.capacity",
    "third_party.role",
    "third_party.autonomy",
    "coproduction.planning",
    "coproduction.design",
    "coproduction.delivery",
    "coproduction.evaluation",
    "linkage",
)


class PackError(ProfileError):
    """An exercise pack or a ranking was refused; ``problems`` names every field at fault."""

    def __init__(self, problems: list[FieldProblem], source: str | None = None) -> None:
        super().__init__(problems, source)
        where = f"{source}: " if source else ""
        self.args = (where + "invalid exercise pack\n" + "\n".join(f"  - {p}" for p in problems),)

    def __str__(self) -> str:
        return str(self.args[0])


class RankingError(ProfileError):
    """A participant's ranking does not list the pack's actions exactly once each."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(problems, "ranking")
        self.args = ("invalid ranking\n" + "\n".join(f"  - {p}" for p in problems),)

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------- the pack


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackAction(_Strict):
    """An action the participants rank."""

    id: str
    actor: Actor
    label: BiText


class AnswerKey(_Strict):
    """The engine's answer: ranks (1 = first) of the recommended actions in the pack."""

    ranks: dict[str, Annotated[int, Field(ge=1)]]
    priorities: dict[str, float] = {}
    engine_version: str
    knowledge_base_version: str


class Scoring(_Strict):
    """The trainer's scoring choices (kept in the pack so every session scores alike)."""

    engine_top: Annotated[int, Field(ge=1, le=10)] = 3  # the engine's top-n that must not sink
    participant_top: Annotated[int, Field(ge=1, le=10)] = 3  # the participant's top-n


class ExercisePack(_Strict):
    """An exercise built from one case; shared as a JSON or YAML file."""

    format: Literal["coproduction-advisor/exercise-pack"] = PACK_FORMAT
    schema_version: Literal[1] = PACK_SCHEMA_VERSION
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,64}$")]
    title: BiText
    created: dt.date
    scenario_intro: BiText
    scenario: list[BiText]
    question: BiText
    actions: Annotated[list[PackAction], Field(min_length=2)]
    key: AnswerKey
    scoring: Scoring = Scoring()
    profile: CaseProfile

    @model_validator(mode="after")
    def _consistent(self) -> ExercisePack:
        ids = [a.id for a in self.actions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"actions: listed twice: {', '.join(dupes)}")
        unknown = sorted(set(self.key.ranks) - set(ids))
        if unknown:
            raise ValueError(f"key.ranks: not among the pack's actions: {', '.join(unknown)}")
        if not self.key.ranks:
            raise ValueError("key.ranks: the engine recommends none of the pack's actions")
        ranks = sorted(self.key.ranks.values())
        if len(set(ranks)) != len(ranks):
            raise ValueError("key.ranks: two actions share a rank")
        return self

    def recommended(self) -> list[str]:
        """The recommended actions in the engine's order."""
        return sorted(self.key.ranks, key=lambda i: self.key.ranks[i])

    def not_recommended(self) -> list[str]:
        return [a.id for a in self.actions if a.id not in self.key.ranks]

    def action(self, action_id: str) -> PackAction:
        return next(a for a in self.actions if a.id == action_id)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return (s or "exercise")[:64]


def scenario_lines(profile: CaseProfile) -> list[BiText]:
    """The case told in words: one line per field (``label: value``), and one line per share
    group listing its non-zero shares as percentages, largest first."""
    from advisor.trainer.space import get_value, share_group

    data = profile.model_dump(mode="json")
    lines: list[BiText] = []
    done_groups: set[str] = set()
    for path in SCENARIO_FIELDS:
        if path.startswith("third_party.") and profile.third_party is None:
            continue
        group = share_group(path)
        if group is not None:
            if group in done_groups:
                continue
            done_groups.add(group)
            shares = sorted(
                ((k, v) for k, v in get_value(data, group).items() if v > 0),
                key=lambda kv: -kv[1],
            )
            text = {}
            for lang, colon, sep in (("zh", "：", "，"), ("en", ": ", ", ")):
                parts = [f"{field_label(f'{group}.{k}', lang)} {v:.0%}" for k, v in shares]
                text[lang] = field_label(group, lang) + colon + sep.join(parts)
            lines.append(BiText(**text))
            continue
        value = get_value(data, path)
        lines.append(
            BiText(
                zh=f"{field_label(path, 'zh')}：{value_label(path, value, 'zh')}",
                en=f"{field_label(path, 'en')}: {value_label(path, value, 'en')}",
            )
        )
    if profile.third_party is None:
        lines.append(bitext("exercise.no_third_party"))
    return lines


def create_pack(
    profile: CaseProfile,
    *,
    pack_id: str | None = None,
    title: BiText | None = None,
    question: BiText | None = None,
    max_actions: int = DEFAULT_MAX_ACTIONS,
    distractors: int = DEFAULT_DISTRACTORS,
    created: dt.date | None = None,
) -> ExercisePack:
    """Build a pack from a case: the engine's top ``max_actions`` plus ``distractors`` actions
    it did not recommend, listed by actor then id (so the list order gives nothing away)."""
    bad = [
        FieldProblem(
            name, f"must be at least {least}, not {value}", f"须不小于 {least}（现为 {value}）"
        )
        for name, value, least in (("max_actions", max_actions, 1), ("distractors", distractors, 0))
        if isinstance(value, bool) or not isinstance(value, int) or value < least
    ]
    if pack_id is not None and not re.fullmatch(r"[a-z0-9_-]{1,64}", pack_id):
        bad.insert(
            0,
            FieldProblem(
                "id",
                f"{excerpt(pack_id)} is not a pack id: use 1-64 characters of a-z, 0-9, - and _",
                f"{excerpt(pack_id)} 不是有效的演练编号：须为 1–64 个字符（a-z、0-9、- 和 _）",
            ),
        )
    if bad:
        raise PackError(bad)
    a = assess_cached(profile)
    chosen = sorted(a.actions, key=lambda x: x.rank)[:max_actions]
    pack_actions = [PackAction(id=x.id, actor=x.actor, label=x.label) for x in chosen]
    others = sorted(a.not_recommended, key=lambda n: n.id)[:distractors]
    pack_actions += [PackAction(id=n.id, actor=n.actor, label=n.label) for n in others]
    actor_order = ("government", "third_party", "volunteers", "residents")
    pack_actions.sort(key=lambda x: (actor_order.index(x.actor), x.id))
    name = profile.name
    try:
        return _build_pack(
            pack_id, profile, name, title, question, created, pack_actions, chosen, a
        )
    except ValidationError as exc:
        raise PackError(problems_from_validation(exc)) from None


def _build_pack(
    pack_id: str | None,
    profile: CaseProfile,
    name: str,
    title: BiText | None,
    question: BiText | None,
    created: dt.date | None,
    pack_actions: list[PackAction],
    chosen: list[Any],
    a: Any,
) -> ExercisePack:
    return ExercisePack(
        id=pack_id or _slug(f"exercise-{profile.id}"),
        title=title or bitext("exercise.title_default", name=name),
        created=created or dt.date.today(),
        scenario_intro=bitext("exercise.scenario_intro", name=name),
        scenario=scenario_lines(profile),
        question=question or bitext("exercise.question_default"),
        actions=pack_actions,
        key=AnswerKey(
            ranks={x.id: i + 1 for i, x in enumerate(chosen)},
            priorities={x.id: x.priority for x in chosen},
            engine_version=a.engine_version,
            knowledge_base_version=a.knowledge_base_version,
        ),
        profile=profile,
    )


def pack_to_text(pack: ExercisePack, fmt: Literal["json", "yaml"] = "json") -> str:
    """Serialise a pack (JSON or YAML)."""
    data = pack.model_dump(mode="json")
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def save_pack(pack: ExercisePack, path: str | Path, inputs: tuple[str | None, ...] = ()) -> Path:
    """Write a pack to ``path``; ``.yaml``/``.yml`` gives YAML, anything else JSON.

    Whole or not at all, never through a link or over one of ``inputs`` (``advisor.safefile``).
    """
    p = Path(path)
    fmt: Literal["json", "yaml"] = "yaml" if p.suffix.lower() in (".yaml", ".yml") else "json"
    write_atomic(p, pack_to_text(pack, fmt), identities(i for i in inputs if i and i != "-"))
    return p


def pack_from_data(data: Any, source: str | None = None) -> ExercisePack:
    """Validate plain data as a pack; raise PackError naming every field at fault."""
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise PackError(
            [FieldProblem("", f"expected a mapping (a JSON object), got {kind}")], source
        )
    if data.get("format") != PACK_FORMAT:
        raise PackError(
            [
                FieldProblem(
                    "format",
                    f"expected {PACK_FORMAT!r}; this file is not an exercise pack"
                    + (" (it looks like a case profile)" if "funding" in data else ""),
                )
            ],
            source,
        )
    try:
        # strict, as for profiles (advisor.io.profile_from_data): true is not 1, "yes" not true
        text = json.dumps(data, allow_nan=True)
        return ExercisePack.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise PackError(problems_from_validation(exc), source) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise PackError([FieldProblem("", excerpt(exc, 200, quote=False))], source) from None


def pack_from_text(raw: bytes | str, source: str = "pack") -> ExercisePack:
    """Parse and validate a pack from JSON or YAML text."""
    raw_b = raw.encode("utf-8") if isinstance(raw, str) else raw
    try:
        data = parse_document(raw_b, source)
    except ProfileError as exc:
        raise PackError(exc.problems, source) from None
    return pack_from_data(data, source)


def load_pack(path: str | Path) -> ExercisePack:
    """Read a pack file; raise PackError (missing file, malformed text, invalid fields)."""
    p = Path(path)
    if p.is_dir():
        raise PackError([FieldProblem("", "this is a folder, not a pack file")], str(p))
    try:  # a regular file, bounded (a FIFO would block for ever)
        raw = read_bounded(p, MAX_BYTES)
    except UnsafePathError as exc:
        raise PackError([FieldProblem("", exc.en, exc.zh)], str(p)) from None
    except OSError as exc:
        raise PackError([FieldProblem("", os_error_text(exc))], str(p)) from None
    return pack_from_text(raw, str(p))


# --------------------------------------------------------------------------- scoring


class Miss(_Strict):
    """A disagreement that matters, with both ranks."""

    kind: Literal["engine_top_ranked_low", "not_recommended_ranked_top"]
    action: str
    label: BiText
    engine_rank: int | None
    participant_rank: int
    explanation: BiText


class Score(_Strict):
    """A participant's ranking against the engine's."""

    pack_id: str
    ranking: list[str]
    spearman: float | None  # None when fewer than two recommended actions
    kendall_tau: float | None
    compared: int  # recommended actions compared
    misses: list[Miss]
    summary: BiText


def check_ranking(pack: ExercisePack, ranking: list[str]) -> list[str]:
    """Return the ranking cleaned of blanks; raise RankingError for unknown, repeated or
    missing actions."""
    clean = [r.strip() for r in ranking if r and r.strip()]
    ids = [a.id for a in pack.actions]
    problems: list[FieldProblem] = []
    unknown = [r for r in clean if r not in ids]
    if unknown:
        problems.append(FieldProblem("ranking", f"not in this pack: {', '.join(unknown)}"))
    dupes = sorted({r for r in clean if clean.count(r) > 1})
    if dupes:
        problems.append(FieldProblem("ranking", f"listed more than once: {', '.join(dupes)}"))
    missing = [i for i in ids if i not in clean]
    if missing:
        problems.append(FieldProblem("ranking", f"not ranked: {', '.join(missing)}"))
    if problems:
        raise RankingError(problems)
    return clean


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho of two rankings without ties (1 - 6 sum d^2 / n(n^2-1))."""
    n = len(xs)
    if n < 2:
        return None
    d2 = sum((x - y) ** 2 for x, y in zip(xs, ys, strict=True))
    return round(1 - 6 * d2 / (n * (n * n - 1)), 6)


def kendall_tau(xs: list[float], ys: list[float]) -> float | None:
    """Kendall's tau of two rankings without ties ((concordant - discordant) / pairs)."""
    n = len(xs)
    if n < 2:
        return None
    s = 0
    for i in range(n):
        for j in range(i + 1, n):
            a = (xs[i] - xs[j]) * (ys[i] - ys[j])
            s += (a > 0) - (a < 0)
    return round(s / (n * (n - 1) / 2), 6)


def score(pack: ExercisePack, ranking: list[str]) -> Score:
    """Score a ranking (action ids, first = would do first) against the pack's key.

    Raises RankingError when the ranking does not list each of the pack's actions once.
    """
    ranking = check_ranking(pack, ranking)
    position = {aid: i + 1 for i, aid in enumerate(ranking)}
    rec = pack.recommended()
    engine = [float(pack.key.ranks[a]) for a in rec]
    # the participant's order of the recommended actions relative to each other
    rel = {a: i + 1 for i, a in enumerate(sorted(rec, key=lambda a: position[a]))}
    mine = [float(rel[a]) for a in rec]
    rho, tau = spearman(engine, mine), kendall_tau(engine, mine)
    misses: list[Miss] = []
    half = len(ranking) / 2
    for a in rec[: pack.scoring.engine_top]:
        if position[a] > half:
            misses.append(
                Miss(
                    kind="engine_top_ranked_low",
                    action=a,
                    label=pack.action(a).label,
                    engine_rank=pack.key.ranks[a],
                    participant_rank=position[a],
                    explanation=bitext(
                        "exercise.miss_low", engine=pack.key.ranks[a], mine=position[a]
                    ),
                )
            )
    for a in ranking[: pack.scoring.participant_top]:
        if a not in pack.key.ranks:
            misses.append(
                Miss(
                    kind="not_recommended_ranked_top",
                    action=a,
                    label=pack.action(a).label,
                    engine_rank=None,
                    participant_rank=position[a],
                    explanation=bitext("exercise.miss_top", mine=position[a]),
                )
            )
    shown = "–" if rho is None else f"{rho:+.2f}"
    return Score(
        pack_id=pack.id,
        ranking=ranking,
        spearman=rho,
        kendall_tau=tau,
        compared=len(rec),
        misses=misses,
        summary=bitext("exercise.summary", rho=shown, n=len(rec), misses=len(misses)),
    )


# --------------------------------------------------------------------------- debrief


class DebriefStep(_Strict):
    """One rule that fired for an action or diagnosis, with the facts it matched."""

    rule: str
    matched: dict[str, Any]
    sources: list[SourceRef] = []


class DebriefAction(_Strict):
    """The engine's reasoning for one pack action (or why it was not recommended)."""

    id: str
    label: BiText
    actor: Actor
    engine_rank: int | None
    participant_rank: int | None
    priority: float | None
    breakdown: list[dict[str, Any]] = []
    addresses: list[str] = []
    rationale: BiText | None = None
    why_not: BiText | None = None
    trace: list[DebriefStep] = []
    sources: list[SourceRef] = []


class DebriefDiagnosis(_Strict):
    id: str
    label: BiText
    severity: float
    because: list[BiText]
    trace: list[DebriefStep]
    sources: list[SourceRef]


class Debrief(_Strict):
    """The walk through the engine's reasoning, in the engine's order."""

    pack_id: str
    asymmetry_level: str
    asymmetry_index: float
    diagnoses: list[DebriefDiagnosis]
    actions: list[DebriefAction]
    warnings: list[BiText]


def _steps(trace: list[Any], rules: list[str], sources: list[SourceRef]) -> list[DebriefStep]:
    if trace:
        return [DebriefStep(rule=s.rule, matched=dict(s.matched), sources=s.sources) for s in trace]
    return [DebriefStep(rule=r, matched={}, sources=sources) for r in rules]


def debrief(pack: ExercisePack, result: Score | None = None) -> Debrief:
    """Re-assess the pack's case and walk through the reasoning behind each action.

    Warns when the current engine ranks the pack's actions differently from the key (the
    knowledge base changed since the pack was made).
    """
    a: Assessment = assess_cached(pack.profile)
    position = {aid: i + 1 for i, aid in enumerate(result.ranking)} if result else {}
    by_id = {x.id: x for x in a.actions}
    why_not = {n.id: n for n in a.not_recommended}
    warnings: list[BiText] = []
    now = [x.id for x in sorted(a.actions, key=lambda x: x.rank) if x.id in pack.key.ranks]
    if now != pack.recommended():
        warnings.append(
            bitext(
                "exercise.key_changed",
                then=pack.key.knowledge_base_version,
                now=a.knowledge_base_version,
            )
        )
    actions: list[DebriefAction] = []
    order = pack.recommended() + pack.not_recommended()
    for aid in order:
        pa = pack.action(aid)
        x = by_id.get(aid)
        n = why_not.get(aid)
        actions.append(
            DebriefAction(
                id=aid,
                label=pa.label,
                actor=pa.actor,
                engine_rank=pack.key.ranks.get(aid),
                participant_rank=position.get(aid),
                priority=x.priority if x else None,
                breakdown=[
                    {"factor": f.factor, "value": f.value, "label": f.label}
                    for f in (x.priority_breakdown if x else [])
                ],
                addresses=list(x.addresses) if x else [],
                rationale=x.rationale if x else None,
                why_not=n.reason if n else None,
                trace=_steps(x.trace, x.rules, x.sources) if x else [],
                sources=x.sources if x else [],
            )
        )
    diagnoses = [
        DebriefDiagnosis(
            id=d.id,
            label=d.label,
            severity=d.severity,
            because=d.because_text or [BiText(zh=b, en=b) for b in d.because],
            trace=_steps(d.trace, d.rules, d.sources),
            sources=d.sources,
        )
        for d in a.diagnoses
    ]
    return Debrief(
        pack_id=pack.id,
        asymmetry_level=a.asymmetry.level,
        asymmetry_index=a.asymmetry.index,
        diagnoses=diagnoses,
        actions=actions,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- rendering


def render_handout(pack: ExercisePack, fmt: Literal["md", "html"], lang: str) -> str:
    """The printable handout (scenario card, question, blank ranking sheet); no answers."""
    from advisor.report import environment

    env = environment(fmt)
    template = env.get_template(f"exercise_handout.{fmt}.j2")
    return template.render(
        pack=pack,
        lang=lang,
        tr=lambda key, **kw: tr(key, lang, **kw),
        actor=lambda key: vocab("actor", key, lang),
    )


def render_debrief_md(pack: ExercisePack, result: Score | None, lang: str) -> str:
    """The score and the debrief as Markdown (for the command line), from the template
    ``templates/exercise_debrief.md.j2``."""
    from advisor.report import md_escape

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
        autoescape=False,  # Markdown: text is escaped by the md filter where it is the user's
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["facts"] = lambda matched: md_escape(
        ", ".join(f"{k}={v}" for k, v in matched.items())
    )
    text = env.get_template("exercise_debrief.md.j2").render(
        pack=pack,
        result=result,
        d=debrief(pack, result),
        lang=lang,
        tr=lambda key, **kw: tr(key, lang, **kw),
    )
    return text.removesuffix("\n")  # every block ends with a blank line but the last
