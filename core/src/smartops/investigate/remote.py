"""The scenario suite through a gateway, asked with the official ``openai`` client.

``AskGateway`` asks a running gateway (``smartops eval investigations --url``): the
gateway's cluster must be the scenario's (``smartops up --sandbox DIR``).
``GatewayPerScenario`` starts, for each scenario, a gateway in this process on a free
loopback port, pointed at that scenario's Kubernetes API simulator and at an LLM
stand-in that only echoes (``--gateway``): the whole product path, router included,
from the question to the complete answer. The top finding comes back in the
``X-Smartops-Investigation`` header, so the judge checks it as for the library.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openai import AsyncOpenAI

from smartops.bench import echo_upstream
from smartops.config import Settings
from smartops.investigate.stage import HEADER
from smartops.investigate.suite import Answer
from smartops.stack.threaded import GatewayThread, serving


class AskGateway:
    """Each question to one gateway URL (``/v1``), one answer each, not streamed."""

    def __init__(
        self, url: str, model: str = "smartops", api_key: str = "unused", timeout: float = 60.0
    ) -> None:
        self.client = AsyncOpenAI(base_url=url, api_key=api_key, timeout=timeout, max_retries=0)
        self.model = model

    async def __call__(self, folder: Path, question: str, settings: Settings) -> Answer:
        raw = await self.client.chat.completions.with_raw_response.create(
            model=self.model, messages=[{"role": "user", "content": question}]
        )
        completion = raw.parse()
        text = completion.choices[0].message.content or ""
        top = raw.headers.get(HEADER)
        # No header: the router sent the question elsewhere; no finding ranks.
        return Answer(text, "unrouted" if top is None else top)

    async def aclose(self) -> None:
        await self.client.close()


# Asked once of each fresh gateway before the scenario's question, untimed: the first
# answer of a process pays one-time costs (the embedding model's first query, the
# client's first connections) that a long-running gateway has paid long before.
WARM_UP = "what's wrong with pod warm-up-check in default?"


class GatewayPerScenario:
    """For each scenario's settings (its simulator), a fresh gateway; then ask it
    (after one untimed warm-up question, unless ``warm_up`` is off)."""

    def __init__(self, base: Settings, llm_url: str, warm_up: bool = True) -> None:
        self.base, self.llm_url, self.warm_up = base, llm_url, warm_up
        self._key = ""
        self._gateway: GatewayThread | None = None
        self._ask: AskGateway | None = None

    async def prepare(self, folder: Path, settings: Settings) -> None:
        """Start the scenario's gateway (not timed: a user's gateway is already up)."""
        key = str(settings.actions.kubeconfig)
        if key == self._key and self._ask is not None:
            return
        await self.close()
        changes = {
            "llm_base_url": self.llm_url,
            "actions_kubeconfig": settings.actions.kubeconfig,
            "actions_kube_context": settings.actions.kube_context,
            "actions_policy_file": settings.actions.policy_file,
        }
        gateway = GatewayThread(self.base.with_changes(**changes))
        await asyncio.to_thread(gateway.start)
        self._gateway, self._key = gateway, key
        self._ask = AskGateway(gateway.url)
        if self.warm_up:  # a served gateway has answered before
            await self._ask(folder, WARM_UP, settings)

    async def __call__(self, folder: Path, question: str, settings: Settings) -> Answer:
        await self.prepare(folder, settings)
        assert self._ask is not None
        return await self._ask(folder, question, settings)

    async def close(self) -> None:
        if self._ask is not None:
            await self._ask.aclose()
            self._ask = None
        if self._gateway is not None:
            await asyncio.to_thread(self._gateway.stop)
            self._gateway = None


def gateway_settings(data_dir: Path) -> Settings:
    """The gateway of an evaluation: investigations only (no docs, cache or alerts),
    loopback, quiet."""
    return Settings(
        data_dir=data_dir,
        knowledge_enabled=False,
        cache_enabled=False,
        eventing_enabled=False,
        redis_url="",
        log_level="WARNING",
    )


@contextmanager
def echo_llm() -> Iterator[str]:
    """The LLM stand-in that only echoes, in a thread; yields its ``/v1`` URL."""
    with serving(echo_upstream.app) as url:
        yield f"{url}/v1"


__all__ = ["AskGateway", "GatewayPerScenario", "echo_llm", "gateway_settings"]
