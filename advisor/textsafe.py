"""Text from users, made safe for where we write it: Markdown tables and code spans, CSV cells.

Anything a user typed (a case's name, an id, a file name, a value echoed in an error) can reach
the batch summary, a report or a CSV file. There it must stay text:

- Markdown: no link, image, autolink, HTML, emphasis, heading or table cell of its own; a
  backtick cannot end a code span early (``md_text``, ``md_code``).
- CSV opened in a spreadsheet: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is a formula there (``=HYPERLINK(...)``); such a cell is written with a leading
  apostrophe, which spreadsheets show as text (``csv_cell``). Numbers (``-0.5``) are left alone.
  ``csv_uncell`` undoes it when we read our own CSV back, so a round trip changes nothing.

The web UI can reuse these (its CSV download is another helper's).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
# Markdown punctuation that can start or end inline markup (links, images, code, emphasis,
# table cells); a backslash makes each literal. Autolinks (GFM links bare http://... and www.)
# are broken by escaping the ':' of '://' and the '.' of 'www.'.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()!~|]|:(?=//)|(?<=[wW]{3})\.)")


def md_text(value: Any) -> str:
    """``value`` as literal inline Markdown text (safe in a table cell), on one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value: Any) -> str:
    """``value`` as a Markdown code span on one line, safe in a table cell.

    The fence is one backtick longer than the longest run of backticks inside, so none can close
    the span; pipes are escaped (GFM splits table cells on them even inside code spans).
    """
    text = " ".join(str(value).split()).replace("|", "\\|")
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_uncell(text: str) -> str:
    """Undo ``csv_cell`` on a cell read back from a CSV file we (or a careful tool) wrote."""
    if text.startswith("'") and text[1:2] in FORMULA_START and text[1:2] != "":
        return text[1:]
    return text


def csv_row(cells: list[Any]) -> list[str]:
    """Every cell of a row through ``csv_cell``."""
    return [csv_cell(c) for c in cells]
