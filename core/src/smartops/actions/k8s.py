"""Kubernetes through the official ``kubernetes`` client (never kubectl).

One ``Kube`` per process wraps an ``ApiClient`` built from a kubeconfig file or the
in-cluster service account. Calls are synchronous in the client, so they run in a
worker thread; answers are kept as plain JSON (``_preload_content=False``). Every call
can carry impersonation headers for the asking user. Errors map to ``smartops.errors``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from smartops.actions.catalog import Permission
from smartops.config_sections import ActionsSettings
from smartops.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    SmartopsError,
    UpstreamError,
    UpstreamUnavailable,
)

log = logging.getLogger(__name__)
Json = dict[str, Any]


def _api_client(settings: ActionsSettings) -> Any | None:
    """An ApiClient from the configured kubeconfig, else in-cluster, else None."""
    try:
        from kubernetes import client, config
    except ImportError:
        log.warning("the kubernetes client is not installed (smartops[k8s]): no k8s actions")
        return None

    if settings.kubeconfig:
        return config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(settings.kubeconfig),
            context=settings.kube_context or None,
        )
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        configuration = client.Configuration()
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        return client.ApiClient(configuration)
    return None


class Kube:
    """The cluster, as the actions see it."""

    def __init__(self, settings: ActionsSettings, api_client: Any | None = None) -> None:
        self.settings = settings
        self.api = api_client if api_client is not None else _api_client(settings)
        self.timeout = (settings.timeout_s, settings.timeout_s)

    @property
    def configured(self) -> bool:
        return self.api is not None

    def close(self) -> None:
        if self.api is not None:
            self.api.close()

    def core(self) -> Any:
        api = self._require()
        from kubernetes import client

        return client.CoreV1Api(api)

    def apps(self) -> Any:
        api = self._require()
        from kubernetes import client

        return client.AppsV1Api(api)

    def custom(self) -> Any:
        api = self._require()
        from kubernetes import client

        return client.CustomObjectsApi(api)

    def _require(self) -> Any:
        if self.api is None:
            raise UpstreamUnavailable(
                "Kubernetes is not configured: set SMARTOPS_ACTIONS_KUBECONFIG or run in a "
                "cluster.",
                code="kubernetes_not_configured",
            )
        return self.api

    async def call(
        self,
        method: Callable[..., Any],
        *args: Any,
        user: str = "",
        raw: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Run one client method in a thread; JSON (or text when ``raw``) back."""
        kwargs["_preload_content"] = False
        kwargs["_request_timeout"] = self.timeout
        if user and self.settings.kube_impersonate:
            kwargs["_headers"] = {"Impersonate-User": user}
        response = await asyncio.to_thread(_invoke, method, args, kwargs)
        text = response.data.decode("utf-8", "replace")
        return text if raw else json.loads(text or "{}")

    async def allowed(
        self,
        user: str,
        groups: list[str],
        permission: Permission,
        namespace: str | None,
        name: str | None,
    ) -> tuple[bool, str]:
        """A SubjectAccessReview: may this user do this in the cluster?"""
        from kubernetes import client

        attributes: Json = {
            "verb": permission.verb,
            "resource": permission.resource,
            "group": permission.group,
            "subresource": permission.subresource,
        }
        if namespace:
            attributes["namespace"] = namespace
        if name:
            attributes["name"] = name
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {"user": user, "groups": groups, "resourceAttributes": attributes},
        }
        api = client.AuthorizationV1Api(self._require())  # configured: client importable
        review = await self.call(api.create_subject_access_review, body)
        status = review.get("status") or {}
        return bool(status.get("allowed")), str(status.get("reason") or "")


def _invoke(method: Callable[..., Any], args: tuple[Any, ...], kwargs: Json) -> Any:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        return method(*args, **kwargs)
    except ApiException as exc:
        raise _api_error(exc) from None
    except HTTPError as exc:
        raise UpstreamUnavailable(
            f"The Kubernetes API cannot be reached ({type(exc).__name__}).",
            code="kubernetes_unavailable",
        ) from None


def _api_error(exc: Any) -> SmartopsError:
    message = str(exc.reason or "")
    with contextlib.suppress(ValueError, AttributeError):
        message = json.loads(exc.body or "{}").get("message") or message
    status = int(exc.status or 0)
    if status == 404:
        return NotFound(_lead("kubernetes_not_found", message), code="kubernetes_not_found")
    if status in (401, 403):
        return PermissionDenied(_lead("kubernetes_forbidden", message), code="kubernetes_forbidden")
    if status in (400, 409, 422):
        return InvalidRequest(_lead("kubernetes_invalid", message), code="kubernetes_invalid")
    return UpstreamError(f"The Kubernetes API answered {status}: {message}")


# The actions' words before the API server's own message, by error code (replies.py has
# them in Russian).
LEAD_INS = {
    "kubernetes_not_found": "Not found in the cluster",
    "kubernetes_forbidden": "The cluster refused",
    "kubernetes_invalid": "The cluster rejected it",
}


def _lead(code: str, message: str) -> str:
    return f"{LEAD_INS[code]}: {message}"
