"""Code health: every trainer string the code asks for exists in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from advisor.trainer.text import strings
from ui.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
TR = re.compile(r"""\b(?:tr|bitext)\(\s*f?["']([a-z_.]+)["']""")
T = re.compile(r"""\bt\(\s*["'](trainer\.[a-z_.]+)["']""")


def _sources(*globs: str) -> list[Path]:
    return [p for g in globs for p in sorted(ROOT.glob(g))]


def test_every_advisor_trainer_key_exists_in_both_languages() -> None:
    """tr()/bitext() keys in the trainer modules, CLI and templates are all in strings.yaml."""
    table = strings()
    used: set[str] = set()
    files = _sources(
        "advisor/trainer/*.py",
        "advisor/cli/trainer.py",
        "advisor/templates/exercise_handout.*.j2",
        "advisor/templates/roadmap.*.j2",
    )
    for path in files:
        for key in TR.findall(path.read_text("utf-8")):
            if not key.endswith("."):  # f-string prefixes are checked below
                used.add(key)
    assert len(used) > 30
    missing = sorted(k for k in used if k not in table)
    assert not missing, f"missing in advisor/trainer/strings.yaml: {missing}"
    for rule in ("stage_order", "coproduction_cycle", "guard_later"):
        assert f"roadmap.rule.{rule}" in table
    for key, entry in table.items():
        assert entry["zh"].strip() and entry["en"].strip(), key


def test_every_trainer_page_key_exists_in_both_languages() -> None:
    """t("trainer....") keys used by the pages are in ui/locales/trainer.yaml, zh and en."""
    cat = catalogue()
    used = {
        k
        for p in _sources("ui/views/trainer_*.py", "ui/app.py")
        for k in T.findall(p.read_text("utf-8"))
        if not k.endswith(".")
    }
    assert len(used) > 40
    missing = sorted(k for k in used if k not in cat)
    assert not missing, f"missing in ui/locales/trainer.yaml: {missing}"
    for key in [k for k in cat if k.startswith("trainer.")]:
        assert cat[key]["zh"].strip() and cat[key]["en"].strip(), key
