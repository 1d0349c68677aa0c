"""Rate limits counted in Redis are shared by every app instance (workers, machines); in memory they are not."""

import uuid

import pytest
from fastapi.testclient import TestClient

from api import create_app
from assistant import Settings

from .conftest import KEYS, P

pytestmark = pytest.mark.integration


def _instance(tmp_path, storage_url, **overrides) -> TestClient:
    """One app instance, as one worker process holds it (no lifespan: /v1/tools needs no index)."""
    settings = Settings(data_dir=tmp_path, api_keys=KEYS, rate_limit_storage_url=storage_url, **overrides)
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture
def redis_db(redis_url):
    """A Redis database number of its own per test, so no count carries over between tests."""
    import redis

    url = f"{redis_url}/{uuid.uuid4().int % 15 + 1}"
    redis.Redis.from_url(url).flushdb()
    return url


def test_two_instances_share_the_request_limit_in_redis(tmp_path, redis_db):
    first = _instance(tmp_path, redis_db, rate_limit_per_minute=4)
    second = _instance(tmp_path, redis_db, rate_limit_per_minute=4)
    codes = [(first if n % 2 == 0 else second).get("/v1/tools", headers=P).status_code for n in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]  # 4 in all, not 4 per instance
    refused = first.get("/v1/tools", headers=P)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert second.get("/v1/tools", headers={"X-API-Key": "s-key"}).status_code == 200  # per key still


def test_two_instances_share_the_failed_authentication_count_in_redis(tmp_path, redis_db):
    first = _instance(tmp_path, redis_db, auth_failures_per_minute=3)
    second = _instance(tmp_path, redis_db, auth_failures_per_minute=3)
    wrong = {"Authorization": "Bearer not-a-key"}
    codes = [(first if n % 2 == 0 else second).get("/v1/tools", headers=wrong).status_code for n in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    assert second.get("/v1/tools", headers=P).status_code == 429  # the address is locked out on both


def test_in_memory_limits_are_per_instance(tmp_path):
    first = _instance(tmp_path, "memory://", rate_limit_per_minute=2)
    second = _instance(tmp_path, "memory://", rate_limit_per_minute=2)
    assert [first.get("/v1/tools", headers=P).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/v1/tools", headers=P).status_code == 200  # its own window: why Redis is needed


def test_an_unreachable_redis_is_a_clear_error_not_a_500(tmp_path, port_factory):
    client = _instance(tmp_path, f"redis://127.0.0.1:{port_factory()}")
    response = client.get("/v1/tools", headers=P)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "rate_limit_store_unavailable"


def test_in_memory_counting_starts_no_thread_per_request_and_still_drops_idle_windows():
    """The library's memory store started a timer thread per count after the last one fired; starting
    a thread on the event loop waits for the GIL behind running answers. One sweeper prunes instead."""
    import threading
    import time

    from api.security import RateLimiter, SweptMemoryStorage

    limiter = RateLimiter(per_minute=1000)
    assert isinstance(limiter._storage, SweptMemoryStorage)
    before = {t.ident for t in threading.enumerate()}
    for n in range(50):
        assert limiter.take(f"caller-{n}") == 0
        time.sleep(0.001)
    assert {t.ident for t in threading.enumerate()} - before == set()

    class Quick(SweptMemoryStorage):
        SWEEP_SECONDS = 0.05

    store = Quick()
    store.incr("idle-window", expiry=0.1)
    assert "idle-window" in store.storage
    deadline = time.time() + 5
    while "idle-window" in store.storage and time.time() < deadline:
        time.sleep(0.05)
    assert "idle-window" not in store.storage  # dropped by the sweeper, never read again
