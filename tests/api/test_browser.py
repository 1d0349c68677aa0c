"""The web pages in a real Chromium (Debian's, driven by Playwright): what a partner and support staff see.
Every flow runs at 1280x800 and 390x844 and leaves a screenshot in artifacts/screenshots/."""

import re
import time

import pytest

from assistant import Settings

from .browser_support import VIEWPORTS, LiveServer, ask_pending, axe_violations, inject_into_done, inject_into_session, launch, shoot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def live_server(built_data, port_factory):
    server = LiveServer(Settings(data_dir=built_data), port_factory()).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = launch(p)
        yield instance
        instance.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(browser, request):
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.viewport_name = request.param
    yield tab
    shoot(tab, request.node.name.replace("[", "-").rstrip("]"))
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def ask(page, text):
    """Types a question, sends it with Enter and waits for the finished answer."""
    count = page.locator("article.turn.bot").count()
    page.fill("#q", text)
    page.keyboard.press("Enter")
    turn = page.locator("article.turn.bot").nth(count)
    turn.locator(".actions").wait_for(timeout=20000)
    return turn


def in_view(page, locator):
    """The element's top line is inside the conversation's visible box (not under the composer)."""
    box = locator.bounding_box()
    scroller = page.locator("#scroller").bounding_box()
    composer = page.locator("form.ask").bounding_box()
    return box["y"] >= scroller["y"] - 1 and box["y"] + 20 <= min(scroller["y"] + scroller["height"], composer["y"])


# ---- chat: answers, scrolling, citations, tool cards ---------------------------------------------

def test_cited_answer_with_markers_and_highlighted_passage(page, live_server):
    page.goto(live_server + "/")
    assert page.title().startswith("伙伴中心规则助手")
    turn = ask(page, "8月的伙伴账单什么时候生成?我在东京")
    answer = turn.locator(".answer").inner_text()
    assert "2026" in answer and "12:00" in answer and "依据" in answer
    marker = turn.locator(".answer a.cite").first
    assert marker.inner_text() == "[1]"
    card = turn.locator("details.citation").first
    assert card.get_attribute("open") is None
    marker.click()
    assert card.get_attribute("open") is not None
    assert card.locator("mark").inner_text() == "伙伴账单采用北京时间(GMT+08:00)作为基准时间进行统计,每月5号12:00前会生成上个月的账单。"
    assert card.inner_text().count("每月5号12:00前") == 1  # the quote is shown once, inside the passage
    assert "销售 > 账务 > 伙伴账单" in card.inner_text()


def test_second_answer_stays_in_view(page, live_server):
    page.goto(live_server + "/")
    ask(page, "8月的伙伴账单什么时候生成?我在东京")
    second = ask(page, "客户经理主管能报备商机吗?")
    assert in_view(page, second.locator(".answer p").first), "the newest answer's first line is hidden"



def test_the_newest_answer_stays_in_view_while_it_streams(page, live_server, monkeypatch):
    import threading

    import api.app

    # The server (in this process) holds the stream after the answer's lines, before "done": the page shows
    # a half-finished answer, which must already be in view (not under the composer) at both sizes.
    page.goto(live_server + "/")
    ask(page, "8月的伙伴账单什么时候生成?我在东京")
    held, release = threading.Event(), threading.Event()
    sse = api.app._sse

    def hold_before_done(event, data):
        if event == "done":
            held.set()
            release.wait(30)
        return sse(event, data)

    monkeypatch.setattr(api.app, "_sse", hold_before_done)
    try:
        page.fill("#q", "客户经理主管能报备商机吗?")
        page.keyboard.press("Enter")
        assert held.wait(30)
        streaming = page.locator("article.turn.bot").nth(1)
        streaming.locator(".answer").filter(has_text="客户经理主管").wait_for(timeout=10000)
        assert streaming.locator(".actions").count() == 0  # still streaming: no feedback row yet
        assert in_view(page, streaming.locator(".answer")), "the streaming answer's first line is hidden"
    finally:
        release.set()
    streaming.locator(".actions").wait_for(timeout=20000)
    assert in_view(page, streaming.locator(".answer p").first)

def test_tool_card_collapsed_localised_and_readable_dates(page, live_server):
    page.goto(live_server + "/")
    turn = ask(page, "8月的伙伴账单什么时候生成?我在东京")
    tool = turn.locator("details.tool")
    assert tool.get_attribute("open") is None
    assert tool.locator("summary").first.inner_text() == "规则计算: 伙伴账单生成时间"
    tool.locator("summary").first.click()
    text = tool.inner_text()
    assert "生成截止时间(北京时间)" in text and "2026-09-05 12:00 (星期六)" in text
    assert "2026-09-05 13:00 (星期六) UTC+09:00" in text
    assert "generation_deadline_beijing" not in text
    tool.locator("details.trace > summary").click()
    steps = tool.locator("ol.steps li").all_inner_texts()
    assert steps and all(re.search("[\u4e00-\u9fff]", step) for step in steps)  # the reasoning in Chinese
    assert any(step.startswith("规则") for step in steps)
    tool.locator("details.raw > summary").click()
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", tool.inner_text()), "microseconds are shown"
    page.select_option("#lang", "en")  # finished turns are drawn again in the new language
    tool = page.locator("details.tool").first
    assert tool.locator("summary").first.inner_text() == "Rule computation: Partner bill timing"
    page.locator("article.turn.bot .answer").first.filter(has_text="Rule (quoted").wait_for()  # the answer redrawn too
    assert tool.get_attribute("open") is not None  # cards the user opened stay open through the switch
    assert "Generation deadline (Beijing time)" in tool.inner_text() and "2026-09-05 12:00 (Sat)" in tool.inner_text()
    assert tool.locator("details.trace").get_attribute("open") is not None
    assert tool.locator("ol.steps li").first.inner_text().startswith(("Rule", "Input", "Reading"))
    assert not re.search("[\u4e00-\u9fff]", " ".join(tool.locator("ol.steps li").all_inner_texts()))
    assert page.locator(".turn.user .who").first.inner_text() == "You"


def test_table_in_a_passage_renders_as_table(page, live_server):
    table = "| 账期 | 生成时间 |\n|---|---|\n| 2026-08 | 2026-09-05 12:00 |"
    page.route("**/v1/chat/stream", lambda route: inject_into_done(route, lambda answer: answer["citations"][0].update(
        text=answer["citations"][0]["text"] + "\n" + table, url="https://support.example.com/bill.html", language="zh")))
    page.goto(live_server + "/")
    turn = ask(page, "8月的伙伴账单什么时候生成?我在东京")
    card = turn.locator("details.citation").first
    card.locator("summary").click()
    assert card.locator("table th").all_inner_texts() == ["账期", "生成时间"]
    assert card.locator("table td").all_inner_texts() == ["2026-08", "2026-09-05 12:00"]
    assert "· 中文" in card.inner_text()  # the passage's language, named
    link = card.get_by_role("link", name=re.compile("打开原始页面"))
    assert link.get_attribute("href") == "https://support.example.com/bill.html"


# ---- follow-ups, examples, next questions ----------------------------------------------------------

def test_follow_up_shown_once_with_choices(page, live_server):
    page.goto(live_server + "/")
    first = ask(page, "多笔激励可以合并开一张发票吗?")
    follow_up = "这些激励是批量申请发放的,还是单个申请发放的?"
    assert follow_up in first.locator(".follow").inner_text()
    assert first.inner_text().count(follow_up) == 1  # the composed answer also ends with it
    assert first.locator(".follow button").all_inner_texts() == ["批量申请", "单个申请"]
    first.get_by_role("button", name="单个申请").click()
    second = page.locator("article.turn.bot").nth(1)
    second.locator(".actions").wait_for(timeout=20000)
    assert page.locator(".turn.user").nth(1).inner_text().endswith("单个申请")
    assert "不能全部合并" in second.locator(".answer").inner_text()
    assert first.locator(".follow button").first.is_disabled()  # an earlier question's choices are spent


def test_dialogue_move_is_shown_when_the_answer_has_one(page, live_server):
    page.route("**/v1/chat/stream", lambda route: inject_into_done(route, lambda answer: answer.update(move="refer_back")))
    # the language switch redraws the turns from the session store: the stored answer carries the move there too
    # (without this the test raced the redraw, which replaced the injected answer by the stored one)
    page.route("**/v1/sessions/*", lambda route: inject_into_session(route, lambda answer: answer.update(move="refer_back")))
    page.goto(live_server + "/")
    turn = ask(page, "客户经理主管能报备商机吗?")
    assert turn.locator(".move").inner_text() == "回到前文"
    page.select_option("#lang", "en")
    page.locator("article.turn.bot .move", has_text="Back to earlier").wait_for()


def test_empty_state_examples_and_next_questions(page, live_server):
    page.goto(live_server + "/")
    examples = page.locator("#examples button")
    examples.first.wait_for()
    assert examples.count() >= 4
    texts = examples.all_inner_texts()
    assert any(t.endswith("在哪里查看?") for t in texts) and any(not t.endswith("在哪里查看?") for t in texts)
    menu = [t for t in texts if t.endswith("在哪里查看?")][0]
    examples.filter(has_text=menu).click()
    turn = page.locator("article.turn.bot").first
    turn.locator(".actions").wait_for(timeout=20000)
    assert not turn.locator(".answer").inner_text().startswith("资料不支持")
    assert page.locator("#empty").is_hidden()
    nxt = turn.locator(".next button")
    # next questions are fetched after the answer is shown: wait for them rather than racing the fetch
    nxt.first.wait_for(timeout=20000)
    assert nxt.count() >= 1 and menu not in nxt.all_inner_texts()


def test_english_page_examples_are_english_and_chinese_only_ones_are_named(page, live_server):
    page.goto(live_server + "/")
    page.locator("#examples button").first.wait_for()
    assert page.locator("#empty-title").inner_text() == "可以这样问"
    with page.expect_response(lambda r: "/v1/suggestions?lang=en" in r.url):
        page.select_option("#lang", "en")
    # the bundled index is Chinese: the English page offers the rules' topics in English, never a Chinese menu
    # name inside an English sentence ("Where do I find 客户消费?")
    page.locator("#empty-title").filter(has_text="Try asking").wait_for()
    texts = page.locator("#examples button").all_inner_texts()
    assert texts and not any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), texts
    # An index whose examples are all Chinese: the page names their language and each is wholly Chinese.
    page.route("**/v1/suggestions*", lambda route: route.fulfill(json={"suggestions": [
        {"question": None, "topic": "客户消费", "chunk_id": "x", "menu_path": "销售 > 客户 > 客户消费", "language": "zh"}]}))
    page.reload()
    page.locator("#examples button", has_text="客户消费在哪里查看?").wait_for()
    assert page.locator("#empty-title").inner_text() == "Questions from the help centre (Chinese)"
    page.unroute("**/v1/suggestions*")
    # English examples where the index has English FAQ titles: the plain heading.
    page.route("**/v1/suggestions*", lambda route: route.fulfill(json={"suggestions": [
        {"question": "When is the partner bill generated?", "topic": None, "chunk_id": "x", "menu_path": None,
         "language": "en"}]}))
    page.reload()
    page.locator("#examples button", has_text="When is the partner bill generated?").wait_for()
    assert page.locator("#empty-title").inner_text() == "Try asking"


def _stray_text(turn) -> list[str]:
    """Text written straight into the answer's article, outside any element (a value the page appended as text:
    a null or undefined a template returned shows as the word itself)."""
    return turn.evaluate("node => [...node.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)"
                         ".map(n => n.textContent.trim()).filter(Boolean)")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_stray_text_under_the_answer_buttons(page, live_server, lang):
    # the newest answer is drawn before its next questions arrive (and an answer that asks back has none):
    # nothing may stand in for the missing block, in either language
    page.goto(live_server + "/")
    if lang == "en":
        page.select_option("#lang", "en")
    first = ask(page, "多笔激励可以合并开一张发票吗?" if lang == "zh" else "Can an account manager supervisor register opportunities?")
    assert first.locator(".actions").is_visible()
    assert _stray_text(first) == []
    second = ask(page, "上个月的账单什么时候生成?" if lang == "zh" else "When is the partner bill for last month generated?")
    page.wait_for_load_state("networkidle")
    assert _stray_text(second) == [] and _stray_text(first) == []
    assert "null" not in second.inner_text().split()


# ---- streaming, stop, errors -----------------------------------------------------------------------

def test_stop_aborts_and_input_is_blocked_while_running(page, live_server):
    page.goto(live_server + "/")
    ask_pending(page, "8月的伙伴账单什么时候生成?")
    assert page.locator("#send").is_disabled()
    stop = page.get_by_role("button", name="停止")
    assert stop.is_visible()
    page.fill("#q", "第二个问题")
    page.keyboard.press("Enter")  # blocked while the first runs
    assert page.locator(".turn.user").count() == 1
    stop.click()
    page.get_by_text("已停止").wait_for()
    assert page.locator("#send").is_enabled() and stop.is_hidden()
    assert page.input_value("#q") == "第二个问题"  # what the user typed meanwhile is kept


def test_a_stopped_question_is_not_saved_so_a_reload_does_not_restore_it(page, live_server, monkeypatch):
    import threading

    from assistant.service import Assistant

    # The server (in this process) holds the answer until the page has stopped, then finishes it: without
    # the disconnect check it would save the turn and the reload would show the question answered.
    entered, release, finished = threading.Event(), threading.Event(), threading.Event()
    evidence, save = Assistant._evidence, Assistant._save

    def held(self, *args, **kwargs):
        entered.set()
        release.wait(30)
        return evidence(self, *args, **kwargs)

    def saved(self, *args, **kwargs):
        try:
            return save(self, *args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(Assistant, "_evidence", held)
    monkeypatch.setattr(Assistant, "_save", saved)
    page.goto(live_server + "/")
    page.fill("#q", "8月的伙伴账单什么时候生成?")
    page.keyboard.press("Enter")
    assert entered.wait(30)
    page.get_by_role("button", name="停止").click()
    page.get_by_text("已停止").wait_for()
    time.sleep(1)  # the closed connection reaches the server
    release.set()
    assert finished.wait(30)
    with page.expect_response(lambda r: "/v1/sessions" in r.url and r.request.method == "GET"):
        page.reload()  # the history list (a stopped first question made no session to fetch)
    page.wait_for_timeout(500)
    assert page.locator(".turn.user").count() == 0 and page.locator("article.turn.bot .actions").count() == 0
    assert page.locator("#history-list li").count() == 0


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_server_down_shows_localised_error_keeps_text_and_retries(browser, built_data, port_factory, size):
    server = LiveServer(Settings(data_dir=built_data), port_factory()).start()
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        server.stop()
        page.fill("#q", "8月的伙伴账单什么时候生成?")
        page.keyboard.press("Enter")
        error = page.locator(".turn.failed .error")
        error.wait_for(timeout=10000)
        assert error.inner_text().startswith("无法连接服务器")
        assert "Failed to fetch" not in page.inner_text("body")
        assert page.input_value("#q") == "8月的伙伴账单什么时候生成?"
        shoot(page, f"chat_server_down-{size}")
        page.select_option("#lang", "en")
        assert page.locator(".turn.failed .error").inner_text().startswith("Cannot reach the server")
        server.start()
        page.get_by_role("button", name="Retry").click()
        page.locator("article.turn.bot .actions").wait_for(timeout=20000)
        assert page.locator(".turn.failed").count() == 0 and page.locator(".turn.user").count() == 1
        assert "2026" in page.locator("article.turn.bot .answer").inner_text()
        shoot(page, f"chat_server_back-{size}")
    finally:
        context.close()
        server.stop()


# ---- feedback ---------------------------------------------------------------------------------------

def test_feedback_submits_at_once_and_details_only_after_thumbs_down(page, live_server):
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/v1/feedback") else None)
    page.goto(live_server + "/")
    first = ask(page, "客户经理主管能报备商机吗?")
    box = first.locator(".feedback")
    assert box.locator("textarea").first.is_hidden()
    box.get_by_role("button", name="有帮助").click()
    box.get_by_role("status").filter(has_text="已收到反馈").wait_for(timeout=10000)
    assert [s["rating"] for s in sent] == ["up"] and box.locator("textarea").first.is_hidden()
    box.get_by_role("button", name="没帮助").click()
    box.locator("textarea").first.wait_for()
    assert [s["rating"] for s in sent] == ["up", "down"]
    box.locator("textarea").nth(1).fill("主管不能报备")
    box.get_by_role("button", name="提交说明").click()
    box.locator(".details").wait_for(state="hidden", timeout=10000)
    assert sent[-1] == {"answer_id": sent[0]["answer_id"], "rating": "down", "corrected_answer": "主管不能报备"}


def test_feedback_failure_is_reported(page, live_server):
    page.goto(live_server + "/")
    turn = ask(page, "客户经理主管能报备商机吗?")
    page.route("**/v1/feedback", lambda route: route.fulfill(status=503, content_type="application/json",
                                                            body='{"error": {"code": "database_unavailable", "message": "x"}}'))
    turn.get_by_role("button", name="有帮助").click()
    status = turn.locator(".feedback [role=status]")
    status.filter(has_text="反馈未能提交").wait_for(timeout=10000)
    assert turn.get_by_role("button", name="有帮助").get_attribute("aria-pressed") == "false"


# ---- conversations survive a reload ------------------------------------------------------------------

def test_reload_restores_the_conversation(page, live_server):
    page.goto(live_server + "/")
    ask(page, "8月的伙伴账单什么时候生成?我在东京")
    page.reload()
    page.locator("article.turn.bot .actions").first.wait_for(timeout=10000)
    assert page.locator(".turn.user").first.inner_text().endswith("8月的伙伴账单什么时候生成?我在东京")
    second = ask(page, "那10月的呢?")  # the restored conversation is the one the server continues
    assert "Asia/Tokyo" in second.locator(".answer").inner_text()


# ---- polish: key field, copy, keyboard, phone, dark theme, favicon -------------------------------------

def test_copy_answer(page, live_server):
    page.goto(live_server + "/")
    turn = ask(page, "客户经理主管能报备商机吗?")
    turn.get_by_role("button", name="复制回答").click()
    turn.get_by_role("button", name="已复制").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.evaluate(
        "state.turns[0].answer.answer")


def test_keyboard_only_and_english(page, live_server):
    page.goto(live_server + "/")
    page.select_option("#lang", "en")
    assert page.locator("#send").inner_text() == "Send"
    assert page.locator("#keybox").is_hidden()  # no keys configured: no key field
    page.keyboard.press("Tab")  # the first stop is the skip link to the question box
    assert page.evaluate("document.activeElement.textContent") == "Skip to the question box"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Does buying a stored-value card count as performance?")
    page.keyboard.press("Enter")
    turn = page.locator("article.turn.bot").first
    turn.locator(".actions").wait_for(timeout=20000)
    assert "credits no performance" in turn.locator(".answer").inner_text()
    assert "Stored-value card performance" in turn.locator("details.tool summary").first.inner_text()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_api_key_field_appears_only_when_the_server_asks(browser, built_data, port_factory, size):
    server = LiveServer(Settings(data_dir=built_data, api_keys="p-key:partner"), port_factory()).start()
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        page.locator("#keybox").wait_for(timeout=10000)  # the first request got a 401
        assert "需要 API 密钥" in page.locator("#keybox").inner_text()
        page.fill("#key", "p-key")
        page.get_by_role("button", name="保存").click()
        turn = ask(page, "客户经理主管能报备商机吗?")
        assert turn.locator(".answer").inner_text()
        shoot(page, f"chat_api_key-{size}")
    finally:
        context.close()
        server.stop()


def test_phone_touch_targets_no_horizontal_scroll_and_favicon(browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", has_touch=True, is_mobile=True)
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        turn = ask(tab, "8月的伙伴账单什么时候生成?我在东京")
        small = tab.evaluate("""() => [...document.querySelectorAll('button, select, summary, nav a')]
            .filter((e) => e.offsetParent !== null)
            .map((e) => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44).map(([t, r]) => t + ' ' + r.width + 'x' + r.height)""")
        assert not small, f"touch targets under 44 px: {small}"
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert turn.locator(".answer").is_visible()
        icon = tab.locator("link[rel=icon]").get_attribute("href")
        assert tab.request.get(live_server + icon).ok
        shoot(tab, "chat_phone_touch-phone")
    finally:
        context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_dark_theme(browser, live_server, size):
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN", color_scheme="dark")
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        ask(tab, "8月的伙伴账单什么时候生成?我在东京")
        rgb = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        assert sum(int(x) for x in re.findall(r"\d+", rgb)[:3]) < 150, rgb
        shoot(tab, f"chat_dark-{size}")
        assert axe_violations(tab) == []
        tab.goto(live_server + "/triage")
        analyze_case(tab, "紧急:API报错", "接口返回HTTP 400,错误码CBC.30000010。另外代金券要怎么申请?")  # with its asks list
        shoot(tab, f"triage_dark-{size}")
        assert axe_violations(tab) == []
    finally:
        context.close()


# ---- accessibility (axe-core) --------------------------------------------------------------------------

def test_chat_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(live_server + "/")
    page.locator("#examples button").first.wait_for()
    assert axe_violations(page) == []
    turn = ask(page, "多笔激励可以合并开一张发票吗?")
    turn = ask(page, "单独申请")
    for summary in turn.locator("summary").all():
        summary.click()
    turn.get_by_role("button", name="没帮助").click()
    turn.locator("textarea").first.wait_for()
    assert axe_violations(page) == []


# ---- API docs offline ----------------------------------------------------------------------------------

def test_docs_and_redoc_render_with_the_network_blocked(page, live_server):
    outside = []

    def only_local(route):
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_local)
    page.goto(live_server + "/docs")
    page.locator(".swagger-ui .info .title").filter(has_text="Partner Rules Assistant API").wait_for(timeout=20000)
    page.locator(".opblock-summary-path").filter(has_text="/v1/chat/stream").first.wait_for()
    page.goto(live_server + "/redoc")
    page.get_by_text("Partner Rules Assistant API").first.wait_for(timeout=20000)
    page.get_by_text("ErrorEnvelope").first.wait_for(timeout=20000)
    # Only Redocly's own "API docs by Redocly" logo is referenced from its CDN (a decorative image).
    assert [url for url in outside if "cdn.redoc.ly" not in url] == []


# ---- triage page -----------------------------------------------------------------------------------------

def analyze_case(page, subject, body):
    page.fill("#subject", subject)
    page.fill("#body", body)
    page.get_by_role("button", name="分析").click()
    result = page.locator("article.result")
    result.wait_for(timeout=20000)
    return result


def test_triage_page(page, live_server):
    page.goto(live_server + "/triage")
    result = analyze_case(page, "紧急:API报错", "接口返回HTTP 400,错误码CBC.30000010,申付单号 PR-2026-0815")
    facts = result.locator("dl").inner_text()
    assert "错误码" in facts and "高" in facts and "high" not in facts and "error_code" not in facts
    chips = result.locator(".chips").inner_text()
    assert "错误码: CBC.30000010" in chips and "申付单号: PR-2026-0815" in chips
    assert "错误码查询" in result.inner_text()
    assert "依据" in result.locator("pre").inner_text()
    assert result.locator("details.citation").count() >= 1  # the API's citations are shown
    result.get_by_role("button", name="复制回复").click()
    result.get_by_role("button", name="已复制").wait_for(timeout=5000)
    with page.expect_download() as jsonl:
        page.get_by_role("button", name="下载 JSONL").click()
    line = __import__("json").loads(open(jsonl.value.path(), encoding="utf-8").readline())
    assert line["subject"] == "紧急:API报错" and line["category"] == "error_code"
    page.select_option("#lang", "en")  # the shown result is drawn again in English
    assert "Error code" in result.locator("dl").inner_text() and "High" in result.locator("dl").inner_text()
    assert page.locator("h1").inner_text() == "Triage"


def test_triage_batch_is_titled_by_subject_and_downloads_csv(page, live_server):
    page.goto(live_server + "/triage")
    csv_text = ("subject,body\n业绩什么时候能看到,4月30日的业绩哪天可以查看?\n"
                "发票问题,多笔激励可以合并开一张发票吗?\n,没有主题\n")
    page.set_input_files("#file", files=[{"name": "cases.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}])
    page.locator("article.result").nth(1).wait_for(timeout=30000)
    assert page.locator("article.result h2").all_inner_texts() == ["业绩什么时候能看到", "发票问题"]
    assert "第 4 行" in page.locator("#results p.error").inner_text()
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="下载 CSV").click()
    content = open(csv_download.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0].startswith("subject,category,priority") and "发票问题" in content


def test_triage_loading_and_server_errors(page, live_server):
    page.goto(live_server + "/triage")
    page.route("**/v1/triage", lambda route: None)  # never answers
    page.fill("#subject", "账单什么时候出")
    page.get_by_role("button", name="分析").click()
    page.get_by_text("正在分析…").wait_for()
    assert page.get_by_role("button", name="分析").is_disabled()
    page.unroute("**/v1/triage")
    page.reload()
    page.route("**/v1/triage", lambda route: route.abort("connectionrefused"))
    page.fill("#subject", "账单什么时候出")
    page.get_by_role("button", name="分析").click()
    page.locator("#results .error").filter(has_text="无法连接服务器").wait_for(timeout=10000)
    assert page.get_by_role("button", name="分析").is_enabled()


def test_triage_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(live_server + "/triage")
    assert axe_violations(page) == []
    # two asks, one the documents do not cover: the asks list with its statuses is checked too
    result = analyze_case(page, "紧急:API报错", "接口返回HTTP 400,错误码CBC.30000010。另外代金券要怎么申请?")
    assert result.locator("ul.asks li[data-status=uncovered]").count() == 1
    for summary in result.locator("summary").all():
        summary.click()
    assert axe_violations(page) == []


# ---- conversation history (the session store) -------------------------------------------------------------

def open_history(page):
    toggle = page.locator("#history-toggle")
    if page.viewport_name == "phone":
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    page.locator("#history").wait_for()
    return page.locator("#history-list li")


def test_history_sidebar_new_rename_search_delete_and_reopen(page, live_server):
    page.goto(live_server + "/")
    ask(page, "8月的伙伴账单什么时候生成?我在东京")
    page.get_by_role("button", name="新对话").click()
    assert page.locator(".turn").count() == 0 and page.locator("#empty").is_visible()
    ask(page, "客户经理主管能报备商机吗?")
    items = open_history(page)
    items.nth(1).wait_for(timeout=10000)
    assert items.nth(0).inner_text().startswith("客户经理主管能报备商机吗?")  # newest first, titled by the question
    assert "1 轮" in items.nth(1).inner_text()
    items.nth(1).get_by_role("button", name=re.compile("重命名")).click()
    field = page.get_by_role("textbox", name="新的标题")
    assert field.input_value() == "8月的伙伴账单什么时候生成?我在东京"
    field.press("Escape")  # cancels
    assert items.nth(1).inner_text().startswith("8月的伙伴账单")
    items.nth(1).get_by_role("button", name=re.compile("重命名")).click()
    field.fill("东京账单")
    field.press("Enter")
    items.filter(has_text="东京账单").wait_for(timeout=10000)
    page.fill("#history-search", "东京")
    page.wait_for_function("document.querySelectorAll('#history-list li').length === 1")
    assert items.first.inner_text().startswith("东京账单")
    page.fill("#history-search", "")
    page.wait_for_function("document.querySelectorAll('#history-list li').length === 2")
    items.nth(0).get_by_role("button", name=re.compile("删除")).click()  # the open conversation
    page.wait_for_function("document.querySelectorAll('#history-list li').length === 1")
    assert page.locator(".turn").count() == 0

    other = page.context.new_page()  # a new tab: nothing in its sessionStorage, the server has the history
    other.goto(live_server + "/")
    other.viewport_name = page.viewport_name
    items = open_history(other)
    items.first.wait_for(timeout=10000)
    items.first.locator("button.open").click()
    other.locator("article.turn.bot .actions").first.wait_for(timeout=10000)
    assert other.locator(".turn.user").first.inner_text().endswith("8月的伙伴账单什么时候生成?我在东京")
    assert other.locator("article.turn.bot details.tool").count() == 1  # the full answer came back
    second = ask(other, "那10月的呢?")
    assert "Asia/Tokyo" in second.locator(".answer").inner_text()
    shoot(other, f"chat_history_reopened-{page.viewport_name}")
    other.close()


def test_triage_uses_the_date_the_case_states(page, live_server):
    page.goto(live_server + "/triage")
    result = analyze_case(page, "10月账单还没看到", "今天是2026-11-04,我们10月的伙伴账单还没出来,今天能看到吗?")
    assert "2026-11-04 00:00 (星期三) 北京时间 · 案例中写明的日期" in result.locator("dl").inner_text()
    assert "应已生成" not in result.locator("pre").inner_text()
    page.fill("#received", "2026-11-06T09:00")  # the received time, when given, comes first
    page.get_by_role("button", name="分析").click()
    page.locator("article.result dl").filter(has_text="收到时间").wait_for(timeout=20000)
    result = page.locator("article.result")
    assert "2026-11-06 09:00" in result.locator("dl").inner_text()
    assert "应已生成" in result.locator("pre").inner_text()


def test_earlier_answers_keep_their_open_cards_when_a_new_question_is_asked(page, live_server):
    page.goto(live_server + "/")
    first = ask(page, "8月的伙伴账单什么时候生成?我在东京")
    first.locator("details.citation summary").first.click()
    ask(page, "客户经理主管能报备商机吗?")
    assert page.locator("article.turn.bot").first.locator("details.citation").first.get_attribute("open") is not None
    assert page.locator("article.turn.bot").first.locator(".next").count() == 0  # only the newest suggests more


def test_triage_page_shows_a_tool_card_per_ask_and_what_is_missing(page, live_server):
    # A case with two asks runs both asks' rules; the detail only the partner can give (batch or single
    # application) is listed under missing information, and the stated role is not asked back.
    page.goto(live_server + "/triage")
    page.fill("#role", "客户经理主管")
    result = analyze_case(page, "两件事", "多笔激励可以合并开一张发票吗?另外PO-20261120 关联不了Offering,还能流转吗?")
    text = result.inner_text()
    assert "PO 流转与考核口径" in text
    missing = result.locator("ul").filter(has_text="批量申请").first
    assert "单个申请" in missing.inner_text()
    assert "PO-20261120" in result.locator(".chips").inner_text()
    # one decision per ask, shown: the invoicing ask waits for the partner, the PO ask is answered
    asks = result.locator("ul.asks li")
    assert asks.count() == 2 and "需伙伴补充" in asks.nth(0).inner_text() and "草稿已回答" in asks.nth(1).inner_text()
    page.select_option("#lang", "en")
    assert "Missing information" in result.inner_text() and "PO flow and assessment scope" in result.inner_text()
    assert "answered in the draft" in result.locator("ul.asks").inner_text()
