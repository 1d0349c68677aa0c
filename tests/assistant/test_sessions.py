"""Session storage against real databases: SQLite files and a PostgreSQL server."""

import multiprocessing
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from assistant.sessions import (InvalidSessionIdError, SessionExpiredError, SessionStore, SessionStoreError)

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def test_state_survives_a_new_store_on_the_same_database(db_url):
    sid = SessionStore(db_url).new_id()
    store = SessionStore(db_url)
    store.save_turn(sid, T0, "伙伴账单什么时候出?", "哪个月?", {"a": 1},
                    pending={"tool": "bill_timing", "carried": {"timezone": "Asia/Tokyo"}, "missing": "period"},
                    last=None)
    other = SessionStore(db_url)  # another worker process would open its own
    state = other.load(sid, T0 + timedelta(minutes=5))
    assert state.pending == {"tool": "bill_timing", "carried": {"timezone": "Asia/Tokyo"}, "missing": "period"}
    assert state.turns == 1
    other.save_turn(sid, T0 + timedelta(minutes=6), "8月的", "…", {}, pending=None,
                    last={"tool": "bill_timing", "carried": {"billing_period": "2026-08"}})
    state = store.load(sid, T0 + timedelta(minutes=7))
    assert state.pending is None and state.last["carried"] == {"billing_period": "2026-08"} and state.turns == 2
    assert [h["message"] for h in store.history(sid)] == ["伙伴账单什么时候出?", "8月的"]


def test_a_turns_documents_are_stored_as_json_objects_and_read_back_equal(db_url):
    """The state and payload are serialised once before the write lock and stored as written: objects in the
    database (not a JSON string holding a document), values JSON lacks stored as their text."""
    from sqlalchemy import create_engine, text

    store = SessionStore(db_url)
    sid = store.new_id()
    payload = {"answer": "账期 2026-08", "citations": [{"chunk_id": "c1", "score": 0.5}], "at": T0, "none": None}
    store.save_turn(sid, T0, "8月的", "…", payload, pending={"tool": "t", "carried": {"n": 1.25}, "missing": "m"},
                    last=None, dialogue={"facts": {"timezone": "Asia/Tokyo"}})
    expected = {**payload, "at": str(T0)}
    assert store.history(sid)[0]["payload"] == expected
    state = store.load(sid, T0)
    assert state.pending == {"tool": "t", "carried": {"n": 1.25}, "missing": "m"} and state.last is None
    engine = create_engine(db_url)
    try:
        with engine.connect() as db:
            of = "json_type({0})" if db_url.startswith("sqlite") else "json_typeof({0}::json)"
            kinds = db.execute(text(f"SELECT {of.format('payload')}, {of.format('state')} FROM chat_turns JOIN "
                                    "chat_sessions ON chat_sessions.id = chat_turns.session_id WHERE "
                                    "chat_sessions.id = :sid"), {"sid": sid}).all()
    finally:
        engine.dispose()
    assert kinds == [("object", "object")]


def test_unknown_session_starts_fresh_and_expired_one_is_an_error(db_url):
    store = SessionStore(db_url, ttl=timedelta(hours=1))
    fresh = store.load("never-seen", T0)
    assert fresh.pending is None and fresh.turns == 0
    sid = store.new_id()
    store.save_turn(sid, T0, "q", "a", {}, None, None)
    store.load(sid, T0 + timedelta(minutes=59))
    with pytest.raises(SessionExpiredError, match="expired"):
        store.load(sid, T0 + timedelta(hours=1, minutes=1))


@pytest.mark.parametrize("bad", ["", "x" * 65, "a b", "../etc", "会话"])
def test_session_ids_are_validated(db_url, bad):
    with pytest.raises(InvalidSessionIdError, match="session_id must be"):
        SessionStore(db_url).load(bad, T0)


def _worker(args):
    url, sid, worker, turns = args
    store = SessionStore(url)
    for n in range(turns):
        store.save_turn(sid, T0 + timedelta(seconds=n), f"w{worker}-{n}", "a", {}, None, {"tool": "x", "carried": {}})
    return worker


def test_concurrent_writers_from_several_processes_lose_nothing(db_url):
    store = SessionStore(db_url)
    sid = store.new_id()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(6) as pool:
        done = pool.map(_worker, [(db_url, sid, w, 25) for w in range(6)])
    assert sorted(done) == list(range(6))
    messages = [h["message"] for h in store.history(sid)]
    assert len(messages) == 150 and len(set(messages)) == 150


def test_corrupt_sqlite_file_is_a_clear_error(tmp_path):
    path = tmp_path / "sessions.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(SessionStoreError, match="corrupt or not a database"):
        SessionStore(f"sqlite:///{path}")


def test_locked_sqlite_database_is_a_clear_error_and_nothing_is_half_written(tmp_path):
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    store = SessionStore(url, lock_timeout=0.3)
    sid = store.new_id()
    store.save_turn(sid, T0, "first", "a", {}, None, None)
    holder = sqlite3.connect(tmp_path / "sessions.db", timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SessionStoreError, match="locked"):
            store.save_turn(sid, T0, "second", "a", {}, {"tool": "t", "carried": {}, "missing": "m"}, None)
    finally:
        holder.rollback()
        holder.close()
    state = store.load(sid, T0)
    assert state.turns == 1 and state.pending is None  # the failed turn left no trace


def test_a_worker_holding_the_write_lock_makes_others_wait_then_give_up_clearly(tmp_path):
    """Workers queue on a file lock beside the database (not on SQLite's sleeping busy handler): a
    writer waits while another process holds it, succeeds once it is released, and past the lock
    timeout fails as 'locked' with nothing written."""
    import fcntl
    import threading

    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    store = SessionStore(url, lock_timeout=0.3)
    sid = store.new_id()
    lock_path = tmp_path / "sessions.db.write-lock"
    assert lock_path.exists()
    holder = open(lock_path, "a+")  # another open file: as another worker process holds it
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(SessionStoreError, match="locked"):
            store.save_turn(sid, T0, "first", "a", {}, None, None)
        assert store.load(sid, T0).turns == 0
        threading.Timer(0.1, lambda: fcntl.flock(holder, fcntl.LOCK_UN)).start()
        store.save_turn(sid, T0, "second", "a", {}, None, None)  # waits for the release, then writes
    finally:
        holder.close()
    assert store.load(sid, T0).turns == 1


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(SessionStoreError, match="session database"):
        SessionStore("postgresql+psycopg://nobody@127.0.0.1:1/none").load("abc", T0)


def test_expiry_is_measured_in_absolute_time_whatever_the_offsets(db_url):
    from zoneinfo import ZoneInfo

    store = SessionStore(db_url, ttl=timedelta(hours=1))
    sid = store.new_id()
    beijing = datetime(2026, 11, 27, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 17:00 UTC the day before
    store.save_turn(sid, beijing, "q", "a", {}, None, None)
    store.load(sid, beijing.astimezone(ZoneInfo("America/Los_Angeles")) + timedelta(minutes=30))
    with pytest.raises(SessionExpiredError):
        store.load(sid, datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_a_database_from_an_older_schema_is_a_clear_error(tmp_path):
    import sqlite3 as _sqlite3

    path = tmp_path / "old.db"
    with _sqlite3.connect(path) as db:
        db.execute("CREATE TABLE chat_turns (id INTEGER PRIMARY KEY, session_id TEXT, message TEXT)")
    with pytest.raises(SessionStoreError, match="lacks .*older version"):
        SessionStore(f"sqlite:///{path}")


def _open_store(url):
    SessionStore(url).load("probe", T0)
    return True


def test_workers_opening_a_new_sqlite_file_together_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(6) as pool:
        assert pool.map(_open_store, [url] * 6) == [True] * 6


def test_a_database_from_before_session_owners_gains_the_new_columns(db_url):
    """Databases made before sessions had owners and titles keep working (columns added in place)."""
    import uuid

    from sqlalchemy import create_engine, text

    serial = "INTEGER"
    if db_url.startswith("postgresql"):  # a database of its own: the server is shared with other tests
        name = "legacy_" + uuid.uuid4().hex[:8]
        with create_engine(db_url, isolation_level="AUTOCOMMIT").connect() as admin:
            admin.execute(text(f"CREATE DATABASE {name}"))
        db_url, serial = db_url.rsplit("/", 1)[0] + "/" + name, "SERIAL"
    engine = create_engine(db_url)
    with engine.begin() as db:
        db.execute(text("CREATE TABLE chat_sessions (id VARCHAR(64) PRIMARY KEY, created_at TIMESTAMP, "
                        "updated_at TIMESTAMP, state JSON)"))
        db.execute(text(f"CREATE TABLE chat_turns (id {serial} PRIMARY KEY, session_id VARCHAR(64) REFERENCES "
                        "chat_sessions(id) ON DELETE CASCADE, answer_id VARCHAR(64) UNIQUE, created_at TIMESTAMP, "
                        "message TEXT, answer TEXT, payload JSON)"))
        db.execute(text("INSERT INTO chat_sessions VALUES ('legacy', '2026-11-27 01:00:00', '2026-11-27 01:00:00', "
                        "'{}')"))
    engine.dispose()
    store = SessionStore(db_url)
    assert store.load("legacy", T0).turns == 0
    store.save_turn("new-one", T0, "伙伴账单\n什么时候出?", "a", {"answer": "a"}, None, None, owner="key:x")
    listed = store.sessions("key:x")
    assert [(s.session_id, s.title, s.turn_count) for s in listed] == [("new-one", "伙伴账单 什么时候出?", 1)]
    assert store.sessions("key:y") == []
    SessionStore(db_url)  # opening again (another worker) finds the columns in place


def test_owners_hold_separate_sessions_under_the_same_id(db_url):
    from assistant.sessions import SessionNotFoundError

    store = SessionStore(db_url)
    sid = store.new_id()
    store.save_turn(sid, T0, "q1", "a", {}, {"tool": "bill_timing", "carried": {"timezone": "Asia/Tokyo"},
                                             "missing": "period"}, None, owner="key:a")
    assert store.load(sid, T0, owner="key:b").pending is None
    assert store.load(sid, T0, owner="key:a").pending["carried"] == {"timezone": "Asia/Tokyo"}
    with pytest.raises(SessionNotFoundError):
        store.session("key:b", sid)
    with pytest.raises(SessionNotFoundError):
        store.delete("key:b", sid)
    assert store.session("key:a", sid).turns[0].message == "q1"
    store.delete("key:a", sid)
    assert store.sessions("key:a") == []


def test_warm_up_compiles_the_turn_statements_and_writes_nothing(db_url):
    store = SessionStore(db_url)
    sid = store.new_id()
    store.save_turn(sid, T0, "first", "a", {}, None, None)
    # Sessions without an owner, as warm-up's would be. The PostgreSQL database is shared by the whole test
    # run, so compare with what was there before rather than expecting this test's session alone.
    before = {x.session_id for x in store.sessions(None)}
    assert sid in before
    store.warm_up()
    store.warm_up()
    assert {x.session_id for x in store.sessions(None)} == before
    assert store.load(sid, T0).turns == 1
    store.save_turn(sid, T0, "second", "a", {}, None, None)  # the compiled statements still write
    assert store.load(sid, T0).turns == 2


def test_sqlite_turns_written_directly_are_the_rows_sqlalchemy_writes(tmp_path):
    """On SQLite a turn is loaded and saved on the driver's connection, past SQLAlchemy's execution layer:
    the rows must be exactly what the engine path writes (dates, JSON text, NULLs, the upsert keeping the
    first title and owner) and read back the same."""
    direct = SessionStore(f"sqlite:///{tmp_path / 'direct.db'}")
    engine = SessionStore(f"sqlite:///{tmp_path / 'engine.db'}")
    engine._direct = None  # the generic path (as on PostgreSQL)
    assert direct._direct is not None
    turns = [("伙伴账单什么时候出?" * 10, "哪个月?", {"citations": [{"chunk_id": "c1", "score": 0.5}], "at": T0},
              {"tool": "bill_timing", "carried": {"timezone": "Asia/Tokyo"}, "missing": "period"}, None, "a1",
              {"facts": {"n": 1.25}}),
             ("8月的", "…", {}, None, {"tool": "bill_timing", "carried": {"billing_period": "2026-08"}}, None, None)]
    for store in (direct, engine):
        for i, (message, answer, payload, pending, last, answer_id, dialogue) in enumerate(turns):
            at = T0 + timedelta(minutes=i, microseconds=123456 * i)
            store.save_turn("s1", at.astimezone(timezone(timedelta(hours=9))), message, answer, payload, pending,
                            last, answer_id, owner="key:abc", dialogue=dialogue)
        store.save_turn("s2", T0, "no owner", "x", {"k": None}, None, None)

    def rows(name: str) -> list[tuple]:
        with sqlite3.connect(tmp_path / name) as db:
            return [db.execute("SELECT * FROM chat_sessions ORDER BY id").fetchall(),
                    db.execute("SELECT * FROM chat_turns ORDER BY id").fetchall()]

    assert rows("direct.db") == rows("engine.db")
    for key, owner in (("s1", "key:abc"), ("s2", None), ("never", None)):
        ours, theirs = direct.load(key, T0, owner), engine.load(key, T0, owner)
        assert (ours.pending, ours.last, ours.dialogue, ours.turns) == (theirs.pending, theirs.last, theirs.dialogue,
                                                                        theirs.turns)
    assert direct.history("s1", "key:abc") == engine.history("s1", "key:abc")
    with pytest.raises(SessionExpiredError):
        direct.load("s2", T0 + timedelta(days=2))
