"""Code health of the layout: one concept a rule file, named by its knowledge-base id, each with
its mirrored rule-test file (issue 14 item 3: a piece of advice is found by path alone)."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge_base.loader import load_kb
from rules.dsl import DEFINITIONS_DIR, KIND_DIRS, definition_files, read_definitions

CASES = Path(__file__).resolve().parent / "cases"
KIND_OF_DIR = {"diagnoses": "diagnosis", "actions": "action", "guards": "guard"}


def _ids(kind: str) -> set[str]:
    return {i.id for i in load_kb().by_kind(kind)}


def test_every_rule_file_is_named_by_what_its_rules_conclude() -> None:
    """``diagnoses/<id>.yaml`` and ``actions/<id>.yaml`` hold only rules of that kind concluding
    ``<id>``; ``guards/<id>.yaml`` holds the one guard rule ``guard_<id>``."""
    for name, doc in read_definitions():
        folder, _, file = name.partition("/")
        stem = file.removesuffix(".yaml")
        assert folder in KIND_DIRS, name
        assert isinstance(doc, list) and doc, f"{name}: no rules"
        for raw in doc:
            assert raw["kind"] == KIND_OF_DIR[folder], (name, raw["id"])
            if folder == "guards":
                assert raw["id"] == f"guard_{stem}", (name, raw["id"])
            else:
                assert raw["concludes"] == stem, (name, raw["id"], raw["concludes"])
        if folder == "guards":
            assert len(doc) == 1, f"{name}: one guard a file"


def test_rule_files_and_knowledge_base_ids_match_both_ways() -> None:
    """Every diagnosis and action of the knowledge base has its rule file, and every diagnosis
    or action rule file is named by a knowledge-base id; a guard concludes a known action."""
    stems = {d: {p.stem for p in (DEFINITIONS_DIR / d).glob("*.yaml")} for d in KIND_DIRS}
    assert stems["diagnoses"] == _ids("diagnosis")
    assert stems["actions"] == _ids("action")
    for name, doc in read_definitions():
        if name.startswith("guards/"):
            for raw in doc:
                assert raw.get("concludes") is None or raw["concludes"] in _ids("action"), name


def test_the_load_order_lists_only_existing_files_and_covers_all_shipped_ones() -> None:
    """``order.yaml`` names each shipped rule file once (it freezes today's load order)."""
    order = yaml.safe_load((DEFINITIONS_DIR / "order.yaml").read_text(encoding="utf-8"))
    listed = [f"{k}/{s}.yaml" for k in KIND_DIRS for s in order[k]]
    files = [p.relative_to(DEFINITIONS_DIR).as_posix() for p in definition_files()]
    assert listed == files
    assert len(set(listed)) == len(listed)


def _expects(path: Path, concept: str, folder: str) -> tuple[bool, bool]:
    """Whether some case of the file expects ``concept`` (a diagnosis or an action, by
    ``folder``) concluded, and some expects it not concluded."""
    pos, neg, exact = (folder, f"not_{folder}", f"exact_{folder}")
    present = absent = False
    for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        exp = case.get("expect", {})
        present |= concept in exp.get(pos, []) or concept in exp.get(exact, [])
        absent |= concept in exp.get(neg, []) or (exact in exp and concept not in exp[exact])
    return present, absent


def test_every_diagnosis_and_action_has_its_mirrored_rule_tests_both_ways() -> None:
    """``tests/rules/cases/diagnoses/<id>.yaml`` and ``actions/<id>.yaml`` exist for every
    diagnosis and action, name no unknown id, and hold a case where the concept must be
    concluded and one where it must not."""
    for folder, kind in (("diagnoses", "diagnosis"), ("actions", "action")):
        files = {p.stem: p for p in (CASES / folder).glob("*.yaml")}
        assert set(files) == _ids(kind), folder
        for concept, path in files.items():
            present, absent = _expects(path, concept, folder)
            assert present, f"{path.name}: no case expects {concept}"
            assert absent, f"{path.name}: no case rules {concept} out"
