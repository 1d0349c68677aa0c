"""The assistant: routing, answer composition and the answer contract."""

from .answer import Answer, Citation, ToolCall
from .service import Assistant
from .settings import Settings, get_settings

__all__ = ["Answer", "Assistant", "Citation", "Settings", "ToolCall", "get_settings"]
