"""The assistant: retrieval, support check, and an extractive cited answer (no LLM)."""

from __future__ import annotations

from datetime import datetime

from knowledge import KnowledgeIndex, Retriever, make_client, make_embedder
from knowledge.support import assess

from .answer import Answer
from .extractive import compose
from .language import detect, localise
from .settings import Settings

_ABSTAIN_ZH = ("抱歉,伙伴中心规则资料中没有足以回答这个问题的内容,我不作猜测。"
               "我可以回答:激励合并开票、PO与Offering关联及考核口径、伙伴账单生成时间、业绩数据可查看时间、"
               "客户消费前溯18个月、储值卡业绩、商机报备权限、客户订单可见范围、错误码,以及相关菜单路径。"
               "其他问题请联系华为云客服或您的华为对接人。")
_ABSTAIN_EN = ("Sorry, the Partner Center rules I have do not support an answer to this, and I will not guess. "
               "I can answer about merging incentives on invoices, PO offering linkage and assessment scope, when "
               "partner bills are generated, when performance data becomes visible, the 18-month customer-"
               "consumption look-back, stored-value-card performance, opportunity registration permissions, "
               "order visibility, error codes, and where these are in the menus. For anything else, contact "
               "Huawei Cloud customer service or your Huawei contact.")


class Assistant:
    """Cheap to construct; the index loads on first use (or ``warm_up``)."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        client = make_client(settings.data_dir, settings.chroma_url)
        index = KnowledgeIndex(client, make_embedder(settings.embedder), namespace=settings.namespace)
        return cls(Retriever(index, mode=settings.retrieval_mode))

    def warm_up(self) -> None:
        self.retriever.index.warm_up()
        self.retriever.search("伙伴账单", k=1)  # loads the embedder and jieba too

    def answer(self, message: str, session_id: str | None = None, now: datetime | None = None) -> Answer:
        variant = detect(message)
        language = "en" if variant == "en" else "zh"
        result = self.retriever.search(message, k=5)
        support = assess(message, result, self.retriever.index.lexical())
        if not support.supported:
            text = _ABSTAIN_EN if language == "en" else localise(_ABSTAIN_ZH, variant)
            return Answer(answer=text, abstained=True, language=language, session_id=session_id)
        text, citations = compose(message, result, variant)
        return Answer(answer=text, abstained=False, citations=citations, language=language, session_id=session_id)
