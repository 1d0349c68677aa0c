import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant import Assistant, Settings

KEYS = "p-key:partner,s-key:support,a-key:admin"


@pytest.fixture(scope="session")
def built_data(tmp_path_factory):
    """One built index (default embedder, vendored corpus) shared by the API tests that only read it."""
    data = tmp_path_factory.mktemp("api-data")
    Assistant.from_settings(Settings(data_dir=data)).index.build()
    return data


def make_client(data, **overrides) -> TestClient:
    settings = Settings(data_dir=data, **overrides)
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def client(built_data):
    with make_client(built_data, api_keys=KEYS) as c:
        yield c


P = {"Authorization": "Bearer p-key"}
S = {"X-API-Key": "s-key"}
A = {"Authorization": "Bearer a-key"}


@pytest.fixture(scope="session")
def loopback_server(tmp_path_factory):
    """`partner-assistant serve` as a real process on a free loopback port, with API keys and its own
    index (an embedded Chroma store is not shared between processes). Yields the base URL."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from api.server import free_port, wait_ready

    data = tmp_path_factory.mktemp("loopback-server")
    env = {**os.environ, "PARTNER_ASSISTANT_DATA_DIR": str(data), "PARTNER_ASSISTANT_API_KEYS": KEYS,
           "OMP_NUM_THREADS": "1"}
    env.pop("PARTNER_ASSISTANT_CHROMA_URL", None)
    exe = str(Path(sys.executable).parent / "partner-assistant")
    subprocess.run([exe, "index", "build"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    log = open(data / "serve.log", "wb")  # a file, not a pipe: an unread pipe would block the server
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_ready(base, timeout=120):
            pytest.fail("server did not become ready: " + (data / "serve.log").read_text(errors="replace")[-4000:])
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
