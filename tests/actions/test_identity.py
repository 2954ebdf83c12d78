"""Who asks: Open WebUI's forwarded user headers count only from a trusted source."""

from __future__ import annotations

from pydantic import SecretStr

from smartops.config import Settings
from smartops.gateway.auth import identify
from smartops.turn import Principal

HEADERS = {
    "x-openwebui-user-email": "alice@example.com",
    "x-openwebui-user-id": "u-1",
    "x-openwebui-user-role": "admin",
}
ALICE = Principal(user="u-1", role="admin", email="alice@example.com")


def test_trusted_proxy_cidr() -> None:
    settings = Settings(actions_trusted_proxies="10.1.0.0/16, 127.0.0.1/32")
    assert identify(settings, HEADERS, "10.1.2.3") == ALICE
    assert identify(settings, HEADERS, "10.2.0.1").user == "anonymous"
    assert identify(settings, HEADERS, None).user == "anonymous"


def test_api_key_can_vouch_when_configured() -> None:
    key = {"authorization": "Bearer s3cret"}
    strict = Settings(api_key=SecretStr("s3cret"))
    assert identify(strict, {**HEADERS, **key}, "10.0.0.1").user == "api-key"
    trusting = strict.with_changes(actions_trust_forwarded_with_api_key=True)
    assert identify(trusting, {**HEADERS, **key}, "10.0.0.1") == ALICE


def test_no_headers_keeps_the_keys_principal_and_bad_values_are_dropped() -> None:
    settings = Settings(actions_trusted_proxies="127.0.0.1/32")
    assert identify(settings, {}, "127.0.0.1").user == "anonymous"
    odd = {"x-openwebui-user-email": "a\x00b", "x-openwebui-user-id": "x" * 300}
    assert identify(settings, odd, "127.0.0.1").user == "anonymous"
