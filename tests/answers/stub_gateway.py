"""A stand-in gateway for the answer evaluation's tests: OpenAI streaming, smartops extra.

Run as ``python -m tests.answers.stub_gateway PORT``. Every question gets the same
answer about KubePodCrashLooping in three chunks, except a question about Terraform,
which gets the abstention. The answer names the mode asked for; the final chunk
carries ``smartops.sources``.
"""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = ["KubePodCrashLooping fires after ", "`15m` at severity warning.", "\n\n**Sources**\n"]
ABSTAIN = "I could not find this in the indexed documentation, so I won't guess."


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        question = body["messages"][-1]["content"]
        mode = self.headers.get("X-Smartops-Answer-Mode", "")
        pieces = (
            [ABSTAIN] if "Terraform" in question else [*ANSWER[:2], f" (mode: {mode})", ANSWER[2]]
        )
        sources = [] if "Terraform" in question else [{"source": "runbooks/KubePodCrashLooping.md"}]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
        for piece in pieces:
            time.sleep(0.01)
            chunk = {**base, "choices": [{"index": 0, "delta": {"content": piece}}]}
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        final = {
            **base,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "smartops": {"sources": sources, "mode": mode},
        }
        self.wfile.write(b"data: " + json.dumps(final).encode() + b"\n\ndata: [DONE]\n\n")


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
