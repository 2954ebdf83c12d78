"""Containers the kubelet cannot create: images it cannot pull (a tag that does not exist,
a missing pull secret, a registry that refuses), and configuration it cannot find
(a missing ConfigMap or Secret, or a missing key in one)."""

from __future__ import annotations

import re

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Quote

_AUTH = re.compile(
    r"401|403|unauthorized|authentication required|authorization failed|"
    r"insufficient_scope|access denied|denied:|no basic auth credentials",
    re.I,
)
_NOT_FOUND = re.compile(r"not found|manifest unknown|does not exist|NotFound", re.I)
_UNREACHABLE = re.compile(
    r"no such host|i/o timeout|connection refused|TLS handshake timeout|"
    r"network is unreachable",
    re.I,
)


def image_pull(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        for init in (True, False):
            for cs in v.statuses(pod, init=init):
                kind, now = v.state(cs)
                if kind != "waiting" or now.get("reason") not in (
                    "ErrImagePull",
                    "ImagePullBackOff",
                    "InvalidImageName",
                ):
                    continue
                found.append(_pull_draft(ev, pod, cs, now, init))
    return found


def _pull_draft(ev: Evidence, pod: Json, cs: Json, now: Json, init: bool) -> b.Draft:
    cname = str(cs.get("name", ""))
    image = str(v.container(pod, cname).get("image") or cs.get("image", ""))
    failed = b.find_events(ev, v.name(pod), ("Failed",), r"pull|image")
    no_secret = b.find_events(ev, v.name(pod), ("FailedToRetrieveImagePullSecret",))
    missing = [
        n
        for (k, n), ok in ev.refs.items()
        if k == "Secret"
        and not ok
        and n in {s.get("name") for s in v.spec(pod).get("imagePullSecrets") or []}
    ]
    text = " ".join([str(now.get("message", ""))] + [str(e.get("message", "")) for e in failed])
    evidence = [b.state_quote(ev, pod, cs, init=init)]
    evidence += [b.event_quote(ev, e) for e in (failed[:1] + no_secret[:1])]
    if now.get("reason") == "InvalidImageName":
        key = "image_invalid"
    elif missing or no_secret:
        key = "image_secret_missing"
        for name in missing:
            evidence.append(
                b.quote(
                    f'Error from server (NotFound): secrets "{name}" not found',
                    f"kubectl get secret {name} -n {ev.namespace} -o name",
                )
            )
    elif _AUTH.search(text):
        key = "image_auth"
    elif _NOT_FOUND.search(text):
        key = "image_not_found"
    elif _UNREACHABLE.search(text):
        key = "image_unreachable"
    else:
        key = "image_pull_other"
    params = {"container": cname, "image": image, "secret": ", ".join(missing)}
    step = (
        b.step_events(ev)
        if key in ("image_auth", "image_secret_missing")
        else (b.step_undo_or(ev, b.step_events(ev)))
    )
    return b.Draft(b.subject_of(ev, pod), key, params, evidence, "high", step)


_MISSING_OBJECT = re.compile(r'(configmap|secret)s? "([^"]+)" not found', re.I)
_MISSING_KEY = re.compile(r"couldn't find key (\S+) in (ConfigMap|Secret) ([\w.-]+)/([\w.-]+)")


def config_error(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        for init in (True, False):
            for cs in v.statuses(pod, init=init):
                kind, now = v.state(cs)
                if kind == "waiting" and now.get("reason") in (
                    "CreateContainerConfigError",
                    "CreateContainerError",
                ):
                    found.append(
                        _config_draft(
                            ev,
                            pod,
                            [b.state_quote(ev, pod, cs, init=init)],
                            str(now.get("message", "")),
                            str(cs.get("name")),
                        )
                    )
        for event in b.find_events(ev, v.name(pod), ("FailedMount",), _MISSING_OBJECT.pattern):
            found.append(
                _config_draft(
                    ev, pod, [b.event_quote(ev, event)], str(event.get("message", "")), ""
                )
            )
    return found[:4]


def _config_draft(
    ev: Evidence, pod: Json, evidence: list[Quote], message: str, cname: str
) -> b.Draft:
    params = {"container": cname, "kind": "", "what": "", "key": "", "message": message}
    key_match, obj_match = _MISSING_KEY.search(message), _MISSING_OBJECT.search(message)
    if key_match:
        key = "config_missing_key"
        params.update(key=key_match.group(1), kind=key_match.group(2), what=key_match.group(4))
    elif obj_match:
        key = "config_missing_object"
        params.update(
            kind="ConfigMap" if obj_match.group(1).lower() == "configmap" else "Secret",
            what=obj_match.group(2),
        )
        if ev.refs.get((params["kind"], params["what"])) is False:
            kind, what = params["kind"].lower(), params["what"]
            evidence.append(
                b.quote(
                    f'Error from server (NotFound): {kind}s "{what}" not found',
                    f"kubectl get {kind} {what} -n {ev.namespace} -o name",
                )
            )
    else:
        key = "config_other"
    for event in b.find_events(ev, v.name(pod), ("Failed",), r"^Error: (?!.*pull)")[:1]:
        evidence.append(b.event_quote(ev, event))
    step = b.step_undo_or(ev, b.step_describe(ev, pod))
    return b.Draft(b.subject_of(ev, pod), key, params, evidence, "high", step)
