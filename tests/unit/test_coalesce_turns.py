"""TurnFlights: identical concurrent turns share one produced answer, failures stay private."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from smartops.chat import ChatRequest, Message
from smartops.errors import UpstreamError, UpstreamUnavailable
from smartops.flights import TurnFlights, flight_key
from smartops.turn import Piece, Principal, Source, Text, Turn


def turn(question: str = "What is a PodDisruptionBudget?") -> Turn:
    request = ChatRequest(model="smartops", messages=[Message(role="user", content=question)])
    made = Turn(request=request, request_id="r", principal=Principal("u"))
    made.cache_scope = "scope"
    return made


class Producer:
    """Produces an answer for a turn: counts calls, can fail before or in the stream."""

    def __init__(self, fail_open: int = 0, fail_in_stream: bool = False, degrade: int = 0) -> None:
        self.calls = 0
        self.fail_open = fail_open
        self.fail_in_stream = fail_in_stream
        self.degrade = degrade  # the first calls answer with a backend down
        self.finished = 0

    def of(self, t: Turn) -> object:
        async def produce() -> AsyncIterator[Piece]:
            self.calls += 1
            await asyncio.sleep(0.02)
            if self.calls <= self.fail_open:
                raise UpstreamUnavailable("The LLM upstream cannot be reached.")
            if self.calls <= self.degrade:
                t.cacheable = False
            t.finish_reason = "length"
            t.sources.append(Source("docs/pdb.md"))
            return self._stream(t)

        return produce

    async def _stream(self, t: Turn) -> AsyncIterator[Piece]:
        for word in ("A ", "budget ", "for ", "disruptions."):
            await asyncio.sleep(0.01)
            if self.fail_in_stream and word == "for ":
                raise UpstreamError("The stream stopped.", code="llm_stream_incomplete")
            yield Text(word)
        self.finished += 1


async def read(flights: TurnFlights, t: Turn, producer: Producer) -> str:
    answer = await flights.answer(t, "key", producer.of(t))  # type: ignore[arg-type]
    return "".join([piece.text async for piece in answer])


async def test_identical_turns_share_one_answer_and_its_details() -> None:
    flights, producer = TurnFlights(), Producer()
    turns = [turn() for _ in range(30)]
    texts = await asyncio.gather(*(read(flights, t, producer) for t in turns))
    assert producer.calls == 1
    assert set(texts) == {"A budget for disruptions."}
    assert (flights.led, flights.shared, flights.in_flight()) == (1, 29, 0)
    for follower in turns[1:]:  # what the edges read after the stream
        assert follower.finish_reason == "length"
        assert follower.sources == [Source("docs/pdb.md")]
        assert follower.headers["X-Smartops-Coalesced"] == "follower"
        assert not follower.cacheable  # the leader alone stores the answer
    assert turns[0].headers["X-Smartops-Coalesced"] == "leader"
    again = await read(flights, turn(), producer)  # after the flight: produced anew
    assert again == texts[0] and producer.calls == 2


async def test_a_leader_that_fails_to_open_fails_alone_and_followers_start_again() -> None:
    flights, producer = TurnFlights(), Producer(fail_open=1)
    results = await asyncio.gather(
        *(read(flights, turn(), producer) for _ in range(5)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], UpstreamUnavailable)
    assert [r for r in results if isinstance(r, str)] == ["A budget for disruptions."] * 4
    assert producer.calls == 2  # never the leader's error: a second leader for the rest
    assert flights.in_flight() == 0


async def test_when_the_second_leader_fails_too_each_follower_answers_alone() -> None:
    flights, producer = TurnFlights(), Producer(fail_open=2)
    results = await asyncio.gather(
        *(read(flights, turn(), producer) for _ in range(5)), return_exceptions=True
    )
    assert sum(isinstance(r, UpstreamUnavailable) for r in results) == 2
    assert [r for r in results if isinstance(r, str)] == ["A budget for disruptions."] * 3
    assert producer.calls == 5 and flights.shared == 0


async def test_a_degraded_leader_keeps_its_answer_to_itself() -> None:
    flights, producer = TurnFlights(), Producer(degrade=1)
    turns = [turn() for _ in range(4)]
    await asyncio.gather(*(read(flights, t, producer) for t in turns))
    assert not turns[0].cacheable  # its answer, with the backend down, is its own
    assert producer.calls == 2 and flights.shared == 2  # the rest share a second flight


async def test_an_error_in_the_stream_reaches_every_reader_as_the_same_error() -> None:
    flights, producer = TurnFlights(), Producer(fail_in_stream=True)
    results = await asyncio.gather(
        *(read(flights, turn(), producer) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, UpstreamError) for r in results)
    assert {r.code for r in results if isinstance(r, UpstreamError)} == {"llm_stream_incomplete"}
    assert producer.calls == 1 and flights.in_flight() == 0


async def test_the_leaders_client_leaving_does_not_stop_a_followers_answer() -> None:
    flights, producer = TurnFlights(), Producer()
    leader, follower = turn(), turn()
    leading = asyncio.create_task(read(flights, leader, producer))
    await asyncio.sleep(0.005)
    following = asyncio.create_task(read(flights, follower, producer))
    await asyncio.sleep(0.04)  # opened, streaming
    leading.cancel()
    assert await following == "A budget for disruptions."
    assert producer.calls == 1 and producer.finished == 1
    with pytest.raises(asyncio.CancelledError):
        await leading


async def test_when_every_reader_left_the_answer_is_cancelled() -> None:
    flights, producer = TurnFlights(), Producer()
    tasks = [asyncio.create_task(read(flights, turn(), producer)) for _ in range(3)]
    await asyncio.sleep(0.04)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(0.1)
    assert producer.finished == 0 and flights.in_flight() == 0


def test_the_key_separates_scopes_modes_and_sampling_and_ignores_case_and_spacing() -> None:
    sampling: dict[str, object] = {"max_tokens": 64, "temperature": 0.2}
    key = flight_key("s", "What is a PDB?", "auto", sampling)
    assert key == flight_key("s", "  what is a   PDB ", "auto", sampling)
    assert key != flight_key("s", "What is a PDB?", "extract", sampling)
    assert key != flight_key("s", "What is a PDB?", "auto", {"max_tokens": 65})
    assert key != flight_key("another system prompt", "What is a PDB?", "auto", sampling)
    assert key != flight_key("s", "What is a PVC?", "auto", sampling)
