"""Property-based requests generated from the OpenAPI schema: no input may produce a 500.

Schemathesis is used as a library (its pytest plugin does not support this pytest version):
one bounded Hypothesis run per API operation.
"""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from assistant import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SKIP = {("POST", "/v1/admin/reindex")}  # rebuilding the index per example is slow and covered in test_admin


@pytest.fixture(scope="module")
def app(built_data):
    application = create_app(Settings(data_dir=built_data, rate_limit_per_minute=100_000))
    with TestClient(application):  # runs the lifespan: the index is loaded once
        yield application


def test_no_server_errors(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            response = case.call()
            assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
            content_type = response.headers.get("content-type") or ""
            content_type = content_type[0] if isinstance(content_type, list) else content_type
            if response.status_code >= 400 and content_type.startswith("application/json"):
                body = response.json()
                assert body["error"]["code"] and body["error"]["message"], body

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 13, checked
