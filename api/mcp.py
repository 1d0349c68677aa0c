"""The MCP server: the rules engine, rule search and the assistant for agent hosts (Claude Desktop, IDE agents).

Built on the official ``mcp`` SDK's low-level ``Server`` rather than its decorator layer (``MCPServer``,
formerly FastMCP) or the separate ``fastmcp`` package: each rules-engine tool already has a pydantic input
and output model, and the low-level server publishes exactly those schemas (the schema a host sees is the
model that validates the call) instead of re-deriving them from a function signature.

- Tools: every rules-engine tool (input and output JSON schemas, English and Chinese descriptions),
  ``search_rules`` (ranked passages with chunk ids, quotes, menu paths) and ``ask`` (the assistant's full
  answer). Results are structured content (the output model) plus a short text rendering; invalid
  arguments give an error result naming the field.
- Resources: every indexed chunk as ``partner-rules://chunks/{chunk_id}`` (text, and its metadata as JSON).
- Transports: stdio (``partner-assistant mcp``) and streamable HTTP mounted at ``/mcp`` by the API app,
  behind the same API keys, roles, rate limit and body cap as ``/v1``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import mcp_types as types
from fastapi.responses import JSONResponse
from mcp.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from assistant import Answer, Assistant
from assistant.catalogue import with_catalogue
from assistant.extractive import best_sentences
from assistant.sessions import SESSION_ID_PATTERN
from knowledge.chunking import quote_span
from knowledge.retrieval import MAX_QUERY_CHARS
from tools import TOOLS, Tool, ToolInputError
from tools.summaries import SUMMARY_ZH

from .errors import ApiError, error_body
from .routers.openai_compat import render
from .security import require

NAME = "partner-rules-assistant"
CHUNK_URI = "partner-rules://chunks/"
PAGE = 100  # resources per resources/list page
RESOURCE_NOT_FOUND = -32002  # the MCP spec's code for an unknown resource


class SearchRulesInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="What to look up (zh or en)")
    k: int = Field(default=5, ge=1, le=20, description="How many passages")


class Passage(BaseModel):
    rank: int
    score: float
    chunk_id: str
    uri: str = Field(description="The chunk as an MCP resource")
    title: str
    quote: str = Field(description="The sentence(s) of the passage closest to the query, verbatim")
    text: str
    menu_path: str | None
    source: str
    url: str | None = None


class SearchRulesOutput(BaseModel):
    passages: list[Passage]


class AskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question (zh or en)")
    session_id: str | None = Field(default=None, max_length=64, pattern=SESSION_ID_PATTERN,
                                   description="Send the answer's session_id back to continue a conversation")
    now: AwareDatetime | None = Field(default=None, description="Current time with offset; default the clock")


_SEARCH_EN = ("Search the Huawei Cloud Partner Center rule documents; returns ranked passages with chunk ids "
              "(readable as resources), the closest quote and the menu path.")
_SEARCH_ZH = "检索华为云伙伴中心规则资料,返回排序后的段落、chunk id、最相关的原文引文和菜单路径。"
_ASK_EN = ("Ask the Partner Rules Assistant a question: a cited answer, exact rule computations (dates, deadlines, "
           "amounts) and an abstention when the documents do not support an answer.")
_ASK_ZH = "向伙伴规则助手提问:返回带引用的回答、规则引擎的精确计算结果;资料不足时明确拒答。"


def _description(english: str, chinese: str) -> str:
    return f"{english}\n\n{chinese}".strip()


def _schema(model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
    return model.model_json_schema(mode=mode)  # type: ignore[arg-type]


def tool_list() -> list[types.Tool]:
    tools = [types.Tool(name=t.name, title=t.name.replace("_", " "),
                        description=_description(t.description.split("\n\n")[0], SUMMARY_ZH.get(t.name, "")),
                        input_schema=t.json_schema(), output_schema=_schema(t.output_model, "serialization"),
                        annotations=types.ToolAnnotations(read_only_hint=True, idempotent_hint=True,
                                                          open_world_hint=False))
             for t in TOOLS.values()]
    read_only = types.ToolAnnotations(read_only_hint=True, open_world_hint=False)
    tools.append(types.Tool(name="search_rules", title="search rules", description=_description(_SEARCH_EN, _SEARCH_ZH),
                            input_schema=_schema(SearchRulesInput), annotations=read_only,
                            output_schema=_schema(SearchRulesOutput, "serialization")))
    tools.append(types.Tool(name="ask", title="ask", description=_description(_ASK_EN, _ASK_ZH),
                            input_schema=_schema(AskInput), output_schema=_schema(Answer, "serialization"),
                            annotations=types.ToolAnnotations(read_only_hint=False, open_world_hint=False)))
    return tools


def _invalid(tool: str, errors: list[dict[str, Any]]) -> types.CallToolResult:
    """An error result naming each field (the model sees it and can correct the call)."""
    details = [{"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"]} for e in errors]
    text = f"invalid arguments for {tool}: " + "; ".join(f"{d['field'] or '(input)'}: {d['message']}" for d in details)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True,
                                structured_content={"error": {"code": "invalid_arguments", "message": text,
                                                              "details": details}})


def _result(payload: dict[str, Any], text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=payload)


def _passage(rank: int, score: float, chunk: Any, query: str) -> Passage:
    quote = quote_span(chunk.text, best_sentences(query, chunk, limit=1)) or chunk.text[:200]
    return Passage(rank=rank, score=round(score, 4), chunk_id=chunk.id, uri=CHUNK_URI + chunk.id, title=chunk.title,
                   quote=quote, text=chunk.text, menu_path=chunk.menu_path, source=chunk.source,
                   url=getattr(chunk, "url", None))


def _owner(ctx: Any) -> str | None:
    """The HTTP caller's scope (set by the key check on /mcp); None over stdio."""
    request = getattr(ctx, "request", None)
    return getattr(getattr(request, "state", None), "owner", None)


def build_server(assistant: Callable[[], Assistant]) -> Server:
    """The MCP server over ``assistant()`` (called per request: the API app's assistant may be replaced)."""

    def run_rules_tool(tool: Tool, arguments: dict[str, Any]) -> types.CallToolResult:
        calendar = getattr(assistant(), "calendar", None)  # imported official schedules, as the assistant uses
        if calendar is not None and "calendar" in tool.input_model.model_fields and "calendar" not in arguments:
            arguments = {**arguments, "calendar": calendar}
        arguments = with_catalogue(tool, arguments, getattr(assistant(), "index", None))  # the index's codes, menus
        try:
            result = tool.run(arguments)
        except ToolInputError as exc:
            return _invalid(tool.name, exc.errors)
        payload = result.model_dump(mode="json")
        return _result(payload, f"{result.explanation_en}\n{result.explanation_zh}")

    def search(arguments: dict[str, Any]) -> types.CallToolResult:
        try:
            spec = SearchRulesInput.model_validate(arguments)
        except ValidationError as exc:
            return _invalid("search_rules", exc.errors())
        hits = assistant().retriever.search(spec.query, k=spec.k).hits
        passages = [_passage(h.rank, h.score, h.chunk, spec.query) for h in hits]
        text = "\n".join(f"[{p.rank}] {p.title} ({p.menu_path or p.source}) {p.chunk_id}\n    {p.quote}"
                         for p in passages) or "no passage found"
        return _result(SearchRulesOutput(passages=passages).model_dump(mode="json"), text)

    def ask(arguments: dict[str, Any], owner: str | None) -> types.CallToolResult:
        try:
            spec = AskInput.model_validate(arguments)
        except ValidationError as exc:
            return _invalid("ask", exc.errors())
        now = spec.now or datetime.now(timezone.utc)
        answer = assistant().answer(spec.message, spec.session_id, now, owner=owner)
        text, _ = render(answer, "", NAME)
        return _result(answer.model_dump(mode="json"), text)

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tool_list())

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = dict(params.arguments or {})
        if params.name in TOOLS:
            return await anyio.to_thread.run_sync(run_rules_tool, TOOLS[params.name], arguments)
        if params.name == "search_rules":
            return await anyio.to_thread.run_sync(search, arguments)
        if params.name == "ask":
            owner = _owner(ctx)
            return await anyio.to_thread.run_sync(ask, arguments, owner)
        raise MCPError(types.INVALID_PARAMS, f"unknown tool {params.name!r}; tools/list names them")

    async def list_resources(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        chunks = await anyio.to_thread.run_sync(lambda: assistant().index.chunks)
        cursor = params.cursor if params is not None else None
        start = int(cursor) if cursor and cursor.isdigit() else 0
        page = chunks[start:start + PAGE]
        resources = [types.Resource(uri=CHUNK_URI + c.id, name=c.id, title=c.title, mime_type="text/plain",
                                    description=" · ".join(p for p in (c.menu_path, c.source) if p))
                     for c in page]
        following = str(start + PAGE) if start + PAGE < len(chunks) else None
        return types.ListResourcesResult(resources=resources, next_cursor=following)

    async def list_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[types.ResourceTemplate(
            name="chunk", title="A rule-document passage by chunk id", uri_template=CHUNK_URI + "{chunk_id}",
            mime_type="text/plain", description="Chunk ids come from search_rules and from citations")])

    async def read_resource(ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        chunk_id = uri.removeprefix(CHUNK_URI) if uri.startswith(CHUNK_URI) else None
        chunk = await anyio.to_thread.run_sync(lambda: assistant().index.chunk(chunk_id)) if chunk_id else None
        if chunk is None:
            raise MCPError(RESOURCE_NOT_FOUND, f"no resource {uri}: chunk ids come from search_rules or citations",
                           {"uri": uri})
        meta = chunk.model_dump(mode="json")
        return types.ReadResourceResult(contents=[
            types.TextResourceContents(uri=uri, mime_type="text/plain", text=chunk.text),
            types.TextResourceContents(uri=uri, mime_type="application/json",
                                       text=json.dumps(meta, ensure_ascii=False))])

    return Server(NAME, version="1.0", title="Partner Rules Assistant",
                  instructions=("Answers and exact computations over the Huawei Cloud Partner Center rules. Prefer "
                                "the rules-engine tools for dates, deadlines and amounts; cite chunk ids."),
                  on_list_tools=list_tools, on_call_tool=call_tool, on_list_resources=list_resources,
                  on_list_resource_templates=list_templates, on_read_resource=read_resource)


# ---- transports ------------------------------------------------------------------------------------

async def serve_stdio(assistant: Assistant) -> None:
    """Serve one host over stdin/stdout until it closes the pipe."""
    from mcp.server.stdio import stdio_server

    server = build_server(lambda: assistant)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


class HttpEndpoint:
    """``/mcp``: streamable HTTP (stateless, JSON responses: any worker can answer any request) behind the
    API's key check, roles and rate limit. ``run()`` belongs in the app's lifespan; each run gets a fresh
    session manager (the SDK's cannot be restarted, and test clients restart lifespans)."""

    def __init__(self, assistant: Callable[[], Assistant], ready: Callable[[Request], Awaitable[Any]],
                 loopback_only: bool, max_body_bytes: int) -> None:
        self.server = build_server(assistant)
        self.ready = ready  # raises the API's 503 while the index is not loaded
        self.loopback_only = loopback_only
        self.max_body_bytes = max_body_bytes
        self.manager: StreamableHTTPSessionManager | None = None
        self._check = require("partner")

    @contextlib.asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        # Without API keys the server binds loopback only; then a web page must not reach it through DNS
        # rebinding, so the Host and Origin headers are checked. With keys, the key is the protection.
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True, allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        ) if self.loopback_only else TransportSecuritySettings(enable_dns_rebinding_protection=False)
        self.manager = StreamableHTTPSessionManager(app=self.server, json_response=True, stateless=True,
                                                    security_settings=security,
                                                    max_request_body_size=self.max_body_bytes)
        async with self.manager.run():
            yield
        self.manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            self._check(request)  # keys, roles, rate limit; records the caller's scope in scope["state"]
            if self.manager is None:
                raise ApiError(503, "not_ready", "the MCP endpoint starts with the application")
            await self.ready(request)
        except ApiError as exc:
            response = JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)
            await response(scope, receive, send)
            return
        await self.manager.asgi_app(scope, receive, send)
