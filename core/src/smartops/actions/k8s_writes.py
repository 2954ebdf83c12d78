"""Kubernetes write actions, each runnable as a server-side dry run (``dryRun=All``).

A write first runs with ``dry_run=True``: the API server validates and admits the change
without storing it, and the result shows exactly which fields change. Only after the
user confirms does the same function run again for real.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smartops.actions import catalog as c
from smartops.actions.k8s import Json, Kube
from smartops.actions.render import Change, Phrase, Result
from smartops.errors import InvalidRequest

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"
MERGE_PATCH = "application/merge-patch+json"


def _dry(dry_run: bool) -> dict[str, Any]:
    return {"dry_run": "All"} if dry_run else {}


def _annotations(template: Json) -> Json:
    return dict((template.get("metadata") or {}).get("annotations") or {})


async def rollout_restart(kube: Kube, args: c.DeploymentArgs, user: str, dry_run: bool) -> Result:
    apps = kube.apps()
    current = await kube.call(apps.read_namespaced_deployment, args.name, args.namespace, user=user)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
    after = await kube.call(
        apps.patch_namespaced_deployment,
        args.name,
        args.namespace,
        patch,
        user=user,
        **_dry(dry_run),
    )
    name = f"{args.namespace}/{args.name}"
    target = f"deployment {name}"
    restarted = _annotations(current["spec"]["template"]).get(RESTARTED_AT)
    before_value = Phrase("never") if restarted is None else str(restarted)
    after_value = _annotations(after["spec"]["template"]).get(RESTARTED_AT, "")
    replicas = (after.get("spec") or {}).get("replicas", 0)
    return Result(
        changes=[Change(target, f"template annotation {RESTARTED_AT}", before_value, after_value)],
        summary=Phrase("restart_summary", {"deployment": name, "replicas": replicas}),
    )


async def scale(kube: Kube, args: c.ScaleArgs, user: str, dry_run: bool) -> Result:
    apps = kube.apps()
    current = await kube.call(apps.read_namespaced_deployment, args.name, args.namespace, user=user)
    patch = {"spec": {"replicas": args.replicas}}
    after = await kube.call(
        apps.patch_namespaced_deployment_scale,
        args.name,
        args.namespace,
        patch,
        user=user,
        **_dry(dry_run),
    )
    name = f"{args.namespace}/{args.name}"
    target = f"deployment {name}"
    before = (current.get("spec") or {}).get("replicas", 0)
    now = (after.get("spec") or {}).get("replicas", args.replicas)
    return Result(
        changes=[Change(target, "spec.replicas", str(before), str(now))],
        summary=Phrase("scale_summary", {"deployment": name, "before": before, "now": now}),
    )


async def cordon(kube: Kube, args: c.NodeArgs, user: str, dry_run: bool) -> Result:
    core = kube.core()
    current = await kube.call(core.read_node, args.name, user=user)
    after = await kube.call(
        core.patch_node, args.name, {"spec": {"unschedulable": True}}, user=user, **_dry(dry_run)
    )
    before = bool((current.get("spec") or {}).get("unschedulable", False))
    now = bool((after.get("spec") or {}).get("unschedulable", False))
    return Result(
        changes=[
            Change(f"node {args.name}", "spec.unschedulable", str(before).lower(), str(now).lower())
        ],
        summary=Phrase("cordon_summary", {"node": args.name}),
    )


async def rollout_undo(kube: Kube, args: c.UndoArgs, user: str, dry_run: bool) -> Result:
    apps = kube.apps()
    deployment = await kube.call(
        apps.read_namespaced_deployment, args.name, args.namespace, user=user
    )
    current_rev = int(_meta(deployment).get("annotations", {}).get(REVISION, "0") or 0)
    history = await _revisions(kube, deployment, args.namespace, user)
    target_rev = args.to_revision or max((r for r in history if r < current_rev), default=0)
    if target_rev not in history or target_rev == current_rev:
        known = ", ".join(str(r) for r in sorted(history)) or "none"
        raise InvalidRequest(
            f"No revision to roll back to for deployment {args.namespace}/{args.name} "
            f"(current {current_rev}; known revisions: {known}).",
            code="no_rollback_revision",
        )
    old_template = deployment["spec"]["template"]
    new_template = _clean_template(history[target_rev])
    patch = {"spec": {"template": merge_patch(old_template, new_template)}}
    await kube.call(
        apps.patch_namespaced_deployment,
        args.name,
        args.namespace,
        patch,
        user=user,
        _content_type=MERGE_PATCH,
        **_dry(dry_run),
    )
    name = f"{args.namespace}/{args.name}"
    target = f"deployment {name}"
    after = Phrase("new_revision", {"revision": target_rev})
    changes = [Change(target, "revision", str(current_rev), after)]
    changes += _image_changes(target, old_template, new_template)
    summary = Phrase("undo_summary", {"deployment": name, "revision": target_rev})
    return Result(changes=changes, summary=summary)


def _meta(obj: Json) -> Json:
    return dict(obj.get("metadata") or {})


async def _revisions(kube: Kube, deployment: Json, namespace: str, user: str) -> dict[int, Json]:
    labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in labels.items())
    data = await kube.call(
        kube.apps().list_namespaced_replica_set, namespace, label_selector=selector, user=user
    )
    name, uid = _meta(deployment).get("name"), _meta(deployment).get("uid")
    history: dict[int, Json] = {}
    for rs in data.get("items") or []:
        owners = _meta(rs).get("ownerReferences") or []
        if not any(
            o.get("kind") == "Deployment" and (o.get("uid") == uid or o.get("name") == name)
            for o in owners
        ):
            continue
        revision = int((_meta(rs).get("annotations") or {}).get(REVISION, "0") or 0)
        if revision:
            history[revision] = (rs.get("spec") or {}).get("template") or {}
    return history


def _clean_template(template: Json) -> Json:
    """A ReplicaSet's pod template without the hash label the controller adds."""
    meta = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != "pod-template-hash"}
    return {**template, "metadata": {**meta, "labels": labels}}


def merge_patch(old: Any, new: Any) -> Any:
    """The JSON merge patch (RFC 7386) that turns ``old`` into ``new``."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: Json = {key: None for key in old if key not in new}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = merge_patch(old[key], value)
    return patch


def _image_changes(target: str, old: Json, new: Json) -> list[Change]:
    def images(template: Json) -> dict[str, str]:
        return {
            ct.get("name", ""): ct.get("image", "")
            for ct in (template.get("spec") or {}).get("containers") or []
        }

    before, after = images(old), images(new)
    return [
        Change(target, f"container {name} image", before.get(name, ""), after.get(name, ""))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]
