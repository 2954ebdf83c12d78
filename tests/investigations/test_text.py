# ruff: noqa: RUF001  (the Russian questions are Cyrillic on purpose)
"""What a question asks to investigate, in English and Russian, and what an alert's labels
point at; questions that are not about one object are left alone."""

from __future__ import annotations

import pytest

from smartops.investigate import Target, language_of, target_from_labels, target_from_text

CASES = [
    ("what's wrong with pod cart-6f7d9c-x8k2p in shop?", ("pod", "cart-6f7d9c-x8k2p", "shop")),
    ("What is wrong with deployment api -n payments", ("deployment", "api", "payments")),
    ("why is deployment/checkout not ready", ("deployment", "checkout", "")),
    (
        "why does the stock-sync deployment keep restarting in inventory?",
        ("deployment", "stock-sync", "inventory"),
    ),
    ("why is pod api-1 stuck in Pending in payments", ("pod", "api-1", "payments")),
    ("why is pod api-1 in CrashLoopBackOff", ("pod", "api-1", "")),
    ("why is payments-api crashing in payments?", ("", "payments-api", "payments")),
    ("investigate node worker-3", ("node", "worker-3", "")),
    ("why is pvc data-pg-0 pending in db", ("pvc", "data-pg-0", "db")),
    (
        "diagnose statefulset es-data in the logging namespace",
        ("statefulset", "es-data", "logging"),
    ),
    ("why do etl-worker pods in batch keep disappearing?", ("pod", "etl-worker", "batch")),
    (
        "what is going on with pod ledger-api-3c4d5e6f7a-n7m6b in finance?",
        ("pod", "ledger-api-3c4d5e6f7a-n7m6b", "finance"),
    ),
    ("что с подом cart-6f7d9c-x8k2p в shop?", ("pod", "cart-6f7d9c-x8k2p", "shop")),
    ("что не так с деплойментом orders в неймспейсе orders?", ("deployment", "orders", "orders")),
    ("почему деплоймент api не готов", ("deployment", "api", "")),
    (
        "почему под pdf-render-7a8b в reports висит в Pending?",
        ("pod", "pdf-render-7a8b", "reports"),
    ),
    ("разберись с сервисом checkout в shop", ("service", "checkout", "shop")),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_questions_name_their_object(question: str, expected: tuple[str, str, str]) -> None:
    target = target_from_text(question)
    assert target is not None
    assert (target.kind, target.name, target.namespace) == expected


def test_alert_questions() -> None:
    alone = target_from_text("why is alert KubeHpaMaxedOut firing in shop")
    assert alone == Target(kind="alert", alert="KubeHpaMaxedOut", namespace="shop")
    both = target_from_text("why is KubePodCrashLooping firing for pod api-1 in payments?")
    assert both is not None
    assert (both.kind, both.name, both.alert) == ("pod", "api-1", "KubePodCrashLooping")
    assert target_from_text("почему горит алерт KubeJobFailed?") == Target(
        kind="alert", alert="KubeJobFailed"
    )


@pytest.mark.parametrize(
    "question",
    [
        "how do I restart a deployment?",
        "what is a pod disruption budget?",
        "why are pods pending?",
        "kubectl get pods -n shop",
        "show crashlooping pods in payments",
        "what does KubePodCrashLooping mean?",
        "что такое сервис аккаунт",
    ],
)
def test_not_about_one_object(question: str) -> None:
    assert target_from_text(question) is None


def test_alert_labels_most_specific_first() -> None:
    labels = {
        "alertname": "KubePodCrashLooping",
        "namespace": "shop",
        "pod": "cart-1",
        "container": "cart",
        "job": "kube-state-metrics",
    }
    assert target_from_labels(labels) == Target(
        kind="pod", name="cart-1", namespace="shop", alert="KubePodCrashLooping", labels=labels
    )
    job = target_from_labels({"alertname": "KubeJobFailed", "namespace": "r", "job_name": "n-1"})
    assert job is not None and (job.kind, job.name) == ("job", "n-1")
    node = target_from_labels(
        {"alertname": "KubeNodeNotReady", "node": "worker-4", "namespace": "monitoring"}
    )
    assert node is not None and (node.kind, node.namespace) == ("node", "")
    assert target_from_labels({"alertname": "Watchdog"}) is None


def test_language() -> None:
    assert language_of("что с подом cart-1") == "ru"
    assert language_of("what's wrong with pod cart-1") == "en"
