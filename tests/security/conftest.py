"""Fixtures for the security tests: canary secrets, a document carrying them, Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

SECURITY_DB = 9  # a Redis database of its own: other tests flush database 0
PASSWORD = "Sup3rS3cret!"
AWS_KEY_ID = "AKIAZ7CANARY4QX2M3PL"
AWS_SECRET = "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"
CANARIES = (PASSWORD, AWS_KEY_ID, AWS_SECRET)

DOCUMENT = f"""---
title: Orders database access
---

# Orders database access

The orders service reads its credentials from the environment. For a quick manual
check from a debug pod, connect with `password={PASSWORD}` as the `orders` user.

## Backups to S3

The nightly backup job uploads the dump with this key pair:

```ini
[default]
aws_access_key_id = {AWS_KEY_ID}
aws_secret_access_key = {AWS_SECRET}
```

Rotate the key pair every 90 days with `aws iam create-access-key`.

## The psql flags

Pass `--password` to make psql prompt for the password instead of reading it from
`PGPASSWORD`; never put the value itself on the command line.
"""


def leaks(text: str | bytes) -> list[str]:
    """The canaries found in a text (none, in a safe system)."""
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return [c for c in CANARIES if c in raw]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "orders-db.md").write_text(DOCUMENT)
    return folder


def db_url(redis_url: str) -> str:
    return redis_url.rsplit("/", 1)[0] + f"/{SECURITY_DB}"


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(db_url(redis_url))
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def everything_in(redis: Redis) -> bytes:
    """Every key and value in the database, by type, as one blob to search."""
    out: list[bytes] = []
    async for key in redis.scan_iter(count=500):
        out.append(key)
        kind = (await redis.type(key)).decode()
        if kind == "string":
            out.append(await redis.get(key) or b"")
        elif kind == "hash":
            for field, value in (await redis.hgetall(key)).items():
                out += [field, value]
        elif kind == "list":
            out += await redis.lrange(key, 0, -1)
        elif kind == "set":
            out += list(await redis.smembers(key))
        elif kind == "zset":
            out += [m for m, _ in await redis.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            for _, fields in await redis.xrange(key):
                for field, value in fields.items():
                    out += [field, value]
    return b"\n".join(out)
