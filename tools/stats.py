"""Latency summaries: one definition of p50 and p95 for the benchmark and the load test."""

from __future__ import annotations

import math
import statistics


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list: the smallest value with ``fraction`` of the values at or below it."""
    if not ordered:
        raise ValueError("percentile of no values")
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


def latency_summary(seconds: list[float]) -> dict:
    """n, p50 (median), p95 (nearest rank) and mean of samples in seconds, in milliseconds."""
    ordered = sorted(seconds)
    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }
