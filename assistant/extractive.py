"""Extractive answers: the sentence(s) of the best-supported chunk that answer the question.

No generation: every claim in the answer is a quote of a retrieved chunk.
"""

from __future__ import annotations

import re

from knowledge import Chunk, SearchResult
from knowledge.chunking import quote_span, split_sentences
from knowledge.lexical import tokenize

from .answer import Citation
from .compose import Said, Section, gloss_lines, label, menu_line

_PROCEDURE_MARK = "操作步骤"
_PROCEDURAL_Q = re.compile(r"怎么|如何|怎样|在哪|哪里|哪个菜单|入口|步骤|流程|\bhow (do|can|to)\b|\bwhere\b|\bsteps?\b", re.I)
_TITLE = 24  # characters: a longer chunk title is its first sentence, not a name
_BOILERPLATE = ("使用合作伙伴账号登录华为云", "单击页面右上角账号下拉框")


def is_procedural(question: str) -> bool:
    return bool(_PROCEDURAL_Q.search(question))


def _rule_sentences(chunk: Chunk) -> list[str]:
    """Sentences before the procedure, without the parent-topic trailer."""
    body = chunk.text.split(_PROCEDURE_MARK)[0]
    body = re.sub(r"父主题\s*[::].*$", "", body).strip()
    sentences = split_sentences(body)
    if chunk.cut_start and len(sentences) > 1:
        sentences = sentences[1:]  # the leading fragment cannot stand as a quote on its own
    return sentences


def procedure_steps(chunk: Chunk) -> list[str]:
    if _PROCEDURE_MARK not in chunk.text:
        return []
    steps = split_sentences(chunk.text.split(_PROCEDURE_MARK, 1)[1])
    # the parent-topic trailer is cut first, so a step that was only the trailer leaves no empty "5."
    steps = [re.sub(r"\s*父主题\s*[::].*$", "", s).strip() for s in steps]
    steps = [s for s in steps if s]
    if chunk.cut_end and steps and not steps[-1].endswith(("。", ".", "”")):
        steps = steps[:-1]  # the excerpt stops mid-step: show only whole steps
    return steps


def best_sentences(question: str, chunk: Chunk, limit: int = 2) -> list[str]:
    """Rank the chunk's rule sentences by overlap with the question's tokens."""
    sentences = _rule_sentences(chunk) or split_sentences(chunk.text)
    wanted = set(tokenize(question))
    scored = []
    for index, sentence in enumerate(sentences):
        tokens = set(tokenize(sentence))
        overlap = len(wanted & tokens)
        scored.append((overlap, -index, sentence))
    scored.sort(reverse=True)
    if not scored:
        return [chunk.text]
    top_overlap = scored[0][0]
    chosen = [s for o, i, s in scored[:limit] if o > 0 and o >= top_overlap - 1] or [scored[0][2]]
    order = {s: i for i, s in enumerate(sentences)}
    return sorted(chosen, key=lambda s: order.get(s, 0))


def citation(chunk: Chunk, quote: str) -> Citation:
    return Citation(chunk_id=chunk.id, text=chunk.text, quote=quote, source=chunk.source, menu_path=chunk.menu_path,
                    title=chunk.title or None)


def compose(question: str, result: SearchResult, quote: str | None = None) -> tuple[Section, list[Citation]]:
    """The best passage quoted, as a language-neutral section (``compose.render`` shows it once).
    ``quote``: the evidence stage's sentence-level quote of the best passage (else chosen here by overlap).
    Our framing, menu paths and steps follow the user's script; quotes stay as the source has them."""
    best = result.hits[0].chunk
    quote = quote or quote_span(best.text, best_sentences(question, best)) or best.text
    steps = procedure_steps(best) if is_procedural(question) else []
    cites = [citation(best, quote)]
    lines: Section = [Said("根据伙伴中心文档(英文原文):", "The Partner Center documentation says:") if best.language == "en"
                      else Said("根据伙伴中心文档:", "The Partner Center documentation says (quoted in Chinese):"),
                      *gloss_lines([quote], title=best.title if best.title and len(best.title) <= _TITLE else None,
                                   menu_path=best.menu_path),
                      f"「{quote}」"]
    if best.menu_path:
        lines.append(menu_line(best.menu_path))
    if steps:
        lines.append(Said("操作步骤:", "Steps:"))
        lines.extend(label(f"{n}. {s}") for n, s in enumerate(steps, start=1))
    if best.cut_end or best.cut_start:
        lines.append(Said("注意:该资料摘录不完整,详情请查看完整页面。",
                          "Note: the source excerpt is incomplete; check the full page for details."))
    return lines, cites
