"""The cache's requests and results: the same shapes in process and over HTTP."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CachedSource(BaseModel):
    source: str
    title: str = ""
    heading: str = ""
    url: str = ""


class CachedAnswer(BaseModel):
    question: str
    answer: str
    sources: list[CachedSource] = Field(default_factory=list)
    identifiers: list[str] = Field(default_factory=list)
    created: float = 0.0


class DocSection(BaseModel):
    """A section of a cached document (CAG)."""

    id: str
    source: str
    title: str
    heading: str
    text: str
    hash: str
    url: str = ""


class DocsMatch(BaseModel):
    """Sections that answer a question, and whether the match is confident."""

    sections: list[DocSection] = Field(default_factory=list)
    confident: bool = False
    how: Literal["key", "semantic", "none"] = "none"
    score: float = 0.0


class LookupRequest(BaseModel):
    scope: str = Field(min_length=1, max_length=64)
    question: str = Field(min_length=1, max_length=100_000)
    vector: list[float] | None = Field(None, min_length=8, max_length=4096)
    docs: bool = True
    semantic: bool = True


class LookupResult(BaseModel):
    answer: CachedAnswer | None = None
    how: Literal["exact", "semantic", "none"] = "none"
    score: float = 0.0
    docs: DocsMatch | None = None


class StoreRequest(BaseModel):
    scope: str = Field(min_length=1, max_length=64)
    question: str = Field(min_length=1, max_length=100_000)
    vector: list[float] | None = Field(None, min_length=8, max_length=4096)
    answer: str = Field(min_length=1)
    sources: list[CachedSource] = Field(default_factory=list)


class InvalidateRequest(BaseModel):
    reason: str = Field("manual", max_length=200)


class ReloadRequest(BaseModel):
    """Reload the docs cache: the given paths, or every configured folder.

    ``change``: the id of the change it belongs to (an event id); the knowledge
    generation moves at most once per change (``generation.advance``)."""

    paths: list[str] | None = None
    change: str = Field("", max_length=200)


class ReloadReport(BaseModel):
    files: int = 0
    sections: int = 0
    embedded: int = 0
    removed: int = 0
    generation: int = 0
