"""The deterministic rules engine: pure, typed, cited tools over the partner-center rules.

Imports nothing from the rest of the project.
"""

from .model import ToolOutput
from .registry import TOOLS, Tool, ToolError, ToolInputError, UnknownToolError, get_tool, run_tool
from .rules import RULES, Rule

__all__ = ["RULES", "TOOLS", "Rule", "Tool", "ToolError", "ToolInputError", "ToolOutput",
           "UnknownToolError", "get_tool", "run_tool"]
