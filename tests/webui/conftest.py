"""Open WebUI and the stack behind it, started by `smartops webui` as a person would."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.services import require
from tests.webui.browser import CHROMIUM, Browser, ChatPage, chromium
from tests.webui.cluster import Cluster, running_cluster
from tests.webui.server import WebUI, ingest, knowledge, running_webui


@pytest.fixture(scope="session")
def artifacts(repo_root: Path) -> Path:
    """Screenshots land here (kept by CI as test artifacts)."""
    folder = repo_root / "test-artifacts" / "webui"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """kmock's Kubernetes API with the actions' test world, for the whole session."""
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


WEBUI_REDIS_DB = 4


@pytest.fixture(scope="session")
def webui_server(
    repo_root: Path,
    llm_url: str,
    redis_url: str,
    cluster: Cluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WebUI]:
    """``smartops webui`` on free loopback ports, over the session's real LLM and Redis."""
    venv = repo_root / ".venv-webui"
    require((venv / "bin" / "open-webui").is_file(), "Open WebUI is not installed (make webui)")
    require(CHROMIUM.is_file(), "Debian's chromium is not installed (make setup installs it)")
    data = tmp_path_factory.mktemp("webui")
    # A Redis database of its own, empty: other tests' caches never leak into these answers.
    redis_url = redis_url.rsplit("/", 1)[0] + f"/{WEBUI_REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMARTOPS_")}
    env.update(
        SMARTOPS_DATA_DIR=str(data),
        SMARTOPS_WEBUI_VENV=str(venv),
        SMARTOPS_LLM_BASE_URL=llm_url,
        SMARTOPS_REDIS_URL=redis_url,
        # Short answers over a small context: the 2-core CI runs the real LLM.
        SMARTOPS_LLM_MAX_TOKENS="120",
        SMARTOPS_CONTEXT_TOKEN_BUDGET="500",
        SMARTOPS_ACTIONS_KUBECONFIG=str(cluster.kubeconfig),
        SMARTOPS_ACTIONS_POLICY_FILE=str(cluster.policy),
        SMARTOPS_ACTIONS_AUDIT_STREAM=f"webui-test:audit:{uuid.uuid4().hex[:8]}",
    )
    ingest(env, knowledge(repo_root))
    with running_webui(env, data) as server:
        yield server


@pytest.fixture(scope="session")
def browser(
    webui_server: WebUI, artifacts: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, for the whole session."""
    with chromium(tmp_path_factory.mktemp("chromium"), webui_server.url, artifacts) as opened:
        yield opened


@pytest.fixture
def chat(browser: Browser) -> Iterator[ChatPage]:
    """A new tab on Open WebUI's start page: a new chat."""
    with browser.new_chat() as page:
        yield page
