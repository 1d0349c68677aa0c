"""One settings class, read from arguments then ``PARTNER_ASSISTANT_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNER_ASSISTANT_", extra="forbid")

    data_dir: Path = Field(default=Path("data"), description="Embedded Chroma store and databases live here")
    chroma_url: str | None = Field(default=None, description="Use a Chroma server, e.g. http://127.0.0.1:8000")
    embedder: str = Field(default="use", description="use | e5 | st:minilm | st:<model dir> | hash")
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    namespace: str = Field(default="partner-rules", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,60}$")
    database_url: str | None = Field(
        default=None, description="Sessions and feedback database; default sqlite:///<data_dir>/assistant.db, "
                                  "or e.g. postgresql+psycopg://user:pass@host/db")
    session_ttl_hours: float = Field(default=24.0, gt=0, le=24 * 90)
    llm_model: str | None = Field(default=None, description="Optional LLM mode: provider:model for "
                                                            "LangChain init_chat_model, e.g. openai:gpt-4o-mini")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint for LLM mode")
    llm_api_key: str | None = Field(default=None, repr=False)
    # HTTP API
    api_keys: str | None = Field(default=None, repr=False,
                                 description="Comma-separated key:role pairs, roles partner|support|admin")
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_upload_bytes: int = Field(default=20_000_000, ge=1024)
    rate_limit_per_minute: int = Field(default=600, ge=1, description="Requests per minute per API key "
                                       "(per client address when no keys are configured)")
    auth_failures_per_minute: int = Field(default=30, ge=1, description="Failed authentications per client "
                                          "address per minute; past it the address gets 429 for the minute")
    rate_limit_storage_url: str = Field(default="memory://", description="Where limits are counted: memory:// "
                                        "(per worker) or redis://host:6379 (shared by all workers)")
    request_timeout_seconds: float = Field(default=30.0, gt=0)

    def parsed_api_keys(self) -> dict[str, str]:
        """``{key: role}``; an empty mapping means the API is open (and then binds to loopback only)."""
        keys: dict[str, str] = {}
        for item in (self.api_keys or "").split(","):
            if not item.strip():
                continue
            key, sep, role = item.strip().rpartition(":")
            if not sep or not key or role not in {"partner", "support", "admin"}:
                raise ValueError("PARTNER_ASSISTANT_API_KEYS must look like key1:partner,key2:support,key3:admin")
            keys[key] = role
        return keys

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'assistant.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
