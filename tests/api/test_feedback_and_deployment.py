"""Feedback storage on SQLite and PostgreSQL, export for review, and the two-machine deployment setup."""

import json

import pytest
from typer.testing import CliRunner

from api.app import create_app
from assistant import Assistant, Settings
from assistant.feedback import AnswerNotFoundError, FeedbackIn, FeedbackStore, candidate_cases
from assistant.sessions import SessionStore

pytestmark = pytest.mark.integration
NOW = "2026-11-27T10:00:00+08:00"


def test_feedback_store(db_url):
    from datetime import datetime, timezone

    sessions = SessionStore(db_url)
    store = FeedbackStore(sessions)
    answer_id = "ans" + datetime.now().strftime("%H%M%S%f")
    sessions.save_turn(sessions.new_id(), datetime.now(timezone.utc), "8月账单?", "9月5日前", {}, None, None,
                       answer_id=answer_id)
    store.add(FeedbackIn(answer_id=answer_id, rating="up"))
    store.add(FeedbackIn(answer_id=answer_id, rating="down", corrected_answer="2026-09-05 12:00 前", comment="c"))
    with pytest.raises(AnswerNotFoundError):
        store.add(FeedbackIn(answer_id="missing-answer", rating="up"))
    mine = [c for c in store.corrections() if c["answer_id"] == answer_id]
    assert len(mine) == 1 and mine[0]["corrected_answer"] == "2026-09-05 12:00 前"
    case = candidate_cases(mine)[0]
    assert case["review"]["status"] == "needs_review" and case["case"]["turns"][0]["message"] == "8月账单?"


def test_feedback_is_one_row_per_answer_per_caller_and_older_tables_gain_the_owner(db_url):
    from datetime import datetime, timezone

    from sqlalchemy import create_engine, func, select, text

    from assistant.feedback import _FeedbackRow

    sessions = SessionStore(db_url)
    store = FeedbackStore(sessions)
    answer_id = "one" + datetime.now().strftime("%H%M%S%f")
    sessions.save_turn(sessions.new_id(), datetime.now(timezone.utc), "8月账单?", "9月5日前", {}, None, None, owner="k1",
                       answer_id=answer_id)

    def rows():
        with sessions._engine.connect() as db:
            return db.execute(select(_FeedbackRow.rating, _FeedbackRow.comment, _FeedbackRow.corrected_answer)
                              .where(_FeedbackRow.answer_id == answer_id)).all()

    first = store.add(FeedbackIn(answer_id=answer_id, rating="down"), owner="k1")  # the page: the thumb at once
    again = store.add(FeedbackIn(answer_id=answer_id, rating="down", comment="少了时区"), owner="k1")  # details
    assert again == first and rows() == [("down", "少了时区", None)]
    store.add(FeedbackIn(answer_id=answer_id, rating="down", corrected_answer="12:00 前"), owner="k1")
    assert rows() == [("down", "少了时区", "12:00 前")]
    store.add(FeedbackIn(answer_id=answer_id, rating="up"), owner="k1")  # changed mind: the old comment goes
    assert rows() == [("up", None, None)]
    # A database made before the owner column: opening it adds the column and keeps the rows.
    sessions._engine.dispose()
    engine = create_engine(db_url)
    with engine.begin() as db:
        db.execute(text("ALTER TABLE answer_feedback DROP COLUMN owner"))
    engine.dispose()
    reopened = FeedbackStore(SessionStore(db_url))
    assert reopened.add(FeedbackIn(answer_id=answer_id, rating="down"), owner="k1") != first  # old row has no owner
    with reopened._engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(_FeedbackRow)
                         .where(_FeedbackRow.answer_id == answer_id)) == 2


def test_feedback_export_cli(tmp_path):
    from fastapi.testclient import TestClient

    from api.cli import app as cli

    settings = Settings(data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        client.post("/v1/admin/reindex", json={})
        r = client.post("/v1/chat", json={"message": "购买储值卡算业绩吗", "now": NOW})
        client.post("/v1/feedback", json={"answer_id": r.headers["x-answer-id"], "rating": "down",
                                          "corrected_answer": "购买储值卡不计算业绩"})
    out = tmp_path / "candidates.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", "--out", str(out), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["review"]["corrected_answer"] == "购买储值卡不计算业绩"


def test_offline_triage_cli(tmp_path, built_data):
    from api.cli import app as cli

    cases = tmp_path / "cases.csv"
    cases.write_text("subject,body\n业绩问题,4月30日的业绩哪天能看到\n,\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", str(cases), "--now", NOW, "--data-dir", str(built_data)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert lines[0]["result"]["category"] == "performance" and lines[1]["error"]["code"] == "validation_error"


def test_chroma_server_and_postgresql_deployment(chroma_server_url, postgres_url, tmp_path):
    """The documented two-machine setup: index in a Chroma server, sessions and feedback in PostgreSQL."""
    from fastapi.testclient import TestClient

    settings = Settings(data_dir=tmp_path, chroma_url=chroma_server_url, database_url=postgres_url,
                        namespace="deploy-test")
    Assistant.from_settings(settings).index.build()
    with TestClient(create_app(settings)) as client:
        first = client.post("/v1/chat", json={"message": "我们这期伙伴账单什么时候出?", "session_id": "deploy-1", "now": NOW})
        assert first.json()["follow_up"]
        second = client.post("/v1/chat", json={"message": "8月的", "session_id": "deploy-1", "now": NOW}).json()
        assert second["tool_calls"][0]["result"]["billing_period"] == "2026-08"
        fb = client.post("/v1/feedback", json={"answer_id": client.post(
            "/v1/chat", json={"message": "CBC.0100是什么", "now": NOW}).headers["x-answer-id"], "rating": "up"})
        assert fb.status_code == 201
    assert not (tmp_path / "assistant.db").exists()  # nothing fell back to the local SQLite file


def test_feedback_without_a_rating_is_refused_and_never_stored_as_thumbs_down(client):
    # Issue 14: "no rating is never recorded as 👎". A comment sent without a thumb is a 422 naming the field,
    # and nothing is stored for the answer (a later 👍 is its first and only record).
    from sqlalchemy import select

    from assistant.feedback import _FeedbackRow

    from .conftest import P

    answer_id = client.post("/v1/chat", headers=P, json={"message": "购买储值卡算业绩吗", "now": NOW}).headers["x-answer-id"]

    def ratings():
        with client.app.state.assistant.sessions._engine.connect() as db:
            return [r for (r,) in db.execute(select(_FeedbackRow.rating).where(_FeedbackRow.answer_id == answer_id))]

    refused = client.post("/v1/feedback", headers=P, json={"answer_id": answer_id, "comment": "不对"})
    assert refused.status_code == 422 and "rating" in refused.text
    assert ratings() == []
    assert client.post("/v1/feedback", headers=P, json={"answer_id": answer_id, "rating": "up"}).status_code == 201
    assert ratings() == ["up"]
