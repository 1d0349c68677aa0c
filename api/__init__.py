"""Interfaces over the assistant: the command line and the HTTP API with its web pages."""

__all__ = ["create_app"]


def __getattr__(name: str):
    # The CLI imports this package; FastAPI loads only when the app is asked for.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
