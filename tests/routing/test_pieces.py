"""The router's parts: typo fixing, features, the evaluation and its command, the
benchmark's figures (their shape, not their speed), the exemplar-vector cache and the
trained-router cache."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from smartops.cli import main
from smartops.routing import bench, exemplars
from smartops.routing.answerers import got_from_response
from smartops.routing.evaluate import Case, Got, load, render, score
from smartops.routing.features import NAMES, explain, features
from smartops.routing.normalize import normalize
from smartops.routing.router import Router


def test_typos_of_command_words_are_fixed_and_names_are_not() -> None:
    assert normalize("restrat deploymnet cart in shop") == "restart deployment cart in shop"
    assert normalize("shwo  pods in   auth") == "show pods in auth"
    assert normalize("scael api-sevrer in shop") == "scale api-sevrer in shop"
    assert normalize("Silense KubePodCrashLooping") == "Silense KubePodCrashLooping"


def test_features_tell_a_question_from_an_order() -> None:
    assert len(features("show pods in shop")) == len(NAMES)
    order = set(explain("show pods in namespace shop right now"))
    assert {"order_start", "ns_phrase", "now"} <= order
    assert "in_name" in explain("pods in shop") and "in_name" not in explain("pods in general")
    question = set(explain("how do I list pods in a namespace?"))
    assert {"howto", "wh_start", "qmark"} <= question and "ns_phrase" not in question
    assert "hash_pod" in explain("logs of api-7d9f8b6c5-x2x4z")
    assert "hash_pod" not in explain("why are non-integer values returned")


def test_figures_count_what_the_targets_are_about() -> None:
    cases = [
        Case("what is a pod", "knowledge", split="dev"),
        Case(
            "pods in shop", "live_read", split="dev", action="get_pods", args={"namespace": "shop"}
        ),
        Case(
            "pods in web",
            "live_read",
            split="heldout",
            action="get_pods",
            args={"namespace": "web"},
        ),
    ]
    gots = [
        Got("clarify"),
        Got("live_read", "get_pods", {"namespace": "shop"}),
        Got("live_read", "get_pods", {"namespace": "shop"}),
    ]
    figures = score(zip(cases, gots, strict=True))
    assert figures["dev"].knowledge == [1, 1]
    assert figures["dev"].actions == [1, 1]
    assert figures["heldout"].actions == [0, 1]
    assert figures["all"].confusion[("knowledge", "clarify")] == 1
    text = render(figures, show_misses=("dev",))
    assert "expected \\ got" in text and "what is a pod" in text and "pods in web" not in text


def test_the_older_format_reads_as_routes(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    rows = [
        {"text": "restart deployment api in shop", "action": "rollout_restart", "args": {}},
        {"text": "restart it", "action": None, "ask": True},
        {"text": "what is a pod", "action": None},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert [c.route for c in load(path)] == ["write", "clarify", "knowledge"]


def test_the_gateway_route_from_the_body_or_the_header() -> None:
    body = {"smartops": {"route": {"route": "live_read", "action": "get_pods", "args": {}}}}
    assert got_from_response(body, None) == Got("live_read", "get_pods", {})
    assert got_from_response({"smartops": {"route": "write"}}, None).route == "write"
    assert got_from_response({}, "investigate").route == "investigate"
    decided = {"route": "live_read", "action": "top_pods", "args": {"sort_by": "cpu"}}
    body = {"smartops": {"route": "live_read", "decision": decided}}
    assert got_from_response(body, None) == Got("live_read", "top_pods", {"sort_by": "cpu"})


def test_a_trained_router_is_kept_and_an_unchanged_start_neither_embeds_nor_trains(
    tmp_path: Path,
) -> None:
    calls: list[int] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return FakeVectors().embed_batch(texts)

    first = Router.build(embed, cache_dir=tmp_path, signature="model-1")
    assert calls == [len(exemplars.load())]
    assert len(list(tmp_path.glob("routing-router-*.npz"))) == 1
    for kept_vectors in tmp_path.glob("routing-exemplars-*.npy"):
        kept_vectors.unlink()  # only the trained router is left to find
    again = Router.build(embed, cache_dir=tmp_path, signature="model-1")
    assert calls == [len(exemplars.load())]  # nothing embedded: nothing trained either
    text = "show pods in shop"
    vector = FakeVectors().embed_query(text)
    assert again.scores(text, vector) == first.scores(text, vector)
    assert again.decide(text, vector) == first.decide(text, vector)
    Router.build(embed, cache_dir=tmp_path, signature="model-2")
    assert calls == [len(exemplars.load())] * 2  # another embedder: a new key
    assert len(list(tmp_path.glob("routing-router-*.npz"))) == 2


def test_eval_intents_prints_the_matrix_per_split(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    rows = [
        {"text": "show crashlooping pods in payments", "route": "live_read", "split": "dev",
         "action": "get_pods", "args": {"namespace": "payments", "reason": "CrashLoopBackOff"}},
        {"text": "How do I restart a deployment?", "route": "knowledge", "split": "heldout"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows))
    runner = CliRunner()
    out = runner.invoke(main, ["eval", "intents", str(path), "--method", "legacy"])
    assert out.exit_code == 0, out.output
    assert "== split dev" in out.output and "== split heldout" in out.output
    assert "right action and arguments: 1/1" in out.output
    as_json = runner.invoke(main, ["eval", "intents", str(path), "--method", "legacy", "--json"])
    data = json.loads(as_json.output)
    assert data["heldout"]["knowledge_to_action_or_ask"] == 0
    assert data["dev"]["actions_right"] == 1


class FakeVectors:
    """Deterministic unit vectors from a text's words (no model)."""

    def embed_query(self, text: str) -> np.ndarray:
        v = np.zeros(384, dtype=np.float32)
        for word in text.lower().split():
            v[zlib.crc32(word.encode()) % 384] += 1.0
        return v / max(float(np.linalg.norm(v)), 1e-9)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.embed_query(t) for t in texts])


def test_the_benchmark_reports_routing_next_to_the_embedding_and_the_load() -> None:
    figures = bench.run(FakeVectors(), ["show pods in shop", "what is a pod"], rounds=3)
    assert figures["routing_ms"]["n"] == 6 and figures["query_embedding_ms"]["n"] == 2
    assert figures["exemplars"] == len(exemplars.load())
    assert {"cpus", "load_1m"} <= set(figures["machine_before"])
    assert "routing" in bench.render(figures)


def test_exemplar_vectors_are_kept_between_starts(tmp_path: Path) -> None:
    calls: list[int] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return FakeVectors().embed_batch(texts)

    first = exemplars.vectors(["a", "b"], embed, tmp_path, "model-1")
    again = exemplars.vectors(["a", "b"], embed, tmp_path, "model-1")
    other = exemplars.vectors(["a", "b"], embed, tmp_path, "model-2")
    assert calls == [2, 2]
    assert np.array_equal(first, again) and other.shape == (2, 384)
