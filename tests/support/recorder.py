"""A recording upstream: one loopback HTTP server that plays every backend smartops calls.

It records the path and headers of every request and answers as the backend at that
path would, just enough for the caller to go on: an OpenAI-compatible predictor under
``/v1`` (the echo upstream's answer), an InferenceGraph router under ``/graph``, the cache
and actions functions, an event sink, Prometheus and Alertmanager. Used to show that the
request id reaches every downstream call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from smartops.bench import echo_upstream
from smartops.stack.threaded import serving

PDB = (
    "A PodDisruptionBudget limits the number of Pods of a replicated application that are "
    "down simultaneously from voluntary disruptions, such as a node drain."
)
GRAPH_ANSWER = {
    "messages": [{"role": "system", "content": PDB}, {"role": "user", "content": "q"}],
    "smartops": {
        "context": [
            {
                "n": 1,
                "label": "pdb.md — Disruptions",
                "text": PDB,
                "source": "docs/pdb.md",
                "title": "Disruptions",
                "heading": "Pod disruption budgets",
                "url": "",
                "score": 1.0,
                "similarity": 0.8,
            }
        ]
    },
}
ANSWERS: dict[str, Any] = {
    "/graph": GRAPH_ANSWER,
    "/cache/lookup": {},
    "/cache/store": {"status": "stored"},
    "/actions/actions/": {"status": "ok", "text": "recorded", "action": "get_pods"},
    "/prom/api/v1/": {"status": "success", "data": {"resultType": "vector", "result": []}},
    "/am/api/v2/": [],
    "/logs/": {"hits": {"hits": []}},
}


@dataclass
class Recorder:
    url: str
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def headers_for(self, prefix: str) -> list[dict[str, str]]:
        return [headers for path, headers in self.seen if path.startswith(prefix)]


def _app(recorder: Recorder) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        recorder.seen.append((scope["path"], headers))
        if scope["path"].startswith("/v1"):
            await echo_upstream.app(scope, receive, send)
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        answer = next((a for p, a in ANSWERS.items() if scope["path"].startswith(p)), None)
        body = json.dumps(answer).encode()
        start = {"type": "http.response.start", "status": 202 if answer is None else 200}
        await send({**start, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return app


@contextmanager
def recording_upstream() -> Iterator[Recorder]:
    recorder = Recorder("")
    with serving(_app(recorder)) as url:
        recorder.url = url
        yield recorder
