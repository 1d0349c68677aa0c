"""Fit the evidence stage's two rerank models on the dev questions; report 5-fold cross-validated hit@1.

For every answerable dev question of the bundled set (over the bundled corpus) and of the extended set (over
bundled + extended), the retrieved candidates and their features are read as the assistant reads them
(``assistant.evidence.gather.candidates_of``), except that every candidate's statements are embedded here.
Two linear scorers are fitted by a listwise softmax (each question's candidates compete; the passages holding
an expected anchor are the targets) with a small L2 penalty, by gradient descent in numpy:

- *preselect*, on ``PRESELECT_FEATURES`` over all candidates (no embedding needed);
- *final*, on ``RERANK_FEATURES`` (adds the best statement's similarity) over the preselect model's first
  ``SIMILARITY_CANDIDATES``, the only candidates the assistant embeds.

Held-out questions are never read.

    python bench/fit_rerank.py            # prints cross-validated hit@1 per corpus and language
    python bench/fit_rerank.py --write    # ... and writes assistant/evidence/rerank_weights.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant  # noqa: E402
from assistant.evidence.gather import (PRESELECT_FEATURES, RERANK_FEATURES, SIMILARITY_CANDIDATES,  # noqa: E402
                                       candidates_of)
from assistant.settings import Settings  # noqa: E402
from evals.cases import load_cases, load_extended_cases  # noqa: E402
from evals.runner import extended_corpus  # noqa: E402
from knowledge import DEFAULT_CORPUS  # noqa: E402

WEIGHTS = Path(__file__).resolve().parents[1] / "assistant" / "evidence" / "rerank_weights.json"
L2, STEPS, STEP_SIZE, FOLDS = 1.0, 300, 1.0, 5

Group = tuple[str, str, np.ndarray, np.ndarray]  # corpus, language, features (n x d, RERANK_FEATURES), targets (n)
Model = tuple[np.ndarray, np.ndarray, np.ndarray]  # mean, scale, weights
PRE = [RERANK_FEATURES.index(name) for name in PRESELECT_FEATURES]


def collect(corpus: str, tmp: Path) -> list[Group]:
    bot = Assistant.from_settings(Settings(data_dir=tmp / corpus))
    bot.index.build([DEFAULT_CORPUS] + (extended_corpus() if corpus == "extended" else []))
    cases = load_extended_cases(split="dev") if corpus == "extended" else load_cases(split="dev")
    groups = []
    for case in cases:
        if case.abstain or not case.expected_anchors:
            continue
        found = candidates_of(case.question, bot.retriever, embed=None)
        rows = [[found.features[i][name] for name in RERANK_FEATURES] for i in found.keep]
        targets = [any(a in found.passages[i].chunk.text for a in case.expected_anchors) for i in found.keep]
        if rows:
            groups.append((corpus, case.language, np.array(rows, dtype=np.float64), np.array(targets, dtype=np.float64)))
    return groups


def _fit(groups: list[tuple[np.ndarray, np.ndarray]]) -> Model:
    stacked = np.vstack([x for x, _ in groups])
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-9
    usable = [((x - mean) / scale, y / y.sum()) for x, y in groups if y.sum() > 0]
    weights = np.zeros(stacked.shape[1])
    for _ in range(STEPS):
        gradient = L2 * weights / len(usable)
        for x, target in usable:
            s = x @ weights
            p = np.exp(s - s.max())
            gradient += x.T @ (p / p.sum() - target) / len(usable)
        weights -= STEP_SIZE * gradient
    return mean, scale, weights


def _score(model: Model, x: np.ndarray) -> np.ndarray:
    mean, scale, weights = model
    return ((x - mean) / scale) @ weights


def _shortlist(preselect: Model, x: np.ndarray) -> np.ndarray:
    return np.argsort(-_score(preselect, x[:, PRE]), kind="stable")[:SIMILARITY_CANDIDATES]


def fit(groups: list[Group]) -> tuple[Model, Model]:
    preselect = _fit([(x[:, PRE], y) for _, _, x, y in groups])
    final = _fit([(x[_shortlist(preselect, x)], y[_shortlist(preselect, x)]) for _, _, x, y in groups])
    return preselect, final


def hits(groups: list[Group], models: tuple[Model, Model]) -> list[tuple[str, str, bool]]:
    preselect, final = models
    out = []
    for corpus, language, x, y in groups:
        short = _shortlist(preselect, x)
        out.append((corpus, language, bool(y[short[int(np.argmax(_score(final, x[short])))]])))
    return out


def report(rows: list[tuple[str, str, bool]]) -> dict[str, dict[str, float]]:
    by: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for corpus, language, ok in rows:
        by[corpus]["all"].append(ok)
        by[corpus][language].append(ok)
    return {c: {g: round(float(np.mean(v)), 3) for g, v in sorted(d.items())} for c, d in by.items()}


def _part(names: tuple[str, ...], model: Model) -> dict:
    mean, scale, weights = model
    return {"features": list(names), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
            "weights": weights.round(6).tolist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        groups = collect("bundled", Path(tmp)) + collect("extended", Path(tmp))
    order = np.random.default_rng(0).permutation(len(groups))
    folds = np.array_split(order, FOLDS)
    out_of_fold = []
    for k in range(FOLDS):
        test = set(folds[k].tolist())
        models = fit([g for i, g in enumerate(groups) if i not in test])
        out_of_fold += hits([groups[i] for i in folds[k]], models)
    preselect, final = fit(groups)
    recall = np.mean([y[_shortlist(preselect, x)].any() for _, _, x, y in groups])
    print(json.dumps({"cross_validated_hit@1": report(out_of_fold),
                      "fitted_on_all_dev_hit@1": report(hits(groups, (preselect, final))),
                      f"preselect_recall@{SIMILARITY_CANDIDATES}": round(float(recall), 3),
                      "preselect": dict(zip(PRESELECT_FEATURES, np.round(preselect[2], 3).tolist())),
                      "final": dict(zip(RERANK_FEATURES, np.round(final[2], 3).tolist()))}, ensure_ascii=False))
    if args.write:
        WEIGHTS.write_text(json.dumps({
            "preselect": _part(PRESELECT_FEATURES, preselect), "final": _part(RERANK_FEATURES, final),
            "fitted_on": "dev questions of evals/datasets/retrieval.jsonl (bundled corpus) and extended_retrieval.jsonl "
                         "(bundled + extended corpus); bench/fit_rerank.py"}, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
