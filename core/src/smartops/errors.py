"""The one error hierarchy of smartops. Each edge (gateway, functions, CLI) maps it once.

    SmartopsError                      base; never raised itself
    ├── ClientError                    the caller's fault: 4xx
    │   ├── InvalidRequest             malformed or invalid input (400)
    │   ├── AuthenticationError        missing or wrong credentials (401)
    │   ├── PermissionDenied           authenticated, not allowed (403)
    │   ├── NotFound                   unknown model, route or object (404)
│   ├── MethodNotAllowed           wrong HTTP method for a route (405)
    │   ├── PayloadTooLarge            body or message over its limit (413)
    │   └── RateLimited                too many requests (429)
    └── ServerError                    our side or a backend: 5xx
        ├── UpstreamError              a backend answered with an error (502)
        ├── UpstreamUnavailable        a backend cannot be reached (503)
        │   └── UpstreamTimeout        a backend did not answer in time (504)
        ├── InternalError              a bug; the message shown is generic (500)
        └── ConfigurationError         refuses to start as configured (startup only)

Every error carries an OpenAI-style ``type`` and ``code`` so that the gateway can
answer ``{"error": {"message", "type", "code"}}`` without knowing each class.
"""

from __future__ import annotations

from typing import ClassVar


class SmartopsError(Exception):
    """Base of every smartops error."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "server_error"
    default_code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.param = param

    def to_body(self) -> dict[str, object]:
        """The OpenAI error body for this error."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "code": self.code,
                "param": self.param,
            }
        }


class ClientError(SmartopsError):
    status = 400
    type = "invalid_request_error"
    default_code = "invalid_request"


class InvalidRequest(ClientError):
    pass


class AuthenticationError(ClientError):
    status = 401
    type = "authentication_error"
    default_code = "invalid_api_key"


class PermissionDenied(ClientError):
    status = 403
    type = "permission_error"
    default_code = "forbidden"


class NotFound(ClientError):
    status = 404
    default_code = "not_found"


class MethodNotAllowed(ClientError):
    status = 405
    default_code = "method_not_allowed"


class PayloadTooLarge(ClientError):
    status = 413
    default_code = "payload_too_large"


class RateLimited(ClientError):
    status = 429
    type = "rate_limit_error"
    default_code = "rate_limited"


class ServerError(SmartopsError):
    pass


class UpstreamError(ServerError):
    status = 502
    type = "upstream_error"
    default_code = "upstream_error"


class UpstreamUnavailable(ServerError):
    status = 503
    type = "service_unavailable"
    default_code = "upstream_unavailable"


class UpstreamTimeout(UpstreamUnavailable):
    status = 504
    default_code = "upstream_timeout"


class InternalError(ServerError):
    pass


class ConfigurationError(ServerError):
    """A process that must not start as configured (raised at startup, never per request)."""

    default_code = "configuration_error"
