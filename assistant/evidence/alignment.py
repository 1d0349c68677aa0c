"""Alignment of the question's informative words with the supporting sentences.

The failing kind of must-abstain question names a topic the index covers and asks for a fact no
excerpt states ("回收资金要手续费吗", "which city hosts the training"): the topic words sit in the
passage's title and first sentences, the asked word nowhere near the sentences that would answer.
So each informative word of the question is aligned *within the supporting sentence window* (the
quoted sentences), not anywhere in the chunk, and the weight of what stays unaligned is a feature.

- A word's weight is its IDF on this index relative to the index's rarest term (a word the index
  never uses weighs as the rarest unless it is general language): the weights keep their meaning as
  the corpus grows, since IDF is computed on the index the question runs against.
- A word aligns softly: 1 when the window holds the token; for Chinese, the share of its character
  bigrams (or, for two-character words, characters at half weight) the window's text holds
  (回溯 / 前溯, 提现 / 提取现金); for English, a shared stem of at least five letters.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.lexical import BM25Index, to_simplified

from .calibration import word_weights


@dataclass(frozen=True)
class Alignment:
    aligned: float      # weighted share of the question's words aligned in the window (0..1)
    gap: float          # relative weight of the heaviest word left unaligned there (0..1)
    gap_second: float   # ... of the second heaviest (two unaligned words: more than a paraphrase)
    topic: float        # weighted share aligned in the title, the window or the passage (where the topic sits)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _cjk(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


def match(word: str, tokens: frozenset[str], text: str) -> float:
    """How well ``word`` is present in a text (its tokens and its simplified lower-cased string), 0..1."""
    if word in tokens:
        return 1.0
    if _cjk(word):
        if word in text:
            return 1.0
        if len(word) >= 3:
            grams = _bigrams(word)
            return sum(1 for b in grams if b in text) / len(grams)
        return 0.5 * sum(1 for ch in word if ch in text) / len(word)
    if len(word) >= 5:
        stem = word[:5]
        if any(t.startswith(stem) for t in tokens if t.isascii()):
            return 0.8
    return 0.0


def align(query_tokens: list[str], bm25: BM25Index, window_tokens: frozenset[str], window_text: str,
          topic_tokens: frozenset[str], topic_text: str, understood: tuple[str, ...] = ()) -> Alignment:
    weights = word_weights(query_tokens, bm25, understood)
    total = sum(weights.values())
    if total <= 0:
        return Alignment(0.0, 1.0, 1.0, 0.0)
    window_text = to_simplified(window_text).lower()
    topic_text = to_simplified(topic_text).lower()
    got = topic = 0.0
    gaps = []
    for word, weight in weights.items():
        m = match(word, window_tokens, window_text)
        got += weight * m
        topic += weight * max(m, match(word, topic_tokens, topic_text))
        gaps.append(weight * (1 - m))
    gaps.sort(reverse=True)
    rare = bm25.idf("\0")
    return Alignment(aligned=got / total, gap=gaps[0] / rare, gap_second=(gaps[1] / rare) if len(gaps) > 1 else 0.0,
                     topic=topic / total)
