"""The domain lexicon, derived from the indexed documents at build time and stored with the build.

What a hand lexicon listed for one corpus is read from whatever corpus is indexed:

- **terms**: the documents' own names for things - every level of every menu path, the on-screen labels
  they quote (“消费汇总”), short titles and headings, parent topics, the Chinese side of glossary pairs, and
  runs of two or three words that recur across chunks as a unit (in enough chunks, with varied neighbours,
  so a fragment of a repeated boilerplate sentence is not one);
- **folds**: English names the documents pair with a Chinese term, as in "市场发展基金(MDF)" or
  "KooGallery(云商店)": the English side folds onto the Chinese term, for this index only.

The index analyses its passages and every query against it with its build's lexicon
(``knowledge.lexical.tokenize``): a folded English name meets the Chinese passages. The terms are stored
with the build (``index status`` counts them) but are not added as tokens: compound tokens were measured
to shift the answerability features and refuse answerable questions, so the hand segmentation words stay
(``lexicon/domain.txt``). Nothing here merges two names the documents keep apart.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from .documents import Chunk

MIN_TERM, MAX_TERM = 2, 12          # characters of a Chinese term
NGRAM_MIN, NGRAM_MAX = 3, 8          # characters of a mined n-gram
NGRAM_CHUNKS = 3                     # an n-gram recurs in at least this many chunks ...
NGRAM_SHARE = 0.002                  # ... and this share of them (large corpora)
NGRAM_SAMPLE = 4000                  # chunks mined for n-grams (every k-th one beyond that)
_NOT_FIRST = set("dcpruqmy")             # jieba tags: adverb, conjunction, preposition, pronoun, particle ...
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_GLUE = set("的了是在和与或及对把被将从向于为以也都就而且但并等个些之其该此这那我你您他她它们吗呢吧啊")
_GLOSSARY_ZH_EN = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fff\w]{1,11})\s*[((]\s*([A-Za-z][A-Za-z0-9 .&/+-]{1,40}?)\s*[))]")
_GLOSSARY_EN_ZH = re.compile(r"([A-Z][A-Za-z0-9&/+-]*(?: [A-Za-z][A-Za-z0-9&/+-]*){0,4})\s*[((]\s*([\u4e00-\u9fff]{2,12})\s*[))]")
_MENU = re.compile(r"[“\"]\s*([^“”\"]+?(?:\s*>\s*[^“”\"]+?)+)\s*[”“\"]")
_LABEL = re.compile(r"[“\"]\s*([^“”\">]{2,24}?)\s*[”“\"]")
_HEADING = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{2,12}$")


class DomainLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: list[str] = Field(default_factory=list, description="Chinese domain terms, sorted")
    folds: dict[str, str] = Field(default_factory=dict, description="English name (lower case) -> Chinese term")

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def _chinese_terms(text: str) -> list[str]:
    """The Chinese runs of a name that can be a term (2-12 characters, not starting or ending in glue)."""
    return [run for run in _CJK.findall(text)
            if MIN_TERM <= len(run) <= MAX_TERM and run[0] not in _GLUE and run[-1] not in _GLUE]


def _named(chunks: list[Chunk]) -> set[str]:
    """Terms the documents name: menu levels, quoted labels, short titles and headings, parent topics."""
    names: set[str] = set()
    for chunk in chunks:
        for match in _MENU.finditer(chunk.text):
            for level in match.group(1).split(">"):
                names.update(_chinese_terms(level))
        for match in _LABEL.finditer(chunk.text):
            names.update(_chinese_terms(match.group(1)))
        for heading in (chunk.title, chunk.parent_topic or "", *(chunk.parent_topic or "").split(">")):
            heading = heading.strip()
            if _HEADING.fullmatch(heading):
                names.update(_chinese_terms(heading))
    return names


def _glossary(chunks: list[Chunk], known: set[str]) -> tuple[set[str], dict[str, str]]:
    """Chinese names the documents pair with an English one, "市场发展基金(MDF)" or "KooGallery (云商店)".
    The Chinese name is the longest end of the text before the bracket that is a known word (a name the
    documents use elsewhere, or a dictionary word), so "伙伴为客户做概念验证(POC)" pairs POC with 概念验证."""
    from .lexical import segmenter

    dictionary = segmenter().FREQ
    terms: set[str] = set()
    folds: dict[str, str] = {}
    votes: dict[str, Counter] = {}
    for chunk in chunks:
        pairs = [(m.group(1), m.group(2)) for m in _GLOSSARY_ZH_EN.finditer(chunk.text)]
        pairs += [(m.group(2), m.group(1)) for m in _GLOSSARY_EN_ZH.finditer(chunk.text)]
        for before, english in pairs:
            run = (_CJK.findall(before) or [""])[-1]
            chinese = next((run[i:] for i in range(max(0, len(run) - 8), len(run) - 2)
                            if run[i:] in known or dictionary.get(run[i:])), "")
            english = " ".join(english.lower().split())
            # three characters at least on each side: "共享给华为(PO)" names no 华为
            if not chinese or not re.fullmatch(r"[a-z][a-z&-]*(?: [a-z][a-z&-]*){0,4}", english) or len(english) < 3:
                continue  # a code, a number or a path in brackets is no name
            terms.add(chinese)
            votes.setdefault(english, Counter())[chinese] += 1
    for english, counter in votes.items():
        folds[english] = counter.most_common(1)[0][0]
    return terms, folds


def _ngrams(chunks: list[Chunk]) -> set[str]:
    """Runs of two or three words that recur across chunks as a unit: in enough chunks, and with more than
    one word before and after them (a fragment of a repeated boilerplate sentence always has the same
    neighbours, so it is no unit)."""
    from .lexical import segmenter, word_tags

    tags = word_tags()
    step = max(1, len(chunks) // NGRAM_SAMPLE)
    sample = chunks[::step]
    tokenizer = segmenter()
    chunk_count: Counter = Counter()
    left: dict[str, set] = {}
    right: dict[str, set] = {}
    for chunk in sample:
        seen: set[str] = set()
        for run in _CJK.findall(chunk.title + " " + chunk.text):
            words = tokenizer.lcut(run, HMM=False)
            for size in (2, 3):
                for i in range(len(words) - size + 1):
                    gram = "".join(words[i:i + size])
                    # whole words at both ends (伙伴可, 中下载 and 不能再 hang on a particle or a preposition)
                    if not NGRAM_MIN <= len(gram) <= NGRAM_MAX or len(words[i]) < 2 or len(words[i + size - 1]) < 2:
                        continue
                    # a name ends in a noun and does not start with an adverb, modal or pronoun ("可以修改" is none)
                    last, first = tags.get(words[i + size - 1], "x"), tags.get(words[i], "x")
                    if not (last.startswith("n") or last == "vn") or first[:1] in _NOT_FIRST:
                        continue
                    seen.add(gram)
                    left.setdefault(gram, set()).add(words[i - 1] if i > 0 else None)
                    right.setdefault(gram, set()).add(words[i + size] if i + size < len(words) else None)
        chunk_count.update(seen)
    floor = max(NGRAM_CHUNKS, NGRAM_SHARE * len(sample))
    return {gram for gram, count in chunk_count.items()
            if count >= floor and len(left[gram]) >= 2 and len(right[gram]) >= 2}


def derive_lexicon(chunks: list[Chunk]) -> DomainLexicon:
    """The build's domain lexicon: names, glossary pairs and recurring n-grams of ``chunks``."""
    named = _named(chunks) | _ngrams(chunks)
    glossary_terms, folds = _glossary(chunks, named)
    terms = named | glossary_terms
    return DomainLexicon(terms=sorted(terms), folds=dict(sorted(folds.items())))


__all__ = ["DomainLexicon", "derive_lexicon"]
