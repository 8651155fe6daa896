"""The anomaly detector's test side: its threshold rule applied to any scores, the metrics
of the scored part, and the baselines scored on the same part by the same rule.

Every baseline (the seasonal-naive residual and aeon's detectors of
:mod:`seqkit.anomaly.baselines`) scores the same series; its threshold comes from its own
scores by the detector's rule (a quantile of its validation-part scores, telemanom's
dynamic threshold on its scored part, or its best validation F1), so the flags compare
like with like. ``metrics["beats"][name]`` is True when the network's range-based F1 is at
least the baseline's, ``metrics["beats_ucr"][name]`` the same for the UCR rule (where it
applies); the threshold-free ROC-AUC and PR-AUC stand beside them.

Example:

>>> import numpy as np
>>> rule_threshold("quantile", np.arange(10.0), val=(0, 10), scored=0, q=0.5)
4.5
"""

from __future__ import annotations

import warnings

import numpy as np

from seqkit.errors import ConfigError


def rule_threshold(rule: str, scores, *, val: tuple[int, int], scored: int, q: float,
                   labels=None) -> float:
    """The threshold of ``rule`` for ``scores`` (one per point of the series).

    Args:
        rule: ``"quantile"``, ``"dynamic"`` or ``"best_f1"``.
        scores: ``[T]``.
        val: the validation part ``(start, end)``.
        scored: where the scored part starts.
        q: the quantile of ``"quantile"``.
        labels: 0/1 per point (``"best_f1"`` needs anomalies among the validation ones).

    Returns:
        The threshold (flags are scores above it). For ``"dynamic"``, scores with negative
        values (an isolation forest's decision function) are shifted to start at 0 first
        and the threshold shifted back.

    Raises:
        ConfigError: ``"best_f1"`` without labelled anomalies in validation.
    """
    from seqkit.anomaly.thresholds import (
        best_f1_threshold,
        dynamic_threshold,
        quantile_threshold,
    )

    scores = np.asarray(scores, "float64")
    part = scores[val[0]:val[1]]
    if rule == "quantile":
        return float(quantile_threshold(part, q))
    if rule == "dynamic":  # it reads errors >= 0: a detector's negative scores are shifted
        shift = min(0.0, float(scores[scored:].min()))
        return float(dynamic_threshold(scores[scored:] - shift).threshold) + shift
    val_labels = None if labels is None else np.asarray(labels)[val[0]:val[1]]
    if val_labels is None or not val_labels.any():
        raise ConfigError(f"threshold='best_f1' needs labelled anomalies in the validation "
                          f"part (points {val[0]} to {val[1]}); it has none: use "
                          "threshold='quantile' or 'dynamic'")
    return float(best_f1_threshold(part, val_labels))


def _rule(task) -> dict:
    fit_end = task.train_end if task.train_end is not None else len(task.values)
    return {"val": (task.val_start, fit_end), "scored": task.score_start, "q": task.quantile,
            "labels": task.label_array}


def detector_threshold(task) -> float:
    """The network's threshold: its rule on its own scores (``task.scores``).

    Args:
        task: the fitted :class:`seqkit.anomaly.task.AnomalyDetection`.

    Returns:
        The threshold.
    """
    return rule_threshold(task.threshold, task.scores, **_rule(task))


def baseline_scores(task) -> dict:
    """Every baseline's scores of the task's series.

    Args:
        task: a loaded :class:`seqkit.anomaly.task.AnomalyDetection`.

    Returns:
        ``{name: {"scores": [T], ...} | {"skipped": reason}}``: the seasonal-naive
        residual (with the training part's period) and aeon's detectors
        (:func:`seqkit.anomaly.baselines.run_detectors`, with the task's window).
    """
    from seqkit.anomaly.baselines import estimate_period, run_detectors, seasonal_naive_scores

    fit_end = task.train_end if task.train_end is not None else len(task.values)
    period = estimate_period(task.values[:fit_end])
    out = {"seasonal_naive": {"skipped": "left out: the training part shows no period"}
           if period is None else {"scores": seasonal_naive_scores(
               task.values, period, train_end=task.train_end), "model": f"m={period}"}}
    if task.baselines:
        names = "auto" if task.baselines == "auto" else list(task.baselines)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.update(run_detectors(task.values, names=names, window=task.window,
                                     train_end=task.train_end, seed=task.seed))
    return out


def _scored_metrics(task, scores, threshold) -> dict:
    from seqkit.anomaly.metrics import anomaly_metrics

    s = task.score_start
    return {**anomaly_metrics(task.label_array[s:], np.asarray(scores)[s:], threshold),
            "threshold": float(threshold)}


def evaluate_detector(task) -> dict:
    """The network's flags on the scored part and, with labels, its metrics beside every
    baseline's.

    Args:
        task: the fitted :class:`seqkit.anomaly.task.AnomalyDetection` (``scores``,
            ``threshold_value``, the parts).

    Returns:
        ``{"threshold", "rule", "n_scored", "n_flagged", ...metrics, "baselines",
        "beats", "beats_ucr"}`` (JSON-able).
    """
    scored = task.scores[task.score_start:]
    out = {"threshold": float(task.threshold_value), "rule": task.threshold,
           "n_scored": int(len(scored)),
           "n_flagged": int(np.sum(scored > task.threshold_value))}
    if task.label_array is None:
        return out
    out.update(_scored_metrics(task, task.scores, task.threshold_value))
    baselines, seconds = {}, {}
    for name, found in baseline_scores(task).items():
        if "scores" not in found:
            baselines[name] = {"skipped": found["skipped"]}
            continue
        threshold = rule_threshold(task.threshold, found["scores"], **_rule(task))
        baselines[name] = {**_scored_metrics(task, found["scores"], threshold),
                           "model": found.get("model", name)}
        seconds[name] = found.get("seconds")
    task.timing_extra = {"baseline_seconds": seconds}
    return _compare(out, baselines)


def _compare(metrics: dict, baselines: dict) -> dict:
    metrics["baselines"], metrics["beats"], metrics["beats_ucr"] = baselines, {}, {}
    for name, b in baselines.items():
        if "range_f1" not in b:
            continue
        metrics["beats"][name] = bool(metrics["range_f1"] >= b["range_f1"])
        if metrics.get("ucr") is not None:
            metrics["beats_ucr"][name] = bool(metrics["ucr"] >= b["ucr"])
        if not metrics["beats"][name]:
            warnings.warn(f"the baseline {name} beats the detector on the scored part: "
                          f"range-based F1 {b['range_f1']:.3f} vs {metrics['range_f1']:.3f}",
                          stacklevel=6)
    return metrics


def summary_lines(metrics: dict) -> list[str]:
    """The summary's lines of a detector's metrics.

    Args:
        metrics: :func:`evaluate_detector`'s.

    Returns:
        Lines of text.

    Example:

    >>> summary_lines({"threshold": 2.0, "rule": "quantile", "n_scored": 10,
    ...                "n_flagged": 1})
    ['threshold 2 (quantile): 1 of 10 scored points flagged']
    """
    if not metrics:
        return []
    lines = [f"threshold {metrics['threshold']:.4g} ({metrics['rule']}): "
             f"{metrics['n_flagged']} of {metrics['n_scored']} scored points flagged"]
    if "range_f1" not in metrics:
        return lines
    fmt = lambda m: (f"range-F1 {m['range_f1']:.3f}  F1 {m['f1']:.3f}  PA-F1 {m['pa_f1']:.3f}"  # noqa: E731
                     + ("" if m.get("ucr") is None else f"  UCR {m['ucr']:.0f}")
                     + ("" if m.get("roc_auc") is None else f"  ROC-AUC {m['roc_auc']:.3f}"))
    lines.append("test: " + fmt(metrics))
    for name, b in metrics.get("baselines", {}).items():
        if "skipped" in b:
            lines.append(f"baseline {name}: {b['skipped']}")
            continue
        verdict = "beaten" if metrics["beats"].get(name) else "NOT beaten"
        lines.append(f"baseline {name}: {fmt(b)} ({verdict})")
    return lines
