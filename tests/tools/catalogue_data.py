"""Catalogue rows as the index reads them at build time, for the catalogue tools' tests (bundled and extended)."""

from functools import lru_cache
from pathlib import Path

from knowledge import DEFAULT_CORPUS
from knowledge.catalogue import build_catalogue
from knowledge.chunking import build_chunks
from knowledge.loaders import load_paths

EXTENDED = Path(__file__).parents[2] / "evals" / "corpus_extended"


@lru_cache(maxsize=2)
def catalogue(extended: bool = False) -> dict:
    paths = [DEFAULT_CORPUS] + (sorted(p for p in EXTENDED.iterdir() if "_" in p.name) if extended else [])
    return build_catalogue(build_chunks(load_paths(paths))).model_dump()


def codes(extended: bool = False) -> list[dict]:
    return catalogue(extended)["codes"]


def menus(extended: bool = False) -> list[dict]:
    return catalogue(extended)["menus"]
