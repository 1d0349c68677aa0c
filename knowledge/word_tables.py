"""jieba's dictionary and part-of-speech model as compact mapped tables, shared by every worker.

jieba keeps its dictionary as a Python dict of every word and every prefix of a word (498k entries,
about 66 MB in each process) and its part-of-speech tagger as a second word table plus an HMM held in
nested dicts (84 MB more). Here the same data sits in files built once (``knowledge.table_cache``):

- ``words.marisa``: a trie of the words (with their frequencies in ``freq.u32`` and tags in ``tag.u8``,
  indexed by the trie's key id). The trie answers "which words start here" in one call, which is what
  jieba's word graph asks one prefix at a time.
- ``hmm.*``: the tagger's HMM: states sorted, per character the states it may take and its emission
  row, the start and transition probabilities.

The tables are dumped from jieba's own objects (loaded with our lexicon, in the builder's process), and
the lookups reproduce jieba's segmentation and tags exactly: same words, same frequencies, same
tie-breaks (``tests/knowledge/test_word_tables.py`` compares them on the corpus and the eval questions).
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import jieba

from .table_cache import fingerprint, map_file, table_folder

TABLE_REVISION = "1"  # bump when the files' layout or their derivation changes
MIN_FLOAT = -3.14e100  # the HMM's "impossible" emission and jieba's value for it
MIN_INF = float("-inf")

# jieba's character classes (its posseg module): runs it segments, separators, numbers, Latin words.
_HAN_RUN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._]+)")
_SPACE = re.compile("(\r\n|\\s)")
_HAN_ONLY = re.compile("([\u4e00-\u9fd5]+)")
_NUMBER_OR_LATIN = re.compile("([.0-9]+|[a-zA-Z0-9]+)")
_LATIN = re.compile("[a-zA-Z0-9]+")
_NUMBER = re.compile("[.0-9]+")
_ONE_LATIN = re.compile("^[a-zA-Z0-9]$")


class Tagged(NamedTuple):
    """A word and its part of speech (``.word``/``.flag``, like jieba's ``pair``; unpacks as a tuple)."""

    word: str
    flag: str


def _lexicon_bytes() -> bytes:
    return b"".join(resources.files("knowledge").joinpath(name).read_bytes()
                    for name in ("lexicon/domain.txt", "lexicon/synonyms.txt"))


def tables_fingerprint() -> str:
    from importlib.metadata import version

    dictionary = Path(jieba.__file__).with_name("dict.txt")
    size = dictionary.stat().st_size if dictionary.exists() else -1
    return fingerprint(TABLE_REVISION, jieba.__version__, str(size), version("marisa-trie"), _lexicon_bytes())


def full_tokenizer() -> jieba.Tokenizer:
    """jieba's own tokenizer with our domain lexicon and the multi-character synonyms: what the tables are
    dumped from (the builder's process only)."""
    import logging

    from .lexical import _synonyms

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    lexicon = resources.files("knowledge").joinpath("lexicon/domain.txt")
    with resources.as_file(lexicon) as path:
        tok.load_userdict(str(path))
    for variant in _synonyms()[0]:  # multi-character synonyms must segment as one word to be folded
        if len(variant) > 1 and not variant.isascii():
            tok.add_word(variant, freq=50)
    return tok


def build(folder: str) -> None:
    """Dump jieba's tables (see the module docstring) into ``folder``. Runs in a child process."""
    import jieba.posseg as pseg
    import marisa_trie

    out = Path(folder)
    tok = full_tokenizer()
    tagger = pseg.POSTokenizer(tok)
    tagger.makesure_userdict_loaded()
    words = {w: f for w, f in tok.FREQ.items() if f}  # prefixes (frequency 0) are the trie's own business
    tags = tagger.word_tag_tab
    trie = marisa_trie.Trie(set(words) | set(tags))
    trie.save(str(out / "words.marisa"))
    tag_names = sorted(set(tags.values()) | {"x"})
    tag_id = {t: i for i, t in enumerate(tag_names)}
    freq = array("I", bytes(4 * len(trie)))
    tag = array("B", [tag_id["x"]]) * len(trie)
    for word, key in trie.iteritems():
        freq[key] = words.get(word, 0)
        tag[key] = tag_id[tags.get(word, "x")]
    (out / "freq.u32").write_bytes(freq.tobytes())
    (out / "tag.u8").write_bytes(tag.tobytes())
    longest = max(len(w) for w in trie.keys())
    # The HMM: states as sorted (BMES, tag) pairs, so comparing ids compares states as jieba does.
    states = sorted(pseg.trans_P)
    state_id = {s: i for i, s in enumerate(states)}
    chars = sorted(set(pseg.char_state_tab_P) | {c for row in pseg.emit_P.values() for c in row})
    offsets = array("I", [0])
    allowed = array("B")
    for ch in chars:
        allowed.extend(sorted(state_id[s] for s in pseg.char_state_tab_P.get(ch, ())))
        offsets.append(len(allowed))
    has_states = bytes(int(ch in pseg.char_state_tab_P) for ch in chars)
    emission = array("d", [MIN_FLOAT]) * (len(chars) * len(states))
    char_index = {c: i for i, c in enumerate(chars)}
    for state, row in pseg.emit_P.items():
        column = state_id[state]
        for ch, p in row.items():
            emission[char_index[ch] * len(states) + column] = p
    (out / "hmm.offsets.u32").write_bytes(offsets.tobytes())
    (out / "hmm.allowed.u8").write_bytes(allowed.tobytes() or b"\0")
    (out / "hmm.has_states.u8").write_bytes(has_states)
    (out / "hmm.emission.f64").write_bytes(emission.tobytes())
    meta = {"total": tok.total, "longest": longest, "tags": tag_names, "chars": "".join(chars),
            "states": [list(s) for s in states],
            "start": [pseg.start_P[s] for s in states],
            "trans": [{str(state_id[n]): p for n, p in pseg.trans_P[s].items()} for s in states]}
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))


class WordTables:
    """The mapped tables of one folder (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        import marisa_trie

        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        self.trie = marisa_trie.Trie()
        self.trie.mmap(str(folder / "words.marisa"))
        self._maps = {name: map_file(folder / name) for name in
                      ("freq.u32", "tag.u8", "hmm.offsets.u32", "hmm.allowed.u8", "hmm.has_states.u8",
                       "hmm.emission.f64")}
        self.freq = memoryview(self._maps["freq.u32"]).cast("I")
        self.tag = memoryview(self._maps["tag.u8"])
        self.total = meta["total"]
        self.longest = meta["longest"]
        self.tag_names: list[str] = meta["tags"]
        self.n_states = len(meta["states"])
        self.state_tags: list[str] = [tag for _, tag in meta["states"]]
        self.state_bmes: list[str] = [bmes for bmes, _ in meta["states"]]
        self.start: list[float] = meta["start"]
        self.trans: list[dict[int, float]] = [{int(k): v for k, v in row.items()} for row in meta["trans"]]
        self.char_id = {ch: i for i, ch in enumerate(meta["chars"])}
        self._offsets = memoryview(self._maps["hmm.offsets.u32"]).cast("I")
        self._allowed = memoryview(self._maps["hmm.allowed.u8"])
        self._has_states = memoryview(self._maps["hmm.has_states.u8"])
        self._emission = memoryview(self._maps["hmm.emission.f64"]).cast("d")
        self._impossible = [MIN_FLOAT] * self.n_states

    def frequency(self, word: str) -> int | None:
        key = self.trie.get(word)
        return None if key is None else self.freq[key]

    def word_tag(self, word: str, default: str = "x") -> str:
        key = self.trie.get(word)
        return default if key is None else self.tag_names[self.tag[key]]

    def emission_row(self, ch: str) -> list[float]:
        cid = self.char_id.get(ch)
        if cid is None:
            return self._impossible
        return self._emission[cid * self.n_states:(cid + 1) * self.n_states].tolist()

    def states_of(self, ch: str) -> tuple[int, ...] | None:
        """The states a character may take, or None for "any" (a character the model has no entry for)."""
        cid = self.char_id.get(ch)
        if cid is None or not self._has_states[cid]:
            return None
        return tuple(self._allowed[self._offsets[cid]:self._offsets[cid + 1]])


class Frequencies:
    """The word -> frequency lookups jieba's callers make (``get``, ``in``, ``[]``) over the mapped tables.
    A word's prefixes are not entries (jieba stores them with frequency 0): ``get`` gives None for them."""

    def __init__(self, tables: WordTables) -> None:
        self._tables = tables

    def get(self, word: str, default: int | None = None) -> int | None:
        found = self._tables.frequency(word)
        return default if found is None else found

    def __getitem__(self, word: str) -> int:
        found = self._tables.frequency(word)
        if found is None:
            raise KeyError(word)
        return found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._tables.frequency(word) is not None

    def __len__(self) -> int:
        return len(self._tables.trie)


class WordTags:
    """word -> part-of-speech tag (``get``, ``[]``, ``in``), jieba's ``word_tag_tab`` over the mapped tables."""

    def __init__(self, tables: WordTables) -> None:
        self._tables = tables

    def get(self, word: str, default: str | None = None) -> str | None:
        return default if self._tables.trie.get(word) is None else self._tables.word_tag(word)

    def __getitem__(self, word: str) -> str:
        if self._tables.trie.get(word) is None:
            raise KeyError(word)
        return self._tables.word_tag(word)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._tables.trie.get(word) is not None


BLOCK_CACHE = 20000  # blocks kept per process: about 5 MB


class CompactTokenizer(jieba.Tokenizer):
    """jieba's tokenizer reading the mapped tables instead of a dict of every word and prefix. Everything
    but the two dictionary lookups (the word graph and its best path) is jieba's own code."""

    def __init__(self, tables: WordTables) -> None:
        super().__init__()
        self.tables = tables
        self.FREQ = Frequencies(tables)
        self.total = tables.total
        self.initialized = True
        # jieba cuts a text block by block (runs of Han, Latin and digits between spaces and punctuation), and
        # a block's words depend on the block alone: a block seen before is not searched again. Passages
        # repeat their blocks across chunks (notes, menu lines, a rule restated) and across questions (the
        # same best passages); the evidence stage segments the passages it quotes on every question.
        self._cut_block = lru_cache(maxsize=BLOCK_CACHE)(self._search_block)

    def _search_block(self, block: str) -> tuple[str, ...]:
        return tuple(jieba.Tokenizer._Tokenizer__cut_DAG(self, block))

    def _Tokenizer__cut_DAG(self, sentence: str):  # noqa: N802 - the name jieba's cut() calls (mangled)
        return iter(self._cut_block(sentence))

    def add_word(self, word, freq=None, tag=None):  # noqa: ANN001 - jieba's signature
        raise NotImplementedError("the tables are built from knowledge/lexicon; add words there")

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:  # noqa: N802 - jieba's name
        """For each position, the last index of every dictionary word starting there (itself if none)."""
        prefixes = self.tables.trie.iter_prefixes_with_ids
        freq = self.tables.freq
        longest = self.tables.longest
        graph = {}
        for start in range(len(sentence)):
            ends = [start + len(word) - 1 for word, key in prefixes(sentence[start:start + longest]) if freq[key]]
            graph[start] = ends or [start]
        return graph

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict) -> None:  # noqa: N803
        """The most probable path through the word graph, right to left (log frequencies over the total)."""
        frequency = self.tables.frequency
        log_total = math.log(self.total)
        n = len(sentence)
        route[n] = (0, 0)
        for start in range(n - 1, -1, -1):
            route[start] = max((math.log(frequency(sentence[start:end + 1]) or 1) - log_total + route[end + 1][0], end)
                               for end in DAG[start])


class CompactPOSTokenizer:
    """jieba's part-of-speech tagging (``posseg``) over the shared tokenizer and the mapped tables: dictionary
    words take their dictionary tag; runs the dictionary does not know are cut and tagged by the HMM."""

    def __init__(self, tokenizer: CompactTokenizer) -> None:
        self.tokenizer = tokenizer
        self.tables = tokenizer.tables

    def lcut(self, sentence: str, HMM: bool = True) -> list[Tagged]:  # noqa: N803 - jieba's keyword
        return list(self.cut(sentence, HMM=HMM))

    def cut(self, sentence: str, HMM: bool = True) -> Iterator[Tagged]:  # noqa: N803
        for block in _HAN_RUN.split(sentence):
            if _HAN_RUN.match(block):
                yield from (self._with_hmm(block) if HMM else self._without_hmm(block))
                continue
            for piece in _SPACE.split(block):
                if _SPACE.match(piece):
                    yield Tagged(piece, "x")
                    continue
                for ch in piece:
                    if _NUMBER.match(ch):
                        yield Tagged(ch, "m")
                    elif _LATIN.match(piece):  # jieba tests the piece here, not the character
                        yield Tagged(ch, "eng")
                    else:
                        yield Tagged(ch, "x")

    def _route(self, text: str) -> dict:
        route: dict = {}
        self.tokenizer.calc(text, self.tokenizer.get_DAG(text), route)
        return route

    def _without_hmm(self, text: str) -> Iterator[Tagged]:
        route = self._route(text)
        tag = self.tables.word_tag
        latin = ""
        i = 0
        while i < len(text):
            end = route[i][1] + 1
            word = text[i:end]
            if _ONE_LATIN.match(word):
                latin += word
            else:
                if latin:
                    yield Tagged(latin, "eng")
                    latin = ""
                yield Tagged(word, tag(word))
            i = end
        if latin:
            yield Tagged(latin, "eng")

    def _with_hmm(self, text: str) -> Iterator[Tagged]:
        route = self._route(text)
        tag = self.tables.word_tag
        run = ""  # consecutive single characters: a word the dictionary lacks, if anything
        i = 0
        while i < len(text):
            end = route[i][1] + 1
            word = text[i:end]
            if end - i == 1:
                run += word
            else:
                if run:
                    yield from self._unknown_run(run)
                    run = ""
                yield Tagged(word, tag(word))
            i = end
        if run:
            yield from self._unknown_run(run)

    def _unknown_run(self, run: str) -> Iterator[Tagged]:
        tag = self.tables.word_tag
        if len(run) == 1:
            yield Tagged(run, tag(run))
        elif not self.tables.frequency(run):
            yield from self._detail(run)
        else:
            for ch in run:
                yield Tagged(ch, tag(ch))

    def _detail(self, run: str) -> Iterator[Tagged]:
        for block in _HAN_ONLY.split(run):
            if _HAN_ONLY.match(block):
                yield from self._hmm_cut(block)
                continue
            for piece in _NUMBER_OR_LATIN.split(block):
                if piece:
                    yield Tagged(piece, "m" if _NUMBER.match(piece) else "eng" if _LATIN.match(piece) else "x")

    def _hmm_cut(self, text: str) -> Iterator[Tagged]:
        states = self._viterbi(text)
        bmes, tags = self.tables.state_bmes, self.tables.state_tags
        begin = following = 0
        for i, ch in enumerate(text):
            kind = bmes[states[i]]
            if kind == "B":
                begin = i
            elif kind == "E":
                yield Tagged(text[begin:i + 1], tags[states[i]])
                following = i + 1
            elif kind == "S":
                yield Tagged(ch, tags[states[i]])
                following = i + 1
        if following < len(text):
            yield Tagged(text[following:], tags[states[following]])

    def _viterbi(self, text: str) -> list[int]:
        """The most probable state of each character. Ties go to the larger state, as in jieba (which takes
        the max of (probability, state) pairs; state ids are in the states' sort order)."""
        t = self.tables
        everything = range(t.n_states)
        row = t.emission_row(text[0])
        score = {y: t.start[y] + row[y] for y in (t.states_of(text[0]) or everything)}
        back: list[dict[int, int]] = [dict.fromkeys(score, -1)]
        for ch in text[1:]:
            before = [x for x in score if t.trans[x]]
            reachable = {y for x in before for y in t.trans[x]}
            candidates = set(t.states_of(ch) or everything) & reachable
            if not candidates:
                candidates = reachable or set(everything)
            row = t.emission_row(ch)
            now: dict[int, int] = {}
            step: dict[int, float] = {}
            for y in candidates:
                emit = row[y]
                step[y], now[y] = max((score[x] + t.trans[x].get(y, MIN_INF) + emit, x) for x in before)
            score = step
            back.append(now)
        _, state = max((p, y) for y, p in score.items())
        path = [0] * len(text)
        for i in range(len(text) - 1, -1, -1):
            path[i] = state
            state = back[i][state]
        return path


@lru_cache(maxsize=1)
def tables() -> WordTables:
    return WordTables(table_folder("jieba", tables_fingerprint(), "knowledge.word_tables:build"))


def ensure_built() -> Path:
    """Build the tables now if they are missing (the index build calls this, so serving never waits)."""
    return table_folder("jieba", tables_fingerprint(), "knowledge.word_tables:build")

