"""SingleFlight and Broadcast: identical concurrent work done once, shared by all."""

from __future__ import annotations

import asyncio

import pytest

from smartops.coalesce import Abandoned, Broadcast, SingleFlight


class Model:
    """A stand-in for the LLM: counts its calls, answers after a short delay."""

    def __init__(self, delay: float = 0.05, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail

    async def answer(self, question: str) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("the model is down")
        return f"answer to {question} #{self.calls}"


async def test_200_identical_concurrent_questions_make_one_call() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    model = Model()
    answers = await asyncio.gather(*(flight.do("q", lambda: model.answer("q")) for _ in range(200)))
    assert model.calls == 1
    assert set(answers) == {"answer to q #1"}
    assert (flight.led, flight.shared, flight.in_flight()) == (1, 199, 0)


async def test_different_keys_do_not_share_and_later_calls_compute_again() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    model = Model()
    first = await asyncio.gather(*(flight.do(k, lambda k=k: model.answer(k)) for k in "abab"))
    assert model.calls == 2 and first[0] == first[2] and first[1] == first[3]
    await flight.do("a", lambda: model.answer("a"))  # nothing in flight any more
    assert model.calls == 3


async def test_a_failing_leader_hands_its_error_to_every_follower() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    model = Model(fail=True)
    results = await asyncio.gather(
        *(flight.do("q", lambda: model.answer("q")) for _ in range(20)), return_exceptions=True
    )
    assert model.calls == 1
    assert all(isinstance(r, ConnectionError) for r in results)
    assert flight.in_flight() == 0


async def test_a_cancelled_leader_hands_over_to_one_follower() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    model = Model(delay=0.2)
    leader = asyncio.create_task(flight.do("q", lambda: model.answer("q")))
    await asyncio.sleep(0.01)
    followers = [asyncio.create_task(flight.do("q", lambda: model.answer("q"))) for _ in range(10)]
    await asyncio.sleep(0.05)
    leader.cancel()  # its client went away
    answers = await asyncio.gather(*followers)
    assert model.calls == 2  # the cancelled one and the follower that took over
    assert set(answers) == {"answer to q #2"}
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_leader_that_leaves_without_a_value_lets_a_follower_compute() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    started = asyncio.Event()

    async def leave_empty() -> None:
        async with flight.lead_or_wait("q") as slot:
            assert slot.leader
            started.set()
            await asyncio.sleep(0.05)  # e.g. an answer not worth sharing

    task = asyncio.create_task(leave_empty())
    await started.wait()
    model = Model()
    assert await flight.do("q", lambda: model.answer("q")) == "answer to q #1"
    await task


async def test_a_follower_past_its_wait_computes_on_its_own() -> None:
    flight: SingleFlight[str, str] = SingleFlight(wait_s=0.05)
    slow = Model(delay=0.5)
    leader = asyncio.create_task(flight.do("q", lambda: slow.answer("q")))
    await asyncio.sleep(0.01)
    async with flight.lead_or_wait("q") as slot:
        assert slot.leader and slot.detached
        slot.resolve("mine")  # a detached slot shares nothing
    assert flight.in_flight() == 1  # the leader's flight goes on
    assert await leader == "answer to q #1"


async def test_resolve_wakes_followers_before_the_leader_is_done() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    resolved = asyncio.Event()
    release = asyncio.Event()

    async def lead() -> None:
        async with flight.lead_or_wait("q") as slot:
            slot.resolve("complete answer")
            resolved.set()
            await release.wait()  # storing it in the answer cache, say

    task = asyncio.create_task(lead())
    await resolved.wait()
    # Arriving after resolve, before the leader left: served, nothing computed.
    async with flight.lead_or_wait("q") as slot:
        assert not slot.leader and slot.value == "complete answer"
    release.set()
    await task
    assert flight.led == 1 and flight.shared == 1


async def test_only_followers_read_a_value_and_only_leaders_resolve() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    async with flight.lead_or_wait("q") as slot:
        with pytest.raises(RuntimeError):
            _ = slot.value


async def test_a_broadcast_reaches_every_subscriber_in_full_whenever_it_joins() -> None:
    stream: Broadcast[str] = Broadcast()

    async def read() -> list[str]:
        return [part async for part in stream]

    early = asyncio.create_task(read())
    await stream.put("Check ")
    await asyncio.sleep(0.01)
    late = asyncio.create_task(read())
    await stream.put("the logs.")
    await stream.close()
    after = await read()  # joined after the end
    assert await early == await late == after == ["Check ", "the logs."]
    with pytest.raises(RuntimeError):
        await stream.put("more")


async def test_an_abandoned_broadcast_tells_its_subscribers() -> None:
    stream: Broadcast[str] = Broadcast()
    got: list[str] = []

    async def read() -> None:
        async for part in stream:
            got.append(part)

    reader = asyncio.create_task(read())
    await stream.put("Check ")
    await stream.close(asyncio.CancelledError())
    with pytest.raises(Abandoned):
        await reader
    assert got == ["Check "]


async def test_streamed_answers_are_shared_through_a_broadcast() -> None:
    """The pipeline's shape: the leader streams, followers replay the same parts."""
    flight: SingleFlight[str, Broadcast[str]] = SingleFlight()
    calls = 0

    async def chat() -> list[str]:
        nonlocal calls
        async with flight.lead_or_wait("q") as slot:
            if not slot.leader:
                return [part async for part in slot.value]
            calls += 1
            stream: Broadcast[str] = Broadcast()
            slot.resolve(stream)
            parts = []
            try:
                for part in ("A ", "complete ", "answer."):
                    await asyncio.sleep(0.01)
                    await stream.put(part)
                    parts.append(part)
            finally:
                await stream.close()
            return parts

    results = await asyncio.gather(*(chat() for _ in range(50)))
    assert calls == 1
    assert all(r == ["A ", "complete ", "answer."] for r in results)
