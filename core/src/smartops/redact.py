"""Mask secrets in any text that can reach a model, an answer, the cache or a log.

One pass, ``redact(text)``, is applied to documents at ingest (before their chunks are
stored and embedded) and again when an older index is read, to action output and audit
records, to user messages before the answer cache stores them, and to log records
(``RedactingFilter``). It masks values, not the words around them (``password=****``),
and leaves placeholders alone (``<password>``, ``${DB_PASSWORD}``, ``$(cat token)``), so
documentation that explains a ``--password`` flag still reads as written. It is
idempotent: redacting redacted text changes nothing.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MASK = "****"
# Raised whenever the patterns change, so stored text masked at a lower level is
# masked again when it is read (the embedded index records the level it was written at).
LEVEL = 1

# Key names whose value is a secret: the name must END with one of these words
# (DB_PASSWORD, client_secret, api-key), so secretName or password_file are not masked.
_WORDS = (
    r"password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|credentials?|session[_-]?(?:id|key)|cookie"
)
# For bare key names (audit arguments, env var names): the word anywhere in the name.
_KEY_RE = re.compile(rf"(?i)^[\w.-]*(?:{_WORDS}|auth|pwd)[\w.-]*$")

_PLACEHOLDER = re.compile(
    r"""(?ix)^(?:
        [<\[{(%$] .*            # <password>, [secret], {{ .Values.x }}, %s, ${VAR}, $(cat f)
      | \*+ | x+ | \.+ | -+ | _+ | \?+  # ****, xxxx, ..., ---
      | true | false | null | none | nil | yes | no | empty | required | optional
      | (?:string|str|bool|int|secret|password|token)  # a type in a reference table
      | [A-Z]+(?:_[A-Z]+)+ | your[\w.-]* | [\w.-]+_here  # BEARER_TOKEN, your-token
      | (?:/|\./|~/)[a-z0-9._-]*(?:/[a-z0-9._-]+)+/?  # a file path
      | [|>][-+]?  # a YAML block scalar (its lines are checked on their own)
    )$"""
)

_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[A-Za-z0-9+/=]*"
    r"(?:(?:\r?\n[ \t>]*|\\n)[A-Za-z0-9+/=]{4,}(?:[ \t]*\.\.\.)?)*"  # body lines (or \n in JSON)
    r"(?:(?:\r?\n[ \t>]*|\\n)?-----END \1PRIVATE KEY-----)?"
)
# The tail of a key block whose BEGIN line fell into the previous chunk.
_PEM_TAIL = re.compile(r"\A[\s>]*(?:[A-Za-z0-9+/=]{16,}\s+)+-----END [A-Z0-9 ]*PRIVATE KEY-----")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_URL_USERINFO = re.compile(r"(://[^\s:/@]+:)([^\s@/]+)(@)")  # scheme://user:password@host
_AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic)([ \t]+)([A-Za-z0-9._~+/=-]{8,})")
_AWS_PAIR = re.compile(
    r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b([^A-Za-z0-9/+\n]{1,40}?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)
# Well-known token shapes, each with the literal a text must hold for it to be tried.
_TOKENS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), ("AKIA", "ASIA")),  # AWS access key ids
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), ("github_pat_",)),  # GitHub
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), ("glpat-",)),  # GitLab
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), ("xox",)),  # Slack
    (re.compile(r"\bxapp-[A-Za-z0-9-]{10,}"), ("xapp-",)),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), ("AIza",)),  # Google API keys
    (re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"), ("k_live_", "k_test_")),  # Stripe
)
_SLACK_HOOK = re.compile(r"(hooks\.slack\.com/services/)[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+")
_ASSIGNMENT = re.compile(
    rf"""(?ix)
    (?P<key>(?:{_WORDS}|(?<![\w.-])auth)["']?)  # the end of the key; "auth": docker config
    (?P<sep>[ \t]*(?::=|=|:)[ \t]*)
    (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"',;&}}\])]+)
    """
)
_CALL = re.compile(r"^[A-Za-z_][\w.]*\(")  # password = getpass.getpass(...): code
# A Kubernetes Secret (YAML): its data/stringData values are masked.
_SECRET_KIND = re.compile(r"""(?m)^[ \t-]*kind:[ \t]*["']?Secret["']?[ \t]*$""")
_DATA_BLOCK = re.compile(r"^([ \t]*)(?:data|stringData):[ \t]*$")
_DATA_ENTRY = re.compile(r"^([ \t]+[\w.-]+:[ \t]*)(\S.*)$")
_DOC_BREAK = re.compile(r"^(?:---|```|~~~)")
# The same in JSON (kubectl get secret -o json).
_SECRET_KIND_JSON = re.compile(r'"kind"\s*:\s*"Secret"')
_DATA_JSON = re.compile(r'("(?:data|stringData)"\s*:\s*\{)([^{}]*)(\})')
_JSON_VALUE = re.compile(r'("[^"\n]*"\s*:\s*)"[^"\n]*"')


def placeholder(value: str) -> bool:
    """Whether a value is a placeholder or already masked (left as written)."""
    bare = value.strip("\"'`")
    return not bare or bool(_PLACEHOLDER.match(bare))


def _assignment(match: re.Match[str]) -> str:
    value = match["value"]
    if placeholder(value) or _CALL.match(value):
        return match[0]
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match['key']}{match['sep']}{quote}{MASK}{quote}"


_KEY_MARKS = ("pass", "secret", "token", "key", "credential", "session", "cookie", "auth")


def _assignments(text: str) -> str:
    """``key=value`` masking, line by line (it never spans lines): only lines naming a
    secret word are matched, which keeps a long document fast."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        low = line.lower()
        if any(mark in low for mark in _KEY_MARKS):
            lines[i] = _ASSIGNMENT.sub(_assignment, line)
    return "\n".join(lines)


def _userinfo(match: re.Match[str]) -> str:
    return match[0] if placeholder(match[2]) else f"{match[1]}{MASK}{match[3]}"


def _auth_header(match: re.Match[str]) -> str:
    credential = match[3]
    if not (any(c.isdigit() or c == "=" for c in credential) or len(credential) >= 24):
        return match[0]  # "Basic authentication", "bearer tokens"
    return f"{match[1]}{match[2]}{MASK}"


def _secret_manifest(text: str) -> str:
    """Mask the values under ``data:``/``stringData:`` of each YAML Secret document."""
    lines = text.split("\n")
    start = 0
    for end in [i for i, line in enumerate(lines) if _DOC_BREAK.match(line)] + [len(lines)]:
        if _SECRET_KIND.search("\n".join(lines[start:end])):
            _mask_data(lines, start, end)
        start = end + 1
    return "\n".join(lines)


def _mask_data(lines: list[str], start: int, end: int) -> None:
    indent: int | None = None  # of the data: line, while inside its block
    scalar: int | None = None  # of an entry whose value is a block scalar (|, >)
    for i in range(start, end):
        line = lines[i]
        depth = len(line) - len(line.lstrip())
        if scalar is not None and (depth > scalar or not line.strip()):
            if line.strip() and not placeholder(line.strip()):
                lines[i] = line[:depth] + MASK
            continue
        scalar = None
        if block := _DATA_BLOCK.match(line):
            indent = len(block[1])
        elif indent is not None and line.strip() and depth <= indent:
            indent = None
        elif indent is not None and (entry := _DATA_ENTRY.match(line)):
            if entry[2].startswith(("|", ">")):
                scalar = depth
            elif not placeholder(entry[2]):
                lines[i] = entry[1] + MASK


def _secret_json(text: str) -> str:
    def inner(match: re.Match[str]) -> str:
        return match[1] + _JSON_VALUE.sub(rf'\1"{MASK}"', match[2]) + match[3]

    return _DATA_JSON.sub(inner, text)


def _tokens(text: str) -> str:
    for pattern, marks in _TOKENS:
        if any(mark in text for mark in marks):
            text = pattern.sub(MASK, text)
    return text


# (a step, substrings one of which the text must hold for the step to run at all)
_STEPS: tuple[tuple[Callable[[str], str], tuple[str, ...]], ...] = (
    (lambda t: _PEM.sub(MASK, t), ("PRIVATE KEY",)),
    (lambda t: _PEM_TAIL.sub(MASK, t), ("PRIVATE KEY",)),
    (lambda t: _JWT.sub(MASK, t), ("eyJ",)),
    (lambda t: _URL_USERINFO.sub(_userinfo, t), ("://",)),
    (lambda t: _AUTH_HEADER.sub(_auth_header, t), ("earer", "EARER", "asic", "ASIC")),
    (lambda t: _AWS_PAIR.sub(rf"{MASK}\2{MASK}", t), ("AKIA", "ASIA")),
    (_tokens, ()),
    (lambda t: _SLACK_HOOK.sub(rf"\1{MASK}", t), ("hooks.slack.com",)),
    (lambda t: _assignments(t), ()),
    (lambda t: _secret_manifest(t) if _SECRET_KIND.search(t) else t, ("Secret",)),
    (lambda t: _secret_json(t) if _SECRET_KIND_JSON.search(t) else t, ('"Secret"',)),
)


def redact(text: str, known: Iterable[str] = ()) -> str:
    """The text with every secret-looking value replaced by ``****``; ``known`` secrets
    (``secrets_in`` a user's message, say) are masked wherever they appear, even bare
    ("your password Sup3r... is wrong")."""
    if not text:
        return text
    for secret in sorted({k for k in known if len(k) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for step, marks in _STEPS:
        if not marks or any(mark in text for mark in marks):
            text = step(text)
    return text


def secrets_in(text: str) -> list[str]:
    """The values ``redact`` masks in a text, as they were written."""
    masked = redact(text)
    if masked == text:
        return []
    found = []
    matcher = difflib.SequenceMatcher(None, text, masked, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and MASK in masked[j1:j2] and text[i1:i2].strip():
            found.append(text[i1:i2])
    return found


def secret_key(key: str) -> bool:
    """Whether a bare key name (an argument, an env var) names a secret."""
    return bool(_KEY_RE.match(key))


def redact_value(value: Any) -> Any:
    """Redact strings inside nested dicts and lists; values of secret keys are masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: _masked_item(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def _masked_item(key: str, value: Any) -> Any:
    if isinstance(value, str) and secret_key(key) and not placeholder(value):
        return MASK
    return redact_value(value)


# Attributes every LogRecord has; anything else came through ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class RedactingFilter(logging.Filter):
    """Redacts a record's message (with its args merged in), its extras and traceback.

    Install it on the handlers (filters on a logger do not see records that propagate
    from child loggers): ``handler.addFilter(RedactingFilter())``. An exception is
    formatted here, redacted, and ``exc_info`` dropped so no formatter prints the raw
    one: the text is left in ``exc_text`` (what ``logging.Formatter`` prints) and in the
    ``error_type`` and ``traceback`` fields (what ``JsonFormatter`` writes).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, _masked_item(key, value))
        if record.exc_info and record.exc_info[0] is not None:
            text = redact(logging.Formatter().formatException(record.exc_info))
            record.error_type = record.exc_info[0].__name__
            record.exc_text = record.traceback = text
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
