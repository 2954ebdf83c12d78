"""Open WebUI's list-of-parts content: text parts are read, images are not (and said so)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smartops.chat import parse_chat_request
from smartops.config import Settings
from smartops.errors import InvalidRequest

IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
SETTINGS = Settings()


def request(*messages: dict[str, Any]) -> bytes:
    return json.dumps({"model": SETTINGS.model_id, "messages": list(messages)}).encode()


def test_text_parts_are_the_question_and_an_image_is_a_notice() -> None:
    chat = parse_chat_request(
        request(
            {
                "role": "user",
                "content": [{"type": "text", "text": "Why is this pod pending?"}, IMAGE],
            }
        ),
        SETTINGS,
    )
    assert chat.question == "Why is this pod pending?"
    assert chat.notices == [
        "This model reads text only: an image in your message (image_url) was not read."
    ]


def test_images_earlier_in_the_chat_are_ignored_silently() -> None:
    chat = parse_chat_request(
        request(
            {"role": "user", "content": [{"type": "text", "text": "look"}, IMAGE, IMAGE]},
            {"role": "assistant", "content": "I cannot see images."},
            {"role": "user", "content": "Then: what is a PDB?"},
        ),
        SETTINGS,
    )
    assert chat.question == "Then: what is a PDB?" and chat.notices == []
    assert chat.messages[0].text == "look" and chat.messages[0].unread_parts == ["image_url"] * 2


def test_a_question_made_only_of_images_is_a_clear_400() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_chat_request(request({"role": "user", "content": [IMAGE]}), SETTINGS)
    assert caught.value.param == "messages"
    assert "reads text only" in caught.value.message and "image_url" in caught.value.message


@pytest.mark.parametrize(
    ("part", "param"),
    [
        ({"type": "text"}, "messages.0.content.1"),
        ({"type": "text", "text": 5}, "messages.0.content.1.text"),
        ({"type": ""}, "messages.0.content.1.type"),
        ({"text": "no type"}, "messages.0.content.1.type"),
    ],
)
def test_a_malformed_part_is_a_400_naming_it(part: dict[str, Any], param: str) -> None:
    content = [{"type": "text", "text": "hi"}, part]
    with pytest.raises(InvalidRequest) as caught:
        parse_chat_request(request({"role": "user", "content": content}), SETTINGS)
    assert caught.value.param == param, caught.value.message
