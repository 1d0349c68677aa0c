"""The OpenAPI document: the error envelope and the error statuses every route can return, the SSE
events of the stream, a batch example and the API-key schemes (FastAPI derives the rest from the routes)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

DESCRIPTION = """Cited answers and exact rule computations over the Partner Center rules.

**Errors.** Every error is JSON `{"error": {"code", "message", "details"?}}` (schema `ErrorEnvelope`);
`code` is stable and machine-readable, `message` names the field or limit at fault.

**Keys.** With `PARTNER_ASSISTANT_API_KEYS` set, send `Authorization: Bearer <key>` or `X-API-Key: <key>`;
roles are partner < support < admin.

**Streaming.** `POST /v1/chat/stream` answers with Server-Sent Events, in this order: `tool_call`
(one per rules-engine call: `{name, arguments, result}`), `citation` (one per cited passage),
`answer_delta` (`{text}`, the answer line by line), then `done` (`{answer_id, answer}` with the full answer).
"""

_ENVELOPE = {
    "type": "object", "required": ["error"], "title": "ErrorEnvelope",
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "examples": ["validation_error"]},
        "message": {"type": "string"},
        "details": {"description": "For validation errors: a list of {field, message}"}}}},
}
# status -> (description, example code, example message)
_ERRORS: dict[int, tuple[str, str, str]] = {
    401: ("No API key, or an unknown one", "missing_api_key", "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'"),
    403: ("The key's role may not use this route", "forbidden", "this endpoint needs the support role; the key has partner"),
    410: ("The session expired (idle past SESSION_TTL_HOURS); start a new one", "session_expired",
          "session demo-1 expired"),
    413: ("The request body is over the cap (MAX_BODY_BYTES / MAX_UPLOAD_BYTES, or 1000 batch cases)",
          "body_too_large", "the request body has 2000000 bytes; the limit is 1000000"),
    422: ("A field is not valid; `details` names it", "validation_error",
          "the request is not valid: message: String should have at least 1 character"),
    429: ("Rate limit; the Retry-After header says when to retry", "rate_limited", "too many requests; retry after 3 s"),
    503: ("The index or database is not available yet", "not_ready", "the index is not loaded yet"),
    504: ("The request took longer than REQUEST_TIMEOUT_SECONDS", "timeout", "the request took longer than 30 s"),
}
_SSE_EXAMPLE = (
    'event: tool_call\ndata: {"name": "bill_timing", "arguments": {"billing_period": "2026-08"}, "result": {"status": "available"}}\n\n'
    'event: citation\ndata: {"chunk_id": "0d38c9c45b6a0957d3c5f012", "quote": "每月5号12:00前会生成上个月的账单。"}\n\n'
    'event: answer_delta\ndata: {"text": "账期 2026-08 的伙伴账单会在北京时间 2026-09-05(星期六)12:00 前生成。\\n"}\n\n'
    'event: done\ndata: {"answer_id": "17eac059bd464d4ea0188a31c60e06c8", "answer": {"answer": "…", "abstained": false}}\n\n')
_BATCH_CSV = "subject,body,partner_role,now\n账单什么时候出,10月的账单几号能看到?,finance,2026-11-04T10:00:00+08:00\n"
_BATCH_JSONL = ('{"subject": "紧急:API报错", "body": "返回HTTP 400,错误码CBC.30000010"}\n'
                '{"subject": "业绩什么时候能看到", "body": "4月30日的业绩哪天可以查看?"}\n')


def _error_response(status: int) -> dict[str, Any]:
    description, code, message = _ERRORS[status]
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorEnvelope"},
        "example": {"error": {"code": code, "message": message}}}}}


def install(app: FastAPI) -> None:
    def schema() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = doc.setdefault("components", {})
        components.setdefault("schemas", {})["ErrorEnvelope"] = _ENVELOPE
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"},
                                         "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
        for path, operations in doc.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                statuses = [422, 504]
                if path.startswith("/v1/"):
                    statuses += [401, 403, 413, 429, 503]
                    operation["security"] = [{"bearer": []}, {"apiKey": []}]
                if path.startswith("/v1/chat"):
                    statuses.append(410)
                for status in statuses:
                    if status == 422 and "422" not in responses and "requestBody" not in operation \
                            and not operation.get("parameters"):
                        continue  # nothing to validate
                    responses[str(status)] = _error_response(status)
        stream = doc["paths"].get("/v1/chat/stream", {}).get("post")
        if stream:
            stream["responses"]["200"] = {"description": "Server-Sent Events: tool_call*, citation*, answer_delta*, done",
                                          "content": {"text/event-stream": {"schema": {"type": "string"},
                                                                            "example": _SSE_EXAMPLE}}}
        batch = doc["paths"].get("/v1/triage/batch", {}).get("post")
        if batch:
            batch["requestBody"] = {"required": True, "content": {
                "text/csv": {"schema": {"type": "string"}, "example": _BATCH_CSV},
                "application/x-ndjson": {"schema": {"type": "string"}, "example": _BATCH_JSONL}}}
            batch["responses"]["200"] = {"description": "One JSON line per case: {line, result} or {line, error}",
                                         "content": {"application/x-ndjson": {"schema": {"type": "string"}, "example":
                                             '{"line": 1, "result": {"category": "error_code", "priority": "high"}}\n'
                                             '{"line": 2, "error": {"code": "validation_error", "message": "subject: Field required"}}\n'}}}
        doc["components"]["schemas"].pop("HTTPValidationError", None)
        doc["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = doc
        return doc

    app.openapi = schema  # type: ignore[method-assign]
