"""Answers served and the feedback on them, in the same database as the sessions.

Corrections become *candidate* eval cases for a person to review; they are never added to a
dataset automatically.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .sessions import SessionStore, SessionStoreError, _Base


class AnswerNotFoundError(LookupError):
    pass


class _AnswerRow(_Base):
    __tablename__ = "served_answers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message: Mapped[str] = mapped_column(Text)
    now: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)


class _FeedbackRow(_Base):
    __tablename__ = "answer_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("served_answers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrected_answer: Mapped[str | None] = mapped_column(Text, nullable=True)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"answer_id": "17eac059bd464d4ea0188a31c60e06c8", "rating": "down", "comment": "少了时区",
         "corrected_answer": "北京时间 2026-09-05 12:00 前生成"}]})

    answer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=4000)
    corrected_answer: str | None = Field(default=None, max_length=8000)


class FeedbackStore:
    """Uses the session store's database, so one URL configures both."""

    def __init__(self, sessions: SessionStore) -> None:
        self._engine = sessions._engine
        self._message = sessions._db_message

    def record_answer(self, answer_id: str, session_id: str | None, message: str, now: datetime,
                      payload: dict[str, Any]) -> None:
        try:
            with Session(self._engine) as db, db.begin():
                db.add(_AnswerRow(id=answer_id, session_id=session_id, created_at=datetime.now(timezone.utc),
                                  message=message, now=now.isoformat(), payload=payload))
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._message(exc)) from exc

    def add(self, feedback: FeedbackIn) -> int:
        try:
            with Session(self._engine) as db, db.begin():
                if db.get(_AnswerRow, feedback.answer_id) is None:
                    raise AnswerNotFoundError(f"no answer with id {feedback.answer_id}")
                row = _FeedbackRow(answer_id=feedback.answer_id, created_at=datetime.now(timezone.utc),
                                   rating=feedback.rating, comment=feedback.comment,
                                   corrected_answer=feedback.corrected_answer)
                db.add(row)
                db.flush()
                return row.id
        except IntegrityError as exc:
            raise AnswerNotFoundError(f"no answer with id {feedback.answer_id}") from exc
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._message(exc)) from exc

    def corrections(self) -> list[dict[str, Any]]:
        """Feedback that carries a corrected answer, with the answer it corrects."""
        try:
            with Session(self._engine) as db:
                rows = db.execute(select(_FeedbackRow, _AnswerRow).join(_AnswerRow)
                                  .where(_FeedbackRow.corrected_answer.is_not(None))
                                  .order_by(_FeedbackRow.id)).all()
                return [{"feedback_id": f.id, "answer_id": a.id, "message": a.message, "now": a.now,
                         "given_answer": a.payload.get("answer"), "corrected_answer": f.corrected_answer,
                         "comment": f.comment, "rating": f.rating} for f, a in rows]
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._message(exc)) from exc


def candidate_cases(corrections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Eval-case drafts from corrections: marked for review, with the correction as guidance only."""
    out = []
    for item in corrections:
        out.append({
            "review": {"status": "needs_review", "feedback_id": item["feedback_id"], "answer_id": item["answer_id"],
                       "given_answer": item["given_answer"], "corrected_answer": item["corrected_answer"],
                       "comment": item["comment"],
                       "todo": "turn the correction into exact expectations (tools, anchors, must_contain), "
                               "pick a split, then move the case into evals/datasets/assistant.jsonl"},
            "case": {"id": f"feedback-{item['feedback_id']}", "category": "faq", "language": _language(item["message"]),
                     "now": item["now"], "turns": [{"message": item["message"], "expect": {}}], "split": "dev"},
        })
    return out


def _language(text: str) -> str:
    from .language import detect

    return detect(text)


def dumps_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
