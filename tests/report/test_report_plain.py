"""Reports meant for officials speak in sentences (issue 13): no rule id, parameter id, field
path or Python value in the body; the technical trace stays in the technical appendix."""

from __future__ import annotations

import re

import pytest

from advisor.pipeline import assess, preset
from advisor.report import render
from advisor.vocabulary import plain, technical_refs
from knowledge_base.fields import load_fields

RULE_ID = re.compile(r"\b(?:dx|act|guard)_[a-z0-9_]+")
PARAM_ID = re.compile(r"\b(?:thresholds|asymmetry|priority|dependence|cost|lever)\.[a-z0-9_.]+")
# "0 (None)" is a level's label, not a Python value
PYTHON = re.compile(r"= (?:True|False|None)\b|\bTrue\b|\bFalse\b|[:=] None\b")
APPENDIX = {"zh": "七、技术附录", "en": "7. Technical appendix"}


@pytest.fixture(scope="module", params=["case-h", "case-y"])
def case(request: pytest.FixtureRequest) -> tuple:
    p = preset(request.param, with_basis=True)
    return p, assess(p)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_body_has_no_ids_paths_or_python_values(case: tuple, fmt: str, lang: str) -> None:
    p, a = case
    text = render(a, p, fmt, lang)
    body, appendix = text.split(APPENDIX[lang])
    body = body.replace(p.id, "")  # the case's own id is the user's, shown in the header
    assert RULE_ID.findall(body) == []
    assert PARAM_ID.findall(body) == []
    assert PYTHON.findall(body) == []
    paths = [
        f for f in load_fields() if "." in f and re.search(rf"(?<![\w.]){re.escape(f)}\b", body)
    ]
    assert paths == []
    # ... and the appendix keeps the trace: every rule of every conclusion, with its parameters
    for d in a.diagnoses:
        assert all(r in appendix for r in d.rules)
    for n in a.not_recommended:
        assert all(r in appendix for r in n.rules)


def test_a_threshold_reads_as_ours_with_its_value_and_scale() -> None:
    zh = (
        "志愿者参与项目决策：1（不高于 1，本工具设定的阈值 "
        "thresholds.volunteers_as_tools:decision_participation_max）"
    )
    assert plain(zh, "zh") == "志愿者参与项目决策：1（不高于本工具设定的上限 1；取值 0–3）"
    en = (
        "Training sessions a year: 2 (below 6; a threshold set by this tool, "
        "thresholds.weak_professionalism:sessions_min)"
    )
    assert plain(en, "en") == "Training sessions a year: 2 (below this tool's threshold of 6)"
    failed = (
        "共同提供为 3，需不高于 1，本工具设定的阈值 "
        "thresholds.actions:coproduction_step_low（act_gov_co_delivery）。"
    )
    assert plain(failed, "zh") == "共同提供为 3，需不高于本工具设定的上限 1；取值 0–4。"
    assert technical_refs(failed) == (
        ["thresholds.actions:coproduction_step_low"],
        ["act_gov_co_delivery"],
    )


def test_a_field_path_in_a_basis_becomes_its_label() -> None:
    text = plain("党委的引领记在 government.party_leadership。", "zh")
    assert text == "党委的引领记在“党建引领程度”。"
    assert "“" in plain("see government.control here", "en")
    # text that is not a field path is left alone
    assert plain("e.g. the paper, version 1.2", "en") == "e.g. the paper, version 1.2"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_case_y_shows_governments_need_as_counted_after_its_alternatives(lang: str) -> None:
    """Y's 0.70 / 0.75 puzzled readers: the report shows the need as counted (about 0.02), the
    raw need and the alternatives beside it, and one line saying why and that it is ours."""
    p = preset("case-y", with_basis=True)
    a = assess(p)
    counted = a.asymmetry.force_on_government - a.asymmetry.index
    assert 0.0 < counted < 0.05  # 0.75 x 0.16^2
    text = render(a, p, "md", lang)
    figures = text.split("## ")[2]  # the summary and its key figures
    row = "政府对志愿服务力量的需要（按替代资源折算后，计入指数）" if lang == "zh" else "counted in"
    line = next(x for x in figures.splitlines() if row in x)
    assert f"| {counted:.2f} |" in line
    assert "0.75" in figures and "0.16" in figures
    note = next(x for x in figures.splitlines() if x.startswith(("政府对这支队伍", "Government's")))
    assert ("本工具" in note) if lang == "zh" else ("this tool's choice" in note)


def test_the_json_text_fields_carry_no_ids_and_plain_changes_nothing(case: tuple) -> None:
    """The engine builds its sentences in plain words at the source: every because_text,
    rationale, reason and warning of the JSON reads without a rule id, parameter id, field path
    or Python value, and ``plain`` leaves them as they are. The ids live in their own fields."""
    _p, a = case
    texts = [
        *(b for d in a.diagnoses for b in d.because_text),
        *(x.rationale for x in a.actions),
        *(n.reason for n in a.not_recommended),
        *(w.message for w in a.warnings),
    ]
    fields = [f for f in load_fields() if "." in f]
    for t in texts:
        for lang in ("zh", "en"):
            s = t.get(lang)
            assert RULE_ID.findall(s) == [], s
            assert PARAM_ID.findall(s) == [], s
            assert PYTHON.findall(s) == [], s
            assert [f for f in fields if re.search(rf"(?<![\w.]){re.escape(f)}\b", s)] == [], s
            assert plain(s, lang) == s
    # a guard that overrules an action is named by id in the entry's own field
    guarded = [n for n in a.not_recommended if "护栏规则" in n.reason.zh]
    assert all(n.overruled_by for n in guarded)
    assert all(g.startswith("guard_") for n in a.not_recommended for g in n.overruled_by)
