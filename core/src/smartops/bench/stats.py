"""Percentiles for benchmark figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99, mean and n of samples in seconds, reported in milliseconds."""
    values = np.asarray(samples_s, dtype=float) * 1000
    return {
        "p50": round(float(np.percentile(values, 50)), 3),
        "p95": round(float(np.percentile(values, 95)), 3),
        "p99": round(float(np.percentile(values, 99)), 3),
        "mean": round(float(values.mean()), 3),
        "n": int(values.size),
    }
