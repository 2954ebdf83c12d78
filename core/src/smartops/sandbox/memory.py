"""A ``ReadBackend`` over a scenario's objects in memory: what the simulator would answer,
without HTTP or a client. For tests of the analyzers and of code that calls
``investigate`` (the alert path), and for anyone who wants an investigation of a
scenario without starting a server. Secrets are checked to exist, never returned."""

from __future__ import annotations

from smartops.investigate.reads import KINDS, Sample
from smartops.sandbox.scenario import Json, LogKey, Scenario, selected


class MemoryReads:
    def __init__(
        self,
        objects: list[Json],
        logs: dict[LogKey, str] | None = None,
        samples: dict[str, list[Sample]] | None = None,
    ) -> None:
        self.objects_by_kind: dict[str, list[Json]] = {}
        for obj in objects:
            self.objects_by_kind.setdefault(str(obj.get("kind")), []).append(obj)
        self.log_texts = dict(logs or {})
        self.samples = samples  # PromQL query fragment -> answer; None: not configured
        self.calls: list[tuple[str, str]] = []  # (verb, kind): what was asked

    @classmethod
    def of(cls, scenario: Scenario) -> MemoryReads:
        return cls(scenario.objects, scenario.logs)

    def _find(self, kind: str, name: str, namespace: str) -> Json | None:
        scoped = KINDS[kind].namespaced
        for obj in self.objects_by_kind.get(kind, []):
            meta = obj.get("metadata") or {}
            if meta.get("name") == name and (not scoped or meta.get("namespace") == namespace):
                return obj
        return None

    async def get(self, kind: str, name: str, namespace: str) -> Json | None:
        self.calls.append(("get", kind))
        if kind == "Secret":
            raise AssertionError("a Secret was read")
        return self._find(kind, name, namespace)

    async def objects(
        self, kind: str, namespace: str, *, labels: str = "", fields: str = ""
    ) -> list[Json]:
        self.calls.append(("list", kind))
        if kind == "Secret":
            raise AssertionError("Secrets were listed")
        return [
            o
            for o in self.objects_by_kind.get(kind, [])
            if (not namespace or (o.get("metadata") or {}).get("namespace") == namespace)
            and selected(o, labels, fields)
        ]

    async def exists(self, kind: str, name: str, namespace: str) -> bool:
        self.calls.append(("exists", kind))
        return self._find(kind, name, namespace) is not None

    async def logs(
        self, namespace: str, pod: str, container: str, *, previous: bool, tail: int, limit: int
    ) -> str | None:
        self.calls.append(("log", "Pod"))
        text = self.log_texts.get((namespace, pod, container, previous))
        if text is None:
            return None
        return "\n".join(text.splitlines()[-tail:])[-limit:]

    async def prom(self, query: str) -> list[Sample] | None:
        if self.samples is None:
            return None
        self.calls.append(("prom", query))
        return next((s for key, s in self.samples.items() if key in query), [])
