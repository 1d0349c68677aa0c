"""Lexical retrieval: BM25 over jieba tokens with a domain lexicon and synonym folding.

Traditional Chinese is folded to Simplified, English terms from the glossary fold onto their
Chinese canonical term, so "invoice", "開票" and "发票" all match the same postings.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from functools import lru_cache
from importlib import resources

import numpy as np

STOP_WORDS = frozenset(
    "的 了 是 在 和 与 或 及 吗 呢 吧 啊 呀 么 嘛 我 你 您 他 她 它 我们 你们 他们 这 那 哪 个 些 能 能否 可以 可 会 要 "
    "想 请问 请 一下 怎么 怎样 如何 什么 为什么 多少 几 有 没有 没 不 也 都 就 还 被 把 给 对 从 到 时 时候 "
    "a an the is are was were be been do does did can could should would will i you we they it this that "
    "of to in on for at by with from as or and not no my our your how what when where which who why if "
    "? ? , , 。 . ! ! : : ; ; ( ) ( ) “ ” \" ' 、 - > < / [ ] 【 】".split()
)
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9.+\-]*")
# A status code in an HTTP context (HTTP 503, 返回404), or a family named by its first digit near a
# code word (4开头的错误码, 5打头的状态码).
_HTTP_STATUS = re.compile(
    r"(?:http|status|状态码|错误码|error|code|返回|return)\D{0,12}?(?<!\d)([45])\d\d(?!\d)|"
    r"(?<!\d)([45])(?:开头|打头|字头)(?=.{0,8}?(?:状态码|错误码|错误|报错|码))")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


@lru_cache(maxsize=1)
def _synonyms() -> tuple[dict[str, str], re.Pattern[str] | None, dict[str, str]]:
    """Variant -> canonical term, and one pattern for the multi-word English variants."""
    text = resources.files("knowledge").joinpath("lexicon/synonyms.txt").read_text("utf-8")
    fold: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, *variants = line.split()
        for variant in variants:
            fold[variant.lower()] = canonical
            if "-" in variant:
                phrases[variant.replace("-", " ").lower()] = canonical
    if not phrases:
        return fold, None, phrases
    # Longest first, so "partner bill" wins over "partner"; ASCII word boundaries on both sides.
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    pattern = re.compile(rf"(?<![a-z0-9])({alternatives})(?:e?s)?(?![a-z0-9])")  # "payment requests" too
    return fold, pattern, phrases


def fold_english_phrases(text: str) -> str:
    """``text`` with the glossary's multi-word English terms ("stored-value card", "account manager") written as
    their Chinese canonical term: a code-switched Chinese message reads as Chinese to the detail readers."""
    pattern, phrases = _phrase_pattern()
    if pattern is None:
        return text
    return pattern.sub(lambda m: phrases.get(re.sub(r"[\s-]+", " ", m.group(1).lower()), m.group(0)), text)


@lru_cache(maxsize=1)
def _phrase_pattern() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    _, pattern, phrases = _synonyms()
    if pattern is None:
        return None, phrases
    # a space in a phrase may be written as a hyphen too ("stored-value card")
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"[\s-]+")
                            for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])({alternatives})(?:e?s)?(?![a-z0-9])", re.I), \
        {re.sub(r"[\s-]+", " ", k): v for k, v in phrases.items()}


@lru_cache(maxsize=1)
def _slip_keys() -> dict[str, frozenset[str]]:
    """The glossary's ASCII words (4 letters or more) under the keys one edit reaches them by: each word
    with one letter masked (a substitution), each word with one letter dropped (the word typed without
    it), and the word itself (a word typed with one letter too many drops to it)."""
    keys: dict[str, set[str]] = {}
    for known in _synonyms()[0]:
        if known.isascii() and len(known) >= 4:
            for i in range(len(known)):
                keys.setdefault("\0" + known[:i] + "\1" + known[i + 1:], set()).add(known)
                keys.setdefault("\2" + known[:i] + known[i + 1:], set()).add(known)
            keys.setdefault("\2" + known, set()).add(known)
    return {key: frozenset(words) for key, words in keys.items()}


@lru_cache(maxsize=4096)
def _english_slip(word: str) -> str | None:
    """A glossary word one edit away ("bil" -> "bill", "generatd" -> "generated"), if exactly one.

    Looked up by the keys of ``_slip_keys`` (a few dict probes per word, where a scan of the glossary per
    unseen word was a fifth of an index build's segmentation time at 100k chunks); ``_one_edit`` confirms
    each candidate, so the answer is the scan's."""
    keys = _slip_keys()
    candidates: set[str] = set()
    for i in range(len(word)):
        candidates |= keys.get("\0" + word[:i] + "\1" + word[i + 1:], frozenset())  # one letter changed
        candidates |= keys.get("\2" + word[:i] + word[i + 1:], frozenset())  # one letter too many
    candidates |= keys.get("\2" + word, frozenset())  # one letter missing
    found = {known for known in candidates if abs(len(known) - len(word)) <= 1 and _one_edit(word, known)}
    return found.pop() if len(found) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


TOKENIZER_REVISION = "6"  # bump when tokenize() changes behaviour; the lexicon files are hashed too


@lru_cache(maxsize=1)
def tokenizer_fingerprint() -> str:
    """Identifies the lexical analysis, so an index built with another one is rebuilt (not re-embedded)."""
    import hashlib

    digest = hashlib.sha256(TOKENIZER_REVISION.encode())
    for name in ("lexicon/domain.txt", "lexicon/synonyms.txt"):
        digest.update(resources.files("knowledge").joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def canonical_terms() -> frozenset[str]:
    fold = _synonyms()[0]
    return frozenset(fold.values())


_tokenizer_lock = threading.Lock()
_tokenizer = None


def segmenter():
    """The shared jieba tokenizer with the domain lexicon and multi-character synonyms, reading the
    dictionary from mapped tables shared by every process (``knowledge.word_tables``; jieba's own dict of
    every word and prefix cost each worker 66 MB). Segments exactly as jieba does."""
    global _tokenizer
    if _tokenizer is not None:  # every tokenize() comes here: no lock once loaded
        return _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            from .word_tables import CompactTokenizer, tables

            _tokenizer = CompactTokenizer(tables())
        return _tokenizer


@lru_cache(maxsize=1)
def pos_tokenizer():
    """jieba's part-of-speech tagging over the shared tokenizer, from the mapped tables: loading it costs a
    few mapped pages, not jieba's tagger (84 MB per process). Words come as ``Tagged(word, flag)``."""
    from .word_tables import CompactPOSTokenizer

    return CompactPOSTokenizer(segmenter())


@lru_cache(maxsize=256)
def pos_tagged(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's words with their part of speech; several evidence checks read the same question's tags."""
    return tuple((pair.word, pair.flag) for pair in pos_tokenizer().lcut(text))


@lru_cache(maxsize=1)
def word_tags():
    """jieba's part-of-speech tag of each dictionary word (n noun, v verb, d adverb ...): ``get``/``[]``/``in``."""
    from .word_tables import WordTags, tables

    return WordTags(tables())


@lru_cache(maxsize=2048)
def to_simplified(text: str) -> str:
    """Traditional -> Simplified. Cached: one turn converts the same question and passages at several
    stages (3.5% of an answer in a py-spy profile, most of it repeats)."""
    import zhconv

    return zhconv.convert(text, "zh-cn")


class CompiledLexicon:
    """A build's domain lexicon (``knowledge.domain_lexicon``) ready for ``tokenize``."""

    def __init__(self, terms: frozenset[str], folds: dict[str, str], fingerprint: str) -> None:
        self.terms = terms
        self.folds = folds
        self.fingerprint = fingerprint
        alternatives = "|".join(re.escape(p) for p in sorted(folds, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![a-z0-9])({alternatives})(?:e?s)?(?![a-z0-9])") if folds else None


_compiled: dict[str, CompiledLexicon] = {}


def compile_lexicon(lexicon) -> CompiledLexicon | None:
    """``lexicon`` (a DomainLexicon, or None) compiled once per content."""
    if lexicon is None:
        return None
    key = lexicon.fingerprint()
    if key not in _compiled:
        _compiled[key] = CompiledLexicon(frozenset(lexicon.terms), dict(lexicon.folds), key)
    return _compiled[key]


def _search_words(words: list[str], frequencies: dict) -> list[str]:
    """jieba's search mode from its precise cut: each word's known 2- and 3-character parts, then the word."""
    out = []
    for w in words:
        if len(w) > 2:
            out.extend(w[i:i + 2] for i in range(len(w) - 1) if frequencies.get(w[i:i + 2]))
        if len(w) > 3:
            out.extend(w[i:i + 3] for i in range(len(w) - 2) if frequencies.get(w[i:i + 3]))
        out.append(w)
    return out


def tokenize(text: str, lexicon: CompiledLexicon | None = None) -> list[str]:
    """Normalised content tokens: simplified, lower-cased, synonyms folded, stop words dropped; with a
    build's domain lexicon (the index passes its own when it analyses passages and queries), the English
    names its documents pair with a Chinese term fold onto that term.

    The lexicon's compound terms are not added as tokens: measured on the dev sets, extra compound tokens
    (续费管理 beside 续费, 管理) shifted the answerability features enough to refuse answerable questions
    (extended zh-Hant false abstention 0.043 -> 0.149), so the hand word list for segmentation stays."""
    fold, phrases, canonical_of = _synonyms()
    # "stored-value card" and "stored value card" are one phrase: hyphens between words are spaces.
    # A matched phrase becomes its Chinese term, which jieba keeps whole (it would split "a-b").
    text = _WORD_HYPHEN.sub(" ", to_simplified(text).lower())
    if phrases is not None:
        text = phrases.sub(lambda m: f" {canonical_of[m.group(1)]} ", text)
    if lexicon is not None and lexicon.pattern is not None:
        text = lexicon.pattern.sub(lambda m: f" {lexicon.folds[m.group(1)]} ", text)
    tokens = []
    tokenizer = segmenter()
    words = tokenizer.lcut(text)
    # Search-mode segmentation emits compounds and their parts (开发票 -> 开发, 发票, 开发票), so a
    # variant compound still matches the corpus word inside it.
    for raw in _search_words(words, tokenizer.FREQ):
        token = raw.strip()
        if not token or token in STOP_WORDS:
            continue
        if token.isascii() and not _ASCII_WORD.fullmatch(token):
            continue
        if token.isascii() and len(token) > 3 and token.endswith("s") and not token.endswith("ss") \
                and token not in fold:
            token = token[:-1]
        if token.isascii() and token not in fold and len(token) >= 3:
            token = _english_slip(token) or token
        tokens.append(fold.get(token, token))
    # The corpus speaks of status-code families (4xx, 5xx); a code in an HTTP context belongs to one.
    tokens.extend(f"{m.group(1) or m.group(2)}xx" for m in _HTTP_STATUS.finditer(text))
    return tokens


def status_code_spans(text: str) -> list[str]:
    """The wording that named an HTTP status code or family: understood, so no topic word."""
    return [m.group(0) for m in _HTTP_STATUS.finditer(to_simplified(text).lower())]


_LATIN, _HAN = 1, 2


def _script(term: str) -> int:
    """``_HAN`` for a term with a Chinese character, ``_LATIN`` for one with a Latin letter and none, else 0
    (numbers, codes written in digits)."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in term):
        return _HAN
    return _LATIN if any("a" <= ch <= "z" for ch in term) else 0


def _script_idf(terms: dict[str, int], pair_doc: np.ndarray, pair_term: np.ndarray, df: np.ndarray,
                n_docs: int) -> np.ndarray:
    """BM25 IDF with a term's rarity measured among the documents that could use it.

    A word is rare or common *in its language*: in a help centre of 600 Chinese excerpts and 60 English
    sections, "submitted" in 10 English sections is a common English word, yet over all 660 documents it
    looked as rare as 申付单 in 10 Chinese ones, so an English question weighed its everyday words like the
    Chinese topic terms its glossary phrases fold onto. Each document is English or Chinese by which of its
    distinct terms are more numerous (Latin-letter or Chinese ones); a Latin term's population is the English
    documents plus the Chinese ones in the share of its documents that are Chinese (a loanword used in
    Chinese text - PO, API, Offering - counts against the whole index, a word only English pages use against
    the English pages), and the same the other way for Chinese terms. Digits and codes count against every
    document. A one-language index (the bundled corpus) gets exactly the usual IDF."""
    n_terms = len(df)
    script = np.zeros(n_terms, dtype=np.int8)
    for term, t in terms.items():
        script[t] = _script(term)
    pair_script = script[pair_term]
    # (subsets of the pair arrays, not float weights over all of them: at 100k chunks those are 80 MB each)
    latin = np.bincount(pair_doc[pair_script == _LATIN], minlength=n_docs)
    han = np.bincount(pair_doc[pair_script == _HAN], minlength=n_docs)
    english = latin > han
    n_english = float(english.sum())
    df_english = np.bincount(pair_term[english[pair_doc]], minlength=n_terms).astype(np.float64)
    df_chinese = df - df_english
    share_chinese = np.divide(df_chinese, df, out=np.zeros(n_terms), where=df > 0)
    population = np.full(n_terms, float(n_docs))
    population[script == _LATIN] = (n_english + (n_docs - n_english) * share_chinese)[script == _LATIN]
    population[script == _HAN] = ((n_docs - n_english) + n_english * (1 - share_chinese))[script == _HAN]
    return np.log(1 + np.maximum(population - df + 0.5, 0.5) / (df + 0.5))


def _masks(word: str) -> list[str]:
    return [word[:i] + "\0" + word[i + 1:] for i in range(len(word))]


class BM25Index:
    """Okapi BM25 over postings held as flat numpy arrays, plus the forward index (each document's terms).

    Every term is an integer id; the postings of term ``t`` are ``ids[starts[t]:starts[t + 1]]`` (document
    positions, ascending) with their precomputed BM25 weights, and the terms of document ``d`` are
    ``doc_terms[doc_starts[d]:doc_starts[d + 1]]``. At 100k chunks a dict of per-term Python lists and
    per-chunk token lists held about a gigabyte of small objects while loading; these arrays hold the same
    in tens of megabytes. Build from token lists (``BM25Index(docs)``) or, without ever holding them, from
    term ids (``BM25Index.from_term_ids``)."""

    def __init__(self, docs: list[list[str]] | None = None, k1: float = 1.2, b: float = 0.75) -> None:
        terms: dict[str, int] = {}
        ids = [terms.setdefault(t, len(terms)) for d in docs or [] for t in d]
        offsets = np.zeros(len(docs or []) + 1, dtype=np.int64)
        np.cumsum([len(d) for d in docs or []], out=offsets[1:])
        self._init(terms, offsets, np.asarray(ids, dtype=np.int32), k1, b)

    @classmethod
    def from_term_ids(cls, terms: dict[str, int], doc_offsets: np.ndarray, term_ids: np.ndarray,
                      k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        """``terms`` maps each term to its id; document ``d``'s tokens (with repeats) are
        ``term_ids[doc_offsets[d]:doc_offsets[d + 1]]``."""
        index = cls.__new__(cls)
        index._init(terms, np.asarray(doc_offsets, dtype=np.int64), np.asarray(term_ids, dtype=np.int32), k1, b)
        return index

    def _init(self, terms: dict[str, int], offsets: np.ndarray, term_ids: np.ndarray, k1: float, b: float) -> None:
        self.k1, self.b = k1, b
        self.n_docs = n_docs = len(offsets) - 1
        n_terms = len(terms)
        lengths = np.diff(offsets).astype(np.float32)
        self.avg_len = float(lengths.mean()) if n_docs else 0.0
        # (document, term) pairs with their counts, in document order then term order: one sort, in place.
        # One key array (8 bytes a token) is the only large temporary: np.unique on a sum made three more
        # copies of it, about 170 MB at 100k chunks, the peak of an index load.
        width = max(n_terms, 1)
        keys = np.repeat(np.arange(n_docs, dtype=np.int64) * width, np.diff(offsets))
        keys += term_ids
        keys.sort()
        first = np.ones(len(keys), dtype=bool)
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        run_starts = np.flatnonzero(first)
        del first
        pairs = keys[run_starts]
        tf = np.diff(np.append(run_starts, len(keys)))
        del keys, run_starts
        pair_doc = (pairs // width).astype(np.int32)
        pair_term = (pairs % width).astype(np.int32)
        del pairs
        self._doc_starts = np.searchsorted(pair_doc, np.arange(n_docs + 1)).astype(np.int64)
        self._doc_terms = pair_term
        # Postings: the same pairs in term order (stable, so each term's documents stay ascending).
        order = np.argsort(pair_term, kind="stable")
        self._ids = pair_doc[order]
        df = np.bincount(pair_term, minlength=n_terms)
        self._starts = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=self._starts[1:])
        self._idf = _script_idf(terms, pair_doc, pair_term, df, n_docs)
        norm = self.k1 * (1 - self.b + self.b * lengths / max(self.avg_len, 1e-9))
        tf_sorted = tf[order].astype(np.float32)
        self._weights = (self._idf[pair_term[order]].astype(np.float32) * tf_sorted * (self.k1 + 1)
                         / (tf_sorted + norm[self._ids])).astype(np.float32)
        self._terms = terms
        self._names: list[str] | None = None  # id -> term, built on first use
        # Derived lookups, built on first use: most indexes never need them.
        self._vocabulary: frozenset[str] | None = None
        self._joined: str | None = None
        self._masked: Counter[str] | None = None
        self._characters: frozenset[str] | None = None

    def _posting(self, term: str) -> np.ndarray | None:
        """The positions of the documents holding ``term`` (ascending), None if no document does."""
        t = self._terms.get(term)
        return None if t is None else self._ids[self._starts[t]:self._starts[t + 1]]

    def terms_of(self, doc: int) -> frozenset[str]:
        """The distinct terms of document ``doc`` (as indexed: its title and text, analysed at build time)."""
        if self._names is None:
            names = [""] * len(self._terms)
            for term, t in self._terms.items():
                names[t] = term
            self._names = names
        names = self._names
        return frozenset(names[t] for t in self._doc_terms[self._doc_starts[doc]:self._doc_starts[doc + 1]].tolist())

    def vocabulary_has(self, term: str) -> bool:
        return term in self._terms

    @property
    def vocabulary(self) -> frozenset[str]:
        if self._vocabulary is None:
            self._vocabulary = frozenset(self._terms)
        return self._vocabulary

    def one_substitution_away(self, word: str) -> bool:
        """Does the corpus use a word that differs from ``word`` in exactly one character?

        Each term is indexed under its one-character masks (发票 -> ?票, 发?), so a lookup costs
        len(word) probes instead of a scan over the vocabulary."""
        if self._masked is None:
            self._masked = Counter(mask for term in self._terms for mask in _masks(term))
        own = 1 if word in self._terms else 0  # the word's own masks do not count
        return any(self._masked[mask] > own for mask in _masks(word))

    def corpus_matches(self, words: frozenset[str]) -> frozenset[str]:
        """The words that occur in the corpus, as a token (folded) or inside one (账户 in 账户名).

        The lexicon's Chinese variants of corpus terms count too: 预付 inside 预付卡, a declared
        synonym of 储值卡, is corpus language even where the corpus says 储值卡.
        """
        fold = _synonyms()[0]
        if self._joined is None:
            variants = [v for v, canonical in fold.items() if not v.isascii() and canonical in self._terms]
            self._joined = "\n".join(sorted(self._terms) + variants)
        found = set()
        for word in words:
            if fold.get(word, word) in self._terms:
                found.add(fold.get(word, word))
            elif len(word) > 1 and word in self._joined:
                found.add(word)  # a single character inside a word is no evidence (员 in 业务员)
        return frozenset(found)

    def contains_character(self, character: str) -> bool:
        """Does any corpus term contain this character (退 in 退款)?"""
        if self._characters is None:
            self._characters = frozenset(ch for term in self._terms for ch in term)
        return character in self._characters

    def idf(self, term: str) -> float:
        """The term's BM25 inverse document frequency; a term the index lacks gets the rarest value."""
        t = self._terms.get(term)
        if t is not None:
            return float(self._idf[t])
        return math.log(1 + (self.n_docs + 0.5) / 0.5)

    def document_frequency(self, term: str) -> int:
        t = self._terms.get(term)
        return 0 if t is None else int(self._starts[t + 1] - self._starts[t])

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term in set(query_tokens):
            t = self._terms.get(term)
            if t is not None:
                lo, hi = self._starts[t], self._starts[t + 1]
                out[self._ids[lo:hi]] += self._weights[lo:hi]
        return out

    def group_scores(self, groups: list[tuple[tuple[str, float], ...]]) -> np.ndarray:
        """BM25 where each query word is a group of index terms standing for it, each with a weight (the
        word itself 1, a dictionary's translation of it less): a document scores the group once, by the
        member it holds best, at the group's IDF - the lowest of its members', so an English word weighs what
        the concept weighs in the index's larger language ("submitted" in one English section is common as
        提交), and a dictionary's many loose senses add no weight. A one-term group of weight 1 is that term's
        usual BM25 score."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for group in groups:
            members = [(t, w) for t, w in ((self._terms.get(term), w) for term, w in group) if t is not None]
            if not members:
                continue
            if len(members) == 1:
                (t, w), = members
                lo, hi = self._starts[t], self._starts[t + 1]
                out[self._ids[lo:hi]] += self._weights[lo:hi] * np.float32(w)
                continue
            idf = min(float(self._idf[t]) for t, _ in members)
            best = np.zeros(self.n_docs, dtype=np.float32)
            for t, w in members:
                lo, hi = self._starts[t], self._starts[t + 1]
                docs = self._ids[lo:hi]
                scale = np.float32(w * idf / max(float(self._idf[t]), 1e-9))
                best[docs] = np.maximum(best[docs], self._weights[lo:hi] * scale)
            out += best
        return out

    def holding(self, terms, docs: np.ndarray) -> dict[str, np.ndarray]:
        """For each of ``terms`` the index knows, a boolean per document of ``docs``: does it hold the term?
        A binary search in the term's postings: no document is re-read or re-analysed."""
        docs = np.asarray(docs, dtype=np.int32)
        out = {}
        for term in terms:
            posting = self._posting(term)
            if posting is None or not len(posting):
                continue
            where = np.minimum(np.searchsorted(posting, docs), len(posting) - 1)
            out[term] = posting[where] == docs
        return out

    def max_score(self, query_tokens: list[str]) -> float:
        """The BM25 upper bound (every known term saturated), so normalised scores lie in [0, 1]."""
        return float(sum(self._idf[self._terms[t]] * (self.k1 + 1) for t in set(query_tokens) if t in self._terms))
