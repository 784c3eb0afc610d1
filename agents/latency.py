"""The latency histogram of ``agent_performance``: fixed, log-spaced buckets.

Bucket ``i`` (0-based here, 1-based in SQL arrays) counts executions whose
duration ``d`` (ms) satisfies ``BOUNDS[i] <= d < BOUNDS[i + 1]``; the last bucket
is open-ended. After ``[0, 10)`` the lower bounds grow by a factor of 2^(1/4)
(rounded to whole milliseconds) up to 655,360 ms (about 11 minutes), so every
bucket is at most 21.4% wider than its lower bound. The SQL function
``agent_latency_bucket_bounds()`` returns the same array (a test keeps them equal).

Percentiles (``agent_latency_percentile(histogram, fraction, max_ms)`` in SQL,
:func:`percentile` here) use the nearest-rank definition: the k-th smallest
duration with ``k = ceil(fraction * n)``. The histogram tells exactly which
bucket holds it; the estimate interpolates linearly inside that bucket (and
never exceeds the recorded maximum). So the estimate and the true value share a
bucket: the error is below that bucket's width, i.e. under 10 ms for durations
below 10 ms and under 21.4% of the true value above (the open last bucket is
bounded by the day's maximum instead).
"""

from __future__ import annotations

import bisect
import math
from fractions import Fraction

BOUNDS = (
    0, 10, 12, 14, 17, 20, 24, 28, 34, 40, 48, 57, 67, 80, 95, 113, 135, 160, 190, 226, 269, 320, 381, 453, 538,
    640, 761, 905, 1076, 1280, 1522, 1810, 2153, 2560, 3044, 3620, 4305, 5120, 6089, 7241, 8611, 10240, 12177,
    14482, 17222, 20480, 24355, 28963, 34443, 40960, 48710, 57926, 68886, 81920, 97420, 115852, 137772, 163840,
    194840, 231705, 275545, 327680, 389679, 463410, 551090, 655360,
)  # fmt: skip
BUCKET_COUNT = len(BOUNDS)
# Widest bucket relative to its lower bound (14 -> 17 ms): the percentile tolerance above 10 ms.
MAX_RELATIVE_WIDTH = max((BOUNDS[i + 1] - BOUNDS[i]) / BOUNDS[i] for i in range(1, BUCKET_COUNT - 1))


def bucket_index(duration_ms: int) -> int:
    """0-based bucket of a duration (SQL: ``width_bucket(d, bounds)``, 1-based)."""
    if duration_ms < 0:
        raise ValueError("duration must be >= 0")
    return bisect.bisect_right(BOUNDS, duration_ms) - 1


def bucket_range(index: int) -> tuple[int, int | None]:
    """``[low, high)`` of a bucket; ``high`` is None for the open last bucket."""
    return BOUNDS[index], BOUNDS[index + 1] if index + 1 < BUCKET_COUNT else None


def empty_histogram() -> list[int]:
    return [0] * BUCKET_COUNT


def histogram_of(durations) -> list[int]:
    counts = [0] * BUCKET_COUNT
    for d in durations:
        counts[bucket_index(d)] += 1
    return counts


def percentile(histogram, fraction: float, max_ms: int | None = None) -> int | None:
    """Python twin of SQL ``agent_latency_percentile``: same rounding, same result."""
    total = sum(histogram)
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            low, high = bucket_range(index)
            if high is None:
                high = max(max_ms or low, low)
            # Exact arithmetic, like SQL numeric, so both round the same way.
            estimate = low + (high - low) * (Fraction(rank - seen) - Fraction(1, 2)) / count
            estimate = math.floor(estimate + Fraction(1, 2))
            if max_ms is not None:
                estimate = min(estimate, max_ms)
            return int(estimate)
        seen += count
    return None
