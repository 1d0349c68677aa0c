"""The tool router follows the index's vocabulary: words of documents added later count once indexed."""

from assistant.routing import ToolRouter
from knowledge import HashEmbedder


class Vocabulary:
    """A vocabulary source that changes, as the index's does after a rebuild."""

    def __init__(self, words):
        self.words = frozenset(words)

    def __call__(self):
        return self.words


def test_the_router_rederives_its_word_profiles_when_the_vocabulary_changes():
    question = "现金支付以后怎么计算"  # no glossary term: only corpus words can count
    vocabulary = Vocabulary(["业绩"])  # an index without the stored-value-card excerpt
    router = ToolRouter(HashEmbedder(), vocabulary=vocabulary)
    before = {r.tool: r.lexical for r in router.scores(question)}
    vocabulary.words = frozenset(["业绩", "支付", "计算"])  # rebuilt with it: its words now count
    after = {r.tool: r.lexical for r in router.scores(question)}
    assert after["stored_value_card_credit"] > before["stored_value_card_credit"]
