"""The FastAPI application of ``advisor serve``.

Every endpoint calls the functions the CLI calls (``advisor.io`` to read a profile,
``advisor.pipeline.assess``, ``advisor.report.render``, ``advisor.whatif``, ``advisor.batch``,
``advisor.store``), so the API and the CLI answer byte for byte alike. Profiles are read from the
raw request body with the CLI's own reader (JSON, or YAML with ``Content-Type: application/yaml``),
so a refused profile lists the very problems ``advisor assess`` prints; the OpenAPI document still
describes the body with the CLI's pydantic model (``advisor schema``), added to its components.
"""

# no `from __future__ import annotations`: FastAPI reads the local Annotated aliases at runtime

import difflib
import json
import logging
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from advisor import __version__
from advisor.api import errors as api_errors
from advisor.api.auth import (
    Principal,
    TokenBucket,
    bucket_from_env,
    forbidden,
    is_open,
    may,
    too_many,
    unauthorised,
)
from advisor.api.errors import ApiError, internal_error, invalid, to_response, too_large
from advisor.api.tokens import TokenStore
from advisor.errors import FieldProblem, ProfileError, problems_from_validation
from advisor.io import MAX_BYTES, parse_document, profile_from_data
from advisor.models import Assessment, BiText, CaseProfile
from advisor.whatif import LEVERS, MAX_VARIANTS, Comparison, apply_change, apply_lever, compare

log = logging.getLogger("advisor.api")

Format = Literal["json", "md", "html"]
Lang = Literal["zh", "en"]
MEDIA = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "yaml": "application/yaml; charset=utf-8",
}
BATCH_CHUNK = 32  # rows assessed per trip to the thread pool
BATCH_MAX_ROWS = 10_000
BATCH_SPOOL_BYTES = 4 << 20  # results beyond this wait on disk, not in memory
DOCS_ASSETS = "/docs/assets"


# --------------------------------------------------------------------------- request models


# The request envelope refers to the CLI's CaseProfile; the marker becomes a $ref in openapi().
_PROFILE_MARK = {"type": "object", "x-advisor-model": "CaseProfile"}
ProfileOrPreset = Annotated[
    dict[str, Any] | str,
    WithJsonSchema(
        {
            "anyOf": [
                _PROFILE_MARK,
                {"type": "string", "description": "a preset's name: case-h or case-y"},
            ]
        }
    ),
]
ProfileData = Annotated[dict[str, Any], WithJsonSchema(_PROFILE_MARK)]
LeverName = Literal[tuple(LEVERS)]  # type: ignore[valid-type]


class WhatifRequest(BaseModel):
    """A baseline and up to four variants: profiles, the paper's levers, or field changes.

    Like ``advisor whatif BASELINE [VARIANT...] [--lever NAME...] [--set PATH=VALUE...]``: every
    entry of ``set`` together makes one variant of the baseline.
    """

    model_config = ConfigDict(extra="forbid")

    baseline: ProfileOrPreset
    variants: list[ProfileData] = Field(default_factory=list)
    levers: list[LeverName] = Field(default_factory=list)  # type: ignore[valid-type]
    set: dict[str, Any] = Field(default_factory=dict)


class JoinRequest(BaseModel):
    """A trainee joining a live class."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)


class RankingRequest(BaseModel):
    """A trainee's ranking: every action id of the class once, the first the one to do first."""

    model_config = ConfigDict(extra="forbid")

    ranking: list[str] = Field(max_length=100)


class CaseOut(BaseModel):
    """A saved case at a version (send the version back to update or delete it)."""

    id: str
    name: str
    version: int
    created_at: str
    updated_at: str
    owner: str = Field(description="the organisation the case belongs to")
    access: str = Field(description="owner, edit (shared editable) or read (shared read-only)")
    profile: dict[str, Any]


# --------------------------------------------------------------------------- helpers


async def read_body(request: Request, limit: int = MAX_BYTES) -> bytes:
    """The whole request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


def _parse(raw: bytes) -> Any:
    return parse_document(raw, "request body")


def _profile(raw: bytes) -> CaseProfile:
    """The CLI's reading of a profile file, from a request body."""
    return profile_from_data(_parse(raw), "request body")


def _prefixed(prefix: str, problems: list[FieldProblem]) -> list[FieldProblem]:
    return [
        FieldProblem(f"{prefix}.{p.path}" if p.path else prefix, p.message, p.zh) for p in problems
    ]


def _preset_names() -> list[str]:
    from advisor.pipeline import PRESETS

    return list(PRESETS)


def _preset(name: str) -> CaseProfile:
    from advisor.pipeline import preset

    return preset(name, with_basis=True)  # as the CLI: each value with what it rests on


def _not_found(what_en: str, what_zh: str, key: str, candidates: list[str]) -> ApiError:
    close = difflib.get_close_matches(key, candidates, n=5, cutoff=0.5)
    return ApiError(
        404,
        "not_found",
        f"no {what_en} {key!r}" + (f"; did you mean {', '.join(close)}?" if close else ""),
        f"没有{what_zh} {key!r}" + (f"；是否要找：{'、'.join(close)}？" if close else ""),
        extra={"suggestions": close},
    )


def _schema_components(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``model``'s JSON Schema as ``advisor schema`` prints it, its $defs as OpenAPI components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return schema, defs


# --------------------------------------------------------------------------- the application


def create_app(db_path: str | Path | None = None, bucket: TokenBucket | None = None) -> FastAPI:
    """Build the API. ``db_path``: the case library and tokens (default ``$ADVISOR_DB``)."""
    app = FastAPI(
        title="Co-production advisor API",
        version=__version__,
        description=(
            "Assess a community volunteer force's dependence on government and get the action "
            "framework of Gao Ya (2024), as `advisor assess` does. Send "
            "`Authorization: Bearer <token>` (`advisor tokens create`); a local install started "
            "with `ADVISOR_API_OPEN=1` opens the assessment endpoints without a token. Every "
            'error is `{"error": {status, code, message: {zh, en}, problems?}}`.'
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.db_path = db_path
    app.state.bucket = bucket if bucket is not None else bucket_from_env()
    app.state.tokens = None
    app.state.store = None
    api_errors.install(app)

    app.add_middleware(NoTraceback)

    opening = threading.Lock()

    def store() -> Any:
        """The case library (one engine for the app's life, opened on first use)."""
        if app.state.store is None:
            from advisor.store import CaseStore

            with opening:
                if app.state.store is None:
                    app.state.store = _store_call(lambda: CaseStore(app.state.db_path))
        return app.state.store

    def tokens() -> TokenStore:
        if app.state.tokens is None:
            app.state.tokens = TokenStore(store())
        return app.state.tokens

    def cases(who: Principal) -> Any:
        """The case library as ``who`` sees it: the very store calls the web UI makes."""
        return store().as_principal(who)

    # -- who is calling

    async def principal(
        request: Request,
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Principal | None:
        who: Principal | None = None
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise unauthorised(missing=False)
            token = token.strip()
            found, info = (False, None)
            if app.state.tokens is not None:  # the common case: no thread, no database
                found, info = app.state.tokens.cached(token)
            if not found:
                info = await run_in_threadpool(_store_call, lambda: tokens().verify(token))
            if info is None:
                raise unauthorised(missing=False)
            who = info.principal()
        key = (
            who.username
            if who is not None
            else f"addr:{request.client.host if request.client else '?'}"
        )
        wait = app.state.bucket.take(key)
        if wait:
            raise too_many(wait)
        return who

    def require(permission: str) -> Any:
        async def check(who: Annotated[Principal | None, Depends(principal)]) -> Principal | None:
            if who is None:
                if permission == "assess" and is_open():
                    return who
                raise unauthorised(missing=True)
            if not may(who, permission):
                raise forbidden(who, permission)
            return who

        return check

    Caller = Annotated[Principal | None, Depends(principal)]
    Assessor = Annotated[Principal | None, Depends(require("assess"))]
    Reader = Annotated[Principal, Depends(require("cases:read"))]
    Writer = Annotated[Principal, Depends(require("cases:write"))]
    Exporter = Annotated[Principal, Depends(require("cases:export"))]
    Owner = Annotated[
        str | None,
        Query(
            max_length=64,
            description="the organisation that owns a case shared with yours "
            "(as `owner` in the listing); leave out for your organisation's own cases",
        ),
    ]

    profile_body: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "description": "a case profile (JSON; YAML with Content-Type: application/yaml)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CaseProfile"}},
                "application/yaml": {"schema": {"$ref": "#/components/schemas/CaseProfile"}},
            },
        }
    }
    error_response = {"description": "the error shape", "content": {"application/json": {}}}
    common_errors: dict[int | str, dict[str, Any]] = {
        401: error_response,
        403: error_response,
        413: error_response,
        422: error_response,
        429: error_response,
    }

    # -- docs, offline

    import fastapi_offline

    assets = Path(fastapi_offline.__file__).resolve().parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return _offline(
            get_swagger_ui_html(
                openapi_url="/openapi.json",
                title="Co-production advisor API",
                swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _offline(
            get_redoc_html(
                openapi_url="/openapi.json",
                title="Co-production advisor API",
                redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
                with_google_fonts=False,
            )
        )

    @app.get("/", include_in_schema=False)
    async def index() -> dict[str, Any]:
        return {
            "name": "co-production advisor API",
            "version": __version__,
            "openapi": "/openapi.json",
            "docs": ["/docs", "/redoc"],
            "open": is_open(),
        }

    # -- assessment

    @app.post(
        "/v1/assess",
        summary="Assess one case profile",
        description=(
            "The profile in the body; the contract's assessment out (`format=json`, the bytes of "
            "`advisor assess --format json`), or the Markdown or HTML report in `lang`."
        ),
        responses={
            200: {
                "model": Assessment,
                "content": {"text/markdown": {}, "text/html": {}},
            },
            **common_errors,
        },
        openapi_extra=profile_body,
        tags=["assessment"],
    )
    async def assess_endpoint(
        request: Request,
        _who: Assessor,
        format: Format = "json",
        lang: Lang = "zh",
    ) -> Response:
        raw = await read_body(request)
        text = await run_in_threadpool(_assess_text, raw, format, lang)
        return Response(text, media_type=MEDIA[format])

    @app.post(
        "/v1/whatif",
        summary="Compare a baseline with up to four variants",
        description="As `advisor whatif`: what moved in each variant, as JSON or Markdown.",
        responses={200: {"model": Comparison, "content": {"text/markdown": {}}}, **common_errors},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/WhatifRequest"}}
                },
            }
        },
        tags=["assessment"],
    )
    async def whatif_endpoint(
        request: Request,
        _who: Assessor,
        format: Literal["json", "md"] = "json",
        lang: Lang = "zh",
    ) -> Response:
        raw = await read_body(request)
        text = await run_in_threadpool(_whatif_text, raw, format, lang)
        return Response(text, media_type=MEDIA[format])

    @app.post(
        "/v1/batch",
        summary="Assess many profiles: JSONL in, JSONL out",
        description=(
            "One profile per line in (`application/x-ndjson`), one line out per input line, in "
            "order: the compact record (`detail=compact`, the default, as `advisor batch`) or the "
            "contract's whole assessment (`detail=full`) on one line, or "
            "`{line, source, profile_id, errors}` for a refused line, exactly as `advisor batch` "
            "writes them. The body is read and "
            f"assessed as it arrives; each line at most {MAX_BYTES:,} bytes, at most "
            f"{BATCH_MAX_ROWS:,} lines. Results wait on disk, not in memory, until the input ends "
            "(so a client that sends the whole body before reading never blocks), then stream. "
            "Headers X-Advisor-Rows and X-Advisor-Failed count them."
        ),
        responses={200: {"content": {"application/x-ndjson": {}}}, **common_errors},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            }
        },
        tags=["assessment"],
    )
    async def batch_endpoint(
        request: Request, _who: Assessor, detail: Literal["compact", "full"] = "compact"
    ) -> Response:
        from advisor.batch import RawRow, assess_chunk

        spool = tempfile.SpooledTemporaryFile(max_size=BATCH_SPOOL_BYTES)  # noqa: SIM115
        rows = failed = 0
        pending: list[RawRow] = []

        async def flush() -> None:
            nonlocal failed
            if not pending:
                return
            out = await run_in_threadpool(assess_chunk, "jsonl", (), list(pending), detail)
            pending.clear()
            for line, dig in out:
                if hasattr(dig, "errors"):
                    failed += 1
                spool.write(line + b"\n")

        def take(raw: bytes, line_no: int, too_long: bool = False) -> None:
            nonlocal rows
            from advisor.batch import _BadText, _TooLong

            if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not too_long and not raw.strip():
                return
            rows += 1
            if rows > BATCH_MAX_ROWS:
                raise ApiError(
                    413,
                    "too_many_rows",
                    f"more than {BATCH_MAX_ROWS:,} lines; split the input",
                    f"超过 {BATCH_MAX_ROWS:,} 行；请拆分输入",
                )
            # the limit counts the record, not its line break (as `advisor batch` reads a file)
            if too_long or len(raw.rstrip(b"\n")) > MAX_BYTES:
                pending.append(RawRow(line_no, "request", _TooLong()))
                return
            try:
                pending.append(RawRow(line_no, "request", raw.decode("utf-8")))
            except UnicodeDecodeError as exc:
                pending.append(RawRow(line_no, "request", _BadText(exc.start)))

        try:
            buf = bytearray()
            line_no = 0
            skipping = False  # inside a line already known to be too long
            async for chunk in request.stream():
                buf += chunk
                while True:
                    nl = buf.find(b"\n")
                    if nl < 0:
                        if len(buf) > MAX_BYTES:
                            if not skipping:
                                line_no += 1
                                take(b"", line_no, too_long=True)
                                skipping = True
                            buf.clear()
                        break
                    if skipping:
                        skipping = False
                    else:
                        line_no += 1
                        take(bytes(buf[: nl + 1]), line_no)
                    del buf[: nl + 1]
                    if len(pending) >= BATCH_CHUNK:
                        await flush()
            if buf and not skipping:
                line_no += 1
                take(bytes(buf), line_no)
            await flush()
        except BaseException:
            spool.close()
            raise
        spool.seek(0)

        def stream() -> Any:
            try:
                while block := spool.read(64 << 10):
                    yield block
            finally:
                spool.close()

        return StreamingResponse(
            stream(),
            media_type="application/x-ndjson",
            headers={"X-Advisor-Rows": str(rows), "X-Advisor-Failed": str(failed)},
        )

    # -- the contract and the knowledge base

    @app.get("/v1/schema", summary="The JSON Schema of the case profile", tags=["reference"])
    async def schema_endpoint(
        _who: Caller, of: Literal["profile", "assessment"] = "profile"
    ) -> JSONResponse:
        model = Assessment if of == "assessment" else CaseProfile
        return JSONResponse(model.model_json_schema())

    @app.get("/v1/presets", summary="The paper's cases", tags=["reference"])
    async def presets_endpoint(_who: Caller) -> list[dict[str, str]]:
        return [{"name": n, "profile_name": _preset(n).name} for n in _preset_names()]

    @app.get(
        "/v1/presets/{name}",
        summary="One of the paper's cases as a profile",
        responses={200: {"content": {"application/yaml": {}}}, 404: error_response},
        tags=["reference"],
    )
    async def preset_endpoint(
        name: str,
        _who: Caller,
        format: Literal["json", "yaml"] = "json",
        lang: Literal["zh", "en"] = "zh",
    ) -> Response:
        if name not in _preset_names():
            raise _not_found("preset", "预设案例", name, _preset_names())
        from advisor.basis import annotated_yaml
        from advisor.io import profile_to_json

        profile = _preset(name)
        if format == "yaml":  # as `advisor presets --show`: each value's basis as a comment
            return Response(annotated_yaml(profile, lang), media_type=MEDIA["yaml"])
        return Response(profile_to_json(profile), media_type=MEDIA["json"])

    @app.get(
        "/v1/kb/items/{item_id}",
        summary="One knowledge-base item or profile field, with its sources",
        responses={404: error_response},
        tags=["reference"],
    )
    async def kb_item(item_id: str, _who: Caller) -> JSONResponse:
        from knowledge_base.loader import load_kb

        kb = load_kb()
        if item_id in kb.items:
            return JSONResponse(kb.items[item_id].model_dump(mode="json"))
        if item_id in kb.fields:
            field = kb.fields[item_id]
            data = field.model_dump(mode="json") if hasattr(field, "model_dump") else vars(field)
            return JSONResponse({"kind": "field", "id": item_id, **data})
        raise _not_found(
            "knowledge-base item or profile field",
            "知识库条目或档案字段",
            item_id,
            [*kb.items, *kb.fields],
        )

    @app.get(
        "/v1/kb/search",
        summary="Items whose id, texts or quotes contain q",
        tags=["reference"],
    )
    async def kb_search(
        _who: Caller,
        q: Annotated[str, Query(min_length=1, max_length=200)],
        kind: str | None = None,
        lang: Lang = "zh",
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        from advisor.cli.kb import _haystack
        from knowledge_base.loader import load_kb
        from knowledge_base.passages import normalise
        from knowledge_base.schema import KINDS

        if kind is not None and kind not in KINDS:
            raise invalid(
                [
                    FieldProblem(
                        "kind",
                        f"unknown value {kind!r}; expected one of {', '.join(KINDS)}",
                        f"无效取值 {kind!r}；可选值：{'、'.join(KINDS)}",
                    )
                ]
            )
        needle = normalise(q).lower()
        if not needle:
            raise invalid([FieldProblem("q", "must not be empty", "不能为空")])
        kb = load_kb()
        found = []
        for item in sorted(kb.items.values(), key=lambda i: (i.kind, i.id)):
            if kind and item.kind != kind:
                continue
            hit = next((t for t in _haystack(item) if needle in normalise(t).lower()), None)
            if hit is not None:
                found.append(
                    {"id": item.id, "kind": item.kind, "label": item.label.get(lang), "hit": hit}
                )
        return {"query": q, "total": len(found), "items": found[:limit]}

    # -- the case library: the caller's organisation's cases and those shared with it, through
    # the store calls the web UI makes with the token's principal (advisor.store decides)

    def _ref(case_id: str, owner: str | None) -> str:
        return f"{owner.strip()}/{case_id}" if owner and owner.strip() else case_id

    def _case_json(rec: Any) -> dict[str, Any]:
        return {
            "id": rec.id,
            "name": rec.name,
            "version": rec.version,
            "created_at": rec.created_at,
            "updated_at": rec.updated_at,
            "owner": rec.owner,
            "access": rec.access,
            "profile": rec.profile.model_dump(mode="json"),
        }

    @app.get(
        "/v1/cases",
        summary="Your organisation's cases and those shared with it, most recently changed first",
        description=(
            "Each item names its `owner` (the organisation) and your `access`: `owner`, `edit` "
            "(shared editable) or `read` (shared read-only). Address a shared case with "
            "`?owner=<organisation>`."
        ),
        tags=["cases"],
    )
    async def cases_list(who: Reader) -> list[dict[str, Any]]:
        items = await run_in_threadpool(_store_call, lambda: cases(who).list())
        return [dict(vars(s)) for s in items]

    @app.get(
        "/v1/cases/export",
        summary="Every case of your organisation as one JSON or YAML document (audited)",
        responses={403: error_response},
        tags=["cases"],
    )
    async def cases_export_all(who: Exporter, format: Literal["json", "yaml"] = "json") -> Response:
        text = await run_in_threadpool(_store_call, lambda: cases(who).export_all(format))
        return Response(text, media_type=MEDIA[format])

    @app.get(
        "/v1/cases/{case_id}",
        summary="One saved case at its current version",
        response_model=CaseOut,
        responses={404: error_response},
        tags=["cases"],
    )
    async def case_get(case_id: str, who: Reader, owner: Owner = None) -> JSONResponse:
        rec = await run_in_threadpool(_store_call, lambda: cases(who).get(_ref(case_id, owner)))
        return JSONResponse(_case_json(rec), headers={"ETag": f'"{rec.version}"'})

    @app.get(
        "/v1/cases/{case_id}/export",
        summary="One case's profile as JSON or YAML, as `advisor` imports it (audited)",
        responses={403: error_response, 404: error_response},
        tags=["cases"],
    )
    async def case_export(
        case_id: str, who: Exporter, owner: Owner = None, format: Literal["json", "yaml"] = "json"
    ) -> Response:
        text = await run_in_threadpool(
            _store_call, lambda: cases(who).export(_ref(case_id, owner), format)
        )
        return Response(text, media_type=MEDIA[format])

    @app.put(
        "/v1/cases/{case_id}",
        summary="Save a case (new without version, an update with the version you read)",
        description=(
            "Without `version` the case must be new (409 if the id is taken) and is saved in "
            'your organisation. With `version` (or `If-Match: "N"`) the stored case must still '
            "be at that version: if someone saved in between the answer is 409 `stale_case` and "
            "nothing is saved. A case shared with you editable is updated with `?owner=`; one "
            "shared read-only is refused (403 `share_read_only`)."
        ),
        response_model=CaseOut,
        responses={409: error_response, **common_errors},
        openapi_extra=profile_body,
        tags=["cases"],
    )
    async def case_put(
        case_id: str,
        request: Request,
        who: Writer,
        version: Annotated[int | None, Query(ge=1)] = None,
        if_match: Annotated[str | None, Header()] = None,
        owner: Owner = None,
    ) -> JSONResponse:
        expected = version if version is not None else _if_match(if_match)
        raw = await read_body(request)
        profile = _profile(raw)
        if profile.id != case_id:
            raise invalid(
                [
                    FieldProblem(
                        "id",
                        f"the profile's id {profile.id!r} differs from the address's {case_id!r}",
                        f"档案的 id {profile.id!r} 与地址中的 {case_id!r} 不一致",
                    )
                ]
            )
        rec = await run_in_threadpool(
            _store_call, lambda: cases(who).save_as(_ref(case_id, owner), profile, expected)
        )
        status = 201 if expected is None else 200
        return JSONResponse(
            _case_json(rec), status_code=status, headers={"ETag": f'"{rec.version}"'}
        )

    @app.delete(
        "/v1/cases/{case_id}",
        summary="Delete one of your organisation's cases (an administrator can restore it)",
        status_code=204,
        responses={403: error_response, 404: error_response, 409: error_response},
        tags=["cases"],
    )
    async def case_delete(
        case_id: str,
        who: Writer,
        version: Annotated[int | None, Query(ge=1)] = None,
        if_match: Annotated[str | None, Header()] = None,
        owner: Owner = None,
    ) -> Response:
        expected = version if version is not None else _if_match(if_match)
        await run_in_threadpool(
            _store_call, lambda: cases(who).delete(_ref(case_id, owner), expected)
        )
        return Response(status_code=204)

    @app.get(
        "/v1/cases/{case_id}/history",
        summary="The recorded assessments of a case, oldest first",
        responses={404: error_response},
        tags=["cases"],
    )
    async def case_history(case_id: str, who: Reader, owner: Owner = None) -> list[dict[str, Any]]:
        entries = await run_in_threadpool(
            _store_call, lambda: cases(who).history(_ref(case_id, owner))
        )
        return [dict(vars(e)) for e in entries]

    @app.post(
        "/v1/cases/{case_id}/assess",
        summary="Assess a saved case and record it in the case's history (audited)",
        responses={200: {"model": Assessment}, 403: error_response, 404: error_response},
        tags=["cases"],
    )
    async def case_assess(case_id: str, who: Writer, owner: Owner = None) -> Response:
        def run() -> str:
            from advisor.pipeline import assess

            ref = _ref(case_id, owner)
            library = cases(who)
            rec = library.get(ref)
            assessment = assess(rec.profile)
            library.record_assessment(ref, assessment)
            return assessment.model_dump_json(indent=2) + "\n"

        text = await run_in_threadpool(_store_call, run)
        return Response(text, media_type=MEDIA["json"])

    # -- live classroom (advisor.classroom): joined and driven with the class's own keys

    def classroom(who: Principal | None = None) -> Any:
        from advisor.classroom import Classroom

        return Classroom(store() if who is None else store().as_principal(who))

    @app.post(
        "/v1/classroom",
        summary="Open a live class from an exercise pack (the body: the pack, JSON or YAML)",
        description=(
            "Returns the join code and the trainer key (shown once). `guests=false` with "
            "`roster` (repeatable) admits only those names."
        ),
        status_code=201,
        responses={**common_errors},
        tags=["classroom"],
    )
    async def classroom_open(
        request: Request,
        who: Annotated[Principal, Depends(require("classroom:run"))],
        guests: bool = True,
        roster: Annotated[list[str] | None, Query()] = None,
    ) -> JSONResponse:
        from advisor.trainer.exercise import pack_from_text

        raw = await read_body(request)

        def run() -> tuple[Any, str]:
            pack = pack_from_text(raw, "request body")
            return classroom(who).open_session(pack, allow_guests=guests, roster=roster or [])

        session, key = await run_in_threadpool(_class_call, run)
        return JSONResponse(
            {
                "code": session.code,
                "trainer_key": key,
                "state": session.state,
                "organisation": session.org_id,
            },
            status_code=201,
        )

    @app.get(
        "/v1/classroom/{code}/handout",
        summary="What trainees see: scenario, question, actions (never the key)",
        responses={404: error_response},
        tags=["classroom"],
    )
    async def classroom_handout(code: str, _who: Caller) -> JSONResponse:
        handout = await run_in_threadpool(_class_call, lambda: classroom().handout(code))
        return JSONResponse(handout.model_dump(mode="json"))

    @app.post(
        "/v1/classroom/{code}/join",
        summary="Join a class: as a guest under a display name, or with a trainee's token",
        description=(
            "Without a token the `name` is a guest name (only where the trainer allows guests, "
            "or a name on the trainer's roster). With a token of a trainee account the trainee "
            "joins as that account (its display name; `name` may be left empty); a class "
            "without guests admits the trainee accounts of the class's organisation."
        ),
        status_code=201,
        responses={403: error_response, 404: error_response, 409: error_response},
        tags=["classroom"],
    )
    async def classroom_join(code: str, body: JoinRequest, who: Caller) -> JSONResponse:
        def run() -> dict[str, Any]:
            me, key = classroom().join(code, body.name, principal=who)
            return {
                "participant_key": key,
                "name": me.name,
                "handout": classroom().handout(code).model_dump(mode="json"),
            }

        return JSONResponse(await run_in_threadpool(_class_call, run), status_code=201)

    @app.put(
        "/v1/classroom/ranking",
        summary="Send or change a trainee's ranking (header X-Participant-Key)",
        responses={401: error_response, 409: error_response, 422: error_response},
        tags=["classroom"],
    )
    async def classroom_rank(
        body: RankingRequest,
        _who: Caller,
        x_participant_key: Annotated[str, Header()],
    ) -> dict[str, Any]:
        me = await run_in_threadpool(
            _class_call, lambda: classroom().answer(x_participant_key, body.ranking)
        )
        return {"name": me.name, "ranking": list(me.ranking or ()), "answered_at": me.answered_at}

    @app.get(
        "/v1/classroom/feedback",
        summary="A trainee's result in words, once the trainer has revealed (X-Participant-Key)",
        responses={401: error_response, 409: error_response},
        tags=["classroom"],
    )
    async def classroom_feedback(
        _who: Caller, x_participant_key: Annotated[str, Header()]
    ) -> JSONResponse:
        fb = await run_in_threadpool(
            _class_call, lambda: classroom().my_feedback(x_participant_key)
        )
        if fb is None:
            raise ApiError(
                409,
                "not_revealed",
                "no result yet: the trainer has not revealed, or you sent no ranking",
                "还没有结果：培训师尚未揭晓答案，或你没有提交排序",
            )
        # words for the trainee; the correlation coefficients stay in the trainer's export
        body = fb.model_dump(mode="json", exclude={"score"})
        body["ranking"] = fb.score.ranking
        return JSONResponse(body)

    @app.get(
        "/v1/classroom/{code}/live",
        summary="The trainer's live view: joined, answered, spread, shared misses (X-Trainer-Key)",
        responses={403: error_response, 404: error_response},
        tags=["classroom"],
    )
    async def classroom_live(
        code: str, _who: Caller, x_trainer_key: Annotated[str, Header()]
    ) -> JSONResponse:
        def run() -> Any:
            room = classroom()
            return room.live(room.check_trainer(code, x_trainer_key))

        live = await run_in_threadpool(_class_call, run)
        return JSONResponse(live.model_dump(mode="json"))

    @app.post(
        "/v1/classroom/{code}/reveal",
        summary="Close answers and release feedback and debrief (X-Trainer-Key)",
        responses={403: error_response, 404: error_response},
        tags=["classroom"],
    )
    async def classroom_reveal(
        code: str, _who: Caller, x_trainer_key: Annotated[str, Header()]
    ) -> dict[str, Any]:
        session = await run_in_threadpool(
            _class_call, lambda: classroom().reveal(code, x_trainer_key)
        )
        return {"code": session.code, "state": session.state, "revealed_at": session.revealed_at}

    @app.get(
        "/v1/classroom/{code}/results.csv",
        summary="Every trainee's result as CSV, with Spearman's rho and Kendall's tau",
        responses={200: {"content": {"text/csv": {}}}, 403: error_response},
        tags=["classroom"],
    )
    async def classroom_csv(
        code: str, _who: Caller, x_trainer_key: Annotated[str, Header()], lang: Lang = "zh"
    ) -> Response:
        text = await run_in_threadpool(
            _class_call, lambda: classroom().export_csv(code, x_trainer_key, lang)
        )
        return Response(text, media_type="text/csv; charset=utf-8")

    # -- the OpenAPI document: the CLI's own schemas as components

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = doc.setdefault("components", {}).setdefault("schemas", {})
        for model in (CaseProfile, WhatifRequest):
            schema, defs = _schema_components(model)
            components.update(defs)
            components[model.__name__] = _resolve_marks(schema)
        doc["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "advisor tokens create"}
        }
        doc["security"] = [{"bearer": []}]
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
    return app


# The docs pages may load nothing from outside this server: ReDoc, for one, fetches its logo from
# a CDN by itself; the browser refuses that (and anything else external) under this policy.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-ancestors 'self'"
)


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def _resolve_marks(node: Any) -> Any:
    if isinstance(node, dict):
        if "x-advisor-model" in node:
            return {"$ref": f"#/components/schemas/{node['x-advisor-model']}"}
        return {k: _resolve_marks(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_marks(v) for v in node]
    return node


class NoTraceback:
    """ASGI middleware, the last line of defence: an exception becomes a 500 with a log id."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            err = internal_error(Request(scope), exc)
            if started:  # too late for a status: the client sees a cut-off body
                return
            await to_response(err)(scope, receive, send)


# --------------------------------------------------------------------------- the work


def _assess_text(raw: bytes, fmt: str, lang: str) -> str:
    """What ``advisor assess FILE --format fmt --lang lang`` prints, for a body of bytes."""
    from advisor.pipeline import assess
    from advisor.report import render

    profile = _profile(raw)
    return render(assess(profile), profile, fmt, lang)


def _whatif_text(raw: bytes, fmt: str, lang: str) -> str:
    """What ``advisor whatif`` prints for the same baseline, variants, levers and changes."""
    from advisor.report import render_comparison, strings

    data = _parse(raw)
    if not isinstance(data, dict):
        raise ProfileError(
            [FieldProblem("", "expected a JSON object with a baseline", "应为含 baseline 的对象")]
        )
    try:
        req = WhatifRequest.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(problems_from_validation(exc)) from None
    n = len(req.variants) + len(req.levers) + (1 if req.set else 0)
    if n == 0:
        raise ProfileError(
            [
                FieldProblem(
                    "variants",
                    "give at least one variant, lever or set",
                    "请至少给出一个变体、杠杆或字段修改（set）",
                )
            ]
        )
    if n > MAX_VARIANTS:
        raise ProfileError(
            [
                FieldProblem(
                    "variants",
                    f"{n} variants; at most {MAX_VARIANTS} can be compared",
                    f"共 {n} 个变体；最多可比较 {MAX_VARIANTS} 个",
                )
            ]
        )
    problems: list[FieldProblem] = []
    baseline: CaseProfile | None = None
    if isinstance(req.baseline, str):
        if req.baseline not in _preset_names():
            problems.append(
                FieldProblem(
                    "baseline",
                    f"unknown preset {req.baseline!r}; expected one of "
                    f"{', '.join(_preset_names())} or a profile",
                    f"未知的预设案例 {req.baseline!r}",
                )
            )
        else:
            baseline = _preset(req.baseline)
    else:
        try:
            baseline = profile_from_data(req.baseline)
        except ProfileError as exc:
            problems += _prefixed("baseline", exc.problems)
    variants: list[CaseProfile] = []
    for i, doc in enumerate(req.variants):
        try:
            variants.append(profile_from_data(doc))
        except ProfileError as exc:
            problems += _prefixed(f"variants.{i}", exc.problems)
    if problems or baseline is None:
        raise ProfileError(problems)
    labels: list[Any] = [None] * len(variants)
    levers: list[str | None] = [None] * len(variants)
    for name in req.levers:
        variants.append(apply_lever(baseline, name))
        labels.append(LEVERS[name].label)
        levers.append(name)
    if req.set:
        variant = baseline
        for path, value in req.set.items():
            try:
                variant = apply_change(variant, path, value)
            except ProfileError as exc:
                raise ProfileError(_prefixed("set", exc.problems)) from None
        custom = strings()["variant_name"]["custom"]
        variants.append(variant)
        labels.append(BiText(zh=custom["zh"], en=custom["en"]))
        levers.append(None)
    comparison = compare(baseline, variants, labels=labels, levers=levers)
    return render_comparison(comparison, fmt, lang, baseline=baseline)


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or int(text) < 1:
        raise invalid(
            [
                FieldProblem(
                    "If-Match",
                    'expected the version as "N" (the ETag you read)',
                    '应为版本号 "N"（读取时的 ETag）',
                )
            ]
        )
    return int(text)


def _store_call(fn: Any) -> Any:
    """Run a case-library call; its refusals become 404 / 409 in the one error shape."""
    from advisor.store import (
        CaseExistsError,
        CaseNotFoundError,
        DatabaseProblem,
        ForbiddenError,
        StaleCaseError,
        StoreError,
    )

    try:
        return fn()
    except CaseNotFoundError as exc:
        zh = "案例库中没有这个案例（可能已在别处删除）"
        raise ApiError(404, exc.code, str(exc), zh, extra=_params(exc)) from None
    except StaleCaseError as exc:
        raise ApiError(
            409,
            exc.code,
            str(exc),
            f"案例在你打开后已被他人修改（你编辑的是第 {exc.params.get('expected')} 版，"
            f"库中是第 {exc.params.get('actual')} 版）；未保存任何内容：请重新载入后再修改",
            extra=_params(exc),
        ) from None
    except CaseExistsError as exc:
        raise ApiError(
            409, exc.code, str(exc), "案例库中已有相同 id 的案例", extra=_params(exc)
        ) from None
    except ForbiddenError as exc:
        raise ApiError(403, exc.code, str(exc), exc.text("zh"), extra=_params(exc)) from None
    except DatabaseProblem as exc:
        log.warning("case library: %s: %s", exc.code, exc)
        raise ApiError(503, exc.code, str(exc), exc.text("zh")) from None
    except StoreError as exc:
        raise ApiError(409, exc.code, str(exc), exc.text("zh"), extra=_params(exc)) from None


_CLASS_STATUS = {
    "no_session": 404,
    "not_trainer": 403,
    "not_on_roster": 403,
    "not_joined": 401,
    "closed": 409,
    "full": 409,
    "no_code": 503,
    "not_trainer_role": 403,
}


def _class_call(fn: Any) -> Any:
    """Run a classroom call; its refusals become errors of the one shape."""
    from advisor.classroom import ClassroomError

    try:
        return fn()
    except ClassroomError as exc:
        if exc.code.startswith("name_"):
            raise invalid([FieldProblem("name", str(exc), exc.message_zh)]) from None
        raise ApiError(
            _CLASS_STATUS.get(exc.code, 409), exc.code, str(exc), exc.message_zh
        ) from None


def _params(exc: Any) -> dict[str, Any]:
    return {"params": json.loads(json.dumps(getattr(exc, "params", {}), default=str))}
