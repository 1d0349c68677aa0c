"""The MCP server, driven by the official `mcp` client: over stdio (`partner-assistant mcp` as a child
process) and over streamable HTTP (`/mcp` on a running `partner-assistant serve`)."""

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from knowledge.calendars import import_calendar
from tools import TOOLS
from tools.summaries import SUMMARY_ZH

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOW = "2026-11-27T10:00:00+08:00"
BILL_RULE = "每月5号12:00前"


async def exercise(client: Client) -> None:
    """What every transport must offer: the same tools, results, errors and resources."""
    listed = {t.name: t for t in (await client.list_tools()).tools}
    assert set(listed) == {*TOOLS, "search_rules", "ask"}
    for name, tool in TOOLS.items():
        published = listed[name]
        assert published.input_schema == tool.json_schema()  # the schema is the model that validates
        assert published.output_schema["properties"].keys() >= {"explanation_zh", "explanation_en", "trace"}
        assert tool.description.split("\n\n")[0] in published.description
        assert SUMMARY_ZH[name] in published.description
    assert listed["search_rules"].input_schema["required"] == ["query"]

    # A rules-engine tool: structured content is the output model, exact values; plus a short text.
    result = await client.call_tool("bill_timing", {"billing_period": "2026-08", "now": NOW, "timezone": "Asia/Tokyo"})
    assert not result.is_error
    assert result.structured_content["generation_deadline_beijing"] == "2026-09-05T12:00:00+08:00"
    assert result.structured_content["generation_deadline_local"] == "2026-09-05T13:00:00+09:00"
    assert result.structured_content["explanation_en"] in result.content[0].text

    # Invalid input: an error result naming the field.
    for arguments, field in [({"billing_period": "2026-13", "now": NOW}, "billing_period"),
                             ({"billing_period": "2026-08", "now": NOW, "colour": "red"}, "colour"),
                             ({"billing_period": "2026-08"}, "now")]:
        bad = await client.call_tool("bill_timing", arguments)
        assert bad.is_error and field in bad.content[0].text
        assert field in [d["field"] for d in bad.structured_content["error"]["details"]]
    bad = await client.call_tool("search_rules", {"query": "账单", "k": 0})
    assert bad.is_error and bad.structured_content["error"]["details"][0]["field"] == "k"
    with pytest.raises(MCPError, match="unknown tool"):
        await client.call_tool("no_such_tool", {})

    # Search: ranked passages with chunk ids, quotes and menu paths.
    found = await client.call_tool("search_rules", {"query": "伙伴账单几号生成", "k": 3})
    passages = found.structured_content["passages"]
    assert [p["rank"] for p in passages] == [1, 2, 3]
    top = passages[0]
    assert BILL_RULE in top["quote"] and top["quote"] in top["text"]
    assert top["menu_path"] == "销售 > 账务 > 伙伴账单" and top["chunk_id"] in found.content[0].text

    # Ask: the assistant's full answer as structured content, the text with numbered references.
    asked = await client.call_tool("ask", {"message": "8月的伙伴账单什么时候生成?我在东京", "now": NOW})
    answer = asked.structured_content
    assert answer["abstained"] is False and answer["tool_calls"][0]["name"] == "bill_timing"
    assert answer["tool_calls"][0]["result"]["generation_deadline_local"] == "2026-09-05T13:00:00+09:00"
    assert answer["citations"][0]["chunk_id"] == top["chunk_id"] and "[1]" in asked.content[0].text
    follow = await client.call_tool("ask", {"message": "那9月的呢?", "session_id": answer["session_id"], "now": NOW})
    call = follow.structured_content["tool_calls"][0]  # the session carries the tool and the Tokyo time zone
    assert call["arguments"]["billing_period"] == "2026-09" and call["arguments"]["timezone"] == "Asia/Tokyo"
    refused = await client.call_tool("ask", {"message": "Which pizza toppings are popular in Naples?"})
    assert refused.structured_content["abstained"] is True and refused.structured_content["citations"] == []
    bad = await client.call_tool("ask", {"message": ""})
    assert bad.is_error and "message" in bad.content[0].text

    # Resources: every chunk by id, readable as text and as JSON metadata.
    uris, cursor = [], None
    while True:
        page = await client.list_resources(cursor=cursor) if cursor else await client.list_resources()
        uris += [str(r.uri) for r in page.resources]
        cursor = page.next_cursor
        if not cursor:
            break
    assert top["uri"] in uris and len(uris) == len(set(uris))
    contents = (await client.read_resource(top["uri"])).contents
    assert contents[0].text == top["text"]
    assert json.loads(contents[1].text)["menu_path"] == "销售 > 账务 > 伙伴账单"
    with pytest.raises(MCPError):
        await client.read_resource("partner-rules://chunks/0000000000")


def test_over_stdio(tmp_path):
    env = {**os.environ, "PARTNER_ASSISTANT_DATA_DIR": str(tmp_path), "OMP_NUM_THREADS": "1"}
    env.pop("PARTNER_ASSISTANT_CHROMA_URL", None)
    command = str(Path(sys.executable).parent / "partner-assistant")
    params = StdioServerParameters(command=command, args=["mcp"], env=env)  # builds the index, then serves

    notice = tmp_path / "notice-2027.json"  # an imported official schedule applies to the tools, as in answers
    notice.write_text(json.dumps({"source": "test notice", "years": {"2027": {
        "holidays": [f"2027-02-{d:02d}" for d in range(5, 12)], "workdays": ["2027-02-20"]}}}), encoding="utf-8")
    import_calendar(notice, tmp_path)

    async def go():
        async with Client(params, read_timeout_seconds=180) as client:
            await exercise(client)
            visible = await client.call_tool("performance_visibility", {"business_date": "2027-02-04"})
            assert visible.structured_content["calendar_status"] == "official"
            assert visible.structured_content["visible_date"] == "2027-02-12"

    asyncio.run(go())


def test_over_streamable_http(loopback_server):
    url = loopback_server + "/mcp"

    async def go():
        http = create_mcp_http_client(headers={"Authorization": "Bearer p-key"})
        async with http, Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as client:
            await exercise(client)
            asked = await client.call_tool("ask", {"message": "伙伴账单在哪里查看?", "session_id": "mcp-owned"})
            return asked.structured_content["session_id"]

    session = asyncio.run(go())
    # The conversation belongs to the key that asked, as on /v1/chat.
    mine = httpx.get(loopback_server + "/v1/sessions", headers={"Authorization": "Bearer p-key"}).json()
    theirs = httpx.get(loopback_server + "/v1/sessions", headers={"Authorization": "Bearer s-key"}).json()
    assert session in [s["session_id"] for s in mine["sessions"]]
    assert session not in [s["session_id"] for s in theirs["sessions"]]


def test_http_needs_a_key_like_the_rest_of_the_api(loopback_server):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    denied = httpx.post(loopback_server + "/mcp", json=initialize,
                        headers={"Accept": "application/json, text/event-stream"})
    assert denied.status_code == 401 and denied.json()["error"]["code"] == "missing_api_key"
    wrong = httpx.post(loopback_server + "/mcp", json=initialize, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    huge = httpx.post(loopback_server + "/mcp", content=b"{" + b" " * 1_100_000 + b"}",
                      headers={"Authorization": "Bearer p-key", "Content-Type": "application/json"})
    assert huge.status_code == 413  # the API's body cap


def test_without_keys_the_endpoint_refuses_foreign_hosts_and_origins(built_data):
    """The keyless server is loopback-only; a web page reaching it through DNS rebinding is refused."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from assistant import Settings

    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}
    headers = {"Accept": "application/json, text/event-stream"}
    with TestClient(create_app(Settings(data_dir=built_data)), base_url="http://127.0.0.1:8000") as client:
        ok = client.post("/mcp", json=initialize, headers=headers)
        assert ok.status_code == 200 and ok.json()["result"]["serverInfo"]["name"] == "partner-rules-assistant"
        assert client.post("/mcp", json=initialize, headers={**headers, "Host": "evil.example"}).status_code == 421
        assert client.post("/mcp", json=initialize,
                           headers={**headers, "Origin": "http://evil.example"}).status_code == 403
