"""Screen fit_anomaly_detector on the labelled series that ship offline, beside the
seasonal-naive residual and aeon's detectors on the same series (issue 23).

Series: ``kdd_tsad_135`` (the UCR anomaly archive's series 135, 7,501 points, one
labelled anomaly of 12 points after an anomaly-free prefix of 1,200; aeon ships it). aeon's
Daphnet excerpt holds no labelled anomaly, so it cannot rank detectors (its flag counts
are printed with ``--series daphnet_s06r02e0``).

Each fit is scored by every threshold rule from the same scores (``--rules``): the fit
itself uses the first; the others are recomputed from ``score_series`` with
:func:`seqkit.anomaly.evaluation.rule_threshold`, as the fit would. The baselines run once
per series and rule (seed 0).

Usage::

    .venv/bin/python benchmarks/screen_anomaly.py --scorers forecast reconstruction \\
        --cells gru --seeds 0 1 2 --json out.jsonl
    .venv/bin/python benchmarks/screen_anomaly.py --report out.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

KEYS = ("range_f1", "f1", "pa_f1", "ucr", "roc_auc", "pr_auc")


def _fit(series: str, scorer: str, cell: str, seed: int, rules, extra: dict) -> list[dict]:
    import seqkit
    from seqkit.anomaly import score_series
    from seqkit.anomaly.data import load_anomaly_series
    from seqkit.anomaly.evaluation import rule_threshold
    from seqkit.anomaly.metrics import anomaly_metrics

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_anomaly_detector(series, scorer=scorer, cell=cell, seed=seed,
                                             threshold=rules[0], baselines=(), verbose=0,
                                             **extra)
    seconds = time.perf_counter() - start
    data = load_anomaly_series(series)
    scores = score_series(result, data.values)
    info = result.data_info
    fit_end = info["train_end"] if info["train_end"] is not None else info["length"]
    rows = []
    for rule in rules:
        thr = rule_threshold(rule, scores, val=(info["val_start"], fit_end),
                             scored=info["score_start"], q=result.config["quantile"],
                             labels=data.labels)
        s = info["score_start"]
        m = anomaly_metrics(data.labels[s:], scores[s:], thr)
        rows.append({"series": series, "detector": f"seqkit-{scorer}", "cell": cell,
                     "seed": seed, "rule": rule, "window": result.config["window"],
                     "seconds": seconds, **{k: m[k] for k in KEYS}})
    return rows


def _baselines(series: str, window: int, rules) -> list[dict]:
    from seqkit.anomaly.data import load_anomaly_series
    from seqkit.anomaly.evaluation import baseline_scores, rule_threshold
    from seqkit.anomaly.metrics import anomaly_metrics
    from seqkit.anomaly.task import AnomalyDetection

    task = AnomalyDetection(series=series, window=window, baselines="auto")
    task.check()
    task.load(0)
    data = load_anomaly_series(series)
    fit_end = task.train_end
    rows = []
    for name, found in baseline_scores(task).items():
        for rule in rules:
            if "scores" not in found:
                rows.append({"series": series, "detector": name, "rule": rule,
                             "skipped": found["skipped"]})
                continue
            thr = rule_threshold(rule, found["scores"], val=(task.val_start, fit_end),
                                 scored=task.score_start, q=task.quantile,
                                 labels=data.labels)
            m = anomaly_metrics(data.labels[task.score_start:],
                                found["scores"][task.score_start:], thr)
            rows.append({"series": series, "detector": name, "rule": rule, "seed": 0,
                         "seconds": found.get("seconds"), **{k: m[k] for k in KEYS}})
    return rows


def report(rows: list[dict]) -> str:
    """One Markdown table per rule: each detector's mean (over seeds) of every metric."""
    out = []
    for rule in dict.fromkeys(r["rule"] for r in rows):
        out += [f"\nthreshold rule: {rule}\n",
                "| series | detector | cell | seeds | " + " | ".join(KEYS) + " |",
                "|---" * (4 + len(KEYS)) + "|"]
        groups = dict.fromkeys((r["series"], r["detector"], r.get("cell", "")) for r in rows
                               if r["rule"] == rule)
        for series, det, cell in groups:
            g = [r for r in rows if (r["series"], r["detector"], r.get("cell", "")) ==
                 (series, det, cell) and r["rule"] == rule]
            if "skipped" in g[0]:
                out.append(f"| {series} | {det} | | | {g[0]['skipped']} |" + " |" * 5)
                continue
            vals = [np.mean([r[k] for r in g]) if all(r[k] is not None for r in g) else None
                    for k in KEYS]
            out.append(f"| {series} | {det} | {cell} | {len(g)} | " + " | ".join(
                "n/a" if v is None else f"{v:.3f}" for v in vals) + " |")
    return "\n".join(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="+", default=["kdd_tsad_135"])
    parser.add_argument("--scorers", nargs="+", default=["forecast", "reconstruction"])
    parser.add_argument("--cells", nargs="+", default=["gru"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--rules", nargs="+", default=["quantile", "dynamic"])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--json", help="append one JSON row per result to this file")
    parser.add_argument("--report", help="print the tables of a --json file and stop")
    args = parser.parse_args(argv)
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            print(report([json.loads(line) for line in f if line.strip()]))
        return
    extra = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:
            extra[key] = json.loads(value)
        except json.JSONDecodeError:
            extra[key] = value
    rows = []
    for series in args.series:
        for scorer in args.scorers:
            for cell in args.cells:
                for seed in args.seeds:
                    rows += _emit(_fit(series, scorer, cell, seed, args.rules, extra),
                                  args.json)
        if not args.no_baselines:
            rows += _emit(_baselines(series, rows[-1]["window"], args.rules), args.json)
    print(report(rows))


def _emit(rows: list[dict], path) -> list[dict]:
    for row in rows:
        print(json.dumps(row), flush=True)
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
    return rows


if __name__ == "__main__":
    main()
