"""The five claims of the LSTM-vs-GRU comparison, each *confirmed*, *refuted* or *not
resolved at this budget*, with the number behind it.

Rules (GRU/LSTM ratios are paired by seed, :func:`seqkit.study.stats.paired_ratio`; a
"95% CI" is its t-interval over seeds):

- **GRU has fewer parameters**: an exact count, the same for every seed: confirmed when
  the ratio is < 1, else refuted (seeds do not matter).
- **GRU uses less training memory** (activation memory of a training step),
  **GRU trains faster** (steady-state seconds per optimizer step), **GRU serves faster**
  (p50 latency of the export at batch 64): with fewer than :data:`MIN_SEEDS` seeds, not
  resolved; confirmed when the whole 95% CI of the ratio is below 1; refuted when it is
  at or above 1, or when it lies inside ``[1/(1+m), 1+m]`` with the practical margin
  :data:`PRACTICAL_MARGIN` m = 5% (no difference worth the name); else not resolved.
- **GRU is as accurate** (non-inferiority with an explicit equivalence margin): for an
  accuracy (higher is better) the paired difference GRU − LSTM must have its 95% CI lower
  bound at or above −:data:`ACCURACY_MARGIN` (2 accuracy points) to confirm; an upper bound
  below −2 points refutes. For an error such as MASE (lower is better) the GRU/LSTM ratio's
  upper bound must be at most 1 + :data:`ERROR_MARGIN` (5% worse) to confirm; a lower bound
  above it refutes. Using the two-sided 95% bound makes each one-sided test a 97.5% one
  (conservative). Otherwise, or with fewer than :data:`MIN_SEEDS` seeds, not resolved.

Example:

>>> from seqkit.study.verdicts import cost_verdict
>>> v = cost_verdict("GRU trains faster", {"ratio": 0.8, "low": 0.75, "high": 0.85, "n": 3})
>>> v["verdict"], v["number"]
('confirmed', '0.80× (95% CI 0.75–0.85, n=3)')
"""

from __future__ import annotations

MIN_SEEDS = 3
PRACTICAL_MARGIN = 0.05
ACCURACY_MARGIN = 0.02
ERROR_MARGIN = 0.05
CONFIRMED, REFUTED, UNRESOLVED = "confirmed", "refuted", "not resolved at this budget"

#: claim → (the quantity compared, what the ratio means)
CLAIMS = {
    "GRU has fewer parameters": "params",
    "GRU uses less training memory": "activation_mb",
    "GRU trains faster": "s_per_step",
    "GRU serves faster": "p50_b64_ms",
    "GRU is as accurate": "quality",
}


def _ratio_text(r: dict) -> str:
    if r.get("ratio") is None:
        return "no measurement"
    if r.get("low") is None:
        return f"{r['ratio']:.2f}× (n={r.get('n', 0)}, no interval)"
    return f"{r['ratio']:.2f}× (95% CI {r['low']:.2f}–{r['high']:.2f}, n={r['n']})"


def params_verdict(ratio: float | None) -> dict:
    """The parameter claim: an exact count, confirmed when GRU/LSTM < 1.

    Args:
        ratio: GRU parameters / LSTM parameters.

    Returns:
        ``{"claim", "verdict", "number"}``.

    Example:

    >>> params_verdict(0.75)["verdict"], params_verdict(1.0)["verdict"]
    ('confirmed', 'refuted')
    """
    claim = "GRU has fewer parameters"
    if ratio is None:
        return {"claim": claim, "verdict": UNRESOLVED, "number": "no measurement"}
    return {"claim": claim, "verdict": CONFIRMED if ratio < 1 else REFUTED,
            "number": f"{ratio:.3f}× (exact count)"}


def cost_verdict(claim: str, ratio: dict) -> dict:
    """A cost claim ("GRU is lighter/faster") from the paired GRU/LSTM ratio and its CI.

    Args:
        claim: the claim's words (a key of :data:`CLAIMS`).
        ratio: :func:`seqkit.study.stats.paired_ratio`'s result (lower is better for GRU).

    Returns:
        ``{"claim", "verdict", "number"}``.

    Example:

    >>> cost_verdict("GRU serves faster", {"ratio": 1.2, "low": 1.1, "high": 1.3, "n": 3}
    ...              )["verdict"]
    'refuted'
    >>> cost_verdict("GRU serves faster", {"ratio": 0.9, "low": 0.7, "high": 1.1, "n": 3}
    ...              )["verdict"]
    'not resolved at this budget'
    >>> cost_verdict("GRU serves faster", {"ratio": 0.8, "low": 0.7, "high": 0.9, "n": 2}
    ...              )["verdict"]
    'not resolved at this budget'
    """
    out = {"claim": claim, "verdict": UNRESOLVED, "number": _ratio_text(ratio)}
    if ratio.get("n", 0) < MIN_SEEDS or ratio.get("low") is None:
        out["number"] += f"; fewer than {MIN_SEEDS} seeds"
        return out
    low, high = ratio["low"], ratio["high"]
    if high < 1.0:
        out["verdict"] = CONFIRMED
    elif low >= 1.0:
        out["verdict"] = REFUTED
    elif 1 / (1 + PRACTICAL_MARGIN) <= low and high <= 1 + PRACTICAL_MARGIN:
        out["verdict"] = REFUTED
        out["number"] += f"; within ±{PRACTICAL_MARGIN:.0%}: no material difference"
    return out


def accuracy_verdict(direction: str, estimate: dict) -> dict:
    """The quality claim "GRU is as accurate", a non-inferiority test with a margin.

    Args:
        direction: ``"higher"`` (an accuracy: ``estimate`` is the paired difference
            GRU − LSTM, :func:`seqkit.study.stats.paired_difference`) or ``"lower"`` (an
            error such as MASE: ``estimate`` is the paired ratio GRU/LSTM).
        estimate: the paired difference or ratio with ``low``/``high``/``n``.

    Returns:
        ``{"claim", "verdict", "number"}``.

    Example:

    >>> accuracy_verdict("higher", {"mean": -0.005, "low": -0.015, "high": 0.005, "n": 3}
    ...                  )["verdict"]
    'confirmed'
    >>> accuracy_verdict("higher", {"mean": -0.1, "low": -0.15, "high": -0.05, "n": 3}
    ...                  )["verdict"]
    'refuted'
    >>> accuracy_verdict("lower", {"ratio": 1.3, "low": 0.9, "high": 1.8, "n": 3}
    ...                  )["verdict"]
    'not resolved at this budget'
    """
    claim = "GRU is as accurate"
    if direction == "higher":
        margin = -ACCURACY_MARGIN
        mean = estimate.get("mean")
        number = ("no measurement" if mean is None else
                  f"GRU − LSTM {mean:+.3f}" + (
                      f" (95% CI {estimate['low']:+.3f} to {estimate['high']:+.3f}, "
                      f"n={estimate['n']})" if estimate.get("low") is not None else ""))
        number += f"; margin −{ACCURACY_MARGIN}"
        ok = estimate.get("low") is not None and estimate["low"] >= margin
        bad = estimate.get("high") is not None and estimate["high"] < margin
    else:
        bad_low = 1 + ERROR_MARGIN
        number = _ratio_text(estimate) + f"; margin {bad_low:.2f}×"
        ok = estimate.get("high") is not None and estimate["high"] <= bad_low
        bad = estimate.get("low") is not None and estimate["low"] > bad_low
    out = {"claim": claim, "verdict": UNRESOLVED, "number": number}
    if estimate.get("n", 0) < MIN_SEEDS:
        out["number"] += f"; fewer than {MIN_SEEDS} seeds"
    elif ok:
        out["verdict"] = CONFIRMED
    elif bad:
        out["verdict"] = REFUTED
    return out


def group_verdicts(ratios: dict, direction: str) -> list[dict]:
    """The five verdicts of one (task, size) group.

    Args:
        ratios: ``{"params": float, "activation_mb": ratio, "s_per_step": ratio,
            "p50_b64_ms": ratio, "quality": difference or ratio}`` (missing keys give
            "no measurement").
        direction: the quality metric's direction (``"higher"`` or ``"lower"``).

    Returns:
        One verdict dict per claim, in :data:`CLAIMS` order.

    Example:

    >>> [v["verdict"] for v in group_verdicts({"params": 0.75}, "higher")][:2]
    ['confirmed', 'not resolved at this budget']
    """
    out = [params_verdict(ratios.get("params"))]
    for claim, key in list(CLAIMS.items())[1:4]:
        out.append(cost_verdict(claim, ratios.get(key) or {}))
    out.append(accuracy_verdict(direction, ratios.get("quality") or {}))
    return out


def overall(verdicts: list[dict]) -> str:
    """One claim's verdict over every (task, size) group: the common verdict when all
    agree, else the counts.

    Args:
        verdicts: that claim's verdict dicts, one per group.

    Returns:
        A verdict word, or e.g. ``"mixed: 2 confirmed, 1 refuted"``.

    Example:

    >>> overall([{"verdict": "confirmed"}, {"verdict": "refuted"}])
    'mixed: 1 confirmed, 1 refuted'
    """
    words = [v["verdict"] for v in verdicts]
    if not words:
        return UNRESOLVED
    if len(set(words)) == 1:
        return words[0]
    counts = [f"{words.count(w)} {w}" for w in (CONFIRMED, REFUTED, UNRESOLVED) if w in words]
    return "mixed: " + ", ".join(counts)
