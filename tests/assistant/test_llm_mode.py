"""LLM mode with a scripted LangChain chat model: accepted only when citations and numbers check out."""

from datetime import datetime

import pytest
from langchain_core.messages import AIMessage, SystemMessage

from assistant import Assistant, Settings
from assistant.fake_llm import ScriptedChatModel
from assistant.prompts import SYSTEM, Prompt, PromptError

pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
QUESTION = "8月的伙伴账单什么时候生成?"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="use")
    Assistant.from_settings(s).index.build()
    return s


def make(settings, script):
    base = Assistant.from_settings(settings)
    model = ScriptedChatModel(script=script)
    return Assistant(base.retriever, base.sessions, llm=model), model


def bill_chunk(assistant):
    return assistant.index.chunks_stating("每月5号12:00前")[0].id


def script(final_text):
    return [
        AIMessage(content="", tool_calls=[{"name": "search_rules", "args": {"query": "伙伴账单 生成时间"}, "id": "c1"}]),
        AIMessage(content="", tool_calls=[{"name": "bill_timing", "args": {"billing_period": "2026-08"}, "id": "c2"}]),
        AIMessage(content=final_text),
    ]


def test_a_grounded_model_answer_is_accepted(settings):
    assistant, model = make(settings, [])
    cid = bill_chunk(assistant)
    model.script.extend(script(f"8月账单会在北京时间2026-09-05 12:00前生成 [chunk:{cid}]。"))
    answer = assistant.answer(QUESTION, now=NOW)
    assert answer.answer == "8月账单会在北京时间2026-09-05 12:00前生成 。"
    assert [c.chunk_id for c in answer.citations] == [cid]
    assert [c.name for c in answer.tool_calls] == ["bill_timing"]
    assert answer.tool_calls[0].arguments["now"] == NOW.isoformat()  # the clock is ours, not the model's
    assert "search_rules" in model.bound_tools and "invoice_merge_check" in model.bound_tools
    system = model.seen[0][0]
    assert isinstance(system, SystemMessage) and SYSTEM.version and NOW.isoformat() in system.content
    # the model's wording has no language-neutral form: a language switch shows the stored turn as served
    assert answer._parts is None
    fallback, _ = make(settings, [])
    assert fallback.answer(QUESTION, now=NOW)._parts is not None  # the deterministic answer keeps its own


@pytest.mark.parametrize("final", [
    "8月账单会在2026-09-05 12:00前生成 [chunk:deadbeefdeadbeef]。",  # cites a chunk it never retrieved
    "8月账单会在2026-09-05 12:00前生成。",                            # cites nothing
    "8月账单会在2026-09-06 12:00前生成 [chunk:{cid}]。",              # a number no source supports
])
def test_ungrounded_model_answers_fall_back_to_the_deterministic_one(settings, final):
    assistant, model = make(settings, [])
    model.script.extend(script(final.replace("{cid}", bill_chunk(assistant))))
    answer = assistant.answer(QUESTION, now=NOW)
    assert answer.answer.startswith("账期 2026-08 的伙伴账单按北京时间统计")
    assert answer.tool_calls[0].result["generation_deadline_beijing"] == "2026-09-05T12:00:00+08:00"


def test_a_failing_provider_falls_back(settings):
    assistant, model = make(settings, [])  # an empty script raises on the first call
    answer = assistant.answer(QUESTION, now=NOW)
    assert answer.answer.startswith("账期 2026-08")


def test_prompts_declare_their_variables():
    assert "{now}" not in SYSTEM.render(language="Chinese", now="2026-11-27T10:00:00+08:00")
    with pytest.raises(PromptError, match="missing"):
        SYSTEM.render(language="Chinese")
    with pytest.raises(PromptError, match="declares"):
        Prompt(name="x", version="1", template="hello {name}", variables=frozenset({"other"}))
