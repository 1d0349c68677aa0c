"""Request bodies are capped while they arrive, not after: chunked bodies have no Content-Length to check.

A pure ASGI middleware wraps ``receive`` and counts bytes. A declared length over the cap is refused
before anything is read; a body that grows past the cap is answered 413 at that chunk, and the
app then sees the client as gone (its own response, if any, is dropped).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, cap_for: Callable[[str], int]) -> None:
        self.app = app
        self.cap_for = cap_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > cap):
            await _refuse(send, 413 if length.isdigit() else 400, "body_too_large" if length.isdigit() else
                          "invalid_content_length", f"the request body has {length.decode('latin-1')[:20]} bytes; "
                          f"the limit is {cap}")
            return
        received = 0
        refused = False

        async def limited() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    if not refused:
                        refused = True
                        await _refuse(send, 413, "body_too_large", f"the request body is larger than the limit "
                                                                   f"of {cap} bytes")
                    return {"type": "http.disconnect"}  # to the app, the client is gone
            return message

        async def guarded(message: Message) -> None:
            if not refused:  # once the client has its 413, whatever the app answers is dropped
                await send(message)

        await self.app(scope, limited, guarded)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                          (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
