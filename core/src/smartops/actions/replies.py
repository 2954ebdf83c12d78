"""The actions' replies to the user, in their language: refusals, unconnected backends,
confirmations that ran nothing (prompts/action_denied, action_unconnected, action_decision)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from smartops import prompts
from smartops.actions import catalog
from smartops.actions.k8s import LEAD_INS
from smartops.answers.models import Language
from smartops.errors import SmartopsError
from smartops.turn import Principal

# The URL of a page of the project's docs at an anchor (smartops.citations.docs_link):
# the replies' "Details" links. Without one they name the page in plain text.
DocsLink = Callable[[str, str], str]

# What an unconnected backend's error code names.
UNCONNECTED = {
    "kubernetes_not_configured": "Kubernetes",
    "prometheus_not_configured": "Prometheus",
    "alertmanager_not_configured": "Alertmanager",
}


@dataclass(frozen=True)
class Denial:
    """A refusal, worded for the user in their language (prompts/action_denied.j2)."""

    action: catalog.Action
    namespace: str | None
    principal: Principal
    language: Language
    docs: DocsLink | None = None

    def text(self, cause: str, reason: str = "", default_policy: bool = False) -> str:
        return prompts.render(
            "action_denied",
            action=self.action.name,
            write=self.action.kind == "write",
            namespace=self.namespace or "",
            user=self.principal.email or self.principal.user,
            cause=cause,
            reason=reason,
            default_policy=default_policy,
            language=self.language,
            docs=self.docs,
        )


def decision_text(status: str, language: Language, **context: str) -> str:
    values = {"token": "", "action": "", "message": "", **context}
    return prompts.render("action_decision", status=status, language=language, **values)


def failure(
    action: str, exc: SmartopsError, language: Language, docs: DocsLink | None = None
) -> str:
    """An action that did not run: what to connect when its backend is missing."""
    backend = UNCONNECTED.get(exc.code or "")
    if backend:
        return prompts.render(
            "action_unconnected", action=action, backend=backend, language=language, docs=docs
        )
    if language == "ru":
        return f"`{action}` не выполнено: {_russian(exc)}"
    return f"`{action}` did not run: {exc.message}"


# The lead-ins of a cluster's error (smartops.actions.k8s.LEAD_INS) in Russian; what
# follows them is the API server's message, verbatim.
_RU_LEAD_INS = {
    "kubernetes_not_found": "В кластере не найдено",  # noqa: RUF001
    "kubernetes_forbidden": "Кластер отказал",
    "kubernetes_invalid": "Кластер отклонил запрос",
}


def _russian(exc: SmartopsError) -> str:
    code = exc.code or ""
    english = f"{LEAD_INS.get(code)}: "
    if code in _RU_LEAD_INS and exc.message.startswith(english):
        return f"{_RU_LEAD_INS[code]}: {exc.message.removeprefix(english)}"
    return exc.message


def one_line(text: str) -> str:
    """A reply's first paragraph on one line: what the audit record keeps of a refusal."""
    return " ".join(text.split("\n\n", 1)[0].split())
