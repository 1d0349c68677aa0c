"""Shared fixtures. Unit tests must never reach the network: only loopback is allowed."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from api.server import free_port, start_chroma_server

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise RuntimeError(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


def _start_postgres(tmp_root):
    """A throwaway PostgreSQL cluster on loopback, run as the `postgres` user (initdb refuses root)."""
    initdb = shutil.which("initdb") or "/usr/lib/postgresql/15/bin/initdb"
    pg_ctl = shutil.which("pg_ctl") or "/usr/lib/postgresql/15/bin/pg_ctl"
    if not (os.path.exists(initdb) and os.path.exists(pg_ctl)):
        return None, None
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = tmp_root / "pgdata"
    data.mkdir()
    if runner:  # pytest's own temp folders are private to root, so this one lives outside them
        shutil.chown(tmp_root, "postgres")
        shutil.chown(data, "postgres")
    port = free_port()
    subprocess.run([*runner, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([*runner, pg_ctl, "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = [*runner, pg_ctl, "-D", str(data), "-m", "fast", "stop"]
    time.sleep(0.2)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


@pytest.fixture(scope="session")
def port_factory():
    """Hands out loopback ports nobody listens on right now."""
    return free_port


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """PostgreSQL for the session/feedback tests: CI's server (PARTNER_ASSISTANT_TEST_POSTGRES_URL) or one started here."""
    url = os.environ.get("PARTNER_ASSISTANT_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    root = Path(tempfile.mkdtemp(prefix="partner-assistant-pg-"))
    try:
        url, stop = _start_postgres(root)
    except (subprocess.CalledProcessError, OSError, LookupError) as exc:
        url, reason = None, f"cannot start PostgreSQL here: {exc}"
    else:
        reason = "PostgreSQL binaries not installed"
    if url is None:
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must exercise the real server, never skip it
        pytest.skip(reason)
    yield url
    subprocess.run(stop, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis server for the shared rate limits: CI's (PARTNER_ASSISTANT_TEST_REDIS_URL) or a
    `redis-server` started here on a free loopback port, in memory only (no dump file)."""
    url = os.environ.get("PARTNER_ASSISTANT_TEST_REDIS_URL")
    if url:
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (make system-deps installs it)")
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory):
    """A real `chroma run` server: the one CI started (CHROMA_TEST_URL), else one started here
    the way `serve --workers` starts it (stopped when the test process exits)."""
    return os.environ.get("CHROMA_TEST_URL") or start_chroma_server(tmp_path_factory.mktemp("chroma-server") / "chroma")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each database-backed test runs on a SQLite file and on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assistant.db'}"
    return request.getfixturevalue("postgres_url")
