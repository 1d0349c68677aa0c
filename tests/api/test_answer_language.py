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


def test_stored_turns_are_drawn_again_in_the_asked_language(client):
    sid = "redraw-api"
    first = client.post("/v1/chat", headers=P, json={"message": "8月的伙伴账单什么时候生成?我在东京", "session_id": sid,
                                                    "now": NOW}).json()
    asked = client.post("/v1/chat", headers=P, json={"message": "多笔激励可以合并开一张发票吗?", "session_id": sid,
                                                     "now": NOW}).json()
    assert "依据" in first["answer"] and asked["follow_up"]
    served = client.get(f"/v1/sessions/{sid}", headers=P).json()
    assert [t["answer"]["answer"] for t in served["turns"]] == [first["answer"], asked["answer"]]  # as served
    assert "_parts" not in served["turns"][0]["answer"] and "parts" not in served["turns"][0]
    english = client.get(f"/v1/sessions/{sid}?lang=en", headers=P).json()["turns"]
    bill = english[0]["answer"]
    assert bill["language"] == "en" and bill["variant"] == "en"
    for ours in ("依据", "说明", "菜单路径", "您所在时区"):
        assert ours not in bill["answer"], bill["answer"]
    assert "Rule (quoted from the documentation):" in bill["answer"] and "Menu path: " in bill["answer"]
    assert "「伙伴账单采用北京时间(GMT+08:00)作为基准时间进行统计,每月5号12:00前会生成上个月的账单。」" in bill["answer"]  # quote as written
    assert bill["citations"] == first["citations"] and bill["tool_calls"] == first["tool_calls"]
    follow = english[1]["answer"]
    assert follow["follow_up"] and not any("\u4e00" <= ch <= "\u9fff" for ch in follow["follow_up"])
    assert follow["follow_up_choices"] and not any("\u4e00" <= ch <= "\u9fff" for c in follow["follow_up_choices"] for ch in c)
    back = client.get(f"/v1/sessions/{sid}?lang=zh", headers=P).json()["turns"]
    assert [t["answer"]["answer"] for t in back] == [first["answer"], asked["answer"]]  # the same pass, the same text
    assert client.get(f"/v1/sessions/{sid}?lang=fr", headers=P).status_code == 422


def test_a_traditional_answer_redrawn_in_chinese_keeps_its_script(client):
    sid = "redraw-hant"
    served = client.post("/v1/chat", headers=P, json={"message": "8月的夥伴帳單什麼時候生成?", "session_id": sid,
                                                     "now": NOW}).json()
    assert served["variant"] == "zh-Hant"
    english = client.get(f"/v1/sessions/{sid}?lang=en", headers=P).json()["turns"][0]["answer"]
    assert english["variant"] == "en" and "依據" not in english["answer"]
    chinese = client.get(f"/v1/sessions/{sid}?lang=zh", headers=P).json()["turns"][0]["answer"]
    assert chinese["answer"] == served["answer"] and chinese["variant"] == "zh-Hant"


def test_a_message_with_several_asks_is_drawn_again_ask_by_ask(client):
    sid = "redraw-asks"
    served = client.post("/v1/chat", headers=P, json={
        "message": "储值卡充值算不算业绩?另外,8月的伙伴账单什么时候生成?", "session_id": sid, "now": NOW}).json()
    assert served["answer"].startswith("问:")
    english = client.get(f"/v1/sessions/{sid}?lang=en", headers=P).json()["turns"][0]["answer"]
    assert english["answer"].startswith("Q: ") and english["answer"].count("Q: ") == served["answer"].count("问:")
    back = client.get(f"/v1/sessions/{sid}?lang=zh", headers=P).json()["turns"][0]["answer"]
    assert back["answer"] == served["answer"]


def test_next_questions_are_near_the_last_topic_never_asked_before_and_in_the_asked_language(client):
    sid = "next-api"
    for message in ("多笔激励可以合并开一张发票吗?", "8月的伙伴账单什么时候生成?我在东京"):
        client.post("/v1/chat", headers=P, json={"message": message, "session_id": sid, "now": NOW})
    zh = client.get(f"/v1/suggestions?lang=zh&limit=3&session_id={sid}", headers=P).json()["suggestions"]
    en = client.get(f"/v1/suggestions?lang=en&limit=3&session_id={sid}", headers=P).json()["suggestions"]
    assert 1 <= len(zh) <= 3 and 1 <= len(en) <= 3
    assert not [s for s in zh if "发票" in s["question"] or "账单" in s["question"]], zh  # asked and answered already
    assert not [s for s in en if any("\u4e00" <= ch <= "\u9fff" for ch in s["question"])], en
    assert client.get("/v1/suggestions?session_id=not-mine", headers=P).status_code == 404
