"""The typed pieces of an investigation: what is asked about, its limits, what was read,
what was found and the report that carries it all (JSON-serialisable, so it can be stored
with an alert document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal[
    "",  # not said: the object is looked up as a pod, then as a workload
    "pod",
    "deployment",
    "statefulset",
    "daemonset",
    "replicaset",
    "job",
    "cronjob",
    "node",
    "service",
    "pvc",
    "hpa",
    "alert",
]
Confidence = Literal["high", "medium", "low"]
CONFIDENCE_SCORE: dict[str, float] = {"high": 0.9, "medium": 0.6, "low": 0.3}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Target(_Frozen):
    """The object asked about. ``kind`` empty: a pod or a workload of that name.
    ``alert`` names the alert that started it; ``labels`` are that alert's labels."""

    kind: Kind = ""
    name: str = ""
    namespace: str = ""
    alert: str = ""
    labels: dict[str, str] = Field(default_factory=dict)

    def describe(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        what = f"{self.kind} " if self.kind and self.kind != "alert" else ""
        if self.name:
            return f"{what}{where}{self.name}"
        return f"alert {self.alert}" if self.alert else "(nothing)"


class Limits(_Frozen):
    """Bounds of one investigation: API calls, bytes read, log tails, and time."""

    max_calls: int = Field(40, ge=1, le=500)
    max_bytes: int = Field(4_000_000, ge=10_000)
    max_pods: int = Field(5, ge=1, le=50)  # pods of a workload looked at closely
    log_pods: int = Field(2, ge=0, le=10)  # of those, whose logs are read
    log_tail: int = Field(200, ge=10, le=2000)  # lines of each log
    log_bytes: int = Field(65_536, ge=1024)  # bytes of each log
    max_refs: int = Field(12, ge=0, le=100)  # ConfigMaps, Secrets, PVCs checked to exist
    quote_lines: int = Field(4, ge=1, le=20)  # evidence lines quoted per finding
    timeout_s: float = Field(2.5, gt=0)  # an answer within 3 s even from a slow API server


class Quote(_Frozen):
    """A line of evidence, redacted, and the kubectl-equivalent of the read it came from."""

    text: str
    source: str


class NextStep(_Frozen):
    """What to do next, as an action of the catalog: a read, or a write that will run as
    a dry run and ask for confirmation."""

    action: str
    args: dict[str, str | int | bool]
    kind: Literal["read", "write"]
    why_key: str = ""  # a message key: why this step (rendered per language)
    params: dict[str, str] = Field(default_factory=dict)
    command: str = ""  # the kubectl-equivalent, for people who would rather type it


class RunbookRef(_Frozen):
    title: str
    source: str
    url: str = ""
    excerpt: str = ""


class Finding(_Frozen):
    """One cause, with its proof. ``cause_key``/``params`` render the sentence per
    language; ``cause`` is that sentence in English (for logs, alert documents, models)."""

    analyzer: str
    subject: str  # "pod shop/cart-6f7d9c-x8k2p", "deployment shop/cart"
    cause_key: str
    params: dict[str, str]
    cause: str
    evidence: list[Quote]
    confidence: Confidence
    score: float = Field(ge=0, le=1)
    runbook_query: str
    runbook: RunbookRef | None = None
    next_step: NextStep | None = None
    affected: list[str] = Field(default_factory=list)  # other objects with the same cause


class Check(_Frozen):
    """Something that was checked and found healthy (rendered per language)."""

    key: str
    params: dict[str, str] = Field(default_factory=dict)


class ReadRecord(_Frozen):
    """One read against the cluster or Prometheus, as kubectl (or PromQL) would say it."""

    command: str
    outcome: Literal["ok", "not_found", "forbidden", "error", "skipped"]
    bytes: int = 0
    ms: float = 0.0
    note: str = ""


class Report(_Frozen):
    target: Target
    resolved: str = ""  # what the target turned out to be: "deployment shop/cart"
    found: bool = True  # the object exists
    candidates: list[str] = Field(default_factory=list)  # when the name is ambiguous
    findings: list[Finding] = Field(default_factory=list)
    healthy: list[Check] = Field(default_factory=list)
    reads: list[ReadRecord] = Field(default_factory=list)
    limited: list[str] = Field(default_factory=list)  # what the bounds cut
    elapsed_ms: float = 0.0
    analyzers: list[str] = Field(default_factory=list)  # every analyzer that ran

    @property
    def top(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def with_runbooks(self, runbooks: dict[str, RunbookRef]) -> Report:
        """The report with each finding's runbook, resolved by the caller from
        ``runbook_query`` (a mapping from the query to the section retrieval found)."""
        findings = [
            f.model_copy(update={"runbook": runbooks.get(f.runbook_query, f.runbook)})
            for f in self.findings
        ]
        return self.model_copy(update={"findings": findings})
