"""Exercise packs: building, scoring against the engine, files, handouts and the debrief."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.errors import ProfileError
from advisor.models import CaseProfile
from advisor.trainer.exercise import (
    PackError,
    RankingError,
    create_pack,
    debrief,
    kendall_tau,
    load_pack,
    pack_to_text,
    render_handout,
    save_pack,
    score,
    spearman,
)


@pytest.fixture(scope="module")
def pack(case_y: CaseProfile):
    """A pack of case Y with the default number of actions and three distractors."""
    return create_pack(case_y, pack_id="y-training")


def pack_profile_without_third_party() -> CaseProfile:
    from advisor.pipeline import preset

    return preset("case-y").model_copy(update={"third_party": None})


def _engine_order(pack) -> list[str]:
    return pack.recommended() + pack.not_recommended()


def test_the_pack_lists_recommended_and_distractor_actions(pack, case_y: CaseProfile) -> None:
    """The key holds the engine's ranks 1..n; distractors are framework actions not recommended."""
    from advisor.pipeline import assess

    a = assess(case_y)
    ranks = sorted(pack.key.ranks.values())
    assert ranks == list(range(1, len(ranks) + 1))
    recommended = {x.id for x in a.actions}
    assert set(pack.key.ranks) <= recommended
    assert pack.not_recommended(), "expected distractors"
    assert not set(pack.not_recommended()) & recommended
    # the listed order does not give the answer away: it is by actor, then id
    assert [x.id for x in pack.actions] != pack.recommended()[: len(pack.actions)]


def test_the_scenario_card_tells_the_case_in_words(pack) -> None:
    """Every line of the card exists in both languages and names a value."""
    assert len(pack.scenario) > 20
    for line in pack.scenario:
        assert "：" in line.zh and ": " in line.en
    # case Y's M centre (4.2: the community set up the M social service centre) is on the card
    assert any(line.en.startswith("Kind of third party") for line in pack.scenario)
    # without a third party the card says so rather than leaving it out
    no_tp = create_pack(pack_profile_without_third_party(), pack_id="y-no-tp")
    assert no_tp.scenario[-1].en.startswith("No social organisation")
    assert all(line.zh.strip() and line.en.strip() for line in pack.scenario)
    assert any("Directly from government 92%" in line.en for line in pack.scenario)


def test_engine_ranking_scores_one_with_no_misses(pack) -> None:
    """The engine's own order: correlation 1 and nothing to discuss."""
    result = score(pack, _engine_order(pack))
    assert result.spearman == 1.0
    assert result.kendall_tau == 1.0
    assert result.misses == []


def test_reversed_ranking_scores_negative_with_misses(pack) -> None:
    """The engine's order reversed: negative correlation, and the sunk top actions are named."""
    result = score(pack, list(reversed(_engine_order(pack))))
    assert result.spearman is not None and result.spearman < 0
    assert result.spearman == -1.0
    kinds = {m.kind for m in result.misses}
    assert "engine_top_ranked_low" in kinds
    assert "not_recommended_ranked_top" in kinds
    sunk = {m.action for m in result.misses if m.kind == "engine_top_ranked_low"}
    assert sunk == set(pack.recommended()[:3])


def test_rank_correlations_match_known_values() -> None:
    """Spearman and Kendall on small textbook cases."""
    assert spearman([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    assert spearman([1, 2, 3, 4], [2, 1, 3, 4]) == pytest.approx(0.8)  # 1 - 6*2/(4*15)
    assert kendall_tau([1, 2, 3, 4], [2, 1, 3, 4]) == pytest.approx(4 / 6)  # 5 concordant, 1 not
    assert spearman([1], [1]) is None


def test_bad_rankings_are_refused_naming_each_problem(pack) -> None:
    """Unknown, repeated and missing actions are each named."""
    order = _engine_order(pack)
    bad = [*order[1:], order[1], "made_up_action"]
    with pytest.raises(RankingError) as info:
        score(pack, bad)
    text = str(info.value)
    assert "made_up_action" in text
    assert f"listed more than once: {order[1]}" in text
    assert f"not ranked: {order[0]}" in text
    assert isinstance(info.value, ProfileError)  # the CLI maps it to exit code 2


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_pack_round_trips_through_a_file(pack, tmp_path: Path, suffix: str) -> None:
    """Saved and loaded, the pack is equal to the original."""
    path = save_pack(pack, tmp_path / f"pack{suffix}")
    assert load_pack(path) == pack


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.pop("key"), "key: required field is missing"),
        (lambda d: d.update(format="something-else"), "format: expected"),
        (lambda d: d["key"]["ranks"].update(ghost=9), "not among the pack's actions: ghost"),
        (lambda d: d["profile"]["funding"].update(charity=0.9), "profile.funding"),
        (lambda d: d.update(surprise=1), "surprise: unknown field"),
        (lambda d: d["actions"].append(dict(d["actions"][0])), "listed twice"),
    ],
)
def test_a_malformed_pack_gets_a_clear_error(pack, tmp_path: Path, mutate, needle: str) -> None:
    """Each defect is reported by field path, as a PackError, never a traceback."""
    data = json.loads(pack_to_text(pack, "json"))
    mutate(data)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(f)
    assert needle in str(info.value)
    assert str(f) in str(info.value)


@pytest.mark.parametrize(
    ("raw", "needle"), [(b"{ nope", "malformed JSON"), (b"", "empty"), (b"- a\n- b\n", "mapping")]
)
def test_unreadable_pack_files_are_refused(tmp_path: Path, raw: bytes, needle: str) -> None:
    """Broken, empty and wrongly shaped files name what is wrong."""
    f = tmp_path / "p.yaml"
    f.write_bytes(raw)
    with pytest.raises(PackError, match=needle):
        load_pack(f)
    with pytest.raises(PackError, match="no such file"):
        load_pack(tmp_path / "missing.json")


def test_a_case_profile_is_not_taken_for_a_pack(case_y: CaseProfile, tmp_path: Path) -> None:
    """Loading a profile file as a pack says what it looks like."""
    f = tmp_path / "y.yaml"
    f.write_text(yaml.safe_dump(case_y.model_dump(mode="json")), encoding="utf-8")
    with pytest.raises(PackError, match="looks like a case profile"):
        load_pack(f)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_handout_has_card_question_sheet_and_no_answers(pack, fmt: str, lang: str) -> None:
    """The handout shows every action and the question, but never ranks or priorities."""
    text = render_handout(pack, fmt, lang)
    assert pack.question.get(lang)[:12] in text
    for a in pack.actions:
        assert a.id in text
    assert "priority" not in text.lower() and "优先级" not in text
    if fmt == "html":
        assert text.lstrip().startswith("<!DOCTYPE html>")


def test_handout_escapes_the_case_name(case_y: CaseProfile) -> None:
    """A case name holding markup is shown as text in HTML."""
    evil = case_y.model_copy(update={"name": "<script>alert(1)</script>"})
    html = render_handout(create_pack(evil), "html", "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_debrief_walks_the_trace(pack) -> None:
    """Each recommended action comes with its rules and passages; distractors say why not."""
    result = score(pack, list(reversed(_engine_order(pack))))
    d = debrief(pack, result)
    assert [x.id for x in d.actions] == _engine_order(pack)
    for x in d.actions:
        if x.engine_rank is not None:
            assert x.trace, f"{x.id} has no rules"
            assert x.sources, f"{x.id} has no passage"
            assert x.participant_rank == result.ranking.index(x.id) + 1
        else:
            assert x.why_not is not None
    assert d.diagnoses and all(dx.trace for dx in d.diagnoses)
    assert d.warnings == []  # same knowledge base as the key
