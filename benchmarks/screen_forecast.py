"""Screening the forecaster's defaults as a new user meets them (issue 22's protocol).

Per series: ``fit_forecaster(values[:test_start], window=2 * period, horizon=H,
period=m, test_size=0, seed=s, **variant)`` with every other argument default, then
forecasts from every origin of the held-out end (``o = test_start ... n - H``, step
``--stride``), scored with the textbook MASE (in-sample seasonal naive of
``values[:test_start]``, period m) beside the seasonal naive and statsmodels' ETS
(damped trend, seasonal when the history allows; **re-estimated at every origin** up to
1,000 points), both
from :func:`seqkit.forecasting.baselines.baseline_forecasts` on the same origins.

    python benchmarks/screen_forecast.py --arrays /tmp/fc       # every series, 3 seeds
    python benchmarks/screen_forecast.py --weigh /tmp/fc        # the combination rules
    python benchmarks/screen_forecast.py --variant model=es-rnn --arrays /tmp/fc-es
    python benchmarks/screen_forecast.py --series elnino --seeds 0 --variant combine=none

With ``--arrays`` every member's validation and test forecasts are saved per fit, and
``--weigh`` scores each combination rule (inverse MSE, the default; inverse MAE; the best
alone; equal weights) on them offline, exactly as
:func:`seqkit.forecasting.combination.choose_weights` weighs (the weights are scale-free,
so original units give the model's own weights).

Only screening series (statsmodels' co2, elnino, sunspots, macrodata; aeon's uschange):
issue 22's held-out series (pmdarima's, R's, fpp2/fpp3's, aeon's airline) are never read
here. Records go to ``benchmarks/results/forecast-screen-<date>.jsonl``, one per fit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import warnings

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

#: name -> (loader, period, horizon), shortest first
SERIES = {
    "uschange": ("uschange", 4, 8),
    "realgdp": ("macrodata:realgdp", 4, 8),
    "unemp": ("macrodata:unemp", 4, 8),
    "cpi": ("macrodata:cpi", 4, 8),
    "sunspots": ("sunspots", 11, 11),
    "elnino": ("elnino", 12, 12),
    "co2": ("co2", 52, 13),
}
#: ETS is re-estimated at every origin up to this length (co2's 343 origins of a weekly
#: seasonal fit would take hours): beyond it, estimated once before the test part and run
#: forward over each origin's history (``baseline_forecasts(refit=False)``)
REFIT_UP_TO = 1000


def load(name: str) -> np.ndarray:
    source = SERIES[name][0]
    if source.startswith("macrodata:"):
        import statsmodels.api as sm

        return sm.datasets.macrodata.load_pandas().data[source.split(":")[1]].to_numpy(float)
    from seqkit.data.timeseries import check_series, load_series

    values = np.asarray(check_series(load_series(source), "interpolate").values, float)
    return values if values.ndim == 1 else values[:, 0]


def _val_origins(values, window: int, horizon: int, period: int) -> np.ndarray:
    """The validation origins ``fit_forecaster`` used on ``values`` (its default split)."""
    from seqkit.forecasting.data import load_forecast_data

    data = load_forecast_data(values, window=window, horizon=horizon, test_size=0,
                              period=period)
    return data.origins("val")[1]


def screen(name: str, seeds, variants, test_fraction: float, stride: int,
           arrays_dir: str | None = None) -> list[dict]:
    from seqkit import fit_forecaster
    from seqkit.forecasting.baselines import baseline_forecasts
    from seqkit.forecasting.metrics import mase

    y = load(name)
    _, m, h = SERIES[name]
    n = len(y)
    test_start = n - max(int(round(test_fraction * n)), h)
    origins = np.arange(test_start, n - h + 1, stride)
    truth = np.stack([y[o:o + h] for o in origins])[:, :, None]
    insample = y[:test_start, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = baseline_forecasts(y, origins, h, period=m, names=("seasonal_naive", "ets"),
                                  refit=n <= REFIT_UP_TO)
    scores = {k: mase(truth, v, insample=insample, m=m) for k, v in base.items()}
    rows = []
    windows = np.stack([y[o - 2 * m:o] for o in origins])[:, :, None].astype("float32")
    for label, kwargs in variants.items():
        for seed in seeds:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = fit_forecaster(y[:test_start], window=2 * m, horizon=h, period=m,
                                        test_size=0, seed=seed, verbose=0, **kwargs)
            seconds = time.perf_counter() - start
            pred = np.asarray(result.predict(windows))
            combo = result.metrics.get("combination", {})
            members = {}
            if combo.get("weights"):
                val_o = _val_origins(y[:test_start], 2 * m, h, m)
                val_windows = np.stack([y[o - 2 * m:o] for o in val_o])[:, :, None]
                val_truth = np.stack([y[o:o + h] for o in val_o])[:, :, None]
                val_pred = _member_forecasts(result, val_windows.astype("float32"))
                test_pred = _member_forecasts(result, windows)
                members = _members(test_pred, truth, insample, m,
                                   combo["weights"])
                if arrays_dir:  # for rules weighed offline: every member's forecasts
                    np.savez(os.path.join(arrays_dir, f"{name}-{label}-{seed}.npz"),
                             val_truth=val_truth, test_truth=truth, insample=insample,
                             period=m, **{f"val_{k}": v for k, v in val_pred.items()},
                             **{f"test_{k}": v for k, v in test_pred.items()})
            row = {"series": name, "n": n, "period": m, "horizon": h,
                   "origins": len(origins), "variant": label, "seed": seed,
                   "mase": mase(truth, pred, insample=insample, m=m),
                   "seasonal_naive": scores["seasonal_naive"], "ets": scores["ets"],
                   "chosen": combo.get("chosen"), "weights": combo.get("weights"),
                   "val_mae": combo.get("val_mae"), "test_mase_alone": members,
                   "val_mae_mix": (combo.get("inverse_mse") or combo.get("inverse_mae")
                                   or {}).get("val_mae"),
                   "seconds": round(seconds, 1),
                   "best_epoch": result.timing.get("best_epoch")}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def _member_forecasts(result, windows) -> dict:
    """Each candidate's forecasts of ``windows`` (its weight set to 1 for a moment)."""
    from seqkit.forecasting.combination import COMBINE_LAYER, weights_set

    preds = {}
    for name in result.model.get_layer(COMBINE_LAYER).names:
        with weights_set(result.model, {name: 1.0}):
            preds[name] = np.asarray(result.predict(windows), "float64")
    return preds


def _members(preds: dict, truth, insample, m, weights: dict) -> dict:
    """Each candidate's own test MASE, the equal-weight mix's and the served weights'."""
    from seqkit.forecasting.metrics import mase

    out = {n: mase(truth, p, insample=insample, m=m) for n, p in preds.items()}
    out["equal_mix"] = mase(truth, np.mean(list(preds.values()), axis=0), insample=insample,
                            m=m)
    out["served_mix"] = mase(truth, sum(w * preds[n] for n, w in weights.items()),
                              insample=insample, m=m)
    return out


def _rule_weights(val: dict, truth, rule: str) -> dict:
    """The weights a combination rule gives from the members' validation forecasts."""
    err = {n: p - truth for n, p in val.items()}
    if rule == "inverse_mae":
        score = {n: 1.0 / np.mean(np.abs(e)) for n, e in err.items()}
    elif rule == "inverse_mse":
        score = {n: 1.0 / np.mean(e ** 2) for n, e in err.items()}
    elif rule == "equal":
        score = {n: 1.0 for n in err}
    else:  # "best"
        best = min(err, key=lambda n: np.mean(np.abs(err[n])))
        score = {n: float(n == best) for n in err}
    total = sum(score.values())
    return {n: v / total for n, v in score.items()}


RULES = ("inverse_mae", "inverse_mse", "best", "equal")


def weigh_rules(arrays_dir: str) -> None:
    """Each rule's test MASE from the saved member forecasts (``--arrays``), per series
    (mean over seeds) and as a geometric mean: rules compared on the same fits."""
    import glob
    from collections import defaultdict

    from seqkit.forecasting.metrics import mase

    table = defaultdict(lambda: defaultdict(list))
    for path in sorted(glob.glob(os.path.join(arrays_dir, "*.npz"))):
        z = np.load(path)
        series = os.path.basename(path).split("-")[0]
        names = [k[4:] for k in z.files if k.startswith("val_") and k != "val_truth"]
        val = {n: z[f"val_{n}"] for n in names}
        test = {n: z[f"test_{n}"] for n in names}
        m = int(z["period"])
        for rule in RULES:
            w = _rule_weights(val, z["val_truth"], rule)
            pred = sum(w[n] * test[n] for n in names)
            table[series][rule].append(mase(z["test_truth"], pred, insample=z["insample"], m=m))
        table[series]["rnn alone"].append(mase(z["test_truth"], test["rnn"],
                                               insample=z["insample"], m=m))
    cols = [*RULES, "rnn alone"]
    print("| series | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    logs = defaultdict(list)
    for series, rules in table.items():
        cells = []
        for c in cols:
            v = np.asarray(rules[c])
            logs[c].append(np.log(v.mean()))
            cells.append(f"{v.mean():.3f} ± {v.std(ddof=1) if len(v) > 1 else 0:.3f}")
        print(f"| {series} | " + " | ".join(cells) + " |")
    print("| geometric mean | " + " | ".join(f"{np.exp(np.mean(logs[c])):.3f}" for c in cols)
          + " |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--series", nargs="+", default=list(SERIES), choices=list(SERIES))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--variant", nargs="+", default=["combine=auto"],
                   help="key=value fit arguments, one variant each (comma-separated pairs)")
    p.add_argument("--test-fraction", type=float, default=0.15)
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--out", default=None)
    p.add_argument("--arrays", default=None, metavar="DIR",
                   help="save every member's validation and test forecasts here (.npz)")
    p.add_argument("--weigh", default=None, metavar="DIR",
                   help="no fits: compare the combination rules on the forecasts saved in "
                        "DIR by --arrays")
    args = p.parse_args(argv)
    if args.weigh:
        return weigh_rules(args.weigh)
    variants = {}
    for text in args.variant:
        kwargs = {}
        for pair in text.split(","):
            key, value = pair.split("=", 1)
            kwargs[key] = json.loads(value) if value[:1] in "[{0123456789-tf" else value
        variants[text] = kwargs
    out = args.out or os.path.join(
        REPO, "benchmarks", "results", f"forecast-screen-{datetime.date.today()}.jsonl")
    load_avg = os.getloadavg()[0]
    with open(out, "a") as f:
        for name in args.series:
            for row in screen(name, args.seeds, variants, args.test_fraction, args.stride,
                              args.arrays):
                f.write(json.dumps({**row, "load_at_start": round(load_avg, 2)}) + "\n")


if __name__ == "__main__":
    main()
