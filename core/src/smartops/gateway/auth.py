"""Who is calling: the optional bearer API key, checked in constant time."""

from __future__ import annotations

import hmac

from smartops.config import Settings
from smartops.errors import AuthenticationError
from smartops.pipeline import Principal

ANONYMOUS = Principal(user="anonymous")


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(settings: Settings, authorization: str | None) -> Principal:
    """The caller's principal; raises AuthenticationError when a key is required and wrong."""
    if settings.api_key is None:
        return ANONYMOUS
    token = bearer_token(authorization)
    if token is None:
        raise AuthenticationError(
            "Missing API key: send 'Authorization: Bearer <key>'.", code="missing_api_key"
        )
    expected = settings.api_key.get_secret_value().encode()
    if not hmac.compare_digest(token.encode(), expected):
        raise AuthenticationError("Incorrect API key provided.")
    return Principal(user=settings.api_key_principal, role="api-key")
