"""Feedback on served answers, in the same database as the sessions.

An answer is identified by the ``answer_id`` stored with its turn (one write per turn, not two).
Corrections become *candidate* eval cases for a person to review; they are never added to a
dataset automatically.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .sessions import SessionStore, SessionStoreError, _Base, _SessionRow, _TurnRow


class AnswerNotFoundError(LookupError):
    pass


class _FeedbackRow(_Base):
    __tablename__ = "answer_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("chat_turns.answer_id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrected_answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Added later, nullable (older databases gain it by ALTER TABLE ADD COLUMN; their rows keep NULL):
    # who gave the feedback, so that a caller's later word on the same answer updates their one row.
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)


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
        self._write_lock = sessions.write_lock
        sessions._create_schema()  # the feedback table, if this module was imported after the store opened

    def add(self, feedback: FeedbackIn, owner: str | None = None) -> int:
        """Store feedback on an answer, updating the caller's earlier feedback on it if any (same id); with ``owner``, only on an answer in one of the owner's sessions
        (any other answer id is "not found", the same as one that never existed)."""
        try:
            with self._write_lock, Session(self._engine) as db, db.begin():
                turn = db.execute(select(_TurnRow.id, _SessionRow.owner)
                                  .join(_SessionRow, _SessionRow.id == _TurnRow.session_id)
                                  .where(_TurnRow.answer_id == feedback.answer_id)).first()
                if turn is None or (owner is not None and turn.owner != owner):
                    raise AnswerNotFoundError(f"no answer with id {feedback.answer_id}")
                same_caller = (_FeedbackRow.owner == owner) if owner is not None else _FeedbackRow.owner.is_(None)
                row = db.scalars(select(_FeedbackRow).where(_FeedbackRow.answer_id == feedback.answer_id, same_caller)
                                 .order_by(_FeedbackRow.id.desc()).limit(1)).first()
                if row is None:
                    row = _FeedbackRow(answer_id=feedback.answer_id, owner=owner, rating=feedback.rating)
                    db.add(row)
                elif row.rating != feedback.rating:  # a changed mind: the old comment was about the old rating
                    row.comment = row.corrected_answer = None
                # One row per answer per caller: a comment or correction sent after the thumb (the page
                # sends the thumb at once, the details later) completes that row; a field not sent is kept.
                row.rating = feedback.rating
                row.created_at = datetime.now(timezone.utc)
                if feedback.comment is not None:
                    row.comment = feedback.comment
                if feedback.corrected_answer is not None:
                    row.corrected_answer = feedback.corrected_answer
                db.flush()
                return row.id
        except IntegrityError as exc:
            raise AnswerNotFoundError(f"no answer with id {feedback.answer_id}") from exc
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._message(exc)) from exc

    def corrections(self) -> list[dict[str, Any]]:
        """Feedback that carries a corrected answer, with the turn it corrects."""
        try:
            with Session(self._engine) as db:
                rows = db.execute(select(_FeedbackRow, _TurnRow)
                                  .join(_TurnRow, _TurnRow.answer_id == _FeedbackRow.answer_id)
                                  .where(_FeedbackRow.corrected_answer.is_not(None))
                                  .order_by(_FeedbackRow.id)).all()
                return [{"feedback_id": f.id, "answer_id": t.answer_id, "message": t.message,
                         "now": t.created_at.isoformat(), "given_answer": t.answer,
                         "corrected_answer": f.corrected_answer, "comment": f.comment, "rating": f.rating}
                        for f, t in rows]
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._message(exc)) from exc


def candidate_cases(corrections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Eval-case drafts from corrections: marked for review, with the correction as guidance only."""
    from .language import detect

    out = []
    for item in corrections:
        out.append({
            "review": {"status": "needs_review", "feedback_id": item["feedback_id"], "answer_id": item["answer_id"],
                       "given_answer": item["given_answer"], "corrected_answer": item["corrected_answer"],
                       "comment": item["comment"],
                       "todo": "turn the correction into exact expectations (tools, anchors, must_contain), "
                               "pick a split, then move the case into evals/datasets/assistant.jsonl"},
            "case": {"id": f"feedback-{item['feedback_id']}", "category": "faq", "language": detect(item["message"]),
                     "now": item["now"], "turns": [{"message": item["message"], "expect": {}}], "split": "dev"},
        })
    return out


def dumps_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
