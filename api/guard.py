"""Every request's deadline, timeout, error envelope and metrics, as one pure ASGI middleware.

Starlette's BaseHTTPMiddleware runs the app in a task group behind a memory stream on every request
(and wraps errors in exception groups); this does the same work around the plain ASGI call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors, metrics

log = logging.getLogger("api")
GRACE = 2.0  # seconds the guard waits past a turn's deadline for the turn's own 504 (then never saved)


class Guard:
    def __init__(self, app: ASGIApp, timeout: float, untimed: frozenset[str]) -> None:
        self.app = app
        self.timeout = timeout
        self.untimed = untimed  # paths not bound by the timeout (index builds take as long as they take)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope["path"]
        # A chat turn checks this deadline before it saves: a request answered 504 leaves no turn behind.
        scope.setdefault("state", {})["deadline"] = time.monotonic() + self.timeout
        status = 0

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if path in self.untimed:
                await self.app(scope, receive, tracked)
            else:  # in the request's own task (wait_for would start another task per request)
                async with asyncio.timeout(self.timeout + GRACE):
                    await self.app(scope, receive, tracked)
        except asyncio.TimeoutError:
            if not status:
                status = await _error(send, 504, "timeout", f"the request took longer than {self.timeout} s")
        except ClientDisconnect:  # gone, or cut off by the body cap (which has answered 413 itself)
            status = status or 499
        except Exception:  # noqa: BLE001 - answered here, the error does not reach the server and cut the connection
            log.exception("unhandled error on %s %s", scope["method"], path)
            if not status:
                status = await _error(send, 500, "internal_error",
                                      "the server failed to handle this request; it has been logged")
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or ("static" if path.startswith("/static") else "other")
            metrics.child(metrics.REQUESTS, scope["method"], label, str(status or 500)).inc()
            metrics.child(metrics.LATENCY, label).observe(time.perf_counter() - started)


async def _error(send: Send, status: int, code: str, message: str) -> int:
    body = json.dumps(errors.error_body(code, message)).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status
