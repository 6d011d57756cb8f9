"""The shape of the knowledge base: the paper's findings as strict, bilingual, sourced items.

Every item carries its passage (``source``: section, verbatim Chinese quote, our English
translation, interview code) and its evidence label (``provenance``): stated by the paper, taken
from other literature (with a citation), or our own operationalisation (with the reasoning).
Unknown keys are errors, so a misplaced key cannot silently drop a citation.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.models import Actor, Dimension, Stage

ItemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]*$", min_length=2, max_length=80)]

KINDS = (
    "concept",  # theory: resource dependence, asymmetric dependence, co-production ...
    "development_mode",  # Deng Guosheng's three modes
    "dimension",  # legitimacy, funding, human resources, knowledge
    "reverse_dependence",  # the government's dependence on the force
    "diagnosis",
    "advantage",  # the third party's advantages
    "limit",  # the third party's limits
    "action",  # the action framework of section 6
    "case",  # the two cases of section 4.2
    "quote",  # the five interview quotes
    "parameter",  # our thresholds, weights and scales
)
Kind = Literal[
    "concept",
    "development_mode",
    "dimension",
    "reverse_dependence",
    "diagnosis",
    "advantage",
    "limit",
    "action",
    "case",
    "quote",
    "parameter",
]


# Model-level validators name the field they are about by starting the message with
# "<field>: " (pydantic gives them no location); the loader moves it into the field path.


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(Strict):
    """Bilingual text: both languages are required and must not be blank."""

    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _not_blank(self) -> Text:
        for lang in ("zh", "en"):
            if not getattr(self, lang).strip():
                raise ValueError(f"{lang}: the {lang} text is blank")
        return self

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Source(Strict):
    """A passage of the paper. ``quote_zh`` must be verbatim (whitespace removed on both sides)."""

    section: Annotated[str, Field(pattern=r"^(abstract|[1-6](\.[1-3])?)$")]
    quote_zh: Annotated[str, Field(min_length=4)]
    quote_en: Annotated[str, Field(min_length=4)]
    interview_code: Annotated[str, Field(pattern=r"^\d{11,12}$")] | None = None


class Provenance(Strict):
    """Where the item's claim comes from. Literature needs a citation, our own scales a reason."""

    kind: Literal["paper", "literature", "operationalisation"]
    citation: str | None = None
    reasoning: Text | None = None

    @model_validator(mode="after")
    def _complete(self) -> Provenance:
        if self.kind == "literature" and not self.citation:
            raise ValueError("citation: provenance 'literature' needs a citation")
        if self.kind == "operationalisation" and self.reasoning is None:
            raise ValueError("reasoning: provenance 'operationalisation' needs its reasoning")
        return self


class PlausibleRange(Strict):
    """How far a parameter could plausibly move (see ``knowledge_base/ranges.py``): the
    reasoning, and a mirror of the value with ``[low, high]`` for every number that may move."""

    reasoning: Text
    values: Any = {}


class Item(Strict):
    """One knowledge item. Kind-specific fields are optional here and checked by the validator."""

    id: ItemId
    kind: Kind
    label: Text
    summary: Text
    source: Annotated[list[Source], Field(min_length=1)]
    provenance: Provenance
    links: list[ItemId] = []

    # diagnosis: how it is recognised in a case profile (prose; the rule is in rules/)
    recognition: Text | None = None
    # action: who does it, when, at which co-production stage, on which dimensions
    actor: Actor | None = None
    phase: Literal[1, 2, 3] | None = None
    stage: Stage | None = None
    dimensions: list[Dimension] = []
    addresses: list[ItemId] = []  # diagnosis ids
    conflicts_with: list[ItemId] = []  # action ids that must never be recommended together
    # parameter: its value (a number, or a mapping of numbers/strings), with its scale
    value: Any = None
    scale: Text | None = None
    # case: structured facts; quote: who said it
    facts: list[Text] = []
    speaker: Text | None = None
    # parameter: how far it could plausibly move, with the reasoning (knowledge_base/ranges.py)
    plausible_range: PlausibleRange | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Item:
        if self.kind == "action":
            missing = [f for f in ("actor", "phase", "stage") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"{missing[0]}: an action needs {', '.join(missing)}")
        if self.kind == "parameter":
            if self.value is None:
                raise ValueError("value: a parameter needs a value")
            if self.provenance.kind != "operationalisation":
                raise ValueError(
                    "provenance.kind: a parameter is our operationalisation; label it so"
                )
        if self.kind == "diagnosis" and self.recognition is None:
            raise ValueError(
                "recognition: a diagnosis needs 'recognition' (how it shows in a case profile)"
            )
        if self.kind == "quote" and not any(s.interview_code for s in self.source):
            raise ValueError("source: an interview quote needs its interview_code")
        return self


class NotEncoded(Strict):
    """A paragraph of the paper deliberately not encoded, with the reason (Catala style)."""

    paragraph: str  # paragraph id, e.g. "5.1-p3"
    reason: Text


_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_.\[\]]*): (.+)$", re.S)


def error_list(exc: ValidationError) -> list[tuple[str, str]]:
    """Pydantic's errors as (dotted field path, plain message) pairs.

    A model-level validator names its field by starting the message with ``"<field>: "``.
    """
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        elif err.get("type") == "missing":
            msg = "missing"
        elif err.get("type") == "too_short":
            msg = "empty; at least one entry is needed"
        elif err.get("type") == "value_error":
            m = _FIELD_PREFIX.match(msg)
            if m:
                loc = f"{loc}.{m.group(1)}" if loc else m.group(1)
                msg = m.group(2)
        out.append((loc, msg))
    return out
