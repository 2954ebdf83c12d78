"""The one path every action takes: validate, authorize, dry-run, confirm, execute, audit.

Reads run at once when the policy and the cluster (SubjectAccessReview) allow them.
Writes first run as a dry run; the preview and a confirmation token go back to the
user, and the write runs only when that same user confirms, after the rights are
checked once more. Everything shown is redacted; every request leaves an audit record.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

import redis.asyncio as aioredis

from smartops.actions import catalog
from smartops.actions.audit import Audit, Record
from smartops.actions.confirm import Confirmations, pending_text, user_key
from smartops.actions.executors import Executors
from smartops.actions.k8s import Kube
from smartops.actions.logs_search import LogSearch
from smartops.actions.policy import Policy
from smartops.actions.prom import PromClient
from smartops.actions.redact import redact
from smartops.actions.render import Result, audit_text, done, preview, render
from smartops.actions.replies import Denial, DocsLink, decision_text, failure, one_line
from smartops.answers.models import Language
from smartops.config_sections import ActionsSettings
from smartops.errors import ClientError, PermissionDenied, SmartopsError
from smartops.metrics import Metrics
from smartops.turn import Principal

Status = Literal["ok", "pending", "denied", "expired", "cancelled", "error", "unavailable"]


@dataclass(frozen=True)
class Outcome:
    status: Status
    text: str
    action: str = ""
    token: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def kube_user(principal: Principal) -> str:
    return principal.email or principal.user


class ActionService:
    def __init__(
        self,
        settings: ActionsSettings,
        executors: Executors,
        policy: Policy,
        confirmations: Confirmations,
        audit: Audit,
        metrics: Metrics,
        docs: DocsLink | None = None,
    ) -> None:
        self.settings = settings
        self.docs = docs  # where the replies' "Details" links point
        self.executors = executors
        self.policy = policy
        self.confirmations = confirmations
        self.audit = audit
        self.metrics = metrics

    @classmethod
    def build(
        cls,
        settings: ActionsSettings,
        metrics: Metrics,
        redis_client: aioredis.Redis | None,
        docs: DocsLink | None = None,
    ) -> ActionService:
        kube = Kube(settings)
        executors = Executors(kube, PromClient(settings), LogSearch(settings, kube))
        return cls(
            settings,
            executors,
            Policy.load(settings.policy_file),
            Confirmations(redis_client, settings.confirm_ttl_s),
            Audit(redis_client, settings.audit_stream, settings.audit_maxlen),
            metrics,
            docs,
        )

    async def aclose(self) -> None:
        await self.executors.aclose()

    def _render(self, result: Result, language: Language) -> str:
        s = self.settings
        return redact(render(result.blocks, s.max_rows, s.max_log_lines, language))

    async def run(
        self, principal: Principal, name: str, raw_args: dict[str, Any], language: Language = "en"
    ) -> Outcome:
        started = time.perf_counter()
        record = Record.of(principal, name, "", raw_args, decision="invalid", outcome="error")
        try:
            action, args = catalog.validate(name, raw_args)
        except ClientError as exc:
            await self._finish(record, started, error=exc.message)
            raise
        record.kind, record.args = action.kind, args.model_dump()
        denied = await self._authorize(principal, action, args, language)
        if denied:
            record.decision, record.outcome, record.error = "denied", "refused", one_line(denied)
            await self._finish(record, started)
            return Outcome("denied", redact(denied), name)
        if action.kind == "read":
            return await self._read(principal, action, args, record, started, language)
        return await self._dry_run(principal, action, args, record, started, language)

    async def _read(
        self,
        principal: Principal,
        action: catalog.Action,
        args: catalog.Args,
        record: Record,
        started: float,
        language: Language,
    ) -> Outcome:
        record.decision = "allowed"
        try:
            result = await self.executors.read(action, args, kube_user(principal))
        except SmartopsError as exc:
            return await self._failed(record, started, exc, language)
        record.outcome = "ok"
        await self._finish(record, started)
        return Outcome("ok", self._render(result, language), action.name)

    async def _dry_run(
        self,
        principal: Principal,
        action: catalog.Action,
        args: catalog.Args,
        record: Record,
        started: float,
        language: Language,
    ) -> Outcome:
        try:
            result = await self.executors.write(action, args, kube_user(principal), True)
            pending = await self.confirmations.issue(
                user_key(principal.user, principal.email), action.name, args.model_dump()
            )
        except SmartopsError as exc:
            record.decision = "allowed"
            return await self._failed(record, started, exc, language)
        record.decision, record.outcome, record.token = (
            "needs_confirmation",
            "pending",
            pending.token,
        )
        record.dry_run = audit_text(result)
        await self._finish(record, started)
        text = preview(
            action.name,
            result.changes,
            result.summary,
            pending.token,
            self.settings.confirm_ttl_s,
            language,
        )
        return Outcome("pending", redact(text), action.name, pending.token)

    async def decide(
        self, principal: Principal, token: str, confirm: bool, language: Language = "en"
    ) -> Outcome:
        """``confirm <token>`` runs the pending write; ``cancel <token>`` drops it; without
        a token, the user's pending changes are shown (``_pending``) and nothing runs."""
        if not token:
            return await self._pending(principal, not confirm, language)
        started = time.perf_counter()
        try:
            pending = await self.confirmations.claim(
                user_key(principal.user, principal.email), token
            )
        except PermissionDenied as exc:
            record = Record.of(
                principal,
                "",
                "write",
                {},
                decision="denied",
                outcome="refused",
                token=token,
                error=exc.message,
            )
            await self._finish(record, started)
            status = "not_yours" if exc.code == "confirmation_not_yours" else "denied"
            return Outcome("denied", decision_text(status, language, message=exc.message))
        except SmartopsError as exc:
            return Outcome("unavailable", exc.message)
        if pending is None:
            return Outcome("expired", decision_text("expired", language, token=token))
        action, args = catalog.validate(pending.action, pending.args)
        record = Record.of(
            principal,
            action.name,
            action.kind,
            pending.args,
            token=token,
            decision="confirmed" if confirm else "cancelled",
            outcome="ok",
        )
        if not confirm:
            await self._finish(record, started)
            text = decision_text("cancelled", language, action=action.name)
            return Outcome("cancelled", text, action.name)
        denied = await self._authorize(principal, action, args, language)
        if denied:
            record.decision, record.outcome, record.error = "denied", "refused", one_line(denied)
            await self._finish(record, started)
            return Outcome("denied", redact(denied), action.name)
        return await self._execute(principal, action, args, record, started, language)

    async def _pending(self, principal: Principal, cancel: bool, language: Language) -> Outcome:
        """A bare ``confirm``/``cancel``: the user's one pending change and its token, the
        list when several, or that there is none. Nothing runs, nothing is consumed."""
        try:
            pending = await self.confirmations.pending_of(user_key(principal.user, principal.email))
        except SmartopsError as exc:
            return Outcome("unavailable", exc.message)
        text = pending_text(pending, cancel, language)
        if len(pending) == 1:
            return Outcome("pending", redact(text), pending[0].action, pending[0].token)
        return Outcome("pending" if pending else "expired", redact(text))

    async def _execute(
        self,
        principal: Principal,
        action: catalog.Action,
        args: catalog.Args,
        record: Record,
        started: float,
        language: Language,
    ) -> Outcome:
        try:
            result = await self.executors.write(action, args, kube_user(principal), False)
        except SmartopsError as exc:
            return await self._failed(record, started, exc, language)
        record.dry_run = audit_text(result)
        await self._finish(record, started)
        text = done(action.name, result, language)
        extra = self._render(result, language) if result.blocks else ""
        return Outcome("ok", redact(text + ("\n\n" + extra if extra else "")), action.name)

    async def _authorize(
        self,
        principal: Principal,
        action: catalog.Action,
        args: catalog.Args,
        language: Language = "en",
    ) -> str:
        """Empty when allowed; else the reason, for the user and the audit."""
        namespace = catalog.namespace_of(args)
        decision = self.policy.decide(principal, action, namespace)
        denial = Denial(action, namespace, principal, language, self.docs)
        if not decision.allowed:
            return denial.text("policy", default_policy=self.settings.policy_file is None)
        kube = self.executors.kube
        if self.settings.kube_sar and action.permission and kube.configured:
            allowed, reason = await kube.allowed(
                kube_user(principal),
                [],
                action.permission,
                namespace,
                getattr(args, "name", None) if action.kind == "write" else None,
            )
            if not allowed:
                return denial.text("rbac", reason=reason)
        return ""

    async def _failed(
        self, record: Record, started: float, exc: SmartopsError, language: Language = "en"
    ) -> Outcome:
        await self._finish(record, started, error=exc.message)
        status: Status = "error" if isinstance(exc, ClientError) else "unavailable"
        return Outcome(
            status, redact(failure(record.action, exc, language, self.docs)), record.action
        )

    async def _finish(self, record: Record, started: float, error: str = "") -> None:
        if error:
            record.outcome, record.error = "error", error
        record.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        name = record.action if record.action in catalog.ACTIONS else "unknown"
        self.metrics.actions.labels(name, record.decision).inc()
        await self.audit.write(record)
