"""Domain wording for the UI, read from the advisor and the knowledge base (never written here).

Field labels, help texts and value labels come from ``knowledge_base.fields`` (through
``advisor.vocabulary``, so the page and the reports say the same thing); the vocabulary of the
assessment (actors, phases, stages, dimensions, asymmetry levels, provenance) from its
catalogue. When a field has no documentation yet, its dotted path is shown rather than invented
text.
"""

from __future__ import annotations

from typing import Any

from advisor import vocabulary
from ui.i18n import bi, current_lang


def _field_doc(path: str) -> Any:
    try:
        from knowledge_base.fields import field_doc
    except ImportError:
        return None
    try:
        return field_doc(path)
    except Exception:  # an undocumented path has no help; the label falls back to the path
        return None


def _pick(obj: Any, *names: str) -> Any:
    for name in names:
        val = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if val is not None:
            return val
    return None


def field_label(path: str, lang: str | None = None) -> str:
    """The field's label in ``lang`` (default: the session's language)."""
    return vocabulary.field_label(path, lang or current_lang())


def field_help(path: str) -> str | None:
    """The field's help text (with the paper's section when known), or None."""
    doc = _field_doc(path)
    if doc is None:
        return None
    text = bi(_pick(doc, "help", "description"))
    sections = _pick(doc, "sections", "section")
    if sections and text:
        refs = ", ".join(str(s) for s in sections) if isinstance(sections, list) else str(sections)
        text = f"{text}  \n[{refs}]"
    return text or None


def value_label(path: str, value: Any, lang: str | None = None) -> str:
    """A field value as the user reads it (enum label, level label, yes/no; a share in %, as
    the form takes it: 0.333 is "33.3%")."""
    if is_share(path) and isinstance(value, int | float) and not isinstance(value, bool):
        from ui.profile_form import share_to_percent

        return f"{share_to_percent(value):g}%"
    return vocabulary.value_label(path, value, lang or current_lang())


def is_share(path: str) -> bool:
    """Whether the field at ``path`` is a share (0-1 in the profile, shown in %)."""
    from advisor import fields

    spec = fields.FIELDS.get(path)
    return spec is not None and spec.kind == "share"


def vocab(namespace: str, key: Any) -> str:
    """A term of the assessment's vocabulary (``actor``, ``phase``, ``dimension``, ``level``)."""
    return vocabulary.label(namespace, key, current_lang())
