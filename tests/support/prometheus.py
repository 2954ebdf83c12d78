"""Real Prometheus and Alertmanager (Debian packages) on free loopback ports, for tests.

Short intervals everywhere (evaluation every second, a 2 s resend delay, 1 s grouping),
clustering off, stopped by PID. ``monitoring_stack`` takes the alerting rules and,
optionally, the URL Alertmanager's webhook receiver posts to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from smartops.stack.procs import Child, free_port
from tests.support.services import require_binary


@dataclass
class Monitoring:
    prometheus: str
    alertmanager: str


def _wait(url: str, child: Child, timeout_s: float = 60) -> None:
    def probe() -> bool:
        try:
            return httpx.get(url, timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    child.wait_ready(probe, timeout_s)


def alertmanager_config(webhook_url: str | None) -> dict[str, Any]:
    receiver: dict[str, Any] = {"name": "test"}
    if webhook_url:
        receiver["webhook_configs"] = [{"url": webhook_url, "send_resolved": True}]
    return {
        "route": {
            "receiver": "test",
            "group_by": ["alertname"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [receiver],
    }


@contextmanager
def monitoring_stack(
    work: Path,
    rules: dict[str, Any],
    webhook_url: str | None = None,
    extra_jobs: dict[str, str] | None = None,
) -> Iterator[Monitoring]:
    """Alertmanager and Prometheus; ``extra_jobs`` maps more scrape jobs to a target."""
    prom_bin = require_binary("prometheus")
    am_bin = require_binary("prometheus-alertmanager")
    am_port, prom_port = free_port(), free_port()
    (work / "am.yml").write_text(yaml.safe_dump(alertmanager_config(webhook_url)))
    (work / "rules.yml").write_text(yaml.safe_dump(rules))
    (work / "prom.yml").write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "alerting": {
                    "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]
                },
                "rule_files": [str(work / "rules.yml")],
                "scrape_configs": [
                    {"job_name": job, "static_configs": [{"targets": [target]}]}
                    for job, target in {
                        "prometheus": f"127.0.0.1:{prom_port}",
                        **(extra_jobs or {}),
                    }.items()
                ],
            }
        )
    )
    am = Child(
        "alertmanager",
        [
            am_bin,
            f"--config.file={work / 'am.yml'}",
            f"--storage.path={work / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ],
        work / "alertmanager.log",
    )
    prom = Child(
        "prometheus",
        [
            prom_bin,
            f"--config.file={work / 'prom.yml'}",
            f"--storage.tsdb.path={work / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--rules.alert.resend-delay=2s",
        ],
        work / "prometheus.log",
    )
    am_url, prom_url = f"http://127.0.0.1:{am_port}", f"http://127.0.0.1:{prom_port}"
    try:
        am.start()
        _wait(f"{am_url}/-/ready", am)
        prom.start()
        _wait(f"{prom_url}/-/ready", prom)
        yield Monitoring(prom_url, am_url)
    finally:
        prom.stop()
        am.stop()
