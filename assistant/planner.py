"""The plan stage: from the Frame and the Evidence to tool runs, one follow-up question, or nothing.

``Planner.plan`` picks what answers the turn: a duration rule the best passage states, the tools the Frame
names (each planned from the Frame's slots and what earlier turns carried, run when complete, asked about
when a detail is missing), the dialogue moves that act on earlier turns (refer back, convert, unclear), or
nothing (the orchestrator then quotes the evidence or refuses). Arguments for one tool are filled by
``planning.plan``; the tools are ``tools/``; rendering a result is ``compose``.
"""

from __future__ import annotations

import typing
import unicodedata
import re
from dataclasses import dataclass, field
from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from knowledge import KnowledgeIndex, Retriever
from knowledge.chunking import split_sentences
from knowledge.durations import asks_for_date, best_duration_rule
from knowledge.lexical import to_simplified, tokenize
from tools import RULES, Tool, ToolInputError
from tools.workdays import CalendarData

from .answer import Citation, ToolCall
from .catalogue import with_catalogue
from .compose import (Piece, Said, Section, both, converted_times, explanation, gloss_lines, input_errors_text,
                      menu_line, moment_in_zone, notes_line, rule_citations, rule_lines, source_citations, steps_lines)
from .evidence import Evidence, Passage
from .evidence.alignment import match
from .evidence.frame import read_frame
from .understanding.bilingual import translations
from .extractive import is_procedural
from .language import Variant
from .planning import CHOICES, DECIDES, FOLLOW_UPS, TOPICS, Plan, plan, topics_taking
from .routing import ToolRouter
from .slots import Slots
from .understanding import (DialogueState, Frame, LastResult, LastTopic, Normalised, PendingTool, asks_amount,
                            asks_meaning, asks_open, asks_yes_no)


# Tool choice for a fresh question. Chosen on the dev split (dialogues, assistant, triage), in the middle
# of the plateaus where nothing regressed: weight 0.15-0.25, rank power 2-3, floor 0.25-0.35, alignment 0.05-0.15.
FRESH = ("new", "switch")  # moves that start a topic: their tools are chosen from router and evidence
GROUND_WEIGHT = 0.2        # weight of the grounding (1 / rank^RANK_POWER) beside the router's score
RANK_POWER = 2             # rank 1 counts 1, rank 2 a quarter, rank 3 a ninth
CANDIDATE_FLOOR = 0.30     # router score below which a tool is not considered at all
OVERRIDE_GROUNDING = 0.25  # one tool answers a refused question alone: its rule passage among the first two
ALIGNMENT = 0.1            # IDF-weighted share of the question's words a rule sentence must hold to ground its tool
QUOTED_BESIDE = 0.5        # a quoted rule whose sentence holds under this share of the best one's frame words answers nothing


_CODE = re.compile(r"[a-z]{2,6}\.\d{2,10}")  # an error code as the query tokens hold it (ptn.4004)
_NAMED_CODE = re.compile(r"(?<![a-z0-9.])[a-z]{2,6}\.\d{2,10}(?![0-9.])", re.I)  # ... and as a message writes it


def named_codes(text: str) -> list[str]:
    """The error codes a message names (CBC.0100, ptn.4004), upper-cased family, in order, each once."""
    return list(dict.fromkeys(m.group(0).split(".", 1)[0].upper() + "." + m.group(0).split(".", 1)[1]
                              for m in _NAMED_CODE.finditer(text)))


def _alignment(passage: Passage, rule_ids: set[str], words: dict[str, float]) -> float:
    """IDF-weighted share of ``words`` held by the sentences of ``passage`` that state ``rule_ids``."""
    total = sum(words.values())
    if total <= 0:
        return 0.0
    text = passage.chunk.text
    held: set[str] = set()
    for rule_id in rule_ids:
        anchor = unicodedata.normalize("NFKC", RULES[rule_id].anchor)
        start = text.find(anchor)
        if start < 0:
            continue
        end = start + len(anchor)
        for at, sentence in enumerate(passage.sentences):
            if sentence.start < end and sentence.end > start:
                # a rule answering an FAQ's question is about that question's words too ("无法关联Offering的PO
                # 是否可以在系统继续流转? PCE是开放机制…": the rule sentence itself names neither PO nor Offering)
                asked = passage.sentences[at - 1] if at > 0 and passage.sentences[at - 1].question else None
                for held_sentence in (sentence, asked) if asked is not None else (sentence,):
                    tokens = set(tokenize(held_sentence.text))
                    held |= {w for w in words if w in tokens or w in held_sentence.text}
    return sum(words[w] for w in held) / total


def _english_forms(token: str, question: str) -> set[str]:
    """An English index token and the question's words it was stemmed from (basi: basis)."""
    return {token, *(w for w in re.findall(r"[a-z]+", question.lower()) if w.startswith(token))}


def _held_degrees(words: dict[str, float], sentence: str, question: str = "") -> dict[str, float]:
    """How far a sentence holds each of ``words`` (0..1): softly aligned (``evidence.alignment.match``), and an
    English word through its Chinese dictionary translations of two characters or more (basis: 依据), since
    the corpus is Chinese."""
    text = to_simplified(sentence).lower()
    tokens = frozenset(tokenize(sentence))
    return {w: 1.0 if (w.isascii() and w.isalpha() and any(
                len(t) >= 2 and t in text for form in _english_forms(w, question) for t in translations(form)))
            else match(w, tokens, text) for w in words}


def _held_share(words: dict[str, float], sentence: str, question: str = "") -> float:
    """IDF-weighted share of ``words`` a sentence holds (``_held_degrees``)."""
    total = sum(words.values())
    if total <= 0:
        return 0.0
    degrees = _held_degrees(words, sentence, question)
    return sum(words[w] * degrees[w] for w in words) / total


def _value_detail(tool: Tool, detail: str | None) -> bool:
    """Is the missing detail a value the tool computes with (a date, a period, an amount, a code), rather than
    a choice that selects which rule applies (batch or single, the role, what the PO is linked to)? Read from
    the tool's input model: the field the detail names (``billing_period`` for ``period``) is neither an
    enumeration nor a yes/no."""
    if not detail or "catalogue" in tool.input_model.model_fields:
        return False  # a lookup's key (an error code) selects the row that answers: it decides the answer
    for name, field_info in tool.input_model.model_fields.items():
        if name == detail or name.endswith("_" + detail):
            annotation = field_info.annotation
            parts = [a for a in (typing.get_args(annotation) or (annotation,)) if a is not type(None)]
            return not any(a is bool or typing.get_origin(a) is Literal
                           or typing.get_origin(a) is typing.Annotated and typing.get_origin(typing.get_args(a)[0]) is Literal
                           for a in parts) and annotation is not bool and typing.get_origin(annotation) is not Literal
    return False


def _output_kinds(tool: Tool) -> frozenset[str]:
    """What a tool's output gives, read from its output model's field types: dates, amounts, verdicts."""
    kinds = set()
    for field_info in tool.output_model.model_fields.values():
        annotation = field_info.annotation
        parts = typing.get_args(annotation) or (annotation,)
        for part in parts:
            if part in (date_type, datetime):
                kinds.add("date")
            elif part is Decimal:
                kinds.add("money")
            elif part is bool or (typing.get_origin(annotation) is typing.Literal and {"yes", "no"} & set(parts)):
                kinds.add("verdict")
            elif typing.get_origin(annotation) is typing.Literal or typing.get_origin(part) is typing.Literal:
                # a categorical result (a bill's status, a code's class) says what state a thing is in
                kinds.add("class")
    return frozenset(kinds)


@dataclass
class Outcome:
    """What the plan stage produced for the turn, in a language-neutral form (``compose.render`` gives the
    reader's language once, at the end): answer sections, citations, tool calls, a follow-up."""

    sections: list[Section] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    follow_up: Piece | None = None
    choices: list[Piece] = field(default_factory=list)
    pending: PendingTool | None = None
    result: LastResult | None = None
    variant: Variant | None = None  # set when the answer is rendered in another language than the message's

    @property
    def language(self) -> Literal["zh", "en"] | None:
        return None if self.variant is None else "en" if self.variant == "en" else "zh"

    def add(self, section: Section, sourced: bool = False) -> None:
        """Append a section; ``sourced``: its numbers count as sources (our readings, stated refusals)."""
        self.sections.append(section)
        if sourced:
            self.sources.extend(both(line) for line in section if not isinstance(line, tuple))

    def cite(self, citations: list[Citation]) -> None:
        """Add citations once each; their text becomes a source the number check accepts."""
        seen = {c.chunk_id for c in self.citations}
        for citation in citations:
            if citation.chunk_id not in seen:
                seen.add(citation.chunk_id)
                self.citations.append(citation)
        self.sources.extend(c.text for c in citations)


class Planner:
    """The plan stage of one assistant: its retriever's index (for rule citations) and its tools."""

    def __init__(self, retriever: Retriever, tools: dict[str, Tool], router: ToolRouter) -> None:
        self.retriever = retriever
        self.tools = tools
        self.router = router
        self.calendar: CalendarData | None = None  # imported official schedules, set by the assistant

    @property
    def index(self) -> KnowledgeIndex:
        return self.retriever.index

    def plan(self, frame: Frame, state: DialogueState, now: datetime, evidence: Evidence,
             relates: bool) -> Outcome | None:
        """The turn's tool answer, or None (the evidence is then quoted or the question refused).
        ``relates``: the message continues the conversation (it names no topic of its own)."""
        norm, slots = frame.norm, frame.slots
        best = evidence.best.chunk.id if evidence.best else None
        outcome = None
        if evidence.supported and not relates:
            # The best passage states a duration rule and no hand-written tool's rule: compute from it.
            outcome = self._duration(norm, slots, evidence, best_only=True)
        if outcome is None:
            if frame.move in FRESH and not frame.restored:
                frame.tools = self.choose(frame, state, now, evidence)
            outcome = self._act(frame, state, now, asks_about=None if evidence.supported or relates else best,
                                quoted=self._quoted_rules(evidence, self.index) if frame.move in FRESH and not relates else None)
        if outcome is None and evidence.supported:
            outcome = self._duration(norm, slots, evidence)
        return outcome

    def choose(self, frame: Frame, state: DialogueState, now: datetime, evidence: Evidence) -> list[tuple[str, dict]]:
        """The tools a fresh question (a new topic) runs, from two signals: how the router scores the
        question's wording against each tool, and where the evidence ranks the tool's own rule passage.
        A tool whose rule no retrieved passage states is not grounded and never runs; the best grounded
        tool runs, with any other within the margin. Later turns of the same topic (continue, modify)
        keep the tool chosen here: their short messages ("8月的", "批量申请") retrieve little of their own."""
        text, slots = frame.norm.simplified, frame.slots

        def complete(tool: str) -> bool:
            candidate = plan(tool, text, slots, now, None)
            return candidate.applicable and candidate.complete and tool != "menu_path_lookup"

        facts = state.carried_facts
        if named_codes(text) and "error_code_lookup" in self.tools:
            # A message naming an error code asks about that code: the catalogue's exact row answers it (or
            # the tool says no indexed table lists it), whatever the wording scores and wherever retrieval
            # ranks the table (a table of neighbouring codes can outrank the one holding the row).
            others = [(name, carried) for name, carried in self._choose(frame, text, complete, facts, evidence)
                      if name != "error_code_lookup"]
            return [("error_code_lookup", facts("error_code_lookup")), *others]
        return self._choose(frame, text, complete, facts, evidence)

    def _choose(self, frame: Frame, text: str, complete: typing.Callable[[str], bool],
                facts: typing.Callable[[str], dict],
                evidence: Evidence) -> list[tuple[str, dict]]:
        scored = []
        for route in self.router.candidates(text, evidence=complete):
            if route.tool == "menu_path_lookup":
                # The menu tool states no rule of its own: it competes on wording alone, as before.
                if route.tool in dict(frame.tools) or route.score >= self.router.threshold:
                    scored.append((route.score, route, 0.0))
                continue
            if route.score < CANDIDATE_FLOOR:
                continue
            grounding = self.grounding(route.tool, evidence)
            # Grounded somewhere among the passages, a tool competes; only the best passage's own rule,
            # in evidence that supports an answer, lifts a tool the wording alone leaves below the threshold.
            lifts = grounding >= 1.0 and evidence.supported
            if lifts or (grounding > 0 and route.score >= self.router.threshold):
                scored.append((route.score + GROUND_WEIGHT * grounding, route, grounding))
        scored.sort(key=lambda entry: -entry[0])
        if not scored or scored[0][0] < self.router.threshold:
            return [(name, carried) for name, carried in frame.tools if name == "menu_path_lookup"]
        top, best_grounding = scored[0][0], scored[0][2]
        # A runner-up runs beside the best only when both signals keep it there: within the router's margin
        # and grounded at least as well (its rule passage ranked as high); a close call on wording alone is
        # the best tool's answer ("…的消费算哪个账期" is a billing question, not an attribution one).
        chosen = [(route.tool, facts(route.tool)) for i, (total, route, grounding) in enumerate(scored)
                  if total >= self.router.threshold and top - total <= self.router.margin
                  and (i == 0 or route.tool == "menu_path_lookup" or grounding >= best_grounding)]
        if "menu_path_lookup" in dict(frame.tools) and "menu_path_lookup" not in dict(chosen):
            chosen.append(("menu_path_lookup", facts("menu_path_lookup")))  # "how do I view X" wants the steps too
        return chosen

    def answers_alone(self, frame: Frame, state: DialogueState, now: datetime, evidence: Evidence,
                      implied: bool = False) -> bool:
        """A fresh question one tool answers on its own: the router routes it by wording (its details
        supplied by the message), one of the two best passages states its rule in a sentence holding the question's
        topic words (its values aside, the words the index never uses counted against it), the message
        completes its arguments, and the question asks for what the tool computes (``implied``: a support
        case's ask, which asks for whatever the rules compute about what it reports)."""
        if frame.move not in FRESH:
            return False
        text, slots = frame.norm.simplified, frame.slots
        values = tuple(slots.spans)
        for route in self.router.route(text, evidence=lambda t: self._complete(t, text, slots, now)):
            if route.tool != "menu_path_lookup" and self.grounding(route.tool, evidence, values) >= OVERRIDE_GROUNDING \
                    and self._complete(route.tool, text, slots, now, state.carried_facts(route.tool)) \
                    and (implied or self._computes_asked(route.tool, text, evidence)):
                return True
        return False

    def _computes_asked(self, tool: str, text: str, evidence: Evidence | None) -> bool:
        """Does the question ask for what the tool computes: a date ("哪天", "which day") from a tool with a
        date in its output, an amount from one with an amount, a yes or no from one with a verdict? An open
        how / who / how-many question ("怎么交接", "谁能看", "重试几次") asks something the tool does not give."""
        kinds = _output_kinds(self.tools[tool])
        return (("date" in kinds and asks_for_date(text))
                or ("money" in kinds and (evidence is not None and "money" in evidence.asked_kinds or asks_amount(text)))
                or (bool(kinds & {"verdict", "class"}) and asks_yes_no(text))
                # "…是什么意思", "what does 400 mean": the class a categorical result names; a named code's meaning
                # is what its own row states, which its status class does not give
                or ("class" in kinds and asks_meaning(text) and not named_codes(text))
                # No open interrogative at all (能看不, "or nah", 麻烦看下): a request to check the case, which a
                # verdict or a state answers; an open how / who / when / what question is not one.
                or (bool(kinds & {"verdict", "class"}) and not asks_open(text)))

    @staticmethod
    def _complete(tool: str, text: str, slots: Slots, now: datetime, carried: dict | None = None) -> bool:
        candidate = plan(tool, text, slots, now, carried)
        return candidate.applicable and candidate.complete and tool != "menu_path_lookup"

    def grounding(self, tool: str, evidence: Evidence, values: tuple[str, ...] = (),
                  alignment: float = ALIGNMENT) -> float:
        """How well the evidence grounds ``tool``: 1 / rank^RANK_POWER of the first retrieved passage in
        which a sentence stating one of the tool's rules (menu anchors aside: a menu path is no rule)
        holds at least ``alignment`` of the question's words, weighted by their IDF in the index; 0 when
        none does. A passage matched only through another sentence (the menu line "业绩看板" of a chunk
        whose truncated first sentence is an attribution rule) does not ground the rule it also states.
        ``values`` are the message's spans read as details (dates, amounts): their words are no topic."""
        own = {r for r in self.tools[tool].rules if not r.startswith("menu.")}
        words = self._question_words(evidence, values)
        # A code-table row is error_code_lookup's rule for the code it lists (read from the index at build):
        # the passage holding the row of a code the question names grounds it.
        asked = {t.upper() for t in (evidence.search.query_tokens if evidence.search else ()) if _CODE.fullmatch(t)}
        for passage in evidence.passages:
            if asked and tool == "error_code_lookup" and asked & {e.code for e in passage.chunk.error_codes}:
                return 1.0 / passage.rank ** RANK_POWER
            stated = own & passage.rule_ids
            # A question of no index words at all ("We keep getting 503") cannot be aligned: the passage decides.
            if stated and (not words or _alignment(passage, stated, words) >= alignment):
                return 1.0 / passage.rank ** RANK_POWER
        return 0.0

    def _question_words(self, evidence: Evidence, values: tuple[str, ...] = ()) -> dict[str, float]:
        """The question's words (compounds and their parts alike) with their IDF: the index's words, and the
        words it never uses at the weight of the question's rarest known word (a question about 退款 is not
        held by a sentence that shares only 客户). Words inside a value's span (2026年3月5日) are left out."""
        if evidence.search is None:
            return {}
        bm25 = self.index.lexical()
        detail = {t for span in values for t in tokenize(span)}
        words = {t: bm25.idf(t) for t in set(evidence.search.query_tokens) if bm25.vocabulary_has(t) and t not in detail}
        if words:
            rarest = max(words.values())
            words.update({t: rarest for t in evidence.unknown_terms if t not in words})
        return words

    def rule_chunks(self, tool: str) -> set[str]:
        """The chunks stating ``tool``'s rules."""
        return {c.chunk_id for c in rule_citations(self.index, self.tools[tool].rules)}

    @staticmethod
    def _quoted_rules(evidence: Evidence, index: KnowledgeIndex | None = None) -> frozenset[str] | None:
        """The rules the sentence that answers the question states (None when it states none): a tool missing a
        detail asks for it only if the detail decides one of them. 客户消费…能拿来给华为开票吗 is answered by
        "客户消费并非伙伴的账单,不能作为…开票的依据", which no month and no batch-or-single choice changes."""
        if not (evidence.supported and evidence.best and evidence.best.quote):
            return None
        quote = unicodedata.normalize("NFKC", evidence.best.quote)
        stated = frozenset(r for r in evidence.best.rule_ids
                           if not r.startswith("menu.") and r in RULES
                           and unicodedata.normalize("NFKC", RULES[r].anchor) in quote)
        if len(stated) > 1 and index is not None and evidence.search is not None:
            # A quote of several sentences states the rule that answers the question in the sentence holding
            # the asking clause's words best (the question's frame); a rule only quoted beside it ("客户消费并非
            # 伙伴的账单,不能作为还款依据" is followed by the 18-month look-back) asks no detail of its own.
            frame = read_frame(evidence.query, evidence.search.query_tokens, index.lexical(),
                               index.snapshot().lexicon)
            words = frame.words
            held = {}
            for r in stated:
                anchor = unicodedata.normalize("NFKC", RULES[r].anchor)
                degrees = [_held_degrees(words, s, evidence.query) for s in split_sentences(quote) if anchor in s]
                held[r] = max(degrees, key=lambda d: sum(words[w] * d[w] for w in words), default={})
            share = {r: sum(words[w] * d.get(w, 0.0) for w in words) / (sum(words.values()) or 1) for r, d in held.items()}
            best = max(stated, key=lambda r: share[r])
            holds = lambda r: {w for w, d in held[r].items() if d >= 0.5}  # noqa: E731
            # Set aside: a rule whose sentence holds under half of what the best one holds, or (a frame of three
            # words or more) no asked word the best one does not hold too. A frame of a word or two
            # ("业绩从哪天开始算") is no ground to choose between the sentences by what they hold.
            if share[best] > 0:
                stated = frozenset(r for r in stated if r == best or (
                    share[r] >= QUOTED_BESIDE * share[best] and not (len(words) >= 3 and holds(r) < holds(best))))
        return stated or None

    def _act(self, frame: Frame, state: DialogueState, now: datetime, asks_about: str | None,
             quoted: frozenset[str] | None = None) -> Outcome | None:
        if frame.move == "refer_back" and state.topic is not None:
            return self._refer_back(state.topic, frame.norm.variant)
        if frame.move == "convert" and state.result is not None:
            return self._convert(frame, state.result, now)
        if frame.move == "unclear":
            return self._ask_what(frame)
        if frame.slots.invalid_zone and frame.tools:
            return self._confirm_zone(frame)
        return self._with_tools(frame, now, asks_about, quoted)

    def _with_tools(self, frame: Frame, now: datetime, asks_about: str | None = None,
                    quoted: frozenset[str] | None = None) -> Outcome | None:
        """Tool answers for this turn. ``asks_about`` is set when retrieval found no support: then a
        tool missing a detail asks for it only if its rule is that best chunk; otherwise the follow-up
        question would pretend the topic is covered ("cancel a payment request" is not invoice merging)."""
        if not frame.tools:
            return None
        text, slots = frame.norm.simplified, frame.slots
        plans = [plan(name, text, slots, now, carried) for name, carried in frame.tools]
        plans = [q for p in plans if p.applicable for q in (p, *p.also)]  # one call per item the message gives
        if is_procedural(text) and any(p.complete for p in plans):
            plans = [p for p in plans if p.complete]  # answer the "how", do not ask for details
        elif plans and plans[0].complete:
            # The best tool answers: a runner-up missing a detail adds a question nobody asked.
            plans = [p for p in plans if p.complete]
        if asks_about is not None:
            plans = [p for p in plans if p.complete or asks_about in self.rule_chunks(p.tool)]
        if quoted is not None:
            plans = [p for p in plans if p.complete or DECIDES.get((p.tool, p.missing or ""), quoted) & quoted]
        if not plans:
            return None
        outcome = Outcome()
        for tool_plan in plans:
            if not tool_plan.complete:
                # A question about the rule in general gets the rule; only a particular case that lacks a
                # detail is asked about ("储值卡的业绩怎么算" vs "我们这笔储值卡算业绩吗"). A value the tool
                # computes with (the day a customer was assigned) is asked for only when the question asks
                # what the tool computes from it: "这些客户的消费怎么统计" is answered by the rule, whatever day.
                value = _value_detail(self.tools[tool_plan.tool], tool_plan.missing)
                worth = not value or self._computes_asked(tool_plan.tool, text, None)
                # A choice asked back picks between the tool's rules: both are stated. A value picks none: only
                # the rules the answering sentence states are.
                self._ask(tool_plan, outcome, ask=frame.particular and worth, about=quoted if value else None)
            else:
                self._run(tool_plan, frame.norm.variant, outcome, slots.notes_zh, slots.notes_en)
        return outcome if outcome.sections else None

    def _refer_back(self, topic: LastTopic, reader: Variant) -> Outcome | None:
        """Where the last topic is in the portal: the menu tool on the last question, else its cited menu."""
        outcome = Outcome()
        # the page the last answer's own citations live on first; the question's wording only when they name
        # none (its words can match another page: 主管 is also on the performance dashboard)
        tasks = [path.split(">")[-1].strip() for path in topic.menu_paths]
        tasks += [to_simplified(topic.question).lower()[:500]]
        for task in dict.fromkeys(t for t in tasks if t):
            self._run(Plan("menu_path_lookup", {"task": task}), reader, outcome, [], [])
            if outcome.sections:
                return outcome
        if topic.menu_paths:
            citations = [c for c in (self._citation(i) for i in topic.citations) if c is not None and c.menu_path]
            outcome.add([menu_line(topic.menu_paths[0])])
            outcome.cite(citations)
            return outcome
        return None

    def _citation(self, chunk_id: str) -> Citation | None:
        chunk = self.index.chunk(chunk_id)
        if chunk is None:
            return None
        return Citation(chunk_id=chunk.id, text=chunk.text, quote=chunk.text, source=chunk.source,
                        menu_path=chunk.menu_path, title=chunk.title or None)

    def _convert(self, frame: Frame, last: LastResult, now: datetime) -> Outcome | None:
        """The last result again, in the zone or language this message names (the same rule, recomputed)."""
        variant = frame.convert_to or frame.norm.variant
        if frame.slots.invalid_zone:
            return self._confirm_zone(frame)
        arguments = dict(last.arguments)
        zone = frame.slots.timezone
        moments = [k for k in ("event_time", "assigned_at") if k in arguments]
        if zone and moments:
            # The user re-states the zone of the moment they gave ("如果是北京时间呢?"): the same wall-clock
            # time in that zone, and the rule applied again (a modify, not a display conversion).
            frame.move = "modify"
            for key in moments:
                wall = datetime.fromisoformat(arguments[key]).replace(tzinfo=ZoneInfo(zone))
                arguments[key] = wall.isoformat()
            tool_plan = Plan(last.tool, arguments, state={**last.filled, **{k: arguments[k] for k in moments}})
            outcome = Outcome(variant=frame.convert_to)
            self._run(tool_plan, variant, outcome, frame.slots.notes_zh, frame.slots.notes_en)
            return outcome if outcome.sections else None
        if zone == "Asia/Shanghai":
            arguments.pop("timezone", None)  # the rules' own zone: no local time to add
        elif zone and "timezone" in self.tools[last.tool].input_model.model_fields:
            arguments["timezone"] = zone
        tool_plan = Plan(last.tool, arguments, state={**last.filled, **({"timezone": zone} if zone else {})})
        outcome = Outcome(variant=variant)
        self._run(tool_plan, variant, outcome, frame.slots.notes_zh, frame.slots.notes_en)
        if zone and "timezone" not in self.tools[last.tool].input_model.model_fields and outcome.calls:
            line = converted_times(outcome.calls[0].result, zone)
            if line:
                outcome.add([line], sourced=True)
        return outcome if outcome.sections else None

    def _confirm_zone(self, frame: Frame) -> Outcome:
        """An offset no zone has: say how it was read and ask, instead of guessing a zone."""
        raw = frame.slots.invalid_zone
        question = Said(f"我把“{raw}”理解为无效的时区(时差范围为 UTC-12 到 UTC+14)。请确认您所在的时区,例如 UTC+9 或 东京。",
                        f"I read \"{raw}\" as no valid time zone (offsets run from UTC-12 to UTC+14). Which time zone "
                        "are you in, e.g. UTC+9 or Tokyo?")
        return Outcome(sections=[[question]], follow_up=question, sources=[both(question)],
                       choices=["UTC+8", "UTC+9", "UTC-8"])

    def _ask_what(self, frame: Frame) -> Outcome:
        """A bare continuation with nothing to continue: ask which topic its values belong to."""
        said = "、".join(dict.fromkeys(frame.slots.spans)) or frame.norm.text.strip()
        question = Said(f"“{said}”指的是哪方面的问题?请说明您要问的主题。",
                        f"What does \"{said}\" refer to? Please say which topic you mean.")
        choices: list[Piece] = [Said(*TOPICS[t]) for t in topics_taking(frame.slots)]
        return Outcome(sections=[[question]], follow_up=question, choices=choices, sources=[both(question)])

    def _fragment(self, citation: Citation) -> bool:
        """Is the quote inside the cut first sentence of its chunk (the excerpt starts mid-sentence)?"""
        chunk = self.index.chunk(citation.chunk_id)
        if chunk is None or not chunk.cut_start:
            return False
        first = split_sentences(chunk.text)[:1]
        return bool(first) and citation.quote.strip() in first[0]

    def _ask(self, tool_plan: Plan, outcome: Outcome, ask: bool = True, about: frozenset[str] | None = None) -> None:
        """A required detail is missing: state the general rule (cited) and, for a particular case, ask one
        question (the tool then waits for the detail either way). ``about``: the rules the sentence answering
        the question states; when some are the tool's, only those are stated (a question on the consumption
        dashboard is not answered with the performance dashboard's rule)."""
        tool = self.tools[tool_plan.tool]
        rules = [r for r in tool.rules if not r.startswith("menu.")]
        rules = [r for r in rules if about and r in about] or rules
        citations = rule_citations(self.index, rules)
        # A rule whose only anchor is the cut first sentence of an excerpt ("经理的第二天算起。") is no quote to
        # state a rule with, beside whole ones: the reader cannot tell what it is about.
        citations = [c for c in citations if not self._fragment(c)] or citations
        question = Said(*FOLLOW_UPS[(tool_plan.tool, tool_plan.missing)])
        # the rule said in the reader's language too when the quotes are in the other one
        lines = (gloss_lines([c.quote for c in citations]) if citations else []) + rule_lines(citations)
        if ask:
            lines.append(question)
            # our own question: its example values ("e.g. CBC.30000010") claim nothing about the rules
            outcome.sources.append(both(question))
        outcome.add(lines)
        outcome.cite(citations)
        outcome.pending = PendingTool(tool=tool_plan.tool, filled=tool_plan.carried, missing=tool_plan.missing)
        if not ask:
            return
        if outcome.follow_up is None:
            outcome.follow_up = question
            zh_choices, en_choices = CHOICES.get((tool_plan.tool, tool_plan.missing), ((), ()))
            outcome.choices = [Said(zh, en) for zh, en in zip(zh_choices, en_choices, strict=True)]

    def _duration(self, norm: Normalised, slots: Slots, evidence: Evidence,
                  best_only: bool = False) -> Outcome | None:
        """A date asked for with the event's date given, and a duration rule among the best passages:
        duration_deadline computes the date from that rule (quoted) instead of a bare extractive quote.
        With ``best_only``, only when the rule is in the best passage and that passage states none of the
        hand-written tools' rules (those tools answer it)."""
        moments = slots.datetimes or slots.dates
        if not moments and slots.times and asks_for_date(norm.simplified) and evidence.passages:
            moments = slots.times_today()  # "submitted at 09:40": today's 09:40
        if not moments or not asks_for_date(norm.simplified) or not evidence.passages:
            return None
        top = evidence.passages[0]
        if best_only and top.rule_ids:
            return None
        found = best_duration_rule(norm.simplified, [p.chunk for p in evidence.passages[:5]])
        if found is None or (best_only and found.chunk_id != top.chunk.id):
            return None
        arguments = {"amount": found.amount, "unit": found.unit, "direction": found.direction,
                     "event": found.event, "event_time": moments[0].isoformat(), "sentence": found.sentence,
                     "chunk_id": found.chunk_id}
        tool = self.tools["duration_deadline"]
        try:
            result = tool.run({**arguments, "calendar": self.calendar} if self.calendar else arguments)
        except ToolInputError:
            return None  # the rule cannot take that date: the extractive answer quotes the rule instead
        payload = result.model_dump(mode="json")
        chunk = self.index.chunk(found.chunk_id) if found.chunk_id else None
        outcome = Outcome()
        outcome.calls.append(ToolCall(name=tool.name, arguments=arguments, result=payload))
        lines: Section = [explanation(result)]
        shown = moment_in_zone(result.result_time, slots.timezone)  # "…due, in London time?"
        if shown:
            lines.append(shown)
            outcome.sources.append(both(shown))  # a conversion of the tool's own moment
        note = notes_line(slots.notes_zh, slots.notes_en)
        if note:
            lines.append(note)
            outcome.sources.append(both(note))
        if chunk is not None:
            outcome.cite([Citation(chunk_id=chunk.id, text=chunk.text, quote=found.sentence, source=chunk.source,
                                   menu_path=chunk.menu_path, title=chunk.title or None)])
            if chunk.menu_path:
                lines.append(menu_line(chunk.menu_path))
        outcome.add(lines)
        outcome.sources.append(str(payload))
        return outcome

    def _run(self, tool_plan: Plan, reader: Variant, outcome: Outcome, slot_notes_zh: list[str],
             slot_notes_en: list[str]) -> None:
        """Run one complete plan into ``outcome`` (language-neutral; ``reader`` only picks which language's
        indexed row a catalogue result cites)."""
        try:
            arguments = tool_plan.arguments
            if self.calendar is not None and "calendar" in self.tools[tool_plan.tool].input_model.model_fields:
                arguments = {**arguments, "calendar": self.calendar}
            # the catalogue tools read the index's codes and menus (passed as data, not recorded in the call)
            arguments = with_catalogue(self.tools[tool_plan.tool], arguments, self.index)
            result = self.tools[tool_plan.tool].run(arguments)
        except ToolInputError as exc:
            # The text held a value the rule cannot take (a future look-back start, 2026-13 ...): say so.
            outcome.add([input_errors_text(exc.errors, tool_plan.arguments)], sourced=True)
            return
        payload = result.model_dump(mode="json")
        if payload.get("found") == "no":
            return  # a lookup that found nothing adds nothing; retrieval answers instead
        outcome.calls.append(ToolCall(name=tool_plan.tool, arguments=tool_plan.arguments, result=payload))
        # the indexed row is cited in the reader's language when the index has it there
        citations = source_citations(self.index, payload, reader) + rule_citations(self.index, result.rule_refs)
        lines: Section = [explanation(result)]
        lines.extend(steps_lines(payload))
        note = notes_line(tool_plan.notes_zh + slot_notes_zh, tool_plan.notes_en + slot_notes_en)
        if note and both(note) not in outcome.sources:  # the same reading is stated once per answer
            lines.append(note)
            outcome.sources.append(both(note))  # our reading of the message (8月 -> 2026-08): its numbers are sourced
        # a rule already quoted for an earlier call this turn (the same tool for a second item) is not repeated
        quoted = {(c.chunk_id, c.quote) for c in outcome.citations}
        lines.extend(rule_lines([c for c in citations if (c.chunk_id, c.quote) not in quoted]))
        outcome.add(lines)
        outcome.cite(citations)
        outcome.sources.append(str(payload))
        if outcome.result is None:  # the best-routed tool's result is the one later turns relate to
            outcome.result = LastResult(tool=tool_plan.tool, filled=tool_plan.carried,
                                        arguments=tool_plan.arguments, result=payload)
