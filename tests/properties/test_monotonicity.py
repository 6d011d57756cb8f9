"""Monotonicity properties the paper implies: more of a cause never less of its effect.

Each test's docstring cites the passage it rests on (section, the Chinese original, our English).
A property that fails is a finding about the rule base or its parameters: it is reported, never
weakened to pass.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from paper_helpers import (
    DIMENSIONS,
    diagnosis_ids,
    diversifying,
    kb_actions,
    more_government,
    more_participation,
    priorities,
    ranks,
    run,
)
from strategies import profile_dicts, third_parties


@given(st.sampled_from(DIMENSIONS).flatmap(lambda d: st.tuples(st.just(d), more_government(d))))
def test_more_government_share_never_lowers_dependence_or_diversification(
    case: tuple[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    """Raising government's share of a dimension's resources never lowers that dimension's
    dependence score, nor the priority of an action that diversifies it (phase 1 on it).

    3.1 资源依赖理论: “组织对外部环境的依赖是由于需要外部环境的关键资源” (an organisation
    depends on its environment because it needs the environment's key resources); “组织可以通过
    对依赖关系的了解来寻求替代性资源，避免“唯一性依赖”” (by understanding its dependence an
    organisation can seek alternative resources and avoid 'sole dependence').
    """
    dimension, (before, after) = case
    a, b = run(before), run(after)
    assert getattr(b.dependence, dimension) >= getattr(a.dependence, dimension)
    pa, pb = priorities(a), priorities(b)
    for action in diversifying(dimension) & set(pa):
        assert action in pb, f"{action} dropped when government's {dimension} share rose"
        assert pb[action] >= pa[action], (action, pa[action], pb[action])


@given(
    data=profile_dicts(third_party=False),
    tp=third_parties(),
    capacity=st.integers(3, 4),
    role=st.sampled_from(["facilitator", "incubator"]),
)
def test_a_capable_facilitating_third_party_never_raises_dependence_on_government(
    data: dict[str, Any], tp: dict[str, Any], capacity: int, role: str
) -> None:
    """Adding a third party with capacity >= 3 in a facilitating role never raises the force's
    dependence on government (any dimension, the overall figure, the asymmetry index) and never
    adds a diagnosis of dependence on government.

    6: “志愿服务团体可以充分利用政府和社工机构两股力量提供的资源实现分散，转移对政府的“唯一性
    依赖”，即降低对政府的非对称性依赖” (volunteer groups can use the resources of both government
    and social-work agencies to spread their dependence, shifting their 'sole dependence' on
    government, i.e. lowering their asymmetric dependence on it).
    """
    with_tp = copy.deepcopy(data)
    # An independent agency with room of its own: a centre the community or government founded,
    # or a pass-through of little autonomy, passes government's money on (5.2, 2.3) and is not
    # the "second force" of section 6.
    with_tp["third_party"] = {
        **tp,
        "capacity": capacity,
        "role": role,
        "origin": "independent",
        "autonomy": max(tp["autonomy"], 2),
    }
    a, b = run(data), run(with_tp)
    for d in DIMENSIONS:
        assert getattr(b.dependence, d) <= getattr(a.dependence, d), d
    assert b.asymmetry.force_on_government <= a.asymmetry.force_on_government
    assert b.asymmetry.index <= a.asymmetry.index
    on_government = {"asymmetric_dependence", "sole_dependence", "hermit_crab"}
    assert not (diagnosis_ids(b) - diagnosis_ids(a)) & on_government


@given(more_participation())
def test_more_participation_never_adds_a_coproduction_deficit(
    case: tuple[dict[str, Any], dict[str, Any], str],
) -> None:
    """Raising volunteers' decision participation or any co-production stage never adds a
    co-production deficit diagnosis (coproduction_deficit, volunteers_as_tools).

    6: “要让志愿者参与到项目的具体决策和安排中。志愿者不是执行志愿活动的工具” (volunteers must
    take part in the concrete decisions and arrangements of projects; they are not tools for
    carrying out activities); “要让公民以及第三方力量参与共同规划、共同设计、共同提供和共同评估”
    (citizens and third parties should take part in co-planning, co-design, co-delivery and
    co-evaluation).
    """
    before, after, field = case
    added = diagnosis_ids(run(after)) - diagnosis_ids(run(before))
    assert not added & {"coproduction_deficit", "volunteers_as_tools"}, (field, added)


@given(more_participation())
def test_more_say_in_planning_and_decisions_never_adds_surface_autonomy(
    case: tuple[dict[str, Any], dict[str, Any], str],
) -> None:
    """Raising decision participation, co-planning, co-design or co-evaluation never adds
    'surface autonomy' (raising co-delivery alone may: volunteers doing more of what others
    decide is exactly that pattern).

    5.1: “其本质还是居民志愿者依赖于政府来不断筹建完善相关事项，而社区则需要居民志愿者团体来执行
    具体事务，形成一种“表面自治”的模式” (in essence resident volunteers rely on government to set
    things up, while the community needs them to carry out concrete tasks: a 'surface autonomy'
    pattern).
    """
    before, after, field = case
    assume(field != "coproduction.delivery")
    added = diagnosis_ids(run(after)) - diagnosis_ids(run(before))
    assert "surface_autonomy" not in added, field


@given(data=profile_dicts(third_party=True), weaker_by=st.integers(1, 4))
def test_a_weaker_third_party_never_gets_its_actions_ranked_higher(
    data: dict[str, Any], weaker_by: int
) -> None:
    """A weaker third party (lower capacity, all else equal) never gets its third-party actions
    a higher priority, nor ranked above an action that was above them, than a stronger one;
    capacity-building, which the paper prescribes for the weak, is the exception. (Rank numbers
    alone may fall when the guard rail drops "more responsibility" actions above them.)

    6: “社工机构在培育志愿服务力量时呈现出的优势就越弱，那么此时社工机构等社会组织介入政府培育
    志愿服务力量时的作用就越低” (the weaker the advantage a social-work agency shows in cultivating
    volunteers, the less its intervention does).
    """
    strong = copy.deepcopy(data)
    assume(strong["third_party"]["capacity"] - weaker_by >= 0)
    weak = copy.deepcopy(data)
    weak["third_party"]["capacity"] -= weaker_by
    s, w = run(strong), run(weak)
    ps, pw, rs, rw = priorities(s), priorities(w), ranks(s), ranks(w)
    common = set(ps) & set(pw)
    for action in common:
        if kb_actions()[action].actor != "third_party" or action == "tp_build_own_capacity":
            continue
        assert pw[action] <= ps[action], ("priority", action, pw[action], ps[action])
        # ranked higher = overtaking an action that was above it (among actions in both outputs)
        overtaken = [b for b in common if rs[b] < rs[action] and rw[b] > rw[action]]
        assert not overtaken, ("rank", action, overtaken)


@given(data=profile_dicts(), raise_by=st.integers(1, 4))
def test_more_government_control_never_lowers_asymmetry_or_hides_control(
    data: dict[str, Any], raise_by: int
) -> None:
    """More government control never lowers the asymmetry (force on government, index, level)
    and never removes the excessive-control or administrative-assistant diagnosis.

    6: “志愿服务组织受政府干预过多、成为“行政助手”……造成这种现象背后的实质则是志愿服务力量与
    政府之间的非对称性依赖关系” (volunteer organisations suffer too much government intervention
    and become 'administrative assistants'; the substance behind it is the asymmetric dependence).
    """
    assume(data["government"]["control"] + raise_by <= 4)
    more = copy.deepcopy(data)
    more["government"]["control"] += raise_by
    a, b = run(data), run(more)
    assert b.asymmetry.index >= a.asymmetry.index
    assert b.asymmetry.force_on_government >= a.asymmetry.force_on_government
    levels = ("balanced", "moderate", "high", "severe")
    if a.asymmetry.index >= 0:
        assert levels.index(b.asymmetry.level) >= levels.index(a.asymmetry.level)
    lost = diagnosis_ids(a) - diagnosis_ids(b)
    assert not lost & {"excessive_control", "administrative_assistant"}, lost


@given(data=profile_dicts(), raise_by=st.integers(1, 4))
def test_more_reliance_by_government_never_raises_the_asymmetry(
    data: dict[str, Any], raise_by: int
) -> None:
    """The more grassroots government relies on the force, the less asymmetric the relation:
    the index never rises and asymmetric dependence is never added.

    3.1: “社会组织和政府之间的互动并非都是单向的依赖关系，很多时候依赖关系都是双向的，只是这种依
    赖关系是非对称的” (the interaction is not one-way dependence: it is often two-way, only
    asymmetric); 5.1: “政府对社区志愿服务力量的依赖性则体现在基层治理和政绩的需要” (government's
    dependence on the force shows in grassroots governance and performance needs).
    """
    assume(data["government"]["reliance_on_force"] + raise_by <= 4)
    more = copy.deepcopy(data)
    more["government"]["reliance_on_force"] += raise_by
    a, b = run(data), run(more)
    assert b.asymmetry.index <= a.asymmetry.index
    assert "asymmetric_dependence" not in diagnosis_ids(b) - diagnosis_ids(a)


@given(data=profile_dicts(), raise_by=st.integers(1, 4))
def test_more_resident_awareness_never_adds_low_awareness(
    data: dict[str, Any], raise_by: int
) -> None:
    """Raising residents' volunteering awareness never adds the low-awareness diagnosis.

    5.1: “群众志愿服务意识不够” (the public's volunteering awareness is insufficient); 6:
    “要加强志愿服务的宣传以及对公民志愿服务意识的培养” (strengthen publicity and cultivate
    citizens' volunteering awareness).
    """
    assume(data["human_resources"]["resident_awareness"] + raise_by <= 4)
    more = copy.deepcopy(data)
    more["human_resources"]["resident_awareness"] += raise_by
    added = diagnosis_ids(run(more)) - diagnosis_ids(run(data))
    assert "low_resident_awareness" not in added


@given(st.sampled_from(DIMENSIONS).flatmap(more_government))
def test_more_government_share_never_removes_a_dependence_diagnosis(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Raising government's share of any dimension never removes asymmetric dependence or sole
    dependence.

    5.1: “政府培育的志愿服务力量与政府之间的互动是典型的非对称性依赖关系” (the interaction of
    government-cultivated forces with government is a typical asymmetric dependence); “这类志愿
    组织几乎是从政府获取所有资源” (such organisations get almost all resources from government).
    """
    before, after = case
    lost = diagnosis_ids(run(before)) - diagnosis_ids(run(after))
    assert not lost & {"asymmetric_dependence", "sole_dependence"}, lost
