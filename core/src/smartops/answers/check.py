"""The check on a model-written answer: nothing in it that the evidence does not say.

Every command, flag, resource or metric name, annotation or config key and number must
appear in the evidence or the conversation. A command that does not is removed with the
sentence (or code line) holding it; a sentence that tells the user to delete, drain or
force something the evidence does not is removed too; other unknown names and numbers
are marked "(unverified)". Each is a ``Finding``; a note at the end says what was removed.

``StreamChecker`` does the same line by line, for an answer that streams: ``feed`` each
delta and send what it returns (checked, complete lines), then ``close``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from smartops import prompts
from smartops.answers.clean import clean_markdown
from smartops.answers.language import language_of
from smartops.answers.models import Checked, Finding, FindingKind, Language
from smartops.answers.parse import code_commands
from smartops.answers.terms import code_spans, command_in, content_terms, destructive
from smartops.answers.units import split_sentences
from smartops.markdown import Fence, toggle

_FLAG = re.compile(r"(?<![\w-])--?[a-zA-Z][\w.-]*")
_NAME = re.compile(
    r"(?<![\w./-])(?:[A-Za-z]*[a-z][A-Z][A-Za-z0-9]*|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|"
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)+/[a-z0-9][\w.-]*|--[a-z][\w.-]*)(?![\w/-])"
)
_NUMBER = re.compile(
    r"(?<![\w.\[-])(\d+(?:\.\d+)?)(?:%|ms|s|m|h|d|w|Mi|Gi|Ki|Ei|MiB|GiB)?(?![\w.\]])"
)
_LIST_MARK = re.compile(r"^(\s*)(\d+[.)]\s)")
_PREFIX = re.compile(r"^\s*(?:[-*+]\s+|\d{1,3}[.)]\s+|>\s*|#{1,6}\s+)*")
_INSTRUCTION = re.compile(
    r"\b(delete|deleting|remove|removing|erase|wipe|purge|drain|destroy|uninstall|"
    r"force[- ]delete|scale\b.{0,40}\b(?:to )?(?:0|zero) replicas?)\b|удал|снест|очист|стерет",
    re.I,
)
_PLACEHOLDER = re.compile(r"^(?:\$\{?\w+\}?|<[^>]+>|\{[^}]+\}|[A-Z][A-Z0-9_]+|\.|-|\||\\)$")
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.replace("`", " ")).strip().lower()


@dataclass
class Known:
    """What the answer may say: the evidence and the conversation, indexed for lookups."""

    text: str
    words: frozenset[str]
    commands: tuple[str, ...]
    numbers: frozenset[str]
    terms: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, evidence_texts: Sequence[str], conversation: Sequence[str]) -> Known:
        texts = [*(clean_markdown(t) for t in evidence_texts), *conversation]
        joined = _norm("\n".join(texts))
        commands: list[str] = []
        for text in texts:
            commands += [command_in(s) for s in code_spans(text)]
            commands += code_commands(text, "")
        return cls(
            text=joined,
            words=frozenset(re.findall(r"[\w$<>{}./:=-]+", joined)),
            commands=tuple(_norm(c) for c in commands if c),
            numbers=frozenset(re.findall(r"\d+(?:\.\d+)?", joined)),
            terms=tuple(frozenset(content_terms(s)) for t in texts for s in split_sentences(t)),
        )

    def has(self, token: str) -> bool:
        return _norm(token) in self.text

    def command_ok(self, command: str) -> bool:
        """Said by the evidence: verbatim, or the same program and subcommand with flags
        and words that all occur (in that command, or as values in the conversation)."""
        c = _norm(command)
        if c in self.text:
            return True
        words = c.split()
        for known in self.commands:
            k = known.split()
            if k[:2] != words[:2]:
                continue
            flags_ok = all(w.split("=")[0] in known for w in words if w.startswith("-"))
            danger_ok = all(d.lower() in known for d in destructive(c))
            rest_ok = all(
                w.startswith("-") or w in k or w in self.words or _PLACEHOLDER.match(w)
                for w in words[2:]
            )
            if flags_ok and danger_ok and rest_ok:
                return True
        return False

    def instruction_ok(self, sentence: str) -> bool:
        """A destructive instruction the evidence also gives (same verb, same objects)."""
        mine = set(content_terms(sentence))
        verb = _INSTRUCTION.search(sentence)
        stem = verb.group(0).lower()[:5] if verb else ""
        for terms in self.terms:
            if stem and not any(t.startswith(stem[:4]) for t in terms):
                continue
            shared = len(mine & terms)
            if shared >= max(2, len(mine) // 2):
                return True
        return False


@dataclass
class StreamChecker:
    """Checks an answer as it streams: complete lines in, checked lines out."""

    known: Known
    language: Language = "en"
    findings: list[Finding] = field(default_factory=list)
    _buffer: str = ""
    _fence: Fence | None = None
    _out: list[str] = field(default_factory=list)
    _blank: bool = True

    @classmethod
    def of(
        cls,
        evidence_texts: Sequence[str],
        conversation: Sequence[str],
        language: Language | None = None,
    ) -> StreamChecker:
        lang = language or language_of(conversation[-1] if conversation else "")
        return cls(Known.of(evidence_texts, conversation), lang)

    def feed(self, delta: str) -> str:
        """Checked text for every line completed by ``delta`` ('' while a line is open)."""
        self._buffer += delta
        if "\n" not in self._buffer:
            return ""
        done, self._buffer = self._buffer.rsplit("\n", 1)
        return self._emit(done.split("\n"))

    def close(self) -> str:
        """The rest of the answer, checked, and the note on what was removed."""
        tail = self._emit([self._buffer]) if self._buffer else ""
        self._buffer = ""
        if self._fence is not None:  # cut inside a code block (max tokens): close it, or
            tail += self._fence.closing + "\n"  # what follows (the Sources) renders as code
            self._fence = None
        note = self._note()
        return tail + (f"\n{note}\n" if note else "")

    @property
    def result(self) -> Checked:
        return Checked(text="".join(self._out).strip(), findings=tuple(self.findings))

    def _emit(self, lines: list[str]) -> str:
        out = ""
        for line in lines:
            checked = self._line(line)
            if checked is None or (self._blank and not checked.strip()):
                continue  # removed, or a second blank line where a line was removed
            self._blank = not checked.strip()
            out += checked + "\n"
        self._out.append(out)
        return out

    def _line(self, line: str) -> str | None:
        toggled, self._fence = toggle(line, self._fence)
        if toggled:
            return line
        if self._fence is not None:
            return self._code_line(line)
        prefix = _PREFIX.match(line)
        head, body = (prefix.group(0), line[prefix.end() :]) if prefix else ("", line)
        if not body.strip():
            return line
        kept = [k for k in (self._sentence(s) for s in split_sentences(body)) if k is not None]
        return head + " ".join(kept) if kept else None

    def _code_line(self, line: str) -> str | None:
        command = command_in(line)
        if command:
            return line if self._command(command) else None
        bad = self._tokens(line, code=True)
        return (
            f"{line}  # unverified"
            if bad and self._fence and self._fence.lang in ("", "yaml", "yml", "bash", "sh")
            else line
        )

    def _sentence(self, sentence: str) -> str | None:
        commands = [command_in(s) for s in code_spans(sentence)] or [command_in(sentence)]
        for command in (c for c in commands if c):
            if not self._command(command):
                return None
        if _INSTRUCTION.search(sentence) and not self.known.instruction_ok(sentence):
            self.findings.append(Finding("instruction", sentence.strip(), "removed", True))
            return None
        text = sentence
        for token in self._tokens(sentence, code=False):
            text = _mark(text, token, self._unverified_label())
        return text

    def _command(self, command: str) -> bool:
        if self.known.command_ok(command):
            return True
        danger = bool(destructive(command))
        self.findings.append(Finding("command", command, "removed", danger))
        return False

    def _tokens(self, text: str, *, code: bool) -> list[str]:
        """Names, flags, keys and numbers of ``text`` the evidence lacks (recorded)."""
        bad: list[str] = []
        seen: set[str] = set()
        scrubbed = re.sub(r"\[\d+\]", " ", text)
        for match in _NAME.finditer(scrubbed):
            token = match.group(0)
            if token not in seen and not self.known.has(token):
                seen.add(token)
                bad.append(token)
                self.findings.append(Finding(_kind(token), token, "marked"))
        for match in _NUMBER.finditer(_LIST_MARK.sub(" ", scrubbed)):
            number = match.group(1)
            if number not in seen and number not in self.known.numbers:
                seen.add(number)
                bad.append(match.group(0))
                self.findings.append(Finding("number", match.group(0), "marked"))
        return bad

    def _unverified_label(self) -> str:
        return "(не подтверждено)" if self.language == "ru" else "(unverified)"

    def _note(self) -> str:
        removed = [f for f in self.findings if f.action == "removed"]
        if not removed:
            return ""
        return prompts.render(
            "answer_check_note",
            language=self.language,
            commands=[f.text for f in removed if f.kind == "command" and not f.destructive],
            destructive=[f.text for f in removed if f.destructive],
        )


def _kind(token: str) -> FindingKind:
    if token.startswith("-"):
        return "flag"
    return "key" if "/" in token or "." in token else "name"


def _mark(text: str, token: str, label: str) -> str:
    """``token`` in ``text`` followed by the label, once (inside code spans: after the span)."""
    span = re.search(r"`[^`]*" + re.escape(token) + r"[^`]*`", text)
    if span:
        if text[span.end() :].startswith(f" *{label}*"):
            return text  # the span is marked already
        return text[: span.end()] + f" *{label}*" + text[span.end() :]
    where = re.search(r"(?<![\w.-])" + re.escape(token) + r"(?![\w-])", text)
    if not where:
        return text
    return text[: where.end()] + f" *{label}*" + text[where.end() :]


def check(
    answer: str,
    evidence_texts: Sequence[str],
    conversation: Sequence[str],
    *,
    language: Language | None = None,
) -> Checked:
    """The answer with unverified commands removed and other unknown tokens marked."""
    checker = StreamChecker.of(evidence_texts, conversation, language)
    text = checker.feed(answer) + checker.close()
    return Checked(text=text.strip(), findings=tuple(checker.findings))
