"""The HTTP API through the ASGI app: contract, errors, roles, limits, triage, feedback, admin."""

import json

import pytest

from .conftest import A, KEYS, P, S, make_client  # noqa: F401

pytestmark = pytest.mark.integration
NOW = "2026-11-27T10:00:00+08:00"


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in response.text


def test_chat_contract_and_feedback_round_trip(client):
    r = client.post("/v1/chat", headers=P, json={"message": "8月的伙伴账单什么时候生成?", "now": NOW})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"answer", "abstained", "citations", "tool_calls", "follow_up",
                           "follow_up_choices", "move", "language", "variant", "session_id"}
    assert body["tool_calls"][0]["result"]["generation_deadline_beijing"] == "2026-09-05T12:00:00+08:00"
    answer_id = r.headers["x-answer-id"]
    f = client.post("/v1/feedback", headers=P, json={"answer_id": answer_id, "rating": "down",
                                                     "corrected_answer": "9月5日12:00前", "comment": "ok"})
    assert f.status_code == 201 and f.json()["answer_id"] == answer_id
    assert_error(client.post("/v1/feedback", headers=P, json={"answer_id": "nope", "rating": "up"}), 404,
                 "answer_not_found")
    assert_error(client.post("/v1/feedback", headers=P, json={"answer_id": answer_id, "rating": "meh"}), 422,
                 "validation_error")


def test_two_turn_follow_up_over_http(client):
    first = client.post("/v1/chat", headers=P, json={"message": "我们这期伙伴账单什么时候出?", "session_id": "http-1", "now": NOW})
    assert first.json()["follow_up"]
    second = client.post("/v1/chat", headers=P, json={"message": "8月的", "session_id": "http-1", "now": NOW}).json()
    assert second["tool_calls"][0]["arguments"]["billing_period"] == "2026-08" and second["session_id"] == "http-1"


def test_stream_sends_tool_citation_delta_and_done_events(client):
    with client.stream("POST", "/v1/chat/stream", headers=P,
                       json={"message": "用储值卡支付3000元算多少业绩?", "now": NOW}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:])) for b in text.strip().split("\n\n")]
    kinds = [k for k, _ in events]
    assert kinds[0] == "tool_call" and "citation" in kinds and "answer_delta" in kinds and kinds[-1] == "done"
    done = events[-1][1]
    assert done["answer"]["tool_calls"][0]["result"]["credited_amount"] == "3000.00" and done["answer_id"]
    assert "".join(d["text"] for k, d in events if k == "answer_delta") == done["answer"]["answer"]


def test_search_and_sources(client):
    hits = client.get("/v1/search", headers=P, params={"q": "伙伴账单几号生成", "k": 3}).json()
    assert len(hits) == 3 and "每月5号12:00前" in hits[0]["text"] and hits[0]["menu_path"] == "销售 > 账务 > 伙伴账单"
    chunk = client.get(f"/v1/sources/{hits[0]['chunk_id']}", headers=P).json()
    assert chunk["text"] == hits[0]["text"]
    assert_error(client.get("/v1/sources/unknown", headers=P), 404, "source_not_found")
    assert_error(client.get("/v1/search", headers=P, params={"q": ""}), 422, "validation_error")


def test_tools_directly_with_field_level_errors(client):
    listed = client.get("/v1/tools", headers=P).json()
    assert len(listed) == 12 and all(t["input_schema"]["type"] == "object" for t in listed)
    ok = client.post("/v1/tools/performance_visibility", headers=P, json={"business_date": "2026-04-30"})
    assert ok.json()["visible_date"] == "2026-05-06"
    bad = client.post("/v1/tools/stored_value_card_credit", headers=P, json={"transaction": "steal", "amount": "1"})
    assert_error(bad, 422, "invalid_tool_arguments")
    detail = bad.json()["error"]["details"][0]
    assert detail["field"] == "transaction" and "'buy_card', 'pay_with_card', 'pay_cash' or 'other'" in detail["message"]
    assert_error(client.post("/v1/tools/nope", headers=P, json={}), 404, "unknown_tool")


def test_triage_single_and_batch(client):
    one = client.post("/v1/triage", headers=S, json={
        "subject": "紧急:API报错", "body": "返回HTTP 400,错误码CBC.30000010,申付单号 PR-2026-0815", "now": NOW}).json()
    assert one["category"] == "error_code" and one["priority"] == "high" and not one["needs_human"]
    assert one["entities"]["error_codes"] == ["CBC.30000010"] and one["entities"]["payment_request_ids"] == ["PR-2026-0815"]
    assert one["citations"] and one["draft_reply"]
    jsonl = "\n".join([json.dumps({"subject": "代金券怎么申请"}, ensure_ascii=False), "{not json",
                       json.dumps({"subject": "PO没法关联Offering还能流转吗"}, ensure_ascii=False)])
    lines = [json.loads(x) for x in client.post("/v1/triage/batch", headers={**S, "Content-Type": "application/x-ndjson"},
                                                content=jsonl.encode()).text.splitlines()]
    assert [x["line"] for x in lines] == [1, 2, 3]
    assert lines[0]["result"]["needs_human"] is True and lines[1]["error"]["code"] == "validation_error"
    assert lines[2]["result"]["category"] == "po_assessment"
    csv_text = "subject,body\n储值卡,用储值卡支付3000元算多少业绩\n,\n"
    rows = [json.loads(x) for x in client.post("/v1/triage/batch", headers={**S, "Content-Type": "text/csv"},
                                               content=csv_text.encode()).text.splitlines()]
    assert rows[0]["result"]["category"] == "stored_value_card" and rows[1]["error"]
    assert_error(client.post("/v1/triage/batch", headers={**S, "Content-Type": "text/csv"}, content=b"a,b\n1,2\n"),
                 422, "invalid_batch")


def test_roles(client):
    assert_error(client.post("/v1/chat", json={"message": "hi"}), 401, "missing_api_key")
    assert_error(client.post("/v1/chat", headers={"Authorization": "Bearer wrong"}, json={"message": "hi"}), 401,
                 "invalid_api_key")
    assert_error(client.post("/v1/triage", headers=P, json={"subject": "x"}), 403, "forbidden")
    assert_error(client.get("/v1/admin/index", headers=S), 403, "forbidden")
    info = client.get("/v1/admin/index", headers=A).json()
    assert info["chunks"] == 17 and info["manifest"]["embedder"] == "use-multilingual-v3"


def test_limits(client):
    assert_error(client.post("/v1/chat", headers=P, json={"message": "问" * 2001}), 422, "validation_error")
    assert_error(client.post("/v1/chat", headers=P, json={"message": "hi", "now": "2026-11-27T10:00:00"}), 422,
                 "validation_error")
    assert_error(client.post("/v1/chat", headers=P, json={"message": "hi", "session_id": "a b"}), 422,
                 "validation_error")
    big = json.dumps({"message": "x", "pad": "y" * 1_100_000})
    assert_error(client.post("/v1/chat", headers={**P, "Content-Type": "application/json"}, content=big), 413,
                 "body_too_large")
    assert_error(client.post("/v1/chat", headers={**P, "Content-Type": "application/json"}, content=b"{broken"), 422,
                 "validation_error")


def test_rate_limit_says_when_to_retry(built_data):
    with make_client(built_data, api_keys=KEYS, rate_limit_per_minute=3) as c:
        codes = [c.get("/v1/tools", headers=P).status_code for _ in range(4)]
        assert codes[:3] == [200, 200, 200]
        r = c.get("/v1/tools", headers=P)
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1
        assert c.get("/v1/tools", headers=S).status_code == 200  # limits are per key


def test_expired_session_is_410(built_data):
    with make_client(built_data, session_ttl_hours=1) as c:
        c.post("/v1/chat", json={"message": "8月账单", "session_id": "old", "now": "2026-11-27T01:00:00+08:00"})
        assert_error(c.post("/v1/chat", json={"message": "9月呢", "session_id": "old", "now": NOW}), 410,
                     "session_expired")


def test_health_ready_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.post("/v1/chat", headers=P, json={"message": "今天天气怎么样", "now": NOW})
    text = client.get("/metrics").text
    assert 'partner_assistant_requests_total{method="POST",route="/v1/chat",status="200"}' in text
    assert 'partner_assistant_answers_total{abstained="true"}' in text
    assert 'partner_assistant_tool_calls_total{tool="bill_timing"}' in text
    assert "partner_assistant_request_seconds_bucket" in text


def test_pages_are_served_as_utf8(client):
    page = client.get("/")
    assert page.status_code == 200 and '<meta charset="utf-8">' in page.text and "/static/app.js" in page.text
    assert 'charset="utf-8"' in client.get("/triage").text
    assert client.get("/static/app.js").status_code == 200


def test_openapi_is_complete_with_examples(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/v1/chat", "/v1/chat/stream", "/v1/search", "/v1/sources/{chunk_id}", "/v1/tools", "/v1/tools/{name}",
            "/v1/triage", "/v1/triage/batch", "/v1/feedback", "/v1/admin/reindex", "/v1/admin/index", "/healthz",
            "/readyz", "/metrics"} <= paths
    for model in ("ChatRequest", "TriageCase", "FeedbackIn"):
        assert spec["components"]["schemas"][model]["examples"], model


def test_not_ready_without_an_index(tmp_path):
    with make_client(tmp_path) as c:
        assert_error(c.get("/readyz"), 503, "not_ready")
        assert_error(c.post("/v1/chat", json={"message": "hi"}), 503, "not_ready")
        r = c.post("/v1/admin/reindex", json={})
        assert r.status_code == 200 and r.json()["chunks"] == 17
        assert c.get("/readyz").status_code == 200


def test_request_timeout_is_504(built_data):
    with make_client(built_data, request_timeout_seconds=0.001) as c:
        assert_error(c.post("/v1/chat", json={"message": "8月的伙伴账单什么时候生成?", "now": NOW}), 504, "timeout")


def test_serve_refuses_a_port_in_use_before_announcing_it(tmp_path, port_factory):
    import socket as _socket

    from typer.testing import CliRunner

    from api.cli import app as cli

    port = port_factory()
    with _socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--no-build"],
                                    env={"PARTNER_ASSISTANT_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "choose another --port" in result.output
    assert "http://" not in result.output


def test_a_chat_without_a_session_gets_one_to_continue_with(client):
    first = client.post("/v1/chat", headers=P, json={"message": "我们这笔业绩数据什么时候能看到?", "now": NOW}).json()
    assert first["follow_up"] and len(first["session_id"]) == 32
    second = client.post("/v1/chat", headers=P, json={"message": "5月8日那天", "session_id": first["session_id"],
                                                      "now": NOW}).json()
    assert second["tool_calls"][0]["result"]["visible_date"] == "2026-05-09"
