"""The gateway in process over the docs cache: settings and an ASGI client.

Real Redis (the answer and docs cache), the packaged embedding model, the docs cache as
the evidence (knowledge, eventing and actions off) and a given predictor URL.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx

from smartops.cache.models import ReloadRequest
from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import Services, build_services

DOCS = Path(__file__).resolve().parents[1] / "cache" / "data" / "docs"


def docs_cache_settings(tmp_path: Path, redis_url: str, llm_url: str, **more: Any) -> Settings:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, dirs_exist_ok=True)
    fields: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "redis_url": redis_url,
        "llm_base_url": llm_url,
        "cag_paths": [str(docs)],
        "knowledge_enabled": False,  # the docs cache is the evidence
        "answer_mode": "synthesize",  # so that the model is asked
        "eventing_enabled": False,
        "actions_enabled": False,
        # A loaded test machine must not turn docs-cache lookups into misses (abstentions).
        "cache_deadline_ms": 10_000,
    }
    return Settings(**(fields | more))


async def in_process(settings: Settings) -> tuple[Services, httpx.AsyncClient]:
    """The services (docs cache loaded) and a client of their gateway app."""
    services = build_services(settings)
    assert services.cache_backend is not None
    await services.cache_backend.reload(ReloadRequest())
    transport = httpx.ASGITransport(app=create_app(services))
    return services, httpx.AsyncClient(transport=transport, base_url="http://gw", timeout=120)
