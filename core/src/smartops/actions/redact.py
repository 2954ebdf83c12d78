"""Redaction of action output: the shared pass in ``smartops.redact``, re-exported.

Every rendered result and every audit record goes through it before it reaches the
LLM, the chat or the logs.
"""

from __future__ import annotations

from smartops.redact import MASK, redact, redact_value, secret_key

__all__ = ["MASK", "redact", "redact_value", "secret_key"]
