"""Reading case profiles from JSON or YAML files, strings or stdin, with clear refusals; the
paper's two cases as presets."""

from __future__ import annotations

import datetime as dt
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.basis import from_preset
from advisor.errors import (
    FieldProblem,
    KnowledgeBaseError,
    ProfileError,
    excerpt,
    problems_from_validation,
)
from advisor.models import CaseProfile
from advisor.safefile import UnsafePathError, read_bounded
from advisor.safeparse import InputRefused, load_json, load_yaml
from advisor.uncertain import read_profile

MAX_BYTES = 1_000_000


def _value_problem(fmt: str, exc: ValueError) -> FieldProblem:
    if "digits" in str(exc):
        return FieldProblem(
            "",
            f"malformed {fmt}: a number has more than 4,300 digits",
            f"{fmt} 中有超过 4,300 位的数字",
        )
    msg = excerpt(exc, 200, quote=False)
    return FieldProblem("", f"malformed {fmt}: {msg}", f"{fmt} 格式错误：{msg}")


def _refused(fmt: str, exc: InputRefused) -> FieldProblem:
    return FieldProblem(
        "", f"{fmt} refused{exc.where()}: {exc.en}", f"{fmt} 不符合要求{exc.where('zh')}：{exc.zh}"
    )


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
            return load_json(text)
        except InputRefused as exc:
            raise ProfileError([_refused("JSON", exc)], source) from None
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
        return load_yaml(text)
    except InputRefused as exc:
        raise ProfileError([_refused("YAML", exc)], source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        where_zh = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else ""
        problem = excerpt(getattr(exc, "problem", None) or "cannot be parsed", 200, quote=False)
        raise ProfileError(
            [
                FieldProblem(
                    "", f"malformed YAML{where}: {problem}", f"YAML 格式错误{where_zh}：{problem}"
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


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):  # a date widget's value; a datetime stays refused
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a profile value")


def profile_from_data(data: Any, source: str | None = None, *, strict: bool = True) -> CaseProfile:
    """Validate plain data as a case profile; raise ProfileError listing every problem.

    ``strict`` (the default, for data read from JSON or YAML and for the UI's form) takes every
    value as the type it has: ``true`` is not the number 1, ``1`` or ``"yes"`` is not a yes/no,
    ``"0.5"`` is not a number, ``1.0`` is not a whole number; dates are ``YYYY-MM-DD`` text.
    ``strict=False`` is for CSV, whose cells are all text and are converted by the model.
    """
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
    if data.get("schema_version") == 2:  # unknowns and ranges (advisor/uncertain.py)
        up = read_profile(data, source)
        if up.is_certain():
            return up.central()
        raise ProfileError(
            [
                FieldProblem(
                    path,
                    "unknown or a range: this needs every field known (advisor assess and "
                    "advisor robustness accept unknowns and ranges)",
                    "不清楚或为范围：此处需要每个字段都已知（advisor assess 与 advisor robustness "
                    "可以接受不清楚的信息和范围）",
                )
                for path in up.uncertain
            ],
            source,
        )
    try:
        if not strict:
            return CaseProfile.model_validate(data)
        try:
            text = json.dumps(data, default=_json_default, allow_nan=True)
        except (TypeError, ValueError) as exc:
            raise ProfileError([FieldProblem("", excerpt(exc, 200, quote=False))], source) from None
        return CaseProfile.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise ProfileError(problems_from_validation(exc), source) from None
    except RecursionError:
        problem = FieldProblem("", "nested too deeply", "嵌套层数过多")
        raise ProfileError([problem], source) from None
    except (ValueError, TypeError) as exc:
        raise ProfileError([FieldProblem("", excerpt(exc, 200, quote=False))], source) from None


def load_profile(path: str | Path) -> CaseProfile:
    """Read a profile from a file path, or from stdin when ``path`` is ``-``."""
    data, source = read_document(path)
    return profile_from_data(data, source)


def load_uncertain_profile(path: str | Path) -> Any:
    """Read a version 1 or 2 profile (unknowns and ranges allowed) as an
    ``advisor.uncertain.UncertainProfile``; ``-`` is stdin."""

    data, source = read_document(path)
    if not isinstance(data, dict):
        profile_from_data(data, source)  # raises the usual message
    return read_profile(data, source)


def read_document(path: str | Path) -> tuple[Any, str]:
    """The parsed JSON/YAML document of a file (or stdin for ``-``) and its source name."""
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
        try:  # a regular file only: a FIFO would block for ever, a device never end
            raw = read_bounded(p, MAX_BYTES)
        except UnsafePathError as exc:
            raise ProfileError([FieldProblem("", exc.en, exc.zh)], source) from None
        except OSError as exc:
            raise ProfileError(
                [FieldProblem("", f"cannot read the file: {exc.strerror}", "无法读取文件")], source
            ) from None
    return parse_document(raw, source), source


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


# --------------------------------------------------------------------------- presets

PRESET_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "presets"
#: The paper's two cases (section 4.2) as profiles: name -> file.
PRESETS: dict[str, Path] = {
    "case-h": PRESET_DIR / "case_h.yaml",
    "case-y": PRESET_DIR / "case_y.yaml",
}


@lru_cache(maxsize=8)
def preset_doc(name: str) -> dict[str, Any]:
    """The preset file of the paper's case ``name``: its profile and the basis of its values."""
    path = PRESETS.get(name)
    if path is None:
        raise ProfileError(
            [FieldProblem("preset", f"unknown preset {name!r}; expected one of {sorted(PRESETS)}")]
        )
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("profile"), dict):
        raise KnowledgeBaseError(f"{path.name}: expected a mapping with a 'profile'")
    return doc


def preset(name: str, *, with_basis: bool = False) -> CaseProfile:
    """The paper's case ``name`` (``case-h`` or ``case-y``) as a profile (a fresh copy).

    ``with_basis``: attach the basis of each value from the preset file (``advisor.basis``), bound
    to the preset's values, so that reports show which values are the paper's facts and which our
    assumptions (a value changed later has none)."""
    doc = preset_doc(name)
    profile = profile_from_data(doc["profile"], source=f"preset {name}")
    raw = doc.get("basis")
    if with_basis and isinstance(raw, dict) and raw and profile.basis is None:
        profile.basis = from_preset(raw, profile)
    return profile


def preset_basis(name: str) -> dict[str, Any]:
    """Per field of a preset, its basis: a fact of the paper (section, quote) or an assumption."""
    return dict(preset_doc(name).get("basis") or {})
