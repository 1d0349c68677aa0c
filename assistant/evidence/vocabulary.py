"""Vocabulary signals: question words the index never uses, seen through jieba and CC-CEDICT.

Once a veto of its own (and the reason abstention depended on corpus size), now one feature of the
calibrated answerability model (``calibration.py``): ``uncovered`` says whether the question's
uncovered words outnumber its covered specific terms, or whether the uncovered word is the very
action or event asked about. The model weighs it against coverage in the best passage, so a larger
vocabulary weakens this signal without silencing the others.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..understanding import bilingual
from knowledge.lexical import (STOP_WORDS, BM25Index, pos_tagged, pos_tokenizer, segmenter, status_code_spans,
                               to_simplified, tokenize)

from .answer_types import KIND_WORDS, asked

TYPO_MAX_FREQ = 10       # strings rarer than this in jieba's dictionary may be typos
TRANSLATED_WEIGHT = 0.5   # an English word matched only through a dictionary sense, in the best passage
COMMON_TERM_SHARE = 0.5   # a known term in more than this share of chunks is too common to count
GENERIC_FREQ = 5000        # jieba dictionary frequency above which a word is too generic to matter

# Verbs of getting, seeing and finding say nothing of which action is asked (能拿到吗 = can we get it).
_GENERAL_VERBS = frozenset("拿到 得到 收到 看到 看见 找到 弄到 搞到 取得 获得 见到".split())
_RESULTS = frozenset("到给见走完好成住上下出回进过")
_A_NOT_A = re.compile(r"^(.)不\1$")
# Single-character verbs of grammar; any other one is a topic when the corpus never uses its character.
_GRAMMAR_VERBS = frozenset("是 有 在 能 会 要 去 来 到 让 给 被 把 叫 说 想 得 用 做 搞 弄 办 行 算 看 查 找 拿 放 问 帮 替 等 带 使 "
                           "上 下 出 进 回 过 起".split())
# The action a how-to or can-I question asks about is its topic, however many covered words
# surround it: "怎么删除已经报备的商机" asks about deleting, which the corpus never describes; so is
# the thing applied for ("怎么申请豁免") and the event a question is conditioned on ("商品下架以后",
# "if the card expires"): rules for an event the corpus never names cannot be in it.
_ASK_ACTION_ZH = r"(?:怎么|怎样|如何|能否|能不能|可不可以|可以|能)(?:才能|才|去|来)?(?:申请|办理|进行|发起|提交|做)?"
_ASK_ACTION_EN = (r"\b(?:how (?:do|can|could|should|would) (?:i|we|you|one)|how to|(?:can|could|may) (?:i|we)|"
                  r"is it possible to) (?:apply for |request |get |make )?")
# "can an account manager supervisor delete": the subject may be a noun phrase
_ASK_SUBJECT_EN = r"\b(?:can|could|may) (?:a|an|the|my|our|their) (?:[\w-]+ ){1,4}?"
_ASKED_VERB_EN = re.compile(rf"{_ASK_ACTION_EN}([a-z]+)|"
                            r"\b(?:can|could|may|will|should|is|are)\b(?:\W+\w+){1,4}?\W+be ([a-z]+)")
_EVENT_ZH = (r"(?:如果|假如|要是|万一|被)\S{{0,6}}?{term}|{term}(?:了|以后|之后|后|的话)")
# English: the term in verb position, after a pronoun, an auxiliary or a determiner and its noun.
_EVENT_EN = (r"\b(?:if|when|once|after)\b(?:\W+\w+){{0,6}}?\W+(?:i|we|it|they|he|she|you|is|are|was|were|be|"
             r"been|gets?|got|(?:the|my|our|a|an|its|their) \w+) {term}\w*\b")



def _chinese_words(text: str) -> list[tuple[str, str]]:
    """jieba's words with their part of speech, plus dictionary words hidden in its guesses.

    Words jieba's dictionary lacks come out of its HMM as odd pieces (年費要繳 -> 年 / 费要 / 缴);
    a CC-CEDICT word inside such a run of pieces (年费) is a word of the question too.
    """
    tokenizer = segmenter()
    pairs = list(pos_tagged(text))
    words = list(pairs)
    seen = {word for word, _ in pairs}
    headwords = bilingual.chinese_headwords()
    run = ""
    for word, _ in pairs + [("", "x")]:
        if word and _is_cjk(word) and (len(word) == 1 or not tokenizer.FREQ.get(word)):
            run += word
            continue
        for size in (4, 3, 2):
            for start in range(len(run) - size + 1):
                piece = run[start:start + size]
                if piece in headwords and piece not in seen:
                    words.append((piece, "n"))
                    seen.add(piece)
        run = ""
    return words


def _uncovered_character_verb(word: str, flag: str, bm25: BM25Index) -> bool:
    """A one-character verb (退, 寄) whose character no corpus word contains names an uncovered action."""
    return flag == "v" and word not in _GRAMMAR_VERBS and word not in STOP_WORDS and not bm25.contains_character(word)


def _is_cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def salient_unknown_terms(question: str, bm25: BM25Index, understood: tuple[str, ...] = ()) -> tuple[str, ...]:
    text = to_simplified(question).lower()
    tokenizer = segmenter()
    headwords = bilingual.chinese_headwords()
    out = []
    for word, flag in _chinese_words(text):
        if not _has_cjk(word) or word in STOP_WORDS or any(word in span for span in understood):
            continue  # a date, place or amount the caller already understood is a detail, not a topic
        if len(word) == 1:
            if _uncovered_character_verb(word, flag, bm25):
                out.append(word)
            continue
        if flag[0] not in "nv" or _A_NOT_A.match(word) or any(ch in word for ch in "没不别"):
            continue  # grammar words, negated or potential verb forms (看不到, 没挂): not topics
        # A compound around a corpus word (开发票 around 发票) is a variant, not a new topic.
        parts = [p for p in tokenizer.lcut_for_search(word) if len(p) >= 2 and p != word]
        if any(bm25.vocabulary_has(t) for p in parts for t in tokenize(p)):
            continue
        folded = [t for t in tokenize(word) if len(t) >= 2] or [word]
        if any(bm25.vocabulary_has(t) for t in folded):
            continue
        freq = tokenizer.FREQ.get(word) or 0
        if freq >= GENERIC_FREQ:
            continue
        # A real word is a word, not a slip: only strings rare in jieba's dictionary and absent from
        # CC-CEDICT may be typos of corpus words (业积 for 业绩; 年费 is a word, not a slip of 消费).
        if freq < TYPO_MAX_FREQ and word not in headwords and bm25.one_substitution_away(word):
            continue
        # One character off a question word (时侯 for 时候) is a slip whatever its dictionary frequency.
        if any(_one_char_apart(word, stop) for stop in STOP_WORDS):
            continue
        out.append(word)
    return tuple(out)


@lru_cache(maxsize=1)
def _english_general() -> frozenset[str]:
    text = resources.files("knowledge").joinpath("lexicon/english_general.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_ENGLISH_WORD = re.compile(r"[a-z][a-z']{2,}")


def english_terms(tokens: list[str], bm25: BM25Index,
                  understood: tuple[str, ...] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """English words of a question (its ``tokenize`` tokens) the corpus lacks ("bank", "tier"), and
    those it has.

    Glossary terms were already folded onto their Chinese term by ``tokenize``; what is left is
    either a general word (a fixed list), a word the corpus holds as is (PSM, Offering), a word
    CC-CEDICT translates (unknown if no translation occurs in the corpus, else known through the
    corpus terms it matched), or a word the dictionary lacks: a slip or irregular form when one
    edit from a headword, else unknown.
    """
    general = _english_general()
    unknown: list[str] = []
    known: list[str] = []
    for token in tokens:
        if not _ENGLISH_WORD.fullmatch(token) or token in general:
            continue
        if bm25.vocabulary_has(token) or (token.endswith("s") and bm25.vocabulary_has(token[:-1])):
            continue  # held as is (PSM, Offering, POs): counted with the corpus terms by the caller
        if any(token in span for span in understood) or token in unknown or token in known:
            continue
        found = bilingual.translations(token)
        if found:
            matches = bm25.corpus_matches(found)
            if not matches:
                unknown.append(token)
            elif any(not bm25.vocabulary_has(m) or _specific(m, bm25) for m in matches):
                known.append(token)
        elif not bilingual.near_dictionary_word(token):
            unknown.append(token)
    return tuple(unknown), tuple(known)


def _specific(term: str, bm25: BM25Index) -> bool:
    """Terms in most of the corpus (伙伴, 客户) say nothing about which topic is asked."""
    return bm25.document_frequency(term) <= COMMON_TERM_SHARE * bm25.n_docs


def _loose_resultative(word: str, bm25: BM25Index) -> bool:
    """A verb with a result or direction (发给, 交到) whose head the corpus uses (发票, 提交): said loosely."""
    return len(word) == 2 and word[1] in _RESULTS and bm25.contains_character(word[0])


def _asked_action(question: str, unknown: tuple[str, ...], bm25: BM25Index) -> bool:
    """Is an uncovered term the action the question asks how (or whether) to do, or the event it is conditioned on?"""
    text = to_simplified(question).lower()
    headwords = bilingual.chinese_headwords()
    for term in unknown:
        word = re.escape(term)
        if not term.isascii() and (term not in headwords or term in _GENERAL_VERBS or _loose_resultative(term, bm25)):
            continue  # a colloquial form (报上去, 发给, 拿到) may be a corpus action said loosely; only words decide
        if term.isascii():
            if re.search(rf"{_ASK_ACTION_EN}{word}|{_ASK_SUBJECT_EN}{word}\b|{_EVENT_EN.format(term=word)}", text):
                return True
        elif re.search(rf"{_ASK_ACTION_ZH}{word}|(?:怎么|怎样|如何)把.{{1,12}}?{word}|{_EVENT_ZH.format(term=word)}", text):
            return True
    return False


@lru_cache(maxsize=4096)
def _is_pronoun(term: str) -> bool:
    """哪个, 什么: words that point, not topics, though the corpus uses them too."""
    words = pos_tokenizer().lcut(term)
    return len(words) == 1 and words[0].flag.startswith("r")


def _one_char_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def uncovered(question: str, query_tokens: list[str], passage: str, bm25: BM25Index,
              understood: tuple[str, ...] = ()) -> tuple[bool, float, tuple[str, ...]]:
    """Do the question's uncovered words name its topic? Their share among its topic words, and which
    words they are.

    The topic is uncovered when they are at least as many as its covered specific terms, or when one
    of them is the action or event the question asks about."""
    understood = understood + tuple(status_code_spans(question))
    english_unknown, english_known = english_terms(query_tokens, bm25, understood)
    unknown = salient_unknown_terms(question, bm25, understood) + english_unknown
    if asked(question):  # "maximum", "费用": the kind of answer, checked against the passage elsewhere
        unknown = tuple(t for t in unknown if t not in KIND_WORDS)
    if not unknown:
        return False, 0.0, ()
    known = {t for t in query_tokens if len(t) >= 2 and bm25.vocabulary_has(t) and _specific(t, bm25)}
    known = {t for t in known if not any(t != other and t in other for other in known)}
    known = {t for t in known if not _is_pronoun(t)}
    english_known = tuple(w for w in english_known
                          if any(m in passage for m in bm25.corpus_matches(bilingual.translations(w))))
    covered = len(known) + TRANSLATED_WEIGHT * len(english_known)
    share = len(unknown) / (len(unknown) + covered)
    return len(unknown) >= covered or _asked_action(question, unknown, bm25), share, unknown


def follow_on_words(question: str, earlier: str, passage: str, bm25: BM25Index,
                    understood: tuple[str, ...] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A follow-on ask's own words (those the ask it follows did not use) and which of them ``passage`` (the
    earlier ask's passages) does not hold: ("到时候还没生成怎么办?" after a bill-date question, the passage
    that dated the bill). Pointing words (哪个, 什么) and grammar words are the ask's form, not its content;
    a word the index never uses is one no passage states; an English word counts as held when one of its
    dictionary senses the corpus uses is in the passage."""
    question = re.sub(r"n't\b", " not", question)  # "isn't": a negated auxiliary, grammar (no "isn" term)
    given = set(tokenize(to_simplified(earlier).lower()))
    tokens = [t for t in tokenize(to_simplified(question).lower()) if t not in given]
    held = set(tokenize(passage)) | set(tokenize(to_simplified(passage).lower()))
    own: list[str] = []
    unstated: list[str] = []
    known = {t for t in tokens if len(t) >= 2 and bm25.vocabulary_has(t) and t not in STOP_WORDS
             and _specific(t, bm25) and not _is_pronoun(t)}
    known = {t for t in known if not any(t != other and t in other for other in known)}
    for term in sorted(known):
        own.append(term)
        if term not in held and term not in passage:
            unstated.append(term)
    kind_words = KIND_WORDS if asked(question) else frozenset()  # "最多", "maximum": the kind asked, not a topic
    for term in salient_unknown_terms(question, bm25, understood):
        if term not in given and term not in own and term not in kind_words:
            own.append(term)
            unstated.append(term)
    english_unknown, english_known = english_terms(tokens, bm25, understood)
    own += [*english_unknown, *english_known]
    unstated += list(english_unknown)
    unstated += [w for w in english_known
                 if not any(m in passage for m in bm25.corpus_matches(bilingual.translations(w)))]
    return tuple(own), tuple(unstated)
