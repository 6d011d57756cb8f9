"""``advisor migrate`` and ``advisor schema --version 2``; assess and robustness read version 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from advisor.cli.main import main

DATA = Path(__file__).resolve().parent / "data"
PRESETS = Path(__file__).resolve().parents[2] / "knowledge_base" / "presets"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_migrate_changes_only_the_version_and_keeps_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Comments and layout survive; the original is kept as FILE.v1.bak; the assessment is the
    same before and after."""
    src = tmp_path / "sample.yaml"
    shutil.copy(DATA / "sample.yaml", src)
    before = src.read_text(encoding="utf-8")
    _, a1, _ = run(["assess", str(src)], capsys)
    code, out, _ = run(["migrate", str(src)], capsys)
    assert code == 0 and "1 -> 2" in out
    after = src.read_text(encoding="utf-8")
    assert (tmp_path / "sample.yaml.v1.bak").read_text(encoding="utf-8") == before

    def drop_version(text: str) -> list[str]:
        return [x for x in text.splitlines() if not x.strip().startswith("schema_version")]

    assert drop_version(after) == drop_version(before)
    assert yaml.safe_load(after)["schema_version"] == 2
    _, a2, _ = run(["assess", str(src)], capsys)
    assert a1 == a2
    code, out, _ = run(["migrate", str(src)], capsys)
    assert code == 0 and "already" in out


def test_migrate_json_and_a_preset_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON files and preset documents (profile under 'profile:') migrate too."""
    j = tmp_path / "p.json"
    data = yaml.safe_load((DATA / "sample.yaml").read_text(encoding="utf-8"))
    data["schema_version"] = 1
    j.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    code, _, _ = run(["migrate", "--no-backup", str(j)], capsys)
    assert code == 0 and json.loads(j.read_text(encoding="utf-8"))["schema_version"] == 2
    assert not (tmp_path / "p.json.v1.bak").exists()


def test_migrate_leaves_an_invalid_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid profile is reported by field and not rewritten."""
    bad = tmp_path / "bad.yaml"
    shutil.copy(DATA / "invalid.yaml", bad)
    before = bad.read_bytes()
    code, _, err = run(["migrate", str(bad)], capsys)
    assert code == 2 and "advisor:" in err
    assert bad.read_bytes() == before and not (tmp_path / "bad.yaml.v1.bak").exists()


def test_schema_version_2_allows_unknowns_ranges_and_sets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The version 2 JSON Schema takes null, {low, high} and lists where version 1 does not."""
    code, out, _ = run(["schema", "--version", "2"], capsys)
    assert code == 0
    s = json.loads(out)
    charity = s["$defs"]["Funding"]["properties"]["charity"]["anyOf"]
    assert {"type": "null", "description": "unknown"} in charity
    assert any(o.get("type") == "object" and "low" in o["properties"] for o in charity)
    control = s["$defs"]["Government"]["properties"]["control"]["anyOf"]
    assert any(o.get("type") == "array" for o in control)
    assert s["required"] == ["schema_version", "id", "name"]


def test_assess_reads_unknowns_and_lists_what_could_not_be_decided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A version 2 profile with unknowns: the JSON lists undecided conclusions and questions."""
    doc = yaml.safe_load((PRESETS / "case_y.yaml").read_text(encoding="utf-8"))["profile"]
    doc["schema_version"] = 2
    doc["human_resources"]["resident_awareness"] = None
    doc["funding"]["government_direct"] = {"low": 0.6, "high": 0.95}
    doc["funding"]["charity"] = None
    f = tmp_path / "y2.json"
    f.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    code, out, _ = run(["assess", str(f)], capsys)
    assert code == 0
    a = json.loads(out)
    assert a["uncertain_inputs"] and a["undecided"] and a["ask_next"]
    assert a["ask_next"][0]["field"] in a["uncertain_inputs"]
    undecided = {u["id"] for u in a["undecided"]}
    assert not undecided & {d["id"] for d in a["diagnoses"]}
    assert [x["rank"] for x in a["actions"]] == list(range(1, len(a["actions"]) + 1))
    code, out, _ = run(["assess", str(f), "--format", "md", "--lang", "zh"], capsys)
    assert code == 0 and "无法确定的结论" in out and "最值得先核实的信息" in out
    code, out, _ = run(["robustness", str(f), "--worlds", "60", "--lang", "en"], capsys)
    assert code == 0 and "undecided" in out
    code, _, err = run(["whatif", str(f), "--lever", "government_enabler"], capsys)
    assert code == 2 and "funding.charity" in err
