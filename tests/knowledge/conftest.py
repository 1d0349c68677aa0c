import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import HashEmbedder, KnowledgeIndex, make_client


@pytest.fixture
def embedded_client(tmp_path):
    return make_client(tmp_path / "data")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory):
    """A real `chroma run` server: the one CI started (CHROMA_TEST_URL), else one started here."""
    url = os.environ.get("CHROMA_TEST_URL")
    if url:
        yield url
        return
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


@pytest.fixture(params=["embedded", "server"])
def any_client(request, tmp_path):
    if request.param == "embedded":
        return make_client(tmp_path / "data")
    return make_client(chroma_url=request.getfixturevalue("chroma_server_url"))


@pytest.fixture
def hash_index(any_client, request):
    # A unique namespace keeps tests that share one server apart.
    namespace = "t-" + str(abs(hash(request.node.nodeid)))[:12]
    return KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace)
