"""Duration rules of the indexed documents ("10个工作日前", "within 7 days"), read from every chunk.

The parsing is :func:`tools.durations.find_duration_rules` (pure); this module applies it to a set of
chunks, anchoring each rule to its chunk and source, and keeps one copy of a sentence seen in several
chunks. The index build reports the counts; ``partner-assistant rules list`` shows the rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from tools.durations import DurationRule, DurationScan, find_duration_rules, split_sentences

from .documents import Chunk

_CACHE: dict[int, tuple[list[Chunk], DurationScan]] = {}


def scan_chunks(chunks: Iterable[Chunk]) -> DurationScan:
    """Every duration rule in ``chunks`` (first chunk wins for a repeated sentence) and the unparsed sentences."""
    rules: dict[str, DurationRule] = {}
    unparsed: dict[str, None] = {}
    for chunk in chunks:
        scan = find_duration_rules(chunk.text, chunk_id=chunk.id, source=chunk.source)
        for found in scan.rules:
            rules.setdefault(found.id, found)
        unparsed.update(dict.fromkeys(scan.unparsed))
    return DurationScan(rules=list(rules.values()), unparsed=list(unparsed))


def index_duration_rules(chunks: list[Chunk]) -> DurationScan:
    """:func:`scan_chunks` for the index's loaded chunk list, cached while that list is the active one."""
    cached = _CACHE.get(id(chunks))
    if cached is not None and cached[0] is chunks:
        return cached[1]
    scan = scan_chunks(chunks)
    _CACHE.clear()
    _CACHE[id(chunks)] = (chunks, scan)
    return scan


def _grams(text: str) -> set[str]:
    """Character bigrams of Chinese runs and lower-cased words of Latin runs (digits dropped)."""
    text = text.lower()
    # a crude stem, so "reviews"/"reviewed" and "listing"/"listed" meet
    grams = {re.sub(r"(?:ing|ed|es|s)$", "", w)[:6] for w in re.findall(r"[a-z]{3,}", text)}
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


# Words of no content in an English asked clause: interrogatives, auxiliaries, light verbs, pronouns (a closed
# class); Chinese function words are the tokenizer's stop words. What is left is the action asked about.
_LIGHT = {"when", "what", "which", "how", "long", "can", "could", "will", "would", "shall", "should", "may", "might",
          "must", "does", "did", "doe", "get", "got", "have", "has", "had", "hav", "the", "you", "your", "our", "their",
          "they", "she", "him", "her", "its", "that", "this", "there", "then", "due", "date", "day", "time", "latest",
          "earliest", "deadline", "until", "from", "next", "again", "and", "for", "with", "any", "still", "need",
          "let", "please", "hour", "minut", "week", "month", "year"}


def _asked_action(question: str) -> set[str]:
    """The content words of the clause that asks for the date ("..., when can I get a reply?" -> reply;
    "首次响应截止时间是几点" -> 首次, 响应), the question's form (when, 最晚哪天, 再) and function words left out.
    Empty when one clause says both the event and the question, or the asked clause names no action."""
    from .lexical import tokenize

    clauses = [c for c in re.split(r"[,,;;。!!??\n]|\s+-\s+|(?<=[a-z])\.\s", question) if c.strip()]
    asking = [c for c in clauses if _ASKS_DATE.search(c) or _ASKS_LATEST.search(c) or _ASKS_EARLIEST.search(c)]
    if not asking or len(asking) == len(clauses):
        return set()  # one clause says both the event and the question: the whole is matched, as before
    words: set[str] = set()
    for clause in asking:
        for form in (_ASKS_LATEST, _ASKS_EARLIEST, _ASKS_DATE):  # the question's form, not its action
            clause = form.sub(" ", clause.lower())
        words |= _grams(" ".join(re.findall(r"[a-z']+", clause))) - _LIGHT
        for token in tokenize(" ".join(re.findall(r"[\u4e00-\u9fff]+", clause))):
            words |= _grams(token) if len(token) >= 2 else set()
    return words


def _characters_held(action: set[str], sentence: str) -> bool:
    """Does the sentence hold every Chinese character of the asked action (at least two)? A shortened verb
    shares no bigram with the rule's wording but all its characters: 审完 is 完成审核, 批下来 is 审批通过后下发."""
    characters = {c for gram in action for c in gram if "\u4e00" <= c <= "\u9fff"}
    return len(characters) >= 2 and all(c in sentence for c in characters)


def _clause(found: DurationRule) -> str:
    """The clause of the rule's sentence that holds its duration (where its event and action are said)."""
    for clause in re.split(r"[,;,;、]", found.sentence):
        if found.duration_text in clause:
            return clause
    return found.sentence


# What kind of date a question asks for: the last moment (a deadline, a window's end) or the first moment
# something may happen (again). A rule whose direction gives that kind of date is preferred.
# (之前的 qualifies a noun - 之前的消费, the earlier consumption - and asks for no day)
_ASKS_LATEST = re.compile(r"最晚|最迟|截止|期限|到哪天|哪天失效|之前(?!的)|\bby when\b|\bdeadline\b|\blatest\b|\buntil\b|"
                          r"\blast day\b|\bno later\b", re.I)
_ASKS_EARLIEST = re.compile(r"最早|再次|再|下次|多久后|\bagain\b|\bearliest\b|\bnext\b|\bfrom when\b", re.I)
_ASKS_DATE = re.compile(r"哪天|哪一天|什么时候|何时|几号|几点|日期|\bwhen\b|\bwhich (?:day|date)\b|\bwhat (?:date|time)\b",
                        re.I)
_GIVES_LATEST = {"within", "before"}
_GIVES_EARLIEST = {"after", "once_per"}


def date_asking_phrases(question: str) -> tuple[str, ...]:
    """The wording that asks for a date ("what date", 哪天, 什么时候): the question's form, not its topic."""
    return tuple(m.group(0) for pattern in (_ASKS_DATE, _ASKS_LATEST, _ASKS_EARLIEST)
                 for m in pattern.finditer(question))


def asks_for_date(question: str) -> bool:
    """Whether a question asks for a date or a moment (the latest, the earliest, or just when)."""
    return bool(_ASKS_DATE.search(question) or _ASKS_LATEST.search(question) or _ASKS_EARLIEST.search(question))


def best_duration_rule(question: str, ranked_chunks: Sequence[Chunk]) -> DurationRule | None:
    """The duration rule of ``ranked_chunks`` (best first) that the question is about, or None.

    Each rule is scored by the words it shares with the question, weighted by how few of the candidate
    rules contain them (a word every candidate shares decides nothing): its own clause and event count
    fully, the rest of its sentence and the sentence before it by half. A rule whose direction gives the
    kind of date asked for (the latest day, or the first day it may happen again) ranks above those that
    do not; the chunk's rank breaks ties. A question that shares no word with a rule's clause gets no rule.
    """
    asked = _grams(question)
    candidates: list[tuple[int, DurationRule, set[str], set[str]]] = []
    for rank, chunk in enumerate(ranked_chunks):
        sentences = split_sentences(chunk.text)
        for found in find_duration_rules(chunk.text, chunk_id=chunk.id, source=chunk.source).rules:
            near = _grams(_clause(found)) | _grams(found.event or "")
            # the sentence before often names what "it" is ("The statement is generated ... Confirm it within")
            at = sentences.index(found.sentence) if found.sentence in sentences else 0
            context = found.sentence + " " + (sentences[at - 1] if at > 0 else "")
            candidates.append((rank, found, near, _grams(context) - near))
    if not candidates:
        return None
    df: dict[str, int] = {}
    for _, _, near, rest in candidates:
        for gram in near | rest:
            df[gram] = df.get(gram, 0) + 1
    total = len(candidates)

    def weight(grams: set[str]) -> float:
        return sum(math.log(1 + total / df[g]) for g in grams)

    latest, earliest = bool(_ASKS_LATEST.search(question)), bool(_ASKS_EARLIEST.search(question))
    action = _asked_action(question)
    best: tuple[tuple[bool, float], DurationRule] | None = None
    for rank, found, near, rest in candidates:
        if not asked & near:
            continue
        if action and not action & (near | _grams(found.sentence)) and not _characters_held(action, found.sentence):
            # the rule's clause says nothing of what is asked ("when can I get a reply?" is not answered by
            # "you can urge a ticket once every 24 hours"): no date is computed from it
            continue
        # A rule that cannot give the kind of date asked for ranks below every rule that can.
        fits = latest == earliest or found.direction in (_GIVES_LATEST if latest else _GIVES_EARLIEST)
        score = (fits, weight(asked & near) + 0.5 * weight(asked & rest) - 0.3 * rank)
        if best is None or score > best[0]:
            best = (score, found)
    return best[1] if best else None
