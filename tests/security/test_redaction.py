"""The one redaction pass: what it masks, what it must leave readable, and its logs."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from smartops.config import Settings
from smartops.knowledge.alert_rules import chunk_alert_rules
from smartops.knowledge.chunking import chunk_markdown
from smartops.knowledge.ingest import YAML, discover, parse_file
from smartops.logs import JsonFormatter
from smartops.redact import MASK, RedactingFilter, redact, secrets_in
from tests.security.conftest import AWS_KEY_ID, AWS_SECRET, DOCUMENT, PASSWORD, leaks

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "tests" / "knowledge" / "data" / "corpus"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ"


@pytest.mark.parametrize(
    "text",
    [
        f"password={PASSWORD}",
        f"DB_PASSWORD: {PASSWORD}",
        f'{{"db": {{"password": "{PASSWORD}"}}}}',
        f"export API_TOKEN='{PASSWORD}'",
        f"https://orders:{PASSWORD}@db.internal:5432/orders",
        f"curl -H 'Authorization: Bearer {JWT}' https://api",
        f"token {JWT}",
        f"{AWS_KEY_ID} {AWS_SECRET}",
        f"aws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}",
        f'{{"AccessKeyId": "{AWS_KEY_ID}", "SecretAccessKey": "{AWS_SECRET}"}}',
        "-----BEGIN RSA PRIVATE KEY-----\n"
        f"MIIEpAIBAAKCAQEA{PASSWORD}\n-----END RSA PRIVATE KEY-----",
        "kind: Secret\ndata:\n  password: " + PASSWORD + "\n  tls.key: |\n    " + PASSWORD,
        '{"kind": "Secret", "data": {"password": "' + PASSWORD + '"}}',
    ],
)
def test_secrets_are_masked_and_a_second_pass_changes_nothing(text: str) -> None:
    masked = redact(text)
    assert leaks(masked) == [] and JWT not in masked
    assert MASK in masked
    assert redact(masked) == masked


@pytest.mark.parametrize(
    "token",
    [
        "ghp_" + "a1B2c3D4" * 5,
        "github_pat_" + "11ABCDEFG0" * 4,
        "glpat-" + "x1Y2z3W4v5U6t7S8r9Q0",
        "xoxb-" + "1234567890-abcdefABCDEF",
        "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/" + "c" * 24,
    ],
)
def test_vendor_tokens_are_masked(token: str) -> None:
    assert token[-12:] not in redact(f"use {token} to post")


@pytest.mark.parametrize(
    "text",
    [
        "Pass `--password` to make psql prompt for the password.",
        "Set `password: <secret>` in the scrape config, or `password_file: /etc/prom/pw`.",
        "secretName: orders-tls",
        "automountServiceAccountToken: false",
        "bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token",
        "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db",
        "DB_PASSWORD: ${DB_PASSWORD}",
        "Basic authentication and bearer tokens are both supported.",
        "http://<user>:<password>@host:9090/metrics",
        "kind: ConfigMap\ndata:\n  log_level: debug",
        "author: Jane Doe",
        "password = getpass.getpass('password: ')",
        "GET /api/orders 200 12ms user=alice replicas=3",
    ],
)
def test_documentation_without_values_stays_as_written(text: str) -> None:
    assert redact(text) == text


def test_secrets_found_in_a_message_are_masked_where_an_answer_echoes_them() -> None:
    message = f"login fails with password={PASSWORD}, why?"
    assert secrets_in(message) == [PASSWORD]
    answer = f"The password {PASSWORD} was rejected: reset it."
    assert redact(answer) == answer  # bare, nothing marks it as a secret ...
    assert redact(answer, secrets_in(message)) == f"The password {MASK} was rejected: reset it."


def test_the_canary_document_keeps_its_explanations() -> None:
    masked = redact(DOCUMENT)
    assert leaks(masked) == []
    assert "Pass `--password` to make psql prompt for the password" in masked
    assert "Rotate the key pair every 90 days with `aws iam create-access-key`." in masked


def test_few_chunks_of_the_real_corpus_change() -> None:
    """False positives stay rare: about 0.6% of the corpus's chunks hold a masked value,
    all of them example credentials (Secret manifests, docker auth, sample passwords)."""
    folder = CORPUS if CORPUS.is_dir() else SAMPLE
    settings = Settings()
    total = changed = 0
    for source, file in discover([str(folder)]):
        text = file.read_text(encoding="utf-8", errors="replace")
        if file.suffix.lower() in YAML:
            plain = chunk_alert_rules(text, source, model="m")
        else:
            plain = chunk_markdown(text, source, max_words=settings.chunk_words, model="m")
        masked = parse_file(source, file, settings, "m")
        assert len(masked) == len(plain)  # a mask never changes how a file is cut
        total += len(plain)
        changed += sum(a.text != b.text for a, b in zip(plain, masked, strict=True))
    assert total > 0
    assert changed / total < 0.01, f"{changed} of {total} chunks changed"


def test_the_logging_filter_redacts_messages_args_extras_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.security.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.warning("login as %s with password=%s", "orders", PASSWORD)
        logger.info("upstream", extra={"url": f"postgres://u:{PASSWORD}@db/x", "token": JWT})
        try:
            raise ConnectionError(f"cannot connect with {AWS_KEY_ID}")
        except ConnectionError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["msg"] == f"login as orders with password={MASK}"
    assert lines[1]["url"] == f"postgres://u:{MASK}@db/x" and lines[1]["token"] == MASK
    assert lines[2]["error_type"] == "ConnectionError"
    assert f"cannot connect with {MASK}" in lines[2]["traceback"]
    assert leaks(stream.getvalue()) == []


def test_a_plain_formatter_prints_the_redacted_traceback() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError(f"password={PASSWORD}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "ValueError: password=****" in text and leaks(text) == []


def test_hits_from_an_index_built_before_redaction_are_masked_at_answer_time() -> None:
    from smartops.knowledge.documents import Hit, make_chunk

    chunk = make_chunk(
        source="old.md",
        title="Old",
        heading="Old > DB",
        text=f"password={PASSWORD}",
        ordinal=0,
        model="m",
    )
    hit = Hit(chunk, 0.5).redacted()
    assert hit.chunk.text == f"password={MASK}" and hit.score == 0.5
    clean = Hit(make_chunk(source="a.md", title="", heading="", text="ok", ordinal=0, model="m"), 1)
    assert clean.redacted() is clean
