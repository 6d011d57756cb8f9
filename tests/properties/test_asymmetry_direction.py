"""Properties of the asymmetry's direction and of government's need moderated by alternatives.

Section 6: 由于这种非对称性依赖关系的存在，志愿服务力量没有足够的资本与政府进行互动博弈…
政府对其的依赖仅限于具体项目的执行和政策政绩的要求 (the force lacks the capital to bargain;
government's dependence is limited to projects and performance).
Resource dependence (Emerson 1962; Pfeffer & Salancik 1978): dependence is
moderated by alternatives, so a force without alternatives cannot turn government's need of it
into leverage (parameter asymmetry.alternatives, ours).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import profile_dicts

from advisor.indices import asymmetry_direction, asymmetry_level, derive
from advisor.models import CaseProfile
from knowledge_base.loader import load_kb

ORDER = ("balanced", "moderate", "high", "severe")


@given(st.floats(min_value=-1, max_value=1, allow_nan=False))
def test_direction_is_symmetric(index: float) -> None:
    """Negating the index swaps the direction and keeps the level."""
    index = round(index, 4)
    flip = {
        "force_depends_more": "government_depends_more",
        "government_depends_more": "force_depends_more",
        "balanced": "balanced",
    }
    assert asymmetry_direction(-index) == flip[asymmetry_direction(index)]
    assert asymmetry_level(-index) == asymmetry_level(index)
    assert (asymmetry_direction(index) == "balanced") == (asymmetry_level(index) == "balanced")


@settings(max_examples=150, deadline=None)
@given(
    profile_dicts(),
    st.integers(min_value=0, max_value=4),
    st.sampled_from(["via_government", "none"]),
)
def test_government_need_never_lowers_a_sole_dependent_force_below_high(
    data: dict, reliance: int, status: str
) -> None:
    """A force that gets its standing, its money and its people from government (the sole
    dependence thresholds) keeps its asymmetry at "high" or above whatever government's need of
    it: 第 6 节 只能单方面的高依赖于政府."""
    cuts = load_kb().param("thresholds.sole_dependence")
    data["legitimacy"] = {"status": status}
    f = data["funding"]
    rest = 1 - cuts["government_funding_min"]
    total_other = sum(v for k, v in f.items() if k != "government_direct")
    if total_other > rest:
        scale = rest / total_other
        for k in f:
            if k != "government_direct":
                f[k] = round(f[k] * scale, 4)
    f["government_direct"] = round(1 - sum(v for k, v in f.items() if k != "government_direct"), 4)
    r = data["human_resources"]["recruited_by"]
    if r["government"] < cuts["government_recruitment_min"]:
        other = r["third_party"] + r["self"]
        room = 1 - cuts["government_recruitment_min"]
        scale = room / other if other else 0
        r["third_party"] = round(r["third_party"] * scale, 4)
        r["self"] = round(r["self"] * scale, 4)
        r["government"] = round(1 - r["third_party"] - r["self"], 4)
    data["government"]["reliance_on_force"] = reliance
    profile = CaseProfile.model_validate(data)
    a = derive(profile).asymmetry
    assert a.direction == "force_depends_more"
    assert ORDER.index(a.level) >= ORDER.index("high"), (
        a,
        profile.funding,
        profile.human_resources,
    )


@settings(max_examples=150, deadline=None)
@given(profile_dicts())
def test_more_need_never_raises_the_index(data: dict) -> None:
    """Government needing the force more never makes the force look more dependent."""
    out = []
    for reliance in range(5):
        data["government"]["reliance_on_force"] = reliance
        out.append(derive(CaseProfile.model_validate(data)).asymmetry.index)
    assert out == sorted(out, reverse=True)
