"""Alert documents: the facts of an alerting rule, and whether a question is about one.

An alert document is the text ``knowledge.alert_rules.alert_text`` writes::

    Alert KubePodCrashLooping (group kubernetes-apps, severity warning, for 15m)
    Summary: Pod is crash looping.
    Description: ...
    Expression: max_over_time(...[5m]) >= 1
    Runbook: https://runbooks.prometheus-operator.dev/...
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from smartops.answers.models import AlertFacts, Evidence

_HEAD = re.compile(r"^Alert\s+(\S+)\s*\((.*)\)\s*$")
_FIELD = re.compile(r"^(Summary|Description|Expression|Runbook):\s?(.*)$")
_COMPARISON = re.compile(
    r"(?<![=!<>])(>=|<=|==|!=|>|<)\s*(?:bool\s+)?(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?![\w.])"
)
_WINDOW = re.compile(r"\[(\d+[smhdw])\]")
_ALERT_WORDS = re.compile(
    r"\b(alert|alerts|alerting|fire|fires|firing|fired|threshold|severity|expression|expr|"
    r"rule|promql|trigger|triggers|triggered)\b|алерт|оповещени|порог|сработ|срабатыва|"
    r"правил|выражени|критичност",
    re.I,
)


def alert_facts(evidence: Evidence, index: int = 0) -> AlertFacts | None:
    """The facts of an alert document, or None when the text is not one."""
    lines = evidence.text.splitlines()
    head = _HEAD.match(lines[0].strip()) if lines else None
    if head is None:
        return None
    facts: dict[str, str] = {}
    for part in head.group(2).split(","):
        key, _, value = part.strip().partition(" ")
        facts[key] = value.strip()
    fields: dict[str, list[str]] = {}
    current = ""
    for line in lines[1:]:
        match = _FIELD.match(line)
        if match:
            current = match.group(1)
            fields[current] = [match.group(2)]
        elif current:
            fields[current].append(line)
    expr = "\n".join(fields.get("Expression", [])).strip()
    return AlertFacts(
        name=head.group(1),
        expr=expr,
        for_=facts.get("for", ""),
        severity=facts.get("severity", ""),
        group=facts.get("group", ""),
        summary=" ".join(fields.get("Summary", [])).strip(),
        description=" ".join(fields.get("Description", [])).strip(),
        runbook_url=" ".join(fields.get("Runbook", [])).strip() or evidence.url,
        thresholds=thresholds(expr),
        evidence=index,
    )


def thresholds(expr: str) -> tuple[str, ...]:
    """The comparisons with a number (``> 0.9``, ``>= 1``) and the range windows (``5m``)."""
    code = "\n".join(line.split("#", 1)[0] for line in expr.splitlines())
    found = [f"{op} {value}" for op, value in _COMPARISON.findall(code)]
    found += [f"[{w}]" for w in _WINDOW.findall(code)]
    return tuple(dict.fromkeys(found))


def is_alert_question(question: str) -> bool:
    """A question about an alert: alert words, or a CamelCase name (an alert's name)."""
    return bool(_ALERT_WORDS.search(question))


def alert_for(
    question: str, evidence: Sequence[Evidence], ranked: Sequence[int]
) -> AlertFacts | None:
    """The alert rule the question is about: one named in it, else the best-ranked alert
    document when the question asks about alerts; None when neither."""
    lowered = question.lower()
    candidates = [
        (i, facts)
        for i in ranked
        if evidence[i].kind == "alert_rule" and (facts := alert_facts(evidence[i], i))
    ]
    for _, facts in candidates:
        if facts.name.lower() in lowered:
            return facts
    if candidates and is_alert_question(question):
        i, facts = candidates[0]
        return facts if ranked and i in ranked[:3] else None
    return None


def other_rules(
    question: str, evidence: Sequence[Evidence], alert: AlertFacts | None
) -> frozenset[int]:
    """The evidence of the other alert rules when the question names ``alert``'s: their
    descriptions are no answer about it; none when the question names no rule."""
    if alert is None or alert.name.lower() not in question.lower():
        return frozenset()
    return frozenset(
        i for i, e in enumerate(evidence) if e.kind == "alert_rule" and i != alert.evidence
    )
