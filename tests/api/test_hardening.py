"""Inputs that once answered 500, uploads that lost data, concurrent re-indexes: each a 4xx now, nothing lost."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from api.uploads import STAGING, Staged, build_lock

from .conftest import A, P, S, make_client

pytestmark = pytest.mark.integration
NOW = "2026-11-27T10:00:00+08:00"


def assert_field_error(response, status, field=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] and body["error"]["message"]
    if field:
        assert field in response.text


@pytest.mark.parametrize("message", [
    "用储值卡支付" + "9" * 29 + "元算多少业绩?",
    "用储值卡支付" + "9" * 400 + ".55元算多少业绩?",
    "购买储值卡" + "1" * 40 + "万元算业绩吗",
    "伙伴账单\u2028什么时候出\u2029?",
])
def test_chat_messages_that_crashed_are_answered(client, message):
    r = client.post("/v1/chat", headers=P, json={"message": message, "now": NOW})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+08:00",
                                 "9999-12-31T23:59:59-12:00", "1899-12-31T23:59:59+00:00"])
def test_now_outside_the_engines_years_is_a_field_error(client, now):
    r = client.post("/v1/chat", headers=P, json={"message": "8月的伙伴账单什么时候生成?", "now": now})
    assert_field_error(r, 422, "now")
    assert r.json()["error"]["details"][0]["field"] == "now"


@pytest.mark.parametrize("zone", ["America", "Etc", "Asia", "../etc/passwd"])
def test_a_zone_folder_is_not_a_time_zone(client, zone):
    r = client.post("/v1/tools/bill_timing", headers=P, json={"billing_period": "2026-08", "now": NOW, "timezone": zone})
    assert_field_error(r, 422, "timezone")


def test_triage_now_needs_an_offset(client):
    r = client.post("/v1/triage", headers=S, json={"subject": "账单", "now": "2026-11-27T10:00:00"})
    assert_field_error(r, 422, "now")


def batch(client, body: bytes, content_type: str):
    r = client.post("/v1/triage/batch", headers={**S, "Content-Type": content_type}, content=body)
    assert r.status_code == 200, r.text
    return [json.loads(line) for line in r.text.splitlines()]


def test_one_bad_row_does_not_fail_the_batch(client):
    rows = [{"subject": "8月账单什么时候出"}, {"subject": "x", "now": "2026-11-27T10:00:00"},
            {"subject": "y", "now": "0001-01-01T00:00:00+08:00"}, {"subject": "z" * 501}, {"subject": "购买储值卡算业绩吗"}]
    lines = batch(client, "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(), "application/x-ndjson")
    assert [x["line"] for x in lines] == [1, 2, 3, 4, 5]
    assert [x["result"] is not None for x in lines] == [True, False, False, False, True]
    assert all(x["error"]["code"] == "validation_error" for x in lines[1:4])


@pytest.mark.parametrize("name, body", [
    ("200k brackets", b"[" * 200_000),
    ("5000-digit integer", b'{"subject": ' + b"1" * 5000 + b"}"),
    ("deep object", b'{"subject": ' + b'{"a":' * 50_000 + b"}"),
])
def test_unreadable_jsonl_lines_are_row_errors(client, name, body):
    lines = batch(client, body + '\n{"subject": "8月账单什么时候出"}\n'.encode(), "application/x-ndjson")
    assert lines[0]["error"] and lines[0]["line"] == 1 and lines[1]["result"], name


def test_csv_with_cr_line_ends_and_a_huge_field(client):
    lines = batch(client, "subject,body\r8月账单什么时候出,\r购买储值卡算业绩吗,x\r".encode(), "text/csv")
    assert [x["result"] is not None for x in lines] == [True, True]
    lines = batch(client, b"subject,body\rno content type,\r", "")
    assert lines[0]["result"]
    big = b"subject,body\n" + b"x," + b"a" * 140_000 + "\n8月账单什么时候出,\n".encode()
    lines = batch(client, big, "text/csv")
    assert lines[0]["error"] and "8000" in lines[0]["error"]["message"] and lines[1]["result"]


def test_reindex_json_nested_too_deep_is_422(client):
    r = client.post("/v1/admin/reindex", headers={**A, "Content-Type": "application/json"}, content=b"[" * 100_000)
    assert_field_error(r, 422)


# ---- uploads: all or nothing ----------------------------------------------------------------

@pytest.fixture
def admin(tmp_path):
    with make_client(tmp_path, api_keys="a-key:admin,p-key:partner") as c:
        assert c.post("/v1/admin/reindex", headers=A, json={}).status_code == 200
        yield c, tmp_path


def snapshot(c, data):
    docs = data / "docs"
    files = {p.name: p.read_bytes() for p in docs.iterdir()} if docs.exists() else {}
    manifest = c.get("/v1/admin/index", headers=A).json()["manifest"]
    leftovers = sorted(p.name for p in data.iterdir() if p.name.startswith(".replaced"))
    staging = sorted(p.name for p in (data / STAGING).iterdir()) if (data / STAGING).exists() else []
    return files, (manifest["collection"], manifest["corpus_hash"]), leftovers + staging


def multipart(*parts: tuple[bytes, bytes]) -> tuple[bytes, str]:
    """A hand-made multipart body: clients percent-encode odd file names, an attacker need not."""
    boundary = "b0undary"
    body = b"".join(b"--b0undary\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + name +
                    b"\"\r\nContent-Type: text/markdown\r\n\r\n" + content + b"\r\n" for name, content in parts)
    return body + b"--b0undary--\r\n", f"multipart/form-data; boundary={boundary}"


DOC = "# 返利结算\n返利按季度结算。\n".encode()


def test_bad_upload_names_are_422_and_change_nothing(admin):
    c, data = admin
    assert c.post("/v1/admin/reindex", headers=A, files=[("files", ("keep.md", DOC, "text/markdown"))]).status_code == 200
    before = snapshot(c, data)
    assert before[0] == {"keep.md": DOC} and before[2] == []
    for parts in ([(b"a" * 300 + b".md", DOC)], [(b"a\x00b.md", DOC)], [(b"a\x01b.md", DOC)],
                  [(b"dup.md", DOC), (b"dup.md", DOC)], [(b"keep.md", b"# x\n\ny\n"), (b"KEEP.md", DOC)]):
        body, content_type = multipart(*parts)
        r = c.post("/v1/admin/reindex", headers={**A, "Content-Type": content_type}, content=body)
        assert_field_error(r, 422, "files")
        assert snapshot(c, data) == before, parts


def test_a_failed_build_leaves_docs_and_index_exactly_as_before(admin):
    c, data = admin
    assert c.post("/v1/admin/reindex", headers=A, files=[("files", ("rebate.md", DOC, "text/markdown"))]).status_code == 200
    (data / "docs" / "broken.txt").write_bytes(b"\x00\x01binary")  # put there by hand: every build now fails
    before = snapshot(c, data)
    r = c.post("/v1/admin/reindex", headers=A, files=[("files", ("rebate.md", "# 返利结算\n按月结算。\n".encode(),
                                                                 "text/markdown")), ("files", ("new.md", DOC, "text/markdown"))])
    assert r.status_code == 400 and "broken.txt" in r.text
    assert snapshot(c, data) == before


def test_a_second_reindex_while_one_runs_is_409(admin):
    c, data = admin
    with build_lock(data):  # what a running build (in this or another worker) holds
        r = c.post("/v1/admin/reindex", headers=A, files=[("files", ("x.md", DOC, "text/markdown"))])
        assert_field_error(r, 409)
        assert r.json()["error"]["code"] == "reindex_in_progress" and r.headers["retry-after"]
        assert c.post("/v1/admin/reindex", headers=A, json={}).status_code == 409
    assert not (data / "docs" / "x.md").exists()
    assert c.post("/v1/admin/reindex", headers=A, json={}).status_code == 200


def test_uploads_a_dead_process_left_half_applied_are_undone_at_start(tmp_path, built_data):
    import io

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "old.md").write_bytes(DOC)
    staged = Staged(tmp_path, docs)
    staged.add("old.md", io.BytesIO("# 新\n新的内容。\n".encode()))
    staged.add("added.md", io.BytesIO(DOC))
    staged.apply()  # ... and the process dies during the build
    assert sorted(p.name for p in docs.iterdir()) == ["added.md", "old.md"]
    with make_client(tmp_path):
        pass
    assert sorted(p.name for p in docs.iterdir()) == ["old.md"] and (docs / "old.md").read_bytes() == DOC
    assert not any((tmp_path / STAGING).iterdir())


def test_a_full_disk_leaves_no_empty_file_behind(tmp_path):
    """A real write failure: the process may not write files over 64 KB (RLIMIT_FSIZE), like a full disk."""
    script = textwrap.dedent(f"""
        import resource, signal, json
        from pathlib import Path
        from fastapi.testclient import TestClient
        from api.app import create_app
        from assistant import Settings
        data = Path({str(tmp_path)!r})
        with TestClient(create_app(Settings(data_dir=data))) as c:
            assert c.post("/v1/admin/reindex", json={{}}).status_code == 200
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (65536, resource.RLIM_INFINITY))
            r = c.post("/v1/admin/reindex", files=[("files", ("big.md", b"# big\\n" + b"x" * 200000, "text/markdown"))])
            print(json.dumps({{"status": r.status_code, "body": r.json()}}))
    """)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 507 and result["body"]["error"]["code"] == "insufficient_storage"
    assert not (tmp_path / "docs").exists() or not any((tmp_path / "docs").iterdir())
    assert not (tmp_path / STAGING).exists() or not any((tmp_path / STAGING).iterdir())


# ---- rules-engine inputs through the API (the engine's own tests are in tests/tools) ---------------

@pytest.mark.parametrize("message", ["9999年12月的伙伴账单", "0001年1月的伙伴账单什么时候生成", "9999年12月31日的业绩哪天能看到"])
def test_chat_with_years_at_the_calendars_ends(client, message):
    r = client.post("/v1/chat", headers=P, json={"message": message, "now": NOW})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("tool, arguments, field", [
    ("bill_timing", {"billing_period": "9999-12", "now": NOW}, "billing_period"),
    ("bill_timing", {"billing_period": "2026-08\n", "now": NOW}, "billing_period"),
    ("bill_timing", {"billing_period": "２０２６-０８", "now": NOW}, "billing_period"),
    ("performance_visibility", {"business_date": "9999-12-31"}, "business_date"),
    ("stored_value_card_credit", {"transaction": "pay_with_card", "amount": "1E+2"}, "amount"),
])
def test_tool_inputs_that_crashed_or_were_echoed_are_field_errors(client, tool, arguments, field):
    r = client.post(f"/v1/tools/{tool}", headers=P, json=arguments)
    assert_field_error(r, 422, field)
    assert field in [d["field"] for d in r.json()["error"]["details"]]


def test_booleans_are_strict(client):
    tools = {t["name"]: t for t in client.get("/v1/tools", headers=P).json()}
    name = next(n for n, t in tools.items() if "customer_under_their_name" in t["input_schema"].get("properties", {}))
    schema = tools[name]["input_schema"]
    example = {k: v for k, v in (schema.get("examples") or [{}])[0].items()} if schema.get("examples") else {}
    r = client.post(f"/v1/tools/{name}", headers=P, json={**example, "customer_under_their_name": "yes"})
    assert_field_error(r, 422, "customer_under_their_name")
