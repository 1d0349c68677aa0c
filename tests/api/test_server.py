"""Helpers the server, its tests and the load bench share."""

import time

from api.server import free_port, wait_ready


def test_waiting_for_a_server_that_never_comes_gives_up_after_the_timeout():
    started = time.monotonic()
    assert wait_ready(f"http://127.0.0.1:{free_port()}", timeout=1.0) is False
    assert time.monotonic() - started < 5  # it stopped polling, it did not hang on one request
