"""The OpenAI-compatible gateway (FastAPI): the endpoint Open WebUI and clients talk to."""

from smartops.gateway.app import create_app

__all__ = ["create_app"]
