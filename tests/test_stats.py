"""One definition of p50 and p95 for the benchmark and the load test (tools/stats.py)."""

import pytest

from tools.stats import latency_summary, percentile


def test_p95_is_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 2.0], 0.95) == 2.0


def test_latency_summary_in_milliseconds():
    summary = latency_summary([0.003, 0.001, 0.002, 0.010])
    assert summary == {"n": 4, "p50_ms": pytest.approx(2.5), "p95_ms": pytest.approx(10.0), "mean_ms": pytest.approx(4.0)}


def test_no_samples_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        percentile([], 0.95)
