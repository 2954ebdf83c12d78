"""Mask secret-looking values in action output before it reaches the LLM, the chat or logs.

Applied to every rendered result and to every audit record. It errs on the side of
masking: a masked harmless value costs little, a leaked token costs a lot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "****"

_KEYS = (
    r"pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|auth|credentials?|session[_-]?id|cookie"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private keys, whole block.
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
        ),
        MASK,
    ),
    # JSON Web Tokens.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # Credentials inside URLs / connection strings: scheme://user:password@host
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(@)"), r"\1" + MASK + r"\2"),
    # Authorization headers.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + MASK),
    # Well-known token shapes: AWS, GitHub, Slack, GitLab, Google, Stripe-like.
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), MASK),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"), MASK),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), MASK),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), MASK),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), MASK),
    (re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"), MASK),
    # key=value, key: value, "key": "value" where the key looks secret.
    (
        re.compile(
            rf"(?i)((?:[\w.-]*?(?:{_KEYS})[\w.-]*)[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&}}]{{3,}})"
        ),
        r"\1" + MASK,
    ),
)


def redact(text: str) -> str:
    """The text with every secret-looking value replaced by ``****``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    """Redact strings inside nested dicts and lists (audit records, JSON answers)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: (MASK if secret_key(str(k)) else redact_value(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


_KEY_RE = re.compile(rf"(?i)^[\w.-]*(?:{_KEYS})[\w.-]*$")


def secret_key(key: str) -> bool:
    return bool(_KEY_RE.match(key))
