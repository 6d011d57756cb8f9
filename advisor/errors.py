"""The project's own errors. Nothing below the CLI or UI lets a library exception escape."""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

EXCERPT_CHARS = 60
MESSAGE_CHARS = 600
MAX_PROBLEMS = 50

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 4
_REPR.maxstring = EXCERPT_CHARS
_REPR.maxother = EXCERPT_CHARS
_REPR.maxlong = 40


def excerpt(value: Any, limit: int = EXCERPT_CHARS, quote: bool = True) -> str:
    """A short excerpt of any input for a message: at most ``limit`` characters, never a full
    ``repr`` of a large or nested value (whose expansion alone could exhaust memory)."""
    try:
        if isinstance(value, str | BaseException) and not quote:
            text = str(value)
        elif isinstance(value, str):
            text = repr(value[: limit + 1])
        else:
            text = _REPR.repr(value)
    except Exception:  # a hostile object's repr must not take the message down
        text = f"<{type(value).__name__}>"
    text = " ".join(text[: limit * 2].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of an input: ``path`` is dotted (``funding.charity``).

    ``message`` is English; ``zh`` the same in Chinese where we have it (the UI shows the
    user's language; ``text(lang)`` falls back to English).
    """

    path: str
    message: str
    zh: str | None = None

    def __post_init__(self) -> None:
        # No message quotes more than a bounded part of what the user sent.
        for name in ("path", "message", "zh"):
            value = getattr(self, name)
            if isinstance(value, str) and len(value) > MESSAGE_CHARS:
                object.__setattr__(self, name, value[: MESSAGE_CHARS - 1] + "…")

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def text(self, lang: str = "en") -> str:
        """The message alone, in ``lang`` (zh or en)."""
        return self.zh if lang == "zh" and self.zh else self.message

    def display(self, lang: str = "en") -> str:
        """``path: message`` in ``lang``."""
        msg = self.text(lang)
        sep = "：" if lang == "zh" else ": "
        return f"{self.path}{sep}{msg}" if self.path else msg


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""


class ProfileError(AdvisorError):
    """A case profile was refused as a whole; ``problems`` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "invalid case profile\n" + "\n".join(f"  - {p}" for p in problems))


class EngineError(AdvisorError):
    """The rules engine failed; the message says what and the assessment is not half-used."""


class KnowledgeBaseError(AdvisorError):
    """The knowledge base is not sound (see ``advisor kb validate``)."""


_SHARE_GROUP_ZH = {"funding": "资金来源", "recruitment": "志愿者招募来源"}


def _humanise(err: Mapping[str, Any]) -> tuple[str, str]:
    """A pydantic error in words, (en, zh)."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if kind == "missing":
        return "required field is missing", "缺少必填字段"
    if kind == "extra_forbidden":
        return "unknown field (not part of schema_version 1)", "未知字段（不属于第 1 版档案格式）"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        shown = excerpt(err.get("input"))
        return (
            f"unknown value {shown}; expected {expected}",
            f"无效取值 {shown}；可选值：{expected}",
        )
    if kind == "string_pattern_mismatch":
        return (
            "must be 1-64 characters of a-z, 0-9, '-' and '_'",
            "须为 1–64 个字符，只能使用 a-z、0-9、“-”和“_”",
        )
    if kind == "shares_sum":
        what = str(ctx.get("what", ""))
        return msg, f"{_SHARE_GROUP_ZH.get(what, what)}各项比例之和为 {ctx.get('total')}，应为 1"
    if kind == "core_above_volunteers":
        return msg, f"骨干志愿者人数（{ctx.get('core')}）多于志愿者总数（{ctx.get('total')}）"
    if kind == "schema_version_type":
        return msg, f"须为整数 1，而不是 {ctx.get('value')}"
    if kind == "blank_name":
        return msg, "名称不能为空"
    if kind in ("greater_than_equal", "greater_than"):
        return msg, f"须不小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return msg, f"须不大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "int_type":
        return (
            "must be a whole number such as 3 (not true/false, text in quotes or 3.0)",
            "须为整数，例如 3（不能是 true/false、带引号的文字或 3.0）",
        )
    if kind == "float_type":
        return (
            "must be a number such as 0.25 (not true/false or text in quotes)",
            "须为数字，例如 0.25（不能是 true/false 或带引号的文字）",
        )
    if kind == "bool_type":
        return (
            "must be true or false (not yes/no, on/off, 1/0 or text)",
            "须为 true 或 false（不能是 yes/no、on/off、1/0 或文字）",
        )
    if kind.startswith("int_"):
        return msg, "须为整数"
    if kind.startswith("float_"):
        return msg, "须为数字"
    if kind.startswith("bool_"):
        return msg, "须为是或否（true/false）"
    if kind.startswith("date_"):
        return msg, "须为日期，格式 YYYY-MM-DD"
    if kind == "string_too_short":
        return "must not be empty", "不能为空"
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return f"is too long (at most {n} characters)", f"过长（最多 {n} 个字符）"
    if kind in ("string_type", "model_type", "dict_type", "model_attributes_type"):
        return msg, "类型不对：" + ("须为文字" if kind == "string_type" else "须为一组字段")
    if kind.startswith("enum"):
        return msg, "无效取值"
    return msg, f"无效：{msg}"


def problems_from_validation(exc: ValidationError) -> list[FieldProblem]:
    """Turn pydantic's errors into field problems with dotted paths, in input order."""
    out: list[FieldProblem] = []
    errors = exc.errors(include_url=False)
    for err in errors[:MAX_PROBLEMS]:
        path = ".".join(excerpt(p, quote=False) for p in err.get("loc", ()))
        en, zh = _humanise(err)
        out.append(FieldProblem(path=path, message=en, zh=zh))
    if len(errors) > MAX_PROBLEMS:
        more = len(errors) - MAX_PROBLEMS
        out.append(FieldProblem("", f"and {more:,} more problems", f"另有 {more:,} 个问题"))
    return out


def os_error_text(exc: OSError) -> str:
    """An operating-system error in plain words: what failed, on which file (no traceback)."""
    import errno

    name = f"{exc.filename}: " if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"{name}the disk is full (no space left on the device)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{name}permission denied (the file or its folder is not writable or readable)"
    if exc.errno == errno.EROFS:
        return f"{name}the file system is read-only"
    if exc.errno == errno.ENOENT:
        return f"{name}no such file or folder"
    return f"{name}{exc.strerror or type(exc).__name__}"
