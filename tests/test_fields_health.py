"""Code health: the profile's fields are walked in one place, ``advisor/fields.py``.

Every consumer (the form, the CSV columns, the trainer's sweeps and smallest change, what-if,
the rules' fact keys, the lint sample, the field documentation) reads the catalogue. A module that
reads a pydantic model's ``model_fields`` itself is either walking the profile again (move it to
the catalogue) or doing something the catalogue cannot; the latter are listed here, each with its
reason, line by line.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("advisor", "ui", "rules", "knowledge_base")
CATALOGUE = "advisor/fields.py"

# (file, the line's text stripped) -> why it may read ``model_fields`` itself
ALLOWED: dict[tuple[str, str], str] = {
    (
        "advisor/uncertain.py",
        "for name, info in model.model_fields.items():",
    ): "construct() builds the nested model classes without validation (model_construct); the "
    "catalogue holds paths and kinds, not the classes to construct",
    (
        "advisor/basis.py",
        'fields = getattr(model, "model_fields", None)',
    ): "is_profile_path() follows one dotted path down the models (no walk of every field)",
    (
        "advisor/basis.py",
        "known = set(FieldBasis.model_fields)",
    ): "the keys of one basis entry (FieldBasis), not of the profile",
    (
        "knowledge_base/validate.py",
        "for name in type(model).model_fields:",
    ): "walks the knowledge base's item models for their bilingual texts, not the profile",
}

_USE = re.compile(r"model_fields\b")


def _uses() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == CATALOGUE:
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if _USE.search(line) and not line.lstrip().startswith("#"):
                    found.append((rel, line.strip()))
    return found


def test_only_the_catalogue_walks_the_models() -> None:
    """No module outside advisor/fields.py reads ``model_fields`` unless listed with a reason."""
    unlisted = [f"{f}: {line}" for f, line in _uses() if (f, line) not in ALLOWED]
    assert not unlisted, (
        "read the field catalogue (advisor.fields: FIELDS, LEAVES, get, set_path, flatten, "
        "unflatten, values) instead of walking the models, or list the line in ALLOWED with "
        "its reason:\n  " + "\n  ".join(unlisted)
    )


def test_the_allow_list_is_current() -> None:
    """Every allowed line still exists (a stale entry would hide nothing and mislead)."""
    uses = set(_uses())
    stale = [f"{f}: {line}" for f, line in ALLOWED if (f, line) not in uses]
    assert not stale, "remove these entries from ALLOWED:\n  " + "\n  ".join(stale)


def test_the_catalogue_still_reads_the_models() -> None:
    """The check above can fail: the catalogue itself is found by the same search."""
    text = (ROOT / CATALOGUE).read_text(encoding="utf-8")
    assert _USE.search(text)


def test_the_form_shows_the_catalogue_s_fields() -> None:
    """The Assess form's fields are the catalogue's value fields (but schema_version), with the
    catalogue's kind, bounds and nullability (an optional level is offered as its levels)."""
    from advisor import fields
    from ui import profile_form

    form = profile_form.all_fields()
    assert [f.path for f in form] == [s.path for s in fields.LEAVES if s.path != "schema_version"]
    for f in form:
        s = fields.spec(f.path)
        assert (f.kind, f.low, f.high, f.optional) == (s.kind, s.low, s.high, s.nullable)
    assert [s.id for s in profile_form.sections() if s.optional] == list(fields.OPTIONAL_GROUPS)
