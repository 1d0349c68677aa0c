"""Fixtures shared by the assistant tests."""

import pytest

from assistant import Assistant, Settings


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    """The assistant over the bundled corpus with the default embedder, built once per test module
    (a module that needs other settings defines its own ``bot``)."""
    assistant = Assistant.from_settings(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="use"))
    assistant.index.build()
    return assistant
