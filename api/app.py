"""The FastAPI application: thin routers over the assistant, the knowledge index and the rules engine."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant import Answer, Assistant, Settings, get_settings
from assistant.answer import Now
from assistant.catalogue import with_catalogue
from assistant.compose import redraw
from assistant.next_questions import next_questions, starters
from assistant.feedback import FeedbackIn, FeedbackStore
from assistant.sessions import (SESSION_ID_PATTERN, TITLE_MAX, SessionDetail, SessionStore, SessionStoreError,
                                SessionSummary)
from assistant.triage import TriageCase, TriageResult, triage
from knowledge import DEFAULT_CORPUS, KnowledgeError, QueryError
from knowledge.retrieval import MAX_QUERY_CHARS
from tools import TOOLS, get_tool

from . import errors, mcp, metrics, openapi
from .errors import ApiError
from .routers import openai_compat
from .bodies import BodyLimit
from .events import sse
from .guard import Guard
from .security import CLIENT_COOKIE, RateLimiter, dependency
from .uploads import recover, replace_and_build, uploaded_names

log = logging.getLogger("api")
_REINDEX = "/v1/admin/reindex"
STATIC = Path(str(resources.files("api").joinpath("static")))


# ---- request and response models ------------------------------------------------------------

class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"message": "8月的伙伴账单什么时候生成?我在东京", "session_id": "demo-1", "now": "2026-11-27T10:00:00+08:00"},
        {"message": "Can several incentives go on one invoice?"}]})

    # NUL cannot be stored in PostgreSQL text: refused here (422) rather than failing the turn's save (503).
    message: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"^[^\x00]*$", description="The question")
    session_id: str | None = Field(default=None, max_length=64, pattern=SESSION_ID_PATTERN,
                                   description="Keeps context across turns")
    now: Now | None = Field(default=None, description="Current time with offset; default the clock")


class SearchHitOut(BaseModel):
    rank: int
    score: float
    dense: float
    lexical: float
    chunk_id: str
    title: str
    text: str
    menu_path: str | None
    parent_topic: str | None
    source: str
    origins: list[str]
    error_codes: list[dict[str, Any]]
    cut_start: bool
    cut_end: bool


class ReindexRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"paths": ["/srv/docs/extra.md"]}]})

    paths: list[str] = Field(default_factory=list, max_length=100, description="Files or folders on the server")
    force: bool = False


class SessionList(BaseModel):
    sessions: list[SessionSummary]


class SessionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "8月账单 (东京)"}]})

    title: str = Field(min_length=1, max_length=TITLE_MAX, pattern=r"\S", description="Shown in the history list")


class TriageBatchLine(BaseModel):
    line: int
    subject: str | None = Field(default=None, description="The case's subject, to title the result")
    result: TriageResult | None = None
    error: dict[str, Any] | None = None


# ---- application --------------------------------------------------------------------------------

def docs_dir(settings: Settings) -> Path:
    return settings.data_dir / "docs"


def sources(settings: Settings, extra: list[Path] | None = None) -> list[Path]:
    """The bundled corpus, the documents users added (data_dir/docs), and any extra paths."""
    found = [DEFAULT_CORPUS]
    folder = docs_dir(settings)
    if folder.is_dir() and any(p.is_file() for p in folder.iterdir()):
        found.append(folder)
    return found + list(extra or [])


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.warm_lock = asyncio.Lock()  # bound to this server's event loop
        await run_in_threadpool(recover, settings.data_dir, docs_dir(settings))  # uploads a dead process left
        bot = assistant or await run_in_threadpool(Assistant.from_settings, settings)
        app.state.assistant = bot
        app.state.feedback = FeedbackStore(bot.sessions) if bot.sessions is not None else None
        await _warm(app)
        async with app.state.mcp.run():  # the MCP endpoint's session manager lives as long as the app
            yield

    # /docs and /redoc load Swagger UI and ReDoc from the fastapi-offline package, never from a CDN.
    app = FastAPIOffline(title="Partner Rules Assistant API", version="1.0", description=openapi.DESCRIPTION,
                         lifespan=lifespan, favicon_url="/static/favicon.svg", static_url="/static-docs")
    app.state.settings = settings
    app.state.api_keys = settings.parsed_api_keys()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.auth_failures_per_minute,
                                         settings.rate_limit_storage_url)
    app.state.ready = False
    app.state.warm_lock = asyncio.Lock()
    errors.install(app)
    _install_middleware(app, settings)
    _routes(app, settings)
    app.include_router(openai_compat.router(_bot))
    app.state.mcp = mcp.HttpEndpoint(lambda: app.state.assistant, _bot, loopback_only=not app.state.api_keys,
                                     max_body_bytes=settings.max_body_bytes)
    app.add_route("/mcp", app.state.mcp, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    openapi.install(app)
    return app


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    # Added last, outermost: bodies are counted as they stream in, for every route (uploads get the
    # larger cap); inside it, the guard sets the deadline, the timeout, the error envelope and metrics.
    app.add_middleware(Guard, timeout=settings.request_timeout_seconds, untimed=frozenset({_REINDEX}))
    app.add_middleware(BodyLimit, cap_for=lambda path: settings.max_upload_bytes if path == _REINDEX
                       else settings.max_body_bytes)


Partner = Annotated[str, Depends(dependency("partner"))]
Support = Annotated[str, Depends(dependency("support"))]
Admin = Annotated[str, Depends(dependency("admin"))]


async def _warm(app: FastAPI) -> bool:
    """Load the index and models; a failure leaves the worker up but not ready (it retries on demand).
    One warm-up at a time: requests arriving meanwhile wait for it instead of loading in parallel."""
    async with app.state.warm_lock:
        if app.state.ready:
            return True
        try:
            await run_in_threadpool(app.state.assistant.warm_up)
            app.state.ready = True
        except Exception as exc:  # noqa: BLE001 - a missing or rebuilding index must not stop the worker
            log.warning("index not ready: %s", exc)
            app.state.ready = False
    return app.state.ready


def _health(bot: Assistant) -> tuple[str, str] | None:
    """What stops a chat turn right now: (code, message), or None when the database and index answer."""
    try:
        if bot.sessions is not None:
            bot.sessions.ping()
        bot.index.check()
    except (SessionStoreError, KnowledgeError) as exc:
        response = errors.domain_response(exc)
        body = json.loads(bytes(response.body))["error"] if response is not None else {"code": "not_ready",
                                                                                         "message": str(exc)}
        return body["code"], body["message"]
    return None


async def _bot(request: Request) -> Assistant:
    if not getattr(request.app.state, "ready", False) and not await _warm(request.app):
        raise ApiError(503, "not_ready", "the index is not loaded yet: build it with `partner-assistant index build`")
    return request.app.state.assistant


def _answers(app: FastAPI) -> anyio.CapacityLimiter:
    """Chat turns of this worker run one at a time, first come first served. An answer is CPU work under
    one interpreter lock, so several in threads at once finish no sooner in total; and each time one of
    them lets go of the lock (a BLAS call, a database write) it waits a switch interval (5 ms) to get it
    back from another answer. Profiled with 4 connections per worker: 3% of the workers' samples were a
    512-number vector norm waiting to get the lock back, 8% the turn's save waiting on the database's
    write lock that the other worker held across such waits. One at a time, latency is the queue ahead
    plus one's own answer instead of every answer stretched by all the others."""
    limiter = getattr(app.state, "answer_limiter", None)
    if limiter is None:  # made on the event loop, at the first turn
        limiter = app.state.answer_limiter = anyio.CapacityLimiter(1)
    return limiter


async def _answer(request: Request, body: ChatRequest) -> tuple[str, Answer]:
    bot = await _bot(request)
    now = body.now or datetime.now(timezone.utc)
    answer_id = uuid.uuid4().hex
    owner, deadline = request.state.owner, request.state.deadline
    # A caller that goes away while the answer is computed (the page's Stop aborts the request) must not
    # find the turn saved after a reload: the same no-save path as a timed-out turn, set by a watcher.
    stopped = threading.Event()

    async def watch() -> None:
        # The body has been read: the server's next message is the client going away. One wait, no polling
        # (a poll every 50 ms per turn in flight took the interpreter lock from the answers being computed).
        while (await request.receive())["type"] != "http.disconnect":
            pass
        stopped.set()

    watcher = asyncio.create_task(watch())
    try:
        answer = await anyio.to_thread.run_sync(
            lambda: bot.answer(body.message, body.session_id, now, answer_id=answer_id, owner=owner,
                               deadline=deadline, stopped=stopped), limiter=_answers(request.app))
    finally:
        watcher.cancel()
    metrics.observe_answer(answer.abstained, [c.name for c in answer.tool_calls])
    return answer_id, answer


def _sse(event: str, data: Any) -> str:
    return sse(data, event)


def _routes(app: FastAPI, settings: Settings) -> None:
    # ---- pages (read once: they are part of the package)
    chat_html, triage_html = ((STATIC / name).read_text("utf-8") for name in ("index.html", "triage.html"))

    @app.get("/", include_in_schema=False)
    async def chat_page(request: Request) -> HTMLResponse:
        page = HTMLResponse(chat_html)
        if not request.cookies.get(CLIENT_COOKIE):
            # Without API keys a browser's history is scoped to this anonymous token (not to the address
            # it shares with every other local client). HttpOnly: page scripts never see it.
            page.set_cookie(CLIENT_COOKIE, uuid.uuid4().hex, max_age=365 * 86400, httponly=True, samesite="strict")
        return page

    @app.get("/triage", include_in_schema=False)
    async def triage_page() -> HTMLResponse:
        return HTMLResponse(triage_html)

    # ---- chat
    @app.post("/v1/chat", response_model=Answer, tags=["chat"],
              summary="Ask a question; the answer id is in the X-Answer-Id header")
    async def chat(request: Request, body: ChatRequest, _: Partner) -> Response:
        answer_id, answer = await _answer(request, body)
        # Serialised by pydantic-core in one pass, not dumped to dicts and encoded again by the json module.
        return Response(answer.model_dump_json(), media_type="application/json", headers={"X-Answer-Id": answer_id})

    @app.post("/v1/chat/stream", tags=["chat"], response_class=StreamingResponse,
              summary="Server-Sent Events: tool_call, citation, answer_delta, then done with the full answer",
              responses={200: {"content": {"text/event-stream": {}}}})
    async def chat_stream(request: Request, body: ChatRequest, _: Partner) -> StreamingResponse:
        answer_id, answer = await _answer(request, body)

        async def events() -> AsyncIterator[str]:
            for call in answer.tool_calls:
                yield _sse("tool_call", call.model_dump(mode="json"))
            for citation in answer.citations:
                yield _sse("citation", citation.model_dump())
            for line in answer.answer.splitlines(keepends=True):
                yield _sse("answer_delta", {"text": line})
            yield _sse("done", {"answer_id": answer_id, "answer": answer.model_dump(mode="json")})

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"X-Answer-Id": answer_id, "Cache-Control": "no-cache"})

    # ---- the caller's sessions (another caller's session is 404, like one that never existed)
    def _sessions(request: Request) -> SessionStore:
        store = request.app.state.assistant.sessions if hasattr(request.app.state, "assistant") else None
        if store is None:
            raise ApiError(503, "database_unavailable", "sessions need the database")
        return store

    @app.get("/v1/sessions", response_model=SessionList, tags=["sessions"],
             summary="The caller's sessions, most recently active first; q filters by title or message")
    async def list_sessions(request: Request, _: Partner,
                            q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
                            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> SessionList:
        found = await run_in_threadpool(_sessions(request).sessions, request.state.owner, q, limit)
        return SessionList(sessions=found)

    @app.get("/v1/sessions/{session_id}", response_model=SessionDetail, tags=["sessions"])
    async def get_session(request: Request, session_id: str, _: Partner,
                          lang: Annotated[Literal["zh", "en"] | None, Query(
                              description="draw every answer again in this language (our wording; quotes stay as "
                                          "the documents write them); default: as each was served")] = None,
                          ) -> SessionDetail:
        detail = await run_in_threadpool(_sessions(request).session, request.state.owner, session_id)
        if lang is not None:
            detail.turns = [t.model_copy(update={"answer": redraw(t.answer, t.parts, lang)}) for t in detail.turns]
        return detail

    @app.patch("/v1/sessions/{session_id}", response_model=SessionSummary, tags=["sessions"])
    async def rename_session(request: Request, session_id: str, body: SessionPatch, _: Partner) -> SessionSummary:
        return await run_in_threadpool(_sessions(request).rename, request.state.owner, session_id, body.title)

    @app.delete("/v1/sessions/{session_id}", status_code=204, response_class=Response, tags=["sessions"])
    async def delete_session(request: Request, session_id: str, _: Partner) -> Response:
        await run_in_threadpool(_sessions(request).delete, request.state.owner, session_id)
        return Response(status_code=204)

    # ---- search and sources
    @app.get("/v1/search", response_model=list[SearchHitOut], tags=["search"])
    async def search(request: Request, _: Partner,
                     q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, examples=["伙伴账单几号生成"])],
                     k: Annotated[int, Query(ge=1, le=50)] = 5) -> list[SearchHitOut]:
        bot = await _bot(request)
        result = await run_in_threadpool(bot.retriever.search, q, k)
        return [SearchHitOut(rank=h.rank, score=h.score, dense=h.dense, lexical=h.lexical, chunk_id=h.chunk.id,
                             title=h.chunk.title, text=h.chunk.text, menu_path=h.chunk.menu_path,
                             parent_topic=h.chunk.parent_topic, source=h.chunk.source, origins=h.chunk.origins,
                             error_codes=[c.model_dump() for c in h.chunk.error_codes], cut_start=h.chunk.cut_start,
                             cut_end=h.chunk.cut_end) for h in result.hits]

    @app.get("/v1/sources/{chunk_id}", tags=["search"])
    async def source(request: Request, chunk_id: str, _: Partner) -> dict[str, Any]:
        chunk = (await _bot(request)).index.chunk(chunk_id)
        if chunk is None:
            raise ApiError(404, "source_not_found", f"no chunk with id {chunk_id}")
        return chunk.model_dump()

    @app.get("/v1/suggestions", tags=["search"], summary="Example questions and topics built from the index")
    async def suggestions(request: Request, _: Partner,
                          limit: Annotated[int, Query(ge=1, le=50)] = 12,
                          lang: Annotated[Literal["zh", "en"] | None, Query(
                              description="the page's language: examples from passages in it when the index "
                                          "has any, else from all; each example names its language")] = None,
                          session_id: Annotated[str | None, Query(
                              max_length=64, pattern=SESSION_ID_PATTERN,
                              description="the caller's conversation: questions to ask next after its last answer, "
                                          "near its topic, none it already asked or was answered with")] = None,
                          ) -> dict[str, Any]:
        bot = await _bot(request)
        if session_id is not None:
            detail = await run_in_threadpool(_sessions(request).session, request.state.owner, session_id)
            turns = [(t.message, t.answer) for t in detail.turns]
            picked = await run_in_threadpool(next_questions, bot, turns, lang or "zh", min(limit, 6))
            return {"suggestions": [{**s, "topic": None, "menu_path": None} for s in picked]}
        return {"suggestions": await run_in_threadpool(starters, bot, lang, limit)}

    # ---- rules engine
    @app.get("/v1/tools", tags=["tools"])
    async def list_tools(_: Partner) -> list[dict[str, Any]]:
        return [{"name": t.name, "description": t.description, "input_schema": t.json_schema(),
                 "rules": list(t.rules)} for t in TOOLS.values()]

    @app.post("/v1/tools/{name}", tags=["tools"], summary="Run one rules-engine tool; 422 names the field")
    async def run_tool(request: Request, name: str, _: Partner, arguments: Annotated[dict[str, Any], Body(
            openapi_examples={"bill": {"value": {"billing_period": "2026-08", "now": "2026-11-27T10:00:00+08:00",
                                                 "timezone": "Asia/Tokyo"}}})]) -> dict[str, Any]:
        tool = get_tool(name)
        imported = getattr(getattr(request.app.state, "assistant", None), "calendar", None)
        if imported is not None and "calendar" in tool.input_model.model_fields and "calendar" not in arguments:
            arguments = {**arguments, "calendar": imported}  # the official schedules `calendar import` loaded
        bot = getattr(request.app.state, "assistant", None)  # the catalogue tools read the active index's
        return tool.run(with_catalogue(tool, arguments, getattr(bot, "index", None))).model_dump(mode="json")

    # ---- triage (support staff)
    @app.post("/v1/triage", response_model=TriageResult, tags=["triage"])
    async def triage_one(request: Request, case: TriageCase, _: Support) -> TriageResult:
        bot = await _bot(request)
        return await run_in_threadpool(triage, bot, case, datetime.now(timezone.utc))

    @app.post("/v1/triage/batch", tags=["triage"], response_class=StreamingResponse,
              summary="JSONL or CSV (subject, body, partner_role) in, JSONL out; one line per case",
              responses={200: {"content": {"application/x-ndjson": {}}}})
    async def triage_batch(request: Request, _: Support) -> StreamingResponse:
        bot = await _bot(request)
        raw = await request.body()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApiError(400, "invalid_encoding", "the batch must be UTF-8 text") from exc
        rows = parse_batch(text, request.headers.get("content-type", ""))
        now = datetime.now(timezone.utc)

        def lines() -> list[str]:
            out = []
            for number, row in rows:
                subject = row.get("subject")
                subject = subject[:200] if isinstance(subject, str) else None
                if isinstance(row.get("__invalid__"), str) and len(row) == 1:
                    out.append(TriageBatchLine(line=number, subject=subject, error={
                        "code": "validation_error", "message": f"not a JSON case object: {row['__invalid__'][:100]}"})
                               .model_dump_json())
                    continue
                try:
                    case = TriageCase.model_validate(row)
                    result = triage(bot, case, now)
                    out.append(TriageBatchLine(line=number, subject=subject, result=result).model_dump_json())
                except ValidationError as exc:
                    out.append(TriageBatchLine(line=number, subject=subject, error=errors.error_body(
                        "validation_error", "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                      for e in exc.errors()))["error"]).model_dump_json())
                except (KnowledgeError, QueryError, ValueError) as exc:  # this row's problem, not the batch's
                    out.append(TriageBatchLine(line=number, subject=subject, error={"code": "invalid_case", "message": str(exc)})
                               .model_dump_json())
            return out

        results = await run_in_threadpool(lines)
        return StreamingResponse(iter(line + "\n" for line in results), media_type="application/x-ndjson")

    # ---- feedback
    @app.post("/v1/feedback", status_code=201, tags=["feedback"])
    async def feedback(request: Request, body: FeedbackIn, _: Partner) -> dict[str, Any]:
        store: FeedbackStore | None = request.app.state.feedback
        if store is None:
            raise ApiError(503, "database_unavailable", "feedback needs the database")
        feedback_id = await run_in_threadpool(store.add, body, request.state.owner)
        return {"id": feedback_id, "answer_id": body.answer_id}

    # ---- admin
    @app.get("/v1/admin/index", tags=["admin"])
    async def index_info(request: Request, _: Admin) -> dict[str, Any]:
        bot: Assistant = request.app.state.assistant
        manifest = await run_in_threadpool(bot.index.manifest)
        if manifest is None:
            raise ApiError(503, "index_missing", "no index has been built yet")
        return {"manifest": manifest.__dict__, "chunks": manifest.chunk_count,
                "docs_dir": str(docs_dir(settings)), "sources": manifest.sources}

    @app.post("/v1/admin/reindex", tags=["admin"],
              summary="Rebuild the index from the corpus, added documents, uploaded files and server paths",
              openapi_extra={"requestBody": {"required": False, "content": {
                  "application/json": {"schema": ReindexRequest.model_json_schema(),
                                       "example": {"paths": [], "force": False}},
                  "multipart/form-data": {"schema": {"type": "object", "properties": {
                      "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
    async def reindex(request: Request, _: Admin) -> dict[str, Any]:
        bot: Assistant = request.app.state.assistant
        content_type = request.headers.get("content-type", "")
        extra: list[Path] = []
        force = False
        uploads: list[Any] = []
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            uploads = [f for f in form.getlist("files") if hasattr(f, "filename")]
            if not uploads:
                raise ApiError(422, "invalid_upload", "send the documents as multipart field 'files'")
        else:
            raw = await request.body()
            try:
                spec = ReindexRequest.model_validate(_json_value(raw) if raw.strip() else {})
            except (ValueError, ValidationError) as exc:
                raise ApiError(422, "validation_error", f"reindex body: {exc}") from exc
            extra, force = [Path(p) for p in spec.paths], spec.force
        names = uploaded_names(uploads)
        files = [(name, upload.file) for name, upload in zip(names, uploads)]
        def build() -> Any:  # the sources are listed after the uploads are in place
            return bot.index.build(sources(settings, extra), None, force)

        # One thread does the whole critical section, so the build lock is released by the thread that
        # builds (a cancelled request cannot let a second build start while the first still runs).
        report = await anyio.to_thread.run_sync(replace_and_build, settings.data_dir, docs_dir(settings), files, build)
        if not report.unchanged:  # the answerability model is refitted for the new index
            from assistant.evidence.refit import calibrate_index

            await anyio.to_thread.run_sync(calibrate_index, bot.retriever)
        request.app.state.ready = True
        return {"unchanged": report.unchanged, "chunks": report.manifest.chunk_count, "added": report.added,
                "removed": report.removed, "embedded": report.embedded, "reused": report.reused,
                "seconds": round(report.seconds, 3), "uploaded": names}

    # ---- operations
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz(request: Request) -> JSONResponse:
        """Ready once this process has loaded everything a first question needs, and while the database
        and the index can be read (checked on every call: a corrupt database or a lost index store
        takes the worker out of rotation)."""
        if not (getattr(request.app.state, "ready", False) or await _warm(request.app)):
            return JSONResponse(errors.error_body("not_ready", "the index is not loaded"), status_code=503)
        problem = await run_in_threadpool(_health, request.app.state.assistant)
        if problem is not None:
            return JSONResponse(errors.error_body(*problem), status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)


def _json_value(text: str) -> Any:
    """``json.loads`` whose every failure is a ValueError: deep nesting (RecursionError) and integers
    past Python's digit limit included."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def parse_batch(text: str, content_type: str) -> list[tuple[int, dict[str, Any]]]:
    """JSONL (one case object a line) or CSV with a header row (subject, body, partner_role, now).

    A line that cannot be read becomes that row's error (``__invalid__``), not the batch's."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # CR-only files (old Mac exports) read like LF
    rows: list[tuple[int, dict[str, Any]]] = []
    if "csv" in content_type or (text.lstrip()[:1] not in {"{", ""} and "," in text.splitlines()[0]):
        csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # a long field is the row's problem
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            header = reader.fieldnames
        except csv.Error as exc:
            raise ApiError(422, "invalid_batch", f"the CSV header cannot be read: {exc}") from exc
        if not header or "subject" not in header:
            raise ApiError(422, "invalid_batch", "the CSV needs a header row with at least a 'subject' column")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows.append((reader.line_num, {"__invalid__": f"CSV: {exc}"}))
                continue
            rows.append((reader.line_num, {k: v for k, v in row.items() if k and v not in (None, "")}))
    else:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                value = _json_value(line)
            except ValueError:
                value = {"__invalid__": line[:100]}
            rows.append((number, value if isinstance(value, dict) else {"__invalid__": str(value)[:100]}))
    if not rows:
        raise ApiError(422, "invalid_batch", "the batch holds no cases")
    if len(rows) > 1000:
        raise ApiError(413, "batch_too_large", f"the batch has {len(rows)} cases; the limit is 1000")
    return rows
