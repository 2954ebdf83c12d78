"""What a newcomer meets: no cluster connected, writes without a policy file, a bare
``confirm``, and replies in the user's language (English or Russian).

Through the gateway (httpx's ASGI transport) with kmock's Kubernetes and a real Redis;
the LLM's port is closed, so an answer that needed it would fail the request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartops.config import Settings
from tests.actions.conftest import Kube
from tests.actions.test_gateway_actions import ALICE, BOB, _gateway, _settings

pytestmark = pytest.mark.integration
NO_LLM = "http://127.0.0.1:9/v1"


def _token(preview: str) -> str:
    return preview.split("confirm ", 1)[1][:12]


async def test_a_bare_confirm_shows_the_one_pending_change(
    kube: Kube, tmp_path: Path, redis_url: str
) -> None:
    async with _gateway(_settings(kube, tmp_path, redis_url, NO_LLM), redis_url) as gw:
        none = await gw.say("confirm", ALICE)
        assert "no pending change" in none and "confirm <token>" in none

        preview = await gw.say("restart deployment api in shop", ALICE)
        token = _token(preview)
        shown = await gw.say("confirm", ALICE)
        assert "one pending change" in shown and "rollout_restart" in shown
        assert f"`confirm {token}`" in shown and "`name=api`" in shown
        assert "no pending change" in await gw.say("confirm", BOB)  # another user's: not shown

        ru = await gw.say("подтверди", ALICE)
        assert "одно ожидающее изменение" in ru and f"confirm {token}" in ru

        # Nothing was consumed: the token still runs the change, then nothing waits.
        assert "Done" in await gw.say(f"confirm {token}", ALICE)
        assert "no pending change" in await gw.say("confirm", ALICE)


async def test_several_pending_changes_are_listed_and_cancel_works_the_same(
    kube: Kube, tmp_path: Path, redis_url: str
) -> None:
    async with _gateway(_settings(kube, tmp_path, redis_url, NO_LLM), redis_url) as gw:
        first = _token(await gw.say("restart deployment api in shop", ALICE))
        second = _token(await gw.say("scale deployment api in shop to 3", ALICE))
        listed = await gw.say("confirm", ALICE)
        assert "2 pending changes" in listed
        assert f"`confirm {first}`" in listed and f"`confirm {second}`" in listed
        assert f"`cancel {first}`" in await gw.say("cancel", ALICE)
        for token in (first, second):
            assert "Cancelled" in await gw.say(f"cancel {token}", ALICE)
        assert "nothing to cancel" in await gw.say("cancel", ALICE)


async def test_no_cluster_says_what_to_connect(tmp_path: Path, redis_url: str) -> None:
    settings = Settings(data_dir=tmp_path, llm_base_url=NO_LLM, redis_url=redis_url)
    async with _gateway(settings, redis_url) as gw:
        answer = await gw.say("show pods in namespace payments", BOB)
        russian = await gw.say("покажи поды в неймспейсе payments", BOB)
    assert "no Kubernetes is connected" in answer
    assert "SMARTOPS_ACTIONS_KUBECONFIG" in answer and "make run SANDBOX=demo" in answer
    assert "/v1/sections?source=docs%2Factions.md#connecting-a-cluster)" in answer
    assert "не подключён Kubernetes" in russian and "make run SANDBOX=demo" in russian


async def test_a_write_without_a_policy_file_explains_the_policy(
    kube: Kube, tmp_path: Path, redis_url: str
) -> None:
    settings = _settings(kube, tmp_path, redis_url, NO_LLM).with_changes(actions_policy_file=None)
    async with _gateway(settings, redis_url) as gw:
        answer = await gw.say("restart deployment api in namespace shop", ALICE)
        russian = await gw.say("перезапусти deployment api в shop", ALICE)
        read = await gw.say("show pods in namespace shop", ALICE)
    assert "Not allowed" in answer and "none is configured" in answer
    assert "SMARTOPS_ACTIONS_POLICY_FILE" in answer and "rollout_restart" in answer
    assert 'subjects: ["user:alice@example.com"]' in answer and "namespaces: [shop]" in answer
    # The docs link is one a chat client can open: the gateway's page of the indexed doc.
    assert "[docs/actions.md#allowing-writes-the-policy-file](http://" in answer
    assert "/v1/sections?source=docs%2Factions.md#allowing-writes-the-policy-file)" in answer
    assert "Не разрешено" in russian and "файл политики" in russian  # noqa: RUF001
    assert "Not allowed" not in read  # without a policy file everyone still reads


async def test_the_dry_run_and_its_result_follow_the_users_language(
    kube: Kube, tmp_path: Path, redis_url: str
) -> None:
    async with _gateway(_settings(kube, tmp_path, redis_url, NO_LLM), redis_url) as gw:
        preview = await gw.say("перезапусти deployment api в shop", ALICE)
        assert "пока ничего не изменено" in preview and "Чтобы выполнить" in preview
        done = await gw.say(f"подтверди {_token(preview)}", ALICE)
        assert "Готово" in done
        expired = await gw.say(f"confirm {_token(preview)}", ALICE)
        assert "No pending change has the token" in expired


async def test_an_anonymous_write_is_told_the_example_grants_everyone(
    kube: Kube, tmp_path: Path, redis_url: str
) -> None:
    settings = _settings(kube, tmp_path, redis_url, NO_LLM).with_changes(actions_policy_file=None)
    async with _gateway(settings, redis_url) as gw:
        answer = await gw.say("restart deployment api in namespace shop", {})
        russian = await gw.say("перезапусти deployment api в shop", {})
    assert "Not allowed" in answer and "for anonymous" in answer
    assert 'subjects: ["*"]' in answer and "user:" not in answer
    assert "You are anonymous" in answer and "your own machine only" in answer
    assert "Вы анонимны" in russian and 'subjects: ["*"]' in russian
