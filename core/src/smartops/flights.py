"""Identical concurrent knowledge questions share one answer (``smartops.coalesce``).

The pipeline hands a turn here before the first stage that gives it a sharing scope
(``Shareable``: the answer cache, for a standalone question it may store). Turns with
the same key (scope, normalized question, answer mode, sampling fields) that arrive
while one of them is being answered share it:

- the first is the leader: the rest of its pipeline (the cache lookup, retrieval, the
  answer stage, the LLM) runs in a task of its own, which puts every piece of the answer
  into a ``Broadcast`` and stores the answer in the cache at its end, as an unshared
  turn does (a cache hit is shared too: one lookup for all);
- the others are followers: they read the same broadcast from its first piece, live,
  and take the leader's finish reason, usage, sources and notices when it closes. They
  run no stage and no model, and store nothing.

Only an answer the cache would store is shared. An error before the answer opened (the
LLM down, a refused prompt), a degraded answer (a backend down) and an abstention (which
may come from a docs-cache lookup that ran out of time) are the leader's own: the turn
is no longer cacheable, and its followers start again: one of them leads a second
flight, and if that one fails too each answers on its own, uncoalesced. So one failure
is never served to others and never stored, and a failing model is asked a bounded
number of times in a row. A failure in the middle of the stream reaches every reader
as the same error.

The leader's client going away does not stop the answer while a follower reads it;
when every reader has gone the production is cancelled. Coalescing is per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from smartops.cache.normalize import digest, normalize
from smartops.coalesce import Abandoned, Broadcast
from smartops.errors import SmartopsError
from smartops.turn import Piece, Turn

Produce = Callable[[], Awaitable[AsyncIterator[Piece]]]
SHARED_HEADER = "X-Smartops-Coalesced"


@runtime_checkable
class Shareable(Protocol):
    """A stage from which on identical turns may share their answer."""

    def sharing_scope(self, turn: Turn) -> str | None:
        """The scope within which the turn's answer may be shared, or None."""
        ...


def flight_key(scope: str, question: str, mode: str, sampling: dict[str, object]) -> str:
    """The key identical turns share: scope, normalized question, mode, sampling."""
    fields = json.dumps(sampling, sort_keys=True, default=str)
    return digest(scope, normalize(question), mode, fields)


@dataclass
class _Flight:
    key: str
    leader: Turn
    answer: Broadcast[Piece] = field(default_factory=Broadcast)
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    error: BaseException | None = None
    private: bool = False  # the leader's answer is its own (degraded, an abstention)
    readers: int = 1
    task: asyncio.Task[None] | None = None


class TurnFlights:
    """The answers being produced now, by key (see the module docstring)."""

    def __init__(self) -> None:
        self._flights: dict[str, _Flight] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.led = 0  # answers produced under a flight
        self.shared = 0  # followers answered with a leader's stream

    def in_flight(self) -> int:
        return len(self._flights)

    async def answer(
        self, turn: Turn, key: str, produce: Produce, again: bool = True
    ) -> AsyncIterator[Piece]:
        """The turn's answer: produced here (leader), or the leader's (follower)."""
        flight = self._flights.get(key)
        if flight is None:
            return await self._lead(turn, key, produce)
        return await self._follow(turn, flight, produce, again)

    async def _lead(self, turn: Turn, key: str, produce: Produce) -> AsyncIterator[Piece]:
        flight = _Flight(key, turn)
        self._flights[key] = flight
        self.led += 1
        task = asyncio.create_task(self._produce(flight, produce))
        flight.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await self._opened(flight)
        if flight.error is not None:
            raise flight.error
        turn.headers[SHARED_HEADER] = "leader"
        return self._read(flight, turn)

    async def _follow(
        self, turn: Turn, flight: _Flight, produce: Produce, again: bool
    ) -> AsyncIterator[Piece]:
        flight.readers += 1
        started = time.perf_counter()
        await self._opened(flight)
        turn.timings_ms["coalesce_wait"] = round((time.perf_counter() - started) * 1000, 3)
        if flight.error is not None or flight.private:
            if again:  # the leader failed: once more under a new leader, then alone
                return await self.answer(turn, flight.key, produce, again=False)
            return await produce()
        self.shared += 1
        turn.headers.update(flight.leader.headers)  # the cache's hit or miss
        turn.headers[SHARED_HEADER] = "follower"
        return self._read(flight, turn)

    async def _opened(self, flight: _Flight) -> None:
        try:
            await flight.opened.wait()
        except BaseException:
            self._leave(flight)
            raise

    async def _produce(self, flight: _Flight, produce: Produce) -> None:
        try:
            try:
                stream = await produce()
                leader = flight.leader  # a cache hit is shareable; other uncacheables not
                flight.private = not leader.cacheable and leader.cache_hit is None
            except BaseException as exc:
                flight.error = exc
                raise
            finally:
                if flight.error is not None or flight.private:
                    self._drop(flight)  # the next identical question leads anew
                flight.opened.set()
            async for piece in stream:
                await flight.answer.put(piece)
        except BaseException as exc:
            await flight.answer.close(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            await flight.answer.close()
        finally:
            self._drop(flight)

    async def _read(self, flight: _Flight, turn: Turn) -> AsyncIterator[Piece]:
        try:
            async for piece in flight.answer:
                yield piece
        except Abandoned as exc:
            if isinstance(exc.__cause__, SmartopsError):
                raise exc.__cause__ from None  # the error the leader's client sees
            raise
        finally:
            self._leave(flight)
            if turn is not flight.leader:
                _take_over(flight.leader, turn)

    def _leave(self, flight: _Flight) -> None:
        """A reader is done; with none left, an unfinished answer is cancelled."""
        flight.readers -= 1
        if flight.readers <= 0 and not flight.answer.closed and flight.task is not None:
            self._drop(flight)
            flight.task.cancel()

    def _drop(self, flight: _Flight) -> None:
        if self._flights.get(flight.key) is flight:
            del self._flights[flight.key]

    async def aclose(self) -> None:
        """Cancel the answers still being produced (at shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task


def _take_over(leader: Turn, follower: Turn) -> None:
    """What the edges read after the stream, as the leader's answer left it."""
    follower.finish_reason = leader.finish_reason
    follower.usage = dict(leader.usage) if leader.usage is not None else None
    follower.sources[:] = leader.sources
    follower.notices[:] = leader.notices
    follower.context[:] = leader.context
    follower.abstained = leader.abstained
    follower.cache_hit = leader.cache_hit
    follower.cacheable = False  # the leader stored it
