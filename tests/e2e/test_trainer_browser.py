"""Trainer pages in real headless Chromium: build an exercise, rank, reveal; a sweep's charts."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Server, shoot
from st_helpers import click_button, goto, main_text, s, wait_text

from advisor.pipeline import preset
from advisor.trainer.exercise import create_pack, score

pytestmark = pytest.mark.browser


def test_build_rank_and_reveal_an_exercise(page: Any, server: Server) -> None:
    """A trainer builds a pack from case Y; the listed order is scored as the engine scores it."""
    goto(page, server.url, "exercises")
    wait_text(page, s("trainer.ex.title"))
    click_button(page, s("trainer.ex.create"))
    pack = create_pack(preset("case-y"), max_actions=6)
    wait_text(page, s("trainer.ex.created", n=len(pack.actions)))
    page.get_by_role("tab", name=s("trainer.ex.tab_run")).click()
    click_button(page, s("trainer.ex.score"))
    expected = score(pack, [a.id for a in pack.actions])  # the form's default ranks: 1..n
    wait_text(page, s("trainer.ex.debrief"))
    text = main_text(page)
    assert f"{expected.spearman:+.2f}" in text
    for m in expected.misses:
        assert m.label.en in text
    shoot(page, "trainer-exercise-en")


def test_sensitivity_draws_its_charts_in_chinese(page: Any, server: Server) -> None:
    """The sweep page in Chinese draws the asymmetry and priority charts."""
    goto(page, server.url, "sensitivity?lang=zh")
    wait_text(page, s("trainer.sens.title", "zh"))
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(1).wait_for(timeout=30_000)
    assert charts.count() == 2
    assert s("trainer.sens.chart_asymmetry", "zh") in main_text(page)
    shoot(page, "trainer-sensitivity-zh")
