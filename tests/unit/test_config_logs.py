"""Settings from a mapping (func's start(cfg)) and the JSON log format."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import ValidationError

from smartops.config import Settings
from smartops.logs import JsonFormatter, reset_request_id, set_request_id


def test_settings_from_a_mapping_ignore_other_variables() -> None:
    settings = Settings.from_mapping(
        {
            "SMARTOPS_PORT": "9001",
            "SMARTOPS_CORS_ORIGINS": "https://a, https://b",
            "SMARTOPS_API_KEY": "sk-canary-7731",
            "PATH": "/bin",
        }
    )
    assert settings.port == 9001
    assert settings.cors_origins == ["https://a", "https://b"]
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-canary-7731"
    assert "sk-canary-7731" not in repr(settings)


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings.from_mapping({"SMARTOPS_PORT": "70000"})


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTOPS_MODEL_ID", "ops")
    monkeypatch.setenv("SMARTOPS_CORS_ORIGINS", "https://x")
    settings = Settings()
    assert settings.model_id == "ops"
    assert settings.cors_origins == ["https://x"]


def test_log_lines_are_json_with_request_id_and_extras() -> None:
    record = logging.LogRecord(
        "smartops.test", logging.INFO, __file__, 1, "hello %s", ("you",), None
    )
    record.stage = "cache"
    token = set_request_id("rid-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        reset_request_id(token)
    entry = json.loads(line)
    assert entry["msg"] == "hello you"
    assert entry["request_id"] == "rid-1"
    assert entry["stage"] == "cache"
    assert entry["level"] == "INFO"


def test_exceptions_are_logged_as_fields() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["error_type"] == "ValueError"
    assert "boom" in entry["traceback"]
