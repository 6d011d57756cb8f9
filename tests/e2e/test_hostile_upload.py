"""Hostile uploads in a real browser: the alias bomb and a tagged YAML, uploaded through Cases →
Import, get a clear refusal (in English and in Chinese) while a second session keeps working,
and the server's memory stays flat (issue 18: a 366-byte file once took the server to 7 GB).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from browser_support import Server, shoot
from st_helpers import browser_page, click_button, goto, main_text, nav, s, wait_idle, wait_text

from advisor.store import CaseStore

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"


def _upload(page: Any, path: Path, lang: str = "en") -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()
    page.get_by_role("button", name=s("cases.import_button", lang), exact=True).first.wait_for()
    wait_idle(page)


def _rss_mb(server: Server) -> float:
    return psutil.Process(server.proc.pid).memory_info().rss / 2**20


def test_the_bomb_and_a_tag_are_refused_while_another_session_keeps_working(
    browser: Any, page: Any, server: Server, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes((CORPUS / "alias_bomb.yaml").read_bytes())
    tagged = tmp_path / "tagged.yaml"
    tagged.write_bytes((CORPUS / "tag_timestamp.yaml").read_bytes())
    had_case_y = CaseStore(server.db).exists("case-y")

    goto(page, server.url)
    nav(page, s("nav.cases"))
    rss0 = _rss_mb(server)

    other_ctx = browser.new_context(locale="en-GB")
    other = other_ctx.new_page()
    other.set_default_timeout(30_000)
    try:
        _upload(page, bomb)
        page.get_by_role("button", name=s("cases.import_button"), exact=True).first.click()
        # meanwhile, another visitor opens the app and the knowledge base and is served
        t0 = time.monotonic()
        goto(other, server.url)
        nav(other, s("nav.cases"))
        assert other.locator("h1").first.inner_text() == s("cases.title")
        assert time.monotonic() - t0 < 60
        wait_idle(page)
        wait_text(page, "anchors and aliases")
        text = main_text(page)
        assert "Traceback" not in text and "x, x, x" not in text
        shoot(page, "hostile-upload-bomb-en")

        _upload(page, tagged)
        click_button(page, s("cases.import_button"))
        wait_text(page, "!!timestamp")
        assert "Traceback" not in main_text(page)

        # the second session is still served after both refusals
        nav(other, s("nav.cases"))
        assert other.locator("h1").first.inner_text() == s("cases.title")
    finally:
        other_ctx.close()
    assert _rss_mb(server) - rss0 < 300, "the server's memory must stay flat"
    assert CaseStore(server.db).exists("case-y") == had_case_y  # the tagged file added nothing


def test_the_refusal_is_in_chinese_for_a_chinese_visitor(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes((CORPUS / "alias_bomb.yaml").read_bytes())
    with browser_page(browser, "zh") as page:
        goto(page, server.url)
        nav(page, s("nav.cases", "zh"))
        _upload(page, bomb, "zh")
        click_button(page, s("cases.import_button", "zh"))
        wait_text(page, "不接受 YAML 锚点和别名")
        shoot(page, "hostile-upload-bomb-zh")
