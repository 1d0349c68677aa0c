"""Routers that speak other APIs' formats over the same assistant (OpenAI-compatible chat)."""
