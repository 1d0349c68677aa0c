import pytest

from knowledge import HashEmbedder, KnowledgeIndex, make_client


@pytest.fixture
def embedded_client(tmp_path):
    return make_client(tmp_path / "data")


@pytest.fixture(params=["embedded", "server"])
def any_client(request, tmp_path):
    if request.param == "embedded":
        return make_client(tmp_path / "data")
    return make_client(chroma_url=request.getfixturevalue("chroma_server_url"))


@pytest.fixture
def hash_index(any_client, request):
    # A unique namespace keeps tests that share one server apart.
    namespace = "t-" + str(abs(hash(request.node.nodeid)))[:12]
    return KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace)
