"""Bad input gets a clear 4xx with an OpenAI error body; a down upstream a 503."""

from __future__ import annotations

import json

import httpx
import pytest

CHAT = "/v1/chat/completions"


def chat(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "model": "smartops",
        "messages": [{"role": "user", "content": "hello"}],
    }
    body.update(overrides)
    return body


def assert_openai_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"}
    assert error["code"] == code
    assert error["message"] and "Traceback" not in error["message"]
    return dict(error)


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        CHAT,
        content=b'{"model": "smartops", "messages": [',
        headers={"content-type": "application/json"},
    )
    error = assert_openai_error(response, 400, "invalid_json")
    assert "Malformed JSON" in str(error["message"])


async def test_body_not_an_object_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(CHAT, content=b"[1, 2]")
    assert_openai_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (chat(messages="hello"), "messages"),
        (chat(messages=[]), "messages"),
        (chat(messages=[{"role": "user", "content": "   "}]), "messages"),
        (chat(messages=[{"role": "wizard", "content": "hi"}]), "messages.0.role"),
        (
            chat(
                messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x"}]
            ),
            "messages",
        ),
        (chat(stream="yes please"), "stream"),
        (chat(temperature=7), "temperature"),
        (chat(max_tokens=0), "max_tokens"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
    ],
)
async def test_invalid_fields_are_400_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], param: str
) -> None:
    response = await client.post(CHAT, json=body)
    error = assert_openai_error(response, 400, "invalid_request")
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


async def test_unknown_model_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(CHAT, json=chat(model="gpt-9"))
    error = assert_openai_error(response, 404, "model_not_found")
    assert "gpt-9" in str(error["message"])


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(CHAT, content=json.dumps(chat(padding="x" * 10_000)))
    assert_openai_error(response, 413, "payload_too_large")


async def test_oversized_streamed_body_without_length_is_413(client: httpx.AsyncClient) -> None:
    async def body() -> object:
        for _ in range(10):
            yield b"x" * 1000

    response = await client.post(CHAT, content=body())
    assert_openai_error(response, 413, "payload_too_large")


async def test_oversized_message_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        CHAT, json=chat(messages=[{"role": "user", "content": "y" * 1500}])
    )
    error = assert_openai_error(response, 413, "payload_too_large")
    assert error["param"] == "messages.0.content"


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert_openai_error(await client.get("/v1/nothing"), 404, "not_found")
    assert_openai_error(await client.get(CHAT), 405, "method_not_allowed")


@pytest.mark.parametrize("stream", [False, True])
async def test_upstream_down_is_503_with_a_clear_message(
    client: httpx.AsyncClient, stream: bool
) -> None:
    response = await client.post(CHAT, json=chat(stream=stream))
    error = assert_openai_error(response, 503, "upstream_unavailable")
    assert "cannot be reached" in str(error["message"])
    assert response.headers["x-request-id"]


async def test_failures_are_counted_in_metrics(client: httpx.AsyncClient) -> None:
    await client.post(CHAT, json=chat())
    await client.post(CHAT, content=b"{")
    text = (await client.get("/metrics")).text
    assert (
        'smartops_http_requests_total{method="POST",route="/v1/chat/completions",status="503"} 1.0'
        in text
    )
    assert (
        'smartops_http_requests_total{method="POST",route="/v1/chat/completions",status="400"} 1.0'
        in text
    )
    assert 'smartops_upstream_errors_total{backend="llm",kind="connect"} 2.0' in text
