"""Every error the API returns is JSON ``{"error": {"code", "message", "details"}}``; mapped in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.feedback import AnswerNotFoundError
from assistant.sessions import (InvalidSessionIdError, SessionExpiredError, SessionNotFoundError, SessionStoreError,
                                TurnTimeoutError)
from knowledge import (IndexMismatchError, IndexMissingError, IngestError, KnowledgeError, QueryError)
from knowledge.errors import IndexUnavailableError
from tools import ToolInputError, UnknownToolError

log = logging.getLogger("api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.headers = status, code, message, details, headers


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return body


def _json(status: int, code: str, message: str, details: Any = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


# Domain error -> (HTTP status, code). Order matters: subclasses first.
_DOMAIN: list[tuple[type[Exception], int, str]] = [
    (InvalidSessionIdError, 422, "invalid_session_id"),
    (SessionExpiredError, 410, "session_expired"),
    (SessionNotFoundError, 404, "session_not_found"),
    (TurnTimeoutError, 504, "timeout"),
    (SessionStoreError, 503, "database_unavailable"),
    (AnswerNotFoundError, 404, "answer_not_found"),
    (UnknownToolError, 404, "unknown_tool"),
    (QueryError, 422, "invalid_query"),
    (IngestError, 400, "invalid_source"),
    (IndexMissingError, 503, "index_missing"),
    (IndexMismatchError, 503, "index_mismatch"),
    (IndexUnavailableError, 503, "index_unavailable"),
    (KnowledgeError, 400, "knowledge_error"),
]


def domain_response(exc: Exception) -> JSONResponse | None:
    if isinstance(exc, ToolInputError):
        details = [{"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"]} for e in exc.errors]
        return _json(422, "invalid_tool_arguments", str(exc), details)
    for kind, status, code in _DOMAIN:
        if isinstance(exc, kind):
            return _json(status, code, _public_message(exc))
    return None


def _public_message(exc: Exception) -> str:
    """What a caller may read. Database errors name the database (URL, file); only the log gets that."""
    if not isinstance(exc, SessionStoreError):
        return str(exc)
    log.warning("%s", exc)
    text = str(exc)
    if "locked" in text:
        return "the session database is busy; try again shortly"
    if "corrupt" in text or "lacks" in text:
        return "the session database cannot be used; the operator has been told (see the server log)"
    return "the session database is unavailable; try again later"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"] if p != "body") or None, "message": e["msg"]}
                   for e in exc.errors()]
        return _json(422, "validation_error", "the request is not valid: " +
                     "; ".join(f"{d['field']}: {d['message']}" for d in details), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "invalid_body", 404: "not_found", 405: "method_not_allowed",
                413: "body_too_large"}.get(exc.status_code, "http_error")
        return _json(exc.status_code, code, str(exc.detail), headers=exc.headers)

    for kind, _, _ in [*_DOMAIN, (ToolInputError, 0, "")]:
        @app.exception_handler(kind)
        async def _domain(_: Request, exc: Exception) -> JSONResponse:
            return domain_response(exc)  # type: ignore[return-value]

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _json(500, "internal_error", "the server failed to handle this request; it has been logged")
