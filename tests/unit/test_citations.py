"""Sources a person can open: links in the sources list, and the gateway's section pages."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import SecretStr

from smartops.citations import anchor_of, base_url, docs_link, render_sources, section_link
from smartops.config import Settings
from smartops.edge import create_app
from smartops.gateway import sections
from smartops.knowledge.documents import Chunk, make_chunk
from smartops.metrics import Metrics
from smartops.turn import Source

RUNBOOK = Source("kubernetes/KubePodCrashLooping.md", "Kube Pod Crash Looping", "T > Diagnosis")
RULE = Source("alerts/rules.yaml", "KubePodCrashLooping", "", "https://runbooks.example/crash")


def test_each_source_is_a_link_to_its_url_or_its_section_page() -> None:
    settings = Settings(host="0.0.0.0", port=8123)
    text = render_sources([RUNBOOK, RULE, RUNBOOK], settings, "Why is my pod crash looping?")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == "**Sources**" and len(lines) == 3  # deduplicated
    assert lines[2] == "2. [`alerts/rules.yaml`](https://runbooks.example/crash)"
    link = lines[1].split("](", 1)[1].split(")", 1)[0]
    assert link.startswith("http://127.0.0.1:8123/v1/sections?")
    query = parse_qs(urlsplit(link).query)
    assert query == {"source": [RUNBOOK.source], "heading": [RUNBOOK.heading]}
    assert lines[1].endswith(" — T > Diagnosis")


def test_sources_heading_follows_the_language_and_public_url_wins() -> None:
    settings = Settings(public_url="https://ops.example/smartops/")
    text = render_sources([RUNBOOK], settings, "Почему под перезапускается?")
    assert "**Источники**" in text and "**Sources**" not in text
    assert base_url(settings) == "https://ops.example/smartops"
    other = Settings(public_url="https://x")
    assert section_link(RUNBOOK, other).startswith("https://x/v1/sections?source=")
    assert render_sources([], settings, "q") == ""


def chunk(source: str, heading: str, text: str, ordinal: int = 0) -> Chunk:
    return make_chunk(
        source=source,
        title="Kube Pod Crash Looping",
        heading=heading,
        text=text,
        ordinal=ordinal,
        model="m",
    )


CHUNKS = [
    chunk("kubernetes/KubePodCrashLooping.md", "T > Meaning", "The app dies."),
    chunk("kubernetes/KubePodCrashLooping.md", "T > Diagnosis", "Run `kubectl describe`."),
    chunk("kubernetes/KubePodCrashLooping.md", "T > Diagnosis > Logs", "<script>x()</script>"),
    chunk("other.md", "T > Diagnosis", "Not this one."),
    chunk("old.md", "T > Setup", "Log in with password: hunter2-Secret-Value please."),
]


def client(settings: Settings) -> httpx.AsyncClient:
    app = create_app("test", Metrics(), settings.max_body_bytes, metrics_route=False)
    sections.add_routes(app, settings, chunks=lambda: CHUNKS)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_section_page_renders_that_section_escaped() -> None:
    async with client(Settings()) as http:
        response = await http.get(
            "/v1/sections",
            params={"source": "kubernetes/KubePodCrashLooping.md", "heading": "T > Diagnosis"},
        )
        whole = await http.get(
            "/v1/sections", params={"source": "kubernetes/KubePodCrashLooping.md"}
        )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<code>kubectl describe</code>" in page and "T &gt; Diagnosis &gt; Logs" in page
    assert "The app dies." not in page and "Not this one." not in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # raw HTML shown, never run
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "The app dies." in whole.text and "Not this one." not in whole.text


async def test_section_page_never_leaves_the_index_and_needs_the_key() -> None:
    async with client(Settings()) as http:
        for source in ("../../etc/passwd", "/etc/passwd", "kubernetes/Missing.md"):
            response = await http.get("/v1/sections", params={"source": source})
            assert response.status_code == 404, source
            assert "root:" not in response.text
        missing = await http.get(
            "/v1/sections", params={"source": "other.md", "heading": "T > Nope"}
        )
        assert missing.status_code == 404
        assert (await http.get("/v1/sections")).status_code == 400
    async with client(Settings(api_key=SecretStr("k3y"))) as http:
        params = {"source": "other.md"}
        assert (await http.get("/v1/sections", params=params)).status_code == 401
        allowed = await http.get(
            "/v1/sections", params=params, headers={"Authorization": "Bearer k3y"}
        )
        assert allowed.status_code == 200 and "Not this one." in allowed.text


async def test_section_page_masks_secrets_an_older_index_still_holds() -> None:
    async with client(Settings()) as http:
        page = (await http.get("/v1/sections", params={"source": "old.md"})).text
    assert "Log in with" in page and "hunter2-Secret-Value" not in page


def test_cited_titles_and_headings_are_clean_at_ingest() -> None:
    from smartops.knowledge.chunking import chunk_markdown

    text = (
        '---\ntitle: \'Budgets for {{< glossary_tooltip text="Pods" term_id="pod" >}}\'\n---\n'
        "## Example [PDB](/docs/pdb) {#pdb-example}\n\nSome text.\n\n"
        '!!! note "Careful"\n    Admonition body.\n\n--8<-- "snippet.md"\n\n'
        "## `kubectl` **usage**\n\nMore text.\n"
    )
    chunks = chunk_markdown(text, "docs/pdb.md", max_words=200, model="m")
    assert {c.title for c in chunks} == {"Budgets for Pods"}
    assert [c.heading for c in chunks] == [
        "Budgets for Pods > Example PDB",
        "Budgets for Pods > kubectl usage",
    ]
    assert "8<" not in chunks[0].text and "!!!" not in chunks[0].text


def test_with_an_api_key_each_section_link_carries_its_own_signature() -> None:
    settings = Settings(api_key=SecretStr("k3y"), port=8123)
    link = section_link(RUNBOOK, settings)
    query = parse_qs(urlsplit(link).query)
    assert len(query["sig"][0]) == 32
    other = Source(RUNBOOK.source, RUNBOOK.title, "T > Meaning")
    assert parse_qs(urlsplit(section_link(other, settings)).query)["sig"] != query["sig"]
    rekeyed = Settings(api_key=SecretStr("another"), port=8123)
    assert section_link(RUNBOOK, rekeyed) != link
    assert "sig=" not in section_link(RUNBOOK, Settings())


async def test_a_signed_link_opens_its_section_without_the_key_and_nothing_else() -> None:
    settings = Settings(api_key=SecretStr("k3y"))
    source = Source("kubernetes/KubePodCrashLooping.md", "T", "T > Diagnosis")
    query = parse_qs(urlsplit(section_link(source, settings)).query)
    params = {k: v[0] for k, v in query.items()}
    async with client(settings) as http:
        opened = await http.get("/v1/sections", params=params)
        assert opened.status_code == 200 and "kubectl describe" in opened.text
        # The same signature does not open another section or document, nor a forged one.
        for changed in ({"heading": "T > Meaning"}, {"source": "other.md"}, {"sig": "0" * 32}):
            response = await http.get("/v1/sections", params={**params, **changed})
            assert response.status_code == 401, changed
            assert response.json()["error"]["code"] == "missing_api_key", changed


def test_project_docs_links_point_at_the_docs_site_or_the_indexed_page() -> None:
    published = Settings(docs_url="https://docs.example/smartops/")
    assert docs_link(published, "actions.md", "connecting-a-cluster") == (
        "https://docs.example/smartops/actions.md#connecting-a-cluster"
    )
    local = docs_link(Settings(port=8123), "actions.md", "connecting-a-cluster")
    assert local.startswith("http://127.0.0.1:8123/v1/sections?source=docs%2Factions.md")
    assert local.endswith("#connecting-a-cluster")
    assert anchor_of("Allowing writes: the policy file") == "allowing-writes-the-policy-file"


async def test_section_headings_carry_their_anchor() -> None:
    async with client(Settings()) as http:
        page = await http.get(
            "/v1/sections", params={"source": "kubernetes/KubePodCrashLooping.md"}
        )
    assert '<h2 id="diagnosis">T &gt; Diagnosis</h2>' in page.text


def test_every_docs_link_of_the_replies_names_a_page_and_heading_that_exist() -> None:
    """The replies' "Details" links (prompts/*.j2, ``link(page, anchor)``) open a real
    page of docs/ at one of its headings, so a renamed heading breaks this test."""
    root = Path(__file__).resolve().parents[2]
    calls = {
        match
        for template in (root / "core/src/smartops/prompts").glob("*.j2")
        for match in re.findall(r'link\("([^"]+)", *"([^"]*)"\)', template.read_text())
    }
    assert ("actions.md", "allowing-writes-the-policy-file") in calls
    for page, anchor in calls:
        text = (root / "docs" / page).read_text()
        headings = re.findall(r"^#{1,6} (.+)$", text, re.M)
        assert headings, page
        if anchor:
            assert anchor in {anchor_of(h) for h in headings}, (page, anchor)
