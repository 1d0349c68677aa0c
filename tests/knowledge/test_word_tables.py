"""The mapped word tables segment and tag exactly as jieba's own objects loaded with our lexicon."""

import random
from pathlib import Path

import pytest

from knowledge.lexical import pos_tokenizer, segmenter, word_tags
from knowledge.word_tables import full_tokenizer

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def jieba_own():
    import jieba.posseg as pseg

    tok = full_tokenizer()
    return tok, pseg.POSTokenizer(tok)


def _texts() -> list[str]:
    """The corpora's lines, and random strings of their characters with Latin words, digits and spaces:
    runs the dictionary does not know go through both HMMs (segmentation and tagging)."""
    lines = []
    for folder in (ROOT / "knowledge" / "corpus", ROOT / "evals" / "corpus_extended"):
        for path in sorted(folder.iterdir()):
            if path.suffix in {".txt", ".md", ".html"}:
                lines += [line for line in path.read_text("utf-8").splitlines() if line.strip()]
    chars = sorted({ch for line in lines for ch in line if "\u4e00" <= ch <= "\u9fd5"})
    extras = ["API", "v2", "3.5", "2026", " ", "\r\n", "-", "%", "_x", "。", "(", "HTTP 503"]
    rng = random.Random(13)
    mixed = ["".join(rng.choice(chars) if rng.random() < 0.85 else rng.choice(extras)
                     for _ in range(rng.randint(1, 40))) for _ in range(1500)]
    return lines + mixed


def test_segmentation_is_jiebas(jieba_own):
    tok, _ = jieba_own
    ours = segmenter()
    for text in _texts():
        assert ours.lcut(text) == tok.lcut(text), text
        assert ours.lcut(text, HMM=False) == tok.lcut(text, HMM=False), text
        assert ours.lcut_for_search(text) == tok.lcut_for_search(text), text


def test_parts_of_speech_are_jiebas(jieba_own):
    _, tagger = jieba_own
    ours = pos_tokenizer()
    for text in _texts():
        assert [(p.word, p.flag) for p in ours.lcut(text)] == [(p.word, p.flag) for p in tagger.lcut(text)], text
        assert [tuple(p) for p in ours.lcut(text, HMM=False)] == \
               [(p.word, p.flag) for p in tagger.lcut(text, HMM=False)], text


def test_frequencies_and_tags_are_jiebas(jieba_own):
    tok, tagger = jieba_own
    ours, tags = segmenter().FREQ, word_tags()
    words = [w for w, f in tok.FREQ.items() if f][::97] + ["伙伴账单", "伙伴", "不是一个词语", "zzz"]
    for word in words:
        assert (ours.get(word) or 0) == (tok.FREQ.get(word) or 0), word
        assert tags.get(word, "x") == tagger.word_tag_tab.get(word, "x"), word
    assert segmenter().total == tok.total


def test_blocks_seen_before_are_cut_as_jieba_cuts_them(jieba_own):
    """Blocks are cut once per process (a bounded cache): a second pass over the same texts, served from it,
    and a cache too small to hold them, both give jieba's words."""
    from knowledge.word_tables import CompactTokenizer

    tok, _ = jieba_own
    ours = segmenter()
    texts = _texts()[:400]
    before = ours._cut_block.cache_info().hits
    for text in texts + texts:
        assert ours.lcut(text) == tok.lcut(text), text
    assert ours._cut_block.cache_info().hits > before
    tiny = CompactTokenizer(ours.tables)
    tiny._cut_block = __import__("functools").lru_cache(maxsize=2)(tiny._search_block)
    for text in texts:
        assert tiny.lcut(text) == tok.lcut(text), text
