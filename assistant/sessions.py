"""Conversation state in a real database: SQLite in the data directory, or PostgreSQL by URL.

Each turn and the pending tool call (name, arguments so far, the slot asked about) are stored in
one transaction. Several API workers may share the database: SQLite runs in WAL mode with a busy
timeout and each turn's transaction writes before it reads; PostgreSQL upserts and locks the row.

SessionError
├── SessionExpiredError   the session was idle longer than the TTL: start a new one
├── SessionNotFoundError  no such session id
└── SessionStoreError     the database is unreachable, locked too long, or corrupt
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, create_engine, event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class SessionError(Exception):
    pass


class SessionExpiredError(SessionError):
    pass


class SessionNotFoundError(SessionError):
    pass


class SessionStoreError(SessionError):
    pass


class InvalidSessionIdError(SessionError, ValueError):
    pass


SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"  # the API validates requests with the same pattern
_SESSION_ID = re.compile(SESSION_ID_PATTERN)


def check_session_id(session_id: str) -> str:
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        raise InvalidSessionIdError("session_id must be 1-64 characters of letters, digits, '_', '-', '.' or ':'")
    return session_id


class _Base(DeclarativeBase):
    pass


class _SessionRow(_Base):
    __tablename__ = "chat_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[dict] = mapped_column(JSON, default=dict)  # pending / last tool and arguments


class _TurnRow(_Base):
    __tablename__ = "chat_turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)  # for feedback
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)


@dataclass
class SessionState:
    id: str
    pending: dict[str, Any] | None     # {"tool", "carried", "missing"}
    last: dict[str, Any] | None        # {"tool", "carried"} of the last completed tool call
    turns: int


def _utc(moment: datetime) -> datetime:
    """Aware UTC. SQLite drops offsets, so everything is stored in UTC and naive values read back as UTC."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class SessionStore:
    def __init__(self, url: str, ttl: timedelta = timedelta(hours=24), lock_timeout: float = 5.0) -> None:
        self.url = url
        self.ttl = ttl
        self.lock_timeout = lock_timeout
        # SQLite has one writer at a time; threads of this process queue here instead of spinning in
        # SQLite's busy handler (its sleeps collapse throughput under concurrent requests).
        self.write_lock = threading.Lock() if url.startswith("sqlite") else contextlib.nullcontext()
        try:
            connect_args = {"timeout": lock_timeout} if url.startswith("sqlite") else {"connect_timeout": 5}
            self._engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise SessionStoreError(f"cannot use session database {self._safe_url()}: {exc}") from exc
        if url.startswith("sqlite"):
            event.listen(self._engine, "connect",
                         lambda conn, record: _sqlite_pragmas(conn, int(lock_timeout * 1000)))
        self._create_schema()

    def _create_schema(self) -> None:
        # Several workers starting together on a new database race to switch it to WAL and create the
        # tables: SQLite answers "locked" at once (no busy wait) and a table can appear between the
        # existence check and CREATE TABLE. Both are settled by trying again shortly.
        deadline = time.monotonic() + max(self.lock_timeout, 5.0)
        while True:
            try:
                _Base.metadata.create_all(self._engine)
                self._check_schema()
                return
            except OperationalError as exc:
                if not any(m in str(exc) for m in ("locked", "already exists")) or time.monotonic() > deadline:
                    raise SessionStoreError(self._db_message(exc)) from exc
                self._engine.dispose()
                time.sleep(0.05)
            except ProgrammingError as exc:  # PostgreSQL reports the concurrent CREATE TABLE this way
                if "already exists" not in str(exc) or time.monotonic() > deadline:
                    raise SessionStoreError(self._db_message(exc)) from exc
                time.sleep(0.05)
            except DatabaseError as exc:
                raise SessionStoreError(self._db_message(exc)) from exc

    def _check_schema(self) -> None:
        """Tables made by an older version miss columns: say so instead of failing on every turn."""
        from sqlalchemy import inspect

        inspector = inspect(self._engine)
        for table in _Base.metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            missing = {c.name for c in table.columns} - have
            if missing:
                raise SessionStoreError(
                    f"session database {self._safe_url()}: table {table.name} lacks {sorted(missing)} "
                    "(made by an older version); move the database aside to start a new one")

    def _safe_url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True) if hasattr(self, "_engine") else "(invalid URL)"

    def _db_message(self, exc: Exception) -> str:
        text = str(getattr(exc, "orig", exc))
        if "locked" in text:
            return f"session database {self._safe_url()} is locked by another process; try again"
        if "not a database" in text or "malformed" in text or "file is encrypted" in text:
            return (f"session database {self._safe_url()} is corrupt or not a database; move it aside "
                    "to start with an empty one")
        return f"session database {self._safe_url()} failed: {text}"

    def close(self) -> None:
        self._engine.dispose()

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def load(self, session_id: str, now: datetime) -> SessionState:
        """The state of an existing session (unknown ids start fresh)."""
        check_session_id(session_id)
        try:
            with Session(self._engine) as db:
                row = db.get(_SessionRow, session_id)
                if row is None:
                    return SessionState(session_id, None, None, 0)
                if _utc(now) - _utc(row.updated_at) > self.ttl:
                    raise SessionExpiredError(
                        f"session {session_id} expired after {self.ttl} without activity; start a new session")
                turns = db.query(_TurnRow).filter(_TurnRow.session_id == session_id).count()
                state = row.state or {}
                return SessionState(session_id, state.get("pending"), state.get("last"), turns)
        except OperationalError as exc:
            raise SessionStoreError(self._db_message(exc)) from exc
        except DatabaseError as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def save_turn(self, session_id: str, now: datetime, message: str, answer: str, payload: dict[str, Any],
                  pending: dict[str, Any] | None, last: dict[str, Any] | None, answer_id: str | None = None) -> None:
        """Record a turn and the new state in one transaction: all of it or none."""
        check_session_id(session_id)
        moment = _utc(now)
        state = json.loads(json.dumps({"pending": pending, "last": last}, default=str))
        try:
            with self.write_lock, Session(self._engine) as db, db.begin():
                # Write first: the row insert takes the write lock (SQLite) before anything is read,
                # and ON CONFLICT makes two workers creating the same session agree instead of failing.
                insert = sqlite_insert if self._engine.dialect.name == "sqlite" else pg_insert
                db.execute(insert(_SessionRow).values(id=session_id, created_at=moment, updated_at=moment, state={})
                           .on_conflict_do_nothing(index_elements=["id"]))
                db.execute(update(_SessionRow).where(_SessionRow.id == session_id)
                           .values(updated_at=moment, state=state))
                db.add(_TurnRow(session_id=session_id, answer_id=answer_id, created_at=moment, message=message,
                                answer=answer, payload=json.loads(json.dumps(payload, default=str))))
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def history(self, session_id: str) -> list[dict[str, Any]]:
        try:
            with Session(self._engine) as db:
                rows = db.execute(select(_TurnRow).where(_TurnRow.session_id == session_id)
                                  .order_by(_TurnRow.id)).scalars()
                return [{"message": r.message, "answer": r.answer, "payload": r.payload,
                         "created_at": r.created_at} for r in rows]
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc


def _sqlite_pragmas(dbapi_connection: Any, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after a crash and only a power cut can lose the last commits;
    # FULL would fsync on every turn, which costs more than the answer itself.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
