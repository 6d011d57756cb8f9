"""A live class in real headless Chromium: a trainer and three trainees in separate browsers."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

import pytest
from browser_support import Server, shoot
from st_helpers import click_button, goto, main_text, s, select, wait_idle, wait_text

from advisor.classroom import Classroom

pytestmark = pytest.mark.browser


def wait_until(page: Any, pattern: str, timeout: float = 60.0) -> str:
    """Poll the main area's text until ``pattern`` matches (live pages refresh themselves)."""
    deadline = time.monotonic() + timeout
    while True:
        text = main_text(page)
        if re.search(pattern, text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} never appeared; the page shows:\n{text[:3000]}")
        page.wait_for_timeout(500)


def rank_labels(page: Any) -> list[str]:
    """The labels of the rank selectboxes, in order (the main area's widget labels)."""
    main = page.locator('[data-testid="stMain"]')
    return [t.strip() for t in main.locator('[data-testid="stWidgetLabel"]').all_inner_texts()]


def test_a_trainer_and_three_trainees_run_a_live_class(browser: Any, server: Server) -> None:
    """Trainees join by code, rank without seeing the key; the trainer watches, reveals, exports."""
    contexts = []

    def new_page(locale: str) -> Any:
        ctx = browser.new_context(
            locale=locale, viewport={"width": 1300, "height": 1000}, accept_downloads=True
        )
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(60_000)
        return pg

    try:
        trainer = new_page("en-GB")
        goto(trainer, server.url, "classroom")
        click_button(trainer, s("classroom.trainer.open"))
        text = wait_until(trainer, r"classroom-join\?code=[A-Z0-9]{6}")
        assert f"{server.url}/classroom-join?code=" in text  # a link trainees can open
        code = re.search(r"classroom-join\?code=([A-Z0-9]{6})", text).group(1)

        trainees = [("Li Wei", "en-GB"), ("王芳", "zh-CN"), ("Zhao Lei", "en-GB")]
        pages = []
        for name, locale in trainees:
            pg = new_page(locale)
            lang = "zh" if locale.startswith("zh") else "en"
            goto(pg, server.url, f"classroom-join?code={code}")
            pg.get_by_label(s("classroom.join.name", lang), exact=True).fill(name)
            click_button(pg, s("classroom.join.join", lang))
            wait_text(pg, s("classroom.join.send", lang))  # the form is drawn last
            pages.append((pg, lang))

        # before the reveal a trainee's page shows the scenario and the actions, never the key
        room = Classroom(server.db)
        pack = room.session(code).pack
        for pg, lang in pages:
            shown = main_text(pg)
            assert s("classroom.trainer.col_engine", lang) not in shown
            assert s("classroom.join.result", lang) not in shown
            wait_idle(pg)
            labels = "\n".join(rank_labels(pg))
            for a in pack.actions:  # the selectboxes' labels
                assert a.label.get(lang) in labels

        # Zhao Lei swaps the first two actions; the others send the listed order
        zhao = pages[2][0]
        first_box, second_box = rank_labels(zhao)[:2]
        select(zhao, first_box, "Rank 2")
        select(zhao, second_box, "Rank 1")
        for pg, lang in pages:
            click_button(pg, s("classroom.join.send", lang))
            wait_text(pg, s("classroom.join.received", lang))

        text = wait_until(trainer, rf"{s('classroom.trainer.answered')}\s*3")
        assert s("classroom.trainer.spread") in text
        shoot(trainer, "classroom-trainer-live-en")

        click_button(trainer, s("classroom.trainer.reveal"))
        wait_text(trainer, s("classroom.trainer.revealed"))
        k = min(pack.scoring.engine_top, len(pack.recommended()))
        for pg, lang in pages:
            head = f"前 {k} 位" if lang == "zh" else f"Top {k}"
            wait_until(pg, re.escape(head))
            wait_text(pg, s("classroom.join.debrief", lang))
        zhao_text = main_text(zhao)
        first, second = pack.actions[0].label.en, pack.actions[1].label.en
        ranks = pack.key.ranks
        if first in ranks and second in ranks and ranks[first] < ranks[second]:
            assert f"You ranked “{second}” before “{first}”" in zhao_text
        shoot(pages[1][0], "classroom-trainee-result-zh")
        shoot(zhao, "classroom-trainee-result-en")

        with trainer.expect_download() as info:
            trainer.get_by_role("button", name=s("classroom.trainer.export")).click()
        data = info.value.path().read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(data)))
        assert sorted(r[2] for r in rows[1:]) == sorted(n for n, _ in trainees)
        assert all(r[8] for r in rows[1:])  # Spearman's rho for every trainee
        wait_idle(trainer)
        shoot(trainer, "classroom-trainer-debrief-en")
    finally:
        for ctx in contexts:
            ctx.close()
