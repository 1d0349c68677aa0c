"""Sessions belong to their caller: the API key when keys are configured, else the client (token or address)."""

import uuid

import pytest

from .conftest import P, S, make_client

pytestmark = pytest.mark.integration
NOW = "2026-11-27T10:00:00+08:00"


def chat(client, headers, message, session_id=None):
    body = {"message": message, "now": NOW} | ({"session_id": session_id} if session_id else {})
    r = client.post("/v1/chat", headers=headers, json=body)
    assert r.status_code == 200, r.text
    return r


def test_another_key_cannot_continue_or_see_a_session(client):
    sid = "shared-" + uuid.uuid4().hex[:8]
    asked = chat(client, P, "伙伴账单什么时候出?我在东京", sid).json()
    assert asked["follow_up"]
    # The same id from another key is another (new) session: nothing carried over, no Tokyo time zone.
    other = chat(client, S, "8月的", sid).json()
    assert all(c["arguments"].get("timezone") != "Asia/Tokyo" for c in other["tool_calls"])
    mine = chat(client, P, "8月的", sid).json()
    assert mine["tool_calls"][0]["arguments"]["timezone"] == "Asia/Tokyo"
    assert [t["message"] for t in client.get(f"/v1/sessions/{sid}", headers=P).json()["turns"]] == [
        "伙伴账单什么时候出?我在东京", "8月的"]
    assert [t["message"] for t in client.get(f"/v1/sessions/{sid}", headers=S).json()["turns"]] == ["8月的"]


def test_list_get_rename_delete(client):
    tag = uuid.uuid4().hex[:6]
    first = chat(client, P, f"伙伴账单什么时候出 {tag}?").json()["session_id"]
    answer = chat(client, P, f"购买储值卡算业绩吗 {tag}")
    second = answer.json()["session_id"]
    assert first != second and len(second) == 32  # server-issued
    listed = client.get("/v1/sessions", headers=P, params={"q": tag}).json()["sessions"]
    assert [s["session_id"] for s in listed] == [second, first]  # newest first
    assert set(listed[0]) == {"session_id", "title", "created_at", "updated_at", "turn_count"}
    assert listed[0]["title"] == f"购买储值卡算业绩吗 {tag}" and listed[0]["turn_count"] == 1
    assert client.get("/v1/sessions", headers=S, params={"q": tag}).json() == {"sessions": []}

    detail = client.get(f"/v1/sessions/{second}", headers=P).json()
    assert set(detail) == {"session_id", "title", "created_at", "updated_at", "turns"}
    turn = detail["turns"][0]
    assert turn["answer"] == answer.json() and turn["answer_id"] == answer.headers["x-answer-id"]

    renamed = client.patch(f"/v1/sessions/{second}", headers=P, json={"title": "  储值卡  "})
    assert renamed.status_code == 200 and renamed.json()["title"] == "储值卡" and renamed.json()["turn_count"] == 1
    for bad in ({"title": ""}, {"title": "x" * 121}, {"title": "   "}, {"title": 5}, {"name": "x"}):
        assert client.patch(f"/v1/sessions/{second}", headers=P, json=bad).status_code == 422, bad
    assert client.patch(f"/v1/sessions/{second}", headers=S, json={"title": "mine now"}).status_code == 404
    assert client.delete(f"/v1/sessions/{second}", headers=S).status_code == 404
    assert client.get(f"/v1/sessions/{second}", headers=S).json()["error"]["code"] == "session_not_found"

    assert client.delete(f"/v1/sessions/{second}", headers=P).status_code == 204
    assert client.get(f"/v1/sessions/{second}", headers=P).status_code == 404
    assert client.delete(f"/v1/sessions/{second}", headers=P).status_code == 404
    assert [s["session_id"] for s in client.get("/v1/sessions", headers=P, params={"q": tag}).json()["sessions"]] \
        == [first]
    # The feedback target went with the session.
    gone = client.post("/v1/feedback", headers=P, json={"answer_id": answer.headers["x-answer-id"], "rating": "up"})
    assert gone.status_code == 404


def test_search_matches_titles_and_messages_literally(client):
    sid = chat(client, P, "错误码 CBC.30000010 是什么意思").json()["session_id"]
    chat(client, P, "100%_done 8月的", sid)
    assert [s["session_id"] for s in client.get("/v1/sessions", headers=P, params={"q": "100%_d"}).json()[
        "sessions"]] == [sid]
    assert client.get("/v1/sessions", headers=P, params={"q": "%"}).json()["sessions"][0]["session_id"] == sid
    assert client.get("/v1/sessions", headers=P, params={"q": "no-such-text-" + uuid.uuid4().hex}).json() == {
        "sessions": []}


def test_feedback_only_on_the_callers_own_answers(client):
    answer_id = chat(client, P, "购买储值卡算业绩吗").headers["x-answer-id"]
    theirs = client.post("/v1/feedback", headers=S, json={"answer_id": answer_id, "rating": "down"})
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "answer_not_found"
    assert client.post("/v1/feedback", headers=P, json={"answer_id": answer_id, "rating": "up"}).status_code == 201


def test_without_keys_a_client_token_or_the_page_cookie_scopes_sessions(built_data):
    with make_client(built_data) as anon:
        a, b = {"X-Client-Token": "a" * 20}, {"X-Client-Token": "b" * 20}
        sid = chat(anon, a, "伙伴账单什么时候出?我在东京").json()["session_id"]
        assert client_ids(anon, a) == [sid] and client_ids(anon, b) == []
        assert anon.get(f"/v1/sessions/{sid}", headers=b).status_code == 404
        assert anon.post("/v1/chat", headers={"X-Client-Token": "short"}, json={"message": "hi"}).status_code == 422
        # A browser: the chat page sets an HttpOnly cookie and later calls carry it.
        page = anon.get("/")
        assert "pa_client" in page.cookies and "httponly" in page.headers["set-cookie"].lower()
        mine = chat(anon, {}, "购买储值卡算业绩吗").json()["session_id"]
        assert client_ids(anon, {}) == [mine]
        anon.cookies.clear()
        assert mine not in client_ids(anon, {})  # the bare address is another scope


def client_ids(client, headers):
    r = client.get("/v1/sessions", headers=headers)
    assert r.status_code == 200, r.text
    return [s["session_id"] for s in r.json()["sessions"]]
