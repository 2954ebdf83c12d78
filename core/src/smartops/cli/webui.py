"""``smartops webui``: Open WebUI in front of the gateway, offline on loopback."""

from __future__ import annotations

import click

from smartops import webui
from smartops.cli.common import load_settings, mapped_errors
from smartops.logs import configure_logging


@click.command("webui")
@click.option("--port", type=int, default=None, help="Open WebUI's port (0: a free one).")
@click.option("--gateway-port", type=int, default=None, help="The gateway's port (0: free).")
@click.option(
    "--gateway-url", default=None, help="Use this gateway (/v1 URL) instead of starting one."
)
@click.option("--keep-data", is_flag=True, help="Keep Open WebUI's chats from the last start.")
@mapped_errors
def webui_command(
    port: int | None, gateway_port: int | None, gateway_url: str | None, keep_data: bool
) -> None:
    """Start the embedded stack and Open WebUI; prints READY <url> once both answer."""
    settings = load_settings(webui_port=port, port=gateway_port, webui_gateway_url=gateway_url)
    configure_logging(settings.log_level)
    webui.serve(settings, fresh=not keep_data)
