"""The CAG document cache: markdown sections preloaded into Redis and matched in process.

Layout in Redis (one version counter, bumped on every change, drives each process's
mirror): ``smartops:cag:sections`` (id → section JSON), ``smartops:cag:files`` (source →
its section ids), ``smartops:cag:keys`` (exact key → section ids), and the section
vectors in a VectorSet. A lookup tries exact keys first (alert names such as
``KubePodCrashLooping``, document titles, commands named in headings), then the closest
section by meaning. Section text is redacted (``smartops.redact``) before it is stored.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from redis.asyncio import Redis

from smartops.cache.generation import fingerprint
from smartops.cache.models import DocSection, DocsMatch
from smartops.cache.normalize import normalize
from smartops.cache.sections import parse_file
from smartops.cache.vectors import VectorSet, as_bytes, as_text
from smartops.config import Settings
from smartops.knowledge.embedder import embedding_signature
from smartops.redact import redact

PREFIX = "smartops:cag"
SECTIONS, FILES, KEYS, VERSION = (f"{PREFIX}:{n}" for n in ("sections", "files", "keys", "version"))
EmbedBatch = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Mirror:
    version: bytes | None = None
    sections: dict[str, DocSection] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    titles: list[tuple[str, list[str]]] = field(default_factory=list)


class DocsCache:
    def __init__(
        self,
        redis: Redis,
        *,
        confident: float,
        minimum: float,
        max_sections: int,
        signature: str = "",
    ) -> None:
        self.redis = redis
        self.signature = signature
        self.confident = confident
        self.minimum = minimum
        self.max_sections = max_sections
        self.vectors = VectorSet(f"{PREFIX}:vectors")
        self.mirror = Mirror()

    @classmethod
    def from_settings(cls, redis: Redis, settings: Settings) -> DocsCache:
        """The docs cache as the settings configure it (thresholds, embedding signature)."""
        return cls(
            redis,
            confident=settings.cag.confident,
            minimum=settings.cag.min_similarity,
            max_sections=settings.cag.max_sections,
            signature=embedding_signature(settings.embed),
        )

    async def load_file(
        self, source: str, text: str | None, embed: EmbedBatch
    ) -> tuple[int, int, int]:
        """Replace one file's sections (None: the file is gone). Returns new, embedded, removed."""
        new = parse_file(source, redact(text), self.signature) if text is not None else []
        old_ids = json.loads(await self.redis.hget(FILES, source) or "[]")
        stored = {s.id: s for s in await self._sections(old_ids)}
        changed = [s for s in new if s.id not in stored or stored[s.id].hash != s.hash]
        texts = [f"{s.heading}\n{s.text}" for s in changed]
        vectors = await asyncio.to_thread(embed, texts) if changed else None
        removed = [i for i in old_ids if i not in {s.id for s in new}]
        pipe = self.redis.pipeline(transaction=True)
        for section in new:
            pipe.hset(SECTIONS, section.id, section.model_dump_json())
        if removed:
            pipe.hdel(SECTIONS, *removed)
        if new:
            pipe.hset(FILES, source, json.dumps([s.id for s in new]))
        else:
            pipe.hdel(FILES, source)
        await pipe.execute()
        await self.vectors.remove(self.redis, removed)
        if vectors is not None:
            await self.vectors.add_many(self.redis, [s.id for s in changed], vectors)
        return len(new), len(changed), len(removed)

    async def sources(self) -> list[str]:
        return [as_text(k) for k in await self.redis.hkeys(FILES)]

    async def _sections(self, ids: Sequence[str]) -> list[DocSection]:
        if not ids:
            return []
        raws = await self.redis.hmget(SECTIONS, list(ids))
        return [DocSection.model_validate_json(r) for r in raws if r]

    async def rebuild_keys(self) -> str:
        """Recompute the exact-key index (after a batch of ``load_file``); returns the
        fingerprint of every section now cached (``generation.fingerprint``)."""
        raw = await self.redis.hgetall(SECTIONS)
        keys: dict[str, list[str]] = {}
        held: list[tuple[str, str]] = []
        for value in raw.values():
            section = DocSection.model_validate_json(value)
            held.append((section.id, section.hash))
            for key in section_keys(section):
                keys.setdefault(key, []).append(section.id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(KEYS)
        if keys:
            pipe.hset(KEYS, mapping={k: json.dumps(v) for k, v in keys.items()})
        pipe.incr(VERSION)
        await pipe.execute()
        return fingerprint(held)

    async def refresh(self) -> None:
        raw_version = await self.redis.get(VERSION)
        version = as_bytes(raw_version) if raw_version is not None else None
        if version == self.mirror.version:
            return
        raw_sections = await self.redis.hgetall(SECTIONS)
        sections = {as_text(k): DocSection.model_validate_json(v) for k, v in raw_sections.items()}
        keys = {as_text(k): json.loads(v) for k, v in (await self.redis.hgetall(KEYS)).items()}
        titles = [(k.removeprefix("title:"), v) for k, v in keys.items() if k.startswith("title:")]
        self.mirror = Mirror(version, sections, keys, titles)
        await self.vectors.refresh(self.redis)

    async def lookup(self, question: str, vector: np.ndarray | None) -> DocsMatch:
        await self.refresh()
        ids = self._by_key(question)
        if ids:
            return DocsMatch(sections=self._pick(ids), confident=True, how="key", score=1.0)
        if vector is None:
            return DocsMatch()
        best = [
            (i, s)
            for i, s in self.vectors.best(vector, k=self.max_sections)
            if s >= self.minimum and i in self.mirror.sections
        ]
        if not best:
            return DocsMatch()
        top = best[0][1]
        return DocsMatch(
            sections=self._pick([i for i, _ in best]),
            confident=top >= self.confident,
            how="semantic",
            score=top,
        )

    def _by_key(self, question: str) -> list[str]:
        ids: list[str] = []
        for word in question.replace("`", " ").split():
            ids += self.mirror.keys.get(f"name:{word.strip('?.,:;!()').lower()}", [])
        text = f" {normalize(question)} "
        for title, title_ids in self.mirror.titles:
            if f" {title} " in text:
                ids += title_ids
        return list(dict.fromkeys(ids))

    def _pick(self, ids: list[str]) -> list[DocSection]:
        return [self.mirror.sections[i] for i in ids if i in self.mirror.sections][
            : self.max_sections
        ]


def section_keys(section: DocSection) -> list[str]:
    """The exact keys a section answers to."""
    keys = []
    stem = section.source.rsplit("/", 1)[-1].removesuffix(".md")
    if stem[:1].isupper() and any(c.isupper() for c in stem[1:]):  # an alert runbook
        keys.append(f"name:{stem.lower()}")
    title = normalize(section.title)
    if len(title.split()) >= 2:
        keys.append(f"title:{title}")
    last = section.heading.rsplit(" > ", 1)[-1]
    command = normalize(last.strip("`"))
    if last.startswith("`") and last.endswith("`") and len(command.split()) >= 2:
        keys.append(f"title:{command}")  # a command named in a heading: "kubectl drain"
    return keys
