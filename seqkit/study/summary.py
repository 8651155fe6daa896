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
"""

from __future__ import annotations

from seqkit.study.stats import mean_ci, paired_difference, paired_ratio
from seqkit.study.verdicts import group_verdicts

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
