"""Helpers for the browser tests: a live server in a thread, Debian's Chromium, screenshots, axe-core."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from assistant import Settings

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class LiveServer:
    """uvicorn in a thread; stop() closes the port for real, start() opens it again (same port)."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.settings, self.port = settings, port
        self.url = f"http://127.0.0.1:{port}"
        self.server: Any = None
        self.thread: threading.Thread | None = None

    def start(self) -> "LiveServer":
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(create_app(self.settings), host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 60
        while not self.server.started and time.time() < deadline:
            time.sleep(0.05)
        assert self.server.started, "the test server did not start"
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(timeout=15)
            self.server = None


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("chromium not installed (apt-get install chromium fonts-noto-cjk)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts: tuple[str, ...] = ("moderate", "serious", "critical")) -> list[dict[str, Any]]:
    """Runs axe-core (the copy shipped in the axe-playwright-python wheel) in the page."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    page.add_script_tag(path=str(script))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations']})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"] if v["impact"] in impacts]


def inject_into_done(route, change) -> None:
    """Fetches the real SSE stream and lets `change(answer)` add fields to the answer in the `done` event
    (for fields another part of the system will produce but does not yet)."""
    response = route.fetch()
    blocks = []
    for block in response.text().split("\n\n"):
        if block.startswith("event: done"):
            head, data = block.split("\ndata: ", 1)
            payload = json.loads(data)
            change(payload["answer"])
            block = head + "\ndata: " + json.dumps(payload, ensure_ascii=False)
        blocks.append(block)
    route.fulfill(response=response, body="\n\n".join(blocks))


def inject_into_session(route, change) -> None:
    """Fetches a real `GET /v1/sessions/{id}` and lets `change(answer)` add fields to each turn's answer (the
    redraw after a language switch reads them from there); other methods pass through."""
    if route.request.method != "GET":
        route.continue_()
        return
    response = route.fetch()
    try:
        payload = response.json()
    except ValueError:
        route.fulfill(response=response)
        return
    for turn in payload.get("turns") or []:
        if turn.get("answer"):
            change(turn["answer"])
    route.fulfill(response=response, body=json.dumps(payload, ensure_ascii=False))


STREAM = "**/v1/chat/stream"


def ask_pending(page: Any, question: str) -> None:
    """Send a question whose answer never comes (the stream request is held), and wait for the typing indicator:
    the state in which Stop, blocked input and typing-while-waiting are tested. `page.unroute(STREAM)` lets the
    next request through."""
    page.route(STREAM, lambda route: None)
    page.fill("#q", question)
    page.keyboard.press("Enter")
    page.locator(".typing").wait_for()
