"""Held-out questions measure fresh wording only if the router was not given them, or near copies, as
examples: no tool example may be close to a held-out question of any dataset (retrieval, dialogues,
triage). Closeness is the Jaccard overlap of character bigrams of the folded text (lower-case Simplified,
no spaces or punctuation), which works the same for Chinese and English; a copy scores 1.0."""

import re

import zhconv

from evals.cases import load_cases, load_dialogue_cases, load_triage_cases
from tools import TOOLS

CLOSE = 0.6


def _bigrams(text: str) -> set[str]:
    folded = re.sub(r"[\W_]+", "", zhconv.convert(text, "zh-hans").lower())
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


def _held_out_questions() -> list[tuple[str, str]]:
    questions = [(f"retrieval/{c.id}", c.question) for c in load_cases(split="held-out")]
    questions += [(f"dialogues/{c.id}", t.message) for c in load_dialogue_cases(split="held-out") for t in c.turns]
    questions += [(f"triage/{c.id}", f"{c.subject} {c.body}".strip()) for c in load_triage_cases(split="held-out")]
    return questions


def test_no_router_example_duplicates_or_closely_paraphrases_a_held_out_question():
    examples = [(tool.name, example, _bigrams(example)) for tool in TOOLS.values() for example in tool.examples]
    close = []
    for case, question in _held_out_questions():
        mine = _bigrams(question)
        for name, example, theirs in examples:
            if mine and len(mine & theirs) / len(mine | theirs) >= CLOSE:
                close.append((case, name, example))  # the example, not the held-out question, is shown
    assert not close, f"router examples too close to held-out questions (case, tool, example): {close}"


def test_the_measure_finds_a_copy_and_a_light_paraphrase():
    example = "业务员能看到哪些客户的订单"
    assert len(_bigrams(example) & _bigrams(example + "?")) / len(_bigrams(example) | _bigrams(example + "?")) == 1
    paraphrase = "业务员能看到哪些客户订单呢"
    mine, theirs = _bigrams(paraphrase), _bigrams(example)
    assert len(mine & theirs) / len(mine | theirs) >= CLOSE
