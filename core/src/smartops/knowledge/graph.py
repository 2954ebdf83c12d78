"""A local runner for KServe InferenceGraph files (Sequence nodes), and the graph clients.

It follows the KServe router's Sequence semantics: the first step gets the request;
a step with ``data: $response`` gets the previous step's response, otherwise the
original request (``$request``); a ``condition`` (a GJSON path, here dotted keys and
list indexes) is checked on the previous response and, when it does not exist, the
sequence stops and returns that response; a failing ``Hard`` step stops the sequence
with its status, a ``Soft`` one does not. Steps call services through a mapping from
``serviceName`` (or ``serviceUrl``) to an async callable: in process, the KServe model
classes themselves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smartops.config import Settings
from smartops.errors import UpstreamUnavailable

log = logging.getLogger(__name__)
StepCall = Callable[[dict[str, Any]], Awaitable[tuple[int, dict[str, Any]]]]
PROMPT_NODE = "prompt"


@dataclass(frozen=True)
class Step:
    name: str
    service_name: str = ""
    service_url: str = ""
    node_name: str = ""
    data: str = "$request"
    dependency: str = "Soft"
    condition: str = ""

    @property
    def target(self) -> str:
        return self.service_name or self.service_url


@dataclass(frozen=True)
class Graph:
    name: str
    nodes: dict[str, list[Step]]


@dataclass
class GraphResult:
    status: int
    body: dict[str, Any]
    stopped_at: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)


def default_graph_file(settings: Settings) -> Path:
    """``knowledge_graph_file``, else ``inferencegraph/knowledge.yaml`` of the source tree."""
    if settings.knowledge.graph_file is not None:
        return settings.knowledge.graph_file
    for root in (Path(__file__).resolve().parents[4], Path.cwd()):
        candidate = root / "inferencegraph" / "knowledge.yaml"
        if candidate.is_file():
            return candidate
    raise UpstreamUnavailable("No InferenceGraph file found: set SMARTOPS_KNOWLEDGE_GRAPH_FILE.")


def load_graph(path: Path) -> Graph:
    """Parse an InferenceGraph manifest; only Sequence nodes run locally."""
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UpstreamUnavailable(f"Cannot read the graph {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("kind") != "InferenceGraph":
        raise UpstreamUnavailable(f"{path} is not an InferenceGraph.")
    nodes: dict[str, list[Step]] = {}
    for name, node in (doc.get("spec") or {}).get("nodes", {}).items():
        if node.get("routerType") != "Sequence":
            raise UpstreamUnavailable(
                f"Node '{name}' is a {node.get('routerType')}; the local runner runs Sequence."
            )
        nodes[name] = [_step(i, raw) for i, raw in enumerate(node.get("steps") or [])]
    if "root" not in nodes:
        raise UpstreamUnavailable(f"{path} has no 'root' node.")
    return Graph(name=str(doc.get("metadata", {}).get("name", path.stem)), nodes=nodes)


def _step(index: int, raw: dict[str, Any]) -> Step:
    return Step(
        name=str(raw.get("name") or index),
        service_name=raw.get("serviceName", ""),
        service_url=raw.get("serviceUrl", ""),
        node_name=raw.get("nodeName", ""),
        data=raw.get("data", "$request"),
        dependency=raw.get("dependency", "Soft"),
        condition=raw.get("condition", ""),
    )


def path_exists(body: Any, path: str) -> bool:
    """GJSON ``Exists()`` for plain paths: dotted keys and list indexes."""
    current = body
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False
    return True


class GraphRunner:
    """Runs a node of a graph over in-process (or HTTP) step callables."""

    def __init__(self, graph: Graph, services: dict[str, StepCall]) -> None:
        self.graph = graph
        self.services = services
        for steps in graph.nodes.values():
            for step in steps:
                if not step.node_name and step.target not in services:
                    log.info("graph step has no local service", extra={"step": step.name})

    async def run(self, body: dict[str, Any], node: str = "root") -> GraphResult:
        if node not in self.graph.nodes:
            raise UpstreamUnavailable(f"The graph has no node '{node}'.")
        result = GraphResult(200, body)
        response: dict[str, Any] | None = None
        for i, step in enumerate(self.graph.nodes[node]):
            request = response if step.data == "$response" and i > 0 and response else body
            if step.condition and not path_exists(response, step.condition):
                result.stopped_at = step.name
                return result
            status, response = await self._execute(step, request, result)
            result.status, result.body = status, response
            if step.dependency == "Hard" and not 200 <= status < 300:
                result.stopped_at = step.name
                return result
        return result

    async def _execute(
        self, step: Step, request: dict[str, Any], result: GraphResult
    ) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        try:
            if step.node_name:
                inner = await self.run(request, step.node_name)
                result.timings_ms.update(inner.timings_ms)
                return inner.status, inner.body
            call = self.services.get(step.target)
            if call is None:
                raise UpstreamUnavailable(f"No service for graph step '{step.name}'.")
            return await call(request)
        finally:
            result.timings_ms[step.name] = round((time.perf_counter() - started) * 1000, 3)


def model_call(model: Any) -> StepCall:
    """A step that calls a kserve.Model in process: 200, 400 for bad input, 500 else."""
    from kserve.errors import InvalidInput

    async def call(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            response, _ = await model(body, headers={})
        except InvalidInput as exc:
            return 400, {"error": str(exc.reason)}
        except Exception as exc:
            log.exception("graph step failed", extra={"model": model.name})
            return 500, {"error": f"{model.name} failed: {exc}"}
        return 200, response

    return call
