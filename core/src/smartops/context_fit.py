"""Fit a chat prompt to the model's context window before it is sent.

The prompt and the answer share the context (``n_ctx``): a request whose prompt does not
fit gets no answer at all from llama.cpp ("Requested tokens exceed context window") and
a 400 from vLLM. :func:`fit_messages` keeps every system message (ours carries the
retrieved context) and the last user message, drops the conversation's history
oldest-first until prompt and answer fit, lowers ``max_tokens`` when even that is not
enough, and refuses with a 413 when the kept messages alone do not fit.

Tokens are estimated, not counted: asking the server (llama.cpp's ``/extras/tokenize``)
waits for the lock a running generation holds, and the upstream's tokenizer is not known
in general. :func:`estimate_tokens` weighs characters by class, calibrated on SmolLM2's
tokenizer over the docs corpus and Russian questions: it over-counts ordinary text by
about 25% and under-counts the worst 1% of short samples (code, base64) by up to 11%,
which :data:`RESERVE` absorbs. :func:`gguf_counter` counts exactly with a
GGUF model's own vocabulary when llama-cpp-python is installed (about 2 ms per 1,000
characters); pass it as ``count`` for the embedded model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from smartops import prompts
from smartops.errors import PayloadTooLarge

TokenCounter = Callable[[str], int]
# Chat-template tokens around each message (``<|im_start|>role\n...<|im_end|>\n``) and
# the assistant header that follows the last one.
MESSAGE_OVERHEAD = 6
PROMPT_OVERHEAD = 4
# Kept free on top of the estimate: 10% of the context.
RESERVE = 0.10
MIN_COMPLETION_TOKENS = 64

# Identifiers, hashes, keys and base64: mixed-case or alphanumeric runs cost about one
# token per 1.5 characters, where words cost one per 3.5-4.
_CODE_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{12,}")


class PromptMessage(TypedDict):
    """One message of the OpenAI request sent upstream."""

    role: str
    content: str


@dataclass(frozen=True)
class FittedPrompt:
    messages: list[PromptMessage]
    max_tokens: int
    prompt_tokens: int  # as counted by the counter used (an estimate by default)
    dropped: int  # history messages left out
    notice: str | None  # what to tell the user, when something was left out


def estimate_tokens(text: str) -> int:
    """An estimate of the tokens in ``text`` (see the module docstring)."""
    total = 0.0

    def code_run(match: re.Match[str]) -> str:
        nonlocal total
        run = match.group(0)
        mixed = sum(c.isupper() for c in run[1:]) >= 2
        if mixed or (any(c.isdigit() for c in run) and any(c.isalpha() for c in run)):
            total += 0.8 * len(run)
            return " "
        return run

    rest = _CODE_RUN.sub(code_run, text)  # adds the code runs to ``total``
    return int(total + _weights(rest)) + 1


_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_DIGITS = b"0123456789"
_SPACES = bytes([9, 10, 11, 12, 13, 28, 29, 30, 31, 32])  # what str.isspace() takes
_HIGH = bytes(range(128, 256))
_CYRILLIC_LEAD = bytes(range(0xD0, 0xD4))  # U+0400..U+04FF
_CYRILLIC_D4 = re.compile(rb"\xd4[\x80-\xaf]")  # U+0500..U+052F


def _weights(text: str) -> float:
    """The per-character weights of ``text`` summed, counted on its UTF-8 bytes: ASCII
    letters 0.3, digits 1, spaces 0.25, other ASCII 0.8, Cyrillic 0.9, any other
    character 0.8 per byte."""
    data = text.encode("utf-8", "surrogatepass")
    size = len(data)

    def count(of: bytes) -> int:
        return size - len(data.translate(None, of))

    letters, digits, spaces = count(_LETTERS), count(_DIGITS), count(_SPACES)
    high = count(_HIGH)
    cyrillic = count(_CYRILLIC_LEAD)
    if b"\xd4" in data:
        cyrillic += len(_CYRILLIC_D4.findall(data))
    other_ascii = size - high - letters - digits - spaces
    hundredths = (
        30 * letters
        + 100 * digits
        + 25 * spaces
        + 80 * other_ascii
        + 90 * cyrillic
        + 80 * (high - 2 * cyrillic)
    )
    return hundredths / 100  # summed as integers: no rounding drift on long texts


def count_messages(messages: Sequence[PromptMessage], count: TokenCounter) -> int:
    """The prompt tokens of ``messages`` with the chat template's overhead."""
    return PROMPT_OVERHEAD + sum(count(m["content"]) + MESSAGE_OVERHEAD for m in messages)


def fit_messages(
    messages: Sequence[PromptMessage],
    context_tokens: int,
    max_tokens: int,
    count: TokenCounter = estimate_tokens,
    min_completion_tokens: int = MIN_COMPLETION_TOKENS,
    language: str = "en",
) -> FittedPrompt:
    """Trim the history oldest-first so that prompt + ``max_tokens`` fit the context.

    Raises :class:`PayloadTooLarge` (413, code ``context_length_exceeded``) when the
    system messages and the last user message leave less than ``min_completion_tokens``
    for the answer. The notice is in ``language`` (``en`` or ``ru``).
    """
    budget = int(context_tokens * (1 - RESERVE))
    droppable = _history(messages)
    sizes = [count(m["content"]) + MESSAGE_OVERHEAD for m in messages]
    used = PROMPT_OVERHEAD + sum(sizes)
    dropped: set[int] = set()
    for index in droppable:
        # Stop once it fits, but never let a trimmed history start with an answer.
        answer_first = bool(dropped) and messages[index]["role"] == "assistant"
        if used + max_tokens <= budget and not answer_first:
            break
        dropped.add(index)
        used -= sizes[index]
    room = budget - used
    if room < min(max_tokens, min_completion_tokens):
        raise PayloadTooLarge(_too_long(used, context_tokens), code="context_length_exceeded")
    fitted = [m for i, m in enumerate(messages) if i not in dropped]
    notice = (
        prompts.render("history_trimmed", dropped=len(dropped), language=language)
        if dropped
        else None
    )
    return FittedPrompt(fitted, min(max_tokens, room), used, len(dropped), notice)


def _history(messages: Sequence[PromptMessage]) -> list[int]:
    """Indexes of the messages that may be left out, oldest first: everything before the
    last user message that is not a system message."""
    last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=0)
    return [i for i in range(last_user) if messages[i]["role"] != "system"]


def _too_long(tokens: int, context_tokens: int) -> str:
    return (
        f"The message is too long for the model: about {tokens} tokens with the "
        f"instructions and the retrieved context, and the model reads {context_tokens} "
        "in all, its answer included. Shorten it or split it into several questions."
    )


def gguf_counter(model_path: Path) -> TokenCounter:
    """An exact counter with the vocabulary of a GGUF model (needs llama-cpp-python)."""
    from llama_cpp import Llama  # optional dependency: the ``llm`` extra

    vocab = Llama(model_path=str(model_path), vocab_only=True, verbose=False)

    def count(text: str) -> int:
        data = text.encode("utf-8", "replace")
        return len(vocab.tokenize(data, add_bos=False, special=False))

    return count
