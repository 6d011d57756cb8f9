"""Every batch record is one line, whatever Unicode a case name holds."""

import json

from advisor.batch import RawRow, assess_row
from advisor.pipeline import preset


def test_a_name_with_unicode_line_separators_stays_on_one_line() -> None:
    """U+0085, U+2028 and U+2029 in a case name are escaped, so splitlines() sees one record."""
    data = preset("case-h").model_dump(mode="json")
    data["name"] = "H\x85中心\u2028第二行\u2029end"
    row = RawRow(line=1, source="in.jsonl", payload=json.dumps(data, ensure_ascii=False))
    line, _ = assess_row("jsonl", (), row)
    text = line.decode("utf-8")
    assert len(text.splitlines()) == 1
    assert json.loads(text)["profile_name"] == data["name"]
