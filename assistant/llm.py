"""Optional LLM mode: a LangChain chat model with the rules-engine tools and a retrieval tool.

The model's answer is accepted only when it cites chunks it actually retrieved and every number
it states comes from a tool result or a retrieved chunk; otherwise the deterministic answer stands.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ConfigDict, Field

from knowledge import Chunk, Retriever
from knowledge.chunking import quote_span
from tools import ToolError, get_tool
from tools.langchain import langchain_tools

from .answer import Answer, Citation, ToolCall
from .catalogue import with_catalogue
from .compose import CompositionError, check_numbers
from .extractive import best_sentences
from .prompts import SYSTEM

log = logging.getLogger(__name__)
MAX_STEPS = 6
_CITE = re.compile(r"\[chunk:([0-9a-f]{6,64})\]")


class SearchRulesInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500, description="What to look up in the Partner Center rules")
    k: int = Field(default=4, ge=1, le=10)


def init_model(spec: str, base_url: str | None = None, api_key: str | None = None):
    """``provider:model`` through LangChain's init_chat_model (e.g. ``openai:gpt-4o-mini`` with a base URL)."""
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {}
    if base_url:
        kwargs["base_url"] = base_url
    if api_key:
        kwargs["api_key"] = api_key
    try:
        return init_chat_model(spec, **kwargs)
    except (ImportError, ValueError) as exc:
        raise ValueError(f"LLM mode cannot use {spec!r}: {exc}") from exc


class LLMAnswerer:
    def __init__(self, model: Any, retriever: Retriever) -> None:
        self.model = model
        self.retriever = retriever

    def _tools(self, retrieved: dict[str, Chunk]) -> list[StructuredTool]:
        def search_rules(query: str, k: int = 4) -> str:
            hits = self.retriever.search(query, k=k).hits
            for hit in hits:
                retrieved[hit.chunk.id] = hit.chunk
            return json.dumps([{"id": h.chunk.id, "title": h.chunk.title, "text": h.chunk.text,
                                "menu_path": h.chunk.menu_path} for h in hits], ensure_ascii=False)

        search = StructuredTool.from_function(
            func=search_rules, name="search_rules", args_schema=SearchRulesInput, infer_schema=False,
            description="Search the Partner Center rule documents; returns chunks with ids to cite.")
        return [search, *langchain_tools()]

    def answer(self, message: str, language: str, now: datetime, fallback: Answer) -> Answer:
        """The model's answer if it passes validation, else ``fallback``."""
        retrieved: dict[str, Chunk] = {}
        tools = self._tools(retrieved)
        by_name = {t.name: t for t in tools}
        model = self.model.bind_tools(tools)
        messages: list[Any] = [SystemMessage(SYSTEM.render(language=language, now=now.isoformat())),
                               HumanMessage(message)]
        calls: list[ToolCall] = []
        try:
            for _ in range(MAX_STEPS):
                reply: AIMessage = model.invoke(messages)
                messages.append(reply)
                if not reply.tool_calls:
                    return self._validated(str(reply.content), retrieved, calls, fallback)
                for call in reply.tool_calls:
                    output = self._run(by_name, call, now, calls)
                    messages.append(ToolMessage(content=output, tool_call_id=call["id"]))
        except Exception as exc:  # noqa: BLE001 - any provider failure falls back to the deterministic answer
            log.warning("LLM mode failed, using the deterministic answer: %s", exc)
            return fallback
        log.warning("LLM mode did not finish in %d steps", MAX_STEPS)
        return fallback

    def _run(self, by_name: dict[str, StructuredTool], call: dict[str, Any], now: datetime,
             calls: list[ToolCall]) -> str:
        name, args = call["name"], dict(call.get("args") or {})
        if name not in by_name:
            return json.dumps({"error": f"unknown tool {name}"})
        if name == "search_rules":
            return by_name[name].invoke(args)
        tool = get_tool(name)
        if "now" in tool.input_model.model_fields and "now" not in args:
            args["now"] = now.isoformat()  # the clock comes from us, never from the model
        try:
            result = tool.run(with_catalogue(tool, args, self.retriever.index)).model_dump(mode="json")
        except ToolError as exc:
            return json.dumps({"error": str(exc)}, ensure_ascii=False)
        calls.append(ToolCall(name=name, arguments=args, result=result))
        return json.dumps(result, ensure_ascii=False)

    def _validated(self, text: str, retrieved: dict[str, Chunk], calls: list[ToolCall], fallback: Answer) -> Answer:
        cited = list(dict.fromkeys(_CITE.findall(text)))
        if not cited or any(cid not in retrieved for cid in cited):
            log.info("LLM answer rejected: citations %s not all among retrieved chunks", cited)
            return fallback
        body = _CITE.sub("", text).strip()
        sources = [retrieved[c].text for c in cited] + [json.dumps(c.result, ensure_ascii=False) for c in calls]
        try:
            check_numbers(body, sources)
        except CompositionError as exc:
            log.info("LLM answer rejected: %s", exc)
            return fallback
        citations = [Citation(chunk_id=c, text=retrieved[c].text,
                              quote=quote_span(retrieved[c].text, best_sentences(body, retrieved[c])),
                              source=retrieved[c].source, menu_path=retrieved[c].menu_path,
                              title=retrieved[c].title or None) for c in cited]
        return fallback.model_copy(update={"answer": body, "abstained": False, "citations": citations,
                                           "tool_calls": calls})
