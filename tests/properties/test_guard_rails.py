"""Guard-rail properties: what every output must (and must not) recommend, per the paper.

Each test's docstring cites the passage it rests on (section, the Chinese original, our English).
A property that fails is a finding about the rule base or its parameters: it is reported, never
weakened to pass.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from paper_helpers import (
    DIVERSIFY_SOLE,
    WITHDRAWAL_WORDS,
    action_ids,
    conflicts,
    diagnosis_ids,
    kb_actions,
    run,
)
from strategies import profile_dicts

from advisor.indices import independent_third_party
from advisor.models import CaseProfile


def test_the_knowledge_base_declares_conflicts() -> None:
    """The conflict property below is not vacuous: the knowledge base declares conflicts."""
    assert conflicts()


@given(profile_dicts())
def test_no_output_holds_two_conflicting_actions(data: dict[str, Any]) -> None:
    """No output recommends two actions the knowledge base declares as conflicting.

    6: “社工机构在培育志愿服务力量时呈现出的优势就越弱……作用就越低” (the weaker the agency's
    advantage, the less its intervention does: capacity first, not more responsibility); a third
    party is either absent (bring one in) or present (strengthen it), never both.
    """
    ids = action_ids(run(data))
    for pair in conflicts():
        assert not pair <= ids, sorted(pair)


@given(profile_dicts())
def test_government_advice_is_a_change_of_role_never_withdrawal(data: dict[str, Any]) -> None:
    """No government action is labelled as withdrawal, and whenever government is told to take
    an auxiliary role it is also told to keep supporting without control.

    6: “我们并不是在过分寻求志愿服务力量的自主性以及完全脱离这种依赖的办法而是在降低志愿服务
    力量和政府之间的非对称性依赖关系” (we do not seek the volunteers' autonomy excessively or a way
    to break away from this dependence entirely, but to reduce the asymmetric dependence);
    “对社区志愿服务加大鼓励支持的力度，避免“控制干预”和职能的“越位”；重点扮演辅助性角色”
    (increase encouragement and support, avoid control and overstepping; play mainly an
    auxiliary role).
    """
    out = run(data)
    for action in out.actions:
        if action.actor == "government":
            label = (action.label.zh + " " + action.label.en).lower()
            assert not any(w in label for w in WITHDRAWAL_WORDS), (action.id, label)
    ids = action_ids(out)
    if "gov_auxiliary_role" in ids:
        assert "gov_support_without_control" in ids


@given(profile_dicts())
def test_sole_dependence_always_gets_a_diversification_action(data: dict[str, Any]) -> None:
    """A force diagnosed with sole dependence always gets an action that spreads its sources.

    3.1: “组织可以通过对依赖关系的了解来寻求替代性资源，避免“唯一性依赖”” (an organisation can
    seek alternative resources and avoid 'sole dependence'); 6: “转移对政府的“唯一性依赖””
    (shift the 'sole dependence' on government).
    """
    out = run(data)
    if "sole_dependence" in diagnosis_ids(out):
        assert action_ids(out) & DIVERSIFY_SOLE


@given(profile_dicts(third_party=True))
def test_a_weak_third_party_builds_capacity_before_more_responsibility(
    data: dict[str, Any],
) -> None:
    """Whenever the third party is diagnosed weak, it gets capacity-building and neither of the
    'more responsibility' actions (five-social linkage, joint negotiation).

    6: “社工机构在培育志愿服务力量时呈现出的优势就越弱，那么此时社工机构等社会组织介入政府培育
    志愿服务力量时的作用就越低” (the weaker the agency's advantage, the less its intervention does).
    """
    out = run(data)
    if "weak_third_party" in diagnosis_ids(out):
        ids = action_ids(out)
        assert "tp_build_own_capacity" in ids
        assert not ids & {"tp_five_social_linkage", "tp_joint_negotiation"}


@given(profile_dicts())
def test_actions_go_to_an_actor_who_exists(data: dict[str, Any]) -> None:
    """Third-party actions (and strengthening the third party) only where a third party exists;
    bringing one in only where no independent one does (a full pass-through contractor, or the
    community's or government's own centre of little autonomy, is to be developed into one).

    6: “志愿组织要充分和第三方力量结合，例如社工机构专业性的介入可以帮助提供专业指导和专业支持”
    (volunteer organisations should combine fully with third-party forces: a social-work agency's
    professional intervention can give professional guidance and support).
    """
    out = run(data)
    ids = action_ids(out)
    if data.get("third_party") is None:
        assert not {a for a in ids if kb_actions()[a].actor == "third_party"}
        assert "gov_strengthen_third_party" not in ids
    elif independent_third_party(CaseProfile.model_validate(data)):
        assert "gov_bring_in_third_party" not in ids


@given(profile_dicts(third_party=True))
def test_over_dependence_on_the_third_party_is_always_countered(data: dict[str, Any]) -> None:
    """Whenever the force over-depends on its third party, the advice includes preventing it.

    6: “分发挥专业性优势的同时又避免志愿服务力量的过度依赖” (make full use of the professional
    advantage while avoiding the volunteers' over-dependence; the sentence runs across a page
    break, hence the quote starts mid-word).
    """
    out = run(data)
    if "over_dependence_on_third_party" in diagnosis_ids(out):
        assert "tp_prevent_over_dependence" in action_ids(out)


@given(profile_dicts())
def test_every_diagnosis_gets_an_action_that_addresses_it(data: dict[str, Any]) -> None:
    """Every diagnosis of an output is addressed by at least one of its recommended actions: the
    framework answers each problem it names, whether or not a third party is present.

    6: “为此，应当重构政府和志愿组织的互动关系” (to this end the interaction between government and
    volunteer organisations should be rebuilt), followed by measures at the government, public
    and third-party levels for the problems sections 5 and 6 name.
    """
    out = run(data)
    answered = {d for a in out.actions for d in kb_actions()[a.id].addresses}
    unanswered = diagnosis_ids(out) - answered
    assert not unanswered, (sorted(unanswered), sorted(action_ids(out)))
