"""Settings: one pydantic-settings model, built once at each edge and passed down.

Every field reads from the environment with the prefix ``SMARTOPS_`` (for example
``SMARTOPS_PORT=9000``). Nothing in the library reads the environment itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """All smartops settings. See the configuration table in the README."""

    model_config = SettingsConfigDict(env_prefix="SMARTOPS_", extra="ignore", frozen=True)

    # Where all local state lives (Redis data, indexes, logs of the embedded stack).
    data_dir: Path = Path(".smartops")

    # Gateway
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    model_id: str = "smartops"
    api_key: SecretStr | None = None
    api_key_principal: str = "api-key"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_messages: int = Field(200, ge=1)
    max_message_chars: int = Field(32_000, ge=1)
    max_tokens_cap: int = Field(4096, ge=1)
    log_level: LogLevel = "INFO"

    # Upstream LLM (any OpenAI-compatible server). Empty base URL: the embedded stack
    # starts llama.cpp's server and fills it in.
    llm_base_url: str = ""
    llm_api_key: SecretStr | None = None
    llm_model: str = ""
    llm_connect_timeout_s: float = Field(3.0, gt=0)
    llm_read_timeout_s: float = Field(120.0, gt=0)
    llm_connect_retries: int = Field(2, ge=0, le=10)
    llm_max_tokens: int = Field(512, ge=1)
    llm_temperature: float = Field(0.2, ge=0, le=2)
    # Header that carries our request id upstream. llama-cpp-python's server answers 400
    # to an X-Request-ID that is not a UUID, so the embedded stack uses another name.
    llm_request_id_header: str = "X-Request-ID"

    # Embedded LLM server (llama.cpp): which packaged model, and its port (0: a free one).
    llm_embedded_model: str = "smollm2"
    llm_embedded_port: int = Field(0, ge=0, le=65535)
    llm_embedded_ctx: int = Field(4096, ge=256)
    llm_embedded_threads: int = Field(2, ge=1)

    # Redis: empty URL means the embedded stack starts a redis-server of its own.
    redis_url: str = ""
    redis_port: int = Field(0, ge=0, le=65535)

    # How long `smartops up` waits for each component to become ready.
    startup_timeout_s: float = Field(120.0, gt=0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @classmethod
    def from_mapping(cls, env: Mapping[str, str], **overrides: object) -> Settings:
        """Build settings from an explicit environment mapping (func's ``start(cfg)``)."""
        prefix = "SMARTOPS_"
        values: dict[str, object] = {
            key[len(prefix) :].lower(): value
            for key, value in env.items()
            if key.startswith(prefix)
        }
        values.update(overrides)
        return cls.model_validate(values)

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some fields replaced and validated again."""
        data = self.model_dump()
        data.update(changes)
        return type(self).model_validate(data)

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)
