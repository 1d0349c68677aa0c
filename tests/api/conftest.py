import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant import Assistant, Settings

KEYS = "p-key:partner,s-key:support,a-key:admin"


@pytest.fixture(scope="session")
def built_data(tmp_path_factory):
    """One built index (default embedder, vendored corpus) shared by the API tests that only read it."""
    data = tmp_path_factory.mktemp("api-data")
    Assistant.from_settings(Settings(data_dir=data)).index.build()
    return data


def make_client(data, **overrides) -> TestClient:
    settings = Settings(data_dir=data, **overrides)
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def client(built_data):
    with make_client(built_data, api_keys=KEYS) as c:
        yield c


P = {"Authorization": "Bearer p-key"}
S = {"X-API-Key": "s-key"}
A = {"Authorization": "Bearer a-key"}
