"""One test per analyzer: the smallest cluster that shows the failure, and the finding the
rule must make of it (its cause, its evidence), plus healthy objects where it must not."""

from __future__ import annotations

from smartops.investigate import Report, Target
from smartops.investigate.reads import Sample
from tests.investigations import objects as o
from tests.investigations.conftest import Investigate

POD = "api-5d4c3b2a1f-x1y2z"
TARGET = Target(kind="pod", name=POD, namespace=o.NS)


def _top(report: Report) -> tuple[str, str, str]:
    assert report.findings, report
    top = report.findings[0]
    return top.analyzer, top.cause_key, " | ".join(q.text for q in top.evidence)


async def test_oom_killed_names_the_limit(run: Investigate) -> None:
    spec = {"containers": [{"name": "app", "resources": {"limits": {"memory": "256Mi"}}}]}
    pod = o.pod(statuses=[o.crashing(code=137, reason="OOMKilled")], spec=spec)
    report = await run(TARGET, [pod, o.node()])
    analyzer, key, evidence = _top(report)
    assert (analyzer, key) == ("oom_killed", "oom_killed")
    assert "reason=OOMKilled" in evidence and "256Mi" in evidence
    assert report.findings[0].params["limit"] == "256Mi"


async def test_oom_with_prometheus_quotes_usage_against_limit(run: Investigate) -> None:
    pod = o.pod(statuses=[o.crashing(code=137, reason="OOMKilled")])
    labels = {"pod": POD, "container": "app"}
    samples = {
        "container_memory_working_set_bytes": [Sample(labels, 250 * 2**20)],
        "kube_pod_container_resource_limits": [Sample(labels, 256 * 2**20)],
    }
    report = await run(TARGET, [pod], samples=samples)
    assert report.findings[0].params["usage"] == "250Mi of 256Mi (98%)"
    assert any(r.command.startswith("promql:") for r in report.reads)


async def test_crash_loop_missing_env_from_previous_logs(run: Investigate) -> None:
    pod = o.pod(statuses=[o.crashing()])
    logs = {
        (o.NS, POD, "app", True): "starting\nError: Missing required environment "
        "variable: STRIPE_API_KEY\n    at required (/app/config.js:18:11)\n"
    }
    analyzer, key, evidence = _top(await run(TARGET, [pod], logs))
    assert (analyzer, key) == ("crash_loop", "crash_loop")
    assert "STRIPE_API_KEY" in evidence


async def test_crash_loop_causes_from_common_runtimes(run: Investigate) -> None:
    cases = {
        "missing_file": "panic: open /etc/app/config.toml: no such file or directory",
        "config_parse": "yaml.scanner.ScannerError: mapping values are not allowed here",
        "permission_denied": "PermissionError: [Errno 13] Permission denied: '/data/cache'",
        "connection_refused": "Error: connect ECONNREFUSED 10.96.4.2:5432",
        "dns_failure": "lookup redis.cache.svc on 10.96.0.10:53: no such host",
        "auth_failed": 'FATAL:  password authentication failed for user "app"',
        "command_not_found": "/bin/sh: 1: gunicorn: not found",
    }
    for cause, line in cases.items():
        pod = o.pod(statuses=[o.crashing()])
        report = await run(TARGET, [pod], {(o.NS, POD, "app", True): f"boot\n{line}\n"})
        assert report.findings[0].params["log_cause"] == cause, (cause, report.findings[0])


async def test_crash_without_known_cause_quotes_error_lines(run: Investigate) -> None:
    pod = o.pod(statuses=[o.crashing(code=139)])
    logs = {(o.NS, POD, "app", True): "ok\nfatal: segment fault in worker 3\n"}
    analyzer, key, evidence = _top(await run(TARGET, [pod], logs))
    assert (analyzer, key) == ("crash_loop", "crash_exit")
    assert "segment fault" in evidence
    assert report_meaning(await run(TARGET, [pod], logs)) == "exit_139"


def report_meaning(report: Report) -> str:
    return report.findings[0].params["meaning"]


async def test_image_pull_bad_tag_missing_secret_and_auth(run: Investigate) -> None:
    not_found = 'Failed to pull image "nginx:9.9": rpc error: code = NotFound desc = not found'
    denied = (
        'Failed to pull image "ghcr.io/acme/api:1.4": failed to resolve reference: failed '
        "to authorize: failed to fetch anonymous token: 401 Unauthorized"
    )
    for message, expected, extra in (
        (not_found, "image_not_found", {}),
        (denied, "image_auth", {}),
        (denied, "image_secret_missing", {"imagePullSecrets": [{"name": "regcred"}]}),
    ):
        pod = o.pod(statuses=[o.waiting("app", "ImagePullBackOff")], phase="Pending", spec=extra)
        report = await run(TARGET, [pod, o.event(POD, "Failed", message)])
        assert _top(report)[:2] == ("image_pull", expected), message


async def test_config_error_missing_configmap_is_confirmed(run: Investigate) -> None:
    spec = {"containers": [{"name": "app", "envFrom": [{"configMapRef": {"name": "app-env"}}]}]}
    status = o.waiting("app", "CreateContainerConfigError", 'configmap "app-env" not found')
    pod = o.pod(statuses=[status], phase="Pending", spec=spec)
    analyzer, key, evidence = _top(await run(TARGET, [pod]))
    assert (analyzer, key) == ("config_error", "config_missing_object")
    assert 'configmaps "app-env" not found' in evidence  # the existence check, not only kubelet


async def test_config_error_missing_key(run: Investigate) -> None:
    message = "couldn't find key password in Secret team/db"
    pod = o.pod(statuses=[o.waiting("app", "CreateContainerConfigError", message)])
    report = await run(TARGET, [pod])
    assert _top(report)[1] == "config_missing_key"
    assert report.findings[0].params["key"] == "password"


async def test_init_container_failing(run: Investigate) -> None:
    init = o.crashing("migrate", code=1)
    pod = o.pod(
        init_statuses=[init], statuses=[o.waiting("app", "PodInitializing")], phase="Pending"
    )
    logs = {
        (o.NS, POD, "migrate", True): "django.db.utils.OperationalError: connection to "
        'server at "10.96.1.1", port 5432 failed: Connection refused\n'
    }
    analyzer, key, _ = _top(await run(TARGET, [pod], logs))
    assert (analyzer, key) == ("init_container", "init_failed")


async def test_pending_reasons_from_the_scheduler(run: Investigate) -> None:
    cases = {
        "pending_insufficient": "0/3 nodes are available: 3 Insufficient cpu. preemption: x",
        "pending_taint": "0/2 nodes are available: 2 node(s) had untolerated taint "
        "{dedicated: infra}. preemption: 0/2",
        "pending_selector": "0/3 nodes are available: 3 node(s) didn't match Pod's node "
        "affinity/selector. preemption: 0/3",
        "pending_pvc": "0/3 nodes are available: pod has unbound immediate "
        "PersistentVolumeClaims. preemption: 0/3",
    }
    for key, message in cases.items():
        pod = o.pod(phase="Pending", node=None, statuses=[])
        report = await run(TARGET, [pod, o.event(POD, "FailedScheduling", message)])
        assert _top(report)[:2] == ("pending", key)


async def test_readiness_probe_wrong_path(run: Investigate) -> None:
    probe = {"httpGet": {"path": "/healthz", "port": 8080}}
    ct = {"name": "app", "ports": [{"containerPort": 8080}], "readinessProbe": probe}
    pod = o.pod(containers=[ct], statuses=[o.running(ready=False)])
    message = "Readiness probe failed: HTTP probe failed with statuscode: 404"
    analyzer, key, evidence = _top(await run(TARGET, [pod, o.event(POD, "Unhealthy", message)]))
    assert (analyzer, key) == ("probes", "probe_path")
    assert "path=/healthz" in evidence


async def test_liveness_probe_wrong_port_beats_the_restart(run: Investigate) -> None:
    probe = {"tcpSocket": {"port": 9090}}
    ct = {"name": "app", "ports": [{"containerPort": 8080}], "livenessProbe": probe}
    pod = o.pod(containers=[ct], statuses=[o.crashing(code=137)])
    events = [
        o.event(
            POD,
            "Unhealthy",
            "Liveness probe failed: dial tcp 10.0.0.5:9090: connect: connection refused",
            fieldPath="spec.containers{app}",
        ),
        o.event(POD, "Killing", "Container app failed liveness probe, will be restarted"),
    ]
    report = await run(TARGET, [pod, *events])
    assert _top(report)[:2] == ("probes", "probe_port")
    assert all(f.analyzer != "crash_loop" for f in report.findings)  # no second story


async def test_service_selector_mismatch(run: Investigate) -> None:
    svc = o.obj("Service", "api", spec={"selector": {"app": "api-server"}})
    eps = o.obj("Endpoints", "api")
    pod = o.pod(ready=True, statuses=[o.running()])
    report = await run(Target(kind="service", name="api", namespace=o.NS), [svc, eps, pod])
    assert _top(report)[:2] == ("service_endpoints", "svc_selector")
    assert "app=api" in report.findings[0].params["labels"]


async def test_rollout_stuck(run: Investigate) -> None:
    status = {
        "replicas": 3,
        "updatedReplicas": 1,
        "availableReplicas": 2,
        "conditions": [
            {
                "type": "Progressing",
                "status": "False",
                "reason": "ProgressDeadlineExceeded",
                "message": 'ReplicaSet "api-5d4c3b2a1f" has timed out progressing.',
            }
        ],
    }
    deploy = o.deployment(status=status)
    report = await run(
        Target(kind="deployment", name="api", namespace=o.NS), [deploy, o.replicaset()]
    )
    assert _top(report)[:2] == ("rollout_stuck", "rollout_stuck")
    assert report.findings[0].next_step is not None
    assert report.findings[0].next_step.action == "rollout_undo"


async def test_create_refused_by_quota(run: Investigate) -> None:
    message = (
        'Error creating: pods "api-5d4c3b2a1f-abcde" is forbidden: exceeded quota: q1, '
        "requested: limits.cpu=2, used: limits.cpu=7, limited: limits.cpu=8"
    )
    objects = [
        o.deployment(),
        o.replicaset(),
        o.event("api-5d4c3b2a1f", "FailedCreate", message, kind="ReplicaSet"),
    ]
    report = await run(Target(kind="deployment", name="api", namespace=o.NS), objects)
    assert _top(report)[:2] == ("create_refused", "create_quota")
    assert report.findings[0].params["limited"] == "limits.cpu=8"


async def test_hpa_maxed_out(run: Investigate) -> None:
    hpa = o.obj(
        "HorizontalPodAutoscaler",
        "api",
        api="autoscaling/v2",
        spec={
            "scaleTargetRef": {"kind": "Deployment", "name": "api"},
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"averageUtilization": 60}},
                }
            ],
        },
        status={
            "currentReplicas": 5,
            "desiredReplicas": 5,
            "currentMetrics": [
                {"resource": {"name": "cpu", "current": {"averageUtilization": 140}}}
            ],
        },
    )
    report = await run(Target(kind="deployment", name="api", namespace=o.NS), [o.deployment(), hpa])
    assert _top(report)[:2] == ("hpa", "hpa_maxed")
    assert report.findings[0].params["metrics"] == "cpu 140% (target 60%)"


async def test_job_backoff_limit_with_the_pods_cause(run: Investigate) -> None:
    job = o.obj(
        "Job",
        "nightly",
        api="batch/v1",
        spec={"backoffLimit": 2},
        status={
            "failed": 3,
            "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}],
        },
    )
    term = {
        "name": "app",
        "restartCount": 0,
        "state": {"terminated": {"reason": "Error", "exitCode": 2}},
    }
    pod = o.pod(
        "nightly-abcde",
        statuses=[term],
        phase="Failed",
        owner=("Job", "nightly"),
        labels={"job-name": "nightly"},
    )
    logs = {(o.NS, "nightly-abcde", "app", False): "KeyError: 'WAREHOUSE_URL'\n"}
    report = await run(Target(kind="job", name="nightly", namespace=o.NS), [job, pod], logs)
    assert _top(report)[:2] == ("job_failed", "job_failed")
    assert report.findings[0].params["what"] == "WAREHOUSE_URL"


async def test_node_not_ready_and_pressure(run: Investigate) -> None:
    pod = o.pod(ready=False, statuses=[o.running(ready=False)])
    report = await run(TARGET, [pod, o.node(Ready="Unknown")])
    assert _top(report)[:2] == ("node_health", "node_not_ready")
    assert report.findings[0].next_step is not None
    assert report.findings[0].next_step.action == "cordon"
    report = await run(TARGET, [o.pod(ready=True), o.node(DiskPressure="True")])
    assert _top(report)[:2] == ("node_health", "node_pressure")


async def test_evicted(run: Investigate) -> None:
    status = {
        "reason": "Evicted",
        "message": "The node was low on resource: ephemeral-storage. "
        "Container app was using 12Gi, request is 0.",
    }
    pod = o.pod(phase="Failed", status=status, statuses=[])
    report = await run(TARGET, [pod])
    assert _top(report)[:2] == ("evicted", "evicted")
    assert report.findings[0].params["resource"] == "ephemeral-storage"


async def test_volume_full_names_the_claim(run: Investigate) -> None:
    spec = {
        "containers": [
            {"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/var/lib/data"}]}
        ],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-0"}}],
    }
    pod = o.pod(statuses=[o.crashing()], spec=spec)
    pvc = o.obj(
        "PersistentVolumeClaim",
        "data-0",
        status={"phase": "Bound", "capacity": {"storage": "10Gi"}},
    )
    logs = {(o.NS, POD, "app", False): "write /var/lib/data/seg.7: no space left on device\n"}
    report = await run(TARGET, [pod, pvc], logs)
    assert _top(report)[:2] == ("volume_full", "volume_full")
    assert report.findings[0].params["claim"] == "data-0"
    assert report.findings[0].params["capacity"] == "10Gi"


async def test_pvc_pending_on_its_own(run: Investigate) -> None:
    pvc = o.obj(
        "PersistentVolumeClaim",
        "data-0",
        spec={"storageClassName": "gold"},
        status={"phase": "Pending"},
    )
    event = o.event(
        "data-0",
        "ProvisioningFailed",
        'storageclass.storage.k8s.io "gold" not found',
        kind="PersistentVolumeClaim",
    )
    report = await run(Target(kind="pvc", name="data-0", namespace=o.NS), [pvc, event])
    assert _top(report)[:2] == ("pvc_pending", "pvc_pending")


async def test_volume_multi_attach(run: Investigate) -> None:
    pod = o.pod(statuses=[o.waiting("app", "ContainerCreating")], phase="Pending")
    message = (
        'Multi-Attach error for volume "pvc-1f2e" Volume is already exclusively attached '
        "to one node and can't be attached to another"
    )
    report = await run(TARGET, [pod, o.event(POD, "FailedAttachVolume", message)])
    assert _top(report)[:2] == ("volume_mount", "volume_multi_attach")


async def test_memory_near_limit_and_cpu_throttled_from_prometheus(run: Investigate) -> None:
    labels = {"pod": POD, "container": "app"}
    samples = {
        "container_memory_working_set_bytes": [Sample(labels, 480 * 2**20)],
        "kube_pod_container_resource_limits": [Sample(labels, 512 * 2**20)],
        "cfs_throttled": [Sample(labels, 0.6)],
    }
    report = await run(TARGET, [o.pod(ready=True), o.node()], samples=samples)
    found = {f.analyzer for f in report.findings}
    assert found == {"memory_near_limit", "cpu_throttled"}


async def test_a_healthy_pod_has_no_findings_and_says_what_it_checked(run: Investigate) -> None:
    pod = o.pod(ready=True, statuses=[o.running()])
    report = await run(TARGET, [pod, o.node()], {(o.NS, POD, "app", False): "GET / 200\n"})
    assert report.findings == []
    assert {c.key for c in report.healthy} >= {"pod_ok", "node_ok", "logs_clean"}
