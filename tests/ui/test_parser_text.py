"""YAML and JSON parser messages in the Chinese UI are Chinese (issue 13)."""

from __future__ import annotations

import re

import pytest

from advisor.errors import ProfileError
from advisor.io import parse_document
from ui.parser_text import zh_parser_message

MALFORMED = [
    b'{"a": 1,, }',
    b'{"a" 1}',
    b"{a: 1}",
    b'{"a": 1} x',
    b'{"a": "x',
    b'{"a": tru}',
    b"[1, 2",
    b'{"a": "\\q"}',
    b"a: b: c",
    b"a:\n  b: 1\n c: 2",
    b"a: [1, 2",
    b"a: 'x",
    b'a: "\\q"',
    b"\ta: 1",
    b"- a\nb: 1",
    b"a: {b: 1",
    b"key: value\n- item",
    b"%YAML 3.0\n---\na: 1",
    b"a: @x",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_a_parser_message_reads_in_chinese(raw: bytes) -> None:
    with pytest.raises(ProfileError) as info:
        parse_document(raw)
    for problem in info.value.problems:
        text = zh_parser_message(problem.zh)
        # no English words left (JSON and YAML are names, the quoted tokens are the file's own)
        words = re.findall(
            r"[A-Za-z]{3,}", re.sub(r"'[^']*'|<[^>]*>|JSON|YAML|true|false|null", "", text)
        )
        assert not words, (problem.zh, text)
        assert "行" in text or "列" in text or "JSON" in text or "YAML" in text


def test_an_unknown_phrase_is_left_as_it_is() -> None:
    assert zh_parser_message("YAML 格式错误：something new") == "YAML 格式错误：something new"
