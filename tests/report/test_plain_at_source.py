"""The engine's sentences are in plain words where they are made, so no renderer passes them
through ``vocabulary.plain`` again.

``advisor.explain`` writes a diagnosis's ``because_text`` and a not-recommended action's
``reason`` without parameter or rule ids; the warnings and the actions' rationales come from the
catalogue and the knowledge base in words. The Markdown, HTML and Word renderers print them as
they are; this pins what makes that safe: ``plain`` of each of them is the text itself, for the
paper's two cases, a generated district and a profile with unknowns and ranges.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from advisor.io import profile_from_data
from advisor.models import Assessment, BiText
from advisor.pipeline import assess, preset
from advisor.synth import generate_data
from advisor.vocabulary import plain


def _assessments() -> Iterator[Assessment]:
    for name in ("case-h", "case-y"):
        yield assess(preset(name, with_basis=True))
    for data in generate_data(120, seed=14):
        yield assess(profile_from_data(data))
    from advisor.uncertain import read_profile, to_v2
    from advisor.uncertain_assess import assess_profile

    doc = to_v2(json.loads(preset("case-y").model_dump_json()))
    doc["management"]["incentives"] = None  # 不清楚
    doc["funding"]["charity"] = {"low": 0.0, "high": 0.2}
    yield assess_profile(read_profile(doc))


def _texts(a: Assessment) -> Iterator[tuple[str, BiText]]:
    for d in a.diagnoses:
        for b in d.because_text:
            yield f"diagnosis {d.id}", b
    for n in a.not_recommended:
        yield f"not recommended {n.id}", n.reason
    for w in a.warnings:
        yield f"warning {w.code}", w.message
    for x in a.actions:
        yield f"action {x.id}", x.rationale


def test_the_engines_sentences_are_plain_where_they_are_made() -> None:
    """plain() changes none of because_text, reason, warnings or rationale (both languages)."""
    seen = 0
    for a in _assessments():
        for where, text in _texts(a):
            for lang in ("zh", "en"):
                assert plain(text.get(lang), lang) == text.get(lang), (a.profile_id, where, lang)
                seen += 1
    assert seen > 1000  # the sample reaches many sentences of each kind
