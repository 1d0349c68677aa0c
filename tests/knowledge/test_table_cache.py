"""Derived tables: built once per fingerprint in a child process, renamed into place whole, errors named."""

import pytest

from knowledge.table_cache import TableBuildError, cache_root, table_folder


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNER_ASSISTANT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_table_is_built_once_per_fingerprint(cache):
    first = table_folder("probe", "aaaa", "json:dumps")  # a builder that writes nothing: an empty table
    assert cache_root() == cache and first == cache / "probe-aaaa" and (first / "complete").read_text() == "aaaa"
    stamp = (first / "complete").stat().st_mtime_ns
    assert table_folder("probe", "aaaa", "no.such.module:build") == first  # present: the builder never runs
    assert (first / "complete").stat().st_mtime_ns == stamp
    assert table_folder("probe", "bbbb", "json:dumps") == cache / "probe-bbbb"


def test_a_failed_build_names_the_cause_and_leaves_nothing(cache):
    with pytest.raises(TableBuildError, match="no.such.module"):
        table_folder("probe", "cccc", "no.such.module:build")
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == []
