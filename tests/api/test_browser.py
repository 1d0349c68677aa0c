"""The web pages in a real Chromium (Debian's, driven by Playwright): what a partner and support staff see."""

import os
import threading
import time
from pathlib import Path

import pytest

from api.app import create_app
from assistant import Settings

pytestmark = [pytest.mark.browser, pytest.mark.integration]
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def live_server(built_data, port_factory):
    import uvicorn

    port = port_factory()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(data_dir=built_data)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started and time.time() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("chromium not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1000, "height": 1200}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def ask(page, text):
    page.fill("#q", text)
    page.keyboard.press("Enter")
    count = page.locator("article.turn.bot").count()
    page.locator("article.turn.bot").nth(count - 1).locator(".feedback").wait_for(timeout=20000)
    return page.locator("article.turn.bot").nth(count - 1)


def test_cited_answer_with_tool_card_and_citation(page, live_server):
    page.goto(live_server + "/")
    assert page.title().startswith("伙伴中心规则助手")
    turn = ask(page, "8月的伙伴账单什么时候生成?我在东京")
    answer = turn.locator(".answer").inner_text()
    assert "2026" in answer and "12:00" in answer and "依据" in answer
    tool = turn.locator("details.tool")
    assert "bill_timing" in tool.locator("summary").inner_text()
    assert "generation_deadline_local" in tool.inner_text() and "Asia/Tokyo" in tool.inner_text()
    citation = turn.locator("details.citation").first
    assert not citation.locator(".quote").first.is_visible()
    citation.locator("summary").first.click()
    assert "每月5号12:00前" in citation.locator(".quote").first.inner_text()
    assert "销售 > 账务 > 伙伴账单" in citation.inner_text()


def test_two_turn_follow_up_and_feedback(page, live_server):
    page.goto(live_server + "/")
    first = ask(page, "多笔激励可以合并开一张发票吗?")
    assert "批量申请" in first.locator(".follow").inner_text()
    second = ask(page, "都是单独申请的")
    assert "invoice_merge_check" in second.locator("details.tool summary").inner_text()
    assert "不能全部合并" in second.locator(".answer").inner_text()
    box = second.locator(".feedback")
    box.get_by_role("button", name="没帮助").click()
    box.locator("textarea").nth(1).fill("单个申请的激励要分别开票")
    box.get_by_role("button", name="提交反馈").click()
    box.get_by_role("status").filter(has_text="已收到反馈").wait_for(timeout=10000)


def test_keyboard_only_and_english(page, live_server):
    page.goto(live_server + "/")
    page.select_option("#lang", "en")
    assert page.locator("#send").inner_text() == "Send"
    page.keyboard.press("Tab")
    for _ in range(8):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Does buying a stored-value card count as performance?")
    page.keyboard.press("Enter")
    turn = page.locator("article.turn.bot").first
    turn.locator(".feedback").wait_for(timeout=20000)
    assert "credits no performance" in turn.locator(".answer").inner_text()
    assert "stored_value_card_credit" in turn.locator("details.tool summary").inner_text()


def test_phone_width_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(live_server + "/")
    ask(tab, "客户经理主管能报备商机吗?")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "phone_chat.png"), full_page=True)
    assert tab.evaluate("document.scrollingElement.scrollWidth") <= 375
    context.close()


def test_triage_page(page, live_server):
    page.goto(live_server + "/triage")
    page.fill("#subject", "紧急:API报错")
    page.fill("#body", "接口返回HTTP 400,错误码CBC.30000010,申付单号 PR-2026-0815")
    page.get_by_role("button", name="分析").click()
    result = page.locator("article.result")
    result.wait_for(timeout=20000)
    text = result.inner_text()
    assert "error_code" in text and "high" in text and "CBC.30000010" in text and "PR-2026-0815" in text
    assert "依据" in result.locator("pre").inner_text()
    result.get_by_role("button", name="复制回复").click()
    result.get_by_role("button", name="已复制").wait_for(timeout=5000)
