"""The gateway built as func's host builder would build it, served by func-python."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER
from tests.support import funcbuild

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_gateway_builds_as_a_function_and_serves_a_chat(
    repo_root: Path, llm_url: str, tmp_path: Path
) -> None:
    scaffold = funcbuild.build(
        repo_root, repo_root / "core", tmp_path, preinstall=("torch==2.13.0",)
    )
    env = {
        "SMARTOPS_LLM_BASE_URL": llm_url,
        "SMARTOPS_LLM_REQUEST_ID_HEADER": EMBEDDED_LLM_REQUEST_ID_HEADER,
    }
    with funcbuild.serve(scaffold, env, tmp_path / "function.log") as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        assert [m.id for m in client.models.list()] == ["smartops"]
        completion = client.chat.completions.create(
            model="smartops",
            max_tokens=16,
            messages=[{"role": "user", "content": "Say hello"}],
        )
        assert (completion.choices[0].message.content or "").strip()
        stream = client.chat.completions.create(
            model="smartops",
            max_tokens=16,
            stream=True,
            messages=[{"role": "user", "content": "Say hello"}],
        )
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices).strip()
    log = (tmp_path / "function.log").read_text()
    assert '"msg": "function started", "function": "gateway"' in log  # start(cfg) ran
