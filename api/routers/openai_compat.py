"""OpenAI-compatible chat: ``GET /v1/models`` and ``POST /v1/chat/completions`` (plain and streamed).

Chat front-ends (Open WebUI, LibreChat, Cherry Studio) and the official SDKs send the whole history on
every request; the conversation state is replayed from it (``assistant.conversation``). The answer text
carries numbered references ([1], [2]) and a reference list; the full answer - citations, tool calls,
the abstention flag, follow-ups - travels in the message's extra field ``partner_rules`` (in a stream:
the last chunk's ``delta.partner_rules``).

Same API keys, roles, rate limit and body cap as the rest of ``/v1`` (``Authorization: Bearer``); every
error has OpenAI's shape ``{"error": {"message", "type", "param", "code"}}`` (``code`` and ``message``
also satisfy the project's own error shape).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from assistant import Answer, Assistant
from assistant.conversation import HistoryError, answer_history
from knowledge import QueryError
from knowledge.retrieval import MAX_QUERY_CHARS

from .. import errors, metrics
from ..events import sse
from ..errors import ApiError
from ..security import require

MODEL = "partner-rules-assistant"
LLM_MODEL = MODEL + "-llm"
_CREATED = 1764201600  # 2025-11-27: a fixed "created" for the model list
_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "invalid_request_error", 409: "invalid_request_error", 410: "invalid_request_error",
          413: "invalid_request_error", 422: "invalid_request_error", 429: "rate_limit_error"}


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, code: str, param: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.headers = status, message, code, param, headers

    def response(self) -> JSONResponse:
        kind = _TYPES.get(self.status, "server_error" if self.status >= 500 else "invalid_request_error")
        return JSONResponse({"error": {"message": self.message, "type": kind, "param": self.param,
                                       "code": self.code}}, status_code=self.status, headers=self.headers)


# ---- request --------------------------------------------------------------------------------------

class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_call_id ... are accepted and ignored

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class CompletionRequest(BaseModel):
    """OpenAI's chat-completion request; parameters this server has no use for (temperature, max_tokens,
    seed, stream_options ...) are accepted and ignored, as OpenAI-compatible servers do."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"model": MODEL, "messages": [{"role": "user", "content": "8月的伙伴账单什么时候生成?我在东京"}]}]})

    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool | None = False
    n: int | None = Field(default=None, ge=1)
    user: str | None = Field(default=None, max_length=256, description="End user: scopes the recorded conversation")
    tools: list[Any] | None = Field(default=None, description="Refused when not empty: the tools run server-side")
    functions: list[Any] | None = Field(default=None, description="Refused when not empty (legacy tools)")
    now: AwareDatetime | None = Field(default=None, description="Extension: the current time with offset "
                                                                "(default the clock), for reproducible answers")


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local $defs substituted (OpenAPI resolves $ref from the document root)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _param(loc: tuple[Any, ...]) -> str:
    """A pydantic location as OpenAI names parameters: messages[2].content."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"str", "list[ContentPart]"} or str(part).startswith(("literal", "function-")):
            continue  # union branch names are not fields
        else:
            out += ("." if out else "") + str(part)
    return out


async def _parse(request: Request) -> CompletionRequest:
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, an integer past 4300 digits, deep nesting
        raise OpenAIError(400, f"the request body is not valid JSON: {str(exc)[:200]}", "invalid_json") from exc
    if not isinstance(data, dict):
        raise OpenAIError(400, "the request body must be a JSON object", "invalid_request")
    try:
        body = CompletionRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = _param(tuple(first["loc"]))
        raise OpenAIError(400, f"{param}: {first['msg']}", "invalid_value", param) from exc
    if body.n is not None and body.n > 1:
        raise OpenAIError(400, "n > 1 is not supported: the answers are deterministic, one choice per request",
                          "unsupported_value", "n")
    for name in ("tools", "functions"):
        if getattr(body, name):
            raise OpenAIError(400, f"'{name}' is not supported: the rules-engine tools run on the server and "
                                   "their calls are reported in message.partner_rules.tool_calls",
                              "unsupported_parameter", name)
    return body


def _user_turns(messages: list[ChatMessage]) -> list[str]:
    """The user turns' texts; system and assistant turns do not steer the rules assistant."""
    turns = []
    for i, message in enumerate(messages):
        if message.role in {"tool", "function"}:
            raise OpenAIError(400, f"messages[{i}]: '{message.role}' messages are not supported (no client tools)",
                              "unsupported_value", f"messages[{i}].role")
        if message.role != "user":
            continue
        if isinstance(message.content, list):
            for j, part in enumerate(message.content):
                if part.type != "text" or part.text is None:
                    raise OpenAIError(400, f"messages[{i}].content[{j}]: only text content is supported",
                                      "unsupported_value", f"messages[{i}].content[{j}].type")
            text = "\n".join(part.text or "" for part in message.content)
        else:
            text = message.content or ""
        if not text.strip():
            raise OpenAIError(400, f"messages[{i}].content: a user message needs text", "invalid_value",
                              f"messages[{i}].content")
        if len(text) > MAX_QUERY_CHARS:  # the same limit as /v1/chat's message
            raise OpenAIError(400, f"messages[{i}].content: {len(text)} characters; the limit is {MAX_QUERY_CHARS}",
                              "invalid_value", f"messages[{i}].content")
        turns.append(text)
    if messages[-1].role != "user":
        raise OpenAIError(400, "the last message must be the user's question", "invalid_value",
                          f"messages[{len(messages) - 1}].role")
    return turns


# ---- response -------------------------------------------------------------------------------------

def _refs_heading(language: str) -> str:
    return "References:" if language == "en" else "参考资料:"


def render(answer: Answer, answer_id: str, model: str) -> tuple[str, dict[str, Any]]:
    """The content with numbered references, and the ``partner_rules`` extra field.

    Reads the answer's dump, not its attributes: fields added to ``Answer`` later travel along unchanged."""
    data = answer.model_dump(mode="json")
    text: str = data.pop("answer")
    citations = data.get("citations") or []
    unplaced = []
    for n, citation in enumerate(citations, start=1):
        citation["ref"] = n
        quote = citation.get("quote") or ""
        quoted = f"「{quote}」"
        if quote and quoted in text:
            text = text.replace(quoted, f"{quoted}[{n}]", 1)
        elif quote and quote in text:
            text = text.replace(quote, f"{quote}[{n}]", 1)
        else:
            unplaced.append(n)
    if unplaced:
        text = text.rstrip() + " " + "".join(f"[{n}]" for n in unplaced)
    if citations:
        lines = [_refs_heading(data.get("language", "zh"))]
        for citation in citations:
            parts = [citation.get("source")] + [citation.get(k) for k in ("menu_path", "url")]
            lines.append(f"[{citation['ref']}] " + " · ".join(str(p) for p in parts if p))
        text = text.rstrip() + "\n\n" + "\n".join(lines)
    data.update(answer_id=answer_id, model=model)
    return text, data


def _chunk(completion_id: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
    return sse(body)


# ---- routes ---------------------------------------------------------------------------------------

def _models(request: Request) -> list[str]:
    settings = request.app.state.settings
    return [MODEL, LLM_MODEL] if getattr(settings, "llm_model", None) else [MODEL]


def _model_card(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": _CREATED, "owned_by": "partner-rules-assistant"}


def _as_openai(exc: Exception) -> OpenAIError:
    if isinstance(exc, OpenAIError):
        return exc
    if isinstance(exc, ApiError):
        return OpenAIError(exc.status, exc.message, exc.code, headers=exc.headers)
    mapped = errors.domain_response(exc)
    if mapped is None:
        raise exc
    error = json.loads(bytes(mapped.body))["error"]
    return OpenAIError(mapped.status_code, error["message"], error["code"])


def router(get_assistant: Callable[[Request], Awaitable[Assistant]]) -> APIRouter:
    """The routes; ``get_assistant`` yields the app's ready assistant (503 while the index loads)."""
    api = APIRouter(tags=["openai-compatible"])
    partner = require("partner")

    @api.get("/v1/models", summary="OpenAI-compatible model list")
    async def list_models(request: Request) -> Response:
        try:
            partner(request)
        except ApiError as exc:
            return _as_openai(exc).response()
        return JSONResponse({"object": "list", "data": [_model_card(m) for m in _models(request)]})

    @api.get("/v1/models/{model}", summary="One model of the OpenAI-compatible list")
    async def get_model(request: Request, model: str) -> Response:
        try:
            partner(request)
            if model not in _models(request):
                raise OpenAIError(404, f"the model '{model}' does not exist", "model_not_found", "model")
        except (ApiError, OpenAIError) as exc:
            return _as_openai(exc).response()
        return JSONResponse(_model_card(model))

    @api.post("/v1/chat/completions", summary="OpenAI-compatible chat completion (stream: true for SSE chunks)",
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": _inline(CompletionRequest.model_json_schema())}}}},
              responses={200: {"content": {"application/json": {}, "text/event-stream": {}}},
                         400: {"description": "In OpenAI's error shape (so are all errors of this route): n > 1, "
                                              "client tools, or a bad message; `param` names the field",
                               "content": {"application/json": {"example": {"error": {
                                   "message": "n > 1 is not supported", "type": "invalid_request_error",
                                   "param": "n", "code": "unsupported_value"}}}}}})
    async def chat_completions(request: Request) -> Response:
        try:
            partner(request)
            body = await _parse(request)
            if body.model not in _models(request):
                raise OpenAIError(404, f"the model '{body.model}' does not exist; GET /v1/models lists them",
                                  "model_not_found", "model")
            turns = _user_turns(body.messages)
            bot = await get_assistant(request)
            now = body.now or datetime.now(timezone.utc)
            answer_id = uuid.uuid4().hex
            user_positions = [i for i, m in enumerate(body.messages) if m.role == "user"]
            try:
                answer = await run_in_threadpool(
                    answer_history, bot, turns, now, scope=[body.model, body.user or ""],
                    owner=getattr(request.state, "owner", None), answer_id=answer_id, with_llm=body.model == LLM_MODEL)
            except HistoryError as exc:
                param = f"messages[{user_positions[exc.index]}].content"
                raise OpenAIError(400, f"{param}: {exc}", "invalid_value", param) from exc
            except QueryError as exc:
                param = f"messages[{user_positions[-1]}].content"
                raise OpenAIError(400, f"{param}: {exc}", "invalid_value", param) from exc
        except Exception as exc:  # noqa: BLE001 - mapped to OpenAI's shape; anything unmapped re-raises
            return _as_openai(exc).response()
        metrics.observe_answer(answer.abstained, [c.name for c in answer.tool_calls])
        text, extra = render(answer, answer_id, body.model)
        completion_id, created = f"chatcmpl-{answer_id}", int(time.time())
        headers = {"X-Answer-Id": answer_id}
        if not body.stream:
            return JSONResponse({
                "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None,
                                                     "partner_rules": extra},
                             "logprobs": None, "finish_reason": "stop"}]}, headers=headers)

        async def chunks() -> AsyncIterator[str]:
            yield _chunk(completion_id, created, body.model, {"role": "assistant", "content": ""})
            for line in text.splitlines(keepends=True):
                yield _chunk(completion_id, created, body.model, {"content": line})
            yield _chunk(completion_id, created, body.model, {"partner_rules": extra}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream",
                                 headers={**headers, "Cache-Control": "no-cache"})

    return api
