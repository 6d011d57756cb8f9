"""Code health: the pages keep their session state through ``ui/services.py`` only.

Every key a page keeps in the session (the draft, the case it came from, the last assessment,
the trainer pages' results, a live class's seat, the District run) is named once in
``ui/services.py`` and read and written through its accessors. A page that indexes
``st.session_state`` itself invents a second name for the same idea; the exceptions are listed
here, file by file, each with its reason. Widgets' ``key=`` arguments are Streamlit's and are
not counted; a page reading a widget's value back uses ``services.widget_value``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "ui" / "views"

# file under ui/views/ -> why it may still touch st.session_state itself
ALLOWED: dict[str, str] = {}


def _uses(path: Path) -> list[int]:
    """Line numbers where the module touches ``st.session_state`` (or imports it by name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr == "session_state") or (
            isinstance(node, ast.ImportFrom)
            and node.module == "streamlit"
            and any(alias.name == "session_state" for alias in node.names)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_views_keep_session_state_through_services() -> None:
    """No page under ui/views/ indexes st.session_state unless listed with a reason."""
    found = {
        p.name: _uses(p) for p in sorted(VIEWS.glob("*.py")) if p.name not in ALLOWED and _uses(p)
    }
    assert not found, (
        "use an accessor of ui/services.py (add one there, its key named once) instead of "
        f"st.session_state in: {found}"
    )


def test_the_allow_list_is_current() -> None:
    """Every listed exception is a page that exists and still needs its exception."""
    stale = [name for name in ALLOWED if not (VIEWS / name).exists() or not _uses(VIEWS / name)]
    assert not stale, f"remove from ALLOWED (no longer needed): {stale}"


def test_the_check_sees_a_direct_use(tmp_path: Path) -> None:
    """The scan finds reads, writes, ``in`` tests and pops alike (it can fail)."""
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\n"
        "x = st.session_state.get('a')\n"
        "st.session_state['b'] = 1\n"
        "if 'c' in st.session_state:\n"
        "    st.session_state.pop('c')\n",
        encoding="utf-8",
    )
    assert _uses(page) == [2, 3, 4, 5]
