"""Shared fixtures. Unit tests must never reach the network: only loopback is allowed."""

from __future__ import annotations

import ipaddress
import socket

import pytest

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
    import os
    import shutil
    import subprocess
    import time

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
    port = _free_port()
    subprocess.run([*runner, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([*runner, pg_ctl, "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = [*runner, pg_ctl, "-D", str(data), "-m", "fast", "stop"]
    time.sleep(0.2)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def port_factory():
    """Hands out loopback ports nobody listens on right now."""
    return _free_port


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """PostgreSQL for the session/feedback tests: CI's server (PARTNER_ASSISTANT_TEST_POSTGRES_URL) or one started here."""
    import os
    import subprocess

    url = os.environ.get("PARTNER_ASSISTANT_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    import shutil
    import tempfile
    from pathlib import Path

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
def chroma_server_url(tmp_path_factory):
    """A real `chroma run` server: the one CI started (CHROMA_TEST_URL), else one started here."""
    import os

    url = os.environ.get("CHROMA_TEST_URL")
    if url:
        yield url
        return
    import shutil
    import subprocess
    import sys
    import time
    from pathlib import Path

    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)




@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each database-backed test runs on a SQLite file and on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assistant.db'}"
    return request.getfixturevalue("postgres_url")
