"""Coalescing of identical concurrent work: one computation per key, shared by all.

``SingleFlight`` lets concurrent callers with the same key share one in-flight
computation: the first becomes the leader and computes, the others wait and receive the
leader's value. 200 identical uncached questions then make one LLM call, not 200::

    flight: SingleFlight[str, Answer] = SingleFlight(wait_s=120)

    async with flight.lead_or_wait(key) as slot:
        if not slot.leader:
            return slot.value           # the leader's answer
        answer = await generate()
        slot.resolve(answer)            # followers wake now; store it in the cache after
        await cache.store(answer)
        return answer

``do(key, compute)`` is the same for a plain coroutine. The rules:

- A leader whose body raises an ``Exception`` before ``resolve`` hands that exception to
  its followers (the LLM is down for all of them alike).
- A leader that is cancelled (its client went away) or leaves without ``resolve``
  hands over: one follower becomes the next leader, the others keep waiting on it.
- A follower that waited ``wait_s`` in vain stops waiting and computes on its own
  (``slot.leader`` true, ``slot.detached`` true); the flight is left to its leader.

For streamed answers, share a ``Broadcast``: the leader resolves its slot with one at
once, then ``put``s each part and ``close``s it; every follower iterates it from the
first part (``async for part in slot.value``), live, as the leader's client sees it.
Coalescing is per process; replicas each run their own flights.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


@dataclass
class _Flight(Generic[V]):
    done: asyncio.Event = field(default_factory=asyncio.Event)
    value: V | None = None
    resolved: bool = False
    error: Exception | None = None


class Slot(Generic[V]):
    """A caller's part in a flight: lead it (compute, ``resolve``) or take its value."""

    def __init__(self, leader: bool, flight: _Flight[V] | None, *, detached: bool = False) -> None:
        self.leader = leader
        self.detached = detached
        self._flight = flight

    @property
    def value(self) -> V:
        """The leader's value (followers only)."""
        if self.leader or self._flight is None or not self._flight.resolved:
            raise RuntimeError("Only a follower's slot holds the leader's value.")
        return cast(V, self._flight.value)

    def resolve(self, value: V) -> None:
        """Share the value with every follower now (leaders only; once)."""
        if not self.leader:
            raise RuntimeError("Only the leader resolves a flight.")
        flight = self._flight
        if flight is None or flight.resolved:
            return  # detached, or resolved already
        flight.value, flight.resolved = value, True
        flight.done.set()


class SingleFlight(Generic[K, V]):
    """Concurrent calls for one key share one computation (see the module docs)."""

    def __init__(self, *, wait_s: float | None = None) -> None:
        self.wait_s = wait_s
        self._flights: dict[K, _Flight[V]] = {}
        self.led = 0  # computations started
        self.shared = 0  # callers answered with another caller's value

    def in_flight(self) -> int:
        return len(self._flights)

    @contextlib.asynccontextmanager
    async def lead_or_wait(self, key: K) -> AsyncIterator[Slot[V]]:
        """Become the key's leader, or wait for its leader and receive the value."""
        deadline = None if self.wait_s is None else time.monotonic() + self.wait_s
        while True:
            flight = self._flights.get(key)
            if flight is None:
                break
            if not await _wait(flight.done, deadline):
                yield Slot(True, None, detached=True)
                return
            if flight.resolved:
                self.shared += 1
                yield Slot(False, flight)
                return
            if flight.error is not None:
                raise flight.error
            await asyncio.sleep(0)  # the leader gave up: the next loop may take over
        flight = _Flight()
        self._flights[key] = flight
        self.led += 1
        try:
            yield Slot(True, flight)
        except Exception as exc:
            if not flight.resolved:
                flight.error = exc
            raise
        finally:
            if self._flights.get(key) is flight:
                del self._flights[key]
            flight.done.set()

    async def do(self, key: K, compute: Callable[[], Awaitable[V]]) -> V:
        """``compute()`` once for all concurrent callers with this key."""
        async with self.lead_or_wait(key) as slot:
            if not slot.leader:
                return slot.value
            value = await compute()
            slot.resolve(value)
            return value


async def _wait(done: asyncio.Event, deadline: float | None) -> bool:
    if deadline is None:
        await done.wait()
        return True
    try:
        await asyncio.wait_for(done.wait(), max(deadline - time.monotonic(), 0))
    except TimeoutError:
        return False
    return True


class Abandoned(Exception):
    """The leader of a broadcast stopped before its end (cancelled, or it failed)."""


class Broadcast(Generic[T]):
    """A stream that every subscriber reads in full, from its first item, live."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._changed = asyncio.Condition()
        self._closed = False
        self._error: BaseException | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    async def put(self, item: T) -> None:
        async with self._changed:
            if self._closed:
                raise RuntimeError("The broadcast is closed.")
            self._items.append(item)
            self._changed.notify_all()

    async def close(self, error: BaseException | None = None) -> None:
        """End the stream; with ``error``, subscribers raise ``Abandoned`` from it."""
        async with self._changed:
            if not self._closed:
                self._closed, self._error = True, error
                self._changed.notify_all()

    def items(self) -> list[T]:
        """Everything put so far (the whole stream once it is closed)."""
        return list(self._items)

    def _past(self, sent: int) -> bool:
        return len(self._items) > sent or self._closed

    def __aiter__(self) -> AsyncIterator[T]:
        return self._read()

    async def _read(self) -> AsyncIterator[T]:
        sent = 0
        while True:
            async with self._changed:
                await self._changed.wait_for(functools.partial(self._past, sent))
                batch = self._items[sent:]
                closed, error = self._closed, self._error
            for item in batch:
                yield item
            sent += len(batch)
            if closed and sent == len(self._items):
                if error is not None:
                    raise Abandoned("The shared answer stopped before its end.") from error
                return
