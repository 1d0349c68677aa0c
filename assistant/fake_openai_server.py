"""A scripted OpenAI-compatible chat-completions server on a loopback port, for the LLM mode's provider path.

``ScriptedChatModel`` (``fake_llm.py``) replaces the LangChain model in process; this server replaces the
*provider*: LLM mode is configured exactly as for vLLM, Ollama or OpenAI (``openai:<model>`` plus a base
URL), so LangChain's OpenAI client, its HTTP requests, tool-call encoding and response parsing all run.
Shipped in the package so anyone can exercise LLM mode without a provider::

    with ScriptedOpenAIServer([ToolCallStep("search_rules", {"query": "伙伴账单"}), "answer [chunk:...]"]) as fake:
        settings = Settings(llm_model="openai:fake", llm_base_url=fake.base_url, llm_api_key="sk-fake")

Each request pops the next step: a ``ToolCallStep`` (the model asks for tool calls), a string (the final
answer) or a callable taking the request body and returning either. An exhausted script answers 500, as
a failing provider would. Every request body and its headers are recorded in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


@dataclass
class ToolCallStep:
    """The model calls one tool (``name`` with ``arguments``); ``more`` adds parallel calls."""

    name: str
    arguments: dict[str, Any]
    more: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        return [(self.name, self.arguments), *self.more]


Step = Union[str, ToolCallStep, Callable[[dict[str, Any]], Union[str, ToolCallStep]]]


class ScriptedOpenAIServer:
    def __init__(self, script: list[Step]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": "scripted", "object": "model", "created": 0, "owned_by": "fake"}]}

        @app.post("/v1/chat/completions")
        async def complete(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            if not self.script:
                return JSONResponse({"error": {"message": "the scripted provider has no more replies",
                                               "type": "server_error", "param": None, "code": "script_exhausted"}},
                                    status_code=500)
            step = self.script.pop(0)
            if callable(step) and not isinstance(step, ToolCallStep):
                step = step(body)
            return JSONResponse(self._completion(len(self.requests), body.get("model", "scripted"), step))

        return app

    @staticmethod
    def _completion(number: int, model: str, step: str | ToolCallStep) -> dict[str, Any]:
        if isinstance(step, ToolCallStep):
            calls = [{"id": f"call_{number}_{i}", "type": "function",
                      "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}}
                     for i, (name, args) in enumerate(step.calls())]
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": calls}
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": step}, "stop"
        return {"id": f"chatcmpl-scripted-{number}", "object": "chat.completion", "created": int(time.time()),
                "model": model, "choices": [{"index": 0, "message": message, "finish_reason": finish,
                                             "logprobs": None}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}

    # ---- lifecycle: uvicorn in a thread on a port the OS picks ------------------------------------
    def start(self) -> ScriptedOpenAIServer:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the scripted OpenAI server did not start")
            time.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
