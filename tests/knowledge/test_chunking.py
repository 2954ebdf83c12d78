"""Markdown chunking and alert-rule documents."""

from __future__ import annotations

from pathlib import Path

from smartops.knowledge.alert_rules import chunk_alert_rules
from smartops.knowledge.chunking import chunk_markdown, split_front_matter

SAMPLE = Path(__file__).parent / "data" / "corpus"


def test_front_matter_is_stripped_and_title_kept() -> None:
    meta, body = split_front_matter("---\ntitle: Hello\nurl: /x\n---\n# H\n\ntext\n")
    assert meta == {"title": "Hello", "url": "/x"}
    assert body.startswith("# H")
    chunks = chunk_markdown(
        "---\ntitle: Hello\nurl: /x\n---\n# H\n\ntext\n", "a.md", max_words=50, model="m"
    )
    assert [c.title for c in chunks] == ["Hello"]
    assert chunks[0].url == "/x"
    assert "title:" not in chunks[0].text


def test_heading_path_and_source_are_kept() -> None:
    text = (SAMPLE / "runbooks/KubePodCrashLooping.md").read_text()
    chunks = chunk_markdown(text, "given/path.md", max_words=200, model="m")
    headings = [c.heading for c in chunks]
    assert "Kube Pod Crash Looping > KubePodCrashLooping > Diagnosis" in headings
    assert {c.source for c in chunks} == {"given/path.md"}
    assert all(len(c.hash) == 24 for c in chunks)


def test_code_blocks_and_tables_are_never_cut() -> None:
    code = "```yaml\n" + "\n".join(f"key{i}: value {i} more words" for i in range(60)) + "\n```"
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| row {i} x | cell {i} y |" for i in range(40))
    text = f"# T\n\n## Code\n\nintro words here\n\n{code}\n\n## Table\n\n{table}\n"
    chunks = chunk_markdown(text, "t.md", max_words=40, model="m")
    assert any(code in c.text for c in chunks), "the code block was split"
    assert any(table in c.text for c in chunks), "the table was split"
    for chunk in chunks:
        assert chunk.text.count("```") % 2 == 0


def test_long_paragraphs_are_split_at_the_word_limit() -> None:
    text = "# T\n\n" + " ".join(f"w{i}" for i in range(250)) + "\n"
    chunks = chunk_markdown(text, "p.md", max_words=100, model="m")
    assert [len(c.text.split()) for c in chunks] == [100, 100, 50]
    assert len({c.id for c in chunks}) == 3


def test_ids_are_stable_and_hashes_follow_the_text_and_model() -> None:
    a = chunk_markdown("# T\n\nalpha beta\n", "x.md", max_words=50, model="m")[0]
    b = chunk_markdown("# T\n\nalpha gamma\n", "x.md", max_words=50, model="m")[0]
    c = chunk_markdown("# T\n\nalpha beta\n", "x.md", max_words=50, model="other")[0]
    assert a.id == b.id == c.id
    assert len({a.hash, b.hash, c.hash}) == 3


def test_prometheus_rule_gives_one_document_per_alert() -> None:
    text = (SAMPLE / "alerts/example-rules.yaml").read_text()
    chunks = chunk_alert_rules(text, "alerts/example-rules.yaml", model="m")
    assert len(chunks) == 1  # the recording rule is skipped
    alert = chunks[0]
    assert alert.heading == "KubePodCrashLooping"
    assert alert.kind == "alert"
    assert alert.url.endswith("/kubernetes/kubepodcrashlooping")
    assert alert.meta == {"severity": "warning", "for": "15m"}
    for part in (
        "severity warning",
        "for 15m",
        "Summary: Pod is crash looping.",
        "Expression: max_over_time",
        "Runbook: https://",
    ):
        assert part in alert.text


def test_plain_rule_groups_and_other_yaml() -> None:
    plain = (
        "groups:\n- name: g\n  rules:\n"
        "  - alert: A\n    expr: up == 0\n  - alert: A\n    expr: up == 2\n"
    )
    chunks = chunk_alert_rules(plain, "r.yaml", model="m")
    assert [c.heading for c in chunks] == ["A", "A"]
    assert chunks[0].id != chunks[1].id
    assert chunk_alert_rules("kind: Deployment\nspec: {}\n", "d.yaml", model="m") == []
    assert chunk_alert_rules(": not yaml: [", "bad.yaml", model="m") == []
