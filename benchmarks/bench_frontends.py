"""Learnt local features for the sequence classifier (issue 21): ``frontend="patches"``
vs ``"conv"`` vs ``"lstm-fcn"``, each row beside 1-NN DTW on the same split.

    python benchmarks/bench_frontends.py --json benchmarks/results/frontends.json
    python benchmarks/bench_frontends.py --datasets ucr:ArrowHead --frontends conv --seeds 0

For each dataset, seed (``--seeds``, default 0 1 2), cell and front end, one fit at a time:
``bench_classification.run_seqkit`` (seqkit's defaults, ``frontend=`` set; the whole
official training split in, the official test split for the metrics; ``digits``: seqkit's
own seeded split), accuracy and macro-F1 on the test split, wall seconds of the call.

Baseline: aeon's ``KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1)`` (full
window, no normalisation beyond the data's own) fitted on the same training split (for
``digits``: seqkit's train + validation parts of that seed) in aeon's ``[N, channels, T]``
layout; unequal lengths (JapaneseVowels) as a list of ``[channels, T_i]`` arrays, the
padding cut off. ``--json`` is rewritten after every fit, so a stopped run keeps its rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import numpy as np  # noqa: E402
from bench_classification import REPO, load_split, run_seqkit  # noqa: E402

DATASETS = ["ucr:ArrowHead", "ucr:BasicMotions", "ucr:JapaneseVowels", "digits"]
FRONTENDS = ["patches", "conv", "lstm-fcn"]


def _aeon_layout(x: np.ndarray, trim: bool):
    """``[N, T, F]`` → ``[N, F, T]``, or (``trim``) a list of ``[F, T_i]`` without the
    trailing all-zero steps when the lengths differ."""
    if not trim:
        return np.ascontiguousarray(x.transpose(0, 2, 1), dtype="float64")
    real = np.any(x != 0.0, axis=2)
    lengths = x.shape[1] - np.argmax(real[:, ::-1], axis=1)
    if len(set(lengths.tolist())) == 1:
        return np.ascontiguousarray(x.transpose(0, 2, 1), dtype="float64")
    return [np.ascontiguousarray(row[:n].T, dtype="float64") for row, n in zip(x, lengths)]


def run_dtw(dataset: str, split) -> dict:
    """1-NN DTW on ``split``: accuracy, macro-F1, seconds (fit and predict)."""
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier
    from sklearn.metrics import accuracy_score, f1_score

    trim = dataset.startswith("ucr:")
    x_train, x_test = _aeon_layout(split.x_train, trim), _aeon_layout(split.x_test, trim)
    y_train = np.asarray([str(v) for v in split.y_train])
    y_test = np.asarray([str(v) for v in split.y_test])
    start = time.perf_counter()
    knn = KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1)
    predicted = knn.fit(x_train, y_train).predict(x_test)
    return {"system": "1nn-dtw", "accuracy": float(accuracy_score(y_test, predicted)),
            "macro_f1": float(f1_score(y_test, predicted, average="macro")),
            "seconds": time.perf_counter() - start, "n_test": len(y_test)}


def summarise(runs: list[dict]) -> dict | None:
    """Mean, sample std, worst accuracy; mean macro-F1; median seconds."""
    if not runs:
        return None
    acc = [r["accuracy"] for r in runs]
    return {"n": len(acc), "mean": statistics.fmean(acc),
            "std": statistics.stdev(acc) if len(acc) > 1 else None, "worst": min(acc),
            "macro_f1": statistics.fmean(r["macro_f1"] for r in runs),
            "median_seconds": statistics.median(r["seconds"] for r in runs)}


def table(results: dict) -> str:
    """One Markdown row per dataset, cell and front end, with the DTW baseline."""
    headers = ["data", "cell", "frontend", "seeds", "accuracy % (mean ± std)", "worst",
               "macro-F1", "fit s (median)", "1-NN DTW % (macro-F1)"]
    rows = []
    for dataset, data in results.items():
        dtw = data["dtw"]
        dtw_text = ", ".join(sorted({f"{100 * d['accuracy']:.1f} ({d['macro_f1']:.3f})"
                                     for d in dtw.values()}))
        for (cell, frontend), s in data["summary"].items():
            if s is None:
                continue
            spread = f" ± {100 * s['std']:.1f}" if s["std"] is not None else ""
            rows.append([dataset, cell, frontend, s["n"], f"{100 * s['mean']:.1f}{spread}",
                         f"{100 * s['worst']:.1f}", f"{s['macro_f1']:.3f}",
                         f"{s['median_seconds']:.0f}", dtw_text])
    return _common.markdown_table(headers, rows, "llllllrrl")


def merged(paths: list[str]) -> dict:
    """The runs and DTW baselines of several ``--json`` files, summarised together."""
    import json

    results = {}
    for path in paths:
        with open(path) as f:
            for name, d in json.load(f)["datasets"].items():
                data = results.setdefault(name, {"runs": [], "dtw": {}})
                data["runs"] += d["runs"]
                data["dtw"].update(d["dtw"])
    for data in results.values():
        keys = sorted({(r["cell"], r["frontend"]) for r in data["runs"]},
                      key=lambda k: (k[0] != "lstm", k[0], FRONTENDS.index(k[1])))
        data["summary"] = {(c, f): summarise([r for r in data["runs"] if r["cell"] == c
                                              and r["frontend"] == f]) for c, f in keys}
    return results


def run(args) -> dict:
    """Every fit of ``args``, one at a time; the JSON is rewritten after each."""
    results, header = {}, args.header
    for dataset in args.datasets:
        data = results.setdefault(dataset, {"runs": [], "dtw": {}, "summary": {}})
        for seed in args.seeds:
            split = load_split(dataset, seed, "")
            data["info"] = split.info
            key = "official" if dataset.startswith("ucr:") else f"seed {seed}"
            if key not in data["dtw"]:
                data["dtw"][key] = run_dtw(dataset, split)
                print(f"  {dataset} {key} 1-NN DTW: {data['dtw'][key]['accuracy']:.4f}",
                      flush=True)
            for cell in args.cells:
                for frontend in args.frontends:
                    record = run_seqkit(dataset, split, cell, seed, frontend=frontend)
                    record["frontend"], record["load_after"] = frontend, os.getloadavg()
                    data["runs"].append(record)
                    print(f"  {dataset} seed {seed} {cell} {frontend}: accuracy "
                          f"{record['accuracy']:.4f}, macro-F1 {record['macro_f1']:.4f}, "
                          f"{record['seconds']:.1f} s, {record['steps_run']} steps, "
                          f"load {record['load_after'][0]:.1f}", flush=True)
                    _save(args, header, results)
        data["summary"] = {(c, f): summarise([r for r in data["runs"] if r["cell"] == c
                                              and r["frontend"] == f])
                           for c in args.cells for f in args.frontends}
    return results


def _save(args, header: dict, results: dict) -> None:
    if args.json:
        plain = {name: {**d, "summary": {f"{c} {f}": s for (c, f), s in d["summary"].items()}}
                 for name, d in results.items()}
        _common.write_json(args.json, {**header, "datasets": plain})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=DATASETS)
    parser.add_argument("--frontends", nargs="+", choices=FRONTENDS, default=FRONTENDS)
    parser.add_argument("--cells", nargs="+", choices=["lstm", "gru"], default=["lstm"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--report", nargs="+", metavar="JSON",
                        help="fit nothing: print the table of these --json files together")
    args = parser.parse_args(argv)
    if args.report:
        print(table(merged(args.report)))
        return
    args.command = " ".join(["python", os.path.relpath(sys.argv[0], REPO), *sys.argv[1:]])
    args.header = {"machine": _common.machine(), "command": args.command,
                   "load_before": os.getloadavg(), "cells": args.cells,
                   "frontends": args.frontends, "seeds": args.seeds}
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    print(_common.machine_line(_common.machine()))
    print(f"command: {args.command}", flush=True)
    results = run(args)
    _save(args, args.header, results)
    print(table(results))


if __name__ == "__main__":
    main()
