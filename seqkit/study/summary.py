"""One (task, size) group of the study: per-seed runs → mean ± CI per cell, paired ratios
to the reference cell (the LSTM), and the five verdicts.

A *run* is the flat dict one (task, cell, size, seed) process measured
(:mod:`seqkit.study.measure`) plus its serving figures (``seqkit.report``) and its task
metric under the key ``"metric"``. :data:`QUANTITIES` lists what is summarised.

Example:

>>> from seqkit.study.summary import summarize_group
>>> runs = {c: [{"seed": s, "params": p, "metric": 0.9} for s in range(3)]
...         for c, p in (("lstm", 400), ("gru", 300))}
>>> g = summarize_group(runs, direction="higher")
>>> g["cells"]["gru"]["params"]["mean"], g["ratios"]["gru"]["params"]["ratio"]
(300.0, 0.75)
>>> [v["verdict"] for v in g["verdicts"]][:1]
['confirmed']

Seed statistics of the LSTM-vs-GRU study: mean, sample standard deviation, a 95%
t-interval, and the paired GRU/LSTM ratio with its interval on log ratios.

The interval of a mean over ``n`` seeds is ``mean ± t_{1-α/2, n-1} · s / √n`` with ``s`` the
sample standard deviation (``n - 1`` in the denominator) and ``t`` Student's quantile
(``scipy.stats.t.ppf``; scipy comes with statsmodels). A ratio of two cells is *paired* by
seed (seed ``k`` of the GRU against seed ``k`` of the LSTM, the same data order and split):
its interval is the t-interval of the mean of ``log(gru_k / lstm_k)``, exponentiated, so
it is a geometric-mean ratio whose interval is symmetric in log space (a 2× slower and a
2× faster cell are equally far from 1). Reference: any textbook one-sample t-interval,
e.g. NIST/SEMATECH e-Handbook of Statistical Methods, section 7.2.2.1
(https://www.itl.nist.gov/div898/handbook/prc/section2/prc221.htm).

Example:

>>> from seqkit.study.summary import mean_ci, paired_ratio
>>> ci = mean_ci([1.0, 2.0, 3.0])
>>> ci["mean"], ci["std"], round(ci["low"], 3), round(ci["high"], 3)
(2.0, 1.0, -0.484, 4.484)
>>> r = paired_ratio([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
>>> r["ratio"], r["low"], r["high"]
(2.0, 2.0, 2.0)

The five claims of the LSTM-vs-GRU comparison, each *confirmed*, *refuted* or *not
resolved at this budget*, with the number behind it.

Rules (GRU/LSTM ratios are paired by seed, :func:`seqkit.study.summary.paired_ratio`; a
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

>>> from seqkit.study.summary import cost_verdict
>>> v = cost_verdict("GRU trains faster", {"ratio": 0.8, "low": 0.75, "high": 0.85, "n": 3})
>>> v["verdict"], v["number"]
('confirmed', '0.80× (95% CI 0.75–0.85, n=3)')
"""

from __future__ import annotations

import math
import statistics

from seqkit.validation import check_fraction

#: (key, label, format) of every quantity summarised, in table order
QUANTITIES = [
    ("units", "units", "{:.0f}"),
    ("params", "parameters (model)", "{:,.0f}"),
    ("rnn_params", "parameters (recurrent layer)", "{:,.0f}"),
    ("macs_per_step", "multiply-adds / step / example", "{:,.0f}"),
    ("param_bytes", "parameter bytes", "{:,.0f}"),
    ("saved_model_mb", "SavedModel MB", "{:.3f}"),
    ("steps_run", "optimizer steps", "{:.0f}"),
    ("s_per_step", "train s / step (steady)", "{:.4f}"),
    ("examples_per_s", "train examples / s (steady)", "{:,.0f}"),
    ("first_epoch_extra_s", "first epoch extra s (trace + compile)", "{:.2f}"),
    ("activation_mb", "train activation MB (measured)", "{:.1f}"),
    ("activation_estimate_mb", "train activation MB (estimate)", "{:.1f}"),
    ("gpu_peak_mb", "GPU peak MB (train step)", "{:.1f}"),
    ("serve_rss_above_loaded_mb", "serve RSS above loaded MB", "{:.1f}"),
    ("p50_b1_ms", "p50 latency b1 ms", "{:.3f}"),
    ("p99_b1_ms", "p99 latency b1 ms", "{:.3f}"),
    ("p50_b64_ms", "p50 latency b64 ms", "{:.3f}"),
    ("p99_b64_ms", "p99 latency b64 ms", "{:.3f}"),
    ("metric", "task metric", "{:.4f}"),
]

#: the verdict inputs: claim quantity → the run key it is computed from
VERDICT_KEYS = {"activation_mb": "activation_mb", "s_per_step": "s_per_step",
                "p50_b64_ms": "p50_b64_ms"}


def _by_seed(runs: list[dict]) -> dict:
    return {run.get("seed", i): run for i, run in enumerate(runs)}


def _paired(a_runs: dict, b_runs: dict, key: str) -> tuple[list, list]:
    seeds = sorted(set(a_runs) & set(b_runs))
    return [a_runs[s].get(key) for s in seeds], [b_runs[s].get(key) for s in seeds]


def summarize_group(runs: dict[str, list[dict]], *, direction: str,
                    reference: str = "lstm", challenger: str = "gru") -> dict:
    """Mean ± CI per cell and quantity, paired ratios to ``reference``, the verdicts.

    Args:
        runs: ``{cell: [run, ...]}``, each run with a ``"seed"`` (pairs are matched by it).
        direction: ``"higher"`` or ``"lower"``: which way the task metric is better.
        reference: the cell ratios are taken against.
        challenger: the cell the verdicts are about (``"GRU ..."``).

    Returns:
        ``{"cells": {cell: {key: mean_ci}}, "ratios": {cell: {key: paired_ratio}},
        "quality_difference": {cell: paired_difference}, "verdicts": [...]}``; no verdicts
        when either cell is missing.

    Example:

    >>> summarize_group({"lstm": [{"seed": 0, "metric": 1.0}]}, direction="lower")["verdicts"]
    []
    """
    cells = {cell: {key: mean_ci([r.get(key) for r in cell_runs]) for key, _, _ in QUANTITIES}
             for cell, cell_runs in runs.items()}
    ratios, differences = {}, {}
    base = _by_seed(runs.get(reference, []))
    for cell, cell_runs in runs.items():
        if cell == reference or not base:
            continue
        mine = _by_seed(cell_runs)
        ratios[cell] = {key: paired_ratio(*_paired(mine, base, key)) for key, _, _ in QUANTITIES}
        differences[cell] = paired_difference(*_paired(mine, base, "metric"))
    verdicts = []
    if challenger in ratios:
        r = ratios[challenger]
        inputs = {"params": r["params"]["ratio"], **{k: r[v] for k, v in VERDICT_KEYS.items()},
                  "quality": differences[challenger] if direction == "higher" else r["metric"]}
        verdicts = group_verdicts(inputs, direction)
    return {"cells": cells, "ratios": ratios, "quality_difference": differences,
            "verdicts": verdicts}


CONFIDENCE = 0.95


def t_quantile(confidence: float, dof: int) -> float:
    """The two-sided Student-t quantile ``t_{(1+confidence)/2, dof}``.

    Args:
        confidence: the interval's coverage, e.g. 0.95.
        dof: degrees of freedom (``n - 1``), at least 1.

    Returns:
        The quantile (``scipy.stats.t.ppf``).

    Example:

    >>> round(t_quantile(0.95, 2), 4)
    4.3027
    """
    from scipy.stats import t

    return float(t.ppf((1.0 + confidence) / 2.0, dof))


def _clean(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def mean_ci(values, confidence: float = CONFIDENCE) -> dict:
    """Mean, sample standard deviation and t-interval of ``values`` (None/NaN dropped).

    Args:
        values: one number per seed.
        confidence: the interval's coverage.

    Returns:
        ``{"mean", "std", "n", "low", "high", "values"}``; ``std``/``low``/``high`` are
        None with fewer than two values, ``mean`` is None with none.

    Example:

    >>> mean_ci([4.0])["low"] is None
    True
    >>> mean_ci([])["mean"] is None
    True
    """
    check_fraction("confidence", confidence, allow_zero=False)
    xs = _clean(values)
    out = {"mean": statistics.fmean(xs) if xs else None, "std": None, "n": len(xs),
           "low": None, "high": None, "values": xs}
    if len(xs) >= 2:
        std = statistics.stdev(xs)
        half = t_quantile(confidence, len(xs) - 1) * std / math.sqrt(len(xs))
        out.update(std=std, low=out["mean"] - half, high=out["mean"] + half)
    return out


def paired_ratio(numerator, denominator, confidence: float = CONFIDENCE) -> dict:
    """The paired ratio ``numerator_k / denominator_k`` over seeds, with a t-interval on
    the log ratios (exponentiated back).

    Pairs with a missing or non-positive member are dropped.

    Args:
        numerator: one value per seed (the GRU's).
        denominator: one value per seed, same order (the LSTM's).
        confidence: the interval's coverage.

    Returns:
        ``{"ratio" (geometric mean), "low", "high", "n", "ratios" (per seed)}``; ``low`` and
        ``high`` are None with fewer than two pairs, ``ratio`` None with none.

    Example:

    >>> r = paired_ratio([1.0, 4.0], [2.0, 2.0])   # ratios 0.5 and 2: geometric mean 1
    >>> r["ratio"], r["ratios"], r["n"]
    (1.0, [0.5, 2.0], 2)
    """
    pairs = [(a, b) for a, b in zip(numerator, denominator, strict=False)
             if a is not None and b is not None and a > 0 and b > 0]
    ratios = [a / b for a, b in pairs]
    logs = mean_ci([math.log(r) for r in ratios], confidence)
    out = {"ratio": None, "low": None, "high": None, "n": len(ratios), "ratios": ratios}
    if logs["mean"] is not None:
        out["ratio"] = math.exp(logs["mean"])
    if logs["low"] is not None:
        out.update(low=math.exp(logs["low"]), high=math.exp(logs["high"]))
    return out


def paired_difference(numerator, denominator, confidence: float = CONFIDENCE) -> dict:
    """The paired difference ``numerator_k - denominator_k`` over seeds, with its
    t-interval (for accuracies, where a difference in points reads better than a ratio).

    Args:
        numerator: one value per seed (the GRU's).
        denominator: one value per seed, same order (the LSTM's).
        confidence: the interval's coverage.

    Returns:
        :func:`mean_ci` of the differences.

    Example:

    >>> d = paired_difference([3.0, 1.0, 2.0], [1.0, 2.0, 2.0])
    >>> d["values"], d["mean"]
    ([2.0, -1.0, 0.0], 0.333...)
    """
    diffs = [a - b for a, b in zip(numerator, denominator, strict=False)
             if a is not None and b is not None]
    return mean_ci(diffs, confidence)


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
        ratio: :func:`seqkit.study.summary.paired_ratio`'s result (lower is better for GRU).

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
            GRU − LSTM, :func:`seqkit.study.summary.paired_difference`) or ``"lower"`` (an
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
