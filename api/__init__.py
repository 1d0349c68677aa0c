"""Interfaces over the assistant: the command line (and, later, the HTTP API)."""

__all__: list[str] = []
