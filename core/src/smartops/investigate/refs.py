"""What a pod depends on, collected around it: referenced ConfigMaps, Secrets and
ServiceAccounts (existence only), its PVCs, the Services meant for it and their
endpoints, the HPA scaling its workload, and Prometheus series when configured."""

from __future__ import annotations

import asyncio

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Limits
from smartops.investigate.recorder import Recorder


def referenced(pod: Json) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, name) of the ConfigMaps, Secrets and ServiceAccount a pod needs (optional
    references left out), and the PVCs it mounts."""
    wanted: list[tuple[str, str]] = []
    for ct in v.containers(pod) + v.containers(pod, init=True):
        for env in ct.get("env") or []:
            source = env.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = source.get(key) or {}
                if ref.get("name") and not ref.get("optional"):
                    wanted.append((kind, str(ref["name"])))
        for env_from in ct.get("envFrom") or []:
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = env_from.get(key) or {}
                if ref.get("name") and not ref.get("optional"):
                    wanted.append((kind, str(ref["name"])))
    spec = v.pod_spec(pod)
    claims: list[str] = []
    for vol in spec.get("volumes") or []:
        if (vol.get("configMap") or {}).get("name") and not vol["configMap"].get("optional"):
            wanted.append(("ConfigMap", str(vol["configMap"]["name"])))
        secret = vol.get("secret") or {}
        if secret.get("secretName") and not secret.get("optional"):
            wanted.append(("Secret", str(secret["secretName"])))
        for source in (vol.get("projected") or {}).get("sources") or []:
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                ref = source.get(key) or {}
                if ref.get("name") and not ref.get("optional"):
                    wanted.append((kind, str(ref["name"])))
        claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            claims.append(str(claim))
    for secret_ref in spec.get("imagePullSecrets") or []:
        if secret_ref.get("name"):
            wanted.append(("Secret", str(secret_ref["name"])))
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account and account != "default":
        wanted.append(("ServiceAccount", str(account)))
    return list(dict.fromkeys(wanted)), list(dict.fromkeys(claims))


async def references(ev: Evidence, rec: Recorder, limits: Limits) -> None:
    source = ev.pods[0] if ev.pods else ev.workload()
    if source is None:
        return
    wanted, claims = referenced(source)
    wanted = wanted[: limits.max_refs]
    claims = claims[: max(limits.max_refs - len(wanted), 0)]
    checks = asyncio.gather(*(rec.exists(k, n, ev.namespace) for k, n in wanted))
    claims_got = asyncio.gather(
        *(rec.get("PersistentVolumeClaim", c, ev.namespace) for c in claims)
    )
    exists, pvcs = await asyncio.gather(checks, claims_got)
    for (kind, ref_name), ok in zip(wanted, exists, strict=True):
        if ok is not None:
            ev.refs[(kind, ref_name)] = ok
    for claim, pvc in zip(claims, pvcs, strict=True):
        ev.pvcs[claim] = pvc
    pending = [c for c, p in ev.pvcs.items() if p and v.status(p).get("phase") == "Pending"]
    for items in await asyncio.gather(
        *(
            rec.objects("Event", ev.namespace, fields=f"involvedObject.name={c}")
            for c in pending[:2]
        )
    ):
        ev.events.extend(items)
    if ev.subject_kind == "PersistentVolumeClaim" and not pending:
        name = ev.subject_name()
        ev.events.extend(
            await rec.objects("Event", ev.namespace, fields=f"involvedObject.name={name}")
        )


def _template_labels(ev: Evidence) -> dict[str, str]:
    work = ev.workload()
    if ev.pods:
        return v.labels(ev.pods[0])
    if work is not None:
        return {
            str(k): str(x)
            for k, x in (v.template(work).get("metadata") or {}).get("labels", {}).items()
        }
    return {}


def meant_for(service: Json, pod_labels: dict[str, str], names: set[str]) -> bool:
    """A Service that selects these labels, or looks meant to: it is named like the
    workload, the pod's owner or its ``app`` label."""
    selector = {str(k): str(x) for k, x in (v.spec(service).get("selector") or {}).items()}
    if not selector:
        return False
    return v.selects(selector, pod_labels) or v.name(service) in names


async def services(ev: Evidence, rec: Recorder) -> None:
    if ev.subject_kind == "Service":
        if not ev.pods:
            ev.namespace_pods = (await rec.objects("Pod", ev.namespace))[:100]
    elif ev.subject_kind in ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        pod_labels = _template_labels(ev)
        names = {ev.subject_name()} | {v.name(o) for o in ev.owners}
        if pod_labels.get("app"):
            names.add(pod_labels["app"])
        found = await rec.objects("Service", ev.namespace)
        ev.services = [s for s in found if meant_for(s, pod_labels, names)][:3]
    got = await asyncio.gather(
        *(rec.get("Endpoints", v.name(s), ev.namespace) for s in ev.services)
    )
    for service, endpoints in zip(ev.services, got, strict=True):
        ev.endpoints[v.name(service)] = endpoints


async def autoscalers(ev: Evidence, rec: Recorder) -> None:
    work = ev.workload()
    if ev.subject_kind == "HorizontalPodAutoscaler" or work is None:
        return
    if work.get("kind") not in ("Deployment", "StatefulSet"):
        return
    found = await rec.objects("HorizontalPodAutoscaler", ev.namespace)
    ev.hpas = [
        h
        for h in found
        if (v.spec(h).get("scaleTargetRef") or {}).get("name") == v.name(work)
        and (v.spec(h).get("scaleTargetRef") or {}).get("kind") == work.get("kind")
    ]


def _regex(names: list[str]) -> str:
    return "|".join(n.replace(".", "\\\\.") for n in names)


async def metrics(ev: Evidence, rec: Recorder) -> None:
    pods = [v.name(p) for p in ev.pods[:5]]
    if not pods:
        return
    where = f'namespace="{ev.namespace}", pod=~"{_regex(pods)}"'
    queries = {
        "memory": f"max by (pod, container) (container_memory_working_set_bytes{{{where}, "
        f'container!="", container!="POD"}})',
        "memory_limit": f"max by (pod, container) (kube_pod_container_resource_limits{{{where}, "
        f'resource="memory"}})',
        "throttling": "sum by (pod, container) (increase(container_cpu_cfs_throttled_periods_"
        f"total{{{where}}}[5m])) / sum by (pod, container) (increase(container_cpu_cfs_"
        f"periods_total{{{where}}}[5m]))",
    }
    claims = [c for c, p in ev.pvcs.items() if p]
    if claims:
        vol = f'namespace="{ev.namespace}", persistentvolumeclaim=~"{_regex(claims)}"'
        queries["volume_used"] = (
            f"max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{{{vol}}}) / "
            f"max by (persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{{{vol}}})"
        )
    first = next(iter(queries))
    probe = await rec.prom(queries[first])  # None: Prometheus is not configured
    if probe is None:
        return
    ev.metrics[first] = probe
    rest = [k for k in queries if k != first]
    for key, samples in zip(
        rest, await asyncio.gather(*(rec.prom(queries[k]) for k in rest)), strict=True
    ):
        if samples is not None:
            ev.metrics[key] = samples
