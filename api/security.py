"""API keys with roles, and a per-key rate limit."""

from __future__ import annotations

import math
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
        caller = key or (request.client.host if request.client else "local")
        wait = request.app.state.rate_limiter.take(caller)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, "rate_limited", f"too many requests; retry after {retry} s",
                           headers={"Retry-After": str(retry)})
        return granted

    return check
