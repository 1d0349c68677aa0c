"""Fixtures shared by the assistant tests."""

import pytest

from assistant import Assistant, Settings
from knowledge import DEFAULT_CORPUS


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    """The assistant over the bundled corpus with the default embedder, built once per test module
    (a module that needs other settings defines its own ``bot``)."""
    assistant = Assistant.from_settings(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="use"))
    assistant.index.build()
    return assistant


def bot_with_extra(tmp_path_factory, name: str, text: str) -> Assistant:
    """The assistant over the bundled corpus plus one extra document ``name`` holding ``text`` (excerpts a
    test writes in its own words), with the default embedder."""
    root = tmp_path_factory.mktemp(name.split(".")[0])
    extra = root / name
    extra.write_text(text, encoding="utf-8")
    assistant = Assistant.from_settings(Settings(data_dir=root / "data", embedder="use"))
    assistant.index.build([DEFAULT_CORPUS, extra])
    return assistant
