"""Screen fit_sequence_regressor's defaults on the TSER problems aeon ships (offline, their
official splits), beside the training mean and aeon's 1-NN DTW, ROCKET and MiniRocket
regressors on the same splits (issue 23).

Sets: ``Covid3Month`` (Tan et al. 2021: 201 countries' daily COVID-19 cases over three
months, 1 channel x 84 days, target the death rate; 140 train / 61 test) and
``CardanoSentiment`` (74 / 33 windows of 24 hours of Cardano's price and volume, 2
channels, target a sentiment score). No other TSER set ships offline in a package found.

Usage::

    .venv/bin/python benchmarks/screen_regression.py --sets Covid3Month CardanoSentiment \\
        --cells gru lstm --seeds 0 1 2 --json out.jsonl
    .venv/bin/python benchmarks/screen_regression.py --report out.jsonl

``--set name=value`` passes a keyword to ``fit_sequence_regressor`` (values read as JSON
when they parse, else as strings). Each row is one fit (its baselines run with the same
seed: ROCKET's and MiniRocket's kernels are random).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np

SETS = ("Covid3Month", "CardanoSentiment")
BASELINES = ("mean", "dtw_1nn", "rocket", "minirocket")


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def run(name: str, cell: str, seed: int, extra: dict) -> dict:
    """One fit of ``tser:<name>`` and its baselines: a JSON-able row."""
    import seqkit

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = seqkit.fit_sequence_regressor(f"tser:{name}", cell=cell, seed=seed,
                                               verbose=0, **extra)
    m = result.metrics
    return {"set": name, "cell": cell, "seed": seed, "options": extra,
            "rmse": m["rmse"], "mae": m["mae"], "r2": m["r2"], "n": m["n"],
            "baselines": {k: {"rmse": b.get("rmse"), "mae": b.get("mae"),
                              "skipped": b.get("skipped")}
                          for k, b in m["baselines"].items()},
            "epochs_run": len(result.history.get("loss", [])),
            "seconds": time.perf_counter() - start,
            "baseline_seconds": result.timing.get("baseline_seconds", {}),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                       f"load {os.getloadavg()[0]:.1f}"}


def report(rows: list[dict]) -> str:
    """A Markdown table: per set and cell, the network's RMSE (mean ± std over seeds, worst
    seed) beside each baseline's mean RMSE, and the network's ratio to the best aeon one."""
    lines = ["| set | cell | seeds | seqkit RMSE (mean ± std) | worst | " +
             " | ".join(BASELINES) + " | vs best aeon | beats mean (seeds) |",
             "|---" * (7 + len(BASELINES)) + "|"]
    keys = sorted({(r["set"], r["cell"]) for r in rows})
    for name, cell in keys:
        group = [r for r in rows if (r["set"], r["cell"]) == (name, cell)]
        net = np.array([r["rmse"] for r in group])
        base = {k: np.mean([r["baselines"][k]["rmse"] for r in group
                            if r["baselines"].get(k, {}).get("rmse") is not None] or [np.nan])
                for k in BASELINES}
        best = min(base[k] for k in BASELINES[1:])
        wins = sum(r["rmse"] <= r["baselines"]["mean"]["rmse"] for r in group)
        lines.append(f"| {name} | {cell} | {len(group)} | {net.mean():.4f} ± {net.std():.4f} | "
                     f"{net.max():.4f} | " + " | ".join(f"{base[k]:.4f}" for k in BASELINES)
                     + f" | {net.mean() / best:.3f}× | {wins}/{len(group)} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--cells", nargs="+", default=["gru", "lstm"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", help="append one JSON row per fit to this file")
    parser.add_argument("--report", help="print the table of a --json file and stop")
    args = parser.parse_args(argv)
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            print(report([json.loads(line) for line in f if line.strip()]))
        return
    extra = {k: _value(v) for k, v in (item.split("=", 1) for item in args.set)}
    rows = []
    for name in args.sets:
        for cell in args.cells:
            for seed in args.seeds:
                row = run(name, cell, seed, extra)
                rows.append(row)
                print(json.dumps(row), flush=True)
                if args.json:
                    with open(args.json, "a", encoding="utf-8") as f:
                        f.write(json.dumps(row) + "\n")
    print(report(rows))


if __name__ == "__main__":
    main()
