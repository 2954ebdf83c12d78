"""Site-generator syntax out of evidence text: what Hugo, MkDocs and Docusaurus leave behind.

Chunking already drops comments, Hugo shortcodes and MDX imports; evidence from other
places (the docs cache, alert documents, a reindex) may still carry them, and MkDocs
admonitions, content tabs and snippet includes, Docusaurus admonitions and JSX tags and
heading anchors are never dropped there. ``clean_markdown`` removes all of it and keeps
the content: an admonition's or tab's body is dedented to plain text.
"""

from __future__ import annotations

import re

_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TOOLTIP = re.compile(r"\{\{<\s*glossary_tooltip[^>]*?text=\"([^\"]*)\"[^>]*>\}\}")
_TOOLTIP_TERM = re.compile(r"\{\{<\s*glossary_tooltip[^>]*?term_id=\"([^\"]*)\"[^>]*>\}\}")
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.S)
_ANCHOR = re.compile(r"\s*\{#[\w.:-]+\}")
_ATTRS = re.compile(r"\s*\{:?\s*\.[\w-]+[^}]*\}")
_MDX_IMPORT = re.compile(r"^\s*import\s+[\w{}\s,*]+\s+from\s+['\"][^'\"]+['\"];?\s*$")
_ADMONITION = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s*\w+(?:\s+\"[^\"]*\")?\s*$")
_TAB = re.compile(r"^(\s*)===\+?\s+\"[^\"]*\"\s*$")
_SNIPPET = re.compile(r"^\s*-{1,2}8<-{1,2}\s.*$")
_DOCUSAURUS = re.compile(r"^\s*:::\s*\w*(?:\[[^\]]*\]|\s+.*)?\s*$")
_JSX = re.compile(r"</?[A-Z][A-Za-z]*(?:\s[^<>]*)?/?>")
_HTML = re.compile(
    r"</?(?:div|span|br|p|img|a|details|summary|sup|sub|b|i|em|strong|u|small|kbd)\b[^<>]*>",
    re.I,
)
_HTML_CODE = re.compile(r"<code\b[^<>]*>(.*?)</code>", re.I)
_ESCAPED = re.compile(r"\\([_*`#\[\]])")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BLANKS = re.compile(r"\n{3,}")


def _dedent_blocks(lines: list[str]) -> list[str]:
    """Drop admonition and tab markers; their indented bodies become plain lines."""
    out: list[str] = []
    stack: list[int] = []
    for line in lines:
        if line.strip():
            indent = len(line) - len(line.lstrip(" "))
            while stack and indent < stack[-1] + 4:
                stack.pop()
            marker = _ADMONITION.match(line) or _TAB.match(line)
            if marker:
                stack.append(indent)
                continue
            cut = min(4 * len(stack), indent)
            line = line[cut:]
        out.append(line)
    return out


def _clean_line(line: str) -> str | None:
    """One line outside code: None drops it."""
    if _MDX_IMPORT.match(line) or _SNIPPET.match(line) or _DOCUSAURUS.match(line):
        return None
    line = _HTML_CODE.sub(lambda m: f"`{_HTML.sub('', m.group(1))}`", line)
    line = _ESCAPED.sub(r"\1", line)
    line = _ANCHOR.sub("", line)
    line = _ATTRS.sub("", line)
    line = _JSX.sub("", line)
    line = _HTML.sub("", line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    return _REF_LINK.sub(r"\1", line)


def clean_markdown(text: str) -> str:
    """The text without front matter, shortcodes, admonition/tab markers, anchors, JSX."""
    text = _FRONT_MATTER.sub("", text)
    text = _COMMENT.sub("", text)
    text = _TOOLTIP.sub(r"\1", text)
    text = _TOOLTIP_TERM.sub(lambda m: m.group(1).replace("-", " "), text)
    text = _SHORTCODE.sub("", text)
    out: list[str] = []
    fenced = False
    for line in _dedent_blocks(text.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line.strip())
            continue
        if fenced:
            out.append(line)
            continue
        cleaned = _clean_line(line)
        if cleaned is not None:
            out.append(cleaned.rstrip())
    return _BLANKS.sub("\n\n", "\n".join(out)).strip()


_LEAKS = (
    re.compile(r"\{\{[<%]"),
    re.compile(r"\{#[\w.:-]+\}"),
    re.compile(r"^\s*(?:!!!|\?\?\?)\s*\w+", re.M),
    re.compile(r"^\s*-{1,2}8<-", re.M),
    re.compile(r"^\s*:::", re.M),
    re.compile(r"^\s*import\s+\w+\s+from\s+['\"]", re.M),
    re.compile(r"\A---\s*\n"),
    re.compile(r"</?(?:Tabs|TabItem)\b"),
)


def leaks(text: str) -> list[str]:
    """Site-generator syntax still in ``text`` (empty when it is clean)."""
    return [m.group(0) for pattern in _LEAKS for m in pattern.finditer(text)]
