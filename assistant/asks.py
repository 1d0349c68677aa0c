"""A message's asks by sentence function: what each sentence does, and which ones ask something.

Shared by triage (a support case's asks, each answered on its own) and the chat turn (a message with two
or more asks gets each answered). Cheap: regular expressions and the understanding stage's question
grammar, no index."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal

import sentencex

from knowledge.chunking import split_sentences
from knowledge.durations import asks_for_date
from knowledge.lexical import to_simplified, tokenize

from tools.model import BEIJING

from .slots import extract
from .understanding import asks_how, asks_where, asks_yes_no

# CBC.0100, PTN.4004, MKT.0001 (cbc.0100 typed in lower case too; "No.2026" is a number, not a code family)
CODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2,6}|[a-z]{3,6})\.\d{2,10}(?![0-9])")

# Asks by sentence function. A case's sentences are read as what they do: a question (a question mark or
# the question grammar the understanding stage reads: yes/no, A-not-A, how/when/where, asking for a date),
# a request (an opening that asks for something: 请告知, "please confirm", "we would like"), a problem report (a
# negated or failed predicate: 看不到, 还没显示, "is not visible", "rejected", "keeps returning 502"), or a fact
# (今天是2026-11-23, "We are in London."). Questions, requests and problems are asks; facts are what the asks
# share. A question that names no topic of its own ("Is that a rule?", "What does this code mean?") is about
# what was said just before it, so it is read with that sentence.
_QUESTION_MARK = re.compile(r"[??]\W*$")
# An indirect question: "finance asks whether they can share an invoice", "wonders if it is by design".
_INDIRECT = re.compile(r"\bwhether\b|\b(?:ask|asks|asked|asking|wonder|wonders|wondering)\s+(?:if|when|how|what|which|why|who)\b",
                       re.I)
_REQUEST = re.compile(r"^\W*(?:\w{0,4}[,,]\s*)?(?:另|也|还|顺便|同时)?(?:请|烦请|麻烦|劳烦|帮忙|帮我|想问|想了解|想确认|想知道|"
                      r"需要确认|请问)|^\W*(?:\w+\s+){0,2}(?:please|kindly)\b|\b(?:would|'d) (?:also )?like\b|"
                      r"\b(?:want|wants|need|needs) to (?:know|confirm|check)\b|\blet (?:us|me) know\b", re.I)
_NEGATED = re.compile(r"(?:不|没|未|无法|无从)(?!同|论|仅|过|错|久|少|多|管)[\u4e00-\u9fff]|还没|"
                      r"\b(?:not|cannot|can't|don't|doesn't|didn't|won't|isn't|aren't|never|no longer)\b|"
                      r"失败|报错|出错|异常|拒绝|驳回|\b(?:fail\w*|error\w*|reject\w*|denied|refus\w*)\b|"
                      r"(?:返回|报|returns?|returning|gets?|getting|throws?|throwing)\s*(?:了\s*)?(?:一?个\s*)?(?:HTTP|状态码|status)?\s*[1-5]\d{2}(?!\d)", re.I)
_OPENING_AUX = re.compile(r"^\W*(?:\(?\w{1,2}[).]\s*)?(?:and |also |so |but )?(?:what|when|where|which|who|why|how|"
                          r"is|are|was|were|do|does|did|can|could|may|might|shall|should|will|would|has|have)\b", re.I)
_CLAUSE = re.compile(r"(?<=[。!?!?;;\n])\s*|(?<=[.?!])\s+")

Function = Literal["question", "request", "problem", "fact"]


# A field line (收件日期:2026-12-03, Received: 2 Dec 2026, 申付单号:PR-0815): a label and a value with digits,
# no predicate - it states a fact, whatever words its label holds.
_DATE_CHARS = {ord(c): None for c in "年月日号时分秒"}
_FIELD_LINE = re.compile(r"^[^::\n?？]{1,24}[::]\s*(?=[^\n]*\d)[\w\s\-/.:,#年月日号时分秒]+$")


# What may be left of a value once the date parser's readings are taken out, when the value is only a moment:
# punctuation, a zone, a weekday (written out or abbreviated: a full name is tried first), a preposition.
MOMENT_LEFTOVER = re.compile(r"[\s,,.。()()\[\]+\-:/]|utc|gmt|cst|bjt|北京时间|am|pm|on|at|周.|星期.|"
                             r"[a-z]{3,6}day|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun", re.I)
_LABEL = re.compile(r"^[^::\n??]{1,24}[::]")


def only_a_moment(value: str, clock: datetime | None = None) -> bool:
    """Is ``value`` nothing but a date and time, read by the project's date parser in any format it reads
    ("Mon, Nov 30, 2026 at 9:05 AM", 2026年12月2日 星期三 下午 4:15)?"""
    if not re.search(r"\d", value):
        return False
    slots = extract(value, clock or datetime(2026, 1, 1, tzinfo=BEIJING))  # only the spans are used
    if not slots.dates and not slots.datetimes:
        return False
    rest = to_simplified(value).lower()
    for span in sorted(slots.spans, key=len, reverse=True):
        rest = rest.replace(span.lower(), " ")
    return not MOMENT_LEFTOVER.sub("", rest).strip()


def is_field_line(line: str) -> bool:
    """A header field with a date, number or identifier as its value (工单编号:GD-0032, Received: 2 Dec 2026),
    or with nothing but a moment however it is written (an e-mail header "Date: Mon, Nov 30, 2026 at 9:05 AM",
    发送时间: 2026年12月2日 星期三 下午 4:15: its weekday and day-part words are the date's)."""
    text = to_simplified(line.strip()).rstrip("。")  # a field written as a sentence (收件日期:2026/11/28。) is one too
    label = _LABEL.match(text)
    if label is None:
        return False
    value = text[label.end():]
    if _FIELD_LINE.match(text) and not re.search(r"[\u4e00-\u9fff]", value.translate(_DATE_CHARS)) \
            and len(re.findall(r"[A-Za-z]+", value)) <= 3:
        return True
    return only_a_moment(value)


# A label introducing a sentence ("问题描述:…?", "Question: when …?"): the label is the sentence's container.
_CONTAINER = re.compile(r"^\s*[^::\n??。!!.]{1,24}?\s*(?<!\d)[::](?!\d)\s*(?=\S)")  # 0:30 is a time, no label


def unlabelled(sentence: str) -> str:
    """The sentence a label introduces, when what follows the label asks something on its own; else the
    sentence as it is (a field line's value is no sentence: 申付单号:PR-0815 stays whole)."""
    match = _CONTAINER.match(sentence)
    if match is None or is_field_line(sentence):
        return sentence
    value = sentence[match.end():]
    return value if sentence_function(value) in ("question", "request", "problem") else sentence


# The embedded question of an indirect one: the clause from "whether", or from the wh-word after a verb of asking.
_EMBEDDED = re.compile(r"\bwhether\b|\b(?:ask|asks|asked|asking|wonder|wonders|wondering|know|confirm|check)\s+"
                       r"(?P<wh>(?:if|when|how|what|which|why|who)\b)", re.I)


def embedded_question(sentence: str) -> str:
    """What an indirect question asks: "Our finance team would like to know whether customer consumption can
    serve as a repayment basis" asks "whether customer consumption can serve as a repayment basis". The
    clause reporting the asking (who asks, that they want to know) is the ask's form, like a label
    introducing it (问题描述:), and its words are no topic: read as the question, words the documents never
    use (finance, colleagues, separately) refused a question they answer. Any other sentence as it is."""
    match = _EMBEDDED.search(sentence)
    start = match.start("wh") if match is not None and match.group("wh") else match.start() if match else 0
    if start == 0:
        return sentence
    rest = re.sub(r"[.。!]*$", "", sentence[start:].strip())  # asked as the question it is
    return rest + "?" if len(re.findall(r"\w+", rest)) >= 4 else sentence


# What may follow a request marker when it requests nothing (closed classes): personal pronouns (the reader or
# the writer), sentence-final and aspect particles, the courtesy adverbs 一下 / 啦, punctuation.
_EMPTY_COMPLEMENT = re.compile(r"(?:[\W_]|您|你|你们|我|我们|大家|了|啦|呀|啊|吧|哈|哦|喔|一下|"
                               r"\b(?:you|us|me|all)\b|\s)*", re.I)


def sentence_function(sentence: str) -> Function:
    """What a case's sentence does: asks a question, makes a request, reports a problem, or states a fact."""
    text = to_simplified(sentence.strip())
    if is_field_line(text):
        return "fact"
    request = _REQUEST.search(text)
    # A request must request something: a marker whose complement is only the reader and a particle (麻烦您了,
    # 麻烦了, "Please!") is a courtesy closing a case, no ask.
    if request and _EMPTY_COMPLEMENT.fullmatch(text[request.end():]):
        return "fact"
    if request:  # 请问…吗? is a request that also asks: either way an ask
        return "request"
    if _QUESTION_MARK.search(text) or _OPENING_AUX.search(text) or _INDIRECT.search(text) or asks_yes_no(text) \
            or asks_for_date(text) or (asks_how(text) and not text.endswith(("。", "."))) or asks_where(text):
        return "question"
    if _NEGATED.search(text):
        return "problem"
    return "fact"


def written_sentences(text: str) -> list[str]:
    """The sentences of written text, line by line: a sentence ends at its final punctuation whether or not a
    space follows ("...received on 27 Nov 2026.Our sales rep asks...", "收到.客户经理问"), while abbreviations,
    decimals and codes (Dec. 3, U.S., 12.5万, CBC.0100) stay inside their sentence. sentencex (Wikimedia's
    rule-based segmenter, chosen on those cases over pysbd and syntok: 11 of 11 against 5 each) decides the
    ASCII ends; Chinese ends are its own too."""
    return [s.strip() for line in text.splitlines() for s in sentencex.segment("en", line) if s.strip()]


def reports_problem(message: str) -> bool:
    """Does the message report a problem in one of its clauses (a negated or failed predicate: 消费都没有,
    "gets HTTP 400"), whatever else the sentence does? A support case's ask that does asks for whatever the rules compute about it, whether or
    not it asks in so many words ("…之前的消费都没有,是不是漏了?"); an ask reporting nothing ("Can the late fee be
    waived?") says what it asks, and is answered by a tool only when the tool computes that, as in the chat."""
    return any(_NEGATED.search(to_simplified(s)) and not is_field_line(s) for s in sentences_of(message))


def sentences_of(body: str) -> list[str]:
    return [p.strip() for line in split_sentences(body) for s in written_sentences(line)
            for p in _CLAUSE.split(s) if p.strip()]


def asks_of(body: str, names_topic: Callable[[str], bool] | None = None,
            asking: tuple[Function, ...] = ("question", "request", "problem"),
            same_topic: Callable[[str, str], bool] | None = None, follow_ons: bool = False) -> list[str]:
    """The body's asks, in order: its questions, requests and problem reports (``asking``: the functions
    that count as asks; the others are facts). ``names_topic`` says whether a sentence names a topic of its
    own; a question that does not is read with the sentence before it. ``same_topic(a, b)`` says whether two
    sentences name the same topic: a question right after a problem report on its topic asks about that
    problem ("The offering could not be linked to the PO. Will the PO still move forward?"), one ask.
    ``follow_ons``: a question naming no topic right after another question stays an ask of its own (a chat
    message's "…几号生成?到时候还没生成怎么办?"): the caller reads it in the earlier ask's context and answers
    or refuses it on its own, instead of folding it into the earlier ask, where it went unanswered."""
    asks: list[str] = []
    before: str | None = None
    before_function: Function | None = None
    for sentence in sentences_of(body):
        sentence = unlabelled(sentence)
        function = sentence_function(sentence)
        if function not in asking:
            before, before_function = sentence, function
            continue
        bare = names_topic is not None and not names_topic(sentence)
        # "Does that top-up count?", "这笔订单的业绩什么时候能看到?": a demonstrative points at what the fact just
        # before told, which is then part of the question.
        refers = same_topic is not None and before_function == "fact" and bool(_DEMONSTRATIVE.search(sentence))
        about_problem = same_topic is not None and before_function == "problem" and bool(asks) \
            and asks[-1] == before and not _OPENS_ANOTHER.match(sentence) and same_topic(before, sentence)
        follows_question = follow_ons and bare and before_function in ("question", "request")
        if function == "question" and before is not None and (bare or about_problem or refers) \
                and not follows_question:
            if asks and asks[-1] == before:
                asks.pop()  # the question is about the problem just reported: one ask
            sentence = f"{before} {sentence}" if re.search(r"[A-Za-z]\W*$", before) else before + sentence
        asks.append(sentence)
        before, before_function = sentence, function
    return asks


def names_topic(router, sentence: str) -> bool:  # noqa: ANN001 - the assistant's ToolRouter
    """Does the sentence name a topic of its own: a domain word only some tools use, a code, or more words
    than a bare back-reference has ("Is that a rule?", "这个正常吗?" name none; a refund question does)?"""
    text = to_simplified(sentence).lower()
    return bool(router.topic_terms(text) - router.generic_terms() or CODE.search(sentence) or len(tokenize(text)) > 3)


# A clause that opens with a discourse marker adding another matter (另外, 还有, 顺便问一下, also, besides)
# starts an ask of its own even inside one sentence: "10月的账单何时出,另外主管能报备商机吗".
_ANOTHER = re.compile(r"[,,;;]\s*(?=(?:另外|此外|还有|另|顺便|同时|再问|再有|also\b|and also\b|besides\b|plus\b))", re.I)


# A demonstrative determiner before a noun (closed classes): 这笔 / 这些 / 此项, this / that / these / those + a
# word that is no verb ("that is", "that can" are pronouns, "so that" a conjunction).
_DEMONSTRATIVE = re.compile(r"这[个些笔张份项位家次种]|此[笔张份项]|"
                            r"(?<!\bso )\b(?:this|that|these|those)\s+(?!(?:is|was|are|were|will|would|can|could|"
                            r"should|may|might|does|did|has|had|means?)\b)[a-z][a-z-]*", re.I)
_OPENS_ANOTHER = re.compile(r"\W*(?:另外|此外|还有|另|顺便|同时|再问|再有|also\b|and also\b|besides\b|plus\b|separately\b)",
                            re.I)  # the same markers opening a sentence: another matter, not the problem before


def opens_another(sentence: str) -> bool:
    """Does the sentence open with a discourse marker adding another matter (另外…, "Also, …")? It is then an
    ask of its own, never a follow-on of the sentence before it, whatever topic words the index knows."""
    return bool(_OPENS_ANOTHER.match(sentence))


# A clause break: a comma not inside a number (2,000); in English only before a conjunction that adds a
# clause ("…generated, and can a supervisor…"), since an English clause before a comma is often subordinate
# ("When a customer tops up, is any performance recorded?").
_COMMA = re.compile(r"(?<=\uff0c)\s*|(?<=[^\x00-\x7f],)\s*|(?<=,)(?!\d{3}(?!\d))(?=\s*(?:and|or|but|also|plus)\b)\s*",
                    re.I)


def _question_clauses(sentence: str, names_topic: Callable[[str], bool]) -> list[str]:
    """A sentence whose comma clauses ask two or more things, each naming a topic of its own (储值卡充值算不算业绩,
    9月30号的业绩哪天能看), as those clauses; any other sentence whole (客户是上周分给我的,消费看板从哪天算? is one
    ask with its fact). Only a sentence with a comma is read this way."""
    if "," not in sentence and "\uff0c" not in sentence:
        return [sentence]
    clauses = [c for c in _COMMA.split(sentence) if c.strip()]
    asking = [c for c in clauses if sentence_function(c.rstrip(",\uff0c ")) in ("question", "request")
              and names_topic(c)]
    if len(asking) < 2:
        return [sentence]
    out: list[str] = []
    pending = ""
    for clause in clauses:  # a clause that asks nothing goes with the ask after it (the last with the one before)
        pending += clause
        if clause in asking:
            out.append(pending.rstrip(",\uff0c "))
            pending = ""
    if pending:
        out[-1] += "," + pending.rstrip(",\uff0c ") if out else pending
    return out


def message_asks(message: str, names_topic: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """A chat message's asks and its facts ("我在东京", "We're based in Tokyo."), in order; no asks for a
    message with fewer than two (the turn then reads the whole message as one question, as before).

    A chat message's problem report ("账单还没出来") is context for its questions, not an ask of its own:
    unlike a support case, the reader is the one asking, and says what they want to know."""
    sentences = [clause for s in sentences_of(message) for part in _ANOTHER.split(s) if part.strip()
                 for clause in _question_clauses(part, names_topic)]
    if len(sentences) < 2:  # one sentence is one ask: nothing to split (the common case, no parsing)
        return [], []
    asks = asks_of("\n".join(sentences), names_topic, asking=("question", "request"), follow_ons=True)
    if len(asks) < 2:
        return [], []
    facts = [s for s in sentences if sentence_function(s) not in ("question", "request")]
    return asks, facts


# Interrogative words and particles (closed classes): what a statement holds none of. 几 and 那么 are left in
# on purpose: a message with them is read as it always was, not as a statement.
_INTERROGATIVE = re.compile(r"什么|啥|哪|几|多[少久长大高快远]|谁|怎|咋|为何|吗|呢|吧|么|是否|能否|可否|行不行|"
                            r"\b(?:what|when|where|which|who|whom|whose|why|how|whether)\b|\bor (?:nah|not)\b|[??]|"
                            # a tag question after a comma: "..., is that allowed"
                            r"[,,]\s*(?:is|are|can|could|does|do|will|would|should)\s+(?:that|it|this|he|she|they|we|i)\b|"
                            # a wish is a request ("我有三笔激励想合并开票", "we want to merge them")
                            r"想|希望|打算|\b(?:want|wants|wanna|would like|'d like|need to|needs to)\b",
                            re.I)
# A declarative states what is: a copula, existential or possessive verb, or a completed event (sentence-final
# 了); closed classes. An imperative ("Tell me a joke", 告诉我…) or a bare topic ("伙伴账单生成时间") has none.
_DECLARATIVE = re.compile(r"是|在|有|属于|位于|了\W*$|\b(?:am|is|are|was|were|have|has|had)\b|'(?:m|re|s|ve)\b", re.I)


# A negated state is a fact, not a problem report: a negated copula or belonging (不是, 不属于, "is not", "isn't")
# or a contrast ("…, not mine", "not me"). Closed classes; what they leave must report nothing failing.
_NEGATED_STATE = re.compile(r"不是|并非|不属于|\b(?:(?:is|are|was|were)\s+not|isn't|aren't|wasn't|weren't)\b(?!\s+\w+ing\b)|"
                            r"\bnot\s+(?:mine|ours|his|hers|theirs|yours|me|us|him|her|them)\b", re.I)


def _states(sentence: str) -> bool:
    """A fact, or a negated state (the customer is not mine), which states as much as a fact does."""
    function = sentence_function(sentence)
    if function == "fact":
        return True
    text = to_simplified(sentence)
    return function == "problem" and bool(_NEGATED_STATE.search(text)) and \
        not _NEGATED.search(_NEGATED_STATE.sub(" ", text))


def states_only(message: str) -> bool:
    """Does the message only state facts ("我是在东京的", "The customer is under my colleague's name, not mine.")
    - every sentence a fact or a negated state, none a question, request or problem report, and no
    interrogative word or particle?"""
    sentences = sentences_of(message)
    text = to_simplified(message)
    return bool(sentences) and all(_states(s) for s in sentences) and \
        not _INTERROGATIVE.search(text) and not CODE.search(message) and bool(_DECLARATIVE.search(text))


def closed(sentence: str) -> str:
    """The sentence with a full stop when it has no closing punctuation (a statement read before a question)."""
    text = sentence.strip()
    if not text or re.search(r"[。.!!??;;]$", text):
        return text
    return text + ("." if re.search(r"[A-Za-z0-9)]$", text) else "。")


def joined(*parts: str) -> str:
    """Sentences read as one message: a space after Latin script, nothing between Chinese ones."""
    out = ""
    for part in parts:
        part = part.strip()
        out = part if not out else out + (" " if re.search(r"[A-Za-z0-9][.?!,;:]*$", out) else "") + part
    return out
