"""The router: the first step of a turn, one typed ``RouteDecision`` per user message.

It reads only the user's own message (``question``) and its query embedding
(``vector``, the one retrieval uses anyway), never retrieved docs, alert annotations or
tool output. ``history`` holds the user's earlier messages; it is used for one thing
only, a namespace the message points back to ("show me warning events there"), and
never decides the route.

Order of the checks:

1. ``confirm``/``cancel`` (with or without a token) are decided by the grammar; a long
   message or one of several lines (pasted runbooks, alerts, logs) is ``knowledge``,
   never a command, and carries no suggestion.
2. ``kubectl ...`` typed as a command maps onto the catalog directly.
3. Otherwise the classifier (``classifier.py``: logistic regression over the embedding
   and the grammar features, trained on ``exemplars.yaml`` at startup) gives the
   probabilities of knowledge / live_read / write / investigate. An action needs its
   probability above its threshold and the grammar to find the action and its
   arguments; a write needs a higher threshold and an explicit write verb. A request
   that is clear but misses a required argument is ``clarify``.
4. Anything uncertain is ``knowledge``; when it looked a little like a request, the
   decision carries the command the user could send (``suggestion``). A write is never
   inferred from an uncertain decision.
"""

# ruff: noqa: RUF001  (the Russian phrasings are Cyrillic on purpose)
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from smartops.actions import catalog
from smartops.actions.intent import extract, is_long
from smartops.actions.intent_kubectl import parse_kubectl
from smartops.actions.intent_types import Ask, Intent
from smartops.actions.intent_words import namespace
from smartops.errors import SmartopsError
from smartops.routing import exemplars as exemplar_data
from smartops.routing import store
from smartops.routing.classifier import Classifier, KnnClassifier, SoftmaxClassifier
from smartops.routing.features import features, names
from smartops.routing.normalize import normalize
from smartops.routing.suggest import command
from smartops.routing.targets import target
from smartops.routing.types import LEARNED, RouteDecision

Method = Literal["logreg", "embedding", "grammar", "knn"]
Embed = Callable[[Sequence[str]], np.ndarray]
EMBEDDING_SCALE = 3.0
# Features that point at something in this cluster; a how-to question without any is
# never an action or an investigation, whatever the classifier says.
CONCRETE = frozenset({"ns_phrase", "named_object", "hash_pod", "in_name", "now"})

_DECISION = re.compile(
    r"^\s*(?:i\s+)?(confirm(?:ed)?|yes|да|подтверждаю|подтвердить|подтверди|cancel|abort|"
    r"отмена|отменить|отмени)(?:\s+(?:that|it|this|это))?\s*(?:`?([0-9a-f]{12})`?)?\s*[.!]?\s*$",
    re.I,
)
_CANCEL = ("cancel", "abort", "отмена", "отменить", "отмени")
_THERE = re.compile(r"\bthere\b|\bтам\b", re.I)


@dataclass(frozen=True)
class Thresholds:
    """Probabilities a route needs (tuned on the dev split only)."""

    live_read: float = 0.5
    write: float = 0.7
    investigate: float = 0.5
    suggest: float = 0.25


class Router:
    def __init__(
        self,
        classifier: Classifier,
        grammar: Classifier,
        thresholds: Thresholds | None = None,
        method: Method = "logreg",
    ) -> None:
        self.classifier = classifier
        self.grammar = grammar
        self.thresholds = thresholds or Thresholds()
        self.method = method

    @classmethod
    def train(
        cls,
        vectors: np.ndarray | None,
        examples: Sequence[exemplar_data.Exemplar] | None = None,
        method: Method = "logreg",
        thresholds: Thresholds | None = None,
    ) -> Router:
        """A router trained on ``examples`` (the packaged exemplars by default), whose
        query vectors are ``vectors`` (rows in the same order; None: grammar only)."""
        rows = list(examples) if examples is not None else exemplar_data.load()
        labels = [e.route for e in rows]
        grammar_x = np.stack([features(normalize(e.text)) for e in rows])
        grammar = SoftmaxClassifier.fit(grammar_x, labels, LEARNED)
        if vectors is None or method == "grammar":
            return cls(grammar, grammar, thresholds, "grammar")
        if method == "knn":
            return cls(KnnClassifier(vectors, labels, LEARNED), grammar, thresholds, method)
        x = vectors * EMBEDDING_SCALE
        if method == "logreg":
            x = np.hstack([x, grammar_x])
        return cls(SoftmaxClassifier.fit(x, labels, LEARNED), grammar, thresholds, method)

    @classmethod
    def build(
        cls,
        embed: Embed | None,
        method: Method = "logreg",
        thresholds: Thresholds | None = None,
        cache_dir: Path | None = None,
        signature: str = "",
    ) -> Router:
        """Embed the packaged exemplars with ``embed`` (``Embedder.embed_batch``) and
        train. ``cache_dir`` and ``signature`` (``Embedder.signature``) keep the
        exemplars' vectors and the trained weights between starts (``store.py``): an
        unchanged start neither embeds nor trains. Without ``embed``: grammar alone."""
        rows = exemplar_data.load()
        kept = None
        if embed is not None and cache_dir is not None and method in ("logreg", "embedding"):
            kept = store.path(cache_dir, rows, signature, method, EMBEDDING_SCALE)
            found = store.load(kept)
            if found is not None:
                return cls(found[0], found[1], thresholds, method)
        texts = [e.text for e in rows]
        vectors = (
            exemplar_data.vectors(texts, embed, cache_dir, signature) if embed is not None else None
        )
        router = cls.train(vectors, rows, method, thresholds)
        if kept is not None:
            assert isinstance(router.classifier, SoftmaxClassifier)
            assert isinstance(router.grammar, SoftmaxClassifier)
            store.save(kept, router.classifier, router.grammar)
        return router

    def scores(
        self, text: str, vector: np.ndarray | None, grammar_row: np.ndarray | None = None
    ) -> dict[str, float]:
        """Probabilities of the learned routes for a (normalized) message."""
        if grammar_row is None:
            grammar_row = features(text)
        if vector is None or self.method == "grammar":
            probs = self.grammar.predict(grammar_row)
        elif self.method == "knn":
            probs = self.classifier.predict(vector)
        elif self.method == "embedding":
            probs = self.classifier.predict(vector * EMBEDDING_SCALE)
        else:
            probs = self.classifier.predict(np.concatenate([vector * EMBEDDING_SCALE, grammar_row]))
        return {c: float(p) for c, p in zip(self.classifier.classes, probs, strict=True)}

    def decide(
        self, question: str, vector: np.ndarray | None = None, history: Sequence[str] = ()
    ) -> RouteDecision:
        """The route of the user's own message ``question`` (see the module docstring)."""
        decision = _DECISION.match(question)
        if decision and (decision.group(2) or decision.group(1).lower() not in ("yes", "да")):
            token = decision.group(2).lower() if decision.group(2) else None
            cancel = decision.group(1).lower() in _CANCEL
            return RouteDecision("cancel" if cancel else "confirm", token=token, reason="decision")
        if is_long(question) or "\n" in question.strip():
            return RouteDecision("knowledge", reason="long or pasted text: never a command")
        text = normalize(question)
        if text.lower().startswith("kubectl ") and "?" not in text:
            return _kubectl(text)
        row = features(text)
        return self._learned(text, self.scores(text, vector, row), names(row), history)

    def _learned(
        self, text: str, scores: dict[str, float], flags: list[str], history: Sequence[str]
    ) -> RouteDecision:
        best = max(scores, key=lambda c: scores[c])
        p, t = scores[best], self.thresholds
        why = f"{best} {p:.2f} [{', '.join(flags)}]"
        if "howto" in flags and not CONCRETE.intersection(flags):
            best, why = "knowledge", f"how-to question about nothing in particular; {why}"
        if best == "write" and p >= t.write and "write_verb" in flags:
            return _action(extract(text, "write"), p, why, scores)
        if best == "live_read" and p >= t.live_read:
            found = extract(text, "read")
            if isinstance(found, Intent) and _THERE.search(text):
                found = _namespace_from(found, history)
            if found is not None:
                return _action(found, p, why, scores)
        if best == "investigate" and p >= t.investigate:
            aim = target(text)
            if not aim.empty:
                return RouteDecision("investigate", None, p, why, target=aim, scores=scores)
        return RouteDecision(
            "knowledge",
            confidence=scores["knowledge"],
            reason=why,
            suggestion=self._suggestion(text, scores, "write_verb" in flags),
            scores=scores,
        )

    def _suggestion(self, text: str, scores: dict[str, float], verb: bool) -> str | None:
        kind = "write" if scores["write"] > scores["live_read"] else "live_read"
        if scores[kind] < self.thresholds.suggest:
            return None
        if kind == "write" and not verb:
            return None
        found = extract(text, "write" if kind == "write" else "read")
        if isinstance(found, Intent):
            return command(found)
        if isinstance(found, Ask) and found.examples:
            return found.examples[0]
        return None


def _kubectl(text: str) -> RouteDecision:
    found = parse_kubectl(text)
    if found is None:
        return RouteDecision("knowledge", reason="kubectl command outside the catalog")
    return _action(found, 1.0, "kubectl command", {})


def _action(
    found: Intent | Ask | None, p: float, why: str, scores: dict[str, float]
) -> RouteDecision:
    if found is None:
        return RouteDecision("knowledge", confidence=p, reason=why, scores=scores)
    if isinstance(found, Ask):
        return RouteDecision("clarify", None, p, why, ask=found)
    try:
        action, _ = catalog.validate(found.action, found.args)
    except SmartopsError as exc:
        return RouteDecision("clarify", None, p, why, ask=_invalid(found, exc), scores=scores)
    if action.kind == "write":
        return RouteDecision("write", found, p, why, scores=scores)
    return RouteDecision("live_read", found, p, why, scores=scores)


def _invalid(found: Intent, exc: SmartopsError) -> Ask:
    """Arguments the catalog refuses, asked back: the English text is the error's own."""
    detail = exc.message.removeprefix(f"Invalid arguments for {found.action}: ")
    if exc.param:
        detail = detail.removesuffix(f" ({exc.param})")
    params = {"message": exc.message, "action": found.action, "param": exc.param or ""}
    return Ask("invalid_args", [], {**params, "detail": detail})


def _namespace_from(intent: Intent, history: Sequence[str]) -> Intent:
    """A read that points back ("show me warning events there") gets the namespace of
    the user's latest earlier message that names one."""
    fields = catalog.get(intent.action).args.model_fields
    if "namespace" not in fields or intent.args.get("namespace"):
        return intent
    for earlier in reversed(history):
        ns = namespace(normalize(earlier).lower())
        if ns:
            return Intent(intent.action, {**intent.args, "namespace": ns}, intent.source)
    return intent
