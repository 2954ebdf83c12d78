"""Settings: one pydantic-settings model, built once at each edge and passed down.

Every field reads from the environment with the prefix ``SMARTOPS_`` (for example
``SMARTOPS_PORT=9000``). Nothing in the library reads the environment itself. Feature
sections (``smartops.config_sections``) read their variables under their own prefix
(``SMARTOPS_ACTIONS_TOKEN`` is ``settings.actions.token``) and are what their components
receive.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from smartops.config_sections import (
    SECTIONS,
    ActionsSettings,
    CacheSettings,
    CAGSettings,
    EmbedSettings,
    EventingSettings,
    KnowledgeSettings,
    LLMSettings,
    ManifestsSettings,
    NameList,
    OpenSearchSettings,
    RetrievalSettings,
    Section,
    WebUISettings,
)

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
_SECTION_NAMES = frozenset(section.prefix for section in SECTIONS)


class Settings(BaseSettings):
    """All smartops settings. See the configuration table in the README."""

    model_config = SettingsConfigDict(
        env_prefix="SMARTOPS_",
        # SMARTOPS_ACTIONS_KUBE_CONTEXT: section "actions", field "kube_context".
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
        frozen=True,
    )

    # Where all local state lives (Redis data, indexes, logs of the embedded stack).
    data_dir: Path = Path(".smartops")

    # Gateway
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    model_id: str = "smartops"
    api_key: SecretStr | None = None
    api_key_principal: str = "api-key"
    cors_origins: NameList = Field(default_factory=list)
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_messages: int = Field(200, ge=1)
    max_message_chars: int = Field(32_000, ge=1)
    max_tokens_cap: int = Field(4096, ge=1)
    log_level: LogLevel = "INFO"
    # A ready answer (extract, abstention, action result) streams in short pieces with
    # this pause between them (at most 0.6 s in all, streamed requests only), so that it grows
    # on the page. 0: at once.
    stream_pace_ms: int = Field(30, ge=0, le=1000)
    # Where people reach the gateway (its base URL): the sources' section links start with it.
    # Empty: http://<host>:<port> of this gateway (loopback when bound to a wildcard).
    public_url: str = ""
    # Where the project's documentation is published (the replies' "Details" links), e.g.
    # https://docs.example.org/smartops. Empty: the section view of the indexed docs/.
    docs_url: str = ""

    # Upstream LLM and the embedded llama.cpp server, SMARTOPS_LLM_*.
    llm: LLMSettings = LLMSettings()

    # Redis: empty URL means the embedded stack starts a redis-server of its own.
    redis_url: str = ""
    redis_port: int = Field(0, ge=0, le=65535)

    # How long `smartops up` waits for each component to become ready.
    startup_timeout_s: float = Field(120.0, gt=0)

    # Actions (safe DevOps commands from the chat), SMARTOPS_ACTIONS_*: docs/actions.md.
    actions: ActionsSettings = ActionsSettings()

    # Answers (docs/knowledge.md, "Grounded answers"): extract, synthesize, or auto
    # (extract on the embedded tiny model, synthesize with any other predictor).
    answer_mode: Literal["extract", "synthesize", "auto"] = "auto"

    # Knowledge (ingestion, embeddings, hybrid retrieval, InferenceGraph): docs/knowledge.md.
    # SMARTOPS_KNOWLEDGE_*, SMARTOPS_EMBED_*, SMARTOPS_RETRIEVAL_*, SMARTOPS_OPENSEARCH_*.
    knowledge: KnowledgeSettings = KnowledgeSettings()
    embed: EmbedSettings = EmbedSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    opensearch: OpenSearchSettings = OpenSearchSettings()
    chunk_words: int = Field(200, ge=20)
    context_token_budget: int = Field(1500, ge=64)

    # Open WebUI in front of the gateway, SMARTOPS_WEBUI_*: docs/webui.md.
    webui: WebUISettings = WebUISettings()

    # Kubernetes manifests (`smartops manifests check`), SMARTOPS_MANIFESTS_*: docs/deploy.md.
    manifests: ManifestsSettings = ManifestsSettings()

    # Cache (CAG docs cache and semantic answer cache), SMARTOPS_CACHE_*, SMARTOPS_CAG_*:
    # docs/cache.md.
    cache: CacheSettings = CacheSettings()
    cag: CAGSettings = CAGSettings()
    redis_timeout_ms: int = Field(500, ge=1)  # every Redis call; the cache adds its deadline
    # Identical concurrent questions the answer cache may share are answered once.
    coalesce_enabled: bool = True

    # Eventing (Alertmanager webhook, CloudEvents, reindex runs), SMARTOPS_EVENTING_*.
    eventing: EventingSettings = EventingSettings()

    @model_validator(mode="before")
    @classmethod
    def _nest_sections(cls, data: object) -> object:
        """Flat names (``actions_token=...``, as the variables read) go to their section;
        given both ways, the flat one wins."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for section in SECTIONS:
            lead = f"{section.prefix}_"
            flat = {k[len(lead) :]: out.pop(k) for k in list(out) if str(k).startswith(lead)}
            if flat:
                given = out.get(section.prefix) or {}
                base = given.model_dump() if isinstance(given, Section) else dict(given)
                out[section.prefix] = {**base, **flat}
        return out

    @classmethod
    def env_names(cls) -> frozenset[str]:
        """Every setting's name as its variable has it after ``SMARTOPS_``, lower case."""
        names = {name for name in cls.model_fields if name not in _SECTION_NAMES}
        for section in SECTIONS:
            names |= {f"{section.prefix}_{name}" for name in section.model_fields}
        return frozenset(names)

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
