"""The BM25 index's flat arrays: scores, postings and each document's terms as the token lists give them."""

import numpy as np
import pytest

from knowledge import DEFAULT_CORPUS, Retriever
from knowledge.index import CATALOGUE_KEY
from knowledge.lexical import BM25Index

DOCS = [["账单", "生成", "账单"], ["储值卡", "业绩"], [], ["账单", "储值卡", "发票", "发票", "发票"]]


def _reference_scores(docs, query, k1=1.2, b=0.75):
    """Okapi BM25 computed term by term, the textbook way."""
    n = len(docs)
    avg = sum(len(d) for d in docs) / n
    out = np.zeros(n)
    for term in set(query):
        df = sum(term in d for d in docs)
        if not df:
            continue
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            tf = d.count(term)
            if tf:
                out[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avg))
    return out


def test_scores_match_textbook_bm25_and_both_constructors_agree():
    index = BM25Index(DOCS)
    terms = {}
    ids = [terms.setdefault(t, len(terms)) for d in DOCS for t in d]
    offsets = np.cumsum([0] + [len(d) for d in DOCS])
    from_ids = BM25Index.from_term_ids(terms, offsets, np.array(ids, dtype=np.int32))
    for query in (["账单"], ["发票", "储值卡"], ["账单", "没有的词"], ["没有的词"]):
        expected = _reference_scores(DOCS, query)
        assert np.allclose(index.scores(query), expected, rtol=1e-5)
        assert np.array_equal(index.scores(query), from_ids.scores(query))
    assert index.document_frequency("账单") == 2 and index.document_frequency("没有的词") == 0
    assert index.idf("发票") > index.idf("账单")


def test_each_document_keeps_its_terms_and_postings_answer_membership():
    index = BM25Index(DOCS)
    assert [index.terms_of(i) for i in range(len(DOCS))] == [frozenset(d) for d in DOCS]
    held = index.holding(["账单", "发票", "没有的词"], np.array([3, 0, 1, 2]))
    assert set(held) == {"账单", "发票"}  # a term no document holds has no row
    assert held["账单"].tolist() == [True, True, False, False]
    assert held["发票"].tolist() == [True, False, False, False]
    assert BM25Index([]).n_docs == 0 and BM25Index([]).scores(["账单"]).shape == (0,)


@pytest.mark.integration
def test_the_searched_collection_carries_no_catalogue(hash_index):
    """Chroma reads a collection's metadata on every query: the catalogue (megabytes at scale) lives in the
    build's side collection, and a reader still gets it from there."""
    hash_index.build([DEFAULT_CORPUS])
    searched = hash_index._client.get_collection(hash_index.active_collection)
    assert CATALOGUE_KEY not in (searched.metadata or {})
    assert hash_index.catalogue().codes  # read from the side collection
    assert Retriever(hash_index).search("伙伴账单每月几号生成", k=1).hits


def test_a_word_is_as_rare_as_it_is_among_the_documents_of_its_language():
    """Ten Chinese excerpts and three English sections: "submitted" is in one of the three English sections
    (common English), 申付单 in one of ten Chinese ones (rare), PO a loanword both kinds use. Over all 13
    documents the two looked equally rare; among their own language's documents they are not. A
    Chinese-only index keeps the textbook IDF (the test above)."""
    chinese = [["申付单", "发票", "po"]] + [["账单", "生成", f"词{i}"] for i in range(9)]
    english = [["submitted", "request", "po"], ["request", "invoice"], ["voucher", "issue"]]
    index = BM25Index(chinese + english)
    assert index.document_frequency("submitted") == index.document_frequency("申付单") == 1
    assert index.idf("申付单") > index.idf("submitted") + 0.5
    # a loanword both kinds use counts against the English documents and the Chinese ones in the share of
    # its documents that are Chinese (one of two here: half of the ten)
    assert index.idf("po") == pytest.approx(np.log(1 + (3 + 10 * 0.5 - 2 + 0.5) / 2.5))
    # a word of every English document is no evidence, however few the English documents
    assert BM25Index(chinese + [d + ["partner"] for d in english]).idf("partner") < 0.3


def test_a_query_word_with_its_translations_scores_once_at_the_groups_weight():
    """An English word and the Chinese words a dictionary gives for it are one group: a document holding
    any of them scores by the member it holds best, weighted by the group's lowest IDF (the concept's
    weight in the index's larger language), and a document holding two members is not counted twice."""
    docs = [["撤回", "代金券"], ["撤回", "收回", "代金券"], ["recall", "voucher"], ["账单"], ["账单", "撤回"], ["收回"],
            ["invoice", "bill"], ["partner", "bill"], ["bill"]]
    index = BM25Index(docs)
    group = ("recall", "撤回", "收回")
    scores = index.group_scores([tuple((t, 1.0) for t in group)])
    assert (scores[[0, 1, 2, 4, 5]] > 0).all() and not scores[[3, 6, 7, 8]].any()
    lowest = min(index.idf(t) for t in group)
    assert index.idf("recall") > lowest  # "recall" alone (one document) looked rarer than the concept is
    # the document holding both 撤回 and 收回 scores one member, not the sum
    assert scores[1] <= max(index.scores(["撤回"])[1], index.scores(["收回"])[1]) + 1e-6
    # a one-term group is plain BM25
    assert np.allclose(index.group_scores([(("账单", 1.0),), (("代金券", 1.0),)]), index.scores(["账单", "代金券"]))
    # a translation weighs less than the word itself
    half = index.group_scores([(("recall", 1.0), ("撤回", 0.5))])
    assert half[0] == pytest.approx(0.5 * index.group_scores([(("recall", 1.0), ("撤回", 1.0))])[0])


def test_query_groups_add_translations_the_index_holds_to_latin_words_only():
    from knowledge.retrieval import TRANSLATION_WEIGHT, query_groups

    index = BM25Index([["撤回", "代金券"], ["recall"], ["发票"]])
    dictionary = {"recall": {"撤回", "召回"}, "发票": {"invoice"}}
    groups = query_groups(["recall", "发票", "没有的词"], index, lambda w: dictionary.get(w, ()))
    # 召回 is not in the index; a Chinese word is not expanded; a word with nothing indexed has no group
    assert groups == [(("recall", 1.0), ("撤回", TRANSLATION_WEIGHT)), (("发票", 1.0),)]
    assert query_groups(["recall", "发票"], index) == [(("recall", 1.0),), (("发票", 1.0),)]
