"""Latency statistics of one time-grid point: percentiles per repeat, medians over repeats.

A *time-grid point* is one (batch size, sequence length) pair of the report's latency grid
(the word "cell" is kept for RNN cells). NumPy only.
"""

from __future__ import annotations

import time

import numpy as np


def stats(latencies_s, batch) -> dict:
    """Percentiles, max, mean (ms) and throughput (examples/s) of one repeat.

    Args:
        latencies_s: seconds per call.
        batch: examples per call.

    Returns:
        ``{"p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms", "throughput_eps"}``.

    Example:

    >>> s = stats([0.001, 0.002, 0.003, 0.004], batch=8)
    >>> s["p50_ms"], s["max_ms"], round(s["throughput_eps"])
    (2.5, 4.0, 3200)
    """
    ms = np.asarray(latencies_s) * 1000.0
    return {"p50_ms": float(np.percentile(ms, 50)), "p90_ms": float(np.percentile(ms, 90)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()),
            "mean_ms": float(ms.mean()),
            "throughput_eps": float(batch * len(ms) / (ms.sum() / 1000.0))}


def median_stats(per_repeat: list[dict]) -> dict:
    """Median over repeats of each statistic (order is kept: p50 ≤ p90 ≤ p99 ≤ max).

    Args:
        per_repeat: one :func:`stats` dict per repeat.

    Returns:
        The same keys, each the median over repeats.

    Example:

    >>> median_stats([{"p50_ms": 1.0}, {"p50_ms": 3.0}, {"p50_ms": 2.0}])
    {'p50_ms': 2.0}
    """
    return {key: float(np.median([r[key] for r in per_repeat])) for key in per_repeat[0]}


def time_grid_point(call, batch, repeats, calls, warmup_calls, target_s=0.25) -> dict:
    """Time ``call`` at one grid point: warm-up calls, then ``repeats`` × ``calls`` timed.

    Args:
        call: runs one batch (and waits for its result).
        batch: examples per call (for the throughput).
        repeats: timed repeats.
        calls: calls per repeat; ``None``/0: as many as fit in ``target_s`` (10..200).
        warmup_calls: untimed calls first.
        target_s: the adaptive repeat's target duration.

    Returns:
        :func:`median_stats` of the repeats, plus ``calls_per_repeat`` and ``repeats``.

    Example:

    >>> point = time_grid_point(lambda: sum(range(100)), batch=1, repeats=3, calls=5,
    ...                         warmup_calls=1)
    >>> point["repeats"], point["calls_per_repeat"], point["p50_ms"] <= point["max_ms"]
    (3, 5, True)
    """
    for _ in range(warmup_calls):
        call()
    if not calls:
        start = time.perf_counter()
        call()
        one = max(time.perf_counter() - start, 1e-6)
        calls = int(min(200, max(10, target_s / one)))
    per_repeat = []
    for _ in range(repeats):
        lat = []
        for _ in range(calls):
            start = time.perf_counter()
            call()
            lat.append(time.perf_counter() - start)
        per_repeat.append(stats(lat, batch))
    return {**median_stats(per_repeat), "calls_per_repeat": calls, "repeats": repeats}
