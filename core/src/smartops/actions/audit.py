"""The audit trail: one append-only record per action request, in the JSON logs and Redis.

A record says who asked (user, e-mail, role), what (action, kind, redacted arguments),
the dry-run result, the decision (allowed, denied, needs_confirmation, confirmed,
cancelled, invalid), the outcome (ok, error, pending), the duration and the request id.
The Redis stream only ever grows by ``XADD`` (no trimming unless configured).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from smartops.actions.redact import redact, redact_value
from smartops.logs import get_request_id
from smartops.turn import Principal

log = logging.getLogger("smartops.audit")


@dataclass
class Record:
    user: str
    email: str
    role: str
    action: str
    kind: str
    args: dict[str, Any]
    decision: str
    outcome: str
    dry_run: str = ""
    error: str = ""
    token: str = ""
    duration_ms: float = 0.0
    request_id: str = field(default_factory=get_request_id)
    ts: float = field(default_factory=time.time)

    @classmethod
    def of(
        cls, principal: Principal, action: str, kind: str, args: dict[str, Any], **fields: Any
    ) -> Record:
        return cls(
            user=principal.user,
            email=principal.email,
            role=principal.role,
            action=action,
            kind=kind,
            args=args,
            **fields,
        )

    def redacted(self) -> dict[str, Any]:
        data = asdict(self)
        data["args"] = redact_value(self.args)
        data["dry_run"] = redact(self.dry_run)
        data["error"] = redact(self.error)
        return data


class Audit:
    def __init__(self, client: aioredis.Redis | None, stream: str, maxlen: int) -> None:
        self.client = client
        self.stream = stream
        self.maxlen = maxlen

    async def write(self, record: Record) -> None:
        data = record.redacted()
        log.info("action audit", extra={"audit": data})
        if self.client is None:
            return
        try:
            await self.client.xadd(
                self.stream,
                {"record": json.dumps(data, ensure_ascii=False, default=str)},
                maxlen=self.maxlen or None,
                approximate=True,
            )
        except RedisError as exc:
            log.error(
                "audit record not stored in Redis (kept in this log)",
                extra={"error": type(exc).__name__, "audit": data},
            )


async def tail(client: aioredis.Redis, stream: str, count: int) -> list[dict[str, Any]]:
    """The newest ``count`` records, oldest first."""
    entries: Any = await client.xrevrange(stream, count=count)
    records = []
    for entry_id, fields in reversed(list(entries)):
        raw = fields.get(b"record") or fields.get("record") or b"{}"
        record = json.loads(raw)
        record["id"] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        records.append(record)
    return records
