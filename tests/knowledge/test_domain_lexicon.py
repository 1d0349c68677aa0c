"""The domain lexicon is read from the indexed documents at build time and analyses that build's text."""

from knowledge import HashEmbedder, KnowledgeIndex, Retriever
from knowledge.documents import Chunk
from knowledge.domain_lexicon import derive_lexicon
from knowledge.lexical import compile_lexicon, tokenize


def _chunk(i: int, text: str, title: str = "") -> Chunk:
    return Chunk(id=f"c{i}", text=text, origins=[f"t.txt:{i}"], title=title or text[:10])


def test_names_glossary_pairs_and_recurring_units_are_read_from_the_documents():
    chunks = [
        _chunk(1, "在顶部导航栏中选择“市场 > 市场发展基金 > 额度查询”。 单击“申请核销”。", title="额度查询"),
        _chunk(2, "市场发展基金(MDF)用于伙伴的营销活动。"),
        *[_chunk(10 + i, f"{x}代金券额度{y}。", title="说明") for i, (x, y) in enumerate(
            [("查看", "的方法"), ("提高", "需要审批"), ("伙伴的", "按季度发放")])],
        *[_chunk(20 + i, "使用合作伙伴账号登录华为云。", title="操作步骤") for i in range(5)],  # boilerplate
    ]
    lexicon = derive_lexicon(chunks)
    assert {"市场发展基金", "额度查询", "申请核销"} <= set(lexicon.terms)  # menu level, title, quoted label
    assert lexicon.folds == {"mdf": "市场发展基金"}  # the documents' own glossary pair
    assert "代金券额度" in lexicon.terms  # two words recurring as a unit with varied neighbours
    assert not any("登录华为" in t or "账号登录" in t for t in lexicon.terms)  # a boilerplate fragment is no unit


def test_a_build_lexicon_folds_the_english_names_its_documents_pair():
    lexicon = compile_lexicon(derive_lexicon([_chunk(1, "市场发展基金(MDF)的额度。"),
                                              _chunk(2, "选择“市场 > 市场发展基金”。")]))
    plain = tokenize("mdf额度怎么查", None)
    assert "mdf" in plain and not {"市场", "发展", "基金"} & set(plain)
    with_lexicon = tokenize("mdf额度怎么查", lexicon)
    assert {"市场", "发展", "基金", "额度"} <= set(with_lexicon) and "mdf" not in with_lexicon


def test_each_index_is_read_with_its_own_builds_lexicon(tmp_path):
    from knowledge import make_client

    client = make_client(tmp_path / "data")
    first = KnowledgeIndex(client, HashEmbedder(), namespace="lex-a")
    docs = tmp_path / "a.txt"
    docs.write_text("市场发展基金(MDF)的额度每半年发布一次。\n在顶部导航栏中选择“市场 > 市场发展基金 > 额度查询”。\n", "utf-8")
    first.build([docs])
    other = tmp_path / "b.txt"
    other.write_text("代金券的面额在1元至5000元之间。\n", "utf-8")
    second = KnowledgeIndex(client, HashEmbedder(), namespace="lex-b")
    second.build([other])
    hits = Retriever(first, mode="lexical").search("How much MDF quota is left?", k=2).hits
    assert hits and "市场发展基金" in hits[0].chunk.text  # the English name reached the Chinese passage
    assert "基金" in Retriever(first).search("MDF", k=1).query_tokens
    assert "基金" not in Retriever(second).search("MDF", k=1).query_tokens  # b's documents never pair it
