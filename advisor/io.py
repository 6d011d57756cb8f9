"""Reading case profiles from JSON or YAML files, strings or stdin, with clear refusals."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.errors import FieldProblem, ProfileError, problems_from_validation
from advisor.models import CaseProfile

MAX_BYTES = 1_000_000


def _value_problem(fmt: str, exc: ValueError) -> FieldProblem:
    if "digits" in str(exc):
        return FieldProblem(
            "",
            f"malformed {fmt}: a number has more than 4,300 digits",
            f"{fmt} 中有超过 4,300 位的数字",
        )
    return FieldProblem("", f"malformed {fmt}: {exc}", f"{fmt} 格式错误：{exc}")


def parse_document(raw: bytes, source: str = "input") -> Any:
    """Parse JSON or YAML bytes into plain data; raise ProfileError for anything unreadable."""
    if len(raw) > MAX_BYTES:
        raise ProfileError(
            [
                FieldProblem(
                    "",
                    f"the file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                    f"文件大小为 {len(raw):,} 字节，上限为 {MAX_BYTES:,} 字节",
                )
            ],
            source,
        )
    if b"\x00" in raw:
        raise ProfileError(
            [
                FieldProblem(
                    "",
                    "this is a binary file, not JSON or YAML",
                    "这是二进制文件，不是 JSON 或 YAML",
                )
            ],
            source,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            [
                FieldProblem(
                    "",
                    f"the file is not UTF-8 text (byte {exc.start})",
                    f"文件不是 UTF-8 文本（第 {exc.start} 字节）",
                )
            ],
            source,
        ) from None
    if not text.strip():
        raise ProfileError([FieldProblem("", "the file is empty", "文件是空的")], source)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except RecursionError:
            raise ProfileError(
                [FieldProblem("", "the JSON is nested too deeply", "JSON 嵌套层数过多")], source
            ) from None
        except json.JSONDecodeError as exc:
            raise ProfileError(
                [
                    FieldProblem(
                        "",
                        f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                        f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）",
                    )
                ],
                source,
            ) from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise ProfileError([_value_problem("JSON", exc)], source) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ProfileError(
            [
                FieldProblem(
                    "", f"malformed YAML{where}: {problem}", f"YAML 格式错误{where}：{problem}"
                )
            ],
            source,
        ) from None
    except RecursionError:
        raise ProfileError(
            [FieldProblem("", "the YAML is nested too deeply", "YAML 嵌套层数过多")], source
        ) from None
    except ValueError as exc:  # e.g. a date out of range, an integer of 4,300+ digits
        raise ProfileError([_value_problem("YAML", exc)], source) from None


def profile_from_data(data: Any, source: str | None = None) -> CaseProfile:
    """Validate plain data as a case profile; raise ProfileError listing every problem."""
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ProfileError(
            [
                FieldProblem(
                    "",
                    f"expected a mapping of fields (a JSON object), got {kind}",
                    "应为一组字段（JSON 对象）",
                )
            ],
            source,
        )
    try:
        return CaseProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(problems_from_validation(exc), source) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise ProfileError([FieldProblem("", str(exc))], source) from None


def load_profile(path: str | Path) -> CaseProfile:
    """Read a profile from a file path, or from stdin when ``path`` is ``-``."""
    if str(path) == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        source = "stdin"
    else:
        p = Path(path)
        source = str(p)
        if not p.exists():
            raise ProfileError([FieldProblem("", "no such file", "文件不存在")], source)
        if p.is_dir():
            raise ProfileError(
                [
                    FieldProblem(
                        "", "this is a folder, not a profile file", "这是文件夹，不是档案文件"
                    )
                ],
                source,
            )
        try:
            with p.open("rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ProfileError(
                [FieldProblem("", f"cannot read the file: {exc.strerror}", "无法读取文件")], source
            ) from None
    return profile_from_data(parse_document(raw, source), source)


def profile_data(profile: CaseProfile) -> dict[str, Any]:
    """The profile as contract data, with its optional ``basis`` map when it has one (the model
    leaves the basis out of ``model_dump``)."""
    data = profile.model_dump(mode="json")
    if profile.basis:
        data["basis"] = {
            path: entry.model_dump(mode="json", exclude_defaults=True)
            for path, entry in profile.basis.items()
        }
    return data


def profile_to_yaml(profile: CaseProfile) -> str:
    """Serialise a profile as YAML with the contract's field order (and its basis, if any)."""
    return yaml.safe_dump(profile_data(profile), allow_unicode=True, sort_keys=False)


def profile_to_json(profile: CaseProfile) -> str:
    """Serialise a profile as JSON (and its basis, if any)."""
    return json.dumps(profile_data(profile), ensure_ascii=False, indent=2) + "\n"
