"""The OpenAI chat-completions request, validated, and the response shapes we send."""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smartops.config import Settings
from smartops.errors import InvalidRequest, NotFound, PayloadTooLarge

Role = Literal["system", "developer", "user", "assistant", "tool"]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["text"]
    text: str


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Role
    content: str | list[TextPart] | None = None
    name: str | None = None

    @property
    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatRequest(BaseModel):
    """The fields of an OpenAI chat request that smartops honours; others are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field(min_length=1)
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    stop: str | list[str] | None = None
    user: str | None = None

    @field_validator("messages")
    @classmethod
    def _last_is_user_text(cls, messages: list[Message]) -> list[Message]:
        last = messages[-1]
        if last.role != "user":
            raise ValueError("the last message must have role 'user'")
        if not last.text.strip():
            raise ValueError("the last user message is empty")
        return messages

    @property
    def question(self) -> str:
        return self.messages[-1].text.strip()

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


def parse_chat_request(raw: bytes, settings: Settings) -> ChatRequest:
    """Parse and validate a request body; every failure is an InvalidRequest (400)."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest(f"Malformed JSON body: {exc}", code="invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidRequest("The request body must be a JSON object.", code="invalid_json")
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(part) for part in first["loc"]) or None
        where = f" (at '{param}')" if param else ""
        raise InvalidRequest(f"Invalid request: {first['msg']}{where}", param=param) from None
    _check_limits(request, settings)
    return request


def _check_limits(request: ChatRequest, settings: Settings) -> None:
    if request.model != settings.model_id:
        raise NotFound(
            f"The model '{request.model}' does not exist; this server serves "
            f"'{settings.model_id}'.",
            code="model_not_found",
            param="model",
        )
    if len(request.messages) > settings.max_messages:
        raise PayloadTooLarge(
            f"Too many messages: {len(request.messages)} (limit {settings.max_messages}).",
            param="messages",
        )
    for index, message in enumerate(request.messages):
        if len(message.text) > settings.max_message_chars:
            raise PayloadTooLarge(
                f"Message {index} has {len(message.text)} characters "
                f"(limit {settings.max_message_chars}).",
                param=f"messages.{index}.content",
            )


def completion_body(
    *,
    completion_id: str,
    model: str,
    content: str,
    usage: dict[str, int] | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """A non-streaming chat.completion response."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
        "smartops": extra,
    }


def chunk_body(
    *,
    completion_id: str,
    model: str,
    created: int,
    delta: dict[str, Any],
    finish_reason: str | None = None,
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """One chat.completion.chunk of a streamed response."""
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = usage
    return body
