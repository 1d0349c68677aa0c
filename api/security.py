"""API keys with roles, the caller's scope (who owns a session), and a per-key rate limit."""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections.abc import Callable

from fastapi import Request

from .errors import ApiError

ROLE_RANK = {"partner": 1, "support": 2, "admin": 3}


class RateLimiter:
    """A token bucket per caller: ``per_minute`` requests, refilled continuously (per worker process)."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1 - tokens) / self.rate


CLIENT_COOKIE = "pa_client"
CLIENT_HEADER = "x-client-token"
_CLIENT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def caller_scope(request: Request, key: str | None, keys_configured: bool) -> str:
    """Who owns the sessions and feedback of this request: the API key when keys are configured (stored
    as a digest, never the key); otherwise a client token (header, or the cookie the chat page sets) so
    each browser keeps its own history, else the client's address."""
    if keys_configured and key:
        return "key:" + _digest(key)
    token = request.headers.get(CLIENT_HEADER)
    if token is not None and not _CLIENT_TOKEN.match(token):
        raise ApiError(422, "invalid_client_token",
                       "X-Client-Token must be 16-128 characters of letters, digits, '_' or '-'")
    token = token or request.cookies.get(CLIENT_COOKIE)
    if token and _CLIENT_TOKEN.match(token):
        return "client:" + _digest(token)
    return "addr:" + (request.client.host if request.client else "local")


def caller_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


def require(role: str) -> Callable[[Request], str]:
    """A dependency: the caller's role must be at least ``role``; also applies the rate limit."""

    def check(request: Request) -> str:
        keys: dict[str, str] = request.app.state.api_keys
        key = caller_key(request)
        if keys:
            if not key:
                raise ApiError(401, "missing_api_key", "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'",
                               headers={"WWW-Authenticate": "Bearer"})
            granted = keys.get(key)
            if granted is None:
                raise ApiError(401, "invalid_api_key", "the API key is not valid", headers={"WWW-Authenticate": "Bearer"})
            if ROLE_RANK[granted] < ROLE_RANK[role]:
                raise ApiError(403, "forbidden", f"this endpoint needs the {role} role; the key has {granted}")
        else:
            granted = "admin"  # no keys configured: loopback-only development server
        request.state.owner = caller_scope(request, key, bool(keys))
        caller = key or (request.client.host if request.client else "local")
        wait = request.app.state.rate_limiter.take(caller)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, "rate_limited", f"too many requests; retry after {retry} s",
                           headers={"Retry-After": str(retry)})
        return granted

    return check
