"""Settings sections: each feature's variables under its own prefix, names unchanged."""

from __future__ import annotations

import inspect

import pytest

from smartops.actions.k8s import Kube
from smartops.actions.logs_search import LogSearch
from smartops.actions.prom import PromClient
from smartops.actions.service import ActionService
from smartops.actions.stage import RemoteActions
from smartops.config import Settings
from smartops.config_sections import (
    SECTIONS,
    ActionsSettings,
    EmbedSettings,
    EventingSettings,
    LLMSettings,
    OpenSearchSettings,
    RetrievalSettings,
)
from smartops.eventing.sink import Sink
from smartops.knowledge.embedder import Embedder, embedding_signature, model_cache_dir
from smartops.knowledge.index.opensearch import OpenSearchIndex
from smartops.llm import LLMClient


def test_a_section_reads_its_variables_under_its_own_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTOPS_ACTIONS_KUBE_CONTEXT", "prod-eu")
    monkeypatch.setenv("SMARTOPS_ACTIONS_MAX_ROWS", "7")
    monkeypatch.setenv("SMARTOPS_EVENTING_REINDEX_PATHS", "/docs, /runbooks")
    monkeypatch.setenv("SMARTOPS_LLM_EMBEDDED_MODEL", "qwen2.5-coder-1.5b")
    monkeypatch.setenv("SMARTOPS_CACHE_TTL_S", "60")
    settings = Settings()
    assert settings.actions.kube_context == "prod-eu"
    assert settings.actions.max_rows == 7
    assert settings.eventing.reindex_paths == ["/docs", "/runbooks"]
    assert settings.llm.embedded_model == "qwen2.5-coder-1.5b"  # split once only
    assert settings.cache.ttl_s == 60


def test_the_knowledge_and_cache_sections_read_the_variables_they_always_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTOPS_KNOWLEDGE_PATHS", "docs, ../corpus")
    monkeypatch.setenv("SMARTOPS_KNOWLEDGE_GRAPH_TIMEOUT_S", "4.5")
    monkeypatch.setenv("SMARTOPS_EMBED_BATCH_SIZE", "8")
    monkeypatch.setenv("SMARTOPS_RETRIEVAL_RRF_K", "30")
    monkeypatch.setenv("SMARTOPS_OPENSEARCH_INDEX_PREFIX", "team")
    monkeypatch.setenv("SMARTOPS_CAG_PATHS", "runbooks")
    monkeypatch.setenv("SMARTOPS_WEBUI_PORT", "9090")
    monkeypatch.setenv("SMARTOPS_MANIFESTS_RENDERER", "python")
    monkeypatch.setenv("SMARTOPS_CHUNK_WORDS", "120")  # outside any section: flat
    monkeypatch.setenv("SMARTOPS_REDIS_TIMEOUT_MS", "250")  # "redis" is no section
    settings = Settings()
    assert settings.knowledge.paths == ["docs", "../corpus"]
    assert settings.knowledge.graph_timeout_s == 4.5  # split once: "graph_timeout_s"
    assert settings.embed.batch_size == 8
    assert settings.retrieval.rrf_k == 30
    assert settings.opensearch.index_prefix == "team"
    assert settings.cag.paths == ["runbooks"]
    assert settings.webui.port == 9090
    assert settings.manifests.renderer == "python"
    assert settings.chunk_words == 120 and settings.redis_timeout_ms == 250
    with pytest.raises(ValueError, match="collection"):
        Settings(knowledge_collection="Not Valid")  # type: ignore[call-arg]


def test_flat_names_still_set_a_section_and_win_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTOPS_ACTIONS_KUBE_CONTEXT", "from-env")
    monkeypatch.setenv("SMARTOPS_ACTIONS_TOKEN", "t0k3n")
    settings = Settings(actions_kube_context="given")  # type: ignore[call-arg]
    assert settings.actions.kube_context == "given"
    assert settings.actions.token is not None  # the rest of the section still from env
    changed = settings.with_changes(actions_local=True, eventing_sink_url="http://sink")
    assert changed.actions.local and changed.actions.kube_context == "given"
    assert changed.eventing.sink_url == "http://sink"
    mapped = Settings.from_mapping({"SMARTOPS_ACTIONS_MAX_ROWS": "3"})
    assert mapped.actions.max_rows == 3
    with pytest.raises(ValueError, match="max_rows"):
        Settings(actions_max_rows=0)  # type: ignore[call-arg]


def test_every_section_variable_is_a_known_name() -> None:
    names = Settings.env_names()
    for section in SECTIONS:
        assert {f"{section.prefix}_{f}" for f in section.model_fields} <= names
        assert section.prefix not in names
    assert {"data_dir", "llm_base_url", "cache_enabled"} <= names


@pytest.mark.parametrize(
    ("component", "section"),
    [
        (Kube, ActionsSettings),
        (PromClient, ActionsSettings),
        (LogSearch, ActionsSettings),
        (RemoteActions, ActionsSettings),
        (ActionService.build, ActionsSettings),
        (Sink, EventingSettings),
        (LLMClient, LLMSettings),
        (Embedder, EmbedSettings),
        (embedding_signature, EmbedSettings),
        (model_cache_dir, EmbedSettings),
        (OpenSearchIndex, OpenSearchSettings),
    ],
)
def test_a_component_receives_only_its_section(component: object, section: type) -> None:
    hints = inspect.get_annotations(component, eval_str=True)  # type: ignore[arg-type]
    if not hints:  # a class: its __init__
        hints = inspect.get_annotations(component.__init__, eval_str=True)  # type: ignore[misc]
    assert hints["settings"] is section


def test_the_opensearch_index_receives_the_retrieval_section_beside_its_own() -> None:
    hints = inspect.get_annotations(OpenSearchIndex.__init__, eval_str=True)
    assert hints["retrieval"] is RetrievalSettings
