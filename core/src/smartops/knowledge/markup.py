"""Site-generator syntax in markdown sources, turned into the plain text it renders as.

- **Hugo** (Kubernetes docs, runbooks): heading anchors ``{#id}``, shortcodes: the
  glossary tooltip becomes its text, ``{{% heading "whatsnext" %}}`` its heading ("What's
  next"), code samples their file name; notes, feature states and the like disappear;
  ``<!-- overview -->`` markers and other HTML comments too. Diagrams (mermaid, as a
  shortcode or a fenced block) are dropped: their source is drawn, not read.
- **MkDocs Material** (Knative): admonitions ``!!! note "Title"`` become ``Note: Title``,
  content tabs ``=== "kubectl"`` their label, snippet includes ``--8<-- "file.md"`` go.
- **Docusaurus** (KServe): ``import`` lines, admonitions ``:::tip Title`` ... ``:::``
  (``Tip: Title``) and MDX components (``<Tabs>``, ``<TabItem label="YAML">``).

Only prose is rewritten: fenced code blocks pass through untouched.
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"<!--.*?-->", re.S)
# A diagram's source (``{{< mermaid >}}`` or a ```` ```mermaid ```` block) is drawn, not read.
_DIAGRAM = re.compile(
    r"\{\{<\s*mermaid\b[^>]*>\}\}.*?\{\{<\s*/mermaid\s*>\}\}"
    r"|^([ \t]*)(```|~~~)[ \t]*mermaid\b.*?^\1\2[ \t]*$",
    re.S | re.M,
)
_TOOLTIP = re.compile(r"\{\{<\s*glossary_tooltip\b([^>]*)>\}\}")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_HEADING_CODE = re.compile(r"\{\{%\s*heading\s+\"(\w+)\"\s*%\}\}")
_NAMED_HEADING = re.compile(r"\{\{%\s*(whatsnext|prerequisites|objectives|cleanup)-heading\s*%\}\}")
_SAMPLE = re.compile(
    r"\{\{[<%]\s*(?:codenew|code_sample|code)\b[^}]*?file=\"([^\"]+)\"[^}]*[%>]\}\}"
)
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.S)
_MDX_IMPORT = re.compile(r"^import\s+.+\s+from\s+['\"].+['\"];?\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_ANCHOR = re.compile(r"\s*\{#[\w.:-]+\}")
_ADMONITION = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s*(\w+)(?:\s+\"([^\"]*)\")?\s*$")
_TAB = re.compile(r"^(\s*)===\+?\s+\"([^\"]+)\"\s*$")
_SNIPPET = re.compile(r"^\s*-{2}8<-{2}\s.*$")
_DOCUSAURUS = re.compile(r"^\s*:::\s*(\w+)?\s*(.*?)\s*$")
_COMPONENT = re.compile(r"</?[A-Z][A-Za-z]+\b([^<>]*?)/?>")
_FENCE = re.compile(r"^\s*(```|~~~)")
HEADINGS = {
    "whatsnext": "What's next",
    "prerequisites": "Before you begin",
    "objectives": "Objectives",
    "cleanup": "Clean up",
    "synopsis": "Synopsis",
    "options": "Options",
    "seealso": "See also",
}


def _tooltip(match: re.Match[str]) -> str:
    attrs: dict[str, str] = dict(_ATTR.findall(match.group(1)))
    return attrs.get("text") or attrs.get("term_id", "").replace("-", " ")


def _heading(name: str) -> str:
    return HEADINGS.get(name, name.replace("_", " ").capitalize())


def _component(match: re.Match[str]) -> str:
    attrs: dict[str, str] = dict(_ATTR.findall(match.group(1)))
    return attrs.get("label") or attrs.get("title") or ""


def hugo(text: str) -> str:
    """Comments and Hugo shortcodes resolved (see the module docstring)."""
    text = _COMMENT.sub("", text)
    text = _DIAGRAM.sub("", text)
    text = _TOOLTIP.sub(_tooltip, text)
    text = _HEADING_CODE.sub(lambda m: _heading(m.group(1)), text)
    text = _NAMED_HEADING.sub(lambda m: _heading(m.group(1)), text)
    text = _SAMPLE.sub(r"\1", text)
    return _SHORTCODE.sub("", text)


def prose_line(line: str) -> str | None:
    """One line of prose in plain text; None when nothing of it remains to read."""
    if _MDX_IMPORT.match(line) or _SNIPPET.match(line):
        return None
    if m := _ADMONITION.match(line):
        title = f" {m.group(3)}" if m.group(3) else ""
        return f"{m.group(1)}{m.group(2).capitalize()}:{title}"
    if m := _TAB.match(line):
        return f"{m.group(1)}{m.group(2)}:"
    if m := _DOCUSAURUS.match(line):
        if not m.group(1):
            return None
        return f"{m.group(1).capitalize()}: {m.group(2)}".rstrip() if m.group(2) else None
    return _ANCHOR.sub("", _COMPONENT.sub(_component, line))


def heading_text(text: str) -> str:
    """A heading or title as a reader sees it: shortcodes resolved, links as their text,
    no anchor, no emphasis or code marks."""
    text = _LINK.sub(r"\1", hugo(text))
    return _ANCHOR.sub("", text).replace("`", "").replace("**", "").strip()


def plain(body: str) -> str:
    """The markdown body with its site-generator syntax rendered (code blocks kept)."""
    out: list[str] = []
    prose: list[str] = []  # links may span lines: replaced per run of prose lines

    def flush() -> None:
        if prose:
            out.append(_LINK.sub(r"\1", "\n".join(prose)))
            prose.clear()

    fence = ""
    for line in hugo(body).splitlines():
        marker = _FENCE.match(line)
        if fence or marker:
            flush()
            out.append(line)
            if fence and marker and marker.group(1) == fence:
                fence = ""
            elif not fence and marker:
                fence = marker.group(1)
            continue
        cleaned = prose_line(line)
        if cleaned is not None:
            prose.append(cleaned)
    flush()
    return "\n".join(out)
