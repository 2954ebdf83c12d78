"""The cache function over HTTP, with the same operations as ``CacheService``."""

from __future__ import annotations

from typing import TypeVar

import httpx
from pydantic import BaseModel

from smartops.cache.models import (
    InvalidateRequest,
    LookupRequest,
    LookupResult,
    ReloadReport,
    ReloadRequest,
    StoreRequest,
)
from smartops.edge.client import http_client, transport_error
from smartops.errors import UpstreamError

T = TypeVar("T", bound=BaseModel)


class CacheClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http or http_client(timeout=httpx.Timeout(5.0, connect=0.5))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _post(self, path: str, body: BaseModel, result: type[T] | None) -> T | None:
        try:
            response = await self._http.post(
                f"{self.base_url}{path}",
                content=body.model_dump_json(),
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, "cache function") from None
        if response.status_code >= 400:
            raise UpstreamError(f"cache function answered {response.status_code}")
        return result.model_validate_json(response.content) if result else None

    async def lookup(self, request: LookupRequest) -> LookupResult:
        found = await self._post("/lookup", request, LookupResult)
        assert found is not None
        return found

    async def store(self, request: StoreRequest) -> None:
        await self._post("/store", request, None)

    async def invalidate(self, reason: str) -> int:
        report = await self._post("/invalidate", InvalidateRequest(reason=reason), ReloadReport)
        return report.generation if report else 0

    async def reload(self, request: ReloadRequest) -> ReloadReport:
        report = await self._post("/reload", request, ReloadReport)
        assert report is not None
        return report
