"""Every read of an investigation goes through the ``Recorder``: it keeps the calls, the
bytes and the time within ``Limits``, and records each read as the command a person would
have typed (``kubectl get pod cart-1 -n shop -o yaml``), with its outcome."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable
from typing import TypeVar

from smartops.actions.k8s import Json
from smartops.errors import PermissionDenied, SmartopsError
from smartops.investigate.model import Limits, ReadRecord
from smartops.investigate.reads import KINDS, ReadBackend, Sample

T = TypeVar("T")


def kubectl_get(kind: str, name: str, namespace: str) -> str:
    where = f" -n {namespace}" if namespace and KINDS[kind].namespaced else ""
    return f"kubectl get {KINDS[kind].kubectl} {name}{where} -o yaml"


def kubectl_list(kind: str, namespace: str, labels: str = "", fields: str = "") -> str:
    short = KINDS[kind].kubectl
    plural = short if short in ("events", "endpoints", "hpa", "pvc") else short + "s"
    where = ""
    if KINDS[kind].namespaced:
        where = f" -n {namespace}" if namespace else " -A"
    selector = (f" -l {labels}" if labels else "") + (
        f" --field-selector {fields}" if fields else ""
    )
    return f"kubectl get {plural}{where}{selector}"


def kubectl_logs(namespace: str, pod: str, container: str, previous: bool, tail: int) -> str:
    return (
        f"kubectl logs {pod} -n {namespace} -c {container}"
        + (" --previous" if previous else "")
        + f" --tail={tail}"
    )


class Recorder:
    """The backend, bounded and recorded."""

    def __init__(self, backend: ReadBackend, limits: Limits) -> None:
        self.backend, self.limits = backend, limits
        self.records: list[ReadRecord] = []
        self.calls = 0
        self.bytes = 0
        self.limited: list[str] = []
        self.deadline = time.monotonic() + limits.timeout_s
        self.prom_configured = True

    def _budget_left(self) -> str:
        if self.calls >= self.limits.max_calls:
            return f"call budget ({self.limits.max_calls} calls) reached"
        if self.bytes >= self.limits.max_bytes:
            return f"byte budget ({self.limits.max_bytes} bytes) reached"
        if time.monotonic() >= self.deadline:
            return f"time budget ({self.limits.timeout_s:g} s) reached"
        return ""

    async def _run(self, command: str, call: Awaitable[T], size: int = -1) -> tuple[bool, T | None]:
        reason = self._budget_left()
        if reason:
            if hasattr(call, "close"):
                call.close()  # never awaited: close the coroutine
            self.records.append(ReadRecord(command=command, outcome="skipped", note=reason))
            if reason not in self.limited:
                self.limited.append(reason)
            return False, None
        self.calls += 1
        started = time.perf_counter()
        try:
            result = await asyncio.wait_for(call, max(self.deadline - time.monotonic(), 0.01))
        except TimeoutError:
            self._record(command, "skipped", started, note="no answer within the time budget")
            return False, None
        except PermissionDenied as exc:
            self._record(command, "forbidden", started, note=exc.message)
            return False, None
        except SmartopsError as exc:
            self._record(command, "error", started, note=exc.message)
            return False, None
        nbytes = _size(result)
        self.bytes += nbytes
        outcome = "not_found" if result is None else "ok"
        self._record(command, outcome, started, nbytes)
        return True, result

    def _record(
        self, command: str, outcome: str, started: float, nbytes: int = 0, note: str = ""
    ) -> None:
        ms = round((time.perf_counter() - started) * 1000, 2)
        self.records.append(
            ReadRecord.model_validate(
                {"command": command, "outcome": outcome, "bytes": nbytes, "ms": ms, "note": note}
            )
        )

    async def get(self, kind: str, name: str, namespace: str) -> Json | None:
        command = kubectl_get(kind, name, namespace)
        _, result = await self._run(command, self.backend.get(kind, name, namespace))
        return result

    async def objects(
        self, kind: str, namespace: str, labels: str = "", fields: str = ""
    ) -> list[Json]:
        command = kubectl_list(kind, namespace, labels, fields)
        call = self.backend.objects(kind, namespace, labels=labels, fields=fields)
        _, result = await self._run(command, call)
        return result or []

    async def exists(self, kind: str, name: str, namespace: str) -> bool | None:
        """True/False, or None when it could not be checked."""
        command = f"kubectl get {KINDS[kind].kubectl} {name} -n {namespace} -o name"
        ok, result = await self._run(command, self.backend.exists(kind, name, namespace))
        if ok and result is False:
            self.records[-1] = self.records[-1].model_copy(update={"outcome": "not_found"})
        return result if ok else None

    async def logs(self, namespace: str, pod: str, container: str, previous: bool) -> str | None:
        tail, limit = self.limits.log_tail, self.limits.log_bytes
        command = kubectl_logs(namespace, pod, container, previous, tail)
        call = self.backend.logs(
            namespace, pod, container, previous=previous, tail=tail, limit=limit
        )
        _, result = await self._run(command, call)
        return result

    async def prom(self, query: str) -> list[Sample] | None:
        if not self.prom_configured:
            return None
        ok, result = await self._run(f"promql: {query}", self.backend.prom(query))
        if ok and result is None:  # Prometheus is not configured: not a read at all
            self.prom_configured = False
            self.records.pop()
            self.calls -= 1
        return result


def _size(result: object) -> int:
    if result is None or isinstance(result, bool):
        return 0
    if isinstance(result, str):
        return len(result.encode("utf-8", "replace"))
    if isinstance(result, list) and result and isinstance(result[0], Sample):
        return 64 * len(result)
    return len(json.dumps(result, separators=(",", ":"), default=str))
