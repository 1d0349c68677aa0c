"""Regenerates docs/chat.png, the chat page shown in the README (Debian's Chromium, a throwaway index).

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from api.server import free_port  # noqa: E402
from assistant import Assistant, Settings  # noqa: E402
from tests.api.browser_support import LiveServer, launch  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    data = Path(tempfile.mkdtemp(prefix="screenshot-"))
    Assistant.from_settings(Settings(data_dir=data)).index.build()
    server = LiveServer(Settings(data_dir=data), free_port()).start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1100, "height": 720}, locale="zh-CN")
            page.goto(server.url + "/")
            page.fill("#q", "8月的伙伴账单什么时候生成?我在东京")
            page.keyboard.press("Enter")
            turn = page.locator("article.turn.bot").first
            turn.locator(".actions").wait_for(timeout=20000)
            turn.locator("details.tool summary").first.click()
            page.locator("#q").blur()
            page.screenshot(path=str(Path(__file__).with_name("chat.png")))
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
