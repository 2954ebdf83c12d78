"""The Kubernetes reads and dry-run writes against a real cluster (``SMARTOPS_E2E_KUBECONFIG``).

No kube-apiserver can run on this machine, so this file only runs where a cluster is
given; it creates a namespace of its own, and deletes it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartops.actions.service import ActionService
from smartops.config import Settings
from smartops.metrics import Metrics
from smartops.turn import Principal

pytestmark = pytest.mark.integration
KUBECONFIG = os.environ.get("SMARTOPS_E2E_KUBECONFIG", "")


@pytest.fixture
def namespace() -> Iterator[str]:
    if not KUBECONFIG:
        pytest.skip("no real cluster: set SMARTOPS_E2E_KUBECONFIG to run against one")
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=KUBECONFIG)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    name = f"smartops-e2e-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    apps.create_namespaced_deployment(
        name,
        {
            "metadata": {"name": "api"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {
                        "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.9"}]
                    },
                },
            },
        },
    )
    try:
        yield name
    finally:
        core.delete_namespace(name)
        api.close()


async def test_reads_and_dry_runs_on_a_real_cluster(namespace: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "roles: {all: {actions: ['*']}}\nbindings: [{subjects: ['*'], roles: [all]}]\n"
    )
    settings = Settings(
        actions_kubeconfig=Path(KUBECONFIG), actions_policy_file=policy, actions_kube_sar=False
    )
    service = ActionService.build(settings.actions, Metrics(), None)
    me = Principal("e2e")
    try:
        deployments = await service.run(me, "get_deployments", {"namespace": namespace})
        assert f"| {namespace} | api |" in deployments.text
        nodes = await service.run(me, "get_nodes", {})
        assert nodes.status == "ok" and "| node | status |" in nodes.text
        from smartops.actions import catalog, k8s_writes

        _, args = catalog.validate("scale", {"namespace": namespace, "name": "api", "replicas": 3})
        preview = await k8s_writes.scale(service.executors.kube, args, "", dry_run=True)
        assert [(c.before, c.after) for c in preview.changes] == [("1", "3")]
        again = await service.run(me, "get_deployments", {"namespace": namespace})
        assert f"| {namespace} | api | 0/1 |" in again.text  # the dry run stored nothing
    finally:
        await service.aclose()
