"""The feature sections of the settings: each component receives only its own.

A section is read from the environment under its own prefix, inside ``SMARTOPS_``:
``SMARTOPS_ACTIONS_TOKEN`` is ``Settings().actions.token``. The variable names are those
of the flat settings before the split; ``Settings(actions_token=...)`` still works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import NoDecode


def split_list(value: object) -> object:
    """A comma-separated environment value as a list."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Section(BaseModel):
    """One feature's settings: ``prefix`` is the part of its variables after ``SMARTOPS_``."""

    model_config = ConfigDict(frozen=True, extra="ignore")  # as the flat settings
    prefix: ClassVar[str]


class ActionsSettings(Section):
    """Actions: safe DevOps commands from the chat (docs/actions.md)."""

    prefix: ClassVar[str] = "actions"

    enabled: bool = True
    url: str = ""  # the actions function; empty: run the actions in process
    token: SecretStr | None = None  # shared secret between gateway and function
    # Without a token the actions function refuses to start, unless it runs locally:
    # then it serves loopback callers only.
    local: bool = False
    policy_file: Path | None = None  # empty: everyone reads, nobody writes
    kubeconfig: Path | None = None  # empty: in-cluster service account, if any
    kube_context: str = ""
    kube_sar: bool = True  # SubjectAccessReview for the user before each action
    kube_impersonate: bool = False  # run as the user (Impersonate-User)
    prometheus_url: str = ""
    alertmanager_url: str = ""
    logs_url: str = ""  # OpenSearch holding the log shipper's indices
    logs_index: str = "logs-*"
    timeout_s: float = Field(10.0, gt=0)
    confirm_ttl_s: int = Field(300, ge=10, le=86400)
    max_rows: int = Field(20, ge=1, le=500)
    max_log_lines: int = Field(100, ge=1, le=2000)
    audit_stream: str = "smartops:audit"
    audit_maxlen: int = Field(0, ge=0)  # 0: never trimmed (append-only)
    tool_calling: bool = False  # ask the LLM (tools) when the parser finds nothing
    # Open WebUI's X-OpenWebUI-User-* headers are trusted only from these client CIDRs
    # (comma-separated), or with the API key when trust_forwarded_with_api_key.
    trusted_proxies: str = ""
    trust_forwarded_with_api_key: bool = False


class EventingSettings(Section):
    """Eventing: the Alertmanager webhook, CloudEvents, reindex runs (docs/eventing.md)."""

    prefix: ClassVar[str] = "eventing"

    enabled: bool = True
    # When set, only this bearer token opens the Alertmanager webhook and /events (else the
    # API key does, when one is set): docs/eventing.md.
    webhook_token: SecretStr | None = None
    sink_url: str = ""  # where the adapter posts events; the function uses K_SINK
    sink_retries: int = Field(5, ge=0, le=20)
    sink_backoff_s: float = Field(0.2, gt=0)
    sink_timeout_s: float = Field(5.0, gt=0)
    dedupe_ttl_s: int = Field(7 * 86_400, ge=60)  # how long an event id is remembered
    claim_ttl_s: int = Field(120, ge=1)  # a crashed handler's claim expires after this
    alerts_collection: str = Field("alerts", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    alerts_index: bool = True  # also upsert alert documents into the index collection
    # Roots a docs.changed event may name, and what a scheduled full reindex ingests.
    reindex_paths: Annotated[list[str], NoDecode] = Field(default_factory=list)
    reindex_lock_ttl_s: int = Field(30, ge=1)
    canary_file: Path | None = None  # JSONL: id, question, paths (as smartops eval)
    canary_k: int = Field(5, ge=1, le=100)
    runs_stream: str = "smartops:runs"
    runs_maxlen: int = Field(1000, ge=10)
    mlflow_uri: str = ""  # an MLflow tracking URI: every run is logged there too
    mlflow_experiment: str = "smartops-reindex"
    source: str = "/smartops/reindex"  # source of the reindex.completed events

    @field_validator("reindex_paths", mode="before")
    @classmethod
    def _split_reindex_paths(cls, value: object) -> object:
        return split_list(value)


class LLMSettings(Section):
    """The upstream LLM (any OpenAI-compatible server) and the embedded llama.cpp server."""

    prefix: ClassVar[str] = "llm"

    base_url: str = ""
    api_key: SecretStr | None = None
    model: str = ""
    connect_timeout_s: float = Field(3.0, gt=0)
    read_timeout_s: float = Field(120.0, gt=0)
    connect_retries: int = Field(2, ge=0, le=10)
    max_tokens: int = Field(512, ge=1)
    temperature: float = Field(0.2, ge=0, le=2)
    # The predictor's context window in tokens (prompt and answer together): prompts are
    # fitted to it (history trimmed oldest-first). 0: the embedded model's (embedded_ctx).
    context_tokens: int = Field(0, ge=0)
    # Header that carries our request id upstream. llama-cpp-python's server answers 400
    # to an X-Request-ID that is not a UUID, so the embedded stack uses another name.
    request_id_header: str = "X-Request-ID"

    # Embedded LLM server (llama.cpp): which packaged model, and its port (0: a free one).
    embedded_model: str = "smollm2"
    embedded_port: int = Field(0, ge=0, le=65535)
    embedded_ctx: int = Field(4096, ge=256)
    embedded_threads: int = Field(2, ge=1)
    embedded: bool = False  # set by the embedded stack when it starts llama.cpp

    @property
    def configured(self) -> bool:
        return bool(self.base_url)


SECTIONS: tuple[type[Section], ...] = (ActionsSettings, EventingSettings, LLMSettings)
