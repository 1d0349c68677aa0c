"""The answer's language over the API: a conversation's script carries over to a script-neutral follow-up, and
stored turns are drawn again in the language a page asks for."""

from .conftest import P

NOW = "2026-11-27T10:00:00+08:00"


def test_a_traditional_conversation_is_answered_in_traditional_on_a_script_neutral_follow_up(client):
    first = client.post("/v1/chat", headers=P, json={"message": "8月的夥伴帳單什麼時候生成?", "session_id": "hant-api",
                                                    "now": NOW}).json()
    assert first["variant"] == "zh-Hant"
    second = client.post("/v1/chat", headers=P, json={"message": "那10月的呢?", "session_id": "hant-api",
                                                     "now": NOW}).json()
    assert second["variant"] == "zh-Hant" and "2026-11-05" in second["answer"]
