"""Causes recognised in log lines, as a table: each cause, the patterns that prove it (the
first group, when there is one, is what the sentence names: a variable, a file, a host),
in order of precedence. Patterns follow what common runtimes and servers really print."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LogCause:
    key: str
    patterns: tuple[re.Pattern[str], ...]


def _c(key: str, *patterns: str) -> LogCause:
    return LogCause(key, tuple(re.compile(p, re.I) for p in patterns))


LOG_CAUSES: tuple[LogCause, ...] = (
    _c(
        "disk_full",
        r"no space left on device",
        r"\bENOSPC\b",
        r"could not extend file",
        r"disk (?:is )?full",
        r"MISCONF .*unable to persist",
    ),
    _c(
        "command_not_found",
        r'exec: "([^"]+)": executable file not found',
        r"exec (/[\w./-]+): no such file or directory",
        r"^(?:/bin/sh|sh|bash): (?:\d+: )?([\w./-]+): (?:command )?not found",
    ),
    _c("exec_format", r"exec format error"),
    _c(
        "runtime_oom",
        r"(java\.lang\.OutOfMemoryError[^\n]*)",
        r"(JavaScript heap out of memory)",
        r"^(MemoryError)\b",
        r"(fatal error: runtime: out of memory)",
    ),
    _c(
        "missing_env",
        r"(?:missing|required)(?: required)? (?:environment|env)(?: variable| var)?s?[:\s]+"
        r"['\"`]?([A-Z][A-Z0-9_]{1,})",
        r"KeyError: '([A-Z][A-Z0-9_]{1,})'",
        r"(?:environment|env) (?:variable|var) ['\"`]?([A-Z][A-Z0-9_]{1,})['\"`]? (?:is )?"
        r"(?:not set|not defined|required|missing|must be set|is empty)",
        r"Could not resolve placeholder '([\w.-]+)'",
        r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+) (?:is )?(?:not set|must be set|is required|is missing)",
        r"required key ([A-Z][A-Z0-9_]+) missing value",
    ),
    _c(
        "config_parse",
        r"(yaml\.(?:scanner|parser)\.\w+Error[^\n]*)",
        r"(mapping values are not allowed[^\n]*)",
        r"(did not find expected [^\n]*)",
        r"(yaml: line \d+:[^\n]*)",
        r'(unknown directive "[^"]+" in [^\s]+)',
        r'("[^"]+" directive is not allowed here in [^\s]+)',
        r"(json: cannot unmarshal [^\n]*)",
        r"(invalid character '.' looking for [^\n]*)",
        r"(JSONDecodeError[^\n]*)",
        r"(SyntaxError: Unexpected token[^\n]*in JSON[^\n]*)",
        r"(?:^|\s)(toml: [^\n]*)",
        r"((?:error|failed) (?:parsing|loading|reading) (?:config|configuration)[^\n]*)",
        r"(invalid (?:configuration|config)[^\n]*)",
    ),
    _c(
        "missing_file",
        r"No such file or directory: '([^']+)'",
        r"open ([/\w.-]+): no such file or directory",
        r"ENOENT: no such file or directory, (?:open|stat|scandir) '([^']+)'",
        r"FileNotFoundException: ([/\w.-]+)",
        r'open\(\) "([^"]+)" failed \(2: No such file or directory\)',
        r"(?:file|config) (?:not found|does not exist)[:\s]+['\"]?([/\w.-]+)",
        r"can't open file '([^']+)'",
    ),
    _c(
        "permission_denied",
        r"PermissionError: \[Errno 13\] Permission denied: '([^']+)'",
        r'open\(\) "([^"]+)" failed \(13: Permission denied\)',
        r"bind\(\) to ([\d.:\[\]]+) failed \(13: Permission denied\)",
        r"EACCES: permission denied, \w+ '([^']+)'",
        r"(?:open|mkdir|create|write) ([/\w.-]+): permission denied",
        r"listen tcp ([\d.:]*:\d+): bind: permission denied",
        r"([/\w.-]+): Permission denied",
    ),
    _c(
        "auth_failed",
        r'password authentication failed for user "([^"]+)"',
        r"Access denied for user '([^']+)'",
        r"WRONGPASS|NOAUTH",
        r"Authentication failed",
    ),
    _c(
        "dns_failure",
        r'could not translate host name "([^"]+)"',
        r"getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)",
        r"lookup ([\w.-]+)(?: on [\d.:]+)?: no such host",
        r"UnknownHostException: ([\w.-]+)",
        r"([\w.-]+): (?:Name or service not known|Temporary failure in name resolution)",
        r"nslookup: can't resolve '([^']+)'",
    ),
    _c(
        "connection_refused",
        r"dial tcp ([\w.:-]+): connect: connection refused",
        r"connect ECONNREFUSED ([\w.:-]+)",
        r'on host "([^"]+)" \([\d.]+\) and accepting\s+TCP/IP connections on port (\d+)',
        r"(?:Connection to|connect to|connecting to) ((?:[\w-]+\.)+[\w-]+(?::\d+)?|[\w.-]+:\d+)"
        r"[^\n]*(?:refused|failed)",
        r"Error \d+ connecting to ([\w.:-]+)\. Connection refused",
        r"Connection refused[^\n]*?([\w.-]+:\d+)",
        r"Connection refused",
    ),
)

_ERRORISH = re.compile(
    r"\b(error|fatal|panic|exception|critical|crit|emerg|failed|failure|refused|denied|"
    r"traceback|caused by|cannot|can't|unable|not found|no such|missing|invalid)\b",
    re.I,
)
_WARNISH = re.compile(r"\b(warn|warning|level=warn|deprecated|retrying)\b", re.I)


# Where a dependency is named on the lines after the error (libpq, for one, says it there).
_HOST = re.compile(r'on host "([^"]+)"')
_PORT = re.compile(r"\bport (\d{2,5})\b")


@dataclass(frozen=True)
class LogMatch:
    key: str
    what: str
    line: str
    index: int


def match_logs(text: str, keys: tuple[str, ...] | None = None) -> LogMatch | None:
    """The cause a log proves: the last error line that matches a cause, preferring
    error lines over warnings and, on one line, the cause earliest in the table."""
    best: tuple[tuple[int, int], LogMatch] | None = None
    found_all: list[LogMatch] = []
    for index, line in enumerate(text.splitlines()):
        found = _match_line(line, keys)
        if found is None:
            continue
        rank = 0 if _WARNISH.search(line) else 2 if _ERRORISH.search(line) else 1
        candidate = ((rank, index), LogMatch(found[0], found[1], line.strip(), index))
        found_all.append(candidate[1])
        if best is None or candidate[0] >= best[0]:
            best = candidate
    if best is None:
        return None
    chosen = best[1]
    if not chosen.what:  # the same cause, said with its subject on another line: quote that
        named = [m for m in found_all if m.key == chosen.key and m.what]
        chosen = named[-1] if named else chosen
    if chosen.key == "connection_refused" and not chosen.what:
        following = text.splitlines()[chosen.index + 1 : chosen.index + 3]
        return LogMatch(chosen.key, _host_hint(following), chosen.line, chosen.index)
    return chosen


def _host_hint(lines: list[str]) -> str:
    joined = " ".join(lines)
    host, port = _HOST.search(joined), _PORT.search(joined)
    if host is None:
        return ""
    return f"{host.group(1)}:{port.group(1)}" if port else host.group(1)


def _match_line(line: str, keys: tuple[str, ...] | None) -> tuple[str, str] | None:
    for cause in LOG_CAUSES:
        if keys is not None and cause.key not in keys:
            continue
        for pattern in cause.patterns:
            match = pattern.search(line)
            if match:
                what = ":".join(g for g in match.groups() if g) if match.groups() else ""
                return cause.key, what.strip(" '\"`")
    return None


def error_lines(text: str, limit: int) -> list[str]:
    """The error lines of a log, last ones first (what to quote when no cause matched)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if _ERRORISH.search(ln) and not _WARNISH.search(ln)]
    return (errors or lines)[-limit:]
