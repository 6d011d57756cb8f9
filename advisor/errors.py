"""The project's own errors. Nothing below the CLI or UI lets a library exception escape."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of an input: ``path`` is dotted (``funding.charity``).

    ``message`` is English; ``zh`` the same in Chinese where we have it (the UI shows the
    user's language; ``text(lang)`` falls back to English).
    """

    path: str
    message: str
    zh: str | None = None

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


def _humanise(err: dict) -> tuple[str, str]:
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
        return (
            f"unknown value {err.get('input')!r}; expected {expected}",
            f"无效取值 {err.get('input')!r}；可选值：{expected}",
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
    if kind == "blank_name":
        return msg, "名称不能为空"
    if kind in ("greater_than_equal", "greater_than"):
        return msg, f"须不小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return msg, f"须不大于 {ctx.get('le', ctx.get('lt'))}"
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
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err.get("loc", ()))
        en, zh = _humanise(err)
        out.append(FieldProblem(path=path, message=en, zh=zh))
    return out
