"""Words, identifiers and commands: what the extract matches and the check verifies."""

from __future__ import annotations

import re
from functools import lru_cache

from smartops.knowledge.index.bm25 import terms

__all__ = [
    "code_spans",
    "command_in",
    "content_terms",
    "destructive",
    "identifiers",
    "is_command",
    "terms",
]

CLIS = frozenset(
    (
        "kubectl",
        "kn",
        "func",
        "helm",
        "curl",
        "wget",
        "promtool",
        "prometheus",
        "amtool",
        "alertmanager",
        "docker",
        "podman",
        "crictl",
        "ctr",
        "etcdctl",
        "systemctl",
        "journalctl",
        "git",
        "make",
        "smartops",
        "oc",
        "kustomize",
        "istioctl",
        "ko",
        "go",
        "pip",
        "python",
        "python3",
        "cat",
        "ls",
        "df",
        "du",
        "free",
        "top",
        "ps",
        "grep",
        "mount",
        "umount",
        "ip",
        "ethtool",
        "chronyc",
        "timedatectl",
        "ntpq",
        "sysctl",
        "mdadm",
        "lsblk",
        "find",
        "openssl",
        "kubeadm",
        "kubelet",
        "minikube",
        "kind",
        "aws",
        "gsutil",
        "az",
        "jq",
        "rm",
        "mv",
        "cp",
        "tar",
        "kill",
        "pkill",
        "ulimit",
        "lsof",
        "ss",
        "netstat",
        "conntrack",
        "nslookup",
        "dig",
        "mkdir",
        "chmod",
        "chown",
        "sudo",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "brew",
        "kserve",
        "mc",
        "uv",
        "poetry",
        "npm",
        "yarn",
        "cosign",
    )
)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_CAMEL = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z0-9]*\b|\b[A-Z]{2,}[a-z]+[A-Za-z0-9]*\b")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9.-]*[a-z0-9]")
_KEY = re.compile(
    r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)+/[a-z0-9][a-z0-9._-]*\b|\b[a-z]+(?:\.[a-zA-Z]+){2,}\b"
)
_DOTTED = re.compile(r"\b[a-z]+[A-Za-z]*\.[a-z]+[A-Za-z]*(?:\.[A-Za-z]+)*\b")
_NAMES = (_CAMEL, _SNAKE, _FLAG, _KEY, _DOTTED)
_DESTRUCTIVE = re.compile(
    r"(?<![\w-])(?:delete|rm|rmdir|drain|truncate|mkfs|wipefs|purge|uninstall|destroy|"
    r"--force|--grace-period[= ]0|--delete-all-nodes|--all-namespaces\s+--all|--prune|"
    r"--replicas[= ]0\b|kill\s+-9|dd\s+if=)(?![\w-])"
)


def code_spans(text: str) -> list[str]:
    """The inline code spans of a markdown text."""
    return [m.group(1).strip() for m in _CODE_SPAN.finditer(text) if m.group(1).strip()]


def is_command(text: str) -> bool:
    """A shell command line: a known program first (after an optional ``$`` prompt)."""
    words = text.strip().removeprefix("$").strip().split()
    if not words:
        return False
    first = words[0]
    if first in ("sudo", "env") and len(words) > 1:
        first = words[1]
    return first in CLIS and (len(words) > 1 or first in ("ls", "df", "free", "top", "ps"))


def command_in(line: str) -> str:
    """The command of a code line, without its prompt and trailing comment ('' if none)."""
    text = line.strip().removeprefix("$").strip()
    text = re.sub(r"\s+#\s.*$", "", text)
    return text if is_command(text) else ""


def identifiers(text: str) -> set[str]:
    """Names in a text, lower-cased: CamelCase, snake_case, flags, dotted and slashed keys,
    and whatever is in inline code."""
    found = {name.lower() for name in _spans(text, _NAMES)}
    for span in code_spans(text):
        if len(span) <= 60 and " " not in span.strip():
            found.add(span.lower().strip("`.,:;"))
    return {f for f in found if len(f) > 2}


# A capitalised word with a lower-case letter (Terraform, GitLab, DynamoDB), standing alone.
_PROPER = re.compile(r"(?<![\w.\-/`])[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*(?![\w\-/`])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\W*$")


def proper_names(text: str) -> set[str]:
    """The product and project names a question names (lower-cased): capitalised words
    that do not start a sentence. All-capital acronyms (HTTP, S3, L7) are not among them."""
    return {
        m.group(0).lower()
        for m in _PROPER.finditer(text)
        if not _SENTENCE_START.search(text[: m.start()])
    }


_KEBAB = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}(?![\w-])")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _spans(text: str, patterns: tuple[re.Pattern[str], ...]) -> list[str]:
    return list(dict.fromkeys(m.group(0) for p in patterns for m in p.finditer(text)))


def name_spans(text: str) -> list[str]:
    """The names in a text as written: CamelCase, snake_case, flags, dotted keys and
    kebab-case settings of three parts or more (``min-non-active-revisions``)."""
    return [name for name in _spans(text, (*_NAMES, _KEBAB)) if len(name) > 2]


def name_terms(name: str) -> set[str]:
    """The stemmed words a name is made of: ``canaryTrafficPercent`` is canari, traffic,
    percent; ``hpa.autoscaling.knative.dev`` is hpa, autosc..., knativ, dev."""
    return {t for part in _PARTS.findall(name) for t in _word_terms(part.lower())}


_WORD = re.compile(r"[A-Za-z0-9_]+")  # the tokens ``bm25.terms`` reads


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    return tuple(terms(word))


def content_terms(text: str) -> list[str]:
    """The stemmed, stop-word-free terms of a text (Latin script): ``bm25.terms``, one
    word at a time, memoised per word."""
    return [t for word in _WORD.findall(text) for t in _word_terms(word)]


def destructive(text: str) -> list[str]:
    """The destructive words of a command or instruction (delete, rm, drain, --force...)."""
    return [m.group(0) for m in _DESTRUCTIVE.finditer(text)]
