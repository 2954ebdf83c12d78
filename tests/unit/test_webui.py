"""The Open WebUI launcher's configuration (no processes started here)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from smartops import webui
from smartops.config import Settings
from smartops.errors import InvalidRequest, UpstreamUnavailable


def test_environment_points_open_webui_at_the_gateway_offline(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_key="s3cret", model_id="smartops")
    env = webui.environment(settings, "http://127.0.0.1:9000/v1", tmp_path / "w", 8123, "key")
    assert env["OPENAI_API_BASE_URL"] == "http://127.0.0.1:9000/v1"
    assert env["OPENAI_API_KEY"] == "s3cret"
    assert env["ENABLE_OLLAMA_API"] == "false"
    assert env["OFFLINE_MODE"] == "true" and env["HF_HUB_OFFLINE"] == "1"
    assert env["ENABLE_FORWARD_USER_INFO_HEADERS"] == "true"
    assert env["DATA_DIR"] == str((tmp_path / "w").resolve())
    assert env["WEBUI_SECRET_KEY"] == "key"
    assert env["WEBUI_AUTH"] == "False"
    assert env["DEFAULT_MODELS"] == "smartops"
    assert env["CORS_ALLOW_ORIGIN"] == "http://127.0.0.1:8123;http://localhost:8123"
    assert env["ENABLE_TITLE_GENERATION"] == "false"
    model = Path(env["RAG_EMBEDDING_MODEL"])
    assert model.is_dir() and (model / "config.json").is_file()


def test_environment_keeps_no_smartops_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path)
    monkeypatch.setenv("SMARTOPS_API_KEY", "must-not-leak")
    env = webui.environment(settings, "http://g/v1", tmp_path, 1, "k")
    assert not [key for key in env if key.startswith("SMARTOPS_")]
    assert env["OPENAI_API_KEY"] == "smartops-local"


def test_gateway_url_is_the_stack_or_the_configured_one(tmp_path: Path) -> None:
    assert webui.gateway_url(Settings(host="0.0.0.0"), 8001) == "http://127.0.0.1:8001/v1"
    own = Settings(webui_gateway_url="https://gw.example/v1/")
    assert webui.gateway_url(own, 8001) == "https://gw.example/v1"
    with pytest.raises(InvalidRequest, match="http"):
        webui.gateway_url(Settings(webui_gateway_url="gw:8000"), 8001)


def test_data_dir_is_fresh_unless_kept_and_its_secret_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "webui"
    secret = webui.prepare_data_dir(folder, fresh=True)
    (folder / "webui.db").write_text("chats")
    assert len(secret) >= 32
    assert stat.S_IMODE((folder / "secret-key").stat().st_mode) == 0o600
    assert webui.prepare_data_dir(folder, fresh=False) == secret
    assert (folder / "webui.db").exists()
    assert webui.prepare_data_dir(folder, fresh=True) != secret
    assert not (folder / "webui.db").exists()


def test_missing_open_webui_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(UpstreamUnavailable, match="make webui"):
        webui.executable(Settings(webui_venv=tmp_path / "nowhere"))


def test_gateway_trusts_exactly_its_own_open_webui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTOPS_ACTIONS_TRUSTED_PROXIES", "0.0.0.0/0")
    settings = Settings(data_dir=tmp_path, actions_trusted_proxies="0.0.0.0/0")
    child, _ = webui.gateway_child(settings, 8123)
    assert child.env is not None
    assert child.env["SMARTOPS_ACTIONS_TRUSTED_PROXIES"] == "127.0.0.1/32"
    assert webui.own_webui_cidr(Settings(host="0.0.0.0")) == "127.0.0.1/32"
    assert webui.own_webui_cidr(Settings(host="::1")) == "::1/128"
    assert webui.own_webui_cidr(Settings(host="10.1.2.3")) == "10.1.2.3/32"
    with pytest.raises(InvalidRequest):
        webui.own_webui_cidr(Settings(host="gateway.example"))
