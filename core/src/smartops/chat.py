"""The OpenAI chat-completions request, validated, and the response shapes we send.

The body goes through the one parser (``smartops.body``: size, depth and number limits,
every string cleaned of what is not text), so whatever a client sends is a chat request
or a 400, over HTTP and over the WebSocket alike.

Content may be a string or a list of parts, as OpenAI and Open WebUI send it. This model
reads text only: the ``text`` parts are the message; the other parts (``image_url``,
``input_audio``, ``file``) are not read, and when the question itself carries some the
answer says so (``ChatRequest.notices``) instead of refusing the conversation: Open
WebUI sends a chat's earlier images again with every later question. A question with
no text at all, only images, is a 400 that says why.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from smartops.body import invalid_from_validation, parse_json
from smartops.config import Settings
from smartops.errors import InvalidRequest, NotFound, PayloadTooLarge
from smartops.notices import notice

Role = Literal["system", "developer", "user", "assistant", "tool"]
TEXT_ONLY = "This model reads text only"


class ContentPart(BaseModel):
    """One part of a list-of-parts content; only ``text`` parts are read."""

    model_config = ConfigDict(extra="ignore")
    type: str = Field(min_length=1, max_length=64)
    text: str | None = None

    @model_validator(mode="after")
    def _text_part_has_text(self) -> ContentPart:
        if self.type == "text" and self.text is None:
            raise ValueError("a 'text' part needs a 'text' string")
        return self


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None

    @property
    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text or "" for part in self.content if part.type == "text")

    @property
    def unread_parts(self) -> list[str]:
        """The types of the parts that are not read (``image_url``...), in order."""
        if not isinstance(self.content, list):
            return []
        return [part.type for part in self.content if part.type != "text"]


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
            unread = sorted(set(last.unread_parts))
            if unread:
                raise ValueError(
                    f"the last user message has no text: {TEXT_ONLY.lower()} "
                    f"({', '.join(unread)} parts are not read)"
                )
            raise ValueError("the last user message is empty")
        return messages

    @property
    def question(self) -> str:
        return self.messages[-1].text.strip()

    @property
    def said(self) -> list[str]:
        """What the user and the system said (the texts a model's answer may repeat)."""
        return [m.text for m in self.messages if m.role in ("user", "system")]

    @property
    def notices(self) -> list[str]:
        """What the answer should tell the user about their question: the parts of it
        that were not read (an attached image)."""
        unread = self.messages[-1].unread_parts
        if not unread:
            return []
        # Imported here: the answers package imports the turn, which imports this module.
        from smartops.answers.language import language_of

        kinds = sorted(set(unread))
        image = kinds == ["image_url"] and len(unread) == 1
        language = language_of(self.question)
        return [notice("unread_parts", language, image=image, kinds=", ".join(kinds))]

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


def parse_chat_request(raw: bytes | str, settings: Settings) -> ChatRequest:
    """Parse and validate a request body; every failure is a ClientError (400, 404, 413)."""
    data = parse_json(raw, max_bytes=settings.max_body_bytes)
    if not isinstance(data, dict):
        raise InvalidRequest("The request body must be a JSON object.", code="invalid_json")
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_validation(exc) from None
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
