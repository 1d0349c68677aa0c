"""Starting points from the index, in the page's language: never a topic of one language inside a sentence of the
other."""

from knowledge.documents import Chunk
from knowledge.domain_lexicon import derive_lexicon
from knowledge.topics import names_in, suggestions, written_in


def chunk(i, text, title="", menu=None, language="zh"):
    return Chunk(id=f"c{i}", text=text, origins=[f"t.txt:{i}"], title=title or text[:10], menu_path=menu,
                 language=language)


# written for this test: two Chinese pages, one of which names its term in English too, and an English page
CHUNKS = [
    chunk(1, "在“销售 > 营销 > 市场发展基金”页面可以查看市场发展基金(MDF)的申请记录。", "市场发展基金",
          "销售 > 营销 > 市场发展基金"),
    chunk(2, "返利明细在“销售 > 账务 > 返利明细”页面查看。", "返利明细", "销售 > 账务 > 返利明细"),
    chunk(3, "Rebates are listed on the Rebate Details page.", "Rebate details", "Sales > Billing > Rebate Details",
          "en"),
    chunk(4, "返利多久结算一次?按季度结算。", "返利多久结算一次?"),
    chunk(5, "How often are rebates settled? Quarterly.", "How often are rebates settled?", language="en"),
]


def test_an_english_page_gets_english_topics_or_the_documents_own_english_names():
    folds = derive_lexicon(CHUNKS).folds
    assert folds.get("mdf") == "市场发展基金"
    shown = suggestions(CHUNKS, 12, "en", names_in("en", folds, CHUNKS))
    assert {s["language"] for s in shown} == {"en"}
    texts = [s["question"] or s["topic"] for s in shown]
    assert "MDF" in texts and "Rebate Details" in texts and "How often are rebates settled?" in texts
    assert not any(written_in(t) == "zh" for t in texts)  # 返利明细 has no English name in the documents: left out


def test_a_chinese_page_keeps_its_own_topics():
    shown = suggestions(CHUNKS, 12, "zh", names_in("zh", derive_lexicon(CHUNKS).folds, CHUNKS))
    texts = [s["question"] or s["topic"] for s in shown]
    assert {"市场发展基金", "返利明细", "返利多久结算一次?"} <= set(texts) and {s["language"] for s in shown} == {"zh"}


def test_without_a_language_every_suggestion_names_its_own():
    shown = suggestions(CHUNKS, 12)
    assert {(s["question"] or s["topic"], s["language"]) for s in shown} >= {("返利明细", "zh"), ("Rebate Details", "en")}
