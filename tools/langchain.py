"""LangChain adapters: every rules-engine tool as a ``StructuredTool``.

``args_schema`` is the tool's own input model, so LangChain validates with the same rules.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import StructuredTool

from .registry import TOOLS, Tool


def _as_structured(tool: Tool) -> StructuredTool:
    def call(**kwargs: Any) -> dict[str, Any]:
        return tool.run(kwargs).model_dump(mode="json")

    return StructuredTool.from_function(
        func=call, name=tool.name, description=tool.description.split("\n\n")[0],
        args_schema=tool.input_model, infer_schema=False)


def langchain_tools() -> list[StructuredTool]:
    return [_as_structured(tool) for tool in TOOLS.values()]
