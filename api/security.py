"""API keys with roles, the caller's scope (who owns a session), and a per-key rate limit."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from limits import RateLimitItem, parse, storage, strategies
from limits.errors import StorageError

from .errors import ApiError

ROLE_RANK = {"partner": 1, "support": 2, "admin": 3}
log = logging.getLogger("api")


class SweptMemoryStorage(storage.MemoryStorage):
    """limits' in-memory storage, pruned by one sweeper thread per storage instead of a new timer thread
    started whenever a count follows the last timer's run (every 10 ms under steady traffic). Starting a
    thread waits until it runs, which behind answers holding the GIL took 44 ms median (measured with 4
    busy threads): on the event loop, where the rate limit is checked, that stalled every request of the
    worker. Counts are unaffected: the storage checks each window's expiry when it reads a count; the
    sweep only drops idle windows (memory), every second."""

    SWEEP_SECONDS = 1.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        ref = weakref.ref(self)
        threading.Thread(target=_sweep, args=(ref, self.SWEEP_SECONDS), name="rate-limit-sweeper",
                         daemon=True).start()

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the library's per-count timer
        pass


def _sweep(ref: weakref.ref, seconds: float) -> None:
    while True:
        time.sleep(seconds)
        limiter = ref()
        if limiter is None:  # the storage is gone (an app instance discarded): so is its sweeper
            return
        limiter._MemoryStorage__expire_events()
        del limiter


class RateLimiter:
    """Requests per minute per caller, and failed authentications per client address, counted by the
    ``limits`` library: in memory (per worker process; idle windows expire and are dropped) or, with a
    ``redis://`` URL, in Redis shared by every worker and machine."""

    def __init__(self, per_minute: int, auth_failures_per_minute: int = 30, storage_url: str = "memory://") -> None:
        # A store that cannot be reached raises limits' StorageError (answered 503 by require), within
        # seconds: a Redis host that does not answer must not hold every request for a TCP timeout.
        options = {"socket_connect_timeout": 2, "socket_timeout": 2} if storage_url.startswith(("redis", "rediss")) \
            else {}
        if storage_url.split(":", 1)[0] == "memory":
            self._storage: storage.Storage = SweptMemoryStorage(wrap_exceptions=True)
        else:
            self._storage = storage.storage_from_string(storage_url, wrap_exceptions=True, **options)
        # Counting in this process's memory takes microseconds; a Redis round trip blocks.
        self.in_memory = isinstance(self._storage, storage.MemoryStorage)
        self._limiter = strategies.SlidingWindowCounterRateLimiter(self._storage)
        self._requests = parse(f"{per_minute}/minute")
        self._failures = parse(f"{auth_failures_per_minute}/minute")

    def _wait(self, item: RateLimitItem, *identity: str) -> float:
        reset = self._limiter.get_window_stats(item, *identity).reset_time
        return max(1.0, reset - time.time())

    def take(self, caller: str) -> float:
        """Count one request: 0 when allowed, else the seconds to wait."""
        return 0.0 if self._limiter.hit(self._requests, "request", caller) else self._wait(self._requests, "request",
                                                                                            caller)

    def locked_out(self, address: str) -> float:
        """Seconds until ``address`` may try a key again (0: it may now)."""
        return 0.0 if self._limiter.test(self._failures, "auth", address) else self._wait(self._failures, "auth",
                                                                                          address)

    def failed(self, address: str) -> None:
        self._limiter.hit(self._failures, "auth", address)


def _too_many(wait: float, what: str = "too many requests") -> ApiError:
    retry = max(1, math.ceil(wait))
    return ApiError(429, "rate_limited", f"{what}; retry after {retry} s", headers={"Retry-After": str(retry)})


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
        try:
            return _check(request)
        except StorageError as exc:  # limits are not counted: refuse rather than serve unlimited
            log.error("rate-limit store failed: %s", exc.storage_error)
            raise ApiError(503, "rate_limit_store_unavailable",
                           "the rate-limit store cannot be reached; try again shortly") from None

    def _check(request: Request) -> str:
        keys: dict[str, str] = request.app.state.api_keys
        limiter: RateLimiter = request.app.state.rate_limiter
        address = request.client.host if request.client else "local"
        key = caller_key(request)
        if keys:
            # An address that keeps sending wrong keys is refused before its keys are even looked at.
            wait = limiter.locked_out(address)
            if wait > 0:
                raise _too_many(wait, "too many failed authentications from this address")
            if not key:
                limiter.failed(address)
                raise ApiError(401, "missing_api_key", "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'",
                               headers={"WWW-Authenticate": "Bearer"})
            granted = keys.get(key)
            if granted is None:
                limiter.failed(address)
                raise ApiError(401, "invalid_api_key", "the API key is not valid", headers={"WWW-Authenticate": "Bearer"})
            if ROLE_RANK[granted] < ROLE_RANK[role]:
                raise ApiError(403, "forbidden", f"this endpoint needs the {role} role; the key has {granted}")
            caller = "key:" + _digest(key)
        else:
            granted = "admin"  # no keys configured: loopback-only development server
            caller = "addr:" + address  # a made-up X-API-Key per request must not buy a fresh allowance
        request.state.owner = caller_scope(request, key, bool(keys))
        wait = limiter.take(caller)
        if wait > 0:
            raise _too_many(wait)
        return granted

    return check


def dependency(role: str) -> Callable[[Request], Awaitable[str]]:
    """``require(role)`` as a FastAPI dependency. FastAPI runs a plain function dependency on its thread
    pool: one more hand-over between threads per request, each waiting for the GIL behind the answers
    being computed. With in-memory counting the check runs on the event loop; with Redis on the pool."""
    check = require(role)

    async def checked(request: Request) -> str:
        if request.app.state.rate_limiter.in_memory:
            return check(request)
        return await run_in_threadpool(check, request)

    return checked
