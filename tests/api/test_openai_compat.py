"""The OpenAI-compatible endpoints, driven by the official `openai` SDK: in process (the ASGI app through
httpx's ASGI transport) and against a real `partner-assistant serve` on loopback."""

import asyncio

import httpx2
import openai
import pytest

from api.app import create_app
from assistant import Assistant, Settings

from .conftest import KEYS

pytestmark = pytest.mark.integration
MODEL = "partner-rules-assistant"
NOW = {"now": "2026-11-27T10:00:00+08:00"}
BILL = "8月的伙伴账单什么时候生成?我在东京"
INVOICE = "Can several incentives go on one invoice?"


def run(coro):
    return asyncio.run(coro)


class InProcess:
    """One app with its lifespan running, and SDK clients bound to it through the ASGI transport."""

    def __init__(self, bot, **settings):
        self.app = create_app(Settings(data_dir=bot.settings_dir, api_keys=KEYS, **settings), assistant=bot)

    def client(self, key="p-key", **kwargs) -> openai.AsyncOpenAI:
        transport = httpx2.ASGITransport(app=self.app)
        return openai.AsyncOpenAI(api_key=key, base_url="http://testserver/v1", max_retries=0,
                                  http_client=httpx2.AsyncClient(transport=transport), **kwargs)

    def call(self, make):
        """Run ``make(client)`` with the app's lifespan (index loaded) around it."""
        async def go():
            async with self.app.router.lifespan_context(self.app):
                try:
                    return await make(self), None
                except Exception as exc:  # noqa: BLE001 - raised below, outside the lifespan's task group
                    return None, exc

        result, error = run(go())
        if error is not None:
            raise error
        return result


@pytest.fixture(scope="module")
def bot(built_data):
    """One loaded assistant shared by the apps below (each app's lifespan then costs nothing)."""
    assistant = Assistant.from_settings(Settings(data_dir=built_data))
    assistant.warm_up()
    assistant.settings_dir = built_data
    return assistant


@pytest.fixture(scope="module")
def asgi(bot):
    return InProcess(bot)


async def _complete(ctx, messages, key="p-key", **kwargs):
    return await ctx.client(key).chat.completions.create(model=MODEL, messages=messages, extra_body=NOW, **kwargs)


def test_models_list_names_the_assistant(asgi):
    models = asgi.call(lambda ctx: ctx.client().models.list())
    assert [m.id for m in models.data] == [MODEL]  # no LLM configured: no LLM variant
    assert asgi.call(lambda ctx: ctx.client().models.retrieve(MODEL)).id == MODEL


def test_a_tool_computation_with_exact_values_and_numbered_references(asgi):
    reply = asgi.call(lambda ctx: _complete(ctx, [{"role": "user", "content": BILL}]))
    message = reply.choices[0].message
    assert reply.object == "chat.completion" and reply.choices[0].finish_reason == "stop"
    extra = message.partner_rules
    call = extra["tool_calls"][0]
    assert call["name"] == "bill_timing"
    assert call["arguments"] == {"billing_period": "2026-08", "now": "2026-11-27T10:00:00+08:00",
                                 "timezone": "Asia/Tokyo"}
    assert call["result"]["generation_deadline_beijing"] == "2026-09-05T12:00:00+08:00"
    assert call["result"]["generation_deadline_local"] == "2026-09-05T13:00:00+09:00"
    assert call["result"]["status"] == "available"
    assert extra["abstained"] is False and extra["language"] == "zh"
    # The text quotes the rule with a numbered reference, and lists the references at the end.
    citation = extra["citations"][0]
    assert citation["ref"] == 1 and citation["quote"] in message.content
    assert f"「{citation['quote']}」[1]" in message.content
    assert message.content.rstrip().endswith(f"[1] {citation['source']} · {citation['menu_path']}")
    assert "2026-09-05" in message.content
    assert reply.id == "chatcmpl-" + extra["answer_id"]


def test_streaming_sends_the_same_answer_in_chunks_and_the_extra_field_last(asgi):
    async def both(ctx):
        plain = await _complete(ctx, [{"role": "user", "content": BILL}])
        chunks = [c async for c in await _complete(ctx, [{"role": "user", "content": BILL}], stream=True)]
        return plain, chunks

    plain, chunks = asgi.call(both)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    last = chunks[-1].choices[0]
    assert last.finish_reason == "stop"
    assert last.delta.partner_rules["tool_calls"][0]["result"]["generation_deadline_beijing"] == \
        "2026-09-05T12:00:00+08:00"


def test_multi_turn_state_comes_from_the_history_deterministically(asgi):
    follow = "那9月的呢?"

    async def turns(ctx):
        first = await _complete(ctx, [{"role": "user", "content": BILL}])
        history = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": BILL},
                   {"role": "assistant", "content": first.choices[0].message.content},
                   {"role": "user", "content": follow}]
        second = await _complete(ctx, history)
        again = await _complete(ctx, history)  # same history, same state, same answer
        edited = await _complete(ctx, [*history[:2], {"role": "assistant", "content": "(edited by the client)"},
                                       history[3]])  # assistant turns do not carry state
        alone = await _complete(ctx, [{"role": "user", "content": follow}])
        return first, second, again, edited, alone

    first, second, again, edited, alone = asgi.call(turns)
    extra = second.choices[0].message.partner_rules
    call = extra["tool_calls"][0]
    # The second turn continues the first: same tool, the Tokyo time zone carried over, the new month.
    assert call["name"] == "bill_timing"
    assert call["arguments"]["billing_period"] == "2026-09" and call["arguments"]["timezone"] == "Asia/Tokyo"
    assert call["result"]["generation_deadline_local"] == "2026-10-05T13:00:00+09:00"
    for other in (again, edited):
        assert other.choices[0].message.content == second.choices[0].message.content
        assert other.choices[0].message.partner_rules["tool_calls"] == extra["tool_calls"]
    assert not [c for c in alone.choices[0].message.partner_rules["tool_calls"]
                if c["arguments"].get("timezone") == "Asia/Tokyo"]  # without the history, no Tokyo
    # Turns are recorded under one conversation (named by its first message), not one session per request.
    assert extra["session_id"] == first.choices[0].message.partner_rules["session_id"]


def test_unknown_parameters_are_ignored_and_user_scopes_the_conversation(asgi):
    async def calls(ctx):
        messages = [{"role": "user", "content": BILL}]
        tuned = await ctx.client().chat.completions.create(
            model=MODEL, messages=messages, temperature=0.2, max_tokens=50, seed=7, top_p=0.9, user="alice",
            stream_options=None, extra_body={**NOW, "some_vendor_option": {"x": 1}})
        other = await _complete(ctx, [{"role": "user", "content": [{"type": "text", "text": BILL}]}], user="bob")
        return tuned, other

    tuned, other = asgi.call(calls)
    alice, bob = tuned.choices[0].message.partner_rules, other.choices[0].message.partner_rules
    assert alice["tool_calls"] == bob["tool_calls"]  # the parameters change nothing in the answer
    assert alice["session_id"] != bob["session_id"]  # each end user's conversation is recorded apart


def test_an_unsupported_question_abstains_without_references(asgi):
    reply = asgi.call(lambda ctx: _complete(ctx, [{"role": "user", "content":
                                                   "Which pizza toppings are popular in Naples?"}]))
    extra = reply.choices[0].message.partner_rules
    assert extra["abstained"] is True and extra["citations"] == [] and extra["tool_calls"] == []
    assert "[1]" not in reply.choices[0].message.content


@pytest.mark.parametrize(("kwargs", "param", "code"), [
    ({"n": 2}, "n", "unsupported_value"),
    ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]},
     "tools", "unsupported_parameter"),
    ({"extra_body": {"functions": [{"name": "f", "parameters": {}}]}}, "functions", "unsupported_parameter"),
])
def test_n_and_client_tools_are_refused_in_openais_error_shape(asgi, kwargs, param, code):
    async def call(ctx):
        extra = {**NOW, **kwargs.pop("extra_body", {})}
        return await ctx.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": BILL}], extra_body=extra, **kwargs)

    with pytest.raises(openai.BadRequestError) as caught:
        asgi.call(call)
    assert caught.value.status_code == 400
    error = caught.value.body
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)


@pytest.mark.parametrize(("messages", "param"), [
    ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}],
     "messages[0].content[0].type"),
    ([{"role": "robot", "content": "hi"}], "messages.0.role"),
    ([{"role": "user", "content": BILL}, {"role": "assistant", "content": "..."}], "messages[1].role"),
    ([{"role": "user", "content": "   "}], "messages[0].content"),
    ([{"role": "user", "content": "x" * 2001}], "messages[0].content"),
    ([{"role": "user", "content": "x" * 2001}, {"role": "user", "content": BILL}], "messages[0].content"),
])
def test_bad_messages_get_a_400_naming_the_field(asgi, messages, param):
    with pytest.raises(openai.BadRequestError) as caught:
        asgi.call(lambda ctx: _complete(ctx, messages))
    assert caught.value.body["param"].replace("[", ".").replace("]", "") == param.replace("[", ".").replace("]", "")


def test_auth_errors_unknown_models_and_rate_limits(asgi, bot):
    with pytest.raises(openai.AuthenticationError) as caught:
        asgi.call(lambda ctx: _complete(ctx, [{"role": "user", "content": BILL}], key="wrong"))
    assert caught.value.body["code"] == "invalid_api_key" and caught.value.body["type"] == "authentication_error"
    with pytest.raises(openai.AuthenticationError):
        asgi.call(lambda ctx: ctx.client(key="wrong").models.list())
    with pytest.raises(openai.NotFoundError) as caught:
        asgi.call(lambda ctx: ctx.client().chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": BILL}]))
    assert caught.value.body["param"] == "model"

    limited = InProcess(bot, rate_limit_per_minute=1)
    with pytest.raises(openai.RateLimitError) as caught:
        limited.call(lambda ctx: asyncio.gather(*(ctx.client().models.list() for _ in range(3))))
    assert caught.value.body["code"] == "rate_limited"


def test_the_body_cap_applies(bot):
    small = InProcess(bot, max_body_bytes=2048)
    with pytest.raises(openai.APIStatusError) as caught:
        small.call(lambda ctx: _complete(ctx, [{"role": "user", "content": BILL * 200}]))
    assert caught.value.status_code == 413


def test_against_a_running_server_on_loopback(loopback_server):
    client = openai.OpenAI(api_key="p-key", base_url=loopback_server + "/v1", max_retries=0)
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": BILL}], extra_body=NOW)
    result = reply.choices[0].message.partner_rules["tool_calls"][0]["result"]
    assert result["generation_deadline_local"] == "2026-09-05T13:00:00+09:00"
    stream = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": BILL}],
                                            extra_body=NOW, stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    assert text == reply.choices[0].message.content
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(api_key="wrong", base_url=loopback_server + "/v1", max_retries=0).models.list()
