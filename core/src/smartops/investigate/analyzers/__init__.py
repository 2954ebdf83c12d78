"""The analyzers, as one table: each a small rule over the collected evidence, named, with
the runbook query that finds its section and how much one of its findings explains
(a root cause weighs 1.0; a symptom such as a stuck rollout weighs less, so the cause
that explains it ranks first)."""

from __future__ import annotations

from smartops.investigate.analyzers import (
    containers,
    nodes,
    probes,
    resources,
    scheduling,
    serving,
    startup,
    storage,
    workloads,
)
from smartops.investigate.analyzers.base import Analyzer, Draft

ANALYZERS: tuple[Analyzer, ...] = (
    Analyzer(
        "oom_killed",
        "OOMKilled",
        "KubePodCrashLooping OOMKilled container memory limit",
        1.0,
        containers.oom_killed,
    ),
    Analyzer(
        "crash_loop",
        "CrashLoopBackOff",
        "KubePodCrashLooping CrashLoopBackOff previous container logs",
        0.95,
        containers.crash_loop,
    ),
    Analyzer(
        "image_pull",
        "ImagePullBackOff",
        "KubeContainerWaiting ImagePullBackOff ErrImagePull image pull secret",
        1.0,
        startup.image_pull,
    ),
    Analyzer(
        "config_error",
        "CreateContainerConfigError",
        "KubeContainerWaiting CreateContainerConfigError ConfigMap Secret not found",
        1.0,
        startup.config_error,
    ),
    Analyzer(
        "init_container",
        "Init container failing",
        "debug init containers Init:Error Init:CrashLoopBackOff",
        0.95,
        containers.init_container,
    ),
    Analyzer(
        "pending",
        "Pending (unschedulable)",
        "KubePodNotReady Pending FailedScheduling insufficient taints node selector",
        1.0,
        scheduling.pending,
    ),
    Analyzer(
        "probes",
        "Failing probes",
        "KubePodNotReady readiness liveness probe failed",
        0.9,
        probes.probes,
    ),
    Analyzer(
        "service_endpoints",
        "Service without endpoints",
        "debug service endpoints selector",
        0.85,
        serving.service_endpoints,
    ),
    Analyzer(
        "create_refused",
        "Pods not created",
        "KubeQuotaExceeded FailedCreate exceeded quota",
        1.0,
        workloads.create_refused,
    ),
    Analyzer(
        "rollout_stuck",
        "Rollout stuck",
        "KubeDeploymentReplicasMismatch rollout ProgressDeadlineExceeded",
        0.6,
        workloads.rollout_stuck,
    ),
    Analyzer(
        "hpa",
        "HPA at its limit",
        "KubeHpaMaxedOut HorizontalPodAutoscaler maxReplicas",
        0.8,
        serving.hpa,
    ),
    Analyzer(
        "job_failed", "Job failed", "KubeJobFailed BackoffLimitExceeded", 0.9, workloads.job_failed
    ),
    Analyzer(
        "node_health",
        "Node NotReady or under pressure",
        "KubeNodeNotReady node conditions pressure",
        0.9,
        nodes.node_health,
    ),
    Analyzer("evicted", "Evicted pods", "node-pressure eviction Evicted pods", 0.95, nodes.evicted),
    Analyzer(
        "volume_full",
        "Volume full",
        "KubePersistentVolumeFillingUp no space left on device",
        1.0,
        storage.volume_full,
    ),
    Analyzer(
        "pvc_pending",
        "PVC Pending",
        "KubePersistentVolumeErrors PersistentVolumeClaim Pending provisioning",
        1.0,
        storage.pvc_pending,
    ),
    Analyzer(
        "volume_mount",
        "Volume cannot be mounted",
        "FailedMount FailedAttachVolume Multi-Attach",
        0.95,
        storage.volume_mount,
    ),
    Analyzer(
        "memory_near_limit",
        "Memory near its limit",
        "container memory working set limit",
        0.5,
        resources.memory_near_limit,
    ),
    Analyzer("cpu_throttled", "CPU throttling", "CPUThrottlingHigh", 0.45, resources.cpu_throttled),
)
BY_NAME = {a.name: a for a in ANALYZERS}

__all__ = ["ANALYZERS", "BY_NAME", "Analyzer", "Draft"]
