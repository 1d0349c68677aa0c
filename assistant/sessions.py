"""Conversation state in a real database: SQLite in the data directory, or PostgreSQL by URL.

Each turn and the pending tool call (name, arguments so far, the slot asked about) are stored in
one transaction. Several API workers may share the database: SQLite runs in WAL mode with a busy
timeout and each turn's transaction writes before it reads; PostgreSQL upserts and locks the row.

A session belongs to its owner (the API passes one per caller: an API key, a client token or an
address). The row's key is derived from the owner and the public session id, so two callers using
the same id hold two different sessions and neither can read, continue or even detect the other's.
Without an owner (the CLI, in-process use) the public id is the key.

SessionError
├── SessionExpiredError   the session was idle longer than the TTL: start a new one
├── SessionNotFoundError  no such session id
├── TurnTimeoutError      the turn ended after the request's deadline and was not saved
└── SessionStoreError     the database is unreachable, locked too long, or corrupt
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import (JSON, DateTime, ForeignKey, Integer, String, Text, bindparam, create_engine, delete, event,
                        func, inspect, or_, select, text)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's own busy handler serialises the workers there
    fcntl = None  # type: ignore[assignment]


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


class TurnTimeoutError(SessionError, TimeoutError):
    """The turn finished after its caller's deadline: it is not saved (the caller was told it failed)."""


SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"  # the API validates requests with the same pattern
_SESSION_ID = re.compile(SESSION_ID_PATTERN)


TITLE_MAX = 120
_TITLE_DEFAULT = 60  # a title made from the first message keeps this many characters


def check_session_id(session_id: str) -> str:
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        raise InvalidSessionIdError("session_id must be 1-64 characters of letters, digits, '_', '-', '.' or ':'")
    return session_id


def _row_id(session_id: str, owner: str | None) -> str:
    """The stored key: the public id itself without an owner, else a digest of both (32 hex characters)."""
    check_session_id(session_id)
    if owner is None:
        return session_id
    return hashlib.sha256(f"{owner}\0{session_id}".encode()).hexdigest()[:32]


def default_title(message: str) -> str:
    """The first message on one line, cut at a readable length."""
    line = " ".join(message.split())
    return line if len(line) <= _TITLE_DEFAULT else line[:_TITLE_DEFAULT - 1] + "…"


class _Base(DeclarativeBase):
    pass


class _SessionRow(_Base):
    __tablename__ = "chat_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[dict] = mapped_column(JSON, default=dict)  # pending / last tool and arguments
    # Added after the first release: nullable, so older databases gain them with ALTER TABLE ADD COLUMN.
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    public_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX), nullable=True)


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
    owner: str | None = None
    dialogue: dict[str, Any] | None = None  # the assistant's typed dialogue state, as JSON
    deadline: float | None = None      # time.monotonic() after which the turn must not be saved
    stopped: Any = None                # a threading.Event set when the caller went away: do not save either


class SessionSummary(BaseModel):
    session_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    turn_count: int


class SessionTurn(BaseModel):
    message: str
    answer: dict[str, Any]  # the Answer as it was served
    answer_id: str | None
    created_at: datetime
    # the answer's language-neutral form (compose.neutral), to draw it again in another language; never served
    parts: dict[str, Any] | None = Field(default=None, exclude=True)


class SessionDetail(BaseModel):
    session_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    turns: list[SessionTurn]


class _Serialised(str):
    """A JSON document already serialised: a JSON column stores it as written."""


def _json_text(value: Any) -> str:
    """The engine's JSON serialiser (SQLite and PostgreSQL): what SQLAlchemy would write, json.dumps, except
    for text serialised beforehand."""
    return value if isinstance(value, _Serialised) else json.dumps(value)


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
        # Between processes (API workers on one file) SQLite's own busy handler polls with sleeps of 1, 2,
        # 5 ... 100 ms, which turns a 0.3 ms wait for the other worker's commit into several milliseconds:
        # writers also queue on a kernel file lock beside the database and wake when it is released.
        self.write_lock: Any = contextlib.nullcontext()
        try:
            connect_args = {"timeout": lock_timeout} if url.startswith("sqlite") else {"connect_timeout": 5}
            # A SQLite file needs no liveness probe before each use (it cost a query per turn); a server does.
            self._engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not url.startswith("sqlite"),
                                         json_serializer=_json_text)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise SessionStoreError(f"cannot use session database {self._safe_url()}: {exc}") from exc
        if url.startswith("sqlite"):
            self.write_lock = _WriteLock(self._engine.url.database, lock_timeout)
            event.listen(self._engine, "connect",
                         lambda conn, record: _sqlite_pragmas(conn, int(lock_timeout * 1000)))
        self._create_schema()
        # The turn's statements are built once (per process, not per turn); values come as parameters.
        insert = sqlite_insert if self._engine.dialect.name == "sqlite" else pg_insert
        upsert = insert(_SessionRow)
        self._upsert_session = upsert.on_conflict_do_update(index_elements=["id"], set_={
            "updated_at": upsert.excluded.updated_at, "state": upsert.excluded.state})
        self._insert_turn = insert(_TurnRow)
        turns = select(func.count(_TurnRow.id)).where(_TurnRow.session_id == bindparam("key")).scalar_subquery()
        self._load_session = select(_SessionRow.state, _SessionRow.updated_at, turns).where(
            _SessionRow.id == bindparam("key"))
        self._direct = _DirectTurns(self._engine, self._load_session, self._upsert_session, self._insert_turn) \
            if self._engine.dialect.name == "sqlite" else None

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
        """Tables made by an older version: add the nullable columns that came later; anything else
        missing is a clear error instead of a failure on every turn."""
        inspector = inspect(self._engine)
        for table in _Base.metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            missing = [c for c in table.columns if c.name not in have]
            required = sorted(c.name for c in missing if not c.nullable)
            if required:
                raise SessionStoreError(
                    f"session database {self._safe_url()}: table {table.name} lacks {required} "
                    "(made by an older version); move the database aside to start a new one")
            for column in missing:
                self._add_column(table.name, column)
            if missing:
                for index in table.indexes:
                    index.create(self._engine, checkfirst=True)

    def _add_column(self, table: str, column: Any) -> None:
        kind = column.type.compile(dialect=self._engine.dialect)
        try:
            with self._engine.begin() as db:
                db.execute(text(f'ALTER TABLE {table} ADD COLUMN {column.name} {kind}'))
        except (OperationalError, ProgrammingError) as exc:
            # Another worker added it first (SQLite: "duplicate column", PostgreSQL: "already exists").
            if "duplicate column" not in str(exc) and "already exists" not in str(exc):
                raise

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
        if isinstance(self.write_lock, _WriteLock):
            self.write_lock.close()

    def ping(self) -> None:
        """Health: read from the sessions table (a corrupt file or a lost server raises SessionStoreError)."""
        try:
            with Session(self._engine) as db:
                db.execute(select(_SessionRow.id).limit(1)).all()
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def warm_up(self) -> None:
        """Compile the turn's statements now (SQLAlchemy caches a compiled statement on first use; the
        first save would otherwise pay about 6 ms): a load, and a save rolled back - nothing is written."""
        now = _utc(datetime.now(timezone.utc))
        key = "warm-up-" + uuid.uuid4().hex
        try:
            with self._engine.connect() as db:
                db.execute(self._load_session, {"key": key}).first()
            with self.write_lock, self._engine.connect() as db:
                transaction = db.begin()
                try:
                    db.execute(self._upsert_session, {"id": key, "created_at": now, "updated_at": now, "state": {},
                                                      "owner": None, "public_id": key[:64], "title": "warm-up"})
                    db.execute(self._insert_turn, {"session_id": key, "answer_id": None, "created_at": now,
                                                   "message": "", "answer": "", "payload": {}})
                finally:
                    transaction.rollback()
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def load(self, session_id: str, now: datetime, owner: str | None = None) -> SessionState:
        """The state of the owner's session (unknown ids, and other owners' ids, start fresh)."""
        key = _row_id(session_id, owner)
        try:
            if self._direct is not None:
                row = self._direct.load(key)
            else:
                with self._engine.connect() as db:  # one query, no ORM unit of work: this runs on every turn
                    row = db.execute(self._load_session, {"key": key}).first()
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc
        except _DBAPI_ERRORS as exc:  # the direct path meets the driver's own errors
            raise SessionStoreError(self._db_message(exc)) from exc
        if row is None:
            return SessionState(session_id, None, None, 0, owner)
        stored, updated_at, count = row
        if _utc(now) - _utc(updated_at) > self.ttl:
            raise SessionExpiredError(
                f"session {session_id} expired after {self.ttl} without activity; start a new session")
        state = stored or {}
        try:
            return SessionState(session_id, state.get("pending"), state.get("last"), count, owner,
                                state.get("dialogue"))
        except AttributeError as exc:  # a state column that is not a JSON object: the row is damaged
            raise SessionStoreError(f"session {session_id} holds a damaged state") from exc

    def save_turn(self, session_id: str, now: datetime, message: str, answer: str, payload: dict[str, Any],
                  pending: dict[str, Any] | None, last: dict[str, Any] | None, answer_id: str | None = None,
                  owner: str | None = None, dialogue: dict[str, Any] | None = None) -> None:
        """Record a turn and the new state in one transaction: all of it or none."""
        key = _row_id(session_id, owner)
        moment = _utc(now)
        # Serialised once, here, before the write lock is taken (values JSON cannot hold become strings):
        # the JSON columns store this text as it is (was: dumped, parsed back, dumped again under the lock).
        state = _Serialised(json.dumps({"pending": pending, "last": last, "dialogue": dialogue}, default=str))
        payload = _Serialised(json.dumps(payload, default=str))
        session = {"id": key, "created_at": moment, "updated_at": moment, "state": state, "owner": owner,
                   "public_id": session_id, "title": default_title(message)}
        turn = {"session_id": key, "answer_id": answer_id, "created_at": moment, "message": message,
                "answer": answer, "payload": payload}
        try:
            with self.write_lock:
                if self._direct is not None:
                    self._direct.save(session, turn)
                    return
                with self._engine.begin() as db:
                    # Two statements, no ORM unit of work (this runs on every turn). Write first: the upsert
                    # takes the write lock (SQLite) before anything is read, and ON CONFLICT makes two workers
                    # creating the same session agree instead of failing; a new row gets the title and owner.
                    db.execute(self._upsert_session, session)
                    db.execute(self._insert_turn, turn)
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc
        except _DBAPI_ERRORS as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def history(self, session_id: str, owner: str | None = None) -> list[dict[str, Any]]:
        key = _row_id(session_id, owner)
        try:
            with Session(self._engine) as db:
                rows = db.execute(select(_TurnRow).where(_TurnRow.session_id == key)
                                  .order_by(_TurnRow.id)).scalars()
                return [{"message": r.message, "answer": r.answer, "payload": r.payload,
                         "created_at": r.created_at} for r in rows]
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    # ---- an owner's sessions (the API's /v1/sessions) ------------------------------------------
    def sessions(self, owner: str, query: str | None = None, limit: int = 100) -> list[SessionSummary]:
        """The owner's sessions, most recently active first; ``query`` matches titles and messages.

        Recency is the order turns were stored in (the turn ids), not ``updated_at``: that is the
        time the caller stated with ``now``, which may be any moment."""
        counts = (select(_TurnRow.session_id, func.count(_TurnRow.id).label("n"), func.max(_TurnRow.id).label("last"))
                  .group_by(_TurnRow.session_id).subquery())
        statement = (select(_SessionRow, func.coalesce(counts.c.n, 0))
                     .outerjoin(counts, counts.c.session_id == _SessionRow.id)
                     .where(_SessionRow.owner == owner)
                     .order_by(func.coalesce(counts.c.last, 0).desc(), _SessionRow.updated_at.desc()).limit(limit))
        if query:
            said = select(_TurnRow.id).where(_TurnRow.session_id == _SessionRow.id,
                                             _TurnRow.message.icontains(query, autoescape=True))
            statement = statement.where(or_(_SessionRow.title.icontains(query, autoescape=True), said.exists()))
        try:
            with Session(self._engine) as db:
                return [_summary(row, count) for row, count in db.execute(statement).all()]
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def session(self, owner: str, session_id: str) -> SessionDetail:
        """One of the owner's sessions with its turns; SessionNotFoundError for any other id."""
        try:
            with Session(self._engine) as db:
                row = self._owned(db, owner, session_id)
                turns = db.execute(select(_TurnRow).where(_TurnRow.session_id == row.id)
                                   .order_by(_TurnRow.id)).scalars().all()
                summary = _summary(row, len(turns))
                return SessionDetail(session_id=summary.session_id, title=summary.title,
                                     created_at=summary.created_at, updated_at=summary.updated_at,
                                     turns=[_turn(t) for t in turns])
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def rename(self, owner: str, session_id: str, title: str) -> SessionSummary:
        title = " ".join(title.split())
        if not 1 <= len(title) <= TITLE_MAX:
            raise ValueError(f"title must be 1-{TITLE_MAX} characters")
        try:
            with self.write_lock, Session(self._engine) as db, db.begin():
                row = self._owned(db, owner, session_id)
                row.title = title
                count = db.query(_TurnRow).filter(_TurnRow.session_id == row.id).count()
                db.flush()
                return _summary(row, count)
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def delete(self, owner: str, session_id: str) -> None:
        """The session and its turns in one transaction (feedback on them goes by ON DELETE CASCADE)."""
        try:
            with self.write_lock, Session(self._engine) as db, db.begin():
                row = self._owned(db, owner, session_id)
                db.execute(delete(_TurnRow).where(_TurnRow.session_id == row.id))
                db.execute(delete(_SessionRow).where(_SessionRow.id == row.id))
        except (OperationalError, DatabaseError) as exc:
            raise SessionStoreError(self._db_message(exc)) from exc

    def _owned(self, db: Session, owner: str, session_id: str) -> _SessionRow:
        try:
            key = _row_id(session_id, owner)
        except InvalidSessionIdError:
            key = None
        row = db.get(_SessionRow, key) if key else None
        if row is None or row.owner != owner:
            raise SessionNotFoundError(f"no session {session_id}")
        return row


def _turn(row: _TurnRow) -> SessionTurn:
    payload = dict(row.payload or {"answer": row.answer})
    parts = payload.pop("_parts", None)
    return SessionTurn(message=row.message, answer=payload, answer_id=row.answer_id, created_at=_utc(row.created_at),
                       parts=parts)


def _summary(row: _SessionRow, turns: int) -> SessionSummary:
    return SessionSummary(session_id=row.public_id or row.id, title=row.title or "", created_at=_utc(row.created_at),
                          updated_at=_utc(row.updated_at), turn_count=turns)


_DBAPI_ERRORS = (sqlite3.Error,)
_SESSION_KEYS = ("id", "created_at", "updated_at", "state", "owner", "public_id", "title")
_TURN_KEYS = ("session_id", "answer_id", "created_at", "message", "answer", "payload")


class _DirectTurns:
    """The turn's load and save on SQLite, on the driver's connection: the same SQL that SQLAlchemy compiles
    for the statements, the same values (each column type's own bind and result processors: dates as
    SQLAlchemy writes and reads them, JSON through the engine's serialiser), the same transaction (the
    driver's implicit BEGIN before the first write, one commit). What it leaves out is the engine's
    per-statement execution machinery (execution context, result wrapping, transaction objects): 0.23 ms
    of SQLAlchemy around 0.05 ms of SQLite per turn, on every chat request (measured in one process,
    ``bench/ask_bench.py``-style loop). Connections still come from the engine's pool (its connect
    event sets the pragmas) and go back to it."""

    def __init__(self, engine: Any, load: Any, upsert: Any, insert: Any) -> None:
        self._engine = engine
        dialect = engine.dialect
        self._load_sql, self._load_params, _ = self._compiled(load, dialect, None)
        self._upsert_sql, self._upsert_params, self._upsert_binds = self._compiled(upsert, dialect, _SESSION_KEYS)
        self._insert_sql, self._insert_params, self._insert_binds = self._compiled(insert, dialect, _TURN_KEYS)
        columns = _SessionRow.__table__.c
        self._state_out = columns.state.type.dialect_impl(dialect).result_processor(dialect, None)
        self._updated_out = columns.updated_at.type.dialect_impl(dialect).result_processor(dialect, None)

    @staticmethod
    def _compiled(statement: Any, dialect: Any, keys: tuple[str, ...] | None
                  ) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
        """SQL text with positional parameters for the columns ``keys`` (as SQLAlchemy compiles it when
        executed with those values), the parameters' names in order, and each one's bind processor (None:
        the value goes as it is)."""
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        names = tuple(compiled.positiontup or ())
        binds = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
        return compiled.string, names, binds

    @staticmethod
    def _values(names: tuple[str, ...], binds: tuple[Any, ...], values: dict[str, Any]) -> tuple[Any, ...]:
        # every value goes through its processor, None too (a JSON column stores None as 'null', as SQLAlchemy does)
        return tuple(values[n] if f is None else f(values[n]) for n, f in zip(names, binds))

    def load(self, key: str) -> tuple[Any, Any, int] | None:
        connection = self._engine.raw_connection()
        try:
            row = connection.cursor().execute(self._load_sql, (key,) * len(self._load_params)).fetchone()
        finally:
            connection.close()  # back to the pool
        if row is None:
            return None
        state, updated, count = row
        return (self._state_out(state) if self._state_out else state,
                self._updated_out(updated) if self._updated_out else updated, count)

    def save(self, session: dict[str, Any], turn: dict[str, Any]) -> None:
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self._upsert_sql, self._values(self._upsert_params, self._upsert_binds, session))
            cursor.execute(self._insert_sql, self._values(self._insert_params, self._insert_binds, turn))
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()


class _WriteLock:
    """One SQLite writer at a time: threads of this process queue on a lock, processes on an exclusive
    ``flock`` of ``<database>.write-lock`` (a flock belongs to the open file the threads share, hence
    both). The other worker's commit takes a fraction of a millisecond, so a busy lock is retried every
    0.1-1 ms - SQLite's own busy handler sleeps 1, 2, 5, 10 ... ms - and given up after ``timeout``
    seconds like SQLite's. Without a database file (in-memory SQLite) or ``fcntl`` (Windows) only the
    thread lock; SQLite's busy handler still applies under it."""

    def __init__(self, database: str | None, timeout: float) -> None:
        self._threads = threading.Lock()
        self._timeout = timeout
        self._fd: int | None = None
        if database and database != ":memory:" and not database.startswith("file:") and fcntl is not None:
            with contextlib.suppress(OSError):  # a read-only folder: SQLite's busy handler still applies
                self._fd = os.open(database + ".write-lock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        if not self._threads.acquire(timeout=self._timeout):
            raise OperationalError("write lock", None, Exception("database is locked"))
        if self._fd is None:
            return
        deadline, pause = time.monotonic() + self._timeout, 0.0001
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._threads.release()
                    raise OperationalError("write lock", None, Exception("database is locked")) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.001)
            except BaseException:
                self._threads.release()
                raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _sqlite_pragmas(dbapi_connection: Any, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after a crash and only a power cut can lose the last commits;
    # FULL would fsync on every turn, which costs more than the answer itself.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
