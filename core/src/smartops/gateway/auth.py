"""Who is calling: the optional bearer API key (constant time), and forwarded users."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Mapping

from smartops.config import Settings
from smartops.errors import AuthenticationError
from smartops.turn import Principal

log = logging.getLogger(__name__)
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


# Actions: the end user behind Open WebUI, from its forwarded headers
# (ENABLE_FORWARD_USER_INFO_HEADERS=true), trusted only from a configured source.
FORWARDED_ID = "x-openwebui-user-id"
FORWARDED_EMAIL = "x-openwebui-user-email"
FORWARDED_ROLE = "x-openwebui-user-role"
_MAX_HEADER = 256


def identify(settings: Settings, headers: Mapping[str, str], client_host: str | None) -> Principal:
    """The API key's principal, or the forwarded Open WebUI user when the source is trusted."""
    principal = authenticate(settings, headers.get("authorization"))
    forwarded = _forwarded(headers)
    if forwarded is None:
        return principal
    if not _trusted(settings, principal, client_host):
        log.warning(
            "forwarded user headers ignored: untrusted source", extra={"client": client_host}
        )
        return principal
    return forwarded


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return value if len(value) <= _MAX_HEADER and value.isprintable() else ""


def _forwarded(headers: Mapping[str, str]) -> Principal | None:
    user_id, email = _clean(headers.get(FORWARDED_ID)), _clean(headers.get(FORWARDED_EMAIL))
    if not user_id and not email:
        return None
    role = _clean(headers.get(FORWARDED_ROLE)) or "user"
    return Principal(user=user_id or email, role=role, email=email)


def _trusted(settings: Settings, principal: Principal, client_host: str | None) -> bool:
    key_ok = settings.api_key is not None and principal.role == "api-key"  # key was checked
    if settings.actions.trust_forwarded_with_api_key and key_ok:
        return True
    if not client_host or not settings.actions.trusted_proxies:
        return False
    try:
        address = ipaddress.ip_address(client_host)
    except ValueError:
        return False
    for cidr in settings.actions.trusted_proxies.split(","):
        try:
            if cidr.strip() and address in ipaddress.ip_network(cidr.strip(), strict=False):
                return True
        except ValueError:
            log.warning("invalid CIDR in SMARTOPS_ACTIONS_TRUSTED_PROXIES", extra={"cidr": cidr})
    return False
