"""The published data formats: the case profile (input) and the assessment (output).

Field names follow ``CONTRACT.md`` (schema_version 1) and are a public interface: add optional
fields freely, never rename or remove one. Every model forbids unknown keys, so a misspelt field is
reported rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

SCHEMA_VERSION: Literal[1] = 1
SHARE_TOLERANCE = 0.01

Share = Annotated[float, Field(ge=0.0, le=1.0, description="a fraction from 0 to 1")]
Level4 = Annotated[int, Field(ge=0, le=4)]
Level3 = Annotated[int, Field(ge=0, le=3)]

ForceType = Literal[
    "government_cultivated", "social_org_cultivated", "grassroots", "registered_org"
]
DevelopmentMode = Literal["top_down", "bottom_up_top_down", "bottom_up"]
Dimension = Literal["legitimacy", "funding", "human_resources", "knowledge"]
DIMENSIONS: tuple[str, ...] = ("legitimacy", "funding", "human_resources", "knowledge")
Actor = Literal["government", "third_party", "volunteers", "residents"]
ACTORS: tuple[str, ...] = ("government", "third_party", "volunteers", "residents")
Stage = Literal["foundation", "co_planning", "co_design", "co_delivery", "co_evaluation"]
STAGES: tuple[str, ...] = ("foundation", "co_planning", "co_design", "co_delivery", "co_evaluation")
AsymmetryLevel = Literal["balanced", "moderate", "high", "severe"]
# Who depends more (added in 0.2; optional so older assessments stay valid).
AsymmetryDirection = Literal["force_depends_more", "government_depends_more", "balanced"]
ASYMMETRY_LEVELS: tuple[str, ...] = ("balanced", "moderate", "high", "severe")
Provenance = Literal["paper", "literature", "operationalisation"]
#: The profile's optional basis map: metadata about the fields, not a field of the form or CSV.
BASIS_FIELD = "basis"


class Strict(BaseModel):
    """Base for every contract model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=False)


def _check_shares(values: dict[str, float], what: str) -> None:
    total = sum(values.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise PydanticCustomError(
            "shares_sum",
            "{what} shares sum to {total}, expected 1",
            {"what": what, "total": f"{total:.2f}"},
        )


# --------------------------------------------------------------------------- case profile


class Frozen(Strict):
    """A leaf of an assessment shared between assessments (cached): read-only, so a caller that
    changes one cannot change another assessment (use ``model_copy(update=...)`` instead)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BiText(Frozen):
    """A text in both languages; never concatenated across languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Legitimacy(Strict):
    status: Literal["none", "via_government", "via_social_org", "independent"]


class Funding(Strict):
    government_direct: Share
    government_via_third_party: Share
    third_party_own: Share
    charity: Share
    residents: Share
    self_generated: Share

    @model_validator(mode="after")
    def _sum_to_one(self) -> Funding:
        _check_shares(self.model_dump(), "funding")
        return self


class RecruitedBy(Strict):
    government: Share
    third_party: Share
    self: Share

    @model_validator(mode="after")
    def _sum_to_one(self) -> RecruitedBy:
        _check_shares(self.model_dump(), "recruitment")
        return self


class HumanResources(Strict):
    volunteers: Annotated[int, Field(ge=0)]
    core_volunteers: Annotated[int, Field(ge=0)]
    recruited_by: RecruitedBy
    leadership: Literal["cadre", "social_worker", "residents"]
    resident_awareness: Level4

    @field_validator("core_volunteers")
    @classmethod
    def _core_within_volunteers(cls, v: int, info: ValidationInfo) -> int:
        total = info.data.get("volunteers")
        if total is not None and v > total:
            raise PydanticCustomError(
                "core_above_volunteers",
                "{core} core volunteers is more than the {total} volunteers",
                {"core": v, "total": total},
            )
        return v


class Knowledge(Strict):
    training_provider: Literal["none", "government", "third_party", "own", "mixed"]
    training_sessions_per_year: Annotated[int, Field(ge=0, le=10_000)]
    self_sufficiency: Level3


class Government(Strict):
    reliance_on_force: Level4
    control: Level4
    role: Literal["director", "sponsor", "enabler"]
    acceptance_mechanism: bool
    purchases_services: bool
    party_leadership: Level4


class Agenda(Strict):
    set_by: Literal["government", "mixed", "volunteers", "third_party"]
    pattern: Literal["regular", "holiday_campaign", "fragmented"]


class Management(Strict):
    decision_participation: Level3
    incentives: Literal["none", "informal", "formal"]
    records: bool


class ThirdParty(Strict):
    kind: Literal["social_work_agency", "volunteer_org", "foundation", "other"]
    capacity: Level4
    role: Literal["contractor", "facilitator", "incubator"]
    autonomy: Level4
    # Optional (added in 0.2, schema version 1 stays readable): who founded the third party, how
    # much of its own income is government purchase, and whether that purchase is strictly assessed.
    origin: Literal["independent", "community_founded", "government_founded"] | None = None
    government_purchase_share: Share | None = None
    strict_assessment: bool | None = None


class Community(Strict):
    """The community around the force (optional): resources and channels the paper's cases name."""

    non_government_resources: Level4 | None = None
    resident_associations: Annotated[int, Field(ge=0, le=1000)] | None = None
    staff_overloaded: bool | None = None


class Coproduction(Strict):
    planning: Level4
    design: Level4
    delivery: Level4
    evaluation: Level4


BasisValue = str | bool | int | float | None


class FieldBasis(Strict):
    """What one profile value rests on: a fact (with its passage) or an assumption (with reasons).

    Optional and added in 0.2 (schema version 1 stays readable). A ``fact`` gives a verbatim
    quote: with ``section`` it is a passage of the paper (section ``1``..``6`` or ``abstract``);
    without, ``source`` names where it comes from (a survey, a meeting record). An ``assumption``
    gives its ``reasoning``. When ``value_recorded`` is true the basis applies only while the
    field still holds ``value``: a value changed later (by hand, or by a what-if lever) is shown
    as entered by the user, not as the paper's fact.
    """

    kind: Literal["fact", "assumption"]
    section: Annotated[str, Field(max_length=20)] | None = None
    quote_zh: Annotated[str, Field(max_length=2000)] | None = None
    quote_en: Annotated[str, Field(max_length=2000)] | None = None
    interview_code: Annotated[str, Field(max_length=40)] | None = None
    source: Annotated[str, Field(max_length=500)] | None = None
    reasoning: BiText | None = None
    value: BasisValue = None
    value_recorded: bool = False

    @model_validator(mode="after")
    def _complete(self) -> FieldBasis:
        if self.kind == "fact" and not (self.quote_zh or self.quote_en):
            raise PydanticCustomError("basis_fact", "a fact needs its quote (quote_zh or quote_en)")
        if self.kind == "assumption" and self.reasoning is None:
            raise PydanticCustomError("basis_assumption", "an assumption needs its reasoning")
        return self


class CaseProfile(Strict):
    """One community volunteer force at one moment: the input of every assessment."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,64}$", description="stable identifier")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    region: Annotated[str, Field(max_length=200)] | None = None
    as_of: dt.date | None = None
    force_type: ForceType
    development_mode: DevelopmentMode | None = None
    legitimacy: Legitimacy
    funding: Funding
    human_resources: HumanResources
    knowledge: Knowledge
    government: Government
    agenda: Agenda
    management: Management
    third_party: ThirdParty | None = None
    community: Community | None = None
    coproduction: Coproduction
    linkage: Literal["none", "three_social", "five_social"]
    # Optional (0.2): per field path (``government.control``, or a group such as ``third_party``),
    # what the value rests on. Not a field of the form or of the CSV (see BASIS_FIELD), and left
    # out of model_dump() (so code that flattens or rebuilds profiles from their values is not
    # disturbed); advisor.io.profile_to_json/yaml write it, advisor.basis reads it.
    basis: dict[Annotated[str, Field(max_length=200)], FieldBasis] | None = Field(
        default=None, exclude=True
    )

    @field_validator("schema_version", mode="before")
    @classmethod
    def _schema_version_is_an_integer(cls, v: object) -> object:
        # Literal[1] alone would take true and 1.0 (both equal 1): refuse them by name.
        if isinstance(v, bool | float):
            raise PydanticCustomError(
                "schema_version_type", "must be the whole number 1, not {value}", {"value": repr(v)}
            )
        return v

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise PydanticCustomError("blank_name", "the name is blank")
        return v


# --------------------------------------------------------------------------- assessment


class SourceRef(Frozen):
    """A passage of the paper: section, the verbatim Chinese quote, our English translation."""

    section: str
    quote_zh: str
    quote_en: str
    interview_code: str | None = None


class DimensionScores(Strict):
    legitimacy: Annotated[float, Field(ge=0, le=1)]
    funding: Annotated[float, Field(ge=0, le=1)]
    human_resources: Annotated[float, Field(ge=0, le=1)]
    knowledge: Annotated[float, Field(ge=0, le=1)]


class Asymmetry(Strict):
    force_on_government: Annotated[float, Field(ge=0, le=1)]
    government_on_force: Annotated[float, Field(ge=0, le=1)]
    index: Annotated[float, Field(ge=-1, le=1)]
    level: AsymmetryLevel
    # Added in 0.2 (optional: older JSON stays valid). ``direction`` says who depends more (the
    # sign of ``index`` outside the "balanced" band); ``alternatives`` is the force's share of
    # resources from outside government (0..1), which moderates how far government's need of the
    # force offsets the force's dependence (parameter asymmetry.alternatives).
    direction: AsymmetryDirection | None = None
    alternatives: Annotated[float, Field(ge=0, le=1)] | None = None


class CoproductionResult(Strict):
    score: Annotated[int, Field(ge=0, le=16)]
    stage: str


class DevelopmentModeResult(Strict):
    value: DevelopmentMode
    inferred: bool


class TraceStep(Strict):
    """One rule that fired: its id, the facts it matched, and the passages it rests on."""

    rule: str
    matched: dict[str, str | int | float | bool | None]
    sources: list[SourceRef] = []


class Diagnosis(Strict):
    id: str
    label: BiText
    severity: Annotated[float, Field(ge=0, le=1)]
    because: list[str]
    because_text: list[BiText] = []
    rules: list[str]
    sources: list[SourceRef]
    trace: list[TraceStep] = []
    # Optional (0.2), filled only when the profile carries a basis: the profile fields this
    # conclusion rests on (through its rules' trace) whose basis is an assumption, and whether
    # every input it rests on is assumed.
    assumed_inputs: list[str] = []
    only_assumed_inputs: bool = False


class PriorityFactor(Frozen):
    factor: str
    value: float
    label: BiText | None = None


class Action(Strict):
    id: str
    rank: Annotated[int, Field(ge=1)]
    priority: Annotated[float, Field(ge=0, le=100)]
    actor: Actor
    phase: Literal[1, 2, 3]
    stage: Stage
    addresses: list[str]
    dimensions: list[Dimension]
    label: BiText
    rationale: BiText
    priority_breakdown: list[PriorityFactor]
    rules: list[str]
    sources: list[SourceRef]
    provenance: Provenance
    trace: list[TraceStep] = []
    assumed_inputs: list[str] = []
    only_assumed_inputs: bool = False


class NotRecommended(Strict):
    """'Why not': a framework action this case did not get, and the condition that failed."""

    id: str
    label: BiText
    actor: Actor
    reason: BiText
    rules: list[str] = []
    #: the guard rules that overruled this action's rules (ids; the reason names them in words)
    overruled_by: list[str] = []


class AssessmentWarning(Strict):
    code: str
    message: BiText


RobustnessLabel = Literal["robust", "fairly_robust", "fragile"]


class SensitiveTo(Strict):
    """An input or parameter a conclusion moves with across the sampled worlds."""

    source: str  # "parameter:<id>[:<key>]" or "input:<dotted field>"
    kind: Literal["parameter", "input"]
    label: BiText
    # correlation across the worlds between the source's sampled value and the conclusion
    # holding: +1 higher values make it hold, -1 lower values do
    strength: Annotated[float, Field(ge=-1, le=1)]
    low: float | None = None  # the plausible range sampled
    high: float | None = None
    value: float | None = None  # our value (parameters) or the profile's (inputs)


class ConclusionRobustness(Strict):
    """How often one diagnosis or action of the point estimate holds across plausible worlds."""

    id: str
    kind: Literal["diagnosis", "action"]
    in_point_estimate: bool  # concluded (diagnoses) / recommended (actions) by the engine
    undecided: bool = False  # listed under "could not be decided" (an uncertain profile)
    # share of worlds agreeing with the point estimate: holding where it holds (for an action
    # ranked within top_n: staying within top_n), not holding where it does not
    robustness: Annotated[float, Field(ge=0, le=1)]
    label: RobustnessLabel
    holds_share: Annotated[float, Field(ge=0, le=1)]  # share of worlds in which it holds
    top_share: Annotated[float, Field(ge=0, le=1)] | None = None  # actions: within top_n
    sensitive_to: list[SensitiveTo] = []


class Robustness(Strict):
    """How robust each conclusion is to our parameter choices (and, later, to what the profile
    leaves unknown): an optional part of the assessment (``advisor robustness``)."""

    worlds: Annotated[int, Field(ge=1)]
    seed: int
    top_n: Annotated[int, Field(ge=1)]
    cutoffs: dict[str, float]  # robust, fairly_robust
    parameters_varied: list[str] = []  # "<id>:<key>" of every number sampled
    inputs_varied: list[str] = []  # dotted profile fields sampled
    diagnoses: list[ConclusionRobustness] = []
    actions: list[ConclusionRobustness] = []
    first_action_share: Annotated[float, Field(ge=0, le=1)] | None = None  # stays first
    top_fragile: bool = False
    summary: BiText | None = None


class Undecided(Strict):
    """A conclusion that holds in some worlds of an uncertain profile but not in all."""

    id: str
    kind: Literal["diagnosis", "action"]
    label: BiText
    needs: list[str] = []  # the unknown or ranged input fields it depends on


class AskNext(Strict):
    """An unknown or ranged input, ranked by how much knowing it would change the assessment."""

    field: str
    label: BiText
    score: float  # resolved + top_change
    resolves: float  # expected number of undecided conclusions decided by knowing it
    top_change: float  # expected share of the first three actions that would change


class Assessment(Strict):
    """The output of one assessment; serialised as the contract's JSON."""

    schema_version: Literal[1] = SCHEMA_VERSION
    profile_id: str
    profile_name: str | None = None
    engine_version: str
    knowledge_base_version: str
    development_mode: DevelopmentModeResult | None = None
    dependence: DimensionScores
    third_party_dependence: DimensionScores
    asymmetry: Asymmetry
    coproduction: CoproductionResult
    diagnoses: list[Diagnosis]
    actions: list[Action]
    not_recommended: list[NotRecommended] = []
    warnings: list[AssessmentWarning] = []
    robustness: Robustness | None = None
    # Profiles with unknowns or ranges (schema version 2): the input fields that were
    # uncertain, the conclusions that hold in some worlds only, and the questions worth asking.
    uncertain_inputs: list[str] = []
    undecided: list[Undecided] = []
    ask_next: list[AskNext] = []
    # Optional (0.2): the basis of each profile field that has one and still holds its value.
    basis: dict[str, FieldBasis] = {}
