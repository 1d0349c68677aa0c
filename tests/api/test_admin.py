"""Re-indexing through the API: uploads are validated first and nothing half-done is kept."""

import pytest

from .conftest import A, make_client

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(tmp_path):
    with make_client(tmp_path, api_keys="a-key:admin,p-key:partner") as c:
        assert c.post("/v1/admin/reindex", headers=A, json={}).status_code == 200
        yield c, tmp_path


def test_upload_adds_documents_and_they_are_searchable(admin):
    c, data = admin
    doc = "# 返利结算\n## 结算周期\n返利按季度结算,每季度首月20日前完成。\n".encode()
    r = c.post("/v1/admin/reindex", headers=A, files=[("files", ("rebate.md", doc, "text/markdown"))])
    assert r.status_code == 200, r.text
    assert r.json()["uploaded"] == ["rebate.md"] and r.json()["added"] == 1 and r.json()["embedded"] == 1
    assert (data / "docs" / "rebate.md").exists()
    hits = c.get("/v1/search", headers=A, params={"q": "返利按季度结算", "k": 1}).json()
    assert hits[0]["title"] == "结算周期" and hits[0]["source"] == "rebate.md:3"


def test_bad_upload_is_rejected_and_nothing_is_kept(admin):
    c, data = admin
    before = c.get("/v1/admin/index", headers=A).json()["manifest"]["corpus_hash"]
    r = c.post("/v1/admin/reindex", headers=A, files=[
        ("files", ("good.md", "# 好\n内容。\n".encode(), "text/markdown")),
        ("files", ("bad.txt", b"\x00\x01binary", "text/plain"))])
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_source" and "bad.txt" in r.text
    assert not (data / "docs").exists() or not any((data / "docs").iterdir())
    assert c.get("/v1/admin/index", headers=A).json()["manifest"]["corpus_hash"] == before


def test_reindex_paths_and_errors(admin, tmp_path):
    c, _ = admin
    missing = c.post("/v1/admin/reindex", headers=A, json={"paths": [str(tmp_path / "nope.md")]})
    assert missing.status_code == 400 and "no such file" in missing.json()["error"]["message"]
    assert c.post("/v1/admin/reindex", headers=A, json={"paths": 3}).status_code == 422
    assert c.post("/v1/admin/reindex", headers={"Authorization": "Bearer p-key"}, json={}).status_code == 403


def test_a_failed_build_restores_the_document_an_upload_replaced(admin):
    c, data = admin
    first = "# 返利结算\n返利按季度结算。\n".encode()
    upload = c.post("/v1/admin/reindex", headers=A, files=[("files", ("rebate.md", first, "text/markdown"))])
    assert upload.status_code == 200
    (data / "docs" / "broken.txt").write_bytes(b"\x00\x01binary")  # put there by hand, not through the API
    second = "# 返利结算\n返利按月结算。\n".encode()
    r = c.post("/v1/admin/reindex", headers=A, files=[("files", ("rebate.md", second, "text/markdown"))])
    assert r.status_code == 400 and "broken.txt" in r.json()["error"]["message"]
    assert (data / "docs" / "rebate.md").read_bytes() == first  # the earlier version, not lost
    assert sorted(p.name for p in (data / "docs").iterdir()) == ["broken.txt", "rebate.md"]
