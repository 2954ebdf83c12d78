"""Redaction, the policy, rendering budgets, argument validation (no services)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartops.actions import catalog
from smartops.actions.k8s_writes import merge_patch
from smartops.actions.policy import Policy
from smartops.actions.redact import redact, redact_value
from smartops.actions.render import Code, Table, code_markdown, table_markdown
from smartops.errors import InvalidRequest, NotFound
from smartops.turn import Principal
from tests.actions.world import CANARY_JWT, CANARY_PASSWORD, POLICY


@pytest.mark.parametrize(
    "text",
    [
        f"password={CANARY_PASSWORD}",
        f'"password": "{CANARY_PASSWORD}"',
        f"DB_PASSWORD: {CANARY_PASSWORD}",
        f"postgres://app:{CANARY_PASSWORD}@db:5432/app",
        f"Authorization: Bearer {CANARY_JWT}",
        f"token {CANARY_JWT}",
        f"api_key={CANARY_PASSWORD}",
        "aws AKIAABCDEFGHIJKLMNOP",
        "ghp_" + "a1B2" * 9,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIB"
        + CANARY_PASSWORD
        + "\n-----END RSA PRIVATE KEY-----",
    ],
)
def test_secrets_are_masked(text: str) -> None:
    masked = redact(text)
    assert CANARY_PASSWORD not in masked and CANARY_JWT not in masked
    assert "AKIAABCDEFGHIJKLMNOP" not in masked and "a1B2a1B2a1B2" not in masked
    assert "****" in masked


def test_ordinary_text_survives() -> None:
    line = "GET /api/orders 200 12ms user=alice replicas=3"
    assert redact(line) == line


def test_nested_values_and_secret_keys() -> None:
    value = {"client_secret": "abc", "args": [f"password={CANARY_PASSWORD}"], "n": 3}
    assert redact_value(value) == {"client_secret": "****", "args": ["password=****"], "n": 3}


def _policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return Policy.load(path)


def test_writes_are_denied_by_default() -> None:
    policy = Policy.load(None)
    anyone = Principal("anyone")
    assert policy.decide(anyone, catalog.get("get_pods"), "payments").allowed
    assert not policy.decide(anyone, catalog.get("scale"), "shop").allowed


def test_policy_grants_by_user_action_and_namespace(tmp_path: Path) -> None:
    policy = _policy(tmp_path)
    alice, bob = Principal("a1", email="alice@example.com"), Principal("bob")
    restart = catalog.get("rollout_restart")
    assert policy.decide(alice, restart, "shop").allowed
    assert not policy.decide(alice, restart, "payments").allowed
    assert not policy.decide(alice, catalog.get("cordon"), None).allowed
    assert not policy.decide(bob, restart, "shop").allowed
    assert policy.decide(bob, catalog.get("get_nodes"), None).allowed


def test_a_bad_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("bindings: [{subjects: ['*'], roles: [ghost]}]")
    with pytest.raises(InvalidRequest, match="unknown roles"):
        Policy.load(path)


def test_arguments_are_validated() -> None:
    with pytest.raises(InvalidRequest, match="namespace"):
        catalog.validate("get_pods", {"namespace": "Bad_NS;rm -rf"})
    with pytest.raises(InvalidRequest, match="replicas"):
        catalog.validate("scale", {"namespace": "shop", "name": "api", "replicas": -1})
    with pytest.raises(InvalidRequest):
        catalog.validate("get_pods", {"verb": "delete"})
    with pytest.raises(NotFound):
        catalog.validate("delete_namespace", {"name": "shop"})


def test_every_action_is_classified_and_writes_are_the_known_five() -> None:
    writes = {a.name for a in catalog.ACTIONS.values() if a.kind == "write"}
    assert writes == {"rollout_restart", "scale", "rollout_undo", "cordon", "silence"}
    assert all(a.kind in ("read", "write") for a in catalog.ACTIONS.values())
    assert len(catalog.tool_schemas()) == len(catalog.ACTIONS)


def test_large_outputs_are_cut_and_say_so() -> None:
    table = Table(["pod"], [[f"p{i}"] for i in range(143)], "pods")
    text = table_markdown(table, 20)
    assert "showing 20 of 143 pods" in text and "| p19 |" in text and "| p20 |" not in text
    logs = code_markdown(Code("\n".join(f"line {i}" for i in range(500))), 100)
    assert "showing the last 100 of 500 lines" in logs and "line 499" in logs
    assert "line 399\n" not in logs


def test_table_cells_cannot_break_the_table() -> None:
    text = table_markdown(Table(["msg"], [["a | b\nc"]], "rows"), 5)
    assert "| a \\| b c |" in text


def test_merge_patch_turns_old_into_new() -> None:
    old = {"metadata": {"labels": {"a": "1"}, "annotations": {"x": "y"}}, "spec": {"n": 1}}
    new = {"metadata": {"labels": {"a": "2"}}, "spec": {"n": 1}}
    assert merge_patch(old, new) == {"metadata": {"labels": {"a": "2"}, "annotations": None}}


def test_a_models_tool_call_is_validated_like_any_request() -> None:
    from smartops.actions.intent_model import _tool_call

    def reply(*calls: tuple[str, str]) -> dict[str, object]:
        tool_calls = [{"function": {"name": n, "arguments": a}} for n, a in calls]
        return {"choices": [{"message": {"tool_calls": tool_calls}}]}

    good = _tool_call(reply(("get_pods", '{"namespace": "payments"}')))
    assert good is not None and good.source == "model" and good.args == {"namespace": "payments"}
    assert _tool_call(reply(("delete_everything", "{}"))) is None
    assert (
        _tool_call(reply(("scale", '{"namespace": "shop", "name": "api", "replicas": -1}'))) is None
    )
    assert _tool_call(reply(("get_pods", "{}"), ("get_nodes", "{}"))) is None
    assert _tool_call({"choices": [{"message": {"content": "I cannot do that."}}]}) is None
