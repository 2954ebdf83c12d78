"""OpenAI tool calling as a second reader of the user's message, for models that support it.

Used only when the deterministic parser finds nothing and the message speaks of the
cluster. The model sees the catalog as tools and the user's own message, nothing else
(no retrieved docs, no history), so nothing but the user can make it call a tool. What
it proposes is validated like any other request; a write still needs the dry run and
the user's confirmation.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from smartops import prompts
from smartops.actions import catalog
from smartops.actions.intent_types import Intent
from smartops.errors import SmartopsError
from smartops.llm import LLMClient

log = logging.getLogger(__name__)
OPERATIONAL = re.compile(
    r"\b(pods?|deploy\w*|nodes?|namespaces?|alerts?|replicas?|rollout|logs?|prometheus|promql|"
    r"cluster|kubectl|cpu|memory|latency)\b|под|деплой|нод|неймспейс|алерт|реплик|лог|кластер",
    re.I,
)


class ModelIntents:
    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    async def parse(self, text: str) -> Intent | None:
        if not OPERATIONAL.search(text):
            return None
        payload: dict[str, Any] = {
            "messages": [
                {"role": "system", "content": prompts.render("action_tools")},
                {"role": "user", "content": text},
            ],
            "tools": catalog.tool_schemas(),
            "tool_choice": "auto",
            "max_tokens": 256,
            "temperature": 0,
        }
        try:
            data = await self.llm.complete(payload)
        except SmartopsError as exc:
            log.warning("tool calling failed", extra={"error": exc.message})
            return None
        return _tool_call(data)


def _tool_call(data: dict[str, Any]) -> Intent | None:
    choices = data.get("choices") or [{}]
    calls = (choices[0].get("message") or {}).get("tool_calls") or []
    if len(calls) != 1:
        return None
    function = calls[0].get("function") or {}
    name = str(function.get("name", ""))
    try:
        raw = function.get("arguments") or "{}"
        args = json.loads(raw) if isinstance(raw, str) else dict(raw)
        catalog.validate(name, args)
    except (ValueError, TypeError, SmartopsError):
        log.info("tool call rejected", extra={"tool": name})
        return None
    return Intent(name, args, source="model")
