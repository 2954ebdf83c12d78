"""The check on model-written answers: unknown commands removed, destructive ones never
shown, unknown names and numbers marked, counted; the same line by line when streaming."""

from __future__ import annotations

from smartops.answers import Evidence, StreamChecker, check
from smartops.answers.evidence import evidence_texts

PLANTED = """KubePodCrashLooping means the app dies and Kubernetes restarts it [1].

1. Check the events with `kubectl -n payments describe pod api-7f9`.
2. Delete all of your custom resources to reset the operator.
3. Run `kubectl delete crd --all` to clean up.

```bash
kubectl -n payments logs api-7f9 -c app
rm -rP /var/lib/kubelet
kubectl get pods --field-selector=status.phase=Failed
```

Restart the node with `--delete-all-nodes --force` if it keeps failing.
"""
QUESTION = "Why does pod api-7f9 in namespace payments keep crashing?"


def texts(evidence: list[Evidence]) -> list[str]:
    return evidence_texts(evidence)


def test_planted_wrong_and_destructive_commands_are_removed(
    crashloop_runbook: list[Evidence],
) -> None:
    checked = check(PLANTED, texts(crashloop_runbook), [QUESTION])
    text = checked.text
    for planted in ("rm -rP", "delete crd", "--field-selector", "--delete-all-nodes", "Delete all"):
        body = text.split("> ⚠️", 1)[0]
        assert planted not in body, planted
    # what the runbook says, adapted to the user's own names, stays
    assert "`kubectl -n payments describe pod api-7f9`" in text
    assert "kubectl -n payments logs api-7f9 -c app" in text
    assert "Removed" in text and "destructive" in text
    assert checked.destructive == 4
    assert checked.removed == 5
    assert checked.counts() == {"command": 3, "instruction": 2}
    assert "KubePodCrashLooping means" in text  # the alert's name is in the runbook


def test_a_destructive_command_the_evidence_gives_is_kept() -> None:
    evidence = ["Use `kubectl drain <node name> --ignore-daemonsets` to evict all pods."]
    answer = "Evict the pods first: `kubectl drain <node name> --ignore-daemonsets`."
    checked = check(answer, evidence, ["How do I drain node-3?"])
    assert checked.findings == ()
    assert checked.text == answer


def test_unknown_names_flags_and_numbers_are_marked_not_removed() -> None:
    evidence = ["The alert fires when `kube_pod_container_status_waiting_reason` is 1 for 15m."]
    answer = "It watches `kube_pod_container_status_restarts_total` for 30m and uses 15m."
    checked = check(answer, evidence, [])
    assert "`kube_pod_container_status_restarts_total` *(unverified)*" in checked.text
    assert "30m *(unverified)*" in checked.text
    assert "15m." in checked.text and "15m *(unverified)*" not in checked.text
    assert checked.removed == 0
    assert {f.kind for f in checked.findings} == {"name", "number"}


def test_streaming_gives_the_same_text_as_the_whole_answer(
    crashloop_runbook: list[Evidence],
) -> None:
    whole = check(PLANTED, texts(crashloop_runbook), [QUESTION])
    checker = StreamChecker.of(texts(crashloop_runbook), [QUESTION])
    out = ""
    for start in range(0, len(PLANTED), 7):  # deltas that cut lines and words
        out += checker.feed(PLANTED[start : start + 7])
    out += checker.close()
    assert out.strip() == whole.text
    assert checker.result.removed == whole.removed


def test_streaming_emits_only_completed_lines() -> None:
    checker = StreamChecker.of(["Run `kubectl get pods`."], ["list pods"])
    assert checker.feed("Run `kubectl get po") == ""
    assert checker.feed("ds`.\nAnd then") == "Run `kubectl get pods`.\n"
    assert checker.close().startswith("And then")


def test_russian_conversation_gets_russian_notes() -> None:
    answer, evidence = "Выполните `rm -rf /var/lib/etcd`.", ["etcd stores the state."]
    checked = check(answer, evidence, ["Как починить etcd?"])
    assert "rm -rf" not in checked.text.split("> ⚠️", 1)[0]
    assert "Удалены разрушительные действия" in checked.text


def test_an_answer_cut_inside_a_code_block_is_closed_before_the_note() -> None:
    evidence = ["Run `kubectl get pods` and `kubectl describe pod`."]
    checker = StreamChecker.of(evidence, ["how do I look at pods?"])
    out = checker.feed("2. Run:\n   ```bash\n   kubectl get pods\n   rm -rf /var/lib/etcd\n")
    out += checker.close()
    # the removal note is prose after the code block, not a line inside it
    lines = out.rstrip("\n").split("\n")
    closing = lines.index("   ```", lines.index("   ```bash") + 1)
    assert "rm -rf" not in out.split("> ⚠️", 1)[0]
    assert any(line.startswith("> ⚠️") for line in lines[closing + 1 :]), out
