"""The InferenceGraph file, the local runner's Sequence semantics, and the model chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.graph import (
    PROMPT_NODE,
    Graph,
    GraphRunner,
    Step,
    load_graph,
    model_call,
)
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import ingest
from smartops.knowledge.kserve_models import ASSEMBLER, EMBEDDER, RETRIEVER, build_models

REPO = Path(__file__).resolve().parents[2]
GRAPH = REPO / "inferencegraph" / "knowledge.yaml"
SCHEMA = REPO.parent / "shared/schemas/serving.kserve.io/inferencegraph_v1alpha1.json"


def test_graph_file_validates_against_the_crd_schema() -> None:
    if not SCHEMA.is_file():
        pytest.skip("the InferenceGraph CRD schema (../shared/schemas) is not beside the repo")
    doc = yaml.safe_load(GRAPH.read_text())
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    steps = doc["spec"]["nodes"]["prompt"]["steps"]
    assert [s["serviceName"] for s in steps] == [EMBEDDER, RETRIEVER, ASSEMBLER]
    assert all(s["dependency"] == "Hard" for s in steps)
    assert [s.get("data") for s in steps[1:]] == ["$response", "$response"]
    llm = doc["spec"]["nodes"]["root"]["steps"][1]
    assert llm["serviceUrl"].endswith("/openai/v1/chat/completions")


def recorder(name: str, log: list[tuple[str, Any]], status: int = 200):  # type: ignore[no-untyped-def]
    async def call(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        log.append((name, body))
        return status, {"from": name, "n": body.get("n", 0) + 1}

    return call


async def test_sequence_data_condition_and_dependency() -> None:
    log: list[tuple[str, Any]] = []
    graph = Graph(
        "g",
        {
            "root": [
                Step("a", service_name="a", dependency="Hard"),
                Step("b", service_name="b", data="$response", dependency="Hard"),
                Step("c", service_name="c"),  # $request: gets the original body
                Step("d", service_name="d", data="$response", condition="missing.key"),
            ]
        },
    )
    calls = {n: recorder(n, log) for n in "abcd"}
    result = await GraphRunner(graph, calls).run({"n": 10})
    assert [name for name, _ in log] == ["a", "b", "c"]
    assert log[1][1] == {"from": "a", "n": 11}
    assert log[2][1] == {"n": 10}
    assert result.stopped_at == "d" and result.body == {"from": "c", "n": 11}
    assert set(result.timings_ms) == {"a", "b", "c"}


async def test_hard_failure_stops_and_soft_failure_goes_on() -> None:
    log: list[tuple[str, Any]] = []
    soft = Graph("g", {"root": [Step("a", service_name="a"), Step("b", service_name="b")]})
    calls = {"a": recorder("a", log, 500), "b": recorder("b", log)}
    assert (await GraphRunner(soft, calls).run({})).status == 200
    hard = Graph(
        "g", {"root": [Step("a", service_name="a", dependency="Hard"), Step("b", service_name="b")]}
    )
    result = await GraphRunner(hard, calls).run({})
    assert result.status == 500 and result.stopped_at == "a"
    nested = Graph(
        "g",
        {
            "root": [Step("n", node_name="inner"), Step("x", service_name="b", condition="from")],
            "inner": [Step("i", service_name="b")],
        },
    )
    result = await GraphRunner(nested, calls).run({})
    assert result.status == 200 and result.body["from"] == "b" and "i" in result.timings_ms


@pytest.mark.slow
async def test_models_chain_assembles_a_cited_prompt(
    corpus: Path, settings: Settings, embedder: Embedder
) -> None:
    ingest([str(corpus)], settings, open_index(settings), embedder)
    models = build_models(settings, embedder, open_index(settings))
    for model in models.values():
        model.load()
    runner = GraphRunner(load_graph(GRAPH), {n: model_call(m) for n, m in models.items()})
    question = "What should I do when a pod is crash looping?"
    body = {"instances": [{"query": question, "messages": [{"role": "user", "content": question}]}]}
    result = await runner.run(body, PROMPT_NODE)
    assert result.status == 200, result.body
    request = result.body
    assert request["model"] == "test-model"
    assert request["messages"][-1] == {"role": "user", "content": question}
    context = request["smartops"]["context"]
    assert [c["n"] for c in context] == list(range(1, len(context) + 1))
    assert context[0]["source"].endswith("KubePodCrashLooping.md")
    assert f"[1] {context[0]['label']}" in request["messages"][0]["content"]
    assert "complete" not in request["smartops"]  # the LLM step's condition stays false
    assert set(result.timings_ms) == {"embedder", "retriever", "prompt-assembler"}

    tight = {"instances": [{**body["instances"][0], "budget": 120}]}
    small = (await runner.run(tight, PROMPT_NODE)).body["smartops"]
    assert small["dropped"] > 0 and len(small["context"]) < len(context)
    scores = [c["score"] for c in small["context"]]
    assert min(c["score"] for c in context[: len(scores)]) <= min(scores)

    bad = await runner.run({"instances": [{"nothing": 1}]}, PROMPT_NODE)
    assert bad.status == 400 and bad.stopped_at == "embedder"
