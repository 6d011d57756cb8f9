"""Shares are entered and shown in % everywhere: the Assess form and the What-if field editor
(issue 13). The draft and the variant keep the model's 0-1 share; the conversion is made only at
the widget, and a value nobody touched goes back with every digit it had (0.333 stays 0.333)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apptest_support import fk
from streamlit.testing.v1 import AppTest

from advisor.pipeline import preset
from ui import profile_form
from ui.services import DRAFT

PURCHASE = "third_party.government_purchase_share"


def whatif_copy_of(
    make_app: Callable[..., AppTest], lang: str, data: dict | None = None
) -> AppTest:
    """What-if with case H (or ``data``) as the baseline and one copy of it as the variant."""
    at = make_app(lang)
    at.selectbox(key="start").set_value("case-h").run()
    next(b for b in at.button if b.label in ("Load", "载入")).click().run()
    if data is not None:
        at.session_state[DRAFT] = profile_form.draft_from_data(data)
    at.switch_page("views/whatif.py").run()
    at.button(key="add_copy").click().run()
    assert not at.exception, at.exception
    return at


def variant(at: AppTest) -> dict:
    return at.session_state["whatif"]["variants"][0]["data"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_whatif_shows_and_takes_a_share_in_percent(
    make_app: Callable[..., AppTest], lang: str
) -> None:
    """Case H's 80 % purchase share is shown as 80 under a "(%)" label; 60 typed is 0.6 in the
    variant and in the assessment the comparison is made from."""
    at = whatif_copy_of(make_app, lang)
    at.selectbox(key=fk(at, "field_1_0")).set_value(PURCHASE).run()
    box = at.number_input(key=fk(at, f"val_1_0_{PURCHASE}"))
    assert box.value == 80.0
    assert box.label.endswith("（%）" if lang == "zh" else "(%)"), box.label
    assert box.proto.max == 100.0
    box.set_value(60.0).run()
    assert not at.exception, at.exception
    assert variant(at)["third_party"]["government_purchase_share"] == 0.6
    assert not at.error, [e.value for e in at.error]


def test_an_untouched_share_keeps_every_digit(make_app: Callable[..., AppTest]) -> None:
    """A baseline share of 0.333 (and one of 0.3333, more digits than the field shows) is left as
    it is by the editor while other fields of the variant change."""
    data = preset("case-h").model_dump(mode="json")
    data["third_party"]["government_purchase_share"] = 0.3333
    data["funding"].update(government_direct=0.333, government_via_third_party=0.417)
    at = whatif_copy_of(make_app, "en", data)
    for path in (PURCHASE, "funding.government_direct"):
        at.selectbox(key=fk(at, "field_1_0")).set_value(path).run()
    assert at.number_input(key=fk(at, "val_1_0_funding.government_direct")).value == 33.3
    at.selectbox(key=fk(at, "field_1_0")).set_value("management.incentives").run()
    at.selectbox(key=fk(at, "val_1_0_management.incentives")).set_value("formal").run()
    at.selectbox(key=fk(at, "field_1_0")).set_value(PURCHASE).run()
    assert at.number_input(key=fk(at, f"val_1_0_{PURCHASE}")).value == 33.33
    at.run()
    assert not at.exception, at.exception
    got = variant(at)
    assert got["third_party"]["government_purchase_share"] == 0.3333
    assert got["funding"]["government_direct"] == 0.333
    assert got["management"]["incentives"] == "formal"


def test_the_assess_form_and_whatif_use_one_widget(make_app: Callable[..., AppTest]) -> None:
    """The same field is the same input on both pages: the label, the bounds and the step."""
    at = make_app("zh")
    at.selectbox(key="start").set_value("case-h").run()
    next(b for b in at.button if b.label == "载入").click().run()
    form = at.number_input(key=fk(at, "funding.charity"))
    shown = (form.label, form.value, form.proto.min, form.proto.max, form.proto.step)
    assert shown[:2] == ("慈善与企业捐助（%）", 5.0), shown
    at.switch_page("views/whatif.py").run()
    at.button(key="add_copy").click().run()
    at.selectbox(key=fk(at, "field_1_0")).set_value("funding.charity").run()
    edit = at.number_input(key=fk(at, "val_1_0_funding.charity"))
    assert (edit.value, edit.proto.min, edit.proto.max, edit.proto.step) == shown[1:]


def test_problems_name_the_field_and_say_share_sums_in_percent() -> None:
    """A variant's problems as an official reads them: the field's name, never its path, and the
    sum of the shares in % (the contract's own message says 1.85, expected 1)."""
    from advisor.errors import ProfileError
    from advisor.io import profile_from_data

    data = preset("case-h").model_dump(mode="json")
    data["funding"]["charity"] = 0.9
    data["human_resources"]["recruited_by"]["self"] = 0.5
    data["third_party"]["capacity"] = 9
    with pytest.raises(ProfileError) as caught:
        profile_from_data(data)
    zh = [profile_form.problem_line(p, "zh") for p in caught.value.problems]
    en = [profile_form.problem_line(p, "en") for p in caught.value.problems]
    assert "资金来源：目前合计 185%，应为 100%。" in zh
    assert "招募渠道：目前合计 135%，应为 100%。" in zh
    assert "第三方专业能力：须不大于 4" in zh
    assert "Funding: the shares add up to 185%; they must add up to 100%." in en
    for line in zh + en:
        assert "." not in line.split(":")[0] and "_" not in line, line
