"""LLM mode through its real provider path: LangChain's OpenAI client (init_chat_model "openai:<model>" with a
base URL, as for vLLM or Ollama) talking HTTP to the shipped scripted OpenAI-compatible server on loopback."""

import asyncio
import json
from datetime import datetime

import httpx2
import openai
import pytest

from api.app import create_app
from assistant import Assistant, Settings
from assistant.fake_openai_server import ScriptedOpenAIServer, ToolCallStep

pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
QUESTION = "8月的伙伴账单什么时候生成?"
BILL_RULE = "每月5号12:00前"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("llm-provider")
    Assistant.from_settings(Settings(data_dir=folder)).index.build()
    return folder


def cite_the_bill_rule(request):
    """The final step reads the search results the client sent back and cites the chunk stating the rule."""
    results = [json.loads(m["content"]) for m in request["messages"]
               if m["role"] == "tool" and m["content"].startswith("[")]
    chunk = next(c for hits in results for c in hits if BILL_RULE in c["text"])
    return f"8月账单会在北京时间2026-09-05 12:00前生成 [chunk:{chunk['id']}]。"


def script(final):
    return [ToolCallStep("search_rules", {"query": "伙伴账单 生成时间"}),
            ToolCallStep("bill_timing", {"billing_period": "2026-08"}),
            final]


def llm_settings(data, fake, **more):
    return Settings(data_dir=data, llm_model="openai:fake-rules-model", llm_base_url=fake.base_url,
                    llm_api_key="sk-fake", **more)


def test_a_grounded_answer_from_the_provider_is_accepted(data):
    with ScriptedOpenAIServer(script(cite_the_bill_rule)) as fake:
        bot = Assistant.from_settings(llm_settings(data, fake))
        answer = bot.answer(QUESTION, now=NOW)
    assert answer.answer == "8月账单会在北京时间2026-09-05 12:00前生成 。"
    assert BILL_RULE in answer.citations[0].text
    call = answer.tool_calls[0]
    assert call.name == "bill_timing" and call.arguments["now"] == NOW.isoformat()  # our clock, not the model's
    assert call.result["generation_deadline_beijing"] == "2026-09-05T12:00:00+08:00"
    # What went over the wire: OpenAI's format, with our tools, the key and the configured model.
    first, second, third = fake.requests
    assert first["model"] == "fake-rules-model" and fake.headers[0]["authorization"] == "Bearer sk-fake"
    offered = {t["function"]["name"] for t in first["tools"]}
    assert {"search_rules", "bill_timing", "invoice_merge_check"} <= offered
    assert first["messages"][0]["role"] == "system" and first["messages"][1]["content"] == QUESTION
    assert second["messages"][-1]["role"] == "tool" and BILL_RULE in second["messages"][-1]["content"]
    bill = json.loads(third["messages"][-1]["content"])
    assert bill["generation_deadline_beijing"] == "2026-09-05T12:00:00+08:00"


@pytest.mark.parametrize("final", [
    "8月账单会在2026-09-06 12:00前生成 [chunk:{cid}]。",  # a date no source supports
    "8月账单会在2026-09-05 12:00前生成。",              # cites nothing
])
def test_an_ungrounded_provider_answer_falls_back(data, final):
    def reply(request):
        return final.replace("{cid}", cite_the_bill_rule(request).split("[chunk:")[1].split("]")[0])

    with ScriptedOpenAIServer(script(reply)) as fake:
        answer = Assistant.from_settings(llm_settings(data, fake)).answer(QUESTION, now=NOW)
        assert len(fake.requests) == 3  # the provider was asked, and overruled
    assert answer.answer.startswith("账期 2026-08 的伙伴账单按北京时间统计")


def test_a_failing_provider_falls_back(data):
    with ScriptedOpenAIServer([]) as fake:  # every request answers 500
        answer = Assistant.from_settings(llm_settings(data, fake)).answer(QUESTION, now=NOW)
        assert fake.requests  # it was called
    assert answer.answer.startswith("账期 2026-08")


def test_the_openai_endpoint_offers_the_llm_variant(data):
    """`partner-rules-assistant-llm` answers through the provider; the plain model never calls it."""
    async def go(app, fake):
        async with app.router.lifespan_context(app):
            client = openai.AsyncOpenAI(api_key="x", base_url="http://testserver/v1", max_retries=0,
                                        http_client=httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)))
            models = [m.id for m in (await client.models.list()).data]
            messages = [{"role": "user", "content": QUESTION}]
            plain = await client.chat.completions.create(model="partner-rules-assistant", messages=messages,
                                                         extra_body={"now": NOW.isoformat()})
            asked = len(fake.requests)
            llm = await client.chat.completions.create(model="partner-rules-assistant-llm", messages=messages,
                                                       extra_body={"now": NOW.isoformat()})
            return models, plain, asked, llm

    with ScriptedOpenAIServer(script(cite_the_bill_rule)) as fake:
        app = create_app(llm_settings(data, fake))
        models, plain, asked, llm = asyncio.run(go(app, fake))
    assert models == ["partner-rules-assistant", "partner-rules-assistant-llm"]
    assert asked == 0 and plain.choices[0].message.content.startswith("账期 2026-08")
    assert llm.choices[0].message.content.startswith("8月账单会在北京时间2026-09-05 12:00前生成 。 [1]")
    assert llm.choices[0].message.partner_rules["tool_calls"][0]["name"] == "bill_timing"
