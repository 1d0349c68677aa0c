"""A bounded Hypothesis sweep of chat messages through the API: whatever the text, never a 5xx.

Messages mix the scripts, numbers, dates and separators the assistant reads (amounts of any length,
years at the calendar's ends, full-width digits, line separators, time-zone words) with free text.
"""

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from assistant import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_PIECES = st.sampled_from([
    "伙伴账单", "什么时候生成", "业绩", "哪天能看到", "储值卡", "支付", "元", "万元", "激励", "发票", "合并",
    "商机", "报备", "客户", "消费", "错误码", "CBC.", "PO", "时区", "东京", "UTC+", "GMT-", "America", "年", "月",
    "日", "号", "上个月", "下周五", "前天", "partner bill", "when", "invoice", "$", "¥", "1E+2", "-0", "0E-10",
    "\u2028", "\u2029", "\x85", "\r", "\n", "\t", "\u200b", "\ufeff", "０１２３", "二〇二六", "壹万", "？", "…",
])
_NUMBERS = st.one_of(st.integers(min_value=-10, max_value=10 ** 40).map(str),
                     st.integers(min_value=0, max_value=99999).map(lambda y: f"{y}年12月"),
                     st.integers(min_value=0, max_value=99999).map(lambda y: f"{y}-12-31"),
                     st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str))
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
MESSAGES = st.lists(st.one_of(_PIECES, _NUMBERS, _TEXT), min_size=1, max_size=8).map("".join).filter(
    lambda m: m.strip() and len(m) <= 2000)
NOWS = st.one_of(st.none(), st.sampled_from(["1900-01-01T00:00:00+14:00", "9998-12-31T23:59:59-12:00",
                                             "2026-11-27T10:00:00+08:00", "2026-02-28T23:59:59+09:00"]))


@pytest.fixture(scope="module")
def api(built_data):
    with TestClient(create_app(Settings(data_dir=built_data, rate_limit_per_minute=100_000)),
                    raise_server_exceptions=False) as client:
        yield client


@given(message=MESSAGES, now=NOWS, session=st.sampled_from([None, "fuzz-a", "fuzz-b"]))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_message_makes_a_server_error(api, message, now, session):
    body = {"message": message} | ({"now": now} if now else {}) | ({"session_id": session} if session else {})
    r = api.post("/v1/chat", json=body, headers={"X-Client-Token": "fuzz-client-token-0001"})
    assert r.status_code < 500, (message, now, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.json()["error"]["code"]
