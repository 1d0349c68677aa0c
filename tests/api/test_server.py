"""Helpers the server, its tests and the load bench share."""

import time

from api.server import free_port, wait_ready


def test_waiting_for_a_server_that_never_comes_gives_up_after_the_timeout():
    started = time.monotonic()
    assert wait_ready(f"http://127.0.0.1:{free_port()}", timeout=1.0) is False
    assert time.monotonic() - started < 5  # it stopped polling, it did not hang on one request


# ---- the supervisor's dispatcher: each accepted connection goes to the next ready worker -----------------

import socket  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402

from api.server import _READY, _Dispatcher  # noqa: E402


@pytest.fixture
def dispatcher():
    listener = socket.create_server(("127.0.0.1", 0))
    d = _Dispatcher(listener)
    thread = threading.Thread(target=d.run, daemon=True)
    thread.start()
    yield d, listener.getsockname()[1]
    d.close()
    thread.join(timeout=5)
    listener.close()


def _worker(d: _Dispatcher) -> socket.socket:
    """A stand-in worker: the child's end of its channel (what a spawned worker would receive)."""
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    d.join(parent_end)
    child_end.settimeout(10)
    return child_end


def _until(condition) -> None:
    for _ in range(1000):  # the dispatcher's thread handles the message; a bound, not a timing assertion
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the dispatcher did not get there")


def _received(channel: socket.socket, n: int) -> list[socket.socket]:
    out = []
    for _ in range(n):
        _, fds, _, _ = socket.recv_fds(channel, 16, 4)
        out.extend(socket.socket(fileno=fd) for fd in fds)
    return out


def _pending(channel: socket.socket) -> int:
    channel.setblocking(False)
    count = 0
    try:
        while True:
            _, fds, _, _ = socket.recv_fds(channel, 16, 4)
            for fd in fds:
                socket.socket(fileno=fd).close()
            count += len(fds)
    except BlockingIOError:
        return count
    finally:
        channel.settimeout(10)


def test_connections_opened_at_once_are_split_evenly_between_ready_workers(dispatcher):
    """One shared listening socket gave 8+0, per-worker SO_REUSEPORT sockets 7+1 (a hash of addresses):
    the dispatcher hands connections out in turn, so 8 keep-alive connections are 4+4."""
    d, port = dispatcher
    a, b = _worker(d), _worker(d)
    a.send(_READY)
    b.send(_READY)
    _until(lambda: len(d._ready) == 2)
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    got_a, got_b = _received(a, 4), _received(b, 4)
    _until(lambda: d.handed == 8)
    assert _pending(a) == 0 and _pending(b) == 0  # exactly four each
    # what a worker receives is the client's connection: bytes flow both ways
    clients[0].sendall(b"ping")
    reached = [s for s in got_a + got_b if s.getpeername() == clients[0].getsockname()]
    assert len(reached) == 1 and reached[0].recv(4) == b"ping"
    for s in clients + got_a + got_b:
        s.close()


def test_a_worker_gets_connections_only_once_it_is_ready_and_none_after_it_exits(dispatcher):
    d, port = dispatcher
    warm, cold = _worker(d), _worker(d)
    warm.send(_READY)
    _until(lambda: len(d._ready) == 1)
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    assert len(_received(warm, 3)) == 3
    _until(lambda: d.handed == 3)
    assert _pending(cold) == 0  # still warming up: nothing handed to it
    cold.send(_READY)
    _until(lambda: len(d._ready) == 2)
    warm.close()  # the worker exits: its end closes
    _until(lambda: len(d._ready) == 1)
    clients += [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    assert len(_received(cold, 2)) == 2
    for s in clients:
        s.close()


def test_without_a_ready_worker_connections_wait_in_the_backlog(dispatcher):
    d, port = dispatcher
    client = socket.create_connection(("127.0.0.1", port))  # the kernel completes it; nobody takes it yet
    late = _worker(d)
    late.send(_READY)
    got = _received(late, 1)  # handed on once a worker is ready, not dropped
    client.sendall(b"x")
    assert got[0].recv(1) == b"x"
    client.close()
    got[0].close()


def test_a_worker_that_dies_during_a_hand_off_leaves_once_and_the_next_worker_gets_the_connection():
    """The hand-off to a dead worker fails: it leaves the rotation and the connection goes to the next
    worker. Its end-of-file, read in the same round, must not take the dispatcher down."""
    import selectors

    listener = socket.create_server(("127.0.0.1", 0))
    d = _Dispatcher(listener)
    (dead_parent, dead_child), (alive_parent, alive_child) = (
        socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(2))
    try:
        for parent_end in (dead_parent, alive_parent):
            parent_end.setblocking(False)
            d._selector.register(parent_end, selectors.EVENT_READ, "worker")
        d._ready = [dead_parent, alive_parent]  # both ready, the dead one next in turn
        dead_child.close()  # the worker died
        client = socket.create_connection(listener.getsockname())
        connection, _ = listener.accept()
        with connection:
            d._hand(connection)
        assert d._ready == [alive_parent]
        d._hear(dead_parent)  # its end-of-file, in the same round: nothing raised, nothing changed
        assert d._ready == [alive_parent]
        alive_child.settimeout(10)
        (handed,) = _received(alive_child, 1)
        client.sendall(b"x")
        assert handed.recv(1) == b"x"
        handed.close()
        client.close()
    finally:
        alive_child.close()
        d.close()
        listener.close()
