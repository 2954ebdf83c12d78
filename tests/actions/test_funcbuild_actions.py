"""The actions function built as func's host builder would, served by func-python; and the
gateway calling it over HTTP (``SMARTOPS_ACTIONS_URL``) instead of running it in process."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import build_services
from tests.actions.conftest import Kube
from tests.actions.world import POLICY
from tests.support import funcbuild

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TOKEN = "test-actions-token"
ALICE = {"user": "u-alice", "email": "alice@example.com", "role": "user"}


async def test_actions_function_builds_serves_and_backs_the_gateway(
    repo_root: Path, kube: Kube, redis_url: str, tmp_path: Path
) -> None:
    scaffold = funcbuild.build(repo_root / "functions" / "actions", repo_root / "core", tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    env = {
        "SMARTOPS_REDIS_URL": redis_url,
        "SMARTOPS_ACTIONS_TOKEN": TOKEN,
        "SMARTOPS_ACTIONS_KUBECONFIG": str(kube.kubeconfig),
        "SMARTOPS_ACTIONS_POLICY_FILE": str(policy),
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with funcbuild.serve(scaffold, env, tmp_path / "function.log") as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            assert (await http.get("/actions")).status_code == 401
            catalog = (await http.get("/actions", headers=auth)).json()["actions"]
            assert {"get_pods", "rollout_restart", "silence"} <= {a["name"] for a in catalog}
            bad = await http.post(
                "/actions/scale",
                headers=auth,
                json={
                    "principal": ALICE,
                    "args": {"namespace": "shop", "name": "api", "replicas": -1},
                },
            )
            assert bad.status_code == 400
            assert bad.json()["error"]["code"] == "invalid_action_args"
            pending = (
                await http.post(
                    "/actions/rollout_restart",
                    headers=auth,
                    json={"principal": ALICE, "args": {"namespace": "shop", "name": "api"}},
                )
            ).json()
            assert pending["status"] == "pending"
            bare = await http.post(  # no token: the user's one pending change, nothing runs
                "/decisions",
                headers=auth,
                json={"principal": ALICE, "token": "", "confirm": True, "language": "ru"},
            )
            assert bare.json()["token"] == pending["token"], bare.text
            assert "одно ожидающее изменение" in bare.json()["text"]
            done = (
                await http.post(
                    "/decisions",
                    headers=auth,
                    json={"principal": ALICE, "token": pending["token"], "confirm": True},
                )
            ).json()
            assert done["status"] == "ok", done
        deployment = kube.emulator.objects["apps/v1/deployments", "shop", "api"].raw
        assert (
            "kubectl.kubernetes.io/restartedAt"
            in deployment["spec"]["template"]["metadata"]["annotations"]
        )

        settings = Settings(
            data_dir=tmp_path,
            llm_base_url="http://127.0.0.1:9/v1",
            actions_url=url,
            actions_token=TOKEN,
            actions_trusted_proxies="127.0.0.1/32",
        )
        services = build_services(settings)
        transport = httpx.ASGITransport(app=create_app(services), client=("127.0.0.1", 1))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as gw:
                response = await gw.post(
                    "/v1/chat/completions",
                    json={
                        "model": "smartops",
                        "messages": [
                            {"role": "user", "content": "show crashlooping pods in payments"}
                        ],
                    },
                )
            answer = response.json()["choices"][0]["message"]["content"]
            assert "| payments | api-1 | 0/1 | CrashLoopBackOff | 7 |" in answer
        finally:
            await services.aclose()
    assert (
        '"msg": "function started", "function": "actions"'
        in (tmp_path / "function.log").read_text()
    )
