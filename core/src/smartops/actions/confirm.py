"""Confirmation tokens for writes: single use, bound to user, action and arguments, expiring.

A write's dry run stores a pending entry under a random token with a TTL in Redis. The
write runs only when the same user sends ``confirm <token>``: the entry is claimed with
one atomic delete (so two confirmations can never both run it), its user must match,
and the hash of its action and arguments is checked again before anything runs. Each
user's tokens are also listed in a set (same TTL), so a bare ``confirm`` can show the
one pending change and ask for its token (``pending_of``, ``pending_text``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from smartops import prompts
from smartops.errors import PermissionDenied, UpstreamUnavailable

PREFIX = "smartops:actions:confirm:"
BY_USER = "smartops:actions:pending:"  # + sha256(user key): that user's tokens


def args_hash(action: str, args: dict[str, Any]) -> str:
    canonical = json.dumps({"action": action, "args": args}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def user_key(user: str, email: str) -> str:
    return f"{user}|{email}"


def _user_set(user: str) -> str:
    return BY_USER + hashlib.sha256(user.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Pending:
    token: str
    user: str
    action: str
    args: dict[str, Any]
    digest: str
    created: float


class Confirmations:
    def __init__(self, client: aioredis.Redis | None, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def _redis(self) -> aioredis.Redis:
        if self.client is None:
            raise UpstreamUnavailable(
                "Writes need Redis for their confirmation step, and none is configured "
                "(SMARTOPS_REDIS_URL).",
                code="confirmations_unavailable",
            )
        return self.client

    async def issue(self, user: str, action: str, args: dict[str, Any]) -> Pending:
        token = secrets.token_hex(6)
        pending = Pending(token, user, action, args, args_hash(action, args), time.time())
        entry = json.dumps(pending.__dict__, default=str)
        try:
            async with self._redis().pipeline(transaction=True) as pipe:
                pipe.set(PREFIX + token, entry, ex=self.ttl_s, nx=True)
                pipe.sadd(_user_set(user), token)
                pipe.expire(_user_set(user), self.ttl_s)
                await pipe.execute()
        except RedisError as exc:
            raise UpstreamUnavailable(
                f"Cannot store the confirmation in Redis ({type(exc).__name__}).",
                code="confirmations_unavailable",
            ) from None
        return pending

    async def claim(self, user: str, token: str) -> Pending | None:
        """The pending write for this token, consumed; None when unknown or expired.

        Another user's token is refused and stays valid for its owner.
        """
        client = self._redis()
        key = PREFIX + token
        try:
            raw = await client.get(key)
            if raw is None:
                return None
            pending = Pending(**json.loads(raw))
            if pending.user != user:
                raise PermissionDenied(
                    "This confirmation belongs to another user; only they can confirm it.",
                    code="confirmation_not_yours",
                )
            if not await client.delete(key):
                return None  # claimed by a concurrent confirmation
            await client.srem(_user_set(user), token)
        except RedisError as exc:
            raise UpstreamUnavailable(
                f"Cannot read the confirmation from Redis ({type(exc).__name__}).",
                code="confirmations_unavailable",
            ) from None
        if args_hash(pending.action, pending.args) != pending.digest:
            raise PermissionDenied(
                "The confirmation does not match its action.", code="confirmation_mismatch"
            )
        return pending

    async def pending_of(self, user: str) -> list[Pending]:
        """This user's unexpired pending writes, oldest first; nothing is consumed."""
        client = self._redis()
        members = _user_set(user)
        try:
            tokens = sorted(
                t.decode() if isinstance(t, bytes) else str(t)
                for t in await client.smembers(members)
            )
            raws = await client.mget([PREFIX + t for t in tokens]) if tokens else []
            gone = [t for t, raw in zip(tokens, raws, strict=True) if raw is None]
            if gone:
                await client.srem(members, *gone)
        except RedisError as exc:
            raise UpstreamUnavailable(
                f"Cannot read the confirmations from Redis ({type(exc).__name__}).",
                code="confirmations_unavailable",
            ) from None
        found = [Pending(**json.loads(raw)) for raw in raws if raw is not None]
        return sorted((p for p in found if p.user == user), key=lambda p: p.created)


def pending_text(
    pending: list[Pending], cancel: bool, language: str, now: float | None = None
) -> str:
    """The reply to a bare ``confirm``/``cancel`` (prompts/action_no_token.j2)."""
    moment = time.time() if now is None else now
    shown = [
        {
            "token": p.token,
            "action": p.action,
            "args_text": " ".join(
                f"`{k}={v}`" for k, v in sorted(p.args.items()) if v not in (None, "")
            ),
            "minutes": max(0, round((moment - p.created) / 60)),
        }
        for p in pending
    ]
    return prompts.render("action_no_token", pending=shown, cancel=cancel, language=language)
