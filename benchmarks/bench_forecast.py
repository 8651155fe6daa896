"""Forecasting: seqkit's forecaster beside Darts' BlockRNNModel and statistical baselines,
on one split and the same test origins (issue 11, "Measure").

    python benchmarks/bench_forecast.py --series co2 --window 104 --horizon 4 --seeds 0
    python benchmarks/bench_forecast.py --series co2 elnino sunspots uschange --cells lstm gru \\
        --seeds 0 1 2 --units 32 --epochs 30 --learning-rate 3e-3
    python benchmarks/bench_forecast.py --quick            # smoke run (1 series, 1 seed, 2 epochs)
    python benchmarks/bench_forecast.py --no-darts --series sunspots --test-size 40 --stride 2

Install (benchmark-only, never a project dependency; the constraints keep the project's
pins, which ``darts[torch]`` would otherwise move: it downgrades python-dateutil 4.0 to 2.9
through ``holidays``; with the pin it takes holidays 0.86 instead)::

    printf '%s\\n' numpy==2.3.5 pandas==3.0.6 keras==3.15.1 tensorflow==2.21.0 \\
        scikit-learn==1.9.1 statsmodels==0.15.0 scipy==1.17.1 aeon==1.6.0 \\
        matplotlib==3.11.2 python-dateutil==4.0.0 > /tmp/bench-constraints.txt
    .venv/bin/pip install -c /tmp/bench-constraints.txt torch \\
        --index-url https://download.pytorch.org/whl/cpu            # torch 2.13.0+cpu
    .venv/bin/pip install -c /tmp/bench-constraints.txt "darts[torch]"   # darts 0.48.1
    .venv/bin/pip check

(plain ``darts`` does not pull PyTorch Lightning, which ``BlockRNNModel`` needs.)

Per series (``load_series(name)``, NaN interpolated by ``check_series(data, "interpolate")``;
the target is the first column, any others are past covariates):

- **split** (:func:`backtest_split`): the test part is the last ``--test-size`` steps (default
  15% of ``n``); origins ``o = n - H, n - H - S, ...`` down to the test start, each
  forecasting ``values[o : o + H]`` from ``values[o - W : o]`` (inputs may reach into the
  training part). Every model is trained (and validated) on ``values[:test_start]`` only.
- **seqkit LSTM/GRU @E**: ``seqkit.fit_forecaster(values[:test_start], window=W, horizon=H,
  cell=C, units=U, epochs=E, learning_rate=LR, seed=S, target_columns=[0], period=m,
  test_size=0, verbose=0)`` (the forecaster's own validation split and early stopping; with
  the older API without ``test_size`` it is ``test_fraction=0.05``, raised to the smallest
  fraction holding one ``W + H`` stretch, and the output says so), then ``result.predict``
  on the windows ``[n_origins, W, F]``. **auto**: the same with ``epochs="auto"`` (seqkit's
  default budget) and 10/50/90% quantile heads (``--no-quantiles``: point forecasts): the
  median is scored, and the 80% interval's empirical coverage of the test origins is
  reported (intervals calibrated on the validation origins, see ``fit_forecaster``).
- **Darts BlockRNN LSTM/GRU**: ``BlockRNNModel(model="LSTM"|"GRU", input_chunk_length=W,
  output_chunk_length=H, hidden_dim=U, n_epochs=E, optimizer_kwargs={"lr": LR},
  random_state=S)`` on the training part scaled by Darts' default ``Scaler()`` (min-max) fit
  on that part only, no validation series; forecasts from ``historical_forecasts(...,
  start=first origin, start_format="position", forecast_horizon=H, stride=S, retrain=False,
  last_points_only=False)``; their start timestamps are checked equal to the origins.
- **baselines**: ``seqkit.forecasting.baselines.baseline_forecasts`` (ETS, Theta, seasonal
  naive, last value, drift) when it exists, else local seasonal naive, last value and drift.
- **metrics** (``seqkit.forecasting.metrics``): MAE, RMSE, sMAPE (M4, %) pooled over every
  origin and step; MASE with the in-sample seasonal-naive MAE of ``values[:test_start]``
  (period m, 1 when unknown) as the scale (Hyndman & Koehler 2006). Mean ± sample std over
  seeds; train seconds are the fit call alone (median).

Results go to ``benchmarks/results/forecast-<date>-<machine>.{json,md}`` (``--quick``: a
temporary folder unless ``--out`` is given).
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import logging
import os
import re
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(REPO, "benchmarks", "results")
SERIES = ["co2", "elnino", "sunspots", "uschange"]
CELLS = ["lstm", "gru"]
QUICK = {"seeds": [0], "epochs": 2}
#: table rows, in this order (LSTM before GRU within a kind)
ROW_ORDER = [r"seqkit (LSTM|GRU) @\d+ ep", r"seqkit (LSTM|GRU) auto", r"Darts BlockRNN (LSTM|GRU)",
             "ETS", "Theta", "seasonal naive", "last value", "drift"]
BASELINE_LABELS = {"ets": "ETS", "theta": "Theta", "seasonal_naive": "seasonal naive",
                   "last_value": "last value", "drift": "drift"}


@dataclass(frozen=True)
class Split:
    """The benchmark's split of a series of ``n`` steps: ``values[:test_start]`` trains,
    forecasts start at each of ``origins`` (ascending)."""

    n: int
    test_start: int
    origins: tuple


def backtest_split(n: int, window: int, horizon: int, test_size: int | None = None,
               stride: int = 1) -> Split:
    """The one split every row uses: the last ``test_size`` steps (default 15% of ``n``)
    are the test part; origins ``n - horizon, n - horizon - stride, ...`` down to the test
    start; each needs ``window`` steps before it, and the training part one ``window +
    horizon`` stretch."""
    from seqkit.errors import DataError
    from seqkit.validation import check_int

    window, horizon = check_int("window", window), check_int("horizon", horizon)
    stride = check_int("stride", stride)
    test_size = int(round(0.15 * n)) if test_size is None else check_int("test_size", test_size)
    test_start = n - test_size
    if test_size < horizon:
        raise DataError(f"test_size={test_size} is shorter than horizon={horizon}")
    if test_start < window + horizon:
        raise DataError(f"the training part ({test_start} of {n} steps) must hold one "
                        f"window + horizon = {window + horizon} stretch")
    origins = tuple(range(n - horizon, test_start - 1, -stride))[::-1]
    return Split(n=n, test_start=test_start, origins=origins)


def input_windows(values: np.ndarray, origins, window: int) -> np.ndarray:
    """``[n_origins, window, F]``: the ``window`` steps before each origin."""
    return np.stack([values[o - window:o] for o in origins])


def target_windows(values: np.ndarray, origins, horizon: int) -> np.ndarray:
    """``[n_origins, horizon, F]``: the ``horizon`` steps from each origin on."""
    return np.stack([values[o:o + horizon] for o in origins])


def seqkit_split_kwargs(parameters, n_train: int, window: int, horizon: int) -> tuple:
    """``(kwargs, note)``: no test split of seqkit's own where ``fit_forecaster`` takes
    ``test_size``; else (older API, test must be > 0) ``test_fraction=0.05``, raised to the
    smallest fraction whose ``round(n * f)`` holds one ``window + horizon`` stretch."""
    if "test_size" in parameters:
        return {"test_size": 0}, "fit_forecaster(test_size=0): no test split of its own"
    need = window + horizon
    fraction = 0.05
    while int(round(n_train * fraction)) < need and fraction < 0.5:
        fraction = round(fraction + 0.005, 3)
    return ({"test_fraction": fraction},
            f"fit_forecaster has no test_size (older API): test_fraction={fraction} of the "
            "training part is held out as seqkit's own test split, unused here")


def local_baselines(target: np.ndarray, origins, horizon: int, period: int | None) -> dict:
    """Seasonal naive, last value and drift forecasts ``[n_origins, horizon, T]`` from the
    values before each origin (Hyndman & Athanasopoulos, FPP3 section 5.2): seasonal naive
    ``y[o - 1 + h - m * (floor((h - 1) / m) + 1)]``, drift ``y[o-1] + h * (y[o-1] - y[0]) /
    (o - 1)``."""
    h = np.arange(1, horizon + 1)
    last = np.stack([np.repeat(target[o - 1][None], horizon, axis=0) for o in origins])
    slope = np.stack([(target[o - 1] - target[0]) / (o - 1) for o in origins])
    out = {"last_value": last, "drift": last + h[None, :, None] * slope[:, None, :]}
    if period and period > 1:
        lag = period * ((h - 1) // period + 1)
        out["seasonal_naive"] = np.stack([target[o - 1 + h - lag] for o in origins])
    return out


def _local_metrics():
    """MAE, RMSE, sMAPE (M4) and MASE (Hyndman & Koehler 2006) of one target, for when
    ``seqkit.forecasting.metrics`` is not there."""
    def err(y, f):
        return np.asarray(y, "float64") - np.asarray(f, "float64")

    def smape(y, f):
        d = np.abs(np.asarray(y, "float64")) + np.abs(np.asarray(f, "float64"))
        return float(200 * np.mean(np.divide(np.abs(err(y, f)), d, out=np.zeros_like(d),
                                             where=d > 0)))

    def mase(y, f, insample, m=1):
        x = np.asarray(insample, "float64").ravel()
        return float(np.mean(np.abs(err(y, f))) / np.mean(np.abs(x[m:] - x[:-m])))

    return {"mae": lambda y, f: float(np.mean(np.abs(err(y, f)))),
            "rmse": lambda y, f: float(np.sqrt(np.mean(err(y, f) ** 2))),
            "smape": smape, "mase": mase}


def metric_functions() -> tuple[dict, str]:
    """``({name: fn}, where from)``: seqkit.forecasting.metrics, else local definitions."""
    try:
        from seqkit.forecasting import metrics as m
    except ImportError:
        return _local_metrics(), "local definitions (seqkit.forecasting.metrics missing)"
    return ({"mae": m.mae, "rmse": m.rmse, "smape": m.smape, "mase": m.mase},
            "seqkit.forecasting.metrics")


def score(y_true, y_pred, insample, m: int, fns: dict) -> dict:
    """MAE, RMSE, sMAPE pooled over every origin and step; MASE scaled by ``insample``."""
    return {"mae": fns["mae"](y_true, y_pred), "rmse": fns["rmse"](y_true, y_pred),
            "smape": fns["smape"](y_true, y_pred),
            "mase": fns["mase"](y_true, y_pred, insample, m)}


def row_key(label: str) -> tuple:
    """Where a row goes in the table: its kind's place in :data:`ROW_ORDER`, LSTM first."""
    for i, pattern in enumerate(ROW_ORDER):
        if re.fullmatch(pattern, label):
            return i, 1 if "GRU" in label else 0, label
    return len(ROW_ORDER), 0, label


def summarise(runs: list[dict]) -> dict:
    """``{row: {metric: (mean, sample std or None)}, ...}`` over seeds, plus the median
    train seconds and epochs run, rows in :data:`ROW_ORDER`'s order."""
    out = {}
    for label in sorted(dict.fromkeys(r["row"] for r in runs), key=row_key):
        rows = [r for r in runs if r["row"] == label]
        s = {"n": len(rows)}
        for key in ("mae", "mase", "smape", "rmse"):
            v = [r[key] for r in rows]
            s[key] = (statistics.fmean(v), statistics.stdev(v) if len(v) > 1 else None)
        v = [r["coverage_80"] for r in rows if r.get("coverage_80") is not None]
        s["coverage_80"] = (statistics.fmean(v), statistics.stdev(v) if len(v) > 1
                            else None) if v else None
        for key in ("train_seconds", "epochs_run"):
            v = [r[key] for r in rows if r.get(key) is not None]
            s[key] = statistics.median(v) if v else None
        out[label] = s
    return out


def _pm(pair, digits=3) -> str:
    mean, std = pair
    return f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")


def series_table(summary: dict) -> str:
    """The Markdown table of one series (rows as :func:`summarise` gives them)."""
    headers = ["model", "MAE", "MASE", "sMAPE %", "RMSE", "80% coverage", "epochs",
               "train s", "seeds"]
    rows = [[label, _pm(s["mae"]), _pm(s["mase"]), _pm(s["smape"], 2), _pm(s["rmse"]),
             _pm(s["coverage_80"], 2) if s.get("coverage_80") else None,
             None if s["epochs_run"] is None else f"{s['epochs_run']:g}",
             None if s["train_seconds"] is None else f"{s['train_seconds']:.1f}", s["n"]]
            for label, s in summary.items()]
    return _common.markdown_table(headers, rows)


def output_stem(date: str, info: dict) -> str:
    """``forecast-<date>-<machine>``, machine: the CPU model and core count as a slug."""
    cpu = re.sub(r"[^a-z0-9]+", "-", info["cpu"].lower()).strip("-")[:28].strip("-")
    return f"forecast-{date}-{cpu or 'cpu'}-{info['logical_cores']}c"


@dataclass
class Data:
    """One series as every row sees it."""

    name: str
    values: np.ndarray  # float32 [n, F], NaN interpolated; column 0 the target
    index: object
    columns: list
    period: int | None
    source: str
    split: Split
    window: int
    horizon: int
    stride: int

    @property
    def m(self) -> int:  # the MASE scale's period
        return (self.period or 1) if (self.period or 1) < self.split.test_start else 1

    def truth(self):
        return target_windows(self.values[:, :1], self.split.origins, self.horizon)

    def insample(self):
        return self.values[:self.split.test_start, :1]


def load_data(name: str, args) -> Data | str:
    """The series, or a line saying why it is not available."""
    from seqkit.data.timeseries import check_series, list_builtin_series, load_series
    from seqkit.errors import DatasetUnavailableError

    if name not in list_builtin_series():
        return f"{name!r} is not a seqkit built-in series here ({sorted(list_builtin_series())})"
    try:
        data = check_series(load_series(name), "interpolate")
    except DatasetUnavailableError as err:
        return str(err)
    values = np.asarray(data.values, dtype="float32")
    window = args.window or 2 * (data.period or 12)
    split = backtest_split(len(values), window, args.horizon, args.test_size, args.stride)
    return Data(name, values, data.index, list(data.columns), data.period, data.source,
                split, window, args.horizon, args.stride)


def run_seqkit(d: Data, cell: str, seed: int, epochs, args, split_kwargs: dict,
               quantiles=None) -> dict:
    import seqkit

    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = seqkit.fit_forecaster(
            d.values[:d.split.test_start], window=d.window, horizon=d.horizon, cell=cell,
            units=args.units, epochs=epochs, learning_rate=args.learning_rate, seed=seed,
            target_columns=[0], period=d.period, verbose=0, quantiles=quantiles,
            baselines=(), **split_kwargs)
    seconds = time.perf_counter() - start
    pred = result.predict(input_windows(d.values, d.split.origins, d.window))
    timing = result.timing
    extra = {}
    if quantiles:  # the point forecast is the median; the 80% interval's coverage
        q = np.asarray(pred["quantiles"])[..., :1]
        lo, hi = list(quantiles).index(0.1), list(quantiles).index(0.9)
        y = d.truth()
        extra["coverage_80"] = float(np.mean((q[:, :, lo] <= y) & (y <= q[:, :, hi])))
        extra["calibration"] = result.data_info.get("interval_calibration", {}).get("method")
        pred = pred["forecast"]
    return {**extra, "pred": np.asarray(pred)[..., :1], "train_seconds": seconds,
            "epochs_run": timing.get("epochs_run"), "stop_reason": timing.get("stop_reason"),
            "warnings": sorted({f"{w.category.__name__}: {w.message}" for w in caught})}


def _darts_series(d: Data, columns: slice):
    import pandas as pd
    from darts import TimeSeries

    values = d.values[:, columns].astype("float64")
    if isinstance(d.index, pd.DatetimeIndex) and pd.infer_freq(d.index):
        return TimeSeries.from_times_and_values(d.index, values)
    return TimeSeries.from_values(values)  # RangeIndex: positions


def run_darts(d: Data, cell: str, seed: int, args) -> dict:
    from darts.dataprocessing.transformers import Scaler
    from darts.models import BlockRNNModel

    ts = d.split.test_start
    target = _darts_series(d, slice(0, 1))
    target_scaler = Scaler().fit(target[:ts])  # training part only
    y = target_scaler.transform(target)
    cov = None
    if d.values.shape[1] > 1:
        covariates = _darts_series(d, slice(1, None))
        cov = Scaler().fit(covariates[:ts]).transform(covariates)
    model = BlockRNNModel(
        model=cell.upper(), input_chunk_length=d.window, output_chunk_length=d.horizon,
        hidden_dim=args.units, n_epochs=args.epochs, optimizer_kwargs={"lr": args.learning_rate},
        random_state=seed, pl_trainer_kwargs={"accelerator": "cpu", "enable_progress_bar": False,
                                              "enable_model_summary": False, "logger": False})
    start = time.perf_counter()
    model.fit(y[:ts], past_covariates=None if cov is None else cov[:ts], verbose=False)
    seconds = time.perf_counter() - start
    forecasts = model.historical_forecasts(
        y, past_covariates=cov, start=d.split.origins[0], start_format="position",
        forecast_horizon=d.horizon, stride=d.stride, retrain=False, last_points_only=False,
        verbose=False)
    expected = [target.time_index[o] for o in d.split.origins]
    got = [f.start_time() for f in forecasts]
    if got != expected or any(len(f) != d.horizon for f in forecasts):
        raise SystemExit(f"{d.name}: Darts forecast {len(got)} origins {got[:2]}..{got[-1:]}, "
                         f"seqkit's are {len(expected)} {expected[:2]}..{expected[-1:]}")
    # one forecast at a time: a Scaler fit on one series refuses a list of 340 (darts#1288)
    pred = np.stack([target_scaler.inverse_transform(f).values() for f in forecasts])
    return {"pred": pred, "train_seconds": seconds, "epochs_run": args.epochs,
            "origins_match": True}


def baseline_rows(d: Data) -> tuple[dict, str]:
    """``({label: forecasts}, where from)`` on the split's origins."""
    target = d.values[:, :1].astype("float64")
    try:
        from seqkit.forecasting.baselines import baseline_forecasts
    except ImportError:
        out = local_baselines(target, d.split.origins, d.horizon, d.period)
        return ({BASELINE_LABELS[k]: v for k, v in out.items()},
                "local seasonal naive / last value / drift (seqkit.forecasting.baselines "
                "missing: no ETS, no Theta)")
    params = inspect.signature(baseline_forecasts).parameters
    kwargs = {"period": d.period}
    if "refit" in params:  # estimated once on the training part, like the networks
        kwargs.update({"refit": False, **({"fit_end": d.split.test_start}
                                          if "fit_end" in params else {})})
    out = baseline_forecasts(target, list(d.split.origins), d.horizon, **kwargs)
    return ({BASELINE_LABELS.get(k, k): np.asarray(v) for k, v in out.items()},
            f"seqkit.forecasting.baselines.baseline_forecasts({kwargs})")


def run_series(d: Data, args, fns: dict, split_kwargs: dict) -> dict:
    """Every row of one series: seeds x cells x systems one fit at a time, then baselines."""
    truth, insample = d.truth(), d.insample()
    runs = []

    def record(label, cell, seed, out, system):
        metrics = score(truth, out.pop("pred"), insample, d.m, fns)
        runs.append({"row": label, "system": system, "cell": cell, "seed": seed,
                     **metrics, **out})
        print(f"  {d.name} {label} seed {seed}: MAE {metrics['mae']:.4f} MASE "
              f"{metrics['mase']:.3f}, {out.get('train_seconds', 0):.1f} s", flush=True)

    for seed in args.seeds:
        for cell in args.cells:
            c = cell.upper()
            record(f"seqkit {c} @{args.epochs} ep", cell, seed,
                   run_seqkit(d, cell, seed, args.epochs, args, split_kwargs), "seqkit")
            if not args.quick:
                quantiles = (0.1, 0.5, 0.9) if args.quantiles else None
                record(f"seqkit {c} auto", cell, seed,
                       run_seqkit(d, cell, seed, "auto", args, split_kwargs, quantiles),
                       "seqkit")
            if args.darts:
                record(f"Darts BlockRNN {c}", cell, seed, run_darts(d, cell, seed, args),
                       "darts")
    forecasts, baselines_from = baseline_rows(d)
    for label in ("ETS", "Theta", "seasonal naive", "last value", "drift"):
        if label in forecasts:
            record(label, None, None, {"pred": forecasts[label]}, "baseline")
    return {"runs": runs, "summary": summarise(runs), "baselines_from": baselines_from}


def data_line(d: Data) -> str:
    o = d.split.origins
    return (f"{d.source}; n={d.split.n}, F={d.values.shape[1]} ({', '.join(d.columns)}), "
            f"target {d.columns[0]!r}, period {d.period}, MASE m={d.m}; window {d.window}, "
            f"horizon {d.horizon}, stride {d.stride}; test part {d.split.n - d.split.test_start} "
            f"steps from {d.index[d.split.test_start]}; {len(o)} origins {d.index[o[0]]} .. "
            f"{d.index[o[-1]]}")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--series", nargs="+", default=SERIES, metavar="NAME")
    p.add_argument("--cells", nargs="+", choices=CELLS, default=CELLS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--window", type=int, help="input steps (default: 2 x the period, or 24)")
    p.add_argument("--horizon", type=int, default=4)
    p.add_argument("--units", type=int, default=32)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--learning-rate", type=float, default=3e-3)
    p.add_argument("--test-size", type=int, help="test steps (default 15%% of n)")
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--no-darts", dest="darts", action="store_false")
    p.add_argument("--no-quantiles", dest="quantiles", action="store_false",
                   help="the auto rows train point forecasts (default: 10/50/90%% quantile "
                   "heads, the median scored, the 80%% interval's coverage reported)")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: the first series, seed 0, {QUICK['epochs']} epochs, "
                   "no auto rows; not for quoting")
    p.add_argument("--out", help="folder for the .json/.md (default benchmarks/results; "
                   "--quick: a temporary folder)")
    args = p.parse_args(argv)
    if args.quick:
        args.series, args.seeds, args.epochs = args.series[:1], QUICK["seeds"], QUICK["epochs"]
    args.out = args.out or (tempfile.gettempdir() if args.quick else RESULTS)
    return args


def _darts_version(args):
    if not args.darts:
        return None
    try:
        import darts
        import pytorch_lightning  # noqa: F401  (it sets its loggers to INFO on import)
    except ImportError:
        args.darts = False
        print("darts[torch] is not installed: no Darts rows (the module docstring says how)")
        return None
    for name in ("pytorch_lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for message in (".*pin_memory.*", ".*LeafSpec.*", ".*across ranks is zero.*"):
        warnings.filterwarnings("ignore", message=message)
    return darts.__version__


def bench_series(name: str, args, fns: dict) -> tuple[dict | None, list[str]]:
    """One series' results (None when it is not available) and its Markdown lines."""
    import seqkit

    d = load_data(name, args)
    if isinstance(d, str):
        print(f"\nskipped {name}: {d}")
        return None, [f"## {name}", "", f"skipped: {d}", ""]
    split_kwargs, note = seqkit_split_kwargs(inspect.signature(seqkit.fit_forecaster)
                                             .parameters, d.split.test_start, d.window,
                                             d.horizon)
    print(f"\n## {name}\n{data_line(d)}\nseqkit: {note}", flush=True)
    res = run_series(d, args, fns, split_kwargs)
    res.update(data=data_line(d), seqkit_split=note, n_origins=len(d.split.origins),
               test_start=d.split.test_start, window=d.window)
    table = series_table(res["summary"])
    print(f"\n{table}\nbaselines: {res['baselines_from']}", flush=True)
    return res, [f"## {name}", "", data_line(d), "", f"seqkit: {note}", "", table, "",
                 f"baselines: {res['baselines_from']}", ""]


def bench_collection(name: str, args) -> tuple[dict | None, list[str]]:
    """Many short series (``m1_yearly``): one global seqkit model per (cell, seed), scored
    by ``fit_forecaster``'s own test metrics (the last ``horizon`` steps of every series;
    the mean of per-series MASE, M4-style) beside the baselines on the same origins."""
    import seqkit

    window = args.window or 8
    runs = []
    for seed in args.seeds:
        for cell in args.cells:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = seqkit.fit_forecaster(
                    name, window=window, horizon=args.horizon, test_size=args.horizon,
                    val_size=args.horizon, cell=cell, units=args.units, epochs="auto",
                    learning_rate=args.learning_rate, seed=seed, verbose=0,
                    quantiles=(0.1, 0.5, 0.9) if args.quantiles else None)
            m = r.metrics
            runs.append({"cell": cell, "seed": seed, "mase": m["mase"], "smape": m["smape"],
                         "coverage_80": m.get("quantiles", {}).get("coverage", {}).get("80%"),
                         "baselines": {k: v["mase"] for k, v in m["baselines"].items()},
                         "n_series": m["n_series"], "train_seconds":
                         time.perf_counter() - start})
            print(f"  {name} {cell} seed {seed}: mean MASE {m['mase']:.3f} over "
                  f"{m['n_series']} series; baselines "
                  f"{ {k: round(v, 3) for k, v in runs[-1]['baselines'].items()} }", flush=True)
    rows = []
    for cell in args.cells:
        mine = [r for r in runs if r["cell"] == cell]
        mase = [r["mase"] for r in mine]
        cover = [r["coverage_80"] for r in mine if r["coverage_80"] is not None]
        rows.append([f"seqkit {cell.upper()} auto (global)", _pm(_mean_sd(mase)),
                     _pm(_mean_sd([r["smape"] for r in mine]), 2),
                     _pm(_mean_sd(cover), 2) if cover else None,
                     f"{statistics.median(r['train_seconds'] for r in mine):.1f}", len(mine)])
    for base in runs[0]["baselines"]:
        rows.append([BASELINE_LABELS.get(base, base), f"{runs[0]['baselines'][base]:.3f}",
                     None, None, None, None])
    table = _common.markdown_table(["model", "mean MASE", "mean sMAPE %", "80% coverage",
                                    "train s", "seeds"], rows)
    line = (f"{name}: {runs[0]['n_series']} series, window {window}, horizon "
            f"{args.horizon}, the last {args.horizon} steps of each series tested, "
            f"{args.horizon} validated")
    print(f"\n{table}", flush=True)
    return {"runs": runs, "data": line}, [f"## {name}", "", line, "", table, ""]


def _mean_sd(values):
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None


def main(argv=None):
    args = parse_args(argv)
    info = {**_common.machine(), "darts": _darts_version(args)}
    machine = _common.machine_line(info) + f", darts {info['darts'] or 'not used'}"
    command = " ".join(["python", os.path.relpath(sys.argv[0], REPO), *sys.argv[1:]])
    fns, metrics_from = metric_functions()
    lines = [f"# Forecast benchmark{' (quick, not for quoting)' if args.quick else ''}", "",
             machine, "", f"command: `{command}`", "", f"metrics: {metrics_from}", ""]
    print("\n".join(lines), flush=True)
    results = {}
    for name in args.series:
        from seqkit.data.timeseries import list_builtin_collections

        if name in list_builtin_collections():
            res, more = bench_collection(name, args)
        else:
            res, more = bench_series(name, args, fns)
        lines += more
        if res is not None:
            results[name] = res
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, output_stem(datetime.date.today().isoformat(), info))
    _common.write_json(stem + ".json", {
        "machine": info, "command": command, "quick": args.quick,
        "metrics_from": metrics_from, "settings": vars(args), "series": results})
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {stem}.md")


if __name__ == "__main__":
    main()
