"""One shape for every refusal of the API, in both languages, never a traceback.

Every error response is ``{"error": {...}}`` with ``status``, a stable ``code``, a ``message``
``{"zh", "en"}`` and, for invalid input (422), ``problems``: one entry per field at fault with
its dotted ``path`` and the message in each language, exactly the lines ``advisor assess`` prints
for the same input (both come from :class:`advisor.errors.FieldProblem`). An unexpected failure is
logged with a short id and answered with a 500 that carries the id and nothing of the exception.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, cast

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.errors import AdvisorError, FieldProblem, ProfileError, problems_from_validation

log = logging.getLogger("advisor.api")


class ApiError(Exception):
    """A refusal with a status, a code and a bilingual message (and headers, e.g. Retry-After)."""

    def __init__(
        self,
        status: int,
        code: str,
        en: str,
        zh: str,
        *,
        problems: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.en = en
        self.zh = zh
        self.problems = problems
        self.headers = headers
        self.extra = extra or {}


def problem_json(p: FieldProblem) -> dict[str, Any]:
    """A field problem as the API returns it (``display`` is the CLI's ``path: message`` line)."""
    return {
        "path": p.path,
        "message": {"zh": p.text("zh"), "en": p.message},
        "display": {"zh": p.display("zh"), "en": str(p)},
    }


def error_body(
    status: int,
    code: str,
    en: str,
    zh: str,
    problems: list[FieldProblem] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": {"zh": zh, "en": en}}
    if problems is not None:
        body["problems"] = [problem_json(p) for p in problems]
    body.update(extra)
    return {"error": body}


def invalid(problems: list[FieldProblem]) -> ApiError:
    """The 422 for an input refused as a whole."""
    n = len(problems)
    return ApiError(
        422,
        "invalid_input",
        f"invalid input: {n} problem{'s' if n != 1 else ''}, listed by field path",
        f"输入无效：共 {n} 个问题，按字段路径列出",
        problems=problems,
    )


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"the request body is larger than the limit of {limit:,} bytes",
        f"请求内容超过上限 {limit:,} 字节",
    )


def to_response(exc: ApiError) -> JSONResponse:
    """The JSON response for ``exc``."""
    return _json(exc)


def _json(exc: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.status, exc.code, exc.en, exc.zh, exc.problems, **exc.extra),
        status_code=exc.status,
        headers=exc.headers,
    )


_HTTP_TEXT = {
    400: ("bad request", "请求有误"),
    401: ("missing or unknown API token", "缺少或无效的 API 令牌"),
    403: ("this token may not do that", "此令牌无权执行该操作"),
    404: ("no such address in this API", "API 中没有这个地址"),
    405: ("this address does not accept that method", "该地址不接受此请求方法"),
    406: ("cannot answer in the requested format", "无法以请求的格式回答"),
    413: ("the request body is too large", "请求内容过大"),
    415: ("unsupported content type", "不支持的内容类型"),
    429: ("too many requests", "请求过于频繁"),
}


def install(app: Any) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _json(exc)

    @app.exception_handler(ProfileError)
    async def _profile_error(_request: Request, exc: ProfileError) -> JSONResponse:
        return _json(invalid(exc.problems))

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # query and path parameters (a wrong ``format=``): same words as the CLI's field problems
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            if loc and loc[0] in ("query", "path", "header", "body"):
                loc = loc[1:]
            en, zh = _humanise(err)
            problems.append(FieldProblem(".".join(loc), en, zh))
        return _json(invalid(problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        en, zh = _HTTP_TEXT.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return _json(
            ApiError(
                exc.status_code,
                f"http_{exc.status_code}",
                en,
                zh,
                headers=cast("dict[str, str] | None", exc.headers),
            )
        )

    @app.exception_handler(AdvisorError)
    async def _advisor_error(_request: Request, exc: AdvisorError) -> JSONResponse:
        # an engine or knowledge-base failure the advisor raised on purpose: say what, no trace
        return _json(ApiError(500, "advisor_error", str(exc), f"评估失败：{exc}"))


def internal_error(request: Request | None, exc: BaseException) -> ApiError:
    """Log ``exc`` with a fresh id and return the 500 that names only the id."""
    eid = secrets.token_hex(6)
    where = f"{request.method} {request.url.path}" if request is not None else "stream"
    log.error("internal error %s in %s", eid, where, exc_info=exc)
    return ApiError(
        500,
        "internal_error",
        f"internal error; the server log has the details under id {eid}",
        f"服务器内部错误；服务器日志中的编号为 {eid}",
        extra={"id": eid},
    )


def _humanise(err: dict[str, Any]) -> tuple[str, str]:
    from advisor.errors import _humanise as humanise

    return humanise(err)


__all__ = [
    "ApiError",
    "error_body",
    "install",
    "internal_error",
    "invalid",
    "problem_json",
    "problems_from_validation",
    "too_large",
]
