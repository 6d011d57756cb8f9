"""The case profile model refuses bad input as a whole, naming every field at fault."""

import pytest

from advisor.errors import ProfileError
from advisor.io import parse_document, profile_from_data


def test_every_problem_is_listed_by_field_path() -> None:
    """Shares that do not sum to 1, too many core volunteers and unknown keys are all named."""
    data = {
        "id": "ok",
        "name": "x",
        "funding": {
            "government_direct": 0.9,
            "government_via_third_party": 0.8,
            "third_party_own": 0,
            "charity": 0,
            "residents": 0,
            "self_generated": 0,
        },
        "human_resources": {
            "volunteers": 3,
            "core_volunteers": 5,
            "recruited_by": {"government": 1, "third_party": 0, "self": 0},
            "leadership": "boss",
            "resident_awareness": 2,
        },
        "surprise": 1,
    }
    with pytest.raises(ProfileError) as info:
        profile_from_data(data)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "funding: funding shares sum to 1.70, expected 1" in text
    assert "human_resources.core_volunteers: 5 core volunteers is more than the 3" in text
    assert "human_resources.leadership: unknown value 'boss'" in text
    assert "surprise: unknown field" in text
    assert "force_type: required field is missing" in text


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02", "binary"),
        (b"{ not json", "malformed JSON"),
        (b"a: [1, 2", "malformed YAML"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        (b"x" * 1_000_001, "limit"),
    ],
)
def test_unreadable_documents_get_a_clear_message(raw: bytes, needle: str) -> None:
    """Empty, binary, malformed and oversized input is refused with a message saying why."""
    with pytest.raises(ProfileError) as info:
        profile_from_data(parse_document(raw, "f.yaml"), "f.yaml")
    assert needle in str(info.value)


def test_problems_have_chinese_messages_too() -> None:
    """Every field problem of a profile carries a Chinese message for the Chinese interface."""
    with pytest.raises(ProfileError) as info:
        profile_from_data({"id": "ok", "name": "x", "surprise": 1, "linkage": "seven"})
    by_path = {p.path: p for p in info.value.problems}
    assert by_path["surprise"].text("zh") == "未知字段（不属于第 1 版档案格式）"
    assert by_path["force_type"].text("zh") == "缺少必填字段"
    assert "无效取值 'seven'" in by_path["linkage"].text("zh")
    assert by_path["linkage"].text("en").startswith("unknown value 'seven'")
    assert by_path["linkage"].display("zh").startswith("linkage：")
